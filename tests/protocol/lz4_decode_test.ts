import { test } from "node:test";
import assert from "node:assert/strict";
import { Lz4BlockError, Lz4StreamDecoder } from "../../src/protocol/lz4_decode.ts";
import { lz4CompressBound, Lz4StreamCompressor } from "../../src/protocol/lz4_encode.ts";
import { noise, random } from "./_lz4.ts";

const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);

function throwsBlock(fn: () => unknown, says: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof Lz4BlockError, String(e));
    assert.match(e.message, says);
    return true;
  });
}

test("lz4 decode: literals, then a block that copies from the one before it", () => {
  const decoder = new Lz4StreamDecoder();
  assert.equal(str(decoder.decode(new Uint8Array([0x40, ...text("END\n")]), 16384)), "END\n");
  // No literal, a 4-byte match 4 back (into the previous block), then one literal.
  assert.equal(str(decoder.decode(new Uint8Array([0x00, 4, 0, 0x10, 0x0a]), 16384)), "END\n\n");
  assert.equal(decoder.windowBytes, 9);
});

test("lz4 decode: an overlapping match repeats a run; extended literal and match lengths", () => {
  const decoder = new Lz4StreamDecoder();
  // 1 literal 'a', match offset 1 length 4+15+255+10 = 284, then 20 literals (15 + 5).
  const block = new Uint8Array([0x1f, 0x61, 1, 0, 255, 10, 0xf0, 5, ...text("b".repeat(20))]);
  assert.equal(str(decoder.decode(block, 16384)), "a".repeat(285) + "b".repeat(20));
});

/** A block of literals only. */
function literalBlock(bytes: Uint8Array): Uint8Array {
  const lengths: number[] = [];
  if (bytes.length >= 15) {
    let rest = bytes.length - 15;
    for (; rest >= 255; rest -= 255) lengths.push(255);
    lengths.push(rest);
  }
  return new Uint8Array([Math.min(bytes.length, 15) << 4, ...lengths, ...bytes]);
}

test("lz4 decode: matches reach 65535 bytes back across many blocks, also after the window slid", () => {
  const decoder = new Lz4StreamDecoder(1024);
  const all: number[] = [];
  for (let i = 0; i < 300; i++) {
    const literals = noise(1000, i + 1);
    assert.deepEqual(decoder.decode(literalBlock(literals), 1024), literals);
    all.push(...literals);
  }
  // 1 literal, then 100 bytes copied from 65535 back (counted from the match's start), then 5 literals.
  const block = new Uint8Array([0x1f, 0x2a, 0xff, 0xff, 100 - 19, 0x50, ...text("tail!")]);
  const out = decoder.decode(block, 1024);
  all.push(0x2a);
  const from = all.length - 65535;
  const expected = [0x2a, ...all.slice(from, from + 100), ...text("tail!")];
  assert.deepEqual([...out], expected);
});

test("lz4 decode: a fresh decoder (a new connection) has no history to copy from", () => {
  const first = new Lz4StreamDecoder();
  first.decode(new Uint8Array([0x40, ...text("END\n")]), 16384);
  const block = new Uint8Array([0x00, 4, 0, 0x10, 0x0a]);
  assert.equal(str(first.decode(block, 16384)), "END\n\n");
  throwsBlock(
    () => new Lz4StreamDecoder().decode(block, 16384),
    /expected a match offset within the 0 bytes decoded, found 4/,
  );
});

test("lz4 decode: corrupt and truncated blocks are errors that say where and what", () => {
  const cases: [number[], RegExp][] = [
    [[], /byte 0: expected at least one sequence, found an empty block/],
    [[0x50, 0x41, 0x42], /byte 1: expected 5 literal bytes, found 2/],
    [[0xf0], /byte 1: expected more literal length bytes, found the block's end/],
    [[0xf0, 255], /expected more literal length bytes/],
    [[0x10, 0x41, 0x01], /expected a 2-byte match offset, found the block's end/],
    [[0x10, 0x41, 0x00, 0x00, 0x10, 0x41], /byte 2: expected a match offset of 1 or more, found 0/],
    [[0x10, 0x41, 0x02, 0x00, 0x10, 0x41], /byte 2: expected a match offset within the 1 bytes decoded, found 2/],
    [[0x1f, 0x41, 0x01, 0x00], /expected more match length bytes, found the block's end/],
    [[0x10, 0x41, 0x01, 0x00], /expected the block to end with literals, found it ending with a match/],
  ];
  for (const [bytes, says] of cases) {
    throwsBlock(() => new Lz4StreamDecoder().decode(new Uint8Array(bytes), 16384), says);
  }
});

test("lz4 decode: a block that would decode past the limit (a bomb) fails before writing it", () => {
  // 1 literal, then a run of 4 + 15 + 255 × 4000 bytes (about 1 MB) from a 10-byte-a-KB block.
  const bomb = new Uint8Array([0x1f, 0x41, 0x01, 0x00, ...new Array(4000).fill(255), 0, 0x10, 0x41]);
  throwsBlock(
    () => new Lz4StreamDecoder().decode(bomb, 16384),
    /expected at most 16384 decoded bytes, found a block that decodes to more/,
  );
  throwsBlock(() => new Lz4StreamDecoder().decode(literalBlock(noise(20)), 16), /expected at most 16 decoded bytes/);
  // Exactly the limit is fine.
  assert.equal(new Lz4StreamDecoder().decode(literalBlock(noise(16)), 16).length, 16);
});

test("lz4 decode: whatever the bytes, a random block decodes within its limit or throws Lz4BlockError", () => {
  const next = random(11);
  for (let i = 0; i < 2000; i++) {
    const decoder = new Lz4StreamDecoder(512);
    decoder.decode(literalBlock(noise(300, i + 100)), 512);
    const block = Uint8Array.from({ length: 1 + Math.floor(next() * 40) }, () => Math.floor(next() * 256));
    try {
      assert.ok(decoder.decode(block, 512).length <= 512);
    } catch (e) {
      assert.ok(e instanceof Lz4BlockError, String(e));
    }
  }
});

test("lz4 decode: reads what the compressor writes, block after block", () => {
  const compressor = new Lz4StreamCompressor(4096);
  const decoder = new Lz4StreamDecoder(4096);
  const next = random(5);
  const out = new Uint8Array(lz4CompressBound(4096));
  for (let i = 0; i < 200; i++) {
    const line = `BEGIN "chart.${i % 17}" ${1000000 + i}\nSET "d" = ${Math.floor(next() * 1000)}\nEND\n`;
    const input = text(line.repeat(1 + Math.floor(next() * 30)));
    const n = compressor.compress(input, out, 0);
    assert.deepEqual(decoder.decode(out.subarray(0, n), 4096), input);
  }
});
