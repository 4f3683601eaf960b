/**
 * The 1.37 compressed-stream framing (protocol reference §11) on the sending side, with LZ4 blocks made of
 * literals only. Such blocks are valid LZ4 that any decoder reads (history window included), so a parent
 * that insists on compression (`version=5`) is served correctly before rill has a real LZ4 compressor;
 * they are 4–6 bytes per frame larger than the text, never smaller.
 *
 * @module
 */

/** Largest text put in one frame: keeps the literal-only block under the 14-bit length field. */
export const MAX_FRAME_INPUT_BYTES = 16000;

const NEWLINE = 10;

/**
 * Frames `bytes` as 1.37 does: pieces of at most {@link MAX_FRAME_INPUT_BYTES}, cut after a newline unless
 * `mayCutLines` (the BINARY capability) allows cutting anywhere; each piece as header `FA`, length low 7
 * bits | 0x80, next 7 bits | 0x80, `0A`, then the LZ4 block.
 *
 * @example
 * ```ts
 * const frames = frameLiteralLz4(new TextEncoder().encode("END\n"), false);
 * frames[0]; // Uint8Array [0xfa, 0x85, 0x80, 0x0a, 0x40, 0x45, 0x4e, 0x44, 0x0a]
 * ```
 */
export function frameLiteralLz4(bytes: Uint8Array, mayCutLines: boolean): Uint8Array[] {
  const frames: Uint8Array[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(bytes.length, start + MAX_FRAME_INPUT_BYTES);
    if (end < bytes.length && !mayCutLines) {
      const cut = bytes.lastIndexOf(NEWLINE, end - 1);
      if (cut >= start) end = cut + 1;
    }
    frames.push(literalFrame(bytes.subarray(start, end)));
    start = end;
  }
  return frames;
}

function literalFrame(literals: Uint8Array): Uint8Array {
  const n = literals.length;
  // Token: literal count in the high nibble (15 = more bytes follow: 255s, then the rest), no match.
  const extra = n < 15 ? 0 : Math.floor((n - 15) / 255) + 1;
  const blockLength = 1 + extra + n;
  const frame = new Uint8Array(4 + blockLength);
  frame[0] = 0xfa;
  frame[1] = 0x80 | (blockLength & 0x7f);
  frame[2] = 0x80 | ((blockLength >> 7) & 0x7f);
  frame[3] = 0x0a;
  let i = 4;
  frame[i++] = Math.min(n, 15) << 4;
  if (n >= 15) {
    let rest = n - 15;
    while (rest >= 255) {
      frame[i++] = 255;
      rest -= 255;
    }
    frame[i++] = rest;
  }
  frame.set(literals, i);
  return frame;
}
