/**
 * API latency under ingestion, rill-parent against a real Netdata 1.37: N simulated 1.37 children
 * (tests/_sim_child.ts) stream into a parent in real time, one iteration a second each, while the costliest API
 * requests we know are asked one after the other, several times each. Each parent gets the same load and the
 * same requests, one parent after the other (Debian's Netdata 1.37 first, then the compiled rill-parent), and
 * one table compares them: per request, each parent's median and worst answer time and their ratio
 * rill/netdata, the answers' sizes and how long the watched child's ingestion stalled meanwhile; and each
 * parent's RSS.
 *
 * ```sh
 * bash scripts/bench.sh api [options]             # or: npm run bench:api -- [options]
 * node_modules/.bin/bun scripts/bench_api_latency.ts --children 300
 * node_modules/.bin/deno run -A scripts/bench_api_latency.ts --children 20 --warmup 10 --repeat 2
 * ```
 *
 * Options: `--parents netdata,rill` (both, in that order), `--children N` (300; the first is the hardening
 * harness's watched child), `--charts N` (the capture's 308 per child), `--repeat R` (5) answers per request,
 * `--warmup S` (20) seconds of streaming before the first request (the stored window grows with it),
 * `--seconds S` (600) per parent for all the requests together (what is left is reported as not measured),
 * `--timeout S` (60) per answer, `--only <substring>` to run the requests whose label holds it.
 *
 * The parents are the hardening harness's (tests/e2e/_hardening.ts), both in ram mode with its stream.conf:
 * rill-parent from `bash scripts/build.sh`; Netdata 1.37 from Debian's package with every plugin off, no access
 * log and no health (`[health] enabled = no` and stream.conf `health enabled by default = no`: rill-parent runs
 * no health, so neither does Netdata here; what its error.log says of its children's health is printed).
 *
 * How the figures are read: each answer is timed on a new connection from connecting to the last byte
 * (tests/_http_client.ts), with a deadline (`--timeout`) so a slow parent does not hold the run. A request a
 * parent does not support or answers with an error shows its status (`HTTP 400`, `timeout`) instead of a time,
 * and no ratio. The stall is the harness's: the longest time the watched child's newest stored `system.cpu`
 * point did not advance, watched once a second on its own connection
 * (`/host/<child>/api/v1/data?chart=system.cpu&after=-5&format=json`), over the request's repetitions (peaks
 * reset before each request, after one advance). When a parent does not answer a request within the deadline
 * and then not `/api/v1/info` either, it is hung and its remaining requests are not measured. RSS is VmRSS of
 * the parent's main process, sampled once a second.
 *
 * @module
 */
import * as os from "node:os";
import process from "node:process";
import { formatTable, median, within } from "./_bench_common.ts";
import { readFlags, readLoadFlag } from "./_cli_args.ts";
import { httpGet } from "../tests/_http_client.ts";
import { type SimLoad, simLoad, SimulatedChild } from "../tests/_sim_child.ts";
import {
  type Hardening,
  type HardeningFigures,
  type HardeningParentKind,
  hardeningSkip,
  startHardening,
} from "../tests/e2e/_hardening.ts";

