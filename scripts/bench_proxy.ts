/**
 * Proxy benchmark (issue 9): what a headless proxy costs and how long it holds data back, a real Netdata 1.37
 * against the compiled rill-parent, with the same real-time load in the same run, all on 127.0.0.1 with ports
 * picked here.
 *
 * ```sh
 * bash scripts/bench.sh proxy [options]            # or: npm run bench:proxy -- [options]
 * node_modules/.bin/bun scripts/bench_proxy.ts --children 10 --seconds 30
 * ```
 *
 * Options: `--children N` (100) simulated children, `--seconds S` (60) measured seconds per run after
 * `--warmup W` (10) seconds of streaming, `--poll-ms P` (5) least ms between two polls of the top's API.
 *
 * Three runs, one after the other, each with a new top (a real Netdata 1.37 parent, `[db] mode = ram`):
 *
 * 1. N children + the probe → Netdata 1.37 as a headless proxy → top;
 * 2. N children + the probe → rill-parent as a headless proxy → top;
 * 3. N children + the probe → top (no proxy), for the delay a hop adds.
 *
 * The children are tests/_sim_child.ts's (the charts of a real 1.37 child's capture, each child its own
 * hostname and machine GUID), streaming in real time: one iteration a second each. The probe
 * (scripts/_delay_probe.ts, which says why it sends as it does) is one more child whose one value is its send
 * time. Both proxies have `[db] mode = none`, a stream.conf accepting the children with `default memory mode =
 * none` and `[stream] enabled = yes` with the top as destination (tests/e2e/_proxy.ts's `accepting` and
 * `sendingTo`). Each proxy also streams its own host to the top: Netdata its internal charts (its plugins are
 * off, tests/interop/_netdata.ts), rill-parent (dist/rill-parent-linux-x64, built by scripts/build.sh when
 * missing) the /proc collection it always runs; the output gives both sizes. Netdata's proxy and the top agree
 * on LZ4 compression, rill-parent sends without. Health is off on every Netdata: `[health] enabled = no` and
 * stream.conf's `health enabled by default = no`.
 *
 * How the figures are read:
 *
 * - `samples` are the dimensions × iterations the children and the probe sent during the measured window;
 * - `CPU s` is the proxy's user + system time over the window from `/proc/<pid>/stat`, its descendants (Netdata's
 *   spawn server) included; `CPU s/M samples` is what to compare;
 * - `RSS MiB` is the proxy's `VmRSS` (`/proc/<pid>/status`) at the end of the window;
 * - `delay` is, for each value the probe sent in the window, from its sending to the first reply of the top's
 *   `/host/bench-probe/api/v1/data?chart=probe.sent&after=-5` that holds it (polled every `--poll-ms`; the time
 *   between replies, printed, is the resolution); `hop` is a proxy's delay less the delay straight into the top.
 *
 * Everything the script starts it stops, also on an error or on Ctrl-C.
 *
 * @module
 */
