/**
 * Footprint of the compiled rill collector next to a real Netdata 1.37 headless child: both stream at the same
 * time to one real Netdata parent that this script starts, all on 127.0.0.1. Run it with
 * `bash scripts/bench.sh collector [seconds]` (Deno only) or `deno run -A scripts/bench_collector.ts [seconds]`;
 * it needs `dist/rill-collector-linux-x64` (`bash scripts/build.sh`) and Debian's `netdata` package.
 *
 * How to read the figures:
 *
 * - `VmRSS` is read from `/proc/<pid>/status` at the end of the run (default 60 s of streaming), summed over a
 *   process and all its living descendants. For rill that is the collector and its external plugins, if
 *   any; for Netdata it is ALL its processes (the daemon, `--special-spawn-server`, `apps.plugin`,
 *   `nfacct.plugin`, `tc-qos-helper.sh`, …). Shared pages (libc, the binary's code) count once per process,
 *   as `VmRSS` does. The Netdata daemon alone is printed too: that is the closest match to rill's single
 *   process, but it does not collect what its plugins collect.
 * - `CPU s/min` is user + system CPU time per minute of wall clock, over the steady part of the run (from
 *   10 s after start to the end, so the start-up burst is left out), and over the whole run. Children that
 *   already exited count through their parent's `cutime`/`cstime` (Netdata's python.d and charts.d plugins
 *   start, find nothing to do and exit).
 * - `rill/netdata` is the ratio of the totals: below 1 means rill uses less.
 * - `charts` / `dimensions` are what the parent holds for each child (`/host/<name>/api/v1/charts`): the
 *   two do not collect the same set, so compare the cost per chart as well as the totals.
 * - The rill binary is built with `--compile-jit-policy=1e12` (scripts/build.sh): its once-a-second work stays
 *   in JavaScriptCore's interpreter, which keeps the JIT's code out of memory.
 *
 * Usage: `deno run -A scripts/bench_collector.ts [seconds=60]`
 *
 * @module
 */
import { writeFileSync } from "node:fs";
import * as os from "node:os";
import { join } from "node:path";
import process from "node:process";
import { COLLECTOR_X64, startCollector, X64_SKIP } from "../tests/e2e/_collector.ts";
import {
  ACCEPTING_STREAM_CONF,
  freePort,
  NETDATA_SKIP_REASON,
  privateNetdata,
  type RealNetdata,
  spawnNetdata,
  startNetdataParent,
  TEST_API_KEY,
} from "../tests/interop/_netdata.ts";
import { ownAndReapedCpu, processNames, sleep, treeCpu } from "./_bench_common.ts";
import { treeRssKb, vmRssKb } from "./rss.ts";

const seconds = Number(process.argv[2] ?? 60);
if (!Number.isFinite(seconds) || seconds < 1) {
  throw new Error(`usage: bench_collector.ts [seconds], got ${process.argv[2]}`);
}
const WARM_UP_S = Math.min(10, seconds / 2);
if (X64_SKIP !== undefined) throw new Error(X64_SKIP);
if (NETDATA_SKIP_REASON !== undefined) throw new Error(NETDATA_SKIP_REASON);

const RILL_HOST = "rill-bench-child";
const NETDATA_HOST = "netdata-bench-child";

interface RunningNetdataChild {
  readonly pid: number;
  stop(): Promise<void>;
}

/** A real Netdata 1.37 headless child: no database, no web server, no health, default plugins, streaming. */
async function startNetdataChild(parentPort: number): Promise<RunningNetdataChild> {
  // Machine learning stays at Netdata's default: the child is measured as it ships.
  const { dir, common } = privateNetdata(NETDATA_HOST, { prefix: "rill-bench-netdata-child-", mlDefault: true });
  const statsdPort = await freePort();
  writeFileSync(
    join(dir, "etc", "netdata.conf"),
    `${common}[db]
    mode = none
[web]
    mode = none
[health]
    enabled = no
[statsd]
    bind to = udp:127.0.0.1:${statsdPort} tcp:127.0.0.1:${statsdPort}
`,
  );
  writeFileSync(
    join(dir, "etc", "stream.conf"),
    `[stream]
    enabled = yes
    destination = tcp:127.0.0.1:${parentPort}
    api key = ${TEST_API_KEY}
    enable compression = no
`,
  );
  const { child, stop } = spawnNetdata(dir, 15_000);
  return { pid: child.pid!, stop };
}

