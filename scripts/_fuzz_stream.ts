/**
 * Stream sessions for the fuzzer: a STREAM handshake (scripts/_fuzz_handshake.ts), then a window of a real
 * 1.37 child's, v4 child's or proxy's captured stream (`../shared/fixtures`, the trimmed copies in
 * tests/fixtures otherwise) changed by a few mutations: bytes flipped, lines duplicated, deleted or
 * shuffled, keywords swapped, numbers made extreme, lines made huge, quotes broken, random bytes, generated
 * lines of every keyword and floods of definitions (scripts/_fuzz_lines.ts); framed as LZ4 when the request
 * offers compression, and the frames sometimes damaged (scripts/_fuzz_frames.ts).
 *
 * @example
 * ```ts
 * import { loadStreamCorpus, streamPlan } from "./scripts/_fuzz_stream.ts";
 *
 * const corpus = loadStreamCorpus();
 * const plan = streamPlan(new Random(5), corpus, targets, 512 * 1024);
 * console.log(plan.description);
 * ```
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { readFileSync } from "node:fs";
import { fixturePath } from "../tests/_fixtures.ts";
import { compressedBytes, offeredCapabilities, offersCompression } from "./_fuzz_frames.ts";
import { type FuzzTargets, streamHandshake } from "./_fuzz_handshake.ts";
import { floodLines, generatedLine, numberText, STREAM_KEYWORDS } from "./_fuzz_lines.ts";
import type { Random } from "./_fuzz_random.ts";
import { type FuzzPlan, type FuzzStep, utf8 } from "./_fuzz_session.ts";

/** The captures a stream session starts from. */
export const STREAM_CAPTURES: readonly string[] = [
  "netdata-1.37-child-stream.txt",
  "netdata-1.37-child-stream-v4.txt",
  "netdata-1.37-proxy-stream.txt",
];

/**
 * One capture split into its handshake head and its stream lines.
 *
 * @example
 * ```ts
 * const capture: StreamCapture = loadStreamCorpus().captures[0];
 * capture.lines[0]; // "CLAIMED_ID 82be38ca-… NULL"
 * ```
 */
export interface StreamCapture {
  readonly name: string;
  /** The STREAM request head, with its blank line. */
  readonly head: string;
  readonly lines: readonly string[];
}

/**
 * The captures, loaded once per run.
 *
 * @example
 * ```ts
 * const corpus: StreamCorpus = loadStreamCorpus();
 * ```
 */
export interface StreamCorpus {
  readonly captures: readonly StreamCapture[];
}

/**
 * Reads {@link STREAM_CAPTURES}.
 *
 * @example
 * ```ts
 * loadStreamCorpus().captures.length; // 3
 * ```
 */
export function loadStreamCorpus(): StreamCorpus {
  return {
    captures: STREAM_CAPTURES.map((name) => {
      const text = readFileSync(fixturePath(name), "utf8");
      const headEnd = text.indexOf("\r\n\r\n");
      if (headEnd < 0) throw new Error(`${name}: expected a STREAM request head ending in a blank line, found none`);
      const lines = text.slice(headEnd + 4).split("\n");
      if (lines.at(-1) === "") lines.pop();
      return { name, head: text.slice(0, headEnd + 4), lines };
    }),
  };
}

type LineMutation = (rng: Random, lines: string[], targets: FuzzTargets, maxBytes: number) => string;

const spot = (rng: Random, lines: readonly string[]) => rng.int(lines.length + 1);

