/**
 * Shared shape of a plugin's charts (proc.plugin's, and the collector's own `netdata` charts): every chart
 * of a module has the same plugin and module names and the `_collect_plugin` / `_collect_module` labels a
 * 1.37 child attaches.
 *
 * @module
 */

import type { Chart, ChartSpec, DimensionSpec } from "../../metrics/chart.ts";
import type { Host } from "../../metrics/host.ts";
import { LABEL_SOURCE } from "../../protocol/commands.ts";

/** The fields of a chart spec that vary per chart; plugin and module come from the module. */
export type ProcChartSpec = Omit<ChartSpec, "plugin" | "module" | "updateEvery"> & { readonly updateEvery?: number };

const AUTO_PERMANENT = LABEL_SOURCE.AUTO | LABEL_SOURCE.PERMANENT;

/**
 * Defines (or refreshes) a proc.plugin chart with its dimensions, labelled as 1.37 labels them.
 *
 * @example
 * ```ts
 * const chart = procChart(host, "/proc/loadavg", 1, { id: "system.load", ... }, [
 *   { id: "load1", algorithm: "absolute", multiplier: 1, divisor: 1000 },
 * ]);
 * ```
 */
export function procChart(
  host: Host,
  module: string,
  updateEvery: number,
  spec: ProcChartSpec,
  dimensions: readonly DimensionSpec[] = [],
): Chart {
  return pluginChart(host, "proc.plugin", module, updateEvery, spec, dimensions);
}

/**
 * Defines (or refreshes) a chart of any internal plugin with its dimensions, labelled as 1.37 labels them.
 *
 * @example
 * ```ts
 * const uptime = pluginChart(host, "netdata", "stats", 1, { id: "netdata.uptime", ... }, [
 *   { id: "uptime", algorithm: "absolute", multiplier: 1, divisor: 1 },
 * ]);
 * ```
 */
export function pluginChart(
  host: Host,
  plugin: string,
  module: string,
  updateEvery: number,
  spec: ProcChartSpec,
  dimensions: readonly DimensionSpec[] = [],
): Chart {
  const chart = host.chart({ updateEvery, ...spec, plugin, module });
  chart.label("_collect_plugin", plugin, AUTO_PERMANENT);
  chart.label("_collect_module", module, AUTO_PERMANENT);
  for (const dim of dimensions) chart.dimension(dim);
  return chart;
}

/**
 * Shorthand for the common dimension shapes.
 *
 * @example
 * ```ts
 * dim("load1", "absolute", 1, 1000); // { id: "load1", algorithm: "absolute", multiplier: 1, divisor: 1000 }
 * ```
 */
export function dim(
  id: string,
  algorithm: DimensionSpec["algorithm"],
  multiplier = 1,
  divisor = 1,
  extra: Partial<DimensionSpec> = {},
): DimensionSpec {
  return { id, algorithm, multiplier, divisor, ...extra };
}