interface ChartsReply {
  charts: Record<string, { dimensions: Record<string, unknown> }>;
}

async function chartsOf(parent: RealNetdata, host: string): Promise<string> {
  try {
    const reply = await parent.json(`/host/${host}/api/v1/charts`) as ChartsReply;
    const charts = Object.values(reply.charts);
    const dims = charts.reduce((n, c) => n + Object.keys(c.dimensions).length, 0);
    return `${charts.length} / ${dims}`;
  } catch (e) {
    return `? (${e instanceof Error ? e.message.split("\n")[0] : e})`;
  }
}

const mib = (kb: number | undefined) => kb === undefined ? "gone" : (kb / 1024).toFixed(1);

const parent = await startNetdataParent(ACCEPTING_STREAM_CONF);
let netdata: RunningNetdataChild | undefined;
let rill: ReturnType<typeof startCollector> | undefined;
try {
  const t0 = Date.now();
  netdata = await startNetdataChild(parent.port);
  rill = startCollector({
    hostname: RILL_HOST,
    streamConf:
      `[stream]\n    enabled = yes\n    destination = tcp:127.0.0.1:${parent.port}\n    api key = ${TEST_API_KEY}\n`,
  });
  const rillPid = rill.process.pid!;
  const ndPid = netdata.pid;
  console.log(`streaming for ${seconds} s to a real Netdata parent on 127.0.0.1:${parent.port} …`);
  await sleep(t0 + WARM_UP_S * 1000 - Date.now());
  const warm = { rill: treeCpu(rillPid), netdata: treeCpu(ndPid), netdataMain: ownAndReapedCpu(ndPid), at: Date.now() };
  await sleep(t0 + seconds * 1000 - Date.now());
  const end = { rill: treeCpu(rillPid), netdata: treeCpu(ndPid), netdataMain: ownAndReapedCpu(ndPid), at: Date.now() };
  const elapsedMin = (end.at - t0) / 60_000;
  const steadyMin = (end.at - warm.at) / 60_000;
  const row = (name: string, rss: number | undefined, cpuEnd: number, cpuWarm: number, charts: string) =>
    `${name.padEnd(34)} ${mib(rss).padStart(9)} ${((cpuEnd - cpuWarm) / steadyMin).toFixed(3).padStart(13)} ${
      (cpuEnd / elapsedMin).toFixed(3).padStart(13)
    }   ${charts}`;
  const rillRss = treeRssKb(rillPid);
  const ndRss = treeRssKb(ndPid);
  const rillCharts = await chartsOf(parent, RILL_HOST);
  const ndCharts = await chartsOf(parent, NETDATA_HOST);
  const ndProcesses = processNames(ndPid);
  const rillProcesses = processNames(rillPid);

  console.log(`\nmachine: ${os.cpus().length} CPUs (nproc ${os.availableParallelism()}), Linux ${os.release()}`);
  console.log(`after ${((end.at - t0) / 1000).toFixed(0)} s; steady CPU from ${WARM_UP_S} s on\n`);
  console.log(
    `${"".padEnd(34)} ${"VmRSS MiB".padStart(9)} ${"CPU s/min".padStart(13)} ${
      "CPU s/min".padStart(13)
    }   charts / dimensions`,
  );
  console.log(`${"".padEnd(34)} ${"".padStart(9)} ${"(steady)".padStart(13)} ${"(whole run)".padStart(13)}`);
  console.log(row("rill collector (compiled x64)", rillRss, end.rill, warm.rill, rillCharts));
  console.log(row("netdata 1.37 headless child, all", ndRss, end.netdata, warm.netdata, ndCharts));
  console.log(row("  netdata main process alone", vmRssKb(ndPid), end.netdataMain, warm.netdataMain, ""));
  const ratio = (a: number, b: number) => b > 0 ? (a / b).toFixed(2) : "n/a";
  console.log(
    `\nrill/netdata: VmRSS ${ratio(rillRss ?? 0, ndRss ?? 0)}, CPU (steady) ${
      ratio(end.rill - warm.rill, end.netdata - warm.netdata)
    }, CPU (whole run) ${ratio(end.rill, end.netdata)}`,
  );
  console.log(`rill processes: ${rillProcesses}; netdata processes: ${ndProcesses}`);
  console.log(`rill binary: ${COLLECTOR_X64}`);
} finally {
  await rill?.stop();
  await netdata?.stop();
  await parent.stop();
}
