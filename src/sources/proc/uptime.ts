/**
 * `/proc/uptime`: system.uptime, in milliseconds with a divisor of 1000, as Netdata 1.37 sends it.
 *
 * @module
 */

import type { Source, SourceContext } from "../source.ts";
import { dim } from "./_chart.ts";
import { singleValueSource } from "./_single_value.ts";

/**
 * The /proc/uptime source.
 *
 * @example
 * ```ts
 * const source = uptimeSource({ host, root: "/", updateEvery: 1, log });
 * source.collect(Date.now() * 1000);
 * ```
 */
export function uptimeSource(ctx: SourceContext): Source {
  return singleValueSource(
    ctx,
    "/proc/uptime",
    {
      id: "system.uptime",
      title: "System Uptime",
      units: "seconds",
      family: "uptime",
      context: "system.uptime",
      chartType: "line",
      priority: 1000,
    },
    dim("uptime", "absolute", 1, 1000),
    (s) => s.nextLine() ? Math.round(s.decimal() * 1000) : NaN,
  );
}
