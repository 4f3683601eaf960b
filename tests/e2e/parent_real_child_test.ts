// A real Netdata 1.37 child streaming into the compiled rill-parent: with its default settings it negotiates
// VCAPS with REPLICATION and COMPRESSION (LZ4 frames, about 3x smaller on the wire),
// every chart it defines gets its data (a 1.37 child sends no BEGIN before a chart's replication finished),
// system.cpu adds up to 100 %, and it never reconnects; then the parent, in save mode, is stopped and
// started again and replication fills the gap from the child's own database.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { ACCEPTING_STREAM_CONF, NETDATA_SKIP_REASON, startNetdataChild } from "../interop/_netdata.ts";
import { startTeeRelay } from "../interop/_tee_relay.ts";
import { until } from "../_until.ts";
import { PARENT_SKIP, startParent } from "./_parent.ts";

const skip = NETDATA_SKIP_REASON ?? PARENT_SKIP ?? false;
const CHILD = "nd-real-child";

interface DataReply {
  labels: string[];
  data: (number | null)[][];
}

interface ChartsReply {
  charts: Record<string, { dimensions: Record<string, unknown>; last_entry: number }>;
}

/** Chart ids in the order the child defined them (its `CHART` lines). */
function definedCharts(stream: string): string[] {
  return [...stream.matchAll(/^CHART "?([^" ]+)"? /gm)].map((m) => m[1]);
}

function connections(childLog: string): number {
  return childLog.split("\n").filter((l) => l.includes("established link with negotiated capabilities")).length;
}

test(
  "a real 1.37 child into rill-parent: VCAPS with REPLICATION and LZ4, every chart with data, cpu adds to 100, no reconnect",
  {
    skip,
    timeout: 120_000,
  },
  async () => {
    const parent = await startParent({ streamConf: ACCEPTING_STREAM_CONF });
    const relay = await startTeeRelay(parent.port);
    const child = startNetdataChild({ port: relay.port });
    try {
      await until(
        "the parent logs the negotiated capabilities",
        () => /negotiated capabilities: .*VCAPS/.test(parent.output()),
        30_000,
      );
      const caps = /established link with negotiated capabilities: (.*)/.exec(parent.output())![1].split(" ");
      assert.ok(caps.includes("REPLICATION") && caps.includes("VCAPS"), caps.join(" "));
      assert.ok(caps.includes("COMPRESSION"), caps.join(" "));

      // Within 30 s every chart the child defined is listed, with data.
      const started = Date.now();
      const charts = await until("every chart the child defined has data", async () => {
        const defined = definedCharts(relay.childText(0));
        const listed = (await parent.json(`/host/${CHILD}/api/v1/charts`) as ChartsReply).charts;
        const missing = defined.filter((id) => !(listed[id]?.last_entry > 0));
        return defined.length >= 50 && missing.length === 0 ? { defined, listed } : undefined;
      }, 60_000);
      assert.ok(Date.now() - started < 30_000, `took ${Date.now() - started} ms`);
      assert.ok(charts.listed["system.cpu"] !== undefined && charts.listed["system.load"] !== undefined);

      const cpu = await until("system.cpu values", async () => {
        const query = `/host/${CHILD}/api/v1/data?chart=system.cpu&after=-5&format=json`;
        const shown = await parent.json(query) as DataReply;
        const idle = await parent.json(`${query}&dimensions=idle`) as DataReply;
        const row = shown.data.find((r) => r[1] !== null);
        const idleRow = idle.data.find((r) => r[0] === row?.[0]);
        return row === undefined || typeof idleRow?.[1] !== "number" ? undefined : [...row.slice(1), idleRow[1]];
      });
      const total = cpu.reduce<number>((sum, v) => sum + (v ?? 0), 0);
      assert.ok(Math.abs(total - 100) < 1.5, `system.cpu adds up to ${total}: ${JSON.stringify(cpu)}`);
      assert.equal(connections(child.log()), 1, child.log());
      // Real LZ4: the text is about 3 times what went over the wire (reference §11: 36.2 kB/s → 12.4 kB/s).
      const wire = relay.childStreams[0].length;
      const text = relay.childText(0).length;
      assert.ok(text > 2.5 * wire, `${text} bytes of text in ${wire} on the wire`);
    } finally {
      await child.stop();
      await relay.stop();
      await parent.stop();
    }
  },
);

