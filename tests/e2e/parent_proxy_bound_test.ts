// A headless proxy (`[db] mode = none`) whose parent accepts the stream and never reads: what it holds for
// the forwarded host stays bounded by `buffer size bytes` while its child feeds it about 1 MB/s (the host's
// sender logs Netdata's "too many data pending" once and keeps the connection, holding new data back), and a
// second child keeps streaming into it all along.
import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { fakeParent } from "../stream/_fake_parent.ts";
import { until } from "../_until.ts";
import { startCollector, X64_SKIP } from "./_collector.ts";
import { FLOOD_PLUGIN, rssKiB } from "./_flood.ts";
import { PARENT_SKIP, startParent } from "./_parent.ts";
import { accepting, mirroredHosts, sendingTo } from "./_proxy.ts";

const BUFFER_BYTES = 2 * 1024 * 1024;

test(
  "a headless proxy whose parent never reads: its RSS stays bounded while a child floods it, another child streams on",
  {
    skip: PARENT_SKIP ?? X64_SKIP ?? false,
    timeout: 180_000,
  },
  async () => {
    const top = await fakeParent({ reply: "Hit me baby, push them over with the version=4", read: "never" });
    const proxy = await startParent({
      hostname: `rill-bound-proxy-${process.pid}`,
      mode: "none",
      streamConf: sendingTo(top.port).replace(
        "[stream]\n",
        `[stream]\n    buffer size bytes = ${BUFFER_BYTES}\n    timeout seconds = 600\n`,
      ) + accepting("none"),
    });
    const flooding = startCollector({
      hostname: `rill-flood-${process.pid}`,
      streamConf: sendingTo(proxy.port),
      plugins: { "flood.plugin": FLOOD_PLUGIN },
    });
    const quiet = startCollector({ hostname: `rill-quiet-${process.pid}`, streamConf: sendingTo(proxy.port) });
    try {
      await until(
        "the first overflow of the flooding host's sender",
        () => proxy.output().includes("too many data pending"),
        60_000,
      )
        .catch((e) => {
          throw new Error(`${e.message}\n${proxy.output().slice(-3000)}`);
        });
      // Sample for 60 s, comparing the means of the first and the last 20 s (garbage collection makes RSS
      // swing by tens of MB), which lie 40 s (≈ 40 MB of input) apart.
      const pid = proxy.process.pid!;
      const samples: number[] = [];
      for (let i = 0; i < 60; i++) {
        await new Promise((r) => setTimeout(r, 1000));
        samples.push(rssKiB(pid));
      }
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const [first, second] = [mean(samples.slice(0, 20)), mean(samples.slice(40))];
      // One episode at the bound for the flooding host, on the connection it keeps. (The quiet hosts, about
      // 30 kB/s each, may reach the bound of their own senders too by the end.)
      const overflows = proxy.output().split("\n").filter((l) =>
        l.includes("too many data pending") && l.includes(`STREAM_SENDER[rill-flood-${process.pid}]`)
      );
      assert.equal(overflows.length, 1, proxy.output().slice(-2000));
      assert.match(
        overflows[0],
        new RegExp(`buffer is ${BUFFER_BYTES} bytes long, \\d+ unsent.*Keeping the connection`),
      );
      assert.equal(top.connections(), 3, "the proxy's own host and its two children, each connected once");
      assert.ok(second - first < 16 * 1024, `mean RSS ${first.toFixed(0)} kB, then ${second.toFixed(0)} kB`);
      // The quiet child was never cut off: one connection, still streaming.
      const hosts = await mirroredHosts(proxy);
      assert.equal(hosts.find((h) => h.hostname === quiet.hostname)?.reachable, true);
      const connects = proxy.output().split("\n").filter((l) =>
        l.includes(`client willing to stream metrics for host '${quiet.hostname}'`)
      );
      assert.equal(connects.length, 1, connects.join("\n"));
      console.log(
        `headless proxy RSS under a 1 MB/s flood to a parent that never reads: mean ${first.toFixed(0)} kB, then ${
          second.toFixed(0)
        } kB; max ${Math.max(...samples)} kB`,
      );
    } finally {
      await flooding.stop();
      await quiet.stop();
      await proxy.stop();
      await top.close();
    }
  },
);
