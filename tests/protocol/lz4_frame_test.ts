import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import type { ChildCommand } from "../../src/protocol/commands.ts";
import { CompressedStreamError, MAX_FRAME_INPUT_BYTES } from "../../src/protocol/compressed_frames.ts";
import { Lz4FrameDecoder, Lz4FrameEncoder } from "../../src/protocol/lz4_frame.ts";
import { ChildStreamDecoder } from "../../src/protocol/stream_decoder.ts";
import { fixtureBytes, SHARED_FIXTURES } from "../_fixtures.ts";
import { compressedCapture, noise, random } from "./_lz4.ts";

const DECODED = "netdata-1.37-child-stream-lz4.decoded.txt";
const utf8 = new TextEncoder();

/** Everything `decoder` hands out for `wire` pushed in chunks of the given sizes (cycled). */
function decodeAll(wire: Uint8Array, chunkSizes: number[], decoder = new Lz4FrameDecoder()): Uint8Array {
  const parts: number[] = [];
  let at = 0;
  for (let i = 0; at < wire.length; i++) {
    const n = chunkSizes[i % chunkSizes.length];
    decoder.push(wire.subarray(at, at + n));
    at += n;
    for (let text = decoder.next(); text !== undefined; text = decoder.next()) parts.push(...text);
  }
  return new Uint8Array(parts);
}

function throwsFrame(fn: () => unknown, frame: number, says: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof CompressedStreamError, String(e));
    assert.equal(e.frame, frame);
    assert.match(e.message, says);
    return true;
  });
}

test("lz4 frames: a real 1.37 child's compressed stream decodes to its text, however the bytes are cut", () => {
  const { frames } = compressedCapture();
  const expected = fixtureBytes(DECODED);
  for (const sizes of [[frames.length], [1], [3, 7, 4096], [65536]]) {
    const decoder = new Lz4FrameDecoder();
    const text = decodeAll(frames, sizes, decoder);
    assert.ok(text.length >= Math.min(expected.length, 11_000), `${text.length} bytes`);
    const common = Math.min(text.length, expected.length);
    assert.deepEqual(text.subarray(0, common), new Uint8Array(expected.subarray(0, common)));
    assert.equal(decoder.wireBytes, frames.length);
    assert.equal(decoder.pendingBytes, 0);
    assert.ok(decoder.frames >= 25);
  }
});

test("lz4 frames: the 1.37 header and the cut after a newline, or anywhere with BINARY", () => {
  assert.deepEqual([...new Lz4FrameEncoder(false).encode(utf8.encode("END\n"))], [
    0xfa,
    0x85,
    0x80,
    0x0a,
    0x40,
    ...utf8.encode("END\n"),
  ]);
  const line = `SET "${"x".repeat(88)}" = 1\n`; // 99 bytes
  const text = utf8.encode(line.repeat(400)); // 39,600 bytes
  for (const binary of [false, true]) {
    const decoder = new Lz4FrameDecoder();
    decoder.push(new Lz4FrameEncoder(binary).encode(text));
    const pieces: Uint8Array[] = [];
    for (let t = decoder.next(); t !== undefined; t = decoder.next()) pieces.push(t.slice());
    assert.deepEqual(pieces.map((p) => p.length), binary ? [16000, 16000, 7600] : [15939, 15939, 7722]);
    if (!binary) assert.ok(pieces.every((p) => p[p.length - 1] === 10));
    assert.deepEqual(new Uint8Array(pieces.flatMap((p) => [...p])), text);
  }
});

test("lz4 frames: lines cut between frames come back whole through the line decoder", () => {
  const text = utf8.encode(`BEGIN "system.load" 1000000\nSET "load1" = 520\nEND\n`.repeat(2000));
  const encoder = new Lz4FrameEncoder(true);
  const wire = encoder.encode(text.subarray(0, 50_001));
  const rest = encoder.encode(text.subarray(50_001));
  const decoder = new Lz4FrameDecoder();
  const commands: ChildCommand[] = [];
  const lines = new ChildStreamDecoder("test");
  for (const chunk of [wire, rest]) {
    decoder.push(chunk);
    for (let t = decoder.next(); t !== undefined; t = decoder.next()) lines.push(t, (c) => commands.push(c));
  }
  assert.equal(commands.length, 6000);
  assert.equal(commands.filter((c) => c.kind === "SET").length, 2000);
  assert.ok(encoder.wireBytes * 20 < encoder.textBytes, `${encoder.textBytes} → ${encoder.wireBytes}`);
});