/**
 * Streams a real child (with `childDb` as its database) into rill-parent in save mode, stops the parent for
 * 8 s and starts it again on the same folder and port; resolves with system.cpu around the stop once the
 * child has reconnected and `settled` accepts the rows.
 */
// Children kept in save mode (the shared config keeps them in ram).
const SAVING_STREAM_CONF = ACCEPTING_STREAM_CONF.replace("default memory mode = ram", "default memory mode = save");

async function restartAround(
  childDb: "ram" | "none",
  settled: (rows: (number | null)[][], stoppedS: number, restartedS: number) => boolean,
): Promise<{ rows: (number | null)[][]; stoppedS: number; restartedS: number }> {
  let parent = await startParent({ streamConf: SAVING_STREAM_CONF, mode: "save" });
  const { port, dir } = parent;
  const child = startNetdataChild({ port, dbMode: childDb });
  const data = async (after: number, before: number) =>
    (await parent.json(
      `/host/${CHILD}/api/v1/data?chart=system.cpu&after=${after}&before=${before}&format=json&options=seconds`,
    ) as DataReply).data;
  try {
    await until("10 s of data before the restart", async () => {
      try {
        return (await data(-10, 0)).filter((r) => r[1] !== null).length >= 8;
      } catch {
        return false;
      }
    }, 60_000);
    const info = await parent.json("/api/v1/info") as { mirrored_hosts_status: { guid: string; hostname: string }[] };
    const guid = info.mirrored_hosts_status.find((h) => h.hostname === CHILD)!.guid;
    assert.equal(await parent.stop({ keepDir: true }), 0);
    // SIGTERM in save mode wrote the child's charts: <cache>/<machine guid>/<chart>.
    const saved = readdirSync(join(dir, "cache", guid)).map(String);
    assert.ok(saved.some((f) => f.startsWith("system.cpu")), saved.join(" "));
    const stoppedS = Math.floor(Date.now() / 1000);
    await new Promise((r) => setTimeout(r, 8_000));
    parent = await startParent({ streamConf: SAVING_STREAM_CONF, mode: "save", dir, port });
    const restartedS = Math.floor(Date.now() / 1000);
    await until("the child reconnects", () => connections(child.log()) >= 2, 60_000);
    const rows = await until("the data around the restart", async () => {
      const rows = await data(stoppedS - 10, restartedS + 3);
      return settled(rows, stoppedS, restartedS) ? rows : undefined;
    }, 60_000);
    return { rows, stoppedS, restartedS };
  } finally {
    await child.stop();
    await parent.stop();
  }
}

test("rill-parent in save mode stopped and started again: the child reconnects and replication fills the gap", {
  skip,
  timeout: 150_000,
}, async () => {
  // The slots while the parent was down come from the child's own (ram) database by replication.
  const inGap = (rows: (number | null)[][], stoppedS: number, restartedS: number) =>
    rows.filter((r) => r[0]! > stoppedS + 1 && r[0]! < restartedS - 1);
  const { rows, stoppedS } = await restartAround("ram", (rows, stoppedS, restartedS) => {
    const gap = inGap(rows, stoppedS, restartedS);
    return gap.length >= 5 && gap.every((r) => r[1] !== null);
  });
  assert.ok(rows.some((r) => r[0]! <= stoppedS - 3 && r[1] !== null), JSON.stringify(rows));
});

test("rill-parent in save mode keeps what it stored across a restart, for a child without a database", {
  skip,
  timeout: 150_000,
}, async () => {
  // A database-less child has nothing to replicate: the points before the stop can only come from the save
  // files, and the slots while the parent was down stay empty.
  const { rows, stoppedS, restartedS } = await restartAround(
    "none",
    (rows, _stoppedS, restartedS) => rows.some((r) => r[0]! >= restartedS && r[1] !== null),
  );
  const before = rows.filter((r) => r[0]! <= stoppedS - 3 && r[0]! >= stoppedS - 8);
  assert.ok(before.length >= 3 && before.every((r) => r[1] !== null), JSON.stringify(rows));
  const down = rows.filter((r) => r[0]! > stoppedS + 1 && r[0]! < restartedS - 1);
  assert.ok(down.length >= 3 && down.every((r) => r[1] === null), JSON.stringify(rows));
});
