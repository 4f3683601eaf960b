// Compressed streams that no 1.37 sender makes, against rill-parent on the test's runtime while the hardening
// harness's well-behaved child streams once a second (tests/e2e/_hardening.ts): a real 1.37 child's LZ4 frames
// (the compressed capture) followed by a truncated frame, a corrupt block, a bomb (a block that decodes far past
// the 16 KiB a 1.37 sender puts in a frame), plain text, and seeded random damage. Each such child alone is cut
// off, the named ones with a log line naming it and the frame; the parent stays up, its RSS bounded, and the
// well-behaved child's data keeps advancing. The same for zstd (what rill nodes speak): the capture's text
// framed by rill's ZstdFraming, then broken frames.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { CompressedStreamError } from "../../src/protocol/compressed_frames.ts";
import { Lz4FrameDecoder } from "../../src/protocol/lz4_frame.ts";
import { CAPS_RILL } from "../../src/protocol/capabilities.ts";
import { ZstdCompressor } from "../../src/runtime/zstd.ts";
import { fixtureBytes } from "../_fixtures.ts";
import { rawChild, request } from "../parent/receiver/_harness.ts";
import { compressedCapture, random } from "../protocol/_lz4.ts";
import { until } from "../_until.ts";
import { writeDrained } from "../_drained.ts";
import { type Hardening, HARDENING_SKIP, withHardening } from "./_hardening.ts";

/** The frame check's verdict on `wire`: the error a parent must cut the child off with, if any. */
function frameError(wire: Uint8Array): CompressedStreamError | undefined {
  const decoder = new Lz4FrameDecoder();
  decoder.push(wire);
  try {
    while (decoder.next() !== undefined);
  } catch (e) {
    if (e instanceof CompressedStreamError) return e;
    throw e;
  }
  return undefined;
}

/** Whole frames of the capture: [start, end) offsets of each in `frames`. */
function frameBounds(frames: Uint8Array): [number, number][] {
  const bounds: [number, number][] = [];
  for (let at = 0; at + 4 <= frames.length;) {
    const end = at + 4 + ((frames[at + 1] & 0x7f) | ((frames[at + 2] & 0x7f) << 7));
    if (end > frames.length) break;
    bounds.push([at, end]);
    at = end;
  }
  return bounds;
}

function frame(block: number[]): Uint8Array {
  return new Uint8Array([0xfa, 0x80 | (block.length & 0x7f), 0x80 | (block.length >> 7), 0x0a, ...block]);
}

/** A child that negotiated LZ4 (ver=16376, 1.37's), or zstd (rill's ver), under a fresh identity. */
async function compressingChild(h: Hardening, codec: "lz4" | "zstd" = "lz4") {
  const guid = randomUUID();
  const hostname = `${codec}-${guid.slice(0, 8)}`;
  const ver = codec === "lz4" ? "16376" : String(CAPS_RILL);
  const child = await rawChild(h.port, request({ hostname, registry_hostname: hostname, machine_guid: guid, ver }));
  await until(`${hostname} accepted`, () => child.received().startsWith("Hit me baby"), 20_000);
  assert.match(child.received(), codec === "lz4" ? /version=16320$/ : /version=539584$/);
  return { ...child, hostname };
}

const { frames } = compressedCapture();
const bounds = frameBounds(frames);
const GOOD = 12;
const good = frames.subarray(0, bounds[GOOD][0]);
const next = frames.subarray(bounds[GOOD][0], bounds[GOOD][1]);

/** What follows the good frames, and what the parent's log must then say. */
const BROKEN: [what: string, bytes: Uint8Array, says: RegExp][] = [
  [
    "a truncated frame (its header promises more than comes before the next frame)",
    new Uint8Array([
      ...next.subarray(0, 4 + Math.floor((next.length - 4) / 2)),
      ...frames.subarray(bounds[GOOD + 1][0]),
    ]),
    /compressed frame 13 at stream byte \d+: (LZ4 block|expected a frame header)/,
  ],
  [
    "a corrupt block (a match before the start of the stream)",
    frame([0x10, 0x41, 0xff, 0xff, 0x10, 0x41]),
    /compressed frame 13 at stream byte \d+: LZ4 block byte 2: expected a match offset within the \d+ bytes decoded, found 65535/,
  ],
  [
    "a bomb (1 MB from a 4 kB block)",
    frame([0x1f, 0x41, 0x01, 0x00, ...new Array(4000).fill(255), 0, 0x10, 0x41]),
    /compressed frame 13 at stream byte \d+: .*expected at most 16384 decoded bytes, found a block that decodes to more/,
  ],
  [
    "plain text in a compressed stream",
    new TextEncoder().encode('BEGIN "system.cpu" 1000000\nSET "user" = 1\nEND\n'),
    /compressed frame 13 at stream byte \d+: expected a frame header FA 8x 8x 0A, found 42 45 47 49/,
  ],
];