import { type ChildProcess, spawnSync } from "node:child_process";
import * as os from "node:os";
import { dirname, relative, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { readFlags, readLoadFlag } from "./_cli_args.ts";
import { commandLine, formatTable, median, percentile, sleep, treeCpu, within } from "./_bench_common.ts";
import { DelayProbe, PROBE_CHART_ID, type ProbeWatch, watchProbe } from "./_delay_probe.ts";
import { vmRssKb } from "./rss.ts";
import { NETDATA_SKIP_REASON, startNetdataParent } from "../tests/interop/_netdata.ts";
import { binarySkip } from "../tests/e2e/_binaries.ts";
import { startParent } from "../tests/e2e/_parent.ts";
import { accepting, mirroredHosts, sendingTo } from "../tests/e2e/_proxy.ts";
import { type SimLoad, simLoad, SimulatedChild } from "../tests/_sim_child.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const PROBE_HOSTNAME = "bench-probe";

// ---------------------------------------------------------------------------------------------- options

interface Options {
  children: number;
  seconds: number;
  warmup: number;
  pollMs: number;
}

function usage(problem: string): never {
  console.error(`bench_proxy.ts: ${problem}
usage: bench_proxy.ts [--children 100] [--seconds 60] [--warmup 10] [--poll-ms 5]`);
  process.exit(2);
}

function parseOptions(argv: readonly string[]): Options {
  const o: Options = { children: 100, seconds: 60, warmup: 10, pollMs: 5 };
  readFlags(argv, usage, (flag, arg) => {
    switch (flag) {
      case "--poll-ms":
        o.pollMs = arg.number(0);
        return true;
      default:
        return readLoadFlag(o, flag, arg);
    }
  });
  return o;
}

// ---------------------------------------------------------------------------------------------- nodes

/** A parent this script started: the top or a proxy. */
interface Node {
  readonly label: string;
  readonly port: number;
  readonly pid: number;
  /** How it ended (`signal SIGABRT`, `exit code 1`), undefined while it runs. */
  ended(): string | undefined;
  stop(): Promise<unknown>;
}

/** Every node running now, so that an error or Ctrl-C stops them all. */
const running = new Set<Node>();

function track(label: string, node: { port: number; process: ChildProcess; stop(): Promise<unknown> }): Node {
  const tracked: Node = {
    label,
    port: node.port,
    pid: node.process.pid ?? -1,
    ended: () => {
      const { exitCode, signalCode } = node.process;
      return signalCode !== null ? `signal ${signalCode}` : exitCode !== null ? `exit code ${exitCode}` : undefined;
    },
    stop: async () => {
      await node.stop();
      running.delete(tracked);
    },
  };
  running.add(tracked);
  return tracked;
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, async () => {
    console.log(`\n${signal}: stopping ${running.size} parents …`);
    await Promise.all([...running].map((n) => n.stop()));
    process.exit(130);
  });
}

type Proxy = "netdata" | "rill";

async function startTop(): Promise<Node> {
  return track("top: netdata 1.37 (ram)", await startNetdataParent(accepting("ram"), { accessLog: "none" }));
}

async function startProxy(which: Proxy, topPort: number): Promise<Node> {
  const streamConf = sendingTo(topPort) + accepting("none");
  if (which === "netdata") {
    return track(
      "netdata 1.37 proxy (db none)",
      await startNetdataParent(streamConf, { dbMode: "none", accessLog: "none" }),
    );
  }
  return track(
    "rill-parent proxy (db none)",
    await startParent({ hostname: "rill-proxy", mode: "none", streamConf }),
  );
}

/** Builds dist/rill-parent-linux-x64 when it is missing; why it still cannot run, or undefined. */
function rillParentReady(): string | undefined {
  if (binarySkip("parent") === undefined) return undefined;
  console.log("dist/rill-parent-linux-x64 is missing: bash scripts/build.sh …");
  spawnSync("bash", ["scripts/build.sh"], { cwd: ROOT, stdio: "inherit" });
  return binarySkip("parent");
}

// ---------------------------------------------------------------------------------------------- one run

interface Run {
  readonly label: string;
  readonly streaming: number;
  readonly seconds: number;
  readonly samples: number;
  /** The proxy's CPU seconds and RSS; undefined without a proxy. */
  readonly cpu: number | undefined;
  readonly rssKb: number | undefined;
  readonly watch: ProbeWatch;
  readonly notes: string[];
}

/** Resolves once the top's API shows the probe's chart, or throws after `ms`. */
async function probeVisible(top: Node, ms: number): Promise<void> {
  const url = `http://127.0.0.1:${top.port}/host/${PROBE_HOSTNAME}/api/v1/data?chart=${PROBE_CHART_ID}&after=-5`;
  const deadline = Date.now() + ms;
  let last = "";
  while (Date.now() < deadline) {
    const response = await fetch(url).catch((e) => e as Error);
    if (!(response instanceof Error) && response.ok) return void await response.arrayBuffer();
    last = response instanceof Error ? response.message : `HTTP ${response.status} ${await response.text()}`;
    await sleep(200);
  }
  throw new Error(`${PROBE_HOSTNAME} did not show at the top within ${ms / 1000} s: ${last.slice(0, 120)}`);
}

