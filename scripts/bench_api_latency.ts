/**
 * API latency under ingestion: N simulated 1.37 children (tests/_sim_child.ts) stream into the compiled
 * rill-parent in real time, one iteration a second each, while the costliest API requests we know are asked
 * one after the other, several times each; for every request it prints the median and worst answer time,
 * the answer's size, and how long the children's ingestion stalled meanwhile.
 *
 * ```sh
 * bash scripts/bench.sh api [options]             # or: npm run bench:api -- [options]
 * node_modules/.bin/bun scripts/bench_api_latency.ts --children 300
 * node_modules/.bin/deno run -A scripts/bench_api_latency.ts --children 20 --seconds 120
 * ```
 *
 * Options: `--children N` (300; the first is the hardening harness's watched child), `--charts N` (the
 * capture's 308 per child), `--repeat R` (5) answers per request, `--warmup S` (20) seconds of streaming before
 * the first request (the stored window grows with it), `--seconds S` (600) for all the requests together
 * (what is left is reported as not measured), `--timeout S` (60) per answer, `--only <substring>` to run the
 * requests whose label holds it.
 *
 * How the figures are read: each answer is timed on a new connection from connecting to the last byte
 * (tests/_http_client.ts). The stall is the hardening harness's (tests/e2e/_hardening.ts): the longest time the
 * watched child's newest stored `system.cpu` point did not advance, watched once a second on its own
 * connection, over the request's repetitions (peaks reset before each request, after one advance). A request
 * that gets no answer within the timeout is reported as such; when the parent then does not answer
 * `/api/v1/info` within the timeout either, it is hung and the remaining requests are not measured. The
 * compiled parent comes from `bash scripts/build.sh`.
 *
 * @module
 */
import * as os from "node:os";
import process from "node:process";
import { readFlags } from "./_cli_args.ts";
import { httpGet } from "../tests/_http_client.ts";
import { simLoad, SimulatedChild } from "../tests/_sim_child.ts";
import { HARDENING_SKIP, startHardening } from "../tests/e2e/_hardening.ts";

interface Options {
  children: number;
  charts: number | undefined;
  repeat: number;
  warmup: number;
  seconds: number;
  timeout: number;
  only: string | undefined;
}

function usage(problem: string): never {
  console.error(`bench_api_latency.ts: ${problem}
usage: bench_api_latency.ts [--children 300] [--charts N] [--repeat 5] [--warmup 20] [--seconds 600] [--timeout 60]
                            [--only <label substring>]`);
  process.exit(2);
}

function parseOptions(argv: readonly string[]): Options {
  const o: Options = {
    children: 300,
    charts: undefined,
    repeat: 5,
    warmup: 20,
    seconds: 600,
    timeout: 60,
    only: undefined,
  };
  readFlags(argv, usage, (flag, arg) => {
    switch (flag) {
      case "--children":
        o.children = Math.trunc(arg.number(1));
        return true;
      case "--charts":
        o.charts = Math.trunc(arg.number(1));
        return true;
      case "--repeat":
        o.repeat = Math.trunc(arg.number(1));
        return true;
      case "--warmup":
        o.warmup = arg.number(0);
        return true;
      case "--seconds":
        o.seconds = arg.number(1);
        return true;
      case "--timeout":
        o.timeout = arg.number(1);
        return true;
      case "--only":
        o.only = arg.value();
        return true;
      default:
        return false;
    }
  });
  return o;
}

/** A request to time: what the table calls it and its target. */
interface Probe {
  readonly label: string;
  readonly target: string;
}

/**
 * The costly requests, cheaper ones first: those known to take the parent down on unfixed code come last, so
 * that the others are measured before.
 */
