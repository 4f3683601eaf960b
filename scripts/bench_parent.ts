/**
 * Parent ingestion benchmark (issue 4): N simulated children stream the charts of a real Netdata 1.37 child
 * into a parent as fast as the parent reads them; first into a real Netdata 1.37 parent, then into
 * rill-parent, with the same load, one parent after the other, all on 127.0.0.1.
 *
 * Run it with `bash scripts/bench.sh parent [options]`, `node_modules/.bin/bun scripts/bench_parent.ts` or
 * `node_modules/.bin/deno run -A scripts/bench_parent.ts`. Options:
 *
 * - `--children N` (50) simulated children, each a TCP connection with its own hostname and machine GUID;
 * - `--seconds S` (20) measured seconds per parent, after `--warmup W` (5) seconds of streaming;
 * - `--rate R` (0 = unlimited) total samples/s to aim at instead of "as fast as the parent reads";
 * - `--parents netdata,rill` which parents to run, in that order;
 * - `--netdata-db ram|dbengine` (ram) the real parent's database;
 * - `--rill "<command>"` how to start rill-parent (default `dist/rill-parent-linux-x64` when built, else
 *   `bun src/cli/parent.ts` when it exists); it gets `-c <dir>` with a netdata.conf and a stream.conf.
 *
 * The simulated children are tests/_sim_child.ts's (the 1.37 handshake, the 308 charts of
 * `netdata-1.37-child-stream.txt`, database-less replication answers, then `BEGIN`/`SET`/`END` iterations),
 * run in compressed time: each iteration is one collected second for the parent, and iterations follow each
 * other as fast as the socket drains (each write waits for `drain`), so what is measured is what the parent
 * consumes. Every iteration has the same length (fixed-width values), so bytes convert exactly to samples.
 *
 * How the figures are read:
 *
 * - `samples` counts the `SET` lines the parent read from its sockets during the measured window: bytes the
 *   children handed to the kernel (write callbacks) minus the bytes still queued in the kernel on both ends
 *   of each connection (`tx_queue` of the child's socket + `rx_queue` of the parent's, `/proc/net/tcp`),
 *   taken at the start and at the end of the window. What a parent buffers in its own memory after reading
 *   counts as read.
 * - `CPU s` is user + system time of the parent over the window, from `/proc/<pid>/stat`, summed over the
 *   process and all its descendants (Netdata's spawn server; rill-parent is one process).
 * - `samples per CPU-second` is the efficiency to compare; `samples/s` is capped by the machine (the
 *   children run in this process on the same cores: their own CPU is printed as `load CPU s`).
 * - After the window the script asks the parent for
 *   `/host/bench-child-0/api/v1/data?chart=system.cpu&after=-10` and prints the rows holding a value.
 *   Time being compressed, a parent stamps points ahead of its clock; the last 10 s of the chart's own
 *   retention (`first_entry`/`last_entry` of `/api/v1/chart`) are queried too.
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { readFlags, readLoadFlag } from "./_cli_args.ts";
import { fileURLToPath } from "node:url";
import {
  freePort,
  NETDATA_BINARY,
  NETDATA_SKIP_REASON,
  PARENT_PLUGINS_OFF,
  privateNetdata,
  TEST_API_KEY,
} from "../tests/interop/_netdata.ts";
import { fixturePath } from "../tests/_fixtures.ts";
import { SIM_CHARTS_FIXTURE } from "../tests/_sim_charts.ts";
import { type SimLoad, simLoad, SimulatedChild } from "../tests/_sim_child.ts";
import { formatTable, processNames, sleep, treeCpu, within } from "./_bench_common.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

// ---------------------------------------------------------------------------------------------- options

interface Options {
  children: number;
  seconds: number;
  warmup: number;
  rate: number;
  parents: string[];
  netdataDb: "ram" | "dbengine";
  rill: string[] | undefined;
  fixture: string;
}

function usage(problem: string): never {
  console.error(`bench_parent.ts: ${problem}
usage: bench_parent.ts [--children 50] [--seconds 20] [--warmup 5] [--rate 0] [--parents netdata,rill]
                       [--netdata-db ram|dbengine] [--rill "<command>"] [--fixture <child stream .txt>]`);
  process.exit(2);
}

function defaultRillCommand(): string[] | undefined {
  const binary = join(ROOT, "dist", "rill-parent-linux-x64");
  if (existsSync(binary)) return [binary];
  const entry = join(ROOT, "src", "cli", "parent.ts");
  if (existsSync(entry)) return [join(ROOT, "node_modules", ".bin", "bun"), entry];
  return undefined;
}

function parseOptions(argv: readonly string[]): Options {
  const o: Options = {
    children: 50,
    seconds: 20,
    warmup: 5,
    rate: 0,
    parents: ["netdata", "rill"],
    netdataDb: "ram",
    rill: undefined,
    fixture: fixturePath(SIM_CHARTS_FIXTURE),
  };
  let rillGiven = false;
  readFlags(argv, usage, (flag, arg) => {
    switch (flag) {
      case "--rate":
        o.rate = arg.number(0);
        return true;
      case "--parents":
        o.parents = arg.list(["netdata", "rill"]);
        return true;
      case "--netdata-db": {
        const db = arg.value();
        if (db !== "ram" && db !== "dbengine") usage("--netdata-db is ram or dbengine");
        o.netdataDb = db;
        return true;
      }
      case "--rill":
        // The parent runs in its config folder: paths given relative to here are made absolute.
        o.rill = arg.value().split(" ").filter((w) => w !== "").map((w) =>
          !w.startsWith("-") && existsSync(w) ? resolve(w) : w
        );
        rillGiven = true;
        return true;
      case "--fixture":
        o.fixture = arg.value();
        return true;
      default:
        return readLoadFlag(o, flag, arg);
    }
  });
  if (!rillGiven) o.rill = defaultRillCommand();
  return o;
}

// ---------------------------------------------------------------------------------------------- the load

/** Bytes queued in the kernel per local port of our sockets: `tx_queue` of ours plus `rx_queue` of the peer's. */
function kernelQueues(children: readonly SimulatedChild[], parentPort: number): Map<number, number> {
  const byPort = new Map<number, number>();
  for (const c of children) if (c.socket?.localPort !== undefined) byPort.set(c.socket.localPort, 0);
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 5) continue;
      const localPort = parseInt(f[1].slice(f[1].lastIndexOf(":") + 1), 16);
      const remotePort = parseInt(f[2].slice(f[2].lastIndexOf(":") + 1), 16);
      const [tx, rx] = f[4].split(":").map((h) => parseInt(h, 16));
      if (remotePort === parentPort && byPort.has(localPort)) {
        byPort.set(localPort, byPort.get(localPort)! + tx);
      } else if (localPort === parentPort && byPort.has(remotePort)) {
        byPort.set(remotePort, byPort.get(remotePort)! + rx);
      }
    }
  }
  return byPort;
}