interface Options {
  parents: HardeningParentKind[];
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
usage: bench_api_latency.ts [--parents netdata,rill] [--children 300] [--charts N] [--repeat 5] [--warmup 20]
                            [--seconds 600] [--timeout 60] [--only <label substring>]`);
  process.exit(2);
}

function parseOptions(argv: readonly string[]): Options {
  const o: Options = {
    parents: ["netdata", "rill"],
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
      case "--parents":
        o.parents = arg.list(["netdata", "rill"]);
        return true;
      case "--charts":
        o.charts = Math.trunc(arg.number(1));
        return true;
      case "--repeat":
        o.repeat = Math.trunc(arg.number(1));
        return true;
      case "--timeout":
        o.timeout = arg.number(1);
        return true;
      case "--only":
        o.only = arg.value();
        return true;
      default:
        return readLoadFlag(o, flag, arg);
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

/** One parent's figures for one request. */
interface Row {
  /** `200`, or what came instead (`HTTP 400`, `timeout`, …), several joined by commas. */
  readonly status: string;
  readonly bytes: number;
  readonly answers: number;
  readonly medianMs: number;
  readonly worstMs: number;
  readonly stallMs: number;
  readonly rssKiB: number;
}

/**
 * Asks `probe` up to `options.repeat` times (once at least, more while `deadline` allows), one answer at a
 * time, with the stall and RSS peaks started afresh after one advance of the watched child. A request without
 * an answer ends the repetitions; `hung` says whether the parent then left `/api/v1/info` unanswered too.
 */
async function measureProbe(
  h: Hardening,
  probe: Probe,
  options: Options,
  deadline: number,
): Promise<{ row: Row; hung: boolean }> {
  const timeoutMs = options.timeout * 1000;
  await h.waitForAdvances(1, timeoutMs).catch(() => {});
  h.resetPeaks();
  const times: number[] = [];
  const statuses = new Set<string>();
  let bytes = 0;
  let hung = false;
  for (let r = 0; r < options.repeat && (r === 0 || Date.now() < deadline); r++) {
    const answer = await httpGet(h.port, probe.target, { timeoutMs });
    times.push(answer.ms);
    bytes = Math.max(bytes, answer.body.length);
    if (answer.status !== undefined) {
      statuses.add(answer.status === 200 ? "200" : `HTTP ${answer.status}`);
      continue;
    }
    statuses.add(answer.timedOut ? "timeout" : "error");
    hung = (await httpGet(h.port, "/api/v1/info", { timeoutMs })).status === undefined;
    break;
  }
  const f = h.figures();
  const row: Row = {
    status: [...statuses].join(","),
    bytes,
    answers: times.length,
    medianMs: median(times),
    worstMs: Math.max(...times),
    stallMs: f.longestStallMs,
    rssKiB: f.maxRssKiB,
  };
  return { row, hung };
}

/** What one parent's run gave. */
interface ParentRun {
  readonly label: string;
  readonly rows: Map<string, Row>;
  readonly notMeasured: string[];
  readonly summary: string[];
}

/**
 * Whether Netdata ran health for the children, as its API says: `status` of `/host/<child>/api/v1/alarms` is
 * the host's health switch (its error.log would tell too, but it drops lines past its flood protection).
 */
async function netdataHealth(port: number, hostnames: readonly string[], timeoutMs: number): Promise<string> {
  const seen = new Map<string, number>();
  for (const hostname of hostnames) {
    const answer = await httpGet(port, `/host/${hostname}/api/v1/alarms`, { timeoutMs });
    let status = answer.status === 200 ? "unreadable" : `HTTP ${answer.status ?? answer.error}`;
    try {
      const parsed = JSON.parse(answer.body.toString("utf8")) as { status?: unknown };
      if (typeof parsed.status === "boolean") status = parsed.status ? "on" : "off";
    } catch {
      // kept as unreadable
    }
    seen.set(status, (seen.get(status) ?? 0) + 1);
  }
  const counts = [...seen].map(([status, n]) => `${status} for ${n}`).join(", ");
  return `health ${counts} of ${hostnames.length} children (/host/<child>/api/v1/alarms status)`;
}

/** Starts `kind` with the watched child and `options.children - 1` others, asks every probe, stops it all. */
async function runParent(kind: HardeningParentKind, options: Options, load: SimLoad): Promise<ParentRun> {
  const timeoutMs = options.timeout * 1000;
  const h = await startHardening({ parent: kind, childCharts: options.charts, requestTimeoutMs: timeoutMs });
  const children = Array.from(
    { length: options.children - 1 },
    (_, i) => new SimulatedChild({ hostname: `bench-child-${i + 1}`, load }),
  );
  const streams: Promise<void>[] = [];
  const rows = new Map<string, Row>();
  const notMeasured: string[] = [];
  let health = "rill-parent runs no health";
  let hungAtEnd = false;
  try {
    for (let i = 0; i < children.length; i += 25) {
      const batch = children.slice(i, i + 25);
      await within(Promise.all(batch.map((c) => c.start(h.port))), 60_000);
      for (const c of batch) if (c.streaming && c.failure === undefined) streams.push(c.streamRealTime());
    }
    console.log(
      `${h.label}: ${streams.length + 1} of ${options.children} children streaming; ${options.warmup} s warm-up …`,
    );
    await new Promise((r) => setTimeout(r, options.warmup * 1000));

    const deadline = Date.now() + options.seconds * 1000;
    const widest = load.charts.reduce((a, b) => b.dimensions.length > a.dimensions.length ? b : a);
    const chosen = probes(h.child.hostname, widest.id, widest.dimensions.map((d) => d.id))
      .filter((p) => options.only === undefined || p.label.includes(options.only));
    const outOfTime = `out of time (--seconds ${options.seconds})`;
    for (const [index, probe] of chosen.entries()) {
      if (Date.now() > deadline) {
        notMeasured.push(...chosen.slice(index).map((p) => `${p.label}: ${outOfTime}`));
        break;
      }
      const { row, hung } = await measureProbe(h, probe, options, deadline);
      hungAtEnd = hung;
      rows.set(probe.label, row);
      console.log(
        `  ${h.label}: ${probe.label}: ${row.status}, worst ${row.worstMs.toFixed(0)} ms, ` +
          `stall ${(row.stallMs / 1000).toFixed(1)} s`,
      );
      if (row.answers < options.repeat && !hung && row.status === "200") {
        notMeasured.push(`${probe.label}: ${row.answers} of ${options.repeat} answers, ${outOfTime}`);
      }
      if (hung || !h.alive()) {
        const why = h.alive() ? `${h.label} hung after '${probe.label}'` : `${h.label} exited after '${probe.label}'`;
        notMeasured.push(...chosen.slice(index + 1).map((p) => `${p.label}: ${why}`));
        break;
      }
    }
    if (kind === "netdata") {
      const hostnames = [h.child.hostname, ...children.filter((c) => c.streaming).map((c) => c.hostname)];
      health = await netdataHealth(h.port, hostnames, timeoutMs);
    }
  } finally {
    for (const c of children) c.stop(true);
    await Promise.all(streams);
  }
  const final: HardeningFigures = await h.stop({ kill: !h.alive() || hungAtEnd });
  const lost = children.filter((c) => c.failure !== undefined);
  const largestRss = Math.max(final.maxRssKiB, ...[...rows.values()].map((r) => r.rssKiB));
  return {
    label: h.label,
    rows,
    notMeasured,
    summary: [
      `largest RSS ${(largestRss / 1024).toFixed(0)} MiB (VmRSS of its main process)`,
      `${lost.length} of ${children.length} extra children lost${lost.length > 0 ? ` (${lost[0].failure})` : ""}`,
      `watched child: ${final.childFailure ?? "streaming to the end"}`,
      health,
    ],
  };
}

const ms = (n: number) => n.toFixed(n < 10 ? 1 : 0);
const ratio = (a: number, b: number) => b > 0 ? `${(a / b).toFixed(2)}` : "n/a";

/** The comparison table: per request, each parent's times (or status), then the ratios, sizes, stalls, RSS. */
function comparison(labels: readonly string[], runs: readonly ParentRun[]): string[] {
  const short = (run: ParentRun) => run.label.startsWith("netdata") ? "nd" : "rill";
  const times = runs.flatMap((run) => [`${short(run)} median ms`, `${short(run)} worst ms`]);
  const [nd, rill] = [runs.find((r) => short(r) === "nd"), runs.find((r) => short(r) === "rill")];
  const both = nd !== undefined && rill !== undefined;
  const header = ["request", ...times, ...(both ? ["rill/nd worst", "rill/nd median"] : [])]
    .concat(runs.flatMap((run) => [`${short(run)} bytes`, `${short(run)} stall s`, `${short(run)} RSS MiB`]));
  const table = labels.map((label) => {
    const cells = [label];
    for (const run of runs) {
      const row = run.rows.get(label);
      const answered = row?.status === "200";
      cells.push(row === undefined ? "-" : answered ? ms(row.medianMs) : row.status, answered ? ms(row!.worstMs) : "");
    }
    if (both) {
      const [a, b] = [rill.rows.get(label), nd.rows.get(label)];
      const comparable = a?.status === "200" && b?.status === "200";
      cells.push(comparable ? ratio(a.worstMs, b.worstMs) : "n/a", comparable ? ratio(a.medianMs, b.medianMs) : "n/a");
    }
    for (const run of runs) {
      const row = run.rows.get(label);
      cells.push(
        row === undefined ? "-" : row.bytes.toLocaleString("en-US"),
        row === undefined ? "-" : (row.stallMs / 1000).toFixed(1),
        row === undefined ? "-" : (row.rssKiB / 1024).toFixed(0),
      );
    }
    return cells;
  });
  return formatTable(header, table);
}

const options = parseOptions(process.argv.slice(2));
const load = simLoad({ count: options.charts });
console.log(
  `${options.children} children × ${load.charts.length} charts / ${load.template.samples} dimensions each, ` +
    `real time (${options.children * load.template.samples} samples/s in all); parents: ${
      options.parents.join(", ")
    }; machine: ${os.cpus().length} CPUs; runtime: ${"Bun" in globalThis ? "bun" : "deno"} ${
      process.versions.bun ?? process.versions.deno
    }`,
);

const runs: ParentRun[] = [];
const unavailable: string[] = [];
for (const kind of options.parents) {
  const skip = hardeningSkip(kind);
  if (skip !== undefined) {
    unavailable.push(`${kind}: ${skip}`);
    continue;
  }
  try {
    runs.push(await runParent(kind, options, load));
  } catch (e) {
    unavailable.push(`${kind}: ${e instanceof Error ? e.message : e}`);
  }
}

const labels = probes("", "", []).map((p) => p.label)
  .filter((label) =>
    runs.some((run) => run.rows.has(label) || run.notMeasured.some((n) => n.startsWith(`${label}: `)))
  );
console.log(`\n${comparison(labels, runs).join("\n")}`);
for (const run of runs) {
  for (const line of run.summary) console.log(`${run.label}: ${line}`);
  for (const n of run.notMeasured) console.log(`${run.label}: not measured: ${n}`);
}
for (const u of unavailable) console.log(`not measured: ${u}`);
console.log(
  `times from connect to last byte, one answer at a time, ${options.repeat} answer(s) per request (a status ` +
    "instead of a time: the parent answered with an error or not at all); rill/nd = rill-parent's time divided by " +
    "Netdata's (below 1: rill is faster); stall = longest time the watched child's newest stored point did not " +
    "advance while that request was asked (watched once a second); RSS = the parent's largest VmRSS meanwhile.",
);
