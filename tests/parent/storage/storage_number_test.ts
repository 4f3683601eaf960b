// Netdata's 32-bit storage_number: the rounding a real parent applies to every stored point.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  EMPTY_SLOT,
  packStorageNumber,
  storageNumberReset,
  unpackStorageNumber,
} from "../../../src/parent/storage/storage_number.ts";

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
