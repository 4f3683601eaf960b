/**
 * Wire bytes per second of one child's stream, plain, LZ4 and zstd, with the CPU each costs on both ends.
 *
 * The stream is a real Netdata 1.37 child's: the data part (from its first `BEGIN`) of the capture the
 * simulated children are built from (tests/_sim_charts.ts: 308 charts, ~1,200 dimensions, one second of
 * every 1-second chart per round), with its real values, replayed as fast as it encodes. A round (one
 * collection second) ends where a chart that already has an iteration in it begins again. Each way of
 * sending is run over the whole stream:
 *
 * - `plain`: the text as it is;
 * - `lz4 per commit`: one 1.37 frame per chart iteration, as a 1.37 child commits (src/protocol/lz4_frame.ts);
 * - `lz4 per round`: one write of the round's commits, framed in pieces of at most 16,000 bytes: what
 *   rill's sender does (src/stream/send_queue.ts joins the commits of one collection round);
 * - `zstd per round`: what rill sends another rill node (src/stream/zstd_framing.ts: `node:zlib` zstd at
 *   level 3, one streaming context per connection, one round per write in frames of at most 16,000 bytes),
 *   decoded as rill-parent decodes it (src/parent/receiver/zstd_frames.ts);
 * - `1.37 child (capture)`: the real child's own LZ4, from its compressed capture's data frames (ratio of its
 *   text to its frames, applied to the same text per second).
 *
 * Wire bytes per second are the stream's bytes divided by its seconds (`system.cpu` iterations). CPU is the
 * process's user + system time to encode (sender) and to decode (receiver) the whole stream, divided by its
 * seconds: milliseconds of CPU per second of stream, the median of `--runs` runs.
 *
 * ```sh
 * bash scripts/bench.sh wire            # Deno, then Bun
 * node_modules/.bin/bun scripts/bench_wire.ts --runs 9
 * ```
 *
 * @module
 */
import { Buffer } from "node:buffer";
import process from "node:process";
import { ZstdFrameDecoder } from "../src/parent/receiver/zstd_frames.ts";
import { Lz4FrameDecoder, Lz4FrameEncoder } from "../src/protocol/lz4_frame.ts";
import { ZstdFraming } from "../src/stream/zstd_framing.ts";
import { fixtureBytes, fixtureText } from "../tests/_fixtures.ts";
import { SIM_CHARTS_FIXTURE } from "../tests/_sim_charts.ts";
import { formatTable, median } from "./_bench_common.ts";
import { readFlags } from "./_cli_args.ts";

/** One second of the stream: its chart iterations, each one commit. */
type Round = Buffer[];

/** The capture's data part as rounds, and how many seconds it spans. */
function loadRounds(): { rounds: Round[]; seconds: number; dimensions: number } {
  const text = fixtureText(SIM_CHARTS_FIXTURE);
  const data = text.slice(text.indexOf("\nBEGIN ") + 1);
  const rounds: Round[] = [];
  let round: Round = [];
  let inRound = new Set<string>();
  let seconds = 0;
  const dimensions = new Set<string>();
  let chart = "";
  for (const commit of data.split(/(?<=\nEND\n)/)) {
    if (!commit.endsWith("END\n")) continue; // the capture's cut-off tail
    const id = /^BEGIN "?([^" \n]+)/m.exec(commit)?.[1] ?? "";
    if (inRound.has(id)) {
      rounds.push(round);
      round = [];
      inRound = new Set();
    }
    inRound.add(id);
    if (id === "system.cpu") seconds++;
    chart = id;
    for (const m of commit.matchAll(/^SET "?([^" ]+)/gm)) dimensions.add(`${chart}/${m[1]}`);
    round.push(Buffer.from(commit, "utf8"));
  }
  if (round.length > 0) rounds.push(round);
  return { rounds, seconds, dimensions: dimensions.size };
}

