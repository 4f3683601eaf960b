/**
 * The one mapping between the definition commands (`CHART`, `DIMENSION`, `CLABEL`, `VARIABLE CHART`) and
 * the model, both ways: a plugins.d parser and a parent's receiver turn commands into charts with it, and
 * a sender turns charts back into the commands a 1.37 child writes.
 *
 * Netdata 1.37 reads both inputs with the same code (`pluginsd_chart`, `pluginsd_dimension`); the only
 * real difference between a local plugin and a streaming child is what fills the gaps a `CHART` line
 * leaves: {@link ChartDefaults}. The options word is searched for each flag as a substring, as 1.37's
 * `strstr` does, so `"obsolete,hidden"` or `" detail  "` both read as expected.
 *
 * @module
 */

import type { ChartCommand, ChildCommand, DimensionCommand } from "../protocol/commands.ts";
import type { Chart, ChartSpec, Dimension, DimensionSpec } from "./chart.ts";
import type { Host } from "./host.ts";

/**
 * What a `CHART` line that leaves a field empty gets instead, by where it came from.
 *
 * @example
 * ```ts
 * const fromPlugin: ChartDefaults = { updateEvery: 1, plugin: "example.plugin" };
 * const fromChild: ChartDefaults = { updateEvery: 1, plugin: "10.0.0.5:40000" };
 * ```
 */
export interface ChartDefaults {
  /** Seconds, for an `update every` of 0 or none: the plugin's interval, or the streaming host's. */
  readonly updateEvery: number;
  /** For an empty plugin: the plugin's file name; for a streaming child 1.37 uses its `ip:port`. */
  readonly plugin: string;
}

/**
 * True when the options word carries `flag`, read as 1.37 reads it (a substring search).
 *
 * @example
 * ```ts
 * hasOption(" detail  ", "detail"); // true
 * hasOption("", "hidden"); // false
 * ```
 */
export function hasOption(options: string, flag: string): boolean {
  return options.includes(flag);
}

// 1.37 clears a chart name that repeats the id or is one of these placeholders.
const NO_NAME = /^(NULL|\(NULL\))$/i;

/**
 * The chart a `CHART` command defines. The name is kept as the full `type.name` (a streamed name may
 * already carry the `type.` prefix); an empty family is the type, an empty context the full id.
 *
 * @example
 * ```ts
 * const spec = chartSpecFrom(cmd, { updateEvery: 1, plugin: "example.plugin" });
 * spec.family; // "example" when the line left it empty
 * ```
 */
export function chartSpecFrom(cmd: ChartCommand, defaults: ChartDefaults): ChartSpec {
  const dot = cmd.id.indexOf(".");
  const type = cmd.id.slice(0, dot);
  const idPart = cmd.id.slice(dot + 1);
  const name = cmd.name.startsWith(`${type}.`) ? cmd.name.slice(type.length + 1) : cmd.name;
  const named = name !== "" && name !== idPart && !NO_NAME.test(name);
  return {
    id: cmd.id,
    name: named ? `${type}.${name}` : undefined,
    title: cmd.title,
    units: cmd.units,
    family: cmd.family === "" ? type : cmd.family,
    context: cmd.context === "" ? cmd.id : cmd.context,
    chartType: cmd.chartType,
    priority: cmd.priority,
    updateEvery: cmd.updateEvery > 0 ? cmd.updateEvery : defaults.updateEvery,
    plugin: cmd.plugin === "" ? defaults.plugin : cmd.plugin,
    module: cmd.module,
    detail: hasOption(cmd.options, "detail"),
    hidden: hasOption(cmd.options, "hidden"),
    storeFirst: hasOption(cmd.options, "store_first"),
  };
}

/**
 * The dimension a `DIMENSION` command defines (an empty name is the id).
 *
 * @example
 * ```ts
 * dimensionSpecFrom(cmd).noreset; // true for options "noreset"
 * ```
 */
export function dimensionSpecFrom(cmd: DimensionCommand): DimensionSpec {
  return {
    id: cmd.id,
    name: cmd.name === "" ? undefined : cmd.name,
    algorithm: cmd.algorithm,
    multiplier: cmd.multiplier,
    divisor: cmd.divisor,
    hidden: hasOption(cmd.options, "hidden"),
    noreset: hasOption(cmd.options, "noreset"),
    nooverflow: hasOption(cmd.options, "nooverflow"),
  };
}

