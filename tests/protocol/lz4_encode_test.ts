import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { Lz4StreamDecoder } from "../../src/protocol/lz4_decode.ts";
import { lz4CompressBound, Lz4StreamCompressor } from "../../src/protocol/lz4_encode.ts";
import { fixtureBytes, SHARED_FIXTURES } from "../_fixtures.ts";
import { noise, random, sequences } from "./_lz4.ts";

const DECODED = "netdata-1.37-child-stream-lz4.decoded.txt";

/** The fixture's text cut into commits the way a sender commits: one chart's BEGIN…END at a time. */
function commits(text: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i + 4 < text.length; i++) {
    // "\nEND\n"
    if (text[i] === 10 && text[i + 1] === 69 && text[i + 2] === 78 && text[i + 3] === 68 && text[i + 4] === 10) {
      out.push(new Uint8Array(text.subarray(start, i + 5)));
      start = i + 5;
    }
  }
  if (start < text.length) out.push(new Uint8Array(text.subarray(start)));
  return out;
}

function compressAll(inputs: Uint8Array[]): Uint8Array[] {
  const compressor = new Lz4StreamCompressor();
  return inputs.map((input) => {
    const out = new Uint8Array(lz4CompressBound(input.length));
    return out.slice(0, compressor.compress(input, out, 0));
  });
}

test("lz4 encode: a stream's commits compress about 3× against the history, and decode back", () => {
  const inputs = commits(fixtureBytes(DECODED)).filter((c) => c.length <= 16000);
  const blocks = compressAll(inputs);
  const decoder = new Lz4StreamDecoder();
  let textBytes = 0;
  let blockBytes = 0;
  for (const [i, block] of blocks.entries()) {
    assert.deepEqual(decoder.decode(block, 16384), inputs[i]);
    textBytes += inputs[i].length;
    blockBytes += block.length + 4;
  }
  // The 1.37 child's own frames of this text: 3.2× (fixture README).
  assert.ok(textBytes / blockBytes > 3, `ratio ${textBytes / blockBytes}`);
});

test("lz4 encode: every block keeps LZ4's end rules (last 5 bytes literals, last match ≥ 12 bytes from the end)", () => {
  const next = random(9);
  const inputs = Array.from({ length: 300 }, (_, i) => {
    const n = Math.floor(next() * 200);
    return new TextEncoder().encode(`SET "dim${i % 7}" = ${"0".repeat(n)}\n`.repeat(1 + (i % 5)));
  });
  for (const [i, block] of compressAll(inputs).entries()) {
    const seqs = sequences(block);
    const last = seqs[seqs.length - 1];
    assert.equal(last.matchLength, 0);
    if (inputs[i].length >= 5) assert.ok(last.literals >= 5, `input ${i}: ${last.literals} last literals`);
    for (const s of seqs.slice(0, -1)) {
      assert.ok(inputs[i].length - (s.at + s.literals) >= 12, `input ${i}: a match starts too close to the end`);
    }
  }
});

test("lz4 encode: noise, tiny inputs and inputs larger than the sizing hint round-trip", () => {
  const inputs = [noise(16000), new Uint8Array([1]), new Uint8Array(0), noise(12, 2), noise(13, 3), noise(100_000, 4)];
  const compressor = new Lz4StreamCompressor(1024);
  const decoder = new Lz4StreamDecoder(1024);
  for (const input of inputs) {
    const out = new Uint8Array(lz4CompressBound(input.length));
    const n = compressor.compress(input, out, 0);
    assert.ok(n <= lz4CompressBound(input.length));
    if (input.length === 0) continue;
    assert.deepEqual(decoder.decode(out.subarray(0, n), 100_000), input);
  }
});

test("lz4 encode: an independent decoder (../shared/fixtures/tools/lz4-stream.mjs) reads the blocks", {
  skip: SHARED_FIXTURES === undefined ? "needs ../shared/fixtures/tools/lz4-stream.mjs" : false,
}, async () => {
  const { Lz4StreamDecoder: Independent } = await import(join(SHARED_FIXTURES!, "tools", "lz4-stream.mjs")) as {
    Lz4StreamDecoder: new () => { decodeBlock(block: Uint8Array): Uint8Array };
  };
  const inputs = commits(fixtureBytes(DECODED)).filter((c) => c.length <= 16000);
  const independent = new Independent();
  for (const [i, block] of compressAll(inputs).entries()) {
    assert.deepEqual(new Uint8Array(independent.decodeBlock(Buffer.from(block))), inputs[i], `commit ${i}`);
  }
});