/** What the top says of the hosts that came through the proxy: the probe's hops, the proxy's own host's size. */
async function topNotes(top: Node, viaProxy: boolean): Promise<string[]> {
  const get = async (path: string) => await (await fetch(`http://127.0.0.1:${top.port}${path}`)).json();
  const hosts = await mirroredHosts({ json: get });
  const notes = [`at the top: ${PROBE_HOSTNAME} hops ${hosts.find((h) => h.hostname === PROBE_HOSTNAME)?.hops}`];
  const proxyHost = viaProxy ? hosts.find((h) => h.hops === 1) : undefined;
  if (proxyHost !== undefined) {
    const charts = await get(`/host/${proxyHost.guid}/api/v1/charts`) as {
      charts: Record<string, { dimensions: Record<string, unknown> }>;
    };
    const all = Object.values(charts.charts ?? {});
    const dims = all.reduce((n, c) => n + Object.keys(c.dimensions).length, 0);
    notes.push(`the proxy's own host '${proxyHost.hostname}' at the top: ${all.length} charts, ${dims} dimensions`);
  }
  return notes;
}

async function measure(which: Proxy | "direct", options: Options, load: SimLoad): Promise<Run> {
  const top = await startTop();
  const children = Array.from(
    { length: options.children },
    (_, i) => new SimulatedChild({ hostname: `bench-child-${i}`, load }),
  );
  const probe = new DelayProbe(PROBE_HOSTNAME);
  let proxy: Node | undefined;
  const streams: Promise<void>[] = [];
  try {
    proxy = which === "direct" ? undefined : await startProxy(which, top.port);
    const entry = proxy ?? top;
    const label = proxy?.label ?? "straight into the top (no proxy)";
    console.log(`${label}: ${options.children} children + ${PROBE_HOSTNAME} connecting to 127.0.0.1:${entry.port} …`);
    for (let i = 0; i < children.length; i += 25) {
      const batch = children.slice(i, i + 25);
      await within(Promise.all(batch.map((c) => c.start(entry.port))), 60_000);
      for (const c of batch) if (c.streaming && c.failure === undefined) streams.push(c.streamRealTime());
    }
    await within(probe.start(entry.port), 60_000);
    if (!probe.child.streaming) throw new Error(`${PROBE_HOSTNAME} did not get to stream: ${probe.child.failure}`);
    streams.push(probe.sendRealTime());
    await probeVisible(top, 90_000);
    const live = children.filter((c) => c.streaming && c.failure === undefined);
    console.log(
      `${label}: ${live.length} children streaming; ${options.warmup} s warm-up, ${options.seconds} s measured`,
    );
    await sleep(options.warmup * 1000);

    const snapshot = () => ({
      at: Date.now(),
      iterations: live.reduce((n, c) => n + c.iterations * load.template.samples, probe.iterations),
      cpu: proxy === undefined ? undefined : treeCpu(proxy.pid),
    });
    const a = snapshot();
    const watching = watchProbe(probe, top.port, {
      pollMs: options.pollMs,
      fromMs: a.at,
      toMs: a.at + options.seconds * 1000,
      graceMs: 5000,
    });
    await sleep(options.seconds * 1000);
    const b = snapshot();
    const rssKb = proxy === undefined ? undefined : vmRssKb(proxy.pid);
    const watch = await watching;

    const notes = await topNotes(top, proxy !== undefined);
    const ended = proxy?.ended();
    if (ended !== undefined) notes.push(`the proxy ended during the run: ${ended}`);
    const lost = children.filter((c) => c.failure !== undefined);
    if (lost.length > 0) notes.push(`${lost.length} children not streaming: ${lost[0].hostname}: ${lost[0].failure}`);
    if (watch.failedPolls > 0) notes.push(`${watch.failedPolls} polls failed, the last: ${watch.lastFailure}`);
    return {
      label,
      streaming: live.length,
      seconds: (b.at - a.at) / 1000,
      samples: b.iterations - a.iterations,
      cpu: b.cpu === undefined || a.cpu === undefined ? undefined : b.cpu - a.cpu,
      rssKb,
      watch,
      notes,
    };
  } catch (e) {
    const ended = proxy?.ended();
    throw ended === undefined ? e : new Error(`${e instanceof Error ? e.message : e} (the proxy ended: ${ended})`);
  } finally {
    for (const c of children) c.stop(true);
    probe.stop();
    await Promise.all(streams);
    await proxy?.stop();
    await top.stop();
  }
}

