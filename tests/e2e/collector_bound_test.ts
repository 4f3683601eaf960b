// A parent that accepts the stream and never reads: the compiled collector's memory stays bounded by
// `buffer size bytes` while a plugin feeds it about 1 MB/s. Where Netdata logs "too many data pending",
// closes the connection and loses what it held, rill logs it once and keeps the connection: new data waits in
// the replay ring (itself within the same bound) until the parent reads again.
import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { fakeParent } from "../stream/_fake_parent.ts";
import { until } from "../_until.ts";
import { FLOOD_PLUGIN, rssKiB } from "./_flood.ts";
import { startCollector, X64_SKIP } from "./_collector.ts";

test(
  "a parent that never reads: the collector keeps the connection and its RSS stays bounded while 1 MB/s keeps coming",
  {
    skip: X64_SKIP ?? false,
    timeout: 180_000,
  },
  async () => {
    const parent = await fakeParent({ reply: "Hit me baby, push them over with the version=4", read: "never" });
    const limit = 2 * 1024 * 1024;
    const collector = startCollector({
      hostname: `rill-bound-${process.pid}`,
      streamConf:
        `[stream]\n    enabled = yes\n    destination = 127.0.0.1:${parent.port}\n    api key = 11111111-2222-3333-4444-555555555555\n    buffer size bytes = ${limit}\n    reconnect delay seconds = 1\n    timeout seconds = 600\n`,
      plugins: { "flood.plugin": FLOOD_PLUGIN },
    });
    try {
      const pid = collector.process.pid!;
      await until(
        "the first overflow",
        () => Promise.resolve(collector.output().includes("too many data pending")),
        60_000,
      );
      // Sample for 60 s: garbage collection makes RSS swing by tens of MB (more on a busy machine), so compare
      // the means of the first and the last 20 s, which lie 40 s (≈ 40 MB of input) apart.
      const samples: number[] = [];
      for (let i = 0; i < 60; i++) {
        await new Promise((r) => setTimeout(r, 1000));
        samples.push(rssKiB(pid));
      }
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const first = mean(samples.slice(0, 20));
      const second = mean(samples.slice(40));
      const overflows = collector.output().split("\n").filter((l) => l.includes("too many data pending"));
      // One episode at the bound, on the one connection there is.
      assert.equal(overflows.length, 1, collector.output().slice(-2000));
      assert.match(overflows[0], new RegExp(`buffer is ${limit} bytes long, \\d+ unsent.*Keeping the connection`));
      assert.equal(parent.connections(), 1);
      // About 40 MB more arrived between the two windows; unbounded, RSS would have grown by as much.
      assert.ok(second - first < 16 * 1024, `mean RSS ${first.toFixed(0)} kB, then ${second.toFixed(0)} kB`);
      console.log(
        `collector RSS under a 1 MB/s flood to a parent that never reads: mean ${first.toFixed(0)} kB, then ${
          second.toFixed(0)
        } kB; max ${Math.max(...samples)} kB; ${parent.connections()} connection`,
      );
    } finally {
      await collector.stop();
      await parent.close();
    }
  },
);
