// The frames every compression shares: the header, where a piece ends, and the reader that hands out blocks.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CompressedStreamError,
  framePieceEnd,
  FrameReader,
  MAX_FRAME_INPUT_BYTES,
  writeFrameHeader,
} from "../../src/protocol/compressed_frames.ts";

const utf8 = new TextEncoder();

test("writeFrameHeader: FA, the length's low and high 7 bits with 0x80, 0A", () => {
  const out = new Uint8Array(4);
  writeFrameHeader(out, 16383);
  assert.deepEqual([...out], [0xfa, 0xff, 0xff, 0x0a]);
  writeFrameHeader(out, 130);
  assert.deepEqual([...out], [0xfa, 0x82, 0x81, 0x0a]);
});

test("framePieceEnd: at most 16,000 bytes, after the last newline unless lines may be cut", () => {
  const text = utf8.encode("x".repeat(9999) + "\n" + "y".repeat(9999) + "\n");
  assert.equal(framePieceEnd(text, 0, false), 10000);
  assert.equal(framePieceEnd(text, 0, true), MAX_FRAME_INPUT_BYTES);
  assert.equal(framePieceEnd(text, 10000, false), text.length);
  const oneLine = utf8.encode("z".repeat(20000));
  assert.equal(framePieceEnd(oneLine, 0, false), MAX_FRAME_INPUT_BYTES, "no newline: cut anyway");
});

test("FrameReader: blocks across chunks, the same block until done, a bad header named with its frame", () => {
  const reader = new FrameReader();
  const header = new Uint8Array(4);
  writeFrameHeader(header, 3);
  reader.push(header.subarray(0, 2));
  assert.equal(reader.nextBlock(), undefined);
  reader.push(new Uint8Array([...header.subarray(2), 1, 2]));
  assert.equal(reader.nextBlock(), undefined, "the block is not complete");
  reader.push(new Uint8Array([3, 0x42, 0x45, 0x47, 0x49]));
  assert.deepEqual([...reader.nextBlock()!], [1, 2, 3]);
  assert.deepEqual([...reader.nextBlock()!], [1, 2, 3], "not done yet");
  reader.done();
  assert.deepEqual([reader.frames, reader.wireBytes, reader.pendingBytes], [1, 7, 4]);
  assert.throws(
    () => reader.nextBlock(),
    (e) =>
      e instanceof CompressedStreamError &&
      e.message === "compressed frame 2 at stream byte 7: expected a frame header FA 8x 8x 0A, found 42 45 47 49",
  );
  reader.clear();
  assert.equal(reader.pendingBytes, 0);
});
