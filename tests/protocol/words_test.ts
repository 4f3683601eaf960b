import { test } from "node:test";
import assert from "node:assert/strict";
import { MAX_WORDS, splitWords } from "../../src/protocol/words.ts";

function split(line: string): string[] {
  const out: string[] = [];
  return out.slice(0, splitWords(line, 0, line.length, out));
}

const table: [line: string, words: string[]][] = [
  ["", []],
  ["   \t  ", []],
  ["END", ["END"]],
  ['SET "x" = 5', ["SET", "x", "5"]],
  ['SET "x" 5', ["SET", "x", "5"]],
  ["SET x=5", ["SET", "x", "5"]],
  ['LABEL "k" = 1 "v"', ["LABEL", "k", "1", "v"]],
  // the other quote kind, spaces and `=` are literal inside quotes
  [`CHART 'a.b' "it's = fine" 'say "hi"'`, ["CHART", "a.b", "it's = fine", 'say "hi"']],
  // empty quoted words
  [`RBEGIN '' 1 2 3`, ["RBEGIN", "", "1", "2", "3"]],
  ['DIMENSION a "" absolute', ["DIMENSION", "a", "", "absolute"]],
  // quotes in the middle of a word are literal
  [`SET ab"c 5`, ["SET", 'ab"c', "5"]],
  // a closing quote ends the word
  [`X "abc"def`, ["X", "abc", "def"]],
  // a backslash protects the next character and stays in the word
  [String.raw`X a\ b "c\"d"`, ["X", String.raw`a\ b`, String.raw`c\"d`]],
  // an unterminated quote runs to the end of the line
  [`X "a b`, ["X", "a b"]],
  // a quote that ends the line opens no word
  [`X a "`, ["X", "a"]],
  // CR from CRLF is a separator
  ["END\r", ["END"]],
  ['  BEGIN   "system.cpu"\t1000057  ', ["BEGIN", "system.cpu", "1000057"]],
];

for (const [line, words] of table) {
  test(`splitWords ${JSON.stringify(line)}`, () => assert.deepEqual(split(line), words));
}

test(`splitWords keeps at most ${MAX_WORDS} words and drops the rest`, () => {
  const words = Array.from({ length: 25 }, (_, i) => `w${i}`);
  assert.deepEqual(split(words.join(" ")), words.slice(0, MAX_WORDS));
});

test("splitWords reads a range of a larger text without copying the line", () => {
  const text = 'junk\nSET "a" = 1\nmore';
  const out: string[] = [];
  assert.equal(splitWords(text, 5, 16, out), 3);
  assert.deepEqual(out.slice(0, 3), ["SET", "a", "1"]);
});
