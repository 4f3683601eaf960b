// Every line of every real 1.37 transcript decodes into a typed command, and re-encoding gives a stream
// that decodes to the same commands (and, for what a 1.37 sender wrote, the very same bytes).
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ChildCommand, ParentCommand } from "../../src/protocol/commands.ts";
import {
  type ChildLineSink,
  decodeChildWords,
  decodeHotBytes,
  decodeHotLine,
  HotIds,
} from "../../src/protocol/decode.ts";
import { encodeChildCommand, encodeParentCommand } from "../../src/protocol/encode.ts";
import { splitWords } from "../../src/protocol/words.ts";
import { ChildStreamDecoder, ParentStreamDecoder } from "../../src/protocol/stream_decoder.ts";
import { decodeChildStream, decodeParentStream, streamBytes } from "./_stream.ts";
import { SHARED_FIXTURES } from "../_fixtures.ts";
import { CPU_CHART } from "../_hosts.ts";

const CHILD_TRANSCRIPTS = [
  "netdata-1.37-child-stream.txt",
  "netdata-1.37-child-stream-v4.txt",
  "netdata-1.37-proxy-stream.txt",
  "netdata-1.37-child-stream-lz4.decoded.txt",
  "netdata-1.37-child-stream-v5-forced-lz4.decoded.txt",
];
const PARENT_TRANSCRIPTS = [
  "netdata-1.37-parent-replies.txt",
  "netdata-1.37-child-stream-lz4.parent-replies.txt",
  "netdata-1.37-proxy-stream.fake-parent-replies.txt",
].filter((name) => SHARED_FIXTURES !== undefined || name === "netdata-1.37-parent-replies.txt");

// A line sink that makes every line a command again, into `out`.
function collect(out: ChildCommand[]): ChildLineSink {
  return {
    begin: (chart, microseconds) => out.push({ kind: "BEGIN", chart, microseconds }),
    set: (dimension, value) => out.push({ kind: "SET", dimension, value }),
    end: () => out.push({ kind: "END" }),
    command: (command) => out.push(command),
  };
}

function nonEmptyLines(bytes: Uint8Array): string[] {
  return new TextDecoder().decode(bytes).split("\n").filter((l) => l.trim() !== "");
}

for (const name of CHILD_TRANSCRIPTS) {
  test(`${name}: every line decodes, and re-encoding round-trips`, () => {
    const lines = nonEmptyLines(streamBytes(name));
    const commands = decodeChildStream(name);
    assert.equal(commands.length, lines.length, "one command per non-empty line, none unknown or failed");
    const least = SHARED_FIXTURES === undefined ? 100 : 10000;
    assert.ok(commands.length > least, `expected a real transcript, found ${commands.length} commands`);

    const encoded = commands.map(encodeChildCommand);
    // What a 1.37 sender wrote, our encoder writes byte for byte.
    const differing = encoded.filter((line, i) => line !== `${lines[i]}\n`);
    assert.deepEqual(differing.slice(0, 3), [], `${differing.length} lines are not re-encoded byte-exact`);

    const again: ChildCommand[] = [];
    new ChildStreamDecoder("re-encoded").push(encoded.join(""), (c) => again.push(c));
    assert.deepEqual(again, commands);
  });

  test(`${name}: decoding in small chunks gives the same commands`, () => {
    const whole = decodeChildStream(name);
    for (const size of [1, 7, 4096]) {
      // One-byte chunks over the whole file would be slow; the first 64 KiB cover every kind of line.
      const bytes = size === 1 ? streamBytes(name).subarray(0, 65536) : streamBytes(name);
      const decoder = new ChildStreamDecoder(name);
      const got: ChildCommand[] = [];
      for (let i = 0; i < bytes.length; i += size) decoder.push(bytes.subarray(i, i + size), (c) => got.push(c));
      assert.deepEqual(got, whole.slice(0, got.length));
      if (size !== 1) assert.equal(got.length, whole.length);
    }
  });
}

test("the transcripts cover every command a 1.37 child sends", () => {
  const kinds = new Set(CHILD_TRANSCRIPTS.flatMap((name) => decodeChildStream(name).map((c) => c.kind)));
  const expected = SHARED_FIXTURES === undefined
    ? ["CLAIMED_ID", "LABEL", "OVERWRITE", "CHART", "CLABEL", "CLABEL_COMMIT", "DIMENSION", "VARIABLE", "BEGIN", "SET"]
    : [
      ...["CLAIMED_ID", "LABEL", "OVERWRITE", "CHART", "CLABEL", "CLABEL_COMMIT", "DIMENSION", "FUNCTION"],
      ...["VARIABLE", "CHART_DEFINITION_END", "BEGIN", "SET", "END", "RBEGIN", "RSET", "RDSTATE", "RSSTATE", "REND"],
    ];
  for (const kind of expected) assert.ok(kinds.has(kind as ChildCommand["kind"]), `no ${kind} decoded`);
});