test("lz4 frames: what rill sends, the independent decoder (../shared/fixtures/tools) reads", {
  skip: SHARED_FIXTURES === undefined ? "needs ../shared/fixtures/tools/lz4-stream.mjs" : false,
}, async () => {
  const { Netdata137Deframer } = await import(join(SHARED_FIXTURES!, "tools", "lz4-stream.mjs")) as {
    Netdata137Deframer: new () => { push(chunk: Uint8Array): Uint8Array[] };
  };
  const text = fixtureBytes(DECODED);
  const encoder = new Lz4FrameEncoder(false);
  const deframer = new Netdata137Deframer();
  const next = random(1);
  const parts: Uint8Array[] = [];
  for (let at = 0; at < text.length;) {
    const n = Math.floor(next() * 40_000);
    parts.push(...deframer.push(Buffer.from(encoder.encode(text.subarray(at, at + n)))));
    at += n;
  }
  assert.deepEqual(new Uint8Array(Buffer.concat(parts)), new Uint8Array(text));
});

test("lz4 frames: a bad header, an empty block, a corrupt block and a bomb are errors naming the frame", () => {
  const good = new Lz4FrameEncoder(false).encode(utf8.encode("END\n"));
  const withFrame = (bytes: number[]) => {
    const d = new Lz4FrameDecoder();
    d.push(good);
    d.push(new Uint8Array(bytes));
    d.next();
    return d;
  };
  throwsFrame(
    () => withFrame([...utf8.encode("BEGIN")]).next(),
    2,
    /^compressed frame 2 at stream byte 9: expected a frame header FA 8x 8x 0A, found 42 45 47 49$/,
  );
  throwsFrame(() => withFrame([0xfa, 0x80, 0x80, 0x0a]).next(), 2, /expected a block of 1 byte or more, found 0/);
  throwsFrame(() => withFrame([0xfa, 0x81, 0x80, 0x0a, 0x00]).next(), 2, /expected a block that decodes to text/);
  throwsFrame(
    () => withFrame([0xfa, 0x84, 0x80, 0x0a, 0x10, 0x41, 0x09, 0x00]).next(),
    2,
    /LZ4 block byte 2: expected a match offset within the 5 bytes decoded, found 9 \(a 4-byte block\)/,
  );
  // 1 literal and a 1 MB run in 4,009 bytes: far past the 16 KiB a 1.37 sender puts in a frame.
  const bomb = [0x1f, 0x41, 0x01, 0x00, ...new Array(4000).fill(255), 0, 0x10, 0x41];
  throwsFrame(
    () => withFrame([0xfa, 0x80 | (bomb.length & 0x7f), 0x80 | (bomb.length >> 7), 0x0a, ...bomb]).next(),
    2,
    /expected at most 16384 decoded bytes/,
  );
});

test("lz4 frames: a truncated frame waits for the rest and holds only its own bytes", () => {
  const wire = new Lz4FrameEncoder(false).encode(utf8.encode("BEGIN a 1\nSET x = 1\nEND\n".repeat(100)));
  const decoder = new Lz4FrameDecoder();
  decoder.push(wire.subarray(0, 3));
  assert.equal(decoder.next(), undefined);
  decoder.push(wire.subarray(3, wire.length - 1));
  assert.equal(decoder.next(), undefined);
  assert.equal(decoder.pendingBytes, wire.length - 1);
  decoder.push(wire.subarray(wire.length - 1));
  assert.equal(decoder.next()?.length, 2400);
  assert.equal(decoder.pendingBytes, 0);
});

test("lz4 frames: randomly corrupted real frames decode within bounds or fail with CompressedStreamError", () => {
  const { frames } = compressedCapture();
  const next = random(21);
  let failures = 0;
  for (let round = 0; round < 200; round++) {
    const wire = new Uint8Array(frames.subarray(0, Math.min(frames.length, 4000)));
    for (let k = 0; k < 3; k++) wire[Math.floor(next() * wire.length)] = Math.floor(next() * 256);
    const decoder = new Lz4FrameDecoder();
    decoder.push(wire);
    try {
      for (let t = decoder.next(); t !== undefined; t = decoder.next()) assert.ok(t.length <= 16384);
    } catch (e) {
      assert.ok(e instanceof CompressedStreamError, String(e));
      failures++;
    }
  }
  assert.ok(failures > 50, `${failures} of 200 corrupted streams failed`);
});

test("lz4 frames: text LZ4 cannot shrink still fits the 14-bit length", () => {
  const wire = new Lz4FrameEncoder(true).encode(noise(3 * MAX_FRAME_INPUT_BYTES));
  const decoder = new Lz4FrameDecoder();
  decoder.push(wire);
  let total = 0;
  for (let t = decoder.next(); t !== undefined; t = decoder.next()) total += t.length;
  assert.equal(total, 3 * MAX_FRAME_INPUT_BYTES);
});
