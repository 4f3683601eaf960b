/**
 * Decoder throughput: replays the 2 MB real child stream from memory through the child-stream decoder and
 * prints lines/s and MB/s for the runtime it runs on. Run it with `npm run bench:decode` (Deno and Bun).
 *
 * Usage: `<runtime> scripts/bench_decode.ts [seconds]`
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import process from "node:process";
import { ChildStreamDecoder } from "../src/protocol/stream_decoder.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const NAME = "netdata-1.37-child-stream.txt";
const path = [join(root, "..", "shared", "fixtures", NAME), join(root, "tests", "fixtures", NAME)].find(existsSync);
if (path === undefined) throw new Error(`${NAME} is neither in ../shared/fixtures nor in tests/fixtures`);

const file = readFileSync(path);
const stream = file.subarray(file.indexOf("\r\n\r\n") + 4);
// Chunks the size a socket read typically delivers.
const CHUNK = 65536;
const chunks: Uint8Array[] = [];
for (let i = 0; i < stream.length; i += CHUNK) chunks.push(stream.subarray(i, i + CHUNK));
const lines = stream.reduce((n, b) => n + (b === 10 ? 1 : 0), 0);

function pass(): number {
  const decoder = new ChildStreamDecoder("bench");
  let commands = 0;
  const sink = () => commands++;
  for (const chunk of chunks) decoder.push(chunk, sink);
  return commands;
}

const seconds = Number(process.argv[2] ?? 5);
for (let i = 0; i < 5; i++) pass(); // warm-up
let passes = 0;
let commands = 0;
const start = performance.now();
while (performance.now() - start < seconds * 1000) {
  commands += pass();
  passes++;
}
const elapsed = (performance.now() - start) / 1000;
const runtime = "Bun" in globalThis ? `bun ${process.versions.bun}` : `deno ${process.versions.deno}`;
console.log(
  `${runtime.padEnd(12)} ${path.includes("shared") ? "full" : "trimmed"} fixture ${
    (stream.length / 1e6).toFixed(2)
  } MB, ` +
    `${lines} lines: ${(passes * lines / elapsed / 1e6).toFixed(2)} M lines/s, ` +
    `${(passes * stream.length / elapsed / 1e6).toFixed(1)} MB/s (${passes} passes, ${
      commands / passes
    } commands/pass)`,
);