// ---------------------------------------------------------------------------------------------- main

const options = parseOptions(process.argv.slice(2));
const load = simLoad();
console.log(
  `load: ${options.children} children × ${load.charts.length} charts / ${load.template.samples} dimensions, one ` +
    `iteration a second each, + ${PROBE_HOSTNAME} (1 dimension); machine: ${os.cpus().length} CPUs, Linux ` +
    `${os.release()}; runtime: ${"Bun" in globalThis ? "bun" : "deno"} ${
      process.versions.bun ?? process.versions.deno
    }`,
);

const runs = new Map<Proxy | "direct", Run>();
const unavailable: string[] = [];
if (NETDATA_SKIP_REASON !== undefined) {
  unavailable.push(`every run (the top is a real Netdata): ${NETDATA_SKIP_REASON}`);
} else {
  const rillSkip = rillParentReady();
  for (const which of ["netdata", "rill", "direct"] as const) {
    if (which === "rill" && rillSkip !== undefined) {
      unavailable.push(`rill-parent: ${rillSkip}`);
      continue;
    }
    try {
      runs.set(which, await measure(which, options, load));
    } catch (e) {
      unavailable.push(`${which}: ${e instanceof Error ? e.message : e}`);
    }
  }
}

const fixed = (n: number | undefined, digits: number) =>
  n === undefined || !Number.isFinite(n)
    ? ""
    : n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const cpuPerM = (r: Run | undefined) => r?.cpu === undefined ? undefined : r.cpu / (r.samples / 1e6);
const mib = (r: Run | undefined) => r?.rssKb === undefined ? undefined : r.rssKb / 1024;
const direct = runs.get("direct");
const hop = (r: Run, p: number) =>
  r === direct || direct === undefined ? undefined : percentile(r.watch.delays, p) - percentile(direct.watch.delays, p);
const header = ["proxy", "children", "seconds", "samples", "CPU s", "CPU s/M samples", "RSS MiB"]
  .concat(["delay median ms", "delay p95 ms", "hop median ms", "hop p95 ms", "probe values seen"]);
const rows = [...runs.values()].map((r) => [
  r.label,
  String(r.streaming),
  fixed(r.seconds, 1),
  fixed(r.samples, 0),
  fixed(r.cpu, 2),
  fixed(cpuPerM(r), 3),
  fixed(mib(r), 1),
  fixed(median(r.watch.delays), 0),
  fixed(percentile(r.watch.delays, 95), 0),
  fixed(hop(r, 50), 0),
  fixed(hop(r, 95), 0),
  `${r.watch.delays.length}/${r.watch.sent}`,
]);
const nd = runs.get("netdata");
const rill = runs.get("rill");
if (nd !== undefined && rill !== undefined) {
  const ratio = (f: (r: Run) => number | undefined) => {
    const [x, y] = [f(rill), f(nd)];
    return x === undefined || y === undefined ? undefined : x / y;
  };
  rows.push(["rill / netdata", "", "", "", "", fixed(ratio(cpuPerM), 2), fixed(ratio(mib), 2)]);
}
console.log(`\n${formatTable(header, rows).join("\n")}`);
for (const r of runs.values()) {
  const c = r.watch.cycles;
  console.log(
    `  ${r.label}: polled every ${options.pollMs} ms, a reply every ${fixed(median(c), 1)} ms ` +
      `(p95 ${fixed(percentile(c, 95), 1)} ms): the delays' resolution`,
  );
  for (const n of r.notes) console.log(`  ${r.label}: ${n}`);
}
for (const u of unavailable) console.log(`not measured: ${u}`);
console.log(
  "health off on every Netdata ([health] enabled = no, stream.conf health enabled by default = no); " +
    "samples = dimensions × iterations sent in the window; CPU = the proxy's user+system time (all its processes); " +
    "RSS = the proxy's VmRSS at the end; hop = delay through the proxy less delay straight into the top.",
);
const runtime = "Bun" in globalThis ? ["node_modules/.bin/bun"] : ["node_modules/.bin/deno", "run", "-A"];
console.log(`command: ${commandLine([...runtime, relative(ROOT, process.argv[1]), ...process.argv.slice(2)])}`);
