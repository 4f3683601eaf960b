/**
 * `/proc/sys/kernel/random/entropy_avail`: system.entropy, as Netdata 1.37 defines it.
 *
 * @module
 */

import type { Chart } from "../../metrics/chart.ts";
import { ProcFile } from "../../runtime/proc_file.ts";
import { rootPath, type Source, type SourceContext } from "../source.ts";
import { dim, procChart } from "./_chart.ts";
import { LineScanner } from "./_parse.ts";

const MODULE = "/proc/sys/kernel/random/entropy_avail";

/**
 * The entropy source.
 *
 * @example
 * ```ts
 * const source = entropySource({ host, root: "/", updateEvery: 1, log });
 * source.collect(Date.now() * 1000);
 * ```
 */
export function entropySource(ctx: SourceContext): Source {
  const file = new ProcFile(rootPath(ctx.root, MODULE));
  const s = new LineScanner();
  let chart: Chart | undefined;

  return {
    name: MODULE,
    updateEvery: ctx.updateEvery,
    collect(nowUs) {
      const text = file.read();
      let entropy = NaN;
      if (text !== undefined) {
        s.reset(text);
        const first = s.nextLine() && s.hasWord() ? text.charCodeAt(s.pos) : 0;
        if (first >= 48 && first <= 57) entropy = s.number();
      }
      if (Number.isNaN(entropy)) {
        if (chart !== undefined) ctx.host.obsolete(chart);
        chart = undefined;
        throw new Error(file.lastError ?? `unexpected contents of ${file.path}: '${text?.slice(0, 80)}'`);
      }
      chart ??= procChart(ctx.host, MODULE, ctx.updateEvery, {
        id: "system.entropy",
        title: "Available Entropy",
        units: "entropy",
        family: "entropy",
        context: "system.entropy",
        chartType: "line",
        priority: 1000,
      }, [dim("entropy", "absolute")]);
      chart.dimensions[0].set(entropy);
      ctx.host.collected(chart, nowUs);
    },
    close() {
      file.close();
    },
  };
}
