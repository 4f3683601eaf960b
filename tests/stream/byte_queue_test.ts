import { test } from "node:test";
import assert from "node:assert/strict";
import { ByteQueue } from "../../src/stream/_byte_queue.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

test("text goes in as UTF-8 and comes out in order, cut after a newline", () => {
  const q = new ByteQueue(1024);
  assert.ok(q.append("BEGIN a\nEND\n", 1024));
  assert.ok(q.append("BEGIN b\n", 1024));
  assert.equal(q.length, 20);
  assert.equal(text(q.take(14)), "BEGIN a\nEND\n"); // 14 bytes end inside "BEGIN b": cut after the newline
  assert.equal(text(q.take(100)), "BEGIN b\n");
  assert.equal(q.length, 0);
});

test("a line longer than the slice is taken whole, and a last line without its newline as it is", () => {
  const q = new ByteQueue(1024);
  q.append("0123456789\nab\ncd", 1024);
  assert.equal(text(q.take(4)), "0123456789\n");
  assert.equal(text(q.take(1)), "ab\n");
  assert.equal(text(q.take(1)), "cd");
  assert.equal(q.length, 0);
});

test("the room is counted in UTF-8 bytes, and a refused text leaves the queue as it was", () => {
  const q = new ByteQueue(1024);
  assert.ok(q.append("ab", 2));
  assert.equal(q.append("é€", 4), false); // 2 + 3 bytes
  assert.ok(q.append("é€", 5));
  assert.equal(q.length, 7);
  assert.equal(text(q.take(100)), "abé€");
});

test("the bound holds however the backlog moves, and nothing is lost or reordered", () => {
  const limit = 100_000;
  const q = new ByteQueue(limit);
  let sent = 0;
  let received = "";
  let expected = "";
  for (let round = 0; round < 2000; round++) {
    for (let i = 0; i < 7; i++) {
      const line = `SET "d${sent}" = ${sent * 7}\n`;
      if (q.append(line, limit - q.length)) {
        expected += line;
        sent++;
      }
    }
    if (round % 3 !== 0) received += text(q.take(37 + (round % 50)));
    assert.ok(q.capacity <= limit, `capacity ${q.capacity}`);
  }
  while (q.length > 0) received += text(q.take(1000));
  assert.equal(received, expected);
});

test("a queue full to the bound refuses, and takes again once read", () => {
  const q = new ByteQueue(64);
  assert.ok(q.append("w".repeat(31) + "\n" + "x".repeat(31) + "\n", 64));
  assert.equal(q.append("y\n", 64 - q.length), false);
  assert.equal(text(q.take(32)), "w".repeat(31) + "\n");
  assert.ok(q.append("y\n", 64 - q.length));
  assert.equal(q.capacity, 64);
  assert.equal(text(q.take(100)), "x".repeat(31) + "\ny\n");
});

test("an emptied array past 1 MiB is let go; a small one is kept", () => {
  const q = new ByteQueue(8 * 1024 * 1024);
  q.append("z".repeat(3 * 1024 * 1024), 8 * 1024 * 1024);
  assert.ok(q.capacity >= 3 * 1024 * 1024);
  q.take(8 * 1024 * 1024);
  assert.equal(q.capacity, 0);
  q.append("small\n", 100);
  const small = q.capacity;
  q.take(100);
  assert.equal(q.capacity, small);
});
