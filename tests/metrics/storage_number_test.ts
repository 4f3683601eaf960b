// Netdata's 32-bit storage_number: the rounding a real parent applies to every stored point.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  EMPTY_SLOT,
  packStorageNumber,
  storageNumberReset,
  unpackStorageNumber,
} from "../../src/metrics/storage_number.ts";

const roundTrip = (v: number): number => unpackStorageNumber(packStorageNumber(v, false));

test("storage_number keeps 7 significant digits: small values scaled up, large ones scaled down", () => {
  assert.equal(roundTrip(2.5), 2.5);
  assert.equal(roundTrip(-5), -5);
  assert.ok(Math.abs(roundTrip(0.77) - 0.77) < 1e-15);
  assert.ok(Math.abs(roundTrip(1 / 3) - 0.3333333) < 1e-15, `${roundTrip(1 / 3)}`);
  // Above 2^24 - 1 the mantissa is divided by 10: 12345678.9 rounds to 12345679.
  assert.equal(roundTrip(123456789), 123456790);
  assert.equal(roundTrip(16777215.5), 16777220);
  // Beyond 10^7 × (2^24 - 1) the scale steps by 100.
  assert.equal(roundTrip(1e15), 1e15);
  assert.equal(roundTrip(-123456789012345), -123456790000000);
  assert.equal(roundTrip(-1.234567890123e18), -1234568000000000000);
});

test("storage_number rounds the mantissa half to even, as lrint does", () => {
  assert.equal(roundTrip(1677726.5), 1677726);
  assert.equal(roundTrip(1677727.5), 1677728);
});

test("storage_number: NaN and infinities are the empty slot, zero is a value, the reset flag survives", () => {
  assert.equal(packStorageNumber(NaN, true), EMPTY_SLOT);
  assert.equal(packStorageNumber(Infinity, false), EMPTY_SLOT);
  assert.ok(Number.isNaN(unpackStorageNumber(EMPTY_SLOT)));
  assert.equal(roundTrip(0), 0);
  assert.equal(roundTrip(1e-310), 0);
  assert.ok(storageNumberReset(packStorageNumber(5, true)));
  assert.equal(storageNumberReset(packStorageNumber(5, false)), false);
  assert.equal(unpackStorageNumber(packStorageNumber(-7.25, true)), -7.25);
});

test("storage_number reads a word back as 1.37 does: mantissa times the nearest double of 10⁻ⁿ", () => {
  // 100 packs as 10⁷ with 5 digits to divide; 1.37 multiplies by 1e-5 and gets an ulp above 100.
  assert.equal(roundTrip(100), 1e7 * 1e-5);
  assert.notEqual(roundTrip(100), 100);
  // That ulp decides how an average near half of the 7th decimal prints: the mean of 0.5102041 and 0 is
  // just below 0.25510205 this way (a real parent answers 0.255102), just above it when divided by 10⁷.
  assert.equal(roundTrip(0.5102041), 5102041 * 1e-7);
  assert.ok(roundTrip(0.5102041) / 2 * 1e7 < 2551020.5, `${roundTrip(0.5102041) / 2}`);
  assert.ok(5102041 / 1e7 / 2 * 1e7 > 2551020.5);
  assert.equal(roundTrip(-0.5102041), -(5102041 * 1e-7));
  assert.equal(roundTrip(123456789), 123456790);
});
