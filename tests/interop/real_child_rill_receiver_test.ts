// A real Netdata 1.37 child (headless, RAM database) streaming to rill's Receiver: it negotiates VCAPS with
// REPLICATION and, with its default settings, COMPRESSION (LZ4 frames); every chart it defines gets a
// REPLAY_CHART and ends its replication with REND true, data flows, and it never reconnects.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CAP_COMPRESSION, CAP_REPLICATION, CAP_VCAPS } from "../../src/protocol/capabilities.ts";
import { until } from "../_until.ts";
import { startParent } from "../parent/receiver/_harness.ts";
import { NETDATA_SKIP_REASON, startNetdataChild } from "./_netdata.ts";

test("a real 1.37 child: VCAPS with REPLICATION and LZ4, every chart replicated (REND true), data, no reconnect", {
  skip: NETDATA_SKIP_REASON ?? false,
  timeout: 120_000,
}, async () => {
  const parent = await startParent();
  const child = startNetdataChild({ port: parent.port });
  try {
    const conn = await until("the real child connects", () => parent.receiver.connections()[0], 60_000);
    assert.ok(conn.caps & CAP_VCAPS, `caps ${conn.caps}`);
    assert.ok(conn.caps & CAP_REPLICATION, `caps ${conn.caps}`);
    assert.equal(conn.caps & CAP_COMPRESSION, CAP_COMPRESSION, `caps ${conn.caps}`);
    const host = conn.entry.host;
    await until("charts arrive", () => host.charts.size >= 20, 60_000);
    await until(
      "every chart defined so far finished replication",
      () => [...host.charts.keys()].every((id) => conn.session.replayFinished.has(id)),
      60_000,
    );
    for (const id of host.charts.keys()) assert.ok(conn.session.replayRequested.has(id), id);
    const updates = conn.session.updates;
    await until("live data keeps flowing", () => conn.session.updates > updates + 20, 30_000);
    // Still the first and only connection, and nothing the receiver had to refuse.
    assert.equal(parent.access.filter((l) => l.includes("'CONNECTED'")).length, 1, parent.access.join("\n"));
    assert.equal(parent.receiver.connections()[0], conn);
    assert.deepEqual(parent.log.filter((l) => l.includes(" ERROR ")), []);
    assert.equal(host.identity.hostname, "nd-real-child");
    assert.equal(host.identity.programName, "netdata");
    assert.equal(conn.entry.status.hops, 1);
  } catch (e) {
    console.error(child.log().split("\n").filter((l) => l.includes("STREAM")).slice(-20).join("\n"));
    throw e;
  } finally {
    await child.stop();
    await parent.close();
  }
});
