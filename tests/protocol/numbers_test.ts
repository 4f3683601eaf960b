import { test } from "node:test";
import assert from "node:assert/strict";
import {
  formatDouble,
  parseCollected,
  parseDouble,
  parseInteger,
  parseRetentionTime,
} from "../../src/protocol/numbers.ts";

test("parseCollected reads words as strtoll(…, 0) does", () => {
  const table: [string, number | bigint | undefined][] = [
    ["0", 0],
    ["-0", 0],
    ["42", 42],
    ["-42", -42],
    ["+7", 7],
    ["0x1F", 31],
    ["0X1f", 31],
    ["010", 8],
    ["999999999999999", 999999999999999],
    ["9007199254740993", 9007199254740993n],
    ["18446744073709551615", 9223372036854775807n],
    ["-9223372036854775809", -9223372036854775808n],
    ["", undefined],
    ["-", undefined],
    ["12abc", undefined],
    ["1.5", undefined],
    ["08", undefined],
    ["0x", undefined],
  ];
  for (const [text, expected] of table) assert.equal(parseCollected(text), expected, text);
});

test("parseInteger takes decimal integers only", () => {
  assert.equal(parseInteger("1795423042"), 1795423042);
  assert.equal(parseInteger("-5"), -5);
  for (const bad of ["", "1.5", "0x10", "1e3", " 1", "99999999999999999999"]) {
    assert.equal(parseInteger(bad), undefined);
  }
});

test("parseRetentionTime takes a 64-bit unsigned word as 1.37's signed time: a headless proxy's 'nothing' is negative", () => {
  assert.equal(parseRetentionTime("1795423042"), 1795423042);
  assert.equal(parseRetentionTime("0"), 0);
  assert.equal(parseRetentionTime("18446744073709551615"), -1);
  assert.equal(parseRetentionTime("18446744073709551614"), -2);
  for (const bad of ["18446744073709551616", "99999999999999999999", "1e3", "", "x", "-18446744073709551615"]) {
    assert.equal(parseRetentionTime(bad), undefined, bad);
  }
});

test("parseDouble reads decimals, exponents, NAN and inf", () => {
  assert.equal(parseDouble("2.0000000"), 2);
  assert.equal(parseDouble("-0.5"), -0.5);
  assert.equal(parseDouble(".5"), 0.5);
  assert.equal(parseDouble("10"), 10);
  assert.equal(parseDouble("1e-3"), 0.001);
  assert.ok(Number.isNaN(parseDouble("NAN")!));
  assert.ok(Number.isNaN(parseDouble("-nan")!));
  assert.equal(parseDouble("inf"), Infinity);
  assert.equal(parseDouble("-INF"), -Infinity);
  for (const bad of ["", "abc", "1.2.3", "0x10", "--1"]) assert.equal(parseDouble(bad), undefined);
});

test("formatDouble prints 7 decimals like a 1.37 child, and more only when needed", () => {
  assert.equal(formatDouble(2), "2.0000000");
  assert.equal(formatDouble(32768), "32768.0000000");
  assert.equal(formatDouble(-0), "-0.0000000");
  assert.equal(formatDouble(NaN), "NAN");
  assert.equal(formatDouble(1e-9), "0.000000001");
  for (const v of [1 / 3, Math.PI * 1e6, -123.456, 1e-300, 5e20, 2e21, -0]) {
    assert.ok(Object.is(parseDouble(formatDouble(v)), v), `${v} round-trips`);
  }
  assert.equal(parseDouble(formatDouble(Infinity)), Infinity);
});