test("broken compressed frames cut off that child alone, with a log line naming it and the frame", {
  skip: HARDENING_SKIP ?? false,
  timeout: 120_000,
}, async () => {
  await withHardening({ childCharts: 40 }, async (h) => {
    for (const [what, bytes, says] of BROKEN) {
      const child = await compressingChild(h);
      await writeDrained(child.socket, good);
      await writeDrained(child.socket, bytes);
      await child.closed;
      // The log line comes through the parent's stderr pipe, maybe after the socket closed.
      const line = await until(
        `${what}: a log line ${says} for ${child.hostname}`,
        () => h.parent.output().split("\n").find((l) => l.includes(child.hostname) && says.test(l)),
        10_000,
      );
      assert.match(line, /Disabling it\.$/);
      await h.waitForAdvances(1);
    }
  });
});

test(
  "60 randomly damaged compressed streams: each one a frame check rejects is cut off; the parent stays up and fair",
  {
    skip: HARDENING_SKIP ?? false,
    timeout: 180_000,
  },
  async () => {
    await withHardening({ childCharts: 40 }, async (h) => {
      const rng = random(20261203);
      let rejected = 0;
      let frameCuts = 0;
      for (let session = 0; session < 60; session++) {
        const child = await compressingChild(h);
        const damaged = new Uint8Array(frames.subarray(0, bounds[40 + Math.floor(rng() * 200)][1]));
        const flips = 1 + Math.floor(rng() * 8);
        for (let i = 0; i < flips; i++) damaged[Math.floor(rng() * damaged.length)] ^= 1 << Math.floor(rng() * 8);
        const piece = 1 + Math.floor(rng() * 4096);
        for (let at = 0; at < damaged.length && !child.socket.destroyed; at += piece) {
          await writeDrained(child.socket, damaged.subarray(at, at + piece));
        }
        // The same check as the parent's, run here: a stream it rejects must be cut off, with an error line
        // naming the child: that frame's, or an earlier broken line's (a flipped literal decodes to a broken
        // command, or to a chart that does not exist).
        // A damaged stream that still decodes may break the line language instead, or parse: it just leaves.
        const error = frameError(damaged);
        if (error !== undefined) {
          rejected++;
          await child.closed;
          const line = await until(
            `the log line for ${child.hostname}`,
            () => h.parent.output().split("\n").find((l) => l.includes(" ERROR ") && l.includes(`[${child.hostname},`)),
          );
          if (line.includes(`compressed frame ${error.frame} `)) frameCuts++;
        }
        child.socket.destroy();
      }
      assert.ok(rejected >= 10, `${rejected} of 60 damaged streams failed the frame check`);
      assert.ok(frameCuts > 0, "no child was cut off by the frame check itself");
      console.log(
        `${rejected} of 60 damaged streams failed the frame check and were cut off (${frameCuts} at that frame)`,
      );
    });
  },
);

test("broken zstd frames cut off that child alone, with a log line naming it and the frame", {
  skip: HARDENING_SKIP ?? false,
  timeout: 120_000,
}, async () => {
  // The 1.37 child's stream as a rill sender sends it with zstd (20 frames of 16,000 bytes of its text), then,
  // from the same zstd stream, a bomb: 8 MB of text in one frame of a few hundred bytes.
  const text = fixtureBytes("netdata-1.37-child-stream-lz4.decoded.txt").subarray(0, 20 * 16_000);
  const stream = async () => {
    const zstd = new ZstdCompressor(3);
    const good: number[] = [];
    for (let at = 0; at < text.length; at += 16_000) {
      good.push(...frame([...await zstd.compress(text.subarray(at, at + 16_000))]));
    }
    const bomb = frame([...await zstd.compress(new Uint8Array(8 * 1024 * 1024).fill(0x41))]);
    zstd.close();
    return { good: new Uint8Array(good), bomb };
  };
  const broken: [what: string, bytes: (bomb: Uint8Array) => Uint8Array, says: RegExp | undefined][] = [
    // A frame cut short is only known once the connection ends: the child leaves, and is gone alone.
    ["a truncated frame", (bomb) => bomb.subarray(0, bomb.length >> 1), undefined],
    ["a corrupt block", () => frame([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), /zstd rejects it: /],
    ["a bomb (8 MB of text in one frame)", (bomb) => bomb, /expected at most 131072 bytes of text, found more/],
    [
      "plain text",
      () => new TextEncoder().encode('BEGIN "system.cpu" 1000000\n'),
      /expected a frame header FA 8x 8x 0A/,
    ],
  ];
  await withHardening({ childCharts: 40 }, async (h) => {
    for (const [what, bytes, says] of broken) {
      const child = await compressingChild(h, "zstd");
      const { good, bomb } = await stream();
      await writeDrained(child.socket, good);
      await writeDrained(child.socket, bytes(bomb));
      if (says === undefined) child.socket.end();
      await child.closed;
      if (says !== undefined) {
        // The log line comes through the parent's stderr pipe, maybe after the socket closed.
        const line = await until(
          `${what}: a log line ${says} for ${child.hostname}`,
          () => h.parent.output().split("\n").find((l) => l.includes(child.hostname) && says.test(l)),
          10_000,
        );
        assert.match(line, /compressed frame 21 at stream byte \d+: /);
        assert.match(line, /Disabling it\.$/);
      }
      await h.waitForAdvances(1);
    }
  });
});
