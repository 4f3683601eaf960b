/**
 * In-process ingestion benchmark of the parent (issue 4), no sockets: one child's stream — the real
 * fixture's charts (as scripts/bench_parent.ts sends them: obsolete ones left out, `BEGIN "<chart>" 1000000`,
 * one `SET` per dimension, `END`) with fresh values every iteration — is fed in 64 KiB chunks to the stage
 * asked for, and the time spent in `push` is reported as samples (SET lines) per second:
 *
 * - `decode`: the child-stream decoder with a sink that does nothing;
 * - `session`: the decoder and a receiver session applying the commands to a host model, no storage;
 * - `store` (default): the same with the host's storage observing it (`HostStore`, mode ram, 3600 slots),
 *   as rill-parent runs it;
 * - `intake`: `store` with each chunk handed over by the receiver's `SlicedIntake` (the pieces it cuts, the
 *   slice budgets), its next slice run at once rather than on a later turn.
 *
 * Writing the fresh values is not timed. Profile with `--cpu-prof` on either runtime.
 *
 * `--hosts N` feeds N children's connections in turn (the same values to each), for the memory footprint of
 * a parent with many children.
 *
 * Usage: `<runtime> scripts/bench_ingest.ts [--stage decode|session|store|intake] [--seconds 5] [--chunk 65536] [--hosts 1]`
 *
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseStreamConf } from "../src/config/stream_conf.ts";
import { Host } from "../src/metrics/host.ts";
import { RECEIVER_DEFAULTS, receiverPolicy } from "../src/parent/receiver/admission.ts";
import { SlicedIntake } from "../src/parent/receiver/intake.ts";
import { ChildSession } from "../src/parent/receiver/session.ts";
import { HostStore } from "../src/parent/storage/host_store.ts";
import type { ChildCommand, DimensionCommand } from "../src/protocol/commands.ts";
import type { ChildLineSink } from "../src/protocol/decode.ts";
import { encodeChildCommand, quote } from "../src/protocol/encode.ts";
import { ChildStreamDecoder } from "../src/protocol/stream_decoder.ts";
import { Logger } from "../src/runtime/log.ts";
import { testIdentity } from "../tests/_hosts.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const NAME = "netdata-1.37-child-stream.txt";
const FIXTURE = [join(ROOT, "..", "shared", "fixtures", NAME), join(ROOT, "tests", "fixtures", NAME)].find(existsSync);
if (FIXTURE === undefined) throw new Error(`${NAME} is neither in ../shared/fixtures nor in tests/fixtures`);
// Iterations written per timed block; values are refreshed between blocks.
const BLOCK = 16;

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const stage = option("stage", "store");
if (!["decode", "session", "store", "intake"].includes(stage)) throw new Error(`unknown stage ${stage}`);
const seconds = Number(option("seconds", "5"));
const chunkSize = Number(option("chunk", "65536"));
const hosts = Number(option("hosts", "1"));

// The fixture's definitions, as lines, and each live chart's dimensions in order.
const file = readFileSync(FIXTURE);
const definitions: string[] = [];
const charts = new Map<string, { obsolete: boolean; dims: Map<string, DimensionCommand> }>();
let current: { obsolete: boolean; dims: Map<string, DimensionCommand> } | undefined;
new ChildStreamDecoder(FIXTURE).push(file.subarray(file.indexOf("\r\n\r\n") + 4), (cmd: ChildCommand) => {
  if (cmd.kind === "CHART") {
    current = { obsolete: /\bobsolete\b/.test(cmd.options), dims: charts.get(cmd.id)?.dims ?? new Map() };
    charts.set(cmd.id, current);
    definitions.push(encodeChildCommand({ ...cmd, updateEvery: 1 }));
  } else if (cmd.kind === "DIMENSION" && current !== undefined) {
    current.dims.set(cmd.id, cmd);
    definitions.push(encodeChildCommand(cmd));
  } else if (cmd.kind === "BEGIN" || cmd.kind === "RBEGIN" || cmd.kind === "CHART_DEFINITION_END") {
    current = undefined;
  }
});

// One block of BLOCK iterations, and where each value's digits end.
const pieces: string[] = [];
const ends: number[] = [];
const counter: boolean[] = [];
let length = 0;
const add = (s: string) => {
  pieces.push(s);
  length += s.length;
};
for (let it = 0; it < BLOCK; it++) {
  for (const [id, chart] of charts) {
    const dims = [...chart.dims.values()].filter((d) => !/\bobsolete\b/.test(d.options));
    if (chart.obsolete || dims.length === 0) continue;
    add(`BEGIN ${quote(id)} 1000000\n`);
    for (const d of dims) {
      const isCounter = d.algorithm === "incremental" || d.algorithm === "percentage-of-incremental-row";
      add(`SET ${quote(d.id)} = ${"0".repeat(isCounter ? 13 : 6)}`);
      ends.push(length);
      counter.push(isCounter);
      add("\n");
    }
    add("END\n");
  }
}
const block = new TextEncoder().encode(pieces.join(""));
const samplesPerBlock = ends.length;
// Iterations (ENDs) of all charts in one second of the child's collection.
const chartsPerSecond = pieces.filter((p) => p.startsWith("BEGIN ")).length / BLOCK;

// Per dimension (by position in an iteration), its last value: counters keep growing across blocks.
const perIteration = samplesPerBlock / BLOCK;
const last = Float64Array.from(counter.slice(0, perIteration), (c) => c ? 1e12 + Math.floor(Math.random() * 1e11) : 0);

function refresh(): void {
  for (let i = 0; i < samplesPerBlock; i++) {
    const d = i % perIteration;
    let v = counter[i] ? last[d] += Math.floor(Math.random() * 100_000) : 100_000 + Math.floor(Math.random() * 900_000);
    for (let p = ends[i] - 1, left = counter[i] ? 13 : 6; left > 0; p--, left--) {
      const q = Math.floor(v / 10);
      block[p] = 48 + v - q * 10;
      v = q;
    }
  }
}

const log = new Logger("bench", "INGEST", () => {});
let lines = 0;
const countLines: ChildLineSink = {
  begin: () => lines++,
  set: () => lines++,
  end: () => lines++,
  command: () => lines++,
};

// One child's connection: its decoder, host, storage and session, the definitions already applied.
function child(index: number): (chunk: Uint8Array) => void {
  const decoder = new ChildStreamDecoder(`bench-${index}`);
  const identity = testIdentity({
    hostname: `bench-child-${index}`,
    machineGuid: `82be38ca-e718-11f1-8984-${String(index).padStart(12, "0")}`,
    programName: "netdata",
    programVersion: "v1.37.1",
  });
  const host = new Host(identity);
  const store = new HostStore(host, { mode: "ram", history: 3600, log });
  if (stage === "store" || stage === "intake") host.observe(store);
  // The child's clock: one second per iteration of all its charts, as a real child sends them (the parent
  // cuts off a child whose charts come far faster than their update every).
  let ended = 0;
  const startMs = Date.now();
  const session = new ChildSession({
    host,
    store,
    policy: receiverPolicy(parseStreamConf(""), "key", identity.machineGuid, { defaults: RECEIVER_DEFAULTS }),
    caps: 0,
    log,
    prefix: `STREAM ${identity.hostname} [receive from [127.0.0.1]:${40000 + index}]`,
    now: () => startMs + Math.floor(ended++ / chartsPerSecond) * 1000,
    send: () => {},
    claimed: () => {},
  });
  decoder.push(definitions.join(""), session);
  const sink: ChildLineSink = stage === "decode" ? countLines : session;
  if (stage !== "intake") return (chunk) => decoder.push(chunk, sink);
  const intake = new SlicedIntake(
    { pause() {}, resume() {} },
    { apply: (bytes) => decoder.push(bytes, session), progress: session },
    (e) => {
      throw e;
    },
    (slice) => slice(),
  );
  return (chunk) => intake.push(chunk);
}
const children = Array.from({ length: hosts }, (_, i) => child(i));

// Every child gets the block, one chunk at a time in turn, as a parent reads its sockets.
function pushBlock(): number {
  const t0 = performance.now();
  for (let i = 0; i < block.length; i += chunkSize) {
    const chunk = block.subarray(i, i + chunkSize);
    for (const push of children) push(chunk);
  }
  return performance.now() - t0;
}

for (let i = 0; i < 20; i++) {
  refresh();
  pushBlock();
}
let busyMs = 0;
let blocks = 0;
const cpu0 = process.cpuUsage();
const wall0 = performance.now();
while (performance.now() - wall0 < seconds * 1000) {
  refresh();
  busyMs += pushBlock();
  blocks++;
}
const cpu = process.cpuUsage(cpu0);
const runtime = "Bun" in globalThis ? `bun ${process.versions.bun}` : `deno ${process.versions.deno}`;
const samples = blocks * samplesPerBlock * hosts;
console.log(
  `${runtime.padEnd(12)} ${stage.padEnd(7)} ${(samples / busyMs / 1e3).toFixed(2)} M samples/s in push ` +
    `(${samples.toLocaleString("en")} samples, ${(busyMs / 1e3).toFixed(2)} s; process CPU ` +
    `${((cpu.user + cpu.system) / 1e6).toFixed(2)} s over ${((performance.now() - wall0) / 1e3).toFixed(2)} s; ` +
    `${samplesPerBlock / BLOCK} samples, ${
      (block.length / BLOCK / 1e3).toFixed(1)
    } kB per iteration, ${hosts} children)`,
);
