/**
 * `/proc/pressure/{cpu,memory,io}`: for each resource and each of its `some`/`full` lines, a
 * percentage chart (the 10/60/300 s averages ×100) and a stall time chart (total µs → ms, incremental),
 * as Netdata 1.37 defines them. The kernel recomputes the averages every 2 s, so this runs every 2 s at
 * the most often.
 *
 * @module
 */

import type { Chart } from "../../metrics/chart.ts";
import { ProcFile } from "../../runtime/proc_file.ts";
import { rootPath, type Source, type SourceContext } from "../source.ts";
import { dim, procChart } from "./_chart.ts";
import { LineScanner } from "./_parse.ts";

const MODULE = "/proc/pressure";
const MIN_EVERY = 2;

interface Resource {
  readonly file: string;
  readonly title: string;
  readonly family: string;
  readonly priority: number;
}

const RESOURCES: readonly Resource[] = [
  { file: "cpu", title: "CPU", family: "cpu", priority: 100 },
  { file: "memory", title: "Memory", family: "ram", priority: 200 },
  { file: "io", title: "I/O", family: "disk", priority: 150 },
];

interface Kind {
  readonly word: "some" | "full";
  readonly offset: number;
}
const KINDS: readonly Kind[] = [{ word: "some", offset: 40 }, { word: "full", offset: 50 }];

interface Pair {
  share: Chart | undefined;
  stall: Chart | undefined;
}

/**
 * The /proc/pressure source.
 *
 * @example
 * ```ts
 * const source = pressureSource({ host, root: "/", updateEvery: 1, log });
 * source.collect(Date.now() * 1000);
 * ```
 */
export function pressureSource(ctx: SourceContext): Source {
  const every = Math.max(MIN_EVERY, ctx.updateEvery);
  const host = ctx.host;
  const files = RESOURCES.map((r) => new ProcFile(rootPath(ctx.root, `${MODULE}/${r.file}`)));
  const s = new LineScanner("=");
  // [resource][kind]
  const pairs: Pair[][] = RESOURCES.map(() => KINDS.map(() => ({ share: undefined, stall: undefined })));

  function pair(r: number, k: number): Pair {
    const p = pairs[r][k];
    if (p.share === undefined) {
      const res = RESOURCES[r], kind = KINDS[k], w = kind.word;
      const base = `${res.file}_${w}_pressure`;
      p.share = procChart(host, MODULE, every, {
        id: `system.${base}`,
        title: `${res.title} ${w} pressure`,
        units: "percentage",
        family: res.family,
        context: `system.${base}`,
        chartType: "line",
        priority: res.priority + kind.offset,
      }, [dim(`${w} 10`, "absolute", 1, 100), dim(`${w} 60`, "absolute", 1, 100), dim(`${w} 300`, "absolute", 1, 100)]);
      p.stall = procChart(host, MODULE, every, {
        id: `system.${base}_stall_time`,
        title: `${res.title} ${w} pressure stall time`,
        units: "ms",
        family: res.family,
        context: `system.${base}_stall_time`,
        chartType: "line",
        priority: res.priority + kind.offset + 5,
      }, [dim("time", "incremental")]);
    }
    return p;
  }

  function forget(r: number, k: number): void {
    const p = pairs[r][k];
    if (p.share !== undefined) host.obsolete(p.share);
    if (p.stall !== undefined) host.obsolete(p.stall);
    p.share = p.stall = undefined;
  }

  return {
    name: MODULE,
    updateEvery: every,
    collect(nowUs) {
      let problems = "";
      for (let r = 0; r < RESOURCES.length; r++) {
        const file = files[r];
        const text = file.read();
        let seen = 0;
        if (text !== undefined) {
          s.reset(text);
          while (s.nextLine()) {
            const k = s.wordIs("some") ? 0 : s.wordIs("full") ? 1 : -1;
            if (k < 0) continue;
            // avg10=… avg60=… avg300=… total=…
            s.skip();
            const a10 = s.decimal();
            s.skip();
            const a60 = s.decimal();
            s.skip();
            const a300 = s.decimal();
            s.skip();
            const total = s.number();
            if (Number.isNaN(a10) || Number.isNaN(a60) || Number.isNaN(a300) || Number.isNaN(total)) continue;
            seen |= 1 << k;
            const p = pair(r, k);
            // Truncated like the C cast of the ×100 double.
            p.share!.dimensions[0].set(Math.trunc(a10 * 100));
            p.share!.dimensions[1].set(Math.trunc(a60 * 100));
            p.share!.dimensions[2].set(Math.trunc(a300 * 100));
            host.collected(p.share!, nowUs);
            p.stall!.dimensions[0].set(Math.floor(total / 1000));
            host.collected(p.stall!, nowUs);
          }
        }
        for (let k = 0; k < KINDS.length; k++) if (!(seen & (1 << k))) forget(r, k);
        if (seen === 0) {
          problems += `${problems ? "; " : ""}${file.lastError ?? `unexpected contents of ${file.path}`}`;
        }
      }
      if (problems !== "") throw new Error(problems);
    },
    close() {
      for (const f of files) f.close();
    },
  };
}
