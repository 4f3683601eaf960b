/**
 * The in-memory model both roles share: hosts, charts, dimensions, labels and variables.
 *
 * @example
 * ```ts
 * import { Host } from "./mod.ts";
 * const host = new Host(identity);
 * host.chart(spec).dimension({ id: "a", algorithm: "absolute", multiplier: 1, divisor: 1 }).set(1);
 * ```
 *
 * @module
 */

export * from "./chart.ts";
export * from "./host.ts";
export * from "./definitions.ts";
