import { test } from "node:test";
import assert from "node:assert/strict";
import { API_PATTERN_SEPARATORS, chartMatches, SimplePattern } from "../../src/protocol/simple_pattern.ts";
import { decodeChildStream } from "./_stream.ts";
import { fixtureText, SHARED_FIXTURES } from "../_fixtures.ts";

const table: [pattern: string, text: string, expected: boolean][] = [
  // the seeds' examples
  ["!10.1.2.3 10.*", "10.0.0.5", true],
  ["!10.1.2.3 10.*", "10.1.2.3", false],
  ["!10.1.2.3 10.*", "192.168.1.1", false],
  ["!apps.cpu *", "apps.cpu", false],
  ["!apps.cpu *", "apps.mem", true],
  ["apps.cpu system.*", "apps.cpu", true],
  ["apps.cpu system.*", "system.load", true],
  ["apps.cpu system.*", "apps.mem", false],
  ["203.0.113.10", "203.0.113.10", true],
  ["203.0.113.10", "203.0.113.100", false],
  // `*` anywhere, any number of times; anchored at both ends
  ["*", "x", true],
  ["*", "", false],
  ["", "x", false],
  ["   ", "x", false],
  ["*cpu*", "system.cpu_some_pressure", true],
  ["*cpu", "system.cpu_some_pressure", false],
  ["*cpu", "system.cpu", true],
  ["sys*cpu", "system.cpu", true],
  ["sys*cpu", "system.cpux", false],
  ["a*b*c", "abc", true],
  ["a*b*c", "aXbYc", true],
  ["a*b*c", "acb", false],
  ["a*a", "a", false],
  ["a*a", "aa", true],
  ["**", "anything", true],
  ["*.*.*", "1.2.3", true],
  ["*.*.*", "1.2", false],
  // first match decides, left to right
  ["10.* !10.1.2.3", "10.1.2.3", true],
  ["!* *", "x", false],
  // case-sensitive
  ["System.*", "system.cpu", false],
  // all whitespace kinds separate; a backslash keeps a space inside a pattern
  ["a\tb\nc\rd\fe\vf", "e", true],
  ["hello\\ world", "hello world", true],
  ["hello\\ world", "hello", false],
  ["\\!literal", "!literal", true],
  // `!` alone is an empty negative pattern and is skipped
  ["! x", "x", true],
  // IPv6 client addresses as text
  ["::1 fe80:*", "fe80::1", true],
  ["localhost", "localhost", true],
];

for (const [pattern, text, expected] of table) {
  test(`simple pattern '${pattern}' on '${text}' is ${expected}`, () => {
    assert.equal(SimplePattern.parse(pattern).matches(text), expected);
  });
}

test("simple pattern keeps its source text and knows when it is empty", () => {
  assert.equal(SimplePattern.parse("!a b*").source, "!a b*");
  assert.equal(String(SimplePattern.parse("x y")), "x y");
  assert.equal(SimplePattern.parse(" \t ").isEmpty, true);
  assert.equal(SimplePattern.parse("!").isEmpty, true);
  assert.equal(SimplePattern.parse("*").isEmpty, false);
});

test("verdict tells a positive match, a negative match and no match apart", () => {
  const p = SimplePattern.parse("!10.1.2.3 10.*");
  assert.equal(p.verdict("10.0.0.5"), true);
  assert.equal(p.verdict("10.1.2.3"), false);
  assert.equal(p.verdict("192.168.1.1"), undefined);
  assert.equal(p.verdict(""), undefined);
  assert.equal(SimplePattern.parse("").verdict("x"), undefined);
});

test("verdict with several texts: the first entry matching any of them decides", () => {
  assert.equal(SimplePattern.parse("127.* !*").verdict("127.0.0.1", "localhost"), true);
  assert.equal(SimplePattern.parse("!localhost *").verdict("127.0.0.1", "localhost"), false);
  assert.equal(SimplePattern.parse("!127.0.0.1 *").verdict("127.0.0.1", "localhost"), false);
  assert.equal(SimplePattern.parse("10.*").verdict("127.0.0.1", "localhost"), undefined);
  assert.equal(SimplePattern.parse("localhost").verdict("", "localhost"), true);
});

test("the API's lists split on ',' and '|' (and tabs, CR, LF), not on spaces", () => {
  const p = SimplePattern.parse("!idle|us*,a b\\,c", API_PATTERN_SEPARATORS);
  assert.equal(p.matches("user"), true);
  assert.equal(p.matches("idle"), false);
  assert.equal(p.matches("a b,c"), true);
  assert.equal(p.matches("a"), false);
  assert.equal(SimplePattern.parse("a\tb", API_PATTERN_SEPARATORS).matches("b"), true);
  // The default still splits on spaces.
  assert.equal(SimplePattern.parse("a b").matches("b"), true);
});

test("matching stays linear: many '*' against a long text that almost matches", () => {
  const p = SimplePattern.parse(`${"*".repeat(10000)}${"a*".repeat(10000)}Q`);
  assert.equal(p.matches("a".repeat(100000)), false);
  assert.equal(p.matches(`${"a".repeat(100000)}Q`), true);
});

test("chartMatches: a negative id match is overridden by a positive name match", () => {
  const p = SimplePattern.parse("!disk.sda disk_name.*");
  assert.equal(chartMatches(p, "disk.sda", "disk_name.root"), true);
  assert.equal(chartMatches(p, "disk.sda", "disk.sda"), false);
});

test("send charts matching reproduces what a real 1.37 child sent", () => {
  // The capture's header names the pattern the real child used.
  const capture = fixtureText("netdata-1.37-send-charts-matching.txt").split("\n");
  const patternText = capture[0].replace(/^# .*send charts matching = /, "");
  assert.equal(patternText, "!system.cpu system.* !apps.* netdata.statsd*");
  const sent = new Set(capture.filter((l) => l && !l.startsWith("#")));
  const pattern = SimplePattern.parse(patternText);

  // Judge every chart a real child of the same machine defines (ids and names from the full stream capture).
  const charts = new Map<string, string>();
  for (const cmd of decodeChildStream("netdata-1.37-child-stream.txt")) {
    if (cmd.kind === "CHART") charts.set(cmd.id, cmd.name === "" ? cmd.id : `${cmd.id.split(".")[0]}.${cmd.name}`);
  }
  if (SHARED_FIXTURES !== undefined) assert.ok(charts.size >= 300, `expected every chart, found ${charts.size}`);
  const ours = new Set([...charts].filter(([id, name]) => chartMatches(pattern, id, name)).map(([id]) => id));
  for (const id of sent) assert.ok(ours.has(id) || !charts.has(id), `${id} was sent by Netdata but refused by us`);
  for (const id of ours) assert.ok(sent.has(id), `${id} is accepted by us but Netdata withheld it`);
  assert.ok(!ours.has("system.cpu") && ours.has("system.cpu_some_pressure"));
});
