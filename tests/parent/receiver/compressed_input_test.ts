import { test } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { lz4Input } from "../../../src/parent/receiver/compressed_input.ts";
import { SLICE_BYTES, SlicedIntake } from "../../../src/parent/receiver/intake.ts";
import { ChildStreamDecoder } from "../../../src/protocol/stream_decoder.ts";
import { Lz4FrameEncoder } from "../../../src/protocol/lz4_frame.ts";
import { fixtureBytes } from "../../_fixtures.ts";
import { until } from "../../_until.ts";
import { compressedCapture } from "../../protocol/_lz4.ts";
import { ACCEPTING, CHILD_GUID, KEY, rawChild, request, withParent } from "./_harness.ts";

const DEFINITION = `CHART "test.x" "" "X" "units" "fam" "test.x" "line" 1 1 "" "test.plugin" "mod"\n` +
  `DIMENSION "a" "" "absolute" 1 1 ""\n`;
const OTHER_GUID = "00000000-e718-11f1-8984-000000000002";
const utf8 = new TextEncoder();

/** Lines that are exactly `END` in `text`: the iterations a parent applies. */
function iterations(text: Uint8Array): number {
  return Buffer.from(text).toString("latin1").split("\n").filter((l) => l === "END").length;
}

/** Writes `bytes` in pieces of `size`, each its own write. */
function writeInPieces(write: (b: Uint8Array) => void, bytes: Uint8Array, size: number): void {
  for (let at = 0; at < bytes.length; at += size) write(bytes.subarray(at, at + size));
}

test("compression is granted as 1.37 grants it: all of [stream], the key and the machine GUID must allow it", {
  timeout: 30_000,
}, async () => {
  const cases: [conf: string, ver: string, reply: string][] = [
    [ACCEPTING, "16376", "Hit me baby, push them over with the version=16320"],
    [ACCEPTING, "5", "Hit me baby, push them over with the version=5"],
    [ACCEPTING, "15352", "Hit me baby, push them over with the version=15296"],
    [`${ACCEPTING}    enable compression = no\n`, "16376", "Hit me baby, push them over with the version=15296"],
    [
      `${ACCEPTING}[${CHILD_GUID}]\n    enable compression = no\n`,
      "5",
      "Hit me baby, push them over with the version=4",
    ],
    [
      `${ACCEPTING}[stream]\n    enable compression = no\n`,
      "16376",
      "Hit me baby, push them over with the version=15296",
    ],
  ];
  for (const [conf, ver, reply] of cases) {
    await withParent({ streamConf: conf }, async (parent) => {
      const child = await rawChild(parent.port, request({ ver }));
      await until(`the reply to ver=${ver}`, () => child.received().length >= reply.length);
      assert.equal(child.received().slice(0, reply.length), reply, conf);
      child.socket.destroy();
    });
  }
});

test("a real 1.37 child's compressed stream gives the parent what the same text sent plain gives", {
  timeout: 60_000,
}, async () => {
  const { head, frames } = compressedCapture();
  const text = fixtureBytes("netdata-1.37-child-stream-lz4.decoded.txt");
  await withParent({}, async (parent) => {
    // The capture's own request head: ver=16376, the fixture's key and machine GUID.
    assert.match(Buffer.from(head).toString("latin1"), new RegExp(`key=${KEY}.*machine_guid=${CHILD_GUID}`, "s"));
    const compressed = await rawChild(parent.port, Buffer.from(head).toString("latin1"));
    await until(
      "the reply",
      () => compressed.received().startsWith("Hit me baby, push them over with the version=16320"),
    );
    const conn = parent.receiver.connections()[0];
    writeInPieces((b) => compressed.socket.write(b), frames, 1337);
    const plain = await rawChild(parent.port, request({ machine_guid: OTHER_GUID, hostname: "plain" }));
    writeInPieces((b) => plain.socket.write(b), text, 4096);
    const expected = iterations(text);
    assert.ok(expected > 10, `${expected} iterations`);
    await until("every iteration, both ways", () =>
      parent.stores.get(CHILD_GUID)?.collections.length === expected &&
      parent.stores.get(OTHER_GUID)?.collections.length === expected, 30_000);
    const a = parent.stores.get(CHILD_GUID)!;
    const b = parent.stores.get(OTHER_GUID)!;
    assert.deepEqual(a.collections, b.collections);
    assert.deepEqual(a.replayed, b.replayed);
    assert.deepEqual(a.ended, b.ended);
    assert.equal(conn.session.updates, parent.receiver.connections()[1].session.updates);
    assert.doesNotMatch(parent.log.join("\n"), /Disabling|compressed frame/);
    compressed.socket.destroy();
    plain.socket.destroy();
  });
});

