import { test } from "node:test";
import assert from "node:assert/strict";
import type { ChildCommand, ParentCommand } from "../../src/protocol/commands.ts";
import { decodeChildWords } from "../../src/protocol/decode.ts";
import { encodeChildCommand } from "../../src/protocol/encode.ts";
import { ProtocolError } from "../../src/protocol/errors.ts";
import { MAX_LINE_BYTES } from "../../src/protocol/line_splitter.ts";
import { ChildStreamDecoder, ParentStreamDecoder } from "../../src/protocol/stream_decoder.ts";
import { splitWords } from "../../src/protocol/words.ts";
import { fixtureText } from "../_fixtures.ts";

const PEER = "nd-child [127.0.0.1]:40000";

function decode(text: string): ChildCommand[] {
  const out: ChildCommand[] = [];
  new ChildStreamDecoder(PEER).push(text, (c) => out.push(c));
  return out;
}

function decodeLine(line: string): ChildCommand {
  const words: string[] = [];
  return decodeChildWords(words, splitWords(line, 0, line.length, words));
}

function throwsProtocol(fn: () => unknown, code: string, line: number, says: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ProtocolError, String(e));
    assert.equal(e.code, code);
    assert.equal(e.peer, PEER);
    assert.equal(e.line, line);
    assert.match(e.message, new RegExp(`^${PEER.replace(/[[\]]/g, "\\$&")} line ${line}: `));
    assert.match(e.message, says);
    return true;
  });
}

test("the hand-written session's quoting variants decode like the real parent read them", () => {
  // Lines the real 1.37 parent accepted in netdata-1.37-parent-manual-session.txt.
  const session = fixtureText("netdata-1.37-parent-manual-session.txt");
  const sent = [...session.matchAll(/^>>> (".*")$/gm)].map((m) => JSON.parse(m[1]) as string).join("");
  const commands = decode(sent);
  assert.deepEqual(commands.find((c) => c.kind === "CHART"), {
    kind: "CHART",
    id: "manual.test",
    name: "",
    title: "Manual Test",
    units: "things",
    family: "fam",
    context: "manual.test",
    chartType: "line",
    priority: 1000,
    updateEvery: 1,
    options: "",
    plugin: "manual.plugin",
    module: "mod",
  });
  assert.deepEqual(commands.filter((c) => c.kind === "DIMENSION").map((c) => c.kind === "DIMENSION" && c.name), [
    "a",
    "B name",
  ]);
  assert.deepEqual(commands.find((c) => c.kind === "BEGIN"), { kind: "BEGIN", chart: "manual.test", microseconds: 0 });
  assert.deepEqual(commands.filter((c) => c.kind === "SET").map((c) => c.kind === "SET" && c.value), [5, 7, 6, 9, 1]);
  assert.deepEqual(commands.find((c) => c.kind === "RDSTATE"), {
    kind: "RDSTATE",
    dimension: "a",
    lastCollectedUs: 1795423446000000,
    lastCollected: 10,
    lastCalculated: 10,
    lastStored: 10,
  });
  assert.deepEqual(commands.find((c) => c.kind === "LABEL"), {
    kind: "LABEL",
    name: "mylabel",
    source: 2,
    value: "hello world",
  });
  const rend = commands.find((c) => c.kind === "REND");
  assert.ok(rend?.kind === "REND" && rend.startStreaming === false && rend.after === 1795423347);
});

test("optional trailing fields get Netdata's defaults", () => {
  assert.deepEqual(decodeLine("CHART a.b"), {
    kind: "CHART",
    id: "a.b",
    name: "",
    title: "",
    units: "unknown",
    family: "",
    context: "",
    chartType: "line",
    priority: 1000,
    updateEvery: 0,
    options: "",
    plugin: "",
    module: "",
  });
  assert.deepEqual(decodeLine("DIMENSION d"), {
    kind: "DIMENSION",
    id: "d",
    name: "",
    algorithm: "absolute",
    multiplier: 1,
    divisor: 1,
    options: "",
  });
  assert.deepEqual(decodeLine("DIMENSION d d weird 0 0x10 hidden"), {
    kind: "DIMENSION",
    id: "d",
    name: "d",
    algorithm: "absolute",
    multiplier: 1,
    divisor: 16,
    options: "hidden",
  });
  assert.deepEqual(decodeLine("SET x ="), { kind: "SET", dimension: "x", value: null });
  assert.deepEqual(decodeLine("VARIABLE v = 1.5"), { kind: "VARIABLE", scope: "", name: "v", value: 1.5 });
  assert.deepEqual(decodeLine("REND 1 2 3 true 4 5"), {
    kind: "REND",
    updateEvery: 1,
    firstEntry: 2,
    lastEntry: 3,
    startStreaming: true,
    after: 4,
    before: 5,
    childNow: 0,
  });
  assert.deepEqual(decodeLine("FUNCTION GLOBAL ps 10 'list'"), {
    kind: "FUNCTION",
    global: true,
    name: "ps",
    timeoutSeconds: 10,
    help: "list",
  });
  assert.deepEqual(decodeLine("RSET d NAN E"), { kind: "RSET", dimension: "d", value: NaN, flags: "E" });
});

