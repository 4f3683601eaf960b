/**
 * Footprint of the compiled rill collector next to a real Netdata 1.37 headless child: both stream at the same
 * time to one real Netdata parent that this script starts, all on 127.0.0.1, first with a cold page cache, then
 * with a warm one. Run it with `bash scripts/bench.sh collector [seconds per phase = 600]` (Deno only); it needs
 * `dist/rill-collector-linux-x64` (`bash scripts/build.sh`) and Debian's `netdata` package.
 *
 * How to read the figures:
 *
 * - Two phases. `cold`: the page cache is dropped (`/proc/sys/vm/drop_caches`, root only; otherwise the phase
 *   says it was warm) right before both children start, so their code is read from disk as on a device that just
 *   booted. `warm`: both start again with their executables still in the page cache. File-backed RSS differs
 *   between the two (the kernel maps pages around each fault only when they are already cached).
 * - `VmRSS`, `RssAnon`, `RssFile` of the collector's process and of Netdata's main process (the closest match
 *   to rill's single process), sampled every 5 s from the first minute on: mean and max, and the value at the
 *   end. `tree` sums VmRSS over each child and its living descendants (for Netdata its plugins: apps.plugin,
 *   nfacct.plugin, the spawn server …; for rill its external plugins, if any).
 * - `CPU s/min` is user + system CPU time per minute of wall clock over the steady part (from 60 s on), for the
 *   process tree (children that exited count through their parent's `cutime`/`cstime`).
 * - `charts` / `dimensions` are what the parent holds for each child (`/host/<name>/api/v1/charts`).
 * - rill's binary trims its unused code pages every 10 s (`RILL_TRIM_SECONDS`, src/runtime/working_set.ts) and
 *   is built with `--compile-jit-policy=1e12` (scripts/build.sh).
 *
 * Usage: `deno run -A scripts/bench_collector.ts [seconds per phase=600]`
 *
 * @module
 */
import { readFileSync, writeFileSync } from "node:fs";
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
import { formatTable, processNames, sleep, treeCpu } from "./_bench_common.ts";
import { rssSplitKb, treeRssKb } from "./rss.ts";

const seconds = Number(process.argv[2] ?? 600);
if (!Number.isFinite(seconds) || seconds < 1) {
  throw new Error(`usage: bench_collector.ts [seconds], got ${process.argv[2]}`);
}
const WARM_UP_S = Math.min(60, seconds / 2);
const SAMPLE_EVERY_MS = 5000;
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

const mib = (kb: number) => (kb / 1024).toFixed(1);

/** Drops the page cache (root only); false when not allowed. */
function dropPageCache(): boolean {
  try {
    writeFileSync("/proc/sys/vm/drop_caches", "3\n");
    return true;
  } catch {
    return false;
  }
}

interface Samples {
  vmRss: number[];
  anon: number[];
  file: number[];
  tree: number[];
}

const newSamples = (): Samples => ({ vmRss: [], anon: [], file: [], tree: [] });

function sample(into: Samples, pid: number): void {
  const split = rssSplitKb(pid);
  if (split === undefined) return;
  into.vmRss.push(split.vmRss);
  into.anon.push(split.anon);
  into.file.push(split.file);
  into.tree.push(treeRssKb(pid) ?? 0);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const cell = (xs: number[]) =>
  xs.length === 0 ? "gone" : `${mib(mean(xs))} / ${mib(Math.max(...xs))} / ${mib(xs[xs.length - 1])}`;

/** One phase: both children start, stream `seconds`, are sampled, and stop. */
async function phase(parent: RealNetdata, cold: boolean): Promise<void> {
  const dropped = cold && dropPageCache();
  if (!cold) {
    // Both executables into the page cache, as after a previous run.
    readFileSync(COLLECTOR_X64);
    readFileSync("/usr/sbin/netdata");
  }
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
    const label = cold ? (dropped ? "cold page cache" : "cold page cache NOT dropped (not root): warm") : "warm";
    console.log(`\n== ${label}: streaming for ${seconds} s to a real Netdata parent on 127.0.0.1:${parent.port} …`);
    await sleep(t0 + WARM_UP_S * 1000 - Date.now());
    const warm = { rill: treeCpu(rillPid), netdata: treeCpu(ndPid), at: Date.now() };
    const rillSamples = newSamples();
    const ndSamples = newSamples();
    while (Date.now() < t0 + seconds * 1000) {
      sample(rillSamples, rillPid);
      sample(ndSamples, ndPid);
      await sleep(Math.min(SAMPLE_EVERY_MS, t0 + seconds * 1000 - Date.now()));
    }
    sample(rillSamples, rillPid);
    sample(ndSamples, ndPid);
    const end = { rill: treeCpu(rillPid), netdata: treeCpu(ndPid), at: Date.now() };
    const steadyMin = (end.at - warm.at) / 60_000;
    const rillCharts = await chartsOf(parent, RILL_HOST);
    const ndCharts = await chartsOf(parent, NETDATA_HOST);
    const header = ["MiB: mean / max / end", "VmRSS", "RssAnon", "RssFile", "tree VmRSS", "CPU s/min", "charts / dims"];
    const row = (name: string, s: Samples, cpu: number, charts: string) => [
      name,
      cell(s.vmRss),
      cell(s.anon),
      cell(s.file),
      cell(s.tree),
      (cpu / steadyMin).toFixed(3),
      charts,
    ];
    for (
      const line of formatTable(header, [
        row("rill collector (compiled x64)", rillSamples, end.rill - warm.rill, rillCharts),
        row("netdata 1.37 headless child", ndSamples, end.netdata - warm.netdata, ndCharts),
      ])
    ) console.log(line);
    const ratio = (a: number, b: number) => b > 0 ? (a / b).toFixed(2) : "n/a";
    console.log(
      `rill / netdata main process: VmRSS ${ratio(mean(rillSamples.vmRss), mean(ndSamples.vmRss))}, RssAnon ${
        ratio(mean(rillSamples.anon), mean(ndSamples.anon))
      }; trees: VmRSS ${ratio(mean(rillSamples.tree), mean(ndSamples.tree))}, CPU ${
        ratio(end.rill - warm.rill, end.netdata - warm.netdata)
      }`,
    );
    console.log(`rill processes: ${processNames(rillPid)}; netdata processes: ${processNames(ndPid)}`);
  } finally {
    await rill?.stop();
    await netdata?.stop();
  }
}

const parent = await startNetdataParent(ACCEPTING_STREAM_CONF);
try {
  console.log(`machine: ${os.cpus().length} CPUs (nproc ${os.availableParallelism()}), Linux ${os.release()}`);
  console.log(`rill binary: ${COLLECTOR_X64}; samples every ${SAMPLE_EVERY_MS / 1000} s from ${WARM_UP_S} s on`);
  await phase(parent, true);
  await phase(parent, false);
} finally {
  await parent.stop();
}