/**
 * Applies a `CHART` command to the host: the chart is created or redefined, and obsolete exactly when the
 * options say so (a redefinition without `obsolete` brings it back).
 *
 * @example
 * ```ts
 * const chart = defineChart(host, cmd, { updateEvery: 1, plugin: "example.plugin" });
 * ```
 */
export function defineChart(host: Host, cmd: ChartCommand, defaults: ChartDefaults): Chart {
  const chart = host.chart(chartSpecFrom(cmd, defaults));
  if (hasOption(cmd.options, "obsolete")) host.obsolete(chart);
  return chart;
}

/**
 * Applies a `DIMENSION` command to its chart; `obsolete` in the options marks the dimension so.
 *
 * @example
 * ```ts
 * const dim = defineDimension(chart, cmd);
 * ```
 */
export function defineDimension(chart: Chart, cmd: DimensionCommand): Dimension {
  const dim = chart.dimension(dimensionSpecFrom(cmd));
  if (hasOption(cmd.options, "obsolete")) chart.obsoleteDimension(cmd.id);
  return dim;
}

/**
 * A chart's options word with 1.37's four slots: `obsolete detail store_first hidden`, each empty when off.
 *
 * @example
 * ```ts
 * chartOptionsWord(chart); // " detail  " for a detail chart
 * ```
 */
export function chartOptionsWord(chart: Chart): string {
  return `${chart.obsolete ? "obsolete" : ""} ${chart.detail ? "detail" : ""} ${
    chart.storeFirst ? "store_first" : ""
  } ${chart.hidden ? "hidden" : ""}`;
}

/**
 * A dimension's options word with 1.37's three slots `obsolete hidden noreset`, then `nooverflow` when set
 * (1.37 folds both flags into one; the model keeps them apart and says so).
 *
 * @example
 * ```ts
 * dimensionOptionsWord(idle); // " hidden " for a hidden dimension
 * ```
 */
export function dimensionOptionsWord(dim: Dimension): string {
  const slots = `${dim.obsolete ? "obsolete" : ""} ${dim.hidden ? "hidden" : ""} ${dim.noreset ? "noreset" : ""}`;
  return dim.nooverflow ? `${slots} nooverflow` : slots;
}

/**
 * The `CHART` command of a chart, as a 1.37 child writes it: the name after its `type.`, or empty when the
 * name is the id.
 *
 * @example
 * ```ts
 * encodeChildCommand(chartCommandOf(chart)); // 'CHART "system.load" "" "System Load Average" …\n'
 * ```
 */
export function chartCommandOf(chart: Chart): ChartCommand {
  return {
    kind: "CHART",
    id: chart.id,
    name: chart.name === chart.id ? "" : chart.name.slice(chart.name.indexOf(".") + 1),
    title: chart.title,
    units: chart.units,
    family: chart.family,
    context: chart.context,
    chartType: chart.chartType,
    priority: chart.priority,
    updateEvery: chart.updateEvery,
    options: chartOptionsWord(chart),
    plugin: chart.plugin,
    module: chart.module,
  };
}

/**
 * The `DIMENSION` commands of a chart, in its order (a 1.37 child always writes the name).
 *
 * @example
 * ```ts
 * dimensionCommandsOf(chart).map(encodeChildCommand).join("");
 * ```
 */
export function dimensionCommandsOf(chart: Chart): DimensionCommand[] {
  return chart.dimensions.map((dim) => ({
    kind: "DIMENSION",
    id: dim.id,
    name: dim.name,
    algorithm: dim.algorithm,
    multiplier: dim.multiplier,
    divisor: dim.divisor,
    options: dimensionOptionsWord(dim),
  }));
}

/**
 * A chart's whole definition block as a 1.37 child sends it: `CHART`, its labels and `CLABEL_COMMIT`
 * (when `labels` is true, i.e. the peer understands chart labels, and there are any), `DIMENSION`s, then
 * `VARIABLE CHART`s.
 *
 * @example
 * ```ts
 * const text = definitionCommandsOf(chart, { labels: true }).map(encodeChildCommand).join("");
 * ```
 */
export function definitionCommandsOf(chart: Chart, options: { readonly labels: boolean }): ChildCommand[] {
  const commands: ChildCommand[] = [chartCommandOf(chart)];
  if (options.labels && chart.labels.size > 0) {
    for (const [name, label] of chart.labels) commands.push({ kind: "CLABEL", name, ...label });
    commands.push({ kind: "CLABEL_COMMIT" });
  }
  commands.push(...dimensionCommandsOf(chart));
  for (const [name, value] of chart.variables) commands.push({ kind: "VARIABLE", scope: "CHART", name, value });
  return commands;
}
