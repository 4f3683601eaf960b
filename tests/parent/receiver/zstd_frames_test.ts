// zstd between rill nodes (Netdata 1.44's framing): the sender's ZstdFraming decoded by the parent's
// ZstdFrameDecoder, the negotiation a 1.37 peer never takes part in, the same data as plain text, and a
// corrupt frame or a bomb cutting that child off alone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { CompressedStreamError, writeFrameHeader } from "../../../src/protocol/compressed_frames.ts";
import { CAPS_RILL } from "../../../src/protocol/capabilities.ts";
import { ZSTD_MAX_FRAME_TEXT_BYTES, ZstdFrameDecoder } from "../../../src/parent/receiver/zstd_frames.ts";
import { ZstdCompressor } from "../../../src/runtime/zstd.ts";
import { ZstdFraming } from "../../../src/stream/zstd_framing.ts";
import { until } from "../../_until.ts";
import { ACCEPTING, CHILD_GUID, rawChild, request, withParent } from "./_harness.ts";

const utf8 = new TextEncoder();
const DEFINITION = `CHART "test.x" "" "X" "units" "fam" "test.x" "line" 1 1 "" "test.plugin" "mod"\n` +
  `DIMENSION "a" "" "absolute" 1 1 ""\n`;
const OTHER_GUID = "00000000-e718-11f1-8984-000000000002";

/** `n` iterations of `test.x`, the values changing. */
function iterations(from: number, n: number): string {
  let text = "";
  for (let i = from; i < from + n; i++) text += `BEGIN "test.x" 1000000\nSET "a" = ${i * 7919 % 1000}\nEND\n`;
  return text;
}

/** Every text the decoder gives for `wire`, waiting for each frame. */
async function decodeAll(decoder: ZstdFrameDecoder, wire: Uint8Array): Promise<string> {
  let text = "";
  let ready: () => void = () => {};
  decoder.whenReady(() => ready());
  decoder.push(wire);
  for (;;) {
    const waiting = new Promise<void>((resolve) => ready = resolve);
    const piece = decoder.next();
    if (piece !== undefined) {
      text += Buffer.from(piece).toString("latin1");
      continue;
    }
    if (decoder.pendingBytes === 0) return text;
    await waiting;
  }
}

/** The frame of `block`. */
function frame(block: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + block.length);
  writeFrameHeader(out, block.length);
  out.set(block, 4);
  return out;
}

test("ZstdFraming → ZstdFrameDecoder: frames of at most 16,000 bytes of text, lines whole, history across frames", async () => {
  const framing = new ZstdFraming(false);
  const decoder = new ZstdFrameDecoder();
  try {
    const first = iterations(0, 2000);
    const wire1 = await framing.encode(utf8.encode(first));
    assert.equal(await decodeAll(decoder, wire1), first);
    assert.ok(decoder.frames >= Math.ceil(first.length / 16000), `${decoder.frames} frames`);
    // The same text again costs next to nothing: the history spans frames and calls.
    const wire2 = await framing.encode(utf8.encode(first));
    assert.ok(wire2.length * 5 < wire1.length, `${wire2.length} after ${wire1.length}`);
    assert.equal(await decodeAll(decoder, wire2), first);
    assert.equal(framing.textBytes, 2 * first.length);
    assert.equal(decoder.textBytes, 2 * first.length);
    assert.equal(decoder.wireBytes, wire1.length + wire2.length);
  } finally {
    framing.close();
    decoder.clear();
  }
});

test("a zstd frame that decodes past 128 KiB, one zstd rejects, or a history past 2 MiB: a CompressedStreamError naming the frame", async () => {
  const zstd = new ZstdCompressor(3);
  const bomb = await zstd.compress(new Uint8Array(4 * 1024 * 1024).fill(65));
  zstd.close();
  // A stream that asks the parent to keep a 4 MiB history (a Netdata 1.44 sender asks for 2 MiB at most).
  const wide = new ZstdCompressor(3, 22);
  const greedy = await wide.compress(utf8.encode("END\n"));
  wide.close();
  assert.ok(bomb.length < 1000, `${bomb.length} bytes`);
  const cases: [Uint8Array, RegExp][] = [
    [
      frame(bomb),
      new RegExp(`compressed frame 1 at stream byte 0: expected at most ${ZSTD_MAX_FRAME_TEXT_BYTES} bytes`),
    ],
    [
      frame(utf8.encode("not zstd at all")),
      /compressed frame 1 at stream byte 0: zstd rejects it: .* \(a 15-byte zstd block\)/,
    ],
    [frame(greedy), /compressed frame 1 at stream byte 0: zstd rejects it: .*too much memory/],
    [utf8.encode("BEGIN x\n"), /expected a frame header FA 8x 8x 0A, found 42 45 47 49/],
  ];
  for (const [wire, says] of cases) {
    const decoder = new ZstdFrameDecoder();
    await assert.rejects(decodeAll(decoder, wire), (e) => e instanceof CompressedStreamError && says.test(e.message));
    decoder.clear();
  }
});

test("negotiation: rill child and rill parent agree on zstd alone; without compression allowed, neither", {
  timeout: 30_000,
}, async () => {
  const cases: [conf: string, reply: string][] = [
    // 540664 normalised (VCAPS drops V1, V2, VN) and with LZ4 left out for zstd: 539584.
    [ACCEPTING, "Hit me baby, push them over with the version=539584"],
    [`${ACCEPTING}    enable compression = no\n`, "Hit me baby, push them over with the version=15296"],
  ];
  for (const [conf, reply] of cases) {
    await withParent({ streamConf: conf }, async (parent) => {
      const child = await rawChild(parent.port, request({ ver: String(CAPS_RILL) }));
      await until("the reply", () => child.received().length >= reply.length);
      assert.equal(child.received().slice(0, reply.length), reply, conf);
      child.socket.destroy();
    });
  }
});

test("a zstd stream gives the parent what the same text sent plain gives; a corrupt frame cuts that child off alone", {
  timeout: 30_000,
}, async () => {
  await withParent({}, async (parent) => {
    const child = await rawChild(parent.port, request({ ver: String(CAPS_RILL) }));
    const plain = await rawChild(parent.port, request({ machine_guid: OTHER_GUID, hostname: "plain" }));
    await until("the zstd reply", () => child.received().endsWith("version=539584"));
    // 500 iterations: within the backlog a parent takes at once from a chart updated every second.
    const text = `${DEFINITION}${iterations(1, 500)}`;
    const framing = new ZstdFraming(true);
    const wire = await framing.encode(utf8.encode(text));
    framing.close();
    for (let at = 0; at < wire.length; at += 999) child.socket.write(wire.subarray(at, at + 999));
    plain.write(text);
    await until("every iteration, both ways", () =>
      parent.stores.get(CHILD_GUID)?.collections.length === 500 &&
      parent.stores.get(OTHER_GUID)?.collections.length === 500);
    assert.deepEqual(parent.stores.get(CHILD_GUID)!.collections, parent.stores.get(OTHER_GUID)!.collections);

    child.socket.write(frame(utf8.encode("not zstd at all")));
    await child.closed;
    const line = parent.log.find((l) => /zstd rejects it/.test(l));
    assert.ok(line !== undefined, parent.log.join("\n"));
    assert.match(line, /STREAM nd-child \[receive from \[localhost\]:\d+\]: compressed frame \d+ at stream byte \d+: /);
    plain.write(iterations(501, 1));
    await until("the plain child goes on", () => parent.stores.get(OTHER_GUID)?.collections.length === 501);
    assert.equal(parent.receiver.connections().length, 1);
    plain.socket.destroy();
  });
});