test("commands that cannot be carried as words survive a round trip as well as the wire allows", () => {
  const cmd: ChildCommand = { kind: "CLABEL", name: "k", value: `both "and' quotes`, source: 2 };
  assert.deepEqual(decodeLine(encodeChildCommand(cmd)), { ...cmd, value: "both 'and' quotes" });
  const big: ChildCommand = { kind: "SET", dimension: "bytes", value: 18446744073709551615n };
  assert.deepEqual(decodeLine(encodeChildCommand(big)), { ...big, value: 9223372036854775807n });
  const spaced: ChildCommand = { kind: "VARIABLE", scope: "CHART", name: "my var", value: 1 };
  assert.deepEqual(decodeLine(encodeChildCommand(spaced)), spaced);
});

test("iterations whose charts or dimensions change order or ids decode as each line says", () => {
  // The decoder reuses the ids of the previous iteration where they match in place; it must never guess.
  const iterations = [
    'BEGIN "a.x" 1\nSET "user" = 1\nSET "system" = 2\nEND\nBEGIN "a.y" 1\nSET "in" = 3\nEND\n',
    'BEGIN "a.x" 1\nSET "user" = 4\nSET "system" = 5\nEND\nBEGIN "a.y" 1\nSET "in" = 6\nEND\n',
    'BEGIN "a.y" 1\nSET "out" = 7\nSET "in" = 8\nEND\nBEGIN "a.x" 1\nSET "system" = 9\nSET "use" = 10\nEND\n',
    'BEGIN "a.x" 1\nSET "users" = 11\nSET "system" = 12\nEND\nBEGIN "a.xy" 1\nSET "in" = 13\nEND\n',
  ];
  const expected = iterations.flatMap((text) => text.split("\n").filter((l) => l !== "").map(decodeLine));
  const got: ChildCommand[] = [];
  const decoder = new ChildStreamDecoder(PEER);
  for (const text of iterations) decoder.push(text, (c) => got.push(c));
  assert.deepEqual(got, expected);
});

test("an unknown keyword (also lowercase) names the peer and the line", () => {
  throwsProtocol(() => decode("\n\nCLABEL_COMMIT\nFOOBAR 1 2\n"), "unknown-keyword", 4, /unknown keyword 'FOOBAR'/);
  throwsProtocol(() => decode('chart "a.b" "" "t" "u"\n'), "unknown-keyword", 1, /unknown keyword 'chart'/);
  // The slow-link example of the seeds: a BEGIN cut to its first letter.
  throwsProtocol(() => decode("B\n"), "unknown-keyword", 1, /'B'/);
});

test("bad arguments say what was expected and what was found", () => {
  throwsProtocol(() => decode("CHART nodot\n"), "bad-arguments", 1, /CHART: expected .*'type.id', found 'nodot'/);
  throwsProtocol(
    () => decode("SET x = 12abc\n"),
    "bad-arguments",
    1,
    /SET: expected a value as an integer.*found '12abc'/,
  );
  throwsProtocol(() => decode("BEGIN\n"), "bad-arguments", 1, /BEGIN: expected a chart id as word 2, found nothing/);
  throwsProtocol(() => decode("REND 1 2 3\n"), "bad-arguments", 1, /REND: expected at least 6 arguments, found 3/);
  throwsProtocol(() => decode("REND 1 2 3 maybe 4 5\n"), "bad-arguments", 1, /'true' or 'false'.*found 'maybe'/);
});

test("commands before a bad line are delivered; the decoder then refuses more input", () => {
  const decoder = new ChildStreamDecoder(PEER);
  const got: ChildCommand[] = [];
  assert.throws(() => decoder.push("END\nEND\nNOPE\nEND\n", (c) => got.push(c)), ProtocolError);
  assert.equal(got.length, 2);
  assert.throws(() => decoder.push("END\n", (c) => got.push(c)), ProtocolError);
  assert.equal(got.length, 2);
});

