import { test } from "node:test";
import assert from "node:assert/strict";
import { connect, createServer, type Socket } from "node:net";
import { type Overflow, SendQueue } from "../../src/stream/send_queue.ts";
import { until } from "../_until.ts";

/** A loopback pair: `local` is ours, `peer` reads only once resumed. */
async function pair(): Promise<{ local: Socket; peer: Socket; received: () => string; close: () => void }> {
  let peer!: Socket;
  const chunks: Buffer[] = [];
  const server = createServer();
  const accepted = new Promise<void>((resolve) => {
    server.once("connection", (s: Socket) => {
      peer = s;
      s.pause();
      s.on("data", (c: Buffer) => chunks.push(c));
      resolve();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  const local = connect(port, "127.0.0.1");
  await new Promise<void>((resolve) => local.once("connect", resolve));
  await accepted;
  return {
    local,
    peer,
    received: () => Buffer.concat(chunks).toString("utf8"),
    close: () => {
      local.destroy();
      peer.destroy();
      server.close();
    },
  };
}

test("send queue: at the bound a commit is refused once with the overflow, the rest arrives whole and in order", {
  timeout: 60_000,
}, async () => {
  const { local, peer, received, close } = await pair();
  const limit = 64 * 1024;
  const overflows: Overflow[] = [];
  let rooms = 0;
  const queue = new SendQueue(local, limit, undefined, { full: (o) => overflows.push(o), room: () => rooms++ });
  try {
    let accepted = "";
    let refusedAt = -1;
    // The kernel's buffers take megabytes before the socket holds anything back: send until refused.
    for (let i = 0; refusedAt < 0 && i < 200_000; i++) {
      const line = `SET "dimension_${i}" = ${i} é\n`;
      if (queue.send(line)) accepted += line;
      else refusedAt = i;
      if (i % 500 === 0) await new Promise((r) => setImmediate(r));
      assert.ok(queue.pendingBytes <= limit, `${queue.pendingBytes} pending`);
    }
    assert.ok(refusedAt > 0, "never refused");
    assert.equal(overflows.length, 1);
    assert.ok(overflows[0].pending + overflows[0].adding > limit, JSON.stringify(overflows[0]));
    assert.equal(queue.send("x".repeat(limit)), false);
    assert.equal(overflows.length, 1, "the overflow is reported once until there is room");

    peer.resume();
    await until("the parent read half the buffer", () => Promise.resolve(rooms === 1), 30_000);
    assert.ok(queue.send("after\n"));
    accepted += "after\n";
    await until("everything arrived", () => Promise.resolve(received().length === accepted.length), 30_000);
    assert.equal(received(), accepted);
    assert.equal(queue.bytesSent, Buffer.byteLength(accepted));
  } finally {
    queue.close();
    close();
  }
});

test("send queue: drain() writes what is queued; close() drops it and refuses more", {
  timeout: 30_000,
}, async () => {
  const { local, peer, received, close } = await pair();
  const queue = new SendQueue(local, 1024 * 1024, undefined, { full: () => {}, room: () => {} });
  try {
    peer.resume();
    assert.ok(queue.send('BEGIN "system.load" 1000000\n'));
    assert.ok(queue.send("END\n"));
    await queue.drain(5000);
    assert.equal(queue.pendingBytes, 0);
    const sent = 'BEGIN "system.load" 1000000\nEND\n';
    await until("both commits arrived", () => Promise.resolve(received().length === sent.length), 10_000);
    assert.equal(received(), sent);
    queue.close();
    assert.equal(queue.send("late\n"), false);
  } finally {
    close();
  }
});