test("real values decode to the right types", () => {
  const commands = decodeChildStream("netdata-1.37-child-stream.txt");
  const cpu = commands.find((c) => c.kind === "CHART" && c.id === "system.cpu");
  // The real child's system.cpu is the one the tests define as 1.37's (tests/_hosts.ts), no name, no options.
  assert.deepEqual(cpu, { kind: "CHART", ...CPU_CHART, name: "", options: "   " });
  assert.deepEqual(commands[0], {
    kind: "CLAIMED_ID",
    machineGuid: "82be38ca-e718-11f1-8984-02fc00000001",
    claimId: null,
  });
  assert.deepEqual(commands.find((c) => c.kind === "VARIABLE"), {
    kind: "VARIABLE",
    scope: "HOST",
    name: "active_processors",
    value: 2,
  });
  assert.deepEqual(commands.find((c) => c.kind === "LABEL"), {
    kind: "LABEL",
    name: "_cloud_provider_type",
    source: 1,
    value: "unknown",
  });
});

test("replicated history from the proxy transcript: points with their ranges and values", () => {
  const commands = decodeChildStream("netdata-1.37-proxy-stream.txt");
  const point = commands.find((c) => c.kind === "RBEGIN" && c.range !== null);
  assert.ok(point?.kind === "RBEGIN" && point.chart === "" && point.range!.end > point.range!.start);
  assert.ok(commands.some((c) => c.kind === "RSET" && c.flags === "" && Number.isFinite(c.value)));
  // A real proxy prints negative zero; it must survive the round trip.
  const negativeZero = commands.find((c) => c.kind === "RDSTATE" && Object.is(c.lastCalculated, -0));
  if (SHARED_FIXTURES !== undefined) assert.ok(negativeZero);
});

for (const name of PARENT_TRANSCRIPTS) {
  test(`${name}: every parent line decodes and re-encodes byte-exact`, () => {
    const lines = nonEmptyLines(streamBytes(name));
    const commands = decodeParentStream(name);
    assert.equal(commands.length, lines.length);
    assert.deepEqual(commands.map(encodeParentCommand), lines.map((l) => `${l}\n`));
    const again: ParentCommand[] = [];
    new ParentStreamDecoder("re-encoded").push(commands.map(encodeParentCommand).join(""), (c) => again.push(c));
    assert.deepEqual(again, commands);
  });
}

test("the fast paths for SET/BEGIN/END (text, bytes) agree with the general decoder on every real line and on edge shapes", () => {
  const words: string[] = [];
  const general = (line: string) => decodeChildWords(words, splitWords(line, 0, line.length, words));
  let fast = 0;
  // The bytes path keeps the stream's ids, as the stream decoder does.
  const ids = new HotIds();
  const encoder = new TextEncoder();
  const edge = ['SET "x" = 010', 'SET "x" = -0', 'SET "x" = 0x1F', 'SET "x" 5', 'SET "x" = 1234567890123456789', "END"];
  edge.push('BEGIN "a.b" 0', 'BEGIN "a.b" 007', 'BEGIN "a\\b" 1', 'SET "a b" = -3', 'BEGIN "a.b"  5', "END ");
  edge.push('BEGIN "a.é" 1', 'SET "é" = 1', 'SET "x" = 1', "ENDx", 'SET "" = 1', 'BEGIN "" 1');
  let fastBytes = 0;
  for (const line of [...CHILD_TRANSCRIPTS.flatMap((name) => nonEmptyLines(streamBytes(name))), ...edge]) {
    const bytes = encoder.encode(line);
    const got: ChildCommand[] = [];
    if (decodeHotBytes(bytes, 0, bytes.length, ids, collect(got))) {
      fastBytes++;
      assert.deepEqual(got, [general(line)], line);
    }
    const hot = decodeHotLine(line, 0, line.length);
    if (hot === undefined) continue;
    fast++;
    assert.deepEqual(hot, general(line), line);
  }
  assert.ok(fast > (SHARED_FIXTURES === undefined ? 200 : 100000), `the fast path took only ${fast} lines`);
  assert.ok(fastBytes > (SHARED_FIXTURES === undefined ? 200 : 100000), `the bytes path took only ${fastBytes} lines`);
});
