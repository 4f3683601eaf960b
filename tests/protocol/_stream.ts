/** Helpers for tests that read the real stream transcripts. */
import type { ChildCommand, ParentCommand } from "../../src/protocol/commands.ts";
import { ChildStreamDecoder, ParentStreamDecoder } from "../../src/protocol/stream_decoder.ts";
import { fixtureBytes } from "../_fixtures.ts";

const HEAD_END = new TextEncoder().encode("\r\n\r\n");
const PROMPT = new TextEncoder().encode("Hit me baby");

/** The stream part of a transcript: after the `STREAM …` request head, or after the parent's prompt. */
export function streamBytes(name: string): Uint8Array {
  const bytes = fixtureBytes(name);
  if (startsWith(bytes, new TextEncoder().encode("STREAM "))) {
    const end = indexOf(bytes, HEAD_END);
    return bytes.subarray(end + HEAD_END.length);
  }
  if (startsWith(bytes, PROMPT)) {
    // The prompt has no newline after it: the first request follows on the same "line".
    const at = indexOf(bytes, new TextEncoder().encode("REPLAY_CHART"));
    return at < 0 ? new Uint8Array() : bytes.subarray(at);
  }
  return bytes;
}

/** Decodes a child → parent transcript in chunks of `chunkSize` bytes (whole file when omitted). */
export function decodeChildStream(name: string, chunkSize?: number): ChildCommand[] {
  const decoder = new ChildStreamDecoder(name);
  const out: ChildCommand[] = [];
  for (const chunk of chunks(streamBytes(name), chunkSize)) decoder.push(chunk, (c) => out.push(c));
  return out;
}

/** Decodes a parent → child transcript. */
export function decodeParentStream(name: string): ParentCommand[] {
  const decoder = new ParentStreamDecoder(name);
  const out: ParentCommand[] = [];
  decoder.push(streamBytes(name), (c) => out.push(c));
  return out;
}

/** Splits bytes into pieces of `size` (one piece when `size` is omitted). */
export function* chunks(bytes: Uint8Array, size?: number): Generator<Uint8Array> {
  if (size === undefined) {
    yield bytes;
    return;
  }
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}

function indexOf(bytes: Uint8Array, needle: Uint8Array): number {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(needle);
}