test("a corrupt frame or a bomb cuts that child off alone, with a log line naming it and the frame", {
  timeout: 30_000,
}, async () => {
  const bomb = [0x1f, 0x41, 0x01, 0x00, ...new Array(4000).fill(255), 0, 0x10, 0x41];
  const broken: [what: string, bytes: number[], says: RegExp][] = [
    ["plain text", [...utf8.encode('BEGIN "test.x"\n')], /expected a frame header FA 8x 8x 0A, found 42 45 47 49/],
    ["a corrupt block", [0xfa, 0x84, 0x80, 0x0a, 0x10, 0x41, 0xff, 0x7f], /expected a match offset within the/],
    [
      "a bomb",
      [0xfa, 0x80 | (bomb.length & 0x7f), 0x80 | (bomb.length >> 7), 0x0a, ...bomb],
      /expected at most 16384 decoded bytes/,
    ],
  ];
  for (const [what, bytes, says] of broken) {
    await withParent({}, async (parent) => {
      const child = await rawChild(parent.port, request({ ver: "16376" }));
      const other = await rawChild(parent.port, request({ machine_guid: OTHER_GUID, hostname: "other" }));
      await until("the reply", () => child.received().endsWith("version=16320"));
      const encoder = new Lz4FrameEncoder(true);
      child.socket.write(encoder.encode(utf8.encode(`${DEFINITION}BEGIN "test.x" 1000000\nSET "a" = 1\nEND\n`)));
      other.write(`${DEFINITION}BEGIN "test.x" 1000000\nSET "a" = 1\nEND\n`);
      await until("an iteration from each", () =>
        parent.stores.get(CHILD_GUID)?.collections.length === 1 &&
        parent.stores.get(OTHER_GUID)?.collections.length === 1);
      child.socket.write(new Uint8Array(bytes));
      await child.closed;
      const line = parent.log.find((l) => says.test(l));
      assert.ok(line !== undefined, `${what}: ${parent.log.join("\n")}`);
      assert.match(line, /STREAM nd-child \[receive from \[localhost\]:\d+\]: compressed frame 2 at stream byte \d+: /);
      assert.match(line, /Disabling it\.$/);
      other.write(`BEGIN "test.x" 2000000\nSET "a" = 2\nEND\n`);
      await until("the other child goes on", () => parent.stores.get(OTHER_GUID)?.collections.length === 2);
      assert.equal(parent.receiver.connections().length, 1);
      other.socket.destroy();
    });
  }
});

test("lz4Input(): hands out one frame's text at a time and counts what it holds", () => {
  const input = lz4Input();
  const wire = new Lz4FrameEncoder(false).encode(utf8.encode("SET x = 1\n".repeat(3000)));
  input.push(wire);
  assert.equal(input.pendingBytes, wire.length);
  const first = input.peek()!;
  assert.equal(first.length, 16000);
  input.consume(10);
  assert.equal(input.peek()!.length, 15990);
  input.consume(15990);
  assert.equal(input.peek()!.length, 14000);
  input.clear();
  assert.equal(input.pendingBytes, 0);
  assert.equal(input.peek(), undefined);
});

test("a compressed chunk that decodes 200 times larger is handed over in slices, one frame held at a time", () => {
  // 4 MB of identical iterations: LZ4 keeps little more than the match lengths.
  const text = utf8.encode('BEGIN "c.x" 1\nSET "d" = 1\nEND\n'.repeat(130_000));
  const wire = new Lz4FrameEncoder(true).encode(text);
  assert.ok(text.length > 200 * wire.length, `${text.length} in ${wire.length}`);
  const socket = {
    paused: false,
    pause() {
      this.paused = true;
    },
    resume() {
      this.paused = false;
    },
  };
  let next: (() => void) | undefined;
  const progress = { work: 0, widestChart: 1 };
  const decoder = new ChildStreamDecoder("test");
  let sets = 0;
  let handed = 0;
  const input = lz4Input();
  const intake = new SlicedIntake(
    socket,
    {
      apply(bytes) {
        handed += bytes.length;
        decoder.push(bytes, { begin() {}, set: () => sets++, end: () => progress.work++, command() {} });
      },
      progress,
    },
    (e) => assert.fail(String(e)),
    (slice) => next = slice,
    input,
  );
  intake.push(wire);
  const perTurn = [handed];
  let held = 0;
  while (next !== undefined) {
    assert.ok(socket.paused, "the socket waits while slices are left");
    // Decoded and not handed over: never more than the one frame being handed out.
    held = Math.max(held, input.pendingBytes - input.frames.pendingBytes);
    const slice = next;
    next = undefined;
    const before = handed;
    slice();
    perTurn.push(handed - before);
  }
  assert.ok(!socket.paused);
  assert.equal(sets, 130_000);
  assert.ok(perTurn.length >= text.length / SLICE_BYTES, `${perTurn.length} turns`);
  assert.ok(perTurn.every((n) => n <= SLICE_BYTES), perTurn.join(" "));
  assert.ok(held <= 16_384, `${held} decoded bytes held`);
});
