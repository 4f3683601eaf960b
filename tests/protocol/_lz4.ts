/**
 * Helpers of the LZ4 tests: the 1.37 compressed fixture split into its request head and frames, text that
 * compresses like a stream and text that does not, and a reader of a block's sequences (to check the
 * format's end-of-block rules).
 */
import { fixtureBytes } from "../_fixtures.ts";

/** The compressed capture of a real 1.37 child: its request head, and the frames after it. */
export function compressedCapture(): { head: Uint8Array; frames: Uint8Array } {
  const bin = fixtureBytes("netdata-1.37-child-stream-lz4.bin");
  let end = 0;
  while (!(bin[end] === 13 && bin[end + 1] === 10 && bin[end + 2] === 13 && bin[end + 3] === 10)) end++;
  return { head: bin.subarray(0, end + 4), frames: bin.subarray(end + 4) };
}

/** A deterministic generator (xorshift32), so random tests repeat. */
export function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

/** `n` bytes of noise: LZ4 cannot shrink them. */
export function noise(n: number, seed = 7): Uint8Array {
  const next = random(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(next() * 256));
}

/** One sequence of an LZ4 block, as read back from it. */
export interface Sequence {
  /** Where the sequence's literals start in the block's output. */
  readonly at: number;
  readonly literals: number;
  /** 0 for the last sequence (literals only). */
  readonly matchLength: number;
}

/** The sequences of `block` (assumed well-formed). */
export function sequences(block: Uint8Array): Sequence[] {
  const out: Sequence[] = [];
  let ip = 0;
  let produced = 0;
  while (ip < block.length) {
    const token = block[ip++];
    let literals = token >> 4;
    if (literals === 15) { for (let b = 255; b === 255;) literals += b = block[ip++]; }
    ip += literals;
    if (ip >= block.length) {
      out.push({ at: produced, literals, matchLength: 0 });
      break;
    }
    ip += 2;
    let matchLength = (token & 15) + 4;
    if ((token & 15) === 15) { for (let b = 255; b === 255;) matchLength += b = block[ip++]; }
    out.push({ at: produced, literals, matchLength });
    produced += literals + matchLength;
  }
  return out;
}
