/**
 * Shared shape of the charts a local collector defines: each carries the collector's plugin and module
 * names and the `_collect_plugin` / `_collect_module` labels a 1.37 child attaches to every chart
 * (`[none]` for a collector without modules, as 1.37 writes an empty label value).
 *
 * @module
 */

import type { Chart, ChartSpec, DimensionSpec } from "../metrics/chart.ts";
import type { Host } from "../metrics/host.ts";
import { LABEL_SOURCE } from "../protocol/commands.ts";

/** Which collector defines a chart: Netdata's plugin name and module name (empty for none). */
export interface Collector {
  readonly plugin: string;
  readonly module: string;
}

/** The fields of a chart spec that vary per chart; plugin and module come from the collector. */
export type CollectorChartSpec = Omit<ChartSpec, "plugin" | "module" | "updateEvery"> & {
  readonly updateEvery?: number;
};

const AUTO_PERMANENT = LABEL_SOURCE.AUTO | LABEL_SOURCE.PERMANENT;
const NO_MODULE = "[none]";

/**
 * Defines (or refreshes) a chart of `collector` with its dimensions, labelled as 1.37 labels them.
 *
 * @example
 * ```ts
 * const chart = collectorChart(host, { plugin: "idlejitter.plugin", module: "" }, 1, { id: "system.idlejitter", ... }, [
 *   dim("min", "absolute"),
 * ]);
 * chart.labels.get("_collect_module")?.value; // "[none]"
 * ```
 */
export function collectorChart(
  host: Host,
  collector: Collector,
  updateEvery: number,
  spec: CollectorChartSpec,
  dimensions: readonly DimensionSpec[] = [],
): Chart {
  const chart = host.chart({ updateEvery, ...spec, plugin: collector.plugin, module: collector.module });
  chart.label("_collect_plugin", collector.plugin, AUTO_PERMANENT);
  chart.label("_collect_module", collector.module === "" ? NO_MODULE : collector.module, AUTO_PERMANENT);
  for (const d of dimensions) chart.dimension(d);
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
