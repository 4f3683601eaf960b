/**
 * Compressed stream sessions for the fuzzer: when a session's STREAM request offers COMPRESSION (`ver=5`, or a
 * bitmask with bit 1024, as the proxy capture's `ver=16376`), a parent that grants it reads LZ4 frames, so the
 * session's text is framed as a 1.37 sender frames it (src/protocol/lz4_frame.ts) and, sometimes, the frames are
 * damaged: a frame cut short, bits flipped in the frames, a bomb (a block that decodes past the 16 KiB a 1.37
 * sender puts in a frame), or plain text in between.
 *
 * @example
 * ```ts
 * import { compressedBytes, offersCompression } from "./scripts/_fuzz_frames.ts";
 *
 * if (offersCompression(head)) bytes = compressedBytes(rng, bytes).bytes;
 * ```
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { CAP_BINARY, CAP_COMPRESSION, convertVersionToCapabilities } from "../src/protocol/capabilities.ts";
import { Lz4FrameEncoder } from "../src/protocol/lz4_frame.ts";
import type { Random } from "./_fuzz_random.ts";

/**
 * The capabilities a STREAM request head offers in `ver=` (0 when it has none that parses).
 *
 * @example
 * ```ts
 * offeredCapabilities("STREAM key=k&ver=16376 HTTP/1.1\r\n\r\n") & CAP_COMPRESSION; // 1024
 * ```
 */
export function offeredCapabilities(head: string): number {
  const ver = /[?&\s]ver=(\d+)/.exec(head.slice(0, head.indexOf("\r\n") >>> 0));
  return ver === null ? 0 : convertVersionToCapabilities(Number(ver[1]), true);
}

/**
 * Whether a parent that allows compression will read this session as LZ4 frames.
 *
 * @example
 * ```ts
 * offersCompression("STREAM key=k&ver=15352 HTTP/1.1\r\n\r\n"); // false
 * ```
 */
export function offersCompression(head: string): boolean {
  return (offeredCapabilities(head) & CAP_COMPRESSION) !== 0;
}

type FrameDamage = (rng: Random, frames: Buffer) => { bytes: Buffer; note: string };

/** A block of 1 literal and a run of about 1 MB: far more than a frame may decode to. */
const BOMB = Buffer.from([
  0xfa,
  0x80 | (4009 & 0x7f),
  0x80 | (4009 >> 7),
  0x0a,
  0x1f,
  0x41,
  1,
  0,
  ...new Array(4000).fill(255),
  0,
  0x10,
  0x41,
]);

const FRAME_DAMAGES: Readonly<Record<string, FrameDamage>> = {
  truncated(rng, frames) {
    const at = rng.int(frames.length);
    const cut = rng.logInt(1, 4096);
    return {
      bytes: Buffer.concat([frames.subarray(0, at), frames.subarray(at + cut)]),
      note: `${cut} bytes cut at ${at}`,
    };
  },
  flipped(rng, frames) {
    const count = rng.logInt(1, 32);
    for (let i = 0; i < count && frames.length > 0; i++) frames[rng.int(frames.length)] ^= 1 << rng.int(8);
    return { bytes: frames, note: `${count} bits flipped in the frames` };
  },
  bomb(rng, frames) {
    const at = frameStart(frames, rng.int(frames.length));
    return { bytes: Buffer.concat([frames.subarray(0, at), BOMB, frames.subarray(at)]), note: `a bomb frame at ${at}` };
  },
  plain(rng, frames) {
    const at = frameStart(frames, rng.int(frames.length));
    const text = Buffer.from('BEGIN "system.cpu" 1000000\nSET "user" = 1\nEND\n');
    return { bytes: Buffer.concat([frames.subarray(0, at), text, frames.subarray(at)]), note: `plain text at ${at}` };
  },
};

/** The start of the frame that holds byte `at` (the end when frames are not whole there). */
function frameStart(frames: Buffer, at: number): number {
  let start = 0;
  while (start + 4 <= frames.length) {
    const end = start + 4 + ((frames[start + 1] & 0x7f) | ((frames[start + 2] & 0x7f) << 7));
    if (end > at || end > frames.length) return start;
    start = end;
  }
  return start;
}

/**
 * `text` framed for a parent that granted compression (lines cut between frames when the head offered BINARY),
 * then damaged in one of four ways in a fifth of the sessions.
 *
 * @example
 * ```ts
 * const { bytes, note } = compressedBytes(rng, Buffer.from(text), offeredCapabilities(head));
 * ```
 */
export function compressedBytes(rng: Random, text: Buffer, offered: number): { bytes: Buffer; note: string } {
  const frames = Buffer.from(new Lz4FrameEncoder((offered & CAP_BINARY) !== 0).encode(text));
  const note = `LZ4: ${text.length} B in ${frames.length} B`;
  if (!rng.chance(0.2)) return { bytes: frames, note };
  const name = rng.pick(Object.keys(FRAME_DAMAGES));
  const damaged = FRAME_DAMAGES[name](rng, frames);
  return { bytes: damaged.bytes, note: `${note}; ${name}: ${damaged.note}` };
}
