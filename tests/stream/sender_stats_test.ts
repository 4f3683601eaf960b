import { test } from "node:test";
import assert from "node:assert/strict";
import { parseStreamConf } from "../../src/config/stream_conf.ts";
import { Logger } from "../../src/runtime/log.ts";
import type { SenderCounters } from "../../src/sources/self/mod.ts";
import { StreamSender } from "../../src/stream/sender.ts";
import { CPU_CHART, LOAD_CHART, testHost } from "../_hosts.ts";
import { until } from "../_until.ts";
import { fakeParent } from "./_fake_parent.ts";
import { observingRing } from "./_ring.ts";

const ACCEPT = "Hit me baby, push them over with the version=15296";

function senderTo(destination: string, extra = "") {
  const host = testHost({ machineGuid: "82be38ca-e718-11f1-8984-000000000043" });
  const load = host.chart(LOAD_CHART);
  const load1 = load.dimension({ id: "load1", algorithm: "absolute", multiplier: 1, divisor: 1000 });
  const cpu = host.chart(CPU_CHART);
  const user = cpu.dimension({ id: "user", algorithm: "incremental", multiplier: 1, divisor: 1 });
  let tick = 0;
  const collect = () => {
    tick++;
    load1.set(tick);
    host.collected(load, (1_795_423_000 + tick) * 1e6);
    user.set(tick * 100);
    host.collected(cpu, (1_795_423_000 + tick) * 1e6);
  };
  const config = parseStreamConf(
    `[stream]\n    enabled = yes\n    destination = ${destination}\n    api key = 11111111-2222-3333-4444-555555555555\n    reconnect delay seconds = 1\n    buffer size bytes = 123456\n${extra}`,
  ).stream;
  const sender = new StreamSender({
    host,
    replay: observingRing(host),
    config,
    log: new Logger("rill-test", "TEST", () => {}),
  });
  return { sender, collect };
}

const wireBytes = (chunks: Uint8Array[]) => chunks.reduce((sum, c) => sum + c.length, 0);

test("sender stats: connects, wire bytes sent on every connection, and the parent closing", {
  timeout: 30_000,
}, async () => {
  const parent = await fakeParent({ reply: ACCEPT });
  const { sender, collect } = senderTo(`127.0.0.1:${parent.port}`);
  // The self-monitoring source reads the sender through this interface, which the stream side satisfies.
  const counters: SenderCounters = sender.stats;
  try {
    assert.equal(counters.bufferSizeBytes, 123456);
    collect();
    sender.start();
    await until("a connection", () => sender.connectedTo);
    assert.equal(counters.connects, 1);
    await until("replication answered", () => parent.commands.filter((c) => c.kind === "REND").length >= 2);
    for (let i = 0; i < 3; i++) collect();
    await until("data", () => parent.commands.filter((c) => c.kind === "END").length >= 6);
    await until("every byte written counted", () => counters.bytesSent === wireBytes(parent.raw[0]));
    assert.ok(counters.bytesSent > 1000, `${counters.bytesSent} bytes`);
    await until("nothing pending", () => counters.pendingBytes === 0);

    // The parent goes away: one "parent closed", and the next round of attempts reconnects.
    const firstConnection = counters.bytesSent;
    await parent.close();
    await until("the disconnect", () => counters.disconnects["parent closed"] === 1);
    await until("a second round", () => counters.connects >= 2);
    assert.equal(counters.bytesSent, firstConnection, "bytes of an ended connection stay counted");
    assert.deepEqual(
      { ...counters.disconnects, "parent closed": 0 },
      { "bad handshake": 0, "timeout": 0, "socket error": 0, "parent closed": 0 },
    );
  } finally {
    await sender.stop();
    await parent.close();
  }
});

test("sender stats: a refused handshake is a bad handshake, a silent parent a timeout", {
  timeout: 30_000,
}, async () => {
  const refusing = await fakeParent({ reply: "I do not speak this" });
  const silent = await fakeParent({ reply: undefined });
  const { sender } = senderTo(`127.0.0.1:${refusing.port} 127.0.0.1:${silent.port}`, "    timeout seconds = 1\n");
  try {
    sender.start();
    await until("both handshakes failed", () => sender.stats.disconnects.timeout === 1 && sender.stats);
    assert.equal(sender.stats.disconnects["bad handshake"], 1);
    assert.equal(sender.stats.bytesSent, 0);
    assert.equal(sender.connectedTo, undefined);
  } finally {
    await sender.stop();
    await refusing.close();
    await silent.close();
  }
});
