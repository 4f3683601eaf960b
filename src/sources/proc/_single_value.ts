/**
 * The shape shared by the kernel files that hold one number and feed one chart of one dimension
 * (uptime, entropy): read, parse, obsolete the chart and throw when the file is gone or unreadable.
 *
 * @module
 */

import type { Chart, DimensionSpec } from "../../metrics/chart.ts";
import { ProcFile } from "../../runtime/proc_file.ts";
import { rootPath, type Source, type SourceContext } from "../source.ts";
import { procChart, type ProcChartSpec } from "./_chart.ts";
import { LineScanner } from "./_parse.ts";

/**
 * A source for a one-number file; `parse` returns the raw value, or NaN when the text is not what it expects.
 *
 * @example
 * ```ts
 * const entropy = singleValueSource(ctx, "/proc/sys/kernel/random/entropy_avail", spec, dim("entropy", "absolute"),
 *   (s) => s.nextLine() ? s.number() : NaN);
 * ```
 */
export function singleValueSource(
  ctx: SourceContext,
  module: string,
  spec: ProcChartSpec,
  dimension: DimensionSpec,
  parse: (scanner: LineScanner, text: string) => number,
): Source {
  const file = new ProcFile(rootPath(ctx.root, module));
  const scanner = new LineScanner();
  let chart: Chart | undefined;
  return {
    name: module,
    updateEvery: ctx.updateEvery,
    collect(nowUs) {
      const text = file.read();
      let value = NaN;
      if (text !== undefined) {
        scanner.reset(text);
        value = parse(scanner, text);
      }
      if (!Number.isFinite(value) || value < 0) {
        if (chart !== undefined) ctx.host.obsolete(chart);
        chart = undefined;
        throw new Error(file.lastError ?? `unexpected contents of ${file.path}: '${text?.slice(0, 80)}'`);
      }
      chart ??= procChart(ctx.host, module, ctx.updateEvery, spec, [dimension]);
      chart.dimensions[0].set(value);
      ctx.host.collected(chart, nowUs);
    },
    close() {
      file.close();
    },
  };
}