/** Mutations of the window's lines; each returns what it did. */
const LINE_MUTATIONS: Readonly<Record<string, LineMutation>> = {
  duplicate(rng, lines, _targets, maxBytes) {
    const at = rng.int(lines.length);
    const block = lines.slice(at, at + rng.logInt(1, 50));
    const blockBytes = block.reduce((n, l) => n + l.length + 1, 0);
    const times = Math.min(rng.logInt(1, 500), Math.floor(maxBytes / Math.max(1, blockBytes)));
    lines.splice(at, 0, ...Array.from({ length: times }, () => block).flat());
    return `${block.length} lines ×${times}`;
  },
  delete(rng, lines) {
    const count = rng.logInt(1, 50);
    lines.splice(rng.int(lines.length), count);
    return `${count} lines deleted`;
  },
  shuffle(rng, lines) {
    const at = rng.int(lines.length);
    const block = lines.slice(at, at + rng.logInt(2, 200));
    lines.splice(at, block.length, ...rng.shuffle(block));
    return `${block.length} lines shuffled`;
  },
  keyword(rng, lines) {
    const count = rng.logInt(1, 20);
    for (let i = 0; i < count && lines.length > 0; i++) {
      const at = rng.int(lines.length);
      lines[at] = rng.pick(STREAM_KEYWORDS) + lines[at].slice(lines[at].search(/\s|$/));
    }
    return `${count} keywords swapped`;
  },
  number(rng, lines) {
    const count = rng.logInt(1, 20);
    for (let i = 0; i < count && lines.length > 0; i++) {
      const at = rng.int(lines.length);
      const numbers = [...lines[at].matchAll(/-?\d+(?:\.\d+)?/g)];
      if (numbers.length === 0) continue;
      const n = rng.pick(numbers);
      lines[at] = lines[at].slice(0, n.index) + numberText(rng) + lines[at].slice(n.index! + n[0].length);
    }
    return `${count} numbers changed`;
  },
  long(rng, lines, _targets, maxBytes) {
    const size = rng.logInt(1000, Math.max(1000, maxBytes));
    const filler = rng.pick(["x", " ", '"', "9", "\t"]).repeat(size);
    const line = rng.chance(0.5) ? `${rng.pick(STREAM_KEYWORDS)} "${filler}"` : filler;
    lines.splice(spot(rng, lines), 0, line);
    return `a ${size}-byte line`;
  },
  quote(rng, lines) {
    const count = rng.logInt(1, 20);
    for (let i = 0; i < count && lines.length > 0; i++) {
      const at = rng.int(lines.length);
      const q = lines[at].search(/["']/);
      if (q < 0) continue;
      lines[at] = lines[at].slice(0, q) + rng.pick(["", "'", '"', '""', '\\"', "'\""]) + lines[at].slice(q + 1);
    }
    return `${count} quotes broken`;
  },
  generated(rng, lines, targets) {
    const count = rng.logInt(1, 100);
    const block = Array.from({ length: count }, () => generatedLine(rng, targets, rng.pick(STREAM_KEYWORDS)));
    lines.splice(spot(rng, lines), 0, ...block);
    return `${count} generated lines`;
  },
  flood(rng, lines, targets, maxBytes) {
    const { name, lines: flood } = floodLines(rng, targets, rng.logInt(1024, maxBytes));
    lines.splice(spot(rng, lines), 0, ...flood);
    return `${name} flood of ${flood.length} lines`;
  },
  lineEnds(rng, lines) {
    const count = rng.logInt(1, 50);
    for (let i = 0; i < count && lines.length > 1; i++) {
      const at = rng.int(lines.length - 1);
      const how = rng.int(4);
      if (how === 0) lines.splice(at, 2, lines[at] + lines[at + 1]);
      else if (how === 1) lines[at] += "\r";
      else if (how === 2) lines.splice(at, 0, "");
      else lines[at] = lines[at].slice(0, rng.int(lines[at].length + 1));
    }
    return `${count} line ends changed`;
  },
};

/** Mutations of the final bytes. */
function mutateBytes(rng: Random, bytes: Buffer): { bytes: Buffer; note: string } {
  if (rng.chance(0.5)) {
    const count = rng.logInt(1, 100);
    for (let i = 0; i < count && bytes.length > 0; i++) bytes[rng.int(bytes.length)] ^= 1 << rng.int(8);
    return { bytes, note: `${count} bits flipped` };
  }
  const at = rng.int(bytes.length + 1);
  const noise = rng.bytes(rng.logInt(1, 4096));
  return {
    bytes: Buffer.concat([bytes.subarray(0, at), noise, bytes.subarray(at)]),
    note: `${noise.length} random bytes`,
  };
}

/** A window of a capture's lines of about `bytes` bytes: from the start (definitions first) or anywhere. */
function window(rng: Random, capture: StreamCapture, bytes: number): { start: number; lines: string[] } {
  const start = rng.chance(0.6) ? 0 : rng.int(capture.lines.length);
  const lines: string[] = [];
  for (let i = start, size = 0; i < capture.lines.length && size < bytes; i++) {
    lines.push(capture.lines[i]);
    size += capture.lines[i].length + 1;
  }
  return { start, lines };
}

/** How the bytes go out: mostly in large pieces, sometimes a few bytes at a time, rarely trickled. */
function writeStep(rng: Random, bytes: Uint8Array): FuzzStep {
  const pace = rng.weighted({ bulk: 85, small: 10, trickle: 5 });
  if (pace === "bulk") return { kind: "write", bytes, chunkBytes: rng.logInt(512, 65536) };
  if (pace === "small") return { kind: "write", bytes, chunkBytes: rng.logInt(1, 64) };
  return { kind: "write", bytes, chunkBytes: rng.logInt(1, 256), gapMs: rng.range(10, 200) };
}

/**
 * A stream session (`mutateHandshake` false) or a handshake session (true: the request is mutated, and a
 * short stream may follow) of at most `maxBytes` bytes.
 *
 * @example
 * ```ts
 * const plan = streamPlan(rng, corpus, targets, 1 << 20);
 * const handshake = streamPlan(rng, corpus, targets, 1 << 20, true);
 * ```
 */
export function streamPlan(
  rng: Random,
  corpus: StreamCorpus,
  targets: FuzzTargets,
  maxBytes: number,
  mutateHandshake = false,
): FuzzPlan {
  const capture = rng.pick(corpus.captures);
  const shortName = capture.name.replace(/^netdata-1\.37-|\.txt$/g, "");
  const handshake = streamHandshake(rng, capture.head, targets, mutateHandshake);
  const steps: FuzzStep[] = [{ kind: "write", bytes: utf8(handshake.text) }, { kind: "await-reply", ms: 2000 }];
  const notes = [...handshake.notes];
  if (!mutateHandshake || rng.chance(0.5)) {
    const { start, lines } = window(rng, capture, rng.logInt(256, Math.floor(maxBytes * 0.8)));
    const mutations = mutateHandshake || rng.chance(0.05) ? 0 : rng.logInt(1, 12);
    for (let i = 0; i < mutations; i++) {
      const name = rng.pick(Object.keys(LINE_MUTATIONS));
      notes.push(`${name}: ${LINE_MUTATIONS[name](rng, lines, targets, maxBytes)}`);
    }
    let bytes: Buffer = Buffer.from(lines.join("\n") + "\n", "utf8");
    if (mutations > 0 && rng.chance(0.3)) {
      const changed = mutateBytes(rng, bytes);
      bytes = changed.bytes;
      notes.push(changed.note);
    }
    bytes = bytes.subarray(0, maxBytes);
    if (offersCompression(handshake.text)) {
      const framed = compressedBytes(rng, bytes, offeredCapabilities(handshake.text));
      bytes = framed.bytes;
      notes.push(framed.note);
    }
    steps.push(writeStep(rng, bytes));
    notes.unshift(`${shortName}@${start} ${bytes.length} B`);
  }
  return {
    kind: mutateHandshake ? "handshake" : "stream",
    description: `${mutateHandshake ? "handshake" : "stream"} ${notes.join("; ") || "unchanged"}`,
    steps,
    lingerMs: rng.range(50, 500),
  };
}
