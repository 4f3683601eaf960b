import { test } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { CompressedStreamError } from "../../src/protocol/compressed_frames.ts";
import { Lz4FrameDecoder } from "../../src/protocol/lz4_frame.ts";
import { compressedBytes, offeredCapabilities, offersCompression } from "../../scripts/_fuzz_frames.ts";
import { Random } from "../../scripts/_fuzz_random.ts";
import { fixtureText } from "../_fixtures.ts";

const head = (name: string) => fixtureText(name).slice(0, fixtureText(name).indexOf("\r\n\r\n") + 4);

/** The frames' text, or the error the frame check stops at. */
function decode(bytes: Uint8Array): string | CompressedStreamError {
  const decoder = new Lz4FrameDecoder();
  decoder.push(bytes);
  let text = "";
  try {
    for (let t = decoder.next(); t !== undefined; t = decoder.next()) text += Buffer.from(t).toString("latin1");
  } catch (e) {
    if (e instanceof CompressedStreamError) return e;
    throw e;
  }
  return text;
}

test("fuzz frames: the proxy capture's request offers compression, the plain child's does not", () => {
  assert.equal(offersCompression(head("netdata-1.37-proxy-stream.txt")), true);
  assert.equal(offersCompression(head("netdata-1.37-child-stream.txt")), false);
  assert.equal(offersCompression("STREAM key=k&ver=5 HTTP/1.1\r\n\r\n"), true);
  assert.equal(offeredCapabilities("STREAM key=k HTTP/1.1\r\n\r\n"), 0);
});

test("fuzz frames: most sessions are whole frames of the text; the damaged ones are told apart in the note", () => {
  const text = Buffer.from(fixtureText("netdata-1.37-proxy-stream.txt").slice(0, 20_000), "latin1");
  const rng = new Random(3);
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const { bytes, note } = compressedBytes(rng, Buffer.from(text), 16376);
    const damage = /; (\w+):/.exec(note)?.[1];
    seen.add(damage ?? "whole");
    const decoded = decode(bytes);
    if (damage === undefined) assert.equal(decoded, text.toString("latin1"), note);
    if (damage === "bomb" || damage === "plain") assert.ok(decoded instanceof CompressedStreamError, note);
  }
  assert.deepEqual([...seen].sort(), ["bomb", "flipped", "plain", "truncated", "whole"]);
});
