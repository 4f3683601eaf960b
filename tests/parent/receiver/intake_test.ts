// A child's input in slices: a huge chunk is handed over across turns of the event loop, each bounded in
// work and bytes, with the socket paused meanwhile; nothing is lost or reordered, pieces ending mid-line
// decode as the whole would.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setImmediate } from "node:timers";
import { SLICE_BYTES, SLICE_WORK, SlicedIntake } from "../../../src/parent/receiver/intake.ts";
import type { ChildLineSink } from "../../../src/protocol/decode.ts";
import { ChildStreamDecoder } from "../../../src/protocol/stream_decoder.ts";

/** A socket that only records whether it is paused. */
class FakeSocket {
  paused = false;
  pause() {
    this.paused = true;
  }
  resume() {
    this.paused = false;
  }
}

/** A decoder and a sink whose END costs `widest` work, recording the values SET in order. */
function recorder(widest: number) {
  const progress = { work: 0, widestChart: widest };
  const values: number[] = [];
  const applied: number[] = [];
  const lines: ChildLineSink = {
    begin() {},
    set: (_dimension, value) => values.push(value),
    end: () => progress.work += widest,
    command() {},
  };
  const decoder = new ChildStreamDecoder("test");
  return {
    progress,
    values,
    applied,
    sink: {
      apply: (bytes: Uint8Array) => {
        applied.push(bytes.length);
        decoder.push(bytes, lines);
      },
      progress,
    },
  };
}

function iterations(from: number, to: number): Uint8Array {
  let text = "";
  for (let i = from; i < to; i++) text += `BEGIN "c.x" ${i}\nSET "d" = ${i}\nEND\n`;
  return new TextEncoder().encode(text);
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

test("a chunk of costly iterations is handed over across many turns, each bounded, in order", async () => {
  const widest = 10_000;
  const r = recorder(widest);
  const socket = new FakeSocket();
  const intake = new SlicedIntake(socket, r.sink, (e) => assert.fail(String(e)));
  const total = 2000;
  intake.push(iterations(0, total));
  // One turn's slice: the work budget, give or take the piece in hand (64 bytes: at most two iterations here).
  const perTurnBound = SLICE_WORK / widest + 2;
  assert.ok(r.values.length <= perTurnBound, `${r.values.length} iterations in the first turn`);
  assert.equal(socket.paused, true);
  let turns = 0;
  let most = r.values.length;
  while (r.values.length < total) {
    const before = r.values.length;
    await nextTurn();
    turns++;
    most = Math.max(most, r.values.length - before);
    assert.ok(turns < total, "the input stopped moving");
  }
  assert.ok(most <= perTurnBound, `${most} iterations in one turn`);
  assert.ok(turns >= total / perTurnBound - 1, `${turns} turns`);
  assert.deepEqual(r.values, Array.from({ length: total }, (_, i) => i));
  assert.equal(socket.paused, false);
  assert.equal(intake.pendingBytes, 0);
  // Pieces are cut anywhere, mid-line included.
  assert.ok(r.applied.some((n) => n % 35 !== 0));
});

test("cheap lines go by bytes: a 200 KiB chunk takes several turns of at most 64 KiB", async () => {
  const r = recorder(0);
  const socket = new FakeSocket();
  const intake = new SlicedIntake(socket, r.sink, (e) => assert.fail(String(e)));
  const chunk = iterations(0, 6000);
  assert.ok(chunk.length > 3 * SLICE_BYTES);
  intake.push(chunk);
  let turns = 1;
  let handed = r.applied.reduce((a, b) => a + b, 0);
  assert.equal(handed, SLICE_BYTES);
  while (intake.pendingBytes > 0) {
    await nextTurn();
    turns++;
    const now = r.applied.reduce((a, b) => a + b, 0);
    assert.ok(now - handed <= SLICE_BYTES);
    handed = now;
  }
  assert.equal(turns, Math.ceil(chunk.length / SLICE_BYTES));
  assert.deepEqual(r.values, Array.from({ length: 6000 }, (_, i) => i));
});

test("a chunk that arrives while a slice waits for its turn goes behind it", async () => {
  const r = recorder(10_000);
  const intake = new SlicedIntake(new FakeSocket(), r.sink, (e) => assert.fail(String(e)));
  intake.push(iterations(0, 50));
  intake.push(iterations(50, 100));
  while (intake.pendingBytes > 0) await nextTurn();
  assert.deepEqual(r.values, Array.from({ length: 100 }, (_, i) => i));
});

test("the socket reads again only when neither input nor replies hold it", async () => {
  const r = recorder(10_000);
  const socket = new FakeSocket();
  const intake = new SlicedIntake(socket, r.sink, (e) => assert.fail(String(e)));
  assert.equal(intake.hold("write"), true);
  assert.equal(intake.hold("write"), false);
  intake.push(iterations(0, 20));
  assert.equal(socket.paused, true);
  while (intake.pendingBytes > 0) await nextTurn();
  assert.equal(socket.paused, true, "replies still wait");
  intake.release("write");
  assert.equal(socket.paused, false);
});

test("what apply throws goes to onError once; the rest is dropped and nothing more is taken", async () => {
  const r = recorder(10_000);
  const errors: unknown[] = [];
  const intake = new SlicedIntake(new FakeSocket(), r.sink, (e) => errors.push(e));
  intake.push(new TextEncoder().encode(`${new TextDecoder().decode(iterations(0, 10))}FOO\n`));
  intake.push(iterations(10, 20));
  for (let i = 0; i < 20; i++) await nextTurn();
  assert.equal(errors.length, 1);
  assert.match(String(errors[0]), /FOO/);
  assert.deepEqual(r.values, Array.from({ length: 10 }, (_, i) => i));
  assert.equal(intake.pendingBytes, 0);
  intake.push(iterations(20, 30));
  assert.equal(r.values.length, 10);
});