test("an over-long line is refused as soon as it passes the limit, with the peer named", () => {
  const decoder = new ChildStreamDecoder(PEER);
  const got: ChildCommand[] = [];
  decoder.push("END\n", (c) => got.push(c));
  const piece = "x".repeat(1000);
  let thrown: unknown;
  // No newline ever comes: memory must not grow past the limit.
  for (let i = 0; i < 100 && thrown === undefined; i++) {
    try {
      decoder.push(piece, (c) => got.push(c));
    } catch (e) {
      thrown = e;
    }
  }
  assert.ok(thrown instanceof ProtocolError && thrown.code === "line-too-long" && thrown.line === 2);
  assert.match(thrown.message, new RegExp(`longer than ${MAX_LINE_BYTES} bytes`));
  // A line at the limit in multi-byte characters is measured in bytes.
  throwsProtocol(() => decode(`SET "${"é".repeat(MAX_LINE_BYTES / 2)}" = 1\n`), "line-too-long", 1, /longer than/);
  assert.equal(decode(`CLABEL k "${"x".repeat(MAX_LINE_BYTES - 20)}" 1\n`).length, 1);
});

test("UTF-8 split across chunks decodes whole", () => {
  const bytes = new TextEncoder().encode('CLABEL "city" "Zürich → 東京" 2\n');
  const decoder = new ChildStreamDecoder(PEER);
  const got: ChildCommand[] = [];
  for (const b of bytes) decoder.push(new Uint8Array([b]), (c) => got.push(c));
  assert.deepEqual(got, [{ kind: "CLABEL", name: "city", value: "Zürich → 東京", source: 2 }]);
});

test("bytes read as the whole stream decoded at once: a leading byte order mark dropped, bad UTF-8 as U+FFFD", () => {
  const lines = [0xef, 0xbb, 0xbf, ...new TextEncoder().encode('CLABEL "a" "x'), 0xff, 0xe2, 0x86];
  lines.push(...new TextEncoder().encode('" 1\nSET "\ufeffu" = 2\n'));
  const expected = new TextDecoder().decode(new Uint8Array(lines)).split("\n").filter((l) => l !== "").map(decodeLine);
  assert.deepEqual(expected[0], { kind: "CLABEL", name: "a", value: "x\ufffd\ufffd", source: 1 });
  for (const size of [1, 2, lines.length]) {
    const decoder = new ChildStreamDecoder(PEER);
    const got: ChildCommand[] = [];
    for (let i = 0; i < lines.length; i += size) {
      decoder.push(new Uint8Array(lines.slice(i, i + size)), (c) => got.push(c));
    }
    assert.deepEqual(got, expected, `chunks of ${size}`);
  }
});

test("a function result's payload is kept verbatim up to FUNCTION_RESULT_END", () => {
  const text = 'BEGIN a.b 1\nFUNCTION_RESULT_BEGIN tx1 200 "application/json" 1795423500\n{"x": "FOOBAR = 1"}\n\n' +
    "  indented\nFUNCTION_RESULT_END\nEND\n";
  const commands = decode(text);
  assert.deepEqual(commands.map((c) => c.kind), ["BEGIN", "FUNCTION_RESULT", "END"]);
  assert.deepEqual(commands[1], {
    kind: "FUNCTION_RESULT",
    transaction: "tx1",
    httpCode: 200,
    contentType: "application/json",
    expires: 1795423500,
    payload: '{"x": "FOOBAR = 1"}\n\n  indented\n',
  });
  assert.equal(encodeChildCommand(commands[1]), text.slice(12, -4));
});

test("the parent direction decodes REPLAY_CHART and FUNCTION calls, and refuses child keywords", () => {
  const got: ParentCommand[] = [];
  const decoder = new ParentStreamDecoder("parent");
  decoder.push('REPLAY_CHART "a.b" "false" 10 20\nFUNCTION 4f1c 10 "processes info"\n', (c) => got.push(c));
  assert.deepEqual(got, [
    { kind: "REPLAY_CHART", chart: "a.b", startStreaming: false, after: 10, before: 20 },
    { kind: "FUNCTION_CALL", transaction: "4f1c", timeoutSeconds: 10, function: "processes info" },
  ]);
  assert.throws(() => new ParentStreamDecoder("parent").push("SET a = 1\n", () => {}), /unknown keyword 'SET'/);
});
