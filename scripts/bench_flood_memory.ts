/**
 * The compiled collector's memory under a flood it cannot pass on: a plugin feeds it about 1 MB/s (20 charts
 * of 250 dimensions, ten rounds a second) and its parent accepts the stream and never reads, so the collector
 * sits at `buffer size bytes` with every chart held back while the plugin's output keeps coming. Every 5 s it
 * prints the collector's VmRSS, split into anonymous and file-backed pages, and its CPU over those 5 s; at the
 * end the minimum, mean and maximum of each. What rises and falls here is garbage, what stays is held data.
 * Run it with `bash scripts/bench.sh flood-memory [seconds=150] [buffer bytes=2097152]` (the binary from
 * `bash scripts/build.sh`); the runtime running the script does not matter, so it runs once.
 *
 * @module
 */
import process from "node:process";
import { readFileSync } from "node:fs";
import { fakeParent } from "../tests/stream/_fake_parent.ts";
import { FLOOD_PLUGIN } from "../tests/e2e/_flood.ts";
import { startCollector, X64_SKIP } from "../tests/e2e/_collector.ts";
import { clockTicksPerSecond, cpuSeconds } from "./rss.ts";

if (X64_SKIP !== undefined) {
  console.error(X64_SKIP);
  process.exit(1);
}
const seconds = Number(process.argv[2] ?? 150);
const bufferBytes = Number(process.argv[3] ?? 2 * 1024 * 1024);
const parent = await fakeParent({ reply: "Hit me baby, push them over with the version=4", read: "never" });
const collector = startCollector({
  hostname: `flood-memory-${process.pid}`,
  streamConf: `[stream]
    enabled = yes
    destination = 127.0.0.1:${parent.port}
    api key = 11111111-2222-3333-4444-555555555555
    buffer size bytes = ${bufferBytes}
    timeout seconds = 600
`,
  plugins: { "flood.plugin": FLOOD_PLUGIN },
});
const pid = collector.process.pid!;
const kB = (status: string, field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)![1]);
const rows: { rss: number; anon: number; file: number; cpu: number }[] = [];
console.log(`clock ticks ${clockTicksPerSecond()}/s; buffer size bytes ${bufferBytes}; sampling every 5 s`);
let lastCpu = cpuSeconds(pid) ?? 0;
try {
  for (let t = 5; t <= seconds; t += 5) {
    await new Promise((r) => setTimeout(r, 5000));
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const cpu = cpuSeconds(pid) ?? lastCpu;
    const row = {
      rss: kB(status, "VmRSS"),
      anon: kB(status, "RssAnon"),
      file: kB(status, "RssFile"),
      cpu: (cpu - lastCpu) / 5,
    };
    lastCpu = cpu;
    rows.push(row);
    const held = collector.output().includes("too many data pending") ? "at the bound" : "not yet at the bound";
    console.log(
      `${String(t).padStart(4)} s  VmRSS ${row.rss} kB  anonymous ${row.anon} kB  file ${row.file} kB  CPU ${
        (row.cpu * 100).toFixed(0)
      } %  (${held})`,
    );
  }
} finally {
  await collector.stop();
  await parent.close();
}
// The first 20 s are the start-up and the filling of the buffer.
const steady = rows.slice(4);
for (const key of ["rss", "anon", "file"] as const) {
  const xs = steady.map((r) => r[key]);
  console.log(
    `${key.padEnd(4)} min ${Math.min(...xs)} kB  mean ${
      (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(0)
    } kB  max ${Math.max(...xs)} kB (from 25 s on)`,
  );
}
console.log(`CPU mean ${(steady.reduce((a, r) => a + r.cpu, 0) / steady.length * 100).toFixed(0)} % of a core`);
