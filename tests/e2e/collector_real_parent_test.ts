// The compiled collector against Debian's real Netdata 1.37 parent: it negotiates LZ4 compression and sends
// real LZ4 (about 3x smaller than its text, measured on the wire by a tee), it is mirrored, its system.load
// matches /proc/loadavg, its system.cpu adds up to 100 %, it runs as the arm64 build under qemu, and it
// closes the stream cleanly on SIGTERM.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import process from "node:process";
import { ACCEPTING_STREAM_CONF, NETDATA_SKIP_REASON, startNetdataParent, TEST_API_KEY } from "../interop/_netdata.ts";
import { startTeeRelay } from "../interop/_tee_relay.ts";
import { until } from "../_until.ts";
import { ARM64_SKIP, startCollector, X64_SKIP } from "./_collector.ts";

// A plugins.d plugin as a user would write one: definitions once, then one BEGIN/SET/END per interval.
const EXAMPLE_PLUGIN = `#!/bin/sh
echo "CHART example.random '' 'An example plugin' things example example.random line 90000 $1"
echo 'DIMENSION answer "" absolute 1 1'
while true; do
  echo 'BEGIN example.random'
  echo 'SET answer = 42'
  echo 'END'
  sleep $1
done
`;

const childStreamConf = (port: number) =>
  `[stream]\n    enabled = yes\n    destination = tcp:127.0.0.1:${port}\n    api key = ${TEST_API_KEY}\n    reconnect delay seconds = 1\n`;

interface DataReply {
  labels: string[];
  data: (number | null)[][];
}

function hostsOf(info: unknown): { hostname: string; reachable: boolean; hops: number }[] {
  return (info as { mirrored_hosts_status: { hostname: string; reachable: boolean; hops: number }[] })
    .mirrored_hosts_status;
}