/** CPU milliseconds (user + system) `work` takes. */
async function cpuMs(work: () => Promise<void> | void): Promise<number> {
  const before = process.cpuUsage();
  await work();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

/** One way of sending: the wire bytes, and the CPU of each end. */
interface Measured {
  readonly wireBytes: number;
  readonly senderMs: number;
  readonly receiverMs: number;
}

async function lz4(rounds: Round[], perCommit: boolean): Promise<Measured> {
  const encoder = new Lz4FrameEncoder(true);
  const writes: Uint8Array[] = [];
  const senderMs = await cpuMs(() => {
    for (const round of rounds) {
      if (perCommit) { for (const commit of round) writes.push(encoder.encode(commit)); }
      else writes.push(encoder.encode(Buffer.concat(round)));
    }
  });
  const decoder = new Lz4FrameDecoder();
  let textBytes = 0;
  const receiverMs = await cpuMs(() => {
    for (const write of writes) {
      decoder.push(write);
      for (let t = decoder.next(); t !== undefined; t = decoder.next()) textBytes += t.length;
    }
  });
  if (textBytes !== encoder.textBytes) throw new Error(`LZ4 decoded ${textBytes} bytes, expected ${encoder.textBytes}`);
  return { wireBytes: encoder.wireBytes, senderMs, receiverMs };
}

async function zstd(rounds: Round[]): Promise<Measured> {
  const framing = new ZstdFraming(true);
  const writes: Uint8Array[] = [];
  const senderMs = await cpuMs(async () => {
    for (const round of rounds) writes.push(await framing.encode(Buffer.concat(round)));
  });
  framing.close();
  const decoder = new ZstdFrameDecoder();
  let ready = () => {};
  decoder.whenReady(() => ready());
  let decoded = 0;
  const receiverMs = await cpuMs(async () => {
    for (const write of writes) {
      decoder.push(write);
      for (;;) {
        const waiting = new Promise<void>((resolve) => ready = resolve);
        const text = decoder.next();
        if (text !== undefined) decoded += text.length;
        else if (decoder.pendingBytes === 0) break;
        else await waiting;
      }
    }
  });
  decoder.clear();
  if (decoded !== framing.textBytes) throw new Error(`zstd decoded ${decoded} bytes, expected ${framing.textBytes}`);
  return { wireBytes: framing.wireBytes, senderMs, receiverMs };
}

/** The real 1.37 child's LZ4 on its data frames: text bytes per wire byte (frames that begin with `BEGIN`). */
function captureRatio(): number {
  const bin = Buffer.from(fixtureBytes("netdata-1.37-child-stream-lz4.bin"));
  const decoder = new Lz4FrameDecoder();
  decoder.push(bin.subarray(bin.indexOf("\r\n\r\n") + 4));
  let text = 0;
  let wire = 0;
  for (
    let before = decoder.wireBytes, t = decoder.next();
    t !== undefined;
    before = decoder.wireBytes, t = decoder.next()
  ) {
    if (Buffer.from(t.subarray(0, 6)).toString("latin1") !== "BEGIN ") continue;
    text += t.length;
    wire += decoder.wireBytes - before;
  }
  return text / wire;
}

let runs = 5;
readFlags(process.argv.slice(2), (problem) => {
  console.error(`${problem}\nusage: bench_wire.ts [--runs N]`);
  process.exit(2);
}, (flag, arg) => {
  if (flag !== "--runs") return false;
  runs = arg.number(1);
  return true;
});
const { rounds, seconds, dimensions } = loadRounds();
const textBytes = rounds.reduce((n, r) => n + r.reduce((m, c) => m + c.length, 0), 0);
const ways: [string, () => Promise<Measured>][] = [
  ["plain", () => Promise.resolve({ wireBytes: textBytes, senderMs: 0, receiverMs: 0 })],
  ["lz4 per commit (1.37's framing)", () => lz4(rounds, true)],
  ["lz4 per round (rill's sender)", () => lz4(rounds, false)],
  ["zstd per round (rill between rill nodes)", () => zstd(rounds)],
];
const rows: string[][] = [];
for (const [name, measure] of ways) {
  const results: Measured[] = [];
  for (let i = 0; i < runs; i++) results.push(await measure());
  const wire = results[0].wireBytes;
  rows.push([
    name,
    (wire / seconds / 1000).toFixed(1),
    (textBytes / wire).toFixed(2),
    (median(results.map((r) => r.senderMs)) / seconds).toFixed(3),
    (median(results.map((r) => r.receiverMs)) / seconds).toFixed(3),
  ]);
}
const ratio = captureRatio();
rows.push([
  "1.37 child (its capture's data frames)",
  (textBytes / ratio / seconds / 1000).toFixed(1),
  ratio.toFixed(2),
  "",
  "",
]);

const runtime = "Deno" in globalThis ? "Deno" : "Bun" in globalThis ? "Bun" : "Node";
console.log(
  `${runtime}: ${SIM_CHARTS_FIXTURE} from its first BEGIN: ${seconds} s, ${dimensions} dimensions, ${rounds.length} rounds, ` +
    `${textBytes} bytes of text; median of ${runs} runs`,
);
for (const line of formatTable(["way", "wire kB/s", "ratio", "sender CPU ms/s", "receiver CPU ms/s"], rows)) {
  console.log(line);
}