/** Data bytes the parent has read from all children's sockets so far. */
function bytesRead(children: readonly SimulatedChild[], parentPort: number): number {
  const queued = kernelQueues(children, parentPort);
  let total = 0;
  for (const c of children) {
    const port = c.socket?.localPort;
    total += Math.max(0, c.flushedDataBytes - (port === undefined ? 0 : queued.get(port) ?? 0));
  }
  return total;
}

// ---------------------------------------------------------------------------------------------- parents

interface RunningParent {
  readonly label: string;
  readonly pid: number;
  readonly port: number;
  /** The last lines it printed, for error messages. */
  output(): string;
  stop(): Promise<void>;
}

const ACCEPTING_STREAM_CONF = (memoryMode: string) =>
  `[stream]
    enabled = no
[${TEST_API_KEY}]
    type = api
    enabled = yes
    allow from = *
    default memory mode = ${memoryMode}
    default history = 3600
    health enabled by default = no
`;

function spawnParent(label: string, command: string, args: string[], port: number, dir: string): RunningParent {
  const child: ChildProcess = spawn(command, args, {
    cwd: dir,
    env: { ...process.env, DO_NOT_TRACK: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (c: Buffer) => output = (output + c.toString()).slice(-4000);
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  child.on("error", (e) => output += `\nspawn ${command}: ${e.message}`);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    label,
    pid: child.pid ?? -1,
    port,
    output: () => output.trim().split("\n").slice(-8).join("\n"),
    async stop() {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startNetdata(db: "ram" | "dbengine"): Promise<RunningParent> {
  const port = await freePort();
  const { dir, common } = privateNetdata("nd-bench-parent", {
    prefix: "rill-bench-netdata-parent-",
    accessLog: "none",
  });
  // Every plugin off, so the real parent only ingests (and the spawn server stays idle).
  writeFileSync(
    join(dir, "etc", "netdata.conf"),
    `${common}[db]
    mode = ${db}
    retention = 3600
    dbengine multihost disk space MB = 1024
[web]
    bind to = 127.0.0.1:${port}
    allow connections from = localhost
    allow streaming from = localhost
    accept a streaming request every seconds = 0
[health]
    enabled = no
[statsd]
    enabled = no
[plugins]
    enable running new plugins = no
${PARENT_PLUGINS_OFF}
`,
  );
  writeFileSync(join(dir, "etc", "stream.conf"), ACCEPTING_STREAM_CONF(db));
  const parent = spawnParent(
    `netdata 1.37 (${db})`,
    NETDATA_BINARY!,
    ["-c", join(dir, "etc", "netdata.conf"), "-D", "-P", join(dir, "run", "netdata.pid")],
    port,
    dir,
  );
  await waitForHttp(parent);
  return parent;
}

async function startRill(command: readonly string[]): Promise<RunningParent> {
  const port = await freePort();
  const dir = mkdtempSync(join(os.tmpdir(), "rill-bench-rill-parent-"));
  mkdirSync(join(dir, "lib"));
  writeFileSync(
    join(dir, "netdata.conf"),
    `[global]\n    hostname = rill-bench-parent\n[directories]\n    lib = ${dir}/lib\n[db]\n    mode = ram\n[web]\n    bind to = 127.0.0.1:${port}\n`,
  );
  // Time is compressed here: every iteration is a second, sent as fast as the parent reads. rill would cut
  // such a child off for sending far more than its update every; the option turns that check off.
  writeFileSync(join(dir, "stream.conf"), `${ACCEPTING_STREAM_CONF("ram")}    max iterations per update every = 0\n`);
  const parent = spawnParent(
    `rill-parent (${command.map((w) => w.slice(w.lastIndexOf("/") + 1)).join(" ")})`,
    command[0],
    [...command.slice(1), "-c", dir],
    port,
    dir,
  );
  await waitForHttp(parent);
  return parent;
}

/** Resolves when the parent answers HTTP at all (any status), or throws after 30 s with its last output. */
async function waitForHttp(parent: RunningParent): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      await (await fetch(`http://127.0.0.1:${parent.port}/api/v1/info`)).arrayBuffer();
      return;
    } catch {
      try {
        process.kill(parent.pid, 0);
      } catch {
        break; // it exited
      }
      await sleep(200);
    }
  }
  const output = parent.output();
  await parent.stop();
  throw new Error(`${parent.label} did not answer HTTP on 127.0.0.1:${parent.port}${output ? `:\n${output}` : ""}`);
}

interface DataReply {
  labels?: string[];
  data?: (number | null)[][];
}

interface ChartReply {
  first_entry?: number;
  last_entry?: number;
}

/** How many rows of a data query hold at least one value, or why that could not be read. */
async function rowsWithValues(port: number, path: string): Promise<string> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}${path}`);
    const body = await response.text();
    if (!response.ok) return `HTTP ${response.status} ${body.slice(0, 80).trim()}`;
    const reply = JSON.parse(body) as DataReply;
    const rows = reply.data ?? [];
    const filled = rows.filter((row) => row.slice(1).some((v) => v !== null)).length;
    return `${filled} of ${rows.length} rows with values${filled === 0 ? " — NO DATA STORED" : ""}`;
  } catch (e) {
    return `failed: ${e instanceof Error ? e.message : e}`;
  }
}

/** Checks that the parent stored what bench-child-0 sent (see the module comment). */
async function verify(port: number): Promise<string[]> {
  const host = "bench-child-0";
  const chart = "system.cpu";
  const lines = [
    `/host/${host}/api/v1/data?chart=${chart}&after=-10: ${await rowsWithValues(
      port,
      `/host/${host}/api/v1/data?chart=${chart}&after=-10&format=json`,
    )}`,
  ];
  try {
    const response = await fetch(`http://127.0.0.1:${port}/host/${host}/api/v1/chart?chart=${chart}`);
    if (response.ok) {
      const info = await response.json() as ChartReply;
      if (typeof info.last_entry === "number" && typeof info.first_entry === "number" && info.last_entry > 0) {
        const ahead = info.last_entry - Math.floor(Date.now() / 1000);
        const path = `/host/${host}/api/v1/data?chart=${chart}&after=${info.last_entry - 9}&before=${info.last_entry}`;
        lines.push(
          `${chart} holds ${info.last_entry - info.first_entry + 1} s (last entry ${ahead} s ahead of now); ` +
            `its last 10 s: ${await rowsWithValues(port, `${path}&format=json`)}`,
        );
      }
    } else {
      lines.push(`/host/${host}/api/v1/chart: HTTP ${response.status}`);
    }
  } catch (e) {
    lines.push(`/host/${host}/api/v1/chart: ${e instanceof Error ? e.message : e}`);
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------- one run

interface Result {
  label: string;
  streaming: number;
  seconds: number;
  samples: number;
  cpu: number;
  loadCpu: number;
  notes: string[];
}

function processCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

async function measure(
  parent: RunningParent,
  options: Options,
  load: SimLoad,
): Promise<Result> {
  const { template } = load;
  const children = Array.from(
    { length: options.children },
    (_, i) => new SimulatedChild({ hostname: `bench-child-${i}`, load }),
  );
  const notes: string[] = [];
  try {
    console.log(`${parent.label}: ${options.children} children connecting to 127.0.0.1:${parent.port} …`);
    const connected = Promise.all(children.map((c) => c.start(parent.port)));
    await within(connected, 60_000);
    const live = children.filter((c) => c.streaming && c.failure === undefined);
    const failed = children.filter((c) => !c.streaming || c.failure !== undefined);
    if (failed.length > 0) {
      notes.push(`${failed.length} children not streaming: ${failed[0].hostname}: ${failed[0].failure ?? "timeout"}`);
    }
    if (live.length === 0) throw new Error(`no child got to stream${parent.output() ? `:\n${parent.output()}` : ""}`);
    const perChildRate = options.rate > 0 ? options.rate / template.samples / live.length : 0;
    const pumps = live.map((c) => c.pump(perChildRate));
    console.log(
      `${parent.label}: ${live.length} children streaming; ${options.warmup} s warm-up, ${options.seconds} s measured …`,
    );
    // The clock, the bytes the parent read, its CPU and ours, at the start and at the end of the window.
    const snapshot = () => ({
      at: performance.now(),
      bytes: bytesRead(children, parent.port),
      cpu: treeCpu(parent.pid),
      load: processCpuSeconds(),
    });
    await sleep(options.warmup * 1000);
    const a = snapshot();
    await sleep(options.seconds * 1000);
    const b = snapshot();
    for (const c of children) c.stop(false);
    await Promise.all(pumps);
    const dropped = live.filter((c) => c.failure !== undefined);
    if (dropped.length > 0) {
      notes.push(`${dropped.length} children lost during the run: ${dropped[0].hostname}: ${dropped[0].failure}`);
    }
    // What was still queued in the kernel: a parent that keeps up reads it at once. Stored data is checked after.
    const queuedAtEnd = template.bytes.length * live.reduce((n, c) => n + c.iterations, 0) -
      bytesRead(children, parent.port);
    const drainStart = performance.now();
    while (performance.now() - drainStart < 30_000) {
      const left = live.reduce((n, c) => n + c.flushedDataBytes, 0) - bytesRead(children, parent.port);
      if (left <= 0) break;
      await sleep(100);
    }
    notes.push(
      `${(queuedAtEnd / 1e6).toFixed(1)} MB still queued at the end, read in ${
        ((performance.now() - drainStart) / 1000).toFixed(1)
      } s`,
    );
    await sleep(1000);
    notes.push(`processes: ${processNames(parent.pid)}`);
    notes.push(...await verify(parent.port));
    notes.push(`${children[0].hostname} sent ${children[0].iterations} iterations (= collected seconds) in all`);
    return {
      label: parent.label,
      streaming: live.length,
      seconds: (b.at - a.at) / 1000,
      samples: (b.bytes - a.bytes) / template.bytes.length * template.samples,
      cpu: b.cpu - a.cpu,
      loadCpu: b.load - a.load,
      notes,
    };
  } finally {
    for (const c of children) c.stop(true);
  }
}

// ---------------------------------------------------------------------------------------------- main

const options = parseOptions(process.argv.slice(2));
const load = simLoad({ path: options.fixture });
const { charts, template } = load;
console.log(
  `load: ${charts.length} charts / ${template.samples} dimensions per child (from ${options.fixture}), ` +
    `${template.bytes.length} bytes per iteration (${
      (template.bytes.length / template.samples).toFixed(1)
    } B/sample); ` +
    `machine: ${os.cpus().length} CPUs, Linux ${os.release()}; runtime: ${
      "Bun" in globalThis ? "bun" : "Deno" in globalThis ? "deno" : "node"
    } ${process.versions.bun ?? process.versions.deno ?? process.version}`,
);

const results: Result[] = [];
const unavailable: string[] = [];
for (const which of options.parents) {
  let parent: RunningParent | undefined;
  try {
    if (which === "netdata") {
      if (NETDATA_SKIP_REASON !== undefined) {
        unavailable.push(`netdata: ${NETDATA_SKIP_REASON}`);
        continue;
      }
      parent = await startNetdata(options.netdataDb);
    } else {
      if (options.rill === undefined) {
        unavailable.push("rill-parent: not available (no dist/rill-parent-linux-x64, no src/cli/parent.ts; --rill)");
        continue;
      }
      parent = await startRill(options.rill);
    }
    results.push(await measure(parent, options, load));
  } catch (e) {
    unavailable.push(`${which}: ${e instanceof Error ? e.message : e}`);
  } finally {
    await parent?.stop();
  }
}

const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : "n/a";
const dims = template.samples;
const header = ["parent", "children", "charts/child", "dims/child", "seconds", "samples", "samples/s", "CPU s"]
  .concat(["CPU s/M samples", "samples/CPU-s", "load CPU s"]);
const rows = results.map((r) => [
  r.label,
  String(r.streaming),
  String(charts.length),
  String(dims),
  fmt(r.seconds, 1),
  fmt(r.samples),
  fmt(r.samples / r.seconds),
  fmt(r.cpu, 2),
  fmt(r.cpu / (r.samples / 1e6), 3),
  fmt(r.samples / r.cpu),
  fmt(r.loadCpu, 2),
]);
console.log(`\n${formatTable(header, rows).join("\n")}`);
for (const r of results) for (const n of r.notes) console.log(`  ${r.label}: ${n}`);
for (const u of unavailable) console.log(`not measured: ${u}`);
const nd = results.find((r) => r.label.startsWith("netdata"));
const rill = results.find((r) => r.label.startsWith("rill"));
if (nd !== undefined && rill !== undefined) {
  console.log(`\nrill/netdata samples per CPU-second: ${fmt((rill.samples / rill.cpu) / (nd.samples / nd.cpu), 2)}`);
  console.log(`rill/netdata samples/s: ${fmt((rill.samples / rill.seconds) / (nd.samples / nd.seconds), 2)}`);
} else {
  console.log(
    `\nrill/netdata samples per CPU-second: n/a (${rill === undefined ? "rill-parent" : "netdata"} not measured)`,
  );
}
console.log(
  "samples = SET lines the parent read in the window; CPU = the parent's user+system time (all its processes); " +
    "load CPU = this script's own (the simulated children), on the same cores.",
);
