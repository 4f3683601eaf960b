/**
 * `/proc/softirqs`: system.softirqs and one cpu.cpuN_softirqs per CPU, as Netdata 1.37 defines them
 * (the table logic is the one of `/proc/interrupts`).
 *
 * @module
 */

import type { Source, SourceContext } from "../source.ts";
import { type CounterTable, counterTableSource } from "./interrupts.ts";

/**
 * The table definition of `/proc/softirqs`.
 *
 * @example
 * ```ts
 * counterTableSource(ctx, SOFTIRQS_TABLE);
 * ```
 */
export const SOFTIRQS_TABLE: CounterTable = {
  module: "/proc/softirqs",
  system: {
    id: "system.softirqs",
    title: "System softirqs",
    units: "softirqs/s",
    family: "softirqs",
    context: "system.softirqs",
    chartType: "stacked",
    priority: 950,
  },
  perCpu: {
    title: "CPU softirqs",
    units: "softirqs/s",
    family: "softirqs",
    context: "cpu.softirqs",
    chartType: "stacked",
  },
  perCpuSuffix: "_softirqs",
  perCpuPriority: 3000,
  namedByDevice: false,
};

/**
 * The /proc/softirqs source.
 *
 * @example
 * ```ts
 * const source = softirqsSource({ host, root: "/", updateEvery: 1, log });
 * source.collect(Date.now() * 1000);
 * ```
 */
export function softirqsSource(ctx: SourceContext): Source {
  return counterTableSource(ctx, SOFTIRQS_TABLE);
}