function probes(child: string, widest: string, widestDims: readonly string[]): Probe[] {
  const host = `/host/${child}/api/v1`;
  const data = (query: string) => `${host}/data?chart=${widest}&${query}`;
  const stars = (n: number) => encodeURIComponent(`${"*".repeat(n)}Q`);
  return [
    { label: "info (all hosts)", target: "/api/v1/info" },
    { label: "charts (parent)", target: "/api/v1/charts" },
    { label: "charts (child)", target: `${host}/charts` },
    { label: "chart", target: `${host}/chart?chart=${widest}` },
    { label: "data default", target: data("format=json") },
    { label: "data after=-3600 points=0", target: data("after=-3600&points=0") },
    { label: "data after=-3600 points=3600", target: data("after=-3600&points=3600") },
    { label: "data after=-86400 points=86400", target: data("after=-86400&points=86400") },
    ...["average", "min", "max", "sum"].map((g) => ({
      label: `data after=-3600 points=1 group=${g}`,
      target: data(`after=-3600&points=1&group=${g}`),
    })),
    { label: "data jsonwrap csv", target: data("after=-3600&points=3600&format=csv&options=jsonwrap") },
    { label: "data dimensions=*", target: data("after=-3600&dimensions=*") },
    { label: "data dimensions=all names", target: data(`after=-3600&dimensions=${widestDims.join("|")}`) },
    { label: "data dimensions=10*+Q", target: data(`after=-600&dimensions=${stars(10)}`) },
    { label: "allmetrics shell (child)", target: `${host}/allmetrics?format=shell` },
    { label: "allmetrics json (child)", target: `${host}/allmetrics?format=json` },
    { label: "allmetrics prometheus (parent)", target: "/api/v1/allmetrics?format=prometheus" },
    { label: "allmetrics prometheus_all_hosts", target: "/api/v1/allmetrics?format=prometheus_all_hosts" },
    {
      label: "allmetrics prometheus_all_hosts server=8KB",
      target: `/api/v1/allmetrics?format=prometheus_all_hosts&server=${"s".repeat(8192)}`,
    },
    { label: "data after=-94608000 points=86400", target: data("after=-94608000&points=86400") },
    { label: "data dimensions=36*+Q", target: data(`after=-600&dimensions=${stars(36)}`) },
    { label: "data after=-100000000", target: data("after=-100000000") },
    { label: "data after=99999999999999", target: data("after=99999999999999") },
  ];
}

interface Row {
  label: string;
  status: string;
  bytes: number;
  answers: number;
  medianMs: number;
  worstMs: number;
  stallMs: number;
  watcherMs: number;
  rssKiB: number;
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor((sorted.length - 1) / 2)];
};

if (HARDENING_SKIP !== undefined) {
  console.error(`bench_api_latency.ts: ${HARDENING_SKIP}`);
  process.exit(2);
}
const options = parseOptions(process.argv.slice(2));
const load = simLoad({ count: options.charts });
const widestChart = load.charts.reduce((a, b) => b.dimensions.length > a.dimensions.length ? b : a);
console.log(
  `${options.children} children × ${load.charts.length} charts / ${load.template.samples} dimensions each, ` +
    `real time (${options.children * load.template.samples} samples/s in all); machine: ${os.cpus().length} CPUs; ` +
    `runtime: ${"Bun" in globalThis ? "bun" : "deno"} ${process.versions.bun ?? process.versions.deno}`,
);

