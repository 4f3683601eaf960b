// A parent that stops reading for a long time: the compiled collector's memory stays within its RSS while the
// parent kept up plus 2 × `buffer size bytes` (the send queue and the replay ring, each within the bound), while a
// plugin feeds it about 1 MB/s. Where Netdata logs "too many data pending", closes the connection and loses what
// it held, rill logs it once and keeps the connection: new data waits in the replay ring until the parent reads
// again.
import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { fakeParent } from "../stream/_fake_parent.ts";
import { until } from "../_until.ts";
import { FLOOD_PLUGIN, rssKiB } from "./_flood.ts";
import { startCollector, X64_SKIP } from "./_collector.ts";

const BUFFER_BYTES = 10 * 1024 * 1024;

/** Samples VmRSS once a second for `seconds`. */
async function rssSamples(pid: number, seconds: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < seconds; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    samples.push(rssKiB(pid));
  }
  return samples;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

test(
  "a parent that stops reading for 90 s: one connection kept, collector RSS within its streaming RSS + 2 × buffer while 1 MB/s keeps coming",
  {
    skip: X64_SKIP ?? false,
    timeout: 240_000,
  },
  async () => {
    const parent = await fakeParent({ reply: "Hit me baby, push them over with the version=4", read: "discard" });
    const collector = startCollector({
      hostname: `rill-bound-${process.pid}`,
      streamConf:
        `[stream]\n    enabled = yes\n    destination = 127.0.0.1:${parent.port}\n    api key = 11111111-2222-3333-4444-555555555555\n    buffer size bytes = ${BUFFER_BYTES}\n    reconnect delay seconds = 1\n    timeout seconds = 600\n`,
      plugins: { "flood.plugin": FLOOD_PLUGIN },
    });
    try {
      const pid = collector.process.pid!;
      await until("the plugin's charts streaming", () => Promise.resolve(parent.connections() === 1), 60_000);
      // Streaming unhindered: 20 s to settle (start-up, the first trims of unused code), then 30 s of samples.
      await rssSamples(pid, 20);
      const streaming = await rssSamples(pid, 30);
      parent.pause();
      await until(
        "the first overflow",
        () => Promise.resolve(collector.output().includes("too many data pending")),
        60_000,
      );
      const stalled = await rssSamples(pid, 90);
      // Means over 10 s: a garbage collection swings RSS by several MB in a moment.
      const windows = [0, 10, 20, 30, 40, 50, 60, 70, 80].map((at) => mean(stalled.slice(at, at + 10)));
      const allowed = mean(streaming) + 2 * BUFFER_BYTES / 1024;
      const report = `collector RSS under a 1 MB/s flood: streaming mean ${mean(streaming).toFixed(0)} kB; ` +
        `parent stalled, 10-s means up to ${Math.max(...windows).toFixed(0)} kB (max sample ${
          Math.max(...stalled)
        } kB), allowed ${allowed.toFixed(0)} kB; ${parent.connections()} connection`;
      console.log(report);
      const overflows = collector.output().split("\n").filter((l) => l.includes("too many data pending"));
      // One episode at the bound, on the one connection there is.
      assert.equal(overflows.length, 1, collector.output().slice(-2000));
      assert.match(
        overflows[0],
        new RegExp(`buffer is ${BUFFER_BYTES} bytes long, \\d+ unsent.*Keeping the connection`),
      );
      assert.equal(parent.connections(), 1);
      assert.ok(Math.max(...windows) <= allowed, report);
    } finally {
      await collector.stop();
      await parent.close();
    }
  },
);