test(
  "compiled collector streams LZ4 into a real Netdata 1.37 parent: mirrored, load matches /proc/loadavg, cpu adds to 100",
  {
    skip: NETDATA_SKIP_REASON ?? X64_SKIP ?? false,
    timeout: 120_000,
  },
  async () => {
    const parent = await startNetdataParent(ACCEPTING_STREAM_CONF);
    const relay = await startTeeRelay(parent.port);
    // A 1.37 parent in ram mode answers 0 (not null) for ring slots older than the host's first point: only
    // slots from the collector's start on are its data.
    const startedS = Math.floor(Date.now() / 1000);
    const collector = startCollector({
      streamConf: childStreamConf(relay.port),
      hostname: `rill-e2e-${process.pid}`,
      plugins: { "example.plugin": EXAMPLE_PLUGIN },
    });
    try {
      const host = collector.hostname;
      await until("the collector among the mirrored hosts", async () => {
        const entry = hostsOf(await parent.json("/api/v1/info")).find((h) => h.hostname === host);
        return entry?.reachable && entry.hops === 1;
      });

      // system.load is collected every 5 s: wait for two points, then compare with the kernel's figures.
      const load = await until("system.load values", async () => {
        const reply = await parent.json(
          `/host/${host}/api/v1/data?chart=system.load&after=-30&format=json`,
        ) as DataReply;
        const rows = reply.data.filter((row) => row[0]! >= startedS && row[1] !== null);
        return rows.length >= 2 ? { labels: reply.labels, rows } : undefined;
      }, 60_000);
      assert.deepEqual(load.labels, ["time", "load1", "load5", "load15"]);
      const kernel = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).map(Number);
      const latest = load.rows[0];
      const labels = ["load1", "load5", "load15"];
      for (let i = 0; i < 3; i++) {
        // The 1-minute figure moves a little in the seconds between the two readings.
        assert.ok(
          Math.abs(latest[i + 1]! - kernel[i]) <= (i === 0 ? 0.5 : 0.2),
          `${labels[i]}: ${latest[i + 1]} vs ${kernel[i]} (rows ${JSON.stringify(load.rows)})`,
        );
      }

      // idle is a hidden dimension (as on a Netdata child): the API returns it only when asked for by name.
      const cpu = await until("system.cpu values", async () => {
        const query = `/host/${host}/api/v1/data?chart=system.cpu&after=-10&format=json`;
        const shown = await parent.json(query) as DataReply;
        const idle = await parent.json(`${query}&dimensions=idle`) as DataReply;
        const idleAt = new Map(idle.data.map((row) => [row[0], row[1]]));
        const row = shown.data.find((r) => r.slice(1).some((v) => v !== null) && typeof idleAt.get(r[0]) === "number");
        return row === undefined
          ? undefined
          : { labels: [...shown.labels, "idle"], row: [...row, idleAt.get(row[0])!] };
      });
      assert.ok(cpu.labels.includes("user") && cpu.labels.includes("system"), JSON.stringify(cpu.labels));
      const total = cpu.row.slice(1).reduce<number>((sum, v) => sum + (v ?? 0), 0);
      assert.ok(Math.abs(total - 100) < 1.5, `system.cpu adds up to ${total}: ${JSON.stringify(cpu)}`);

      // An external plugin's chart streams like the built-in ones.
      const fromPlugin = await until("the plugin's chart", async () => {
        const reply = await parent.json(
          `/host/${host}/api/v1/data?chart=example.random&after=-10&format=json`,
        ) as DataReply;
        return reply.data.some((row) => row[1] === 42) ? reply : undefined;
      });
      assert.deepEqual(fromPlugin.labels, ["time", "answer"]);

      const charts = await parent.json(`/host/${host}/api/v1/charts`) as {
        charts: Record<string, { dimensions: object }>;
      };
      const dimensions = Object.values(charts.charts).reduce((n, c) => n + Object.keys(c.dimensions).length, 0);
      assert.ok(dimensions >= 300, `${Object.keys(charts.charts).length} charts, ${dimensions} dimensions`);

      // Compressed, as the real parent logs it, and really smaller on the wire: all of the above came as LZ4.
      const established = new RegExp(`STREAM ${host} \\[receive from .*negotiated capabilities: .*COMPRESSION`);
      assert.match(parent.output(), established);
      assert.match(relay.primaryReplies[0], /^Hit me baby, push them over with the version=16320/);
      const wire = relay.childStreams[0].length;
      const text = relay.childText(0).length;
      assert.ok(text > 2.5 * wire, `${text} bytes of text in ${wire} on the wire`);
      console.log(`collector → real parent: ${text} bytes of text, ${wire} on the wire (${(text / wire).toFixed(2)}x)`);

      // SIGTERM: a clean close (exit 0), after which the parent shows the host as unreachable.
      assert.equal(await collector.stop(), 0);
      await until("the host unreachable", async () => {
        const entry = hostsOf(await parent.json("/api/v1/info")).find((h) => h.hostname === host);
        return entry?.reachable === false;
      });
    } finally {
      await collector.stop();
      await relay.stop();
      await parent.stop();
      const log = collector.output();
      if (!log.includes("established communication")) console.error(log);
    }
  },
);

test("compiled arm64 collector runs under qemu and streams to a real parent on loopback", {
  skip: NETDATA_SKIP_REASON ?? ARM64_SKIP ?? false,
  timeout: 120_000,
}, async () => {
  const parent = await startNetdataParent(ACCEPTING_STREAM_CONF);
  const collector = startCollector({
    streamConf: childStreamConf(parent.port),
    hostname: `rill-arm64-${process.pid}`,
    arm64: true,
  });
  try {
    const host = collector.hostname;
    await until("the arm64 collector among the mirrored hosts", async () => {
      const entry = hostsOf(await parent.json("/api/v1/info")).find((h) => h.hostname === host);
      return entry?.reachable;
    }, 60_000);
    const data = await until("system.cpu values from the arm64 build", async () => {
      const reply = await parent.json(`/host/${host}/api/v1/data?chart=system.cpu&after=-10&format=json`) as DataReply;
      return reply.data.some((row) => row.slice(1).some((v) => v !== null)) ? reply : undefined;
    }, 60_000);
    assert.ok(data.labels.includes("user"));
    assert.equal(await collector.stop(), 0);
  } finally {
    await collector.stop();
    await parent.stop();
  }
});