const h = await startHardening({ childCharts: options.charts, requestTimeoutMs: options.timeout * 1000 });
const children = Array.from(
  { length: options.children - 1 },
  (_, i) => new SimulatedChild({ hostname: `bench-child-${i + 1}`, load }),
);
const streams: Promise<void>[] = [];
const rows: Row[] = [];
const notMeasured: string[] = [];
try {
  for (let i = 0; i < children.length; i += 25) {
    const batch = children.slice(i, i + 25);
    await Promise.race([
      Promise.all(batch.map((c) => c.start(h.port))),
      new Promise((r) => setTimeout(r, 60_000)),
    ]);
    for (const c of batch) if (c.streaming && c.failure === undefined) streams.push(c.streamRealTime());
  }
  console.log(`${streams.length + 1} of ${options.children} children streaming; ${options.warmup} s warm-up …`);
  await new Promise((r) => setTimeout(r, options.warmup * 1000));

  const deadline = Date.now() + options.seconds * 1000;
  const all = probes(h.child.hostname, widestChart.id, widestChart.dimensions.map((d) => d.id));
  const chosen = all.filter((p) => options.only === undefined || p.label.includes(options.only));
  for (const [index, probe] of chosen.entries()) {
    if (Date.now() > deadline) {
      notMeasured.push(...chosen.slice(index).map((p) => `${p.label}: out of time (--seconds ${options.seconds})`));
      break;
    }
    await h.waitForAdvances(1, options.timeout * 1000).catch(() => {});
    h.resetPeaks();
    const times: number[] = [];
    const statuses = new Set<string>();
    let bytes = 0;
    let hung = false;
    for (let r = 0; r < options.repeat && Date.now() < deadline; r++) {
      const answer = await httpGet(h.port, probe.target, { timeoutMs: options.timeout * 1000 });
      times.push(answer.ms);
      statuses.add(answer.status === undefined ? (answer.timedOut ? "timeout" : "error") : String(answer.status));
      bytes = Math.max(bytes, answer.body.length);
      if (answer.status === undefined) {
        const info = await httpGet(h.port, "/api/v1/info", { timeoutMs: options.timeout * 1000 });
        hung = info.status === undefined;
        break;
      }
    }
    const f = h.figures();
    rows.push({
      label: probe.label,
      status: [...statuses].join(","),
      bytes,
      answers: times.length,
      medianMs: median(times),
      worstMs: Math.max(...times),
      stallMs: f.longestStallMs,
      watcherMs: f.longestAnswerMs,
      rssKiB: f.maxRssKiB,
    });
    console.log(
      `  ${probe.label}: worst ${Math.max(...times).toFixed(0)} ms, stall ${(f.longestStallMs / 1000).toFixed(1)} s`,
    );
    if (hung || !h.alive()) {
      const why = h.alive() ? `the parent hung after '${probe.label}'` : `the parent exited after '${probe.label}'`;
      notMeasured.push(...chosen.slice(index + 1).map((p) => `${p.label}: ${why}`));
      break;
    }
  }
} finally {
  for (const c of children) c.stop(true);
  await Promise.all(streams);
}
const final = await h.stop({ kill: !h.alive() || notMeasured.some((n) => n.includes("hung")) });
const lost = children.filter((c) => c.failure !== undefined);

const header = ["request", "status", "bytes", "answers", "median ms", "worst ms", "child stall s", "watcher ms"]
  .concat(["RSS MiB"]);
const table = rows.map((r) => [
  r.label,
  r.status,
  r.bytes.toLocaleString("en-US"),
  String(r.answers),
  r.medianMs.toFixed(0),
  r.worstMs.toFixed(0),
  (r.stallMs / 1000).toFixed(1),
  r.watcherMs.toFixed(0),
  (r.rssKiB / 1024).toFixed(0),
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
const line = (cells: string[]) => cells.map((c, i) => i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])).join("  ");
console.log(`\n${line(header)}`);
for (const row of table) console.log(line(row));
for (const n of notMeasured) console.log(`not measured: ${n}`);
console.log(
  `parent: largest RSS ${(Math.max(final.maxRssKiB, ...rows.map((r) => r.rssKiB)) / 1024).toFixed(0)} MiB; ` +
    `${lost.length} of ${children.length} extra children lost${lost.length > 0 ? ` (${lost[0].failure})` : ""}; ` +
    `watched child: ${final.childFailure ?? "streaming to the end"}`,
);
console.log(
  "answers are timed from connect to last byte, one at a time; child stall = longest time the watched child's " +
    "newest stored point did not advance while that request was asked (watched once a second); RSS = the " +
    "parent's largest VmRSS meanwhile.",
);
