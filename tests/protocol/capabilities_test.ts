import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CAP_BINARY,
  CAP_CLABELS,
  CAP_CLAIM,
  CAP_COMPRESSION,
  CAP_FUNCTION_DEL,
  CAP_FUNCTIONS,
  CAP_HLABELS,
  CAP_INTERPOLATED,
  CAP_INVALID,
  CAP_REPLICATION,
  CAP_V1,
  CAP_V2,
  CAP_VCAPS,
  CAP_VN,
  capabilitiesToOldVersion,
  CAPABILITY_NAMES,
  capabilityNames,
  CAPS_1_37_ALL,
  CAPS_1_37_NO_COMPRESSION,
  convertVersionToCapabilities,
  hasCapabilities,
  normalizeCapabilities,
} from "../../src/protocol/capabilities.ts";

test("1.37 bits add up to what a 1.37 child offers", () => {
  const all = CAP_V1 | CAP_V2 | CAP_VN | CAP_VCAPS | CAP_HLABELS | CAP_CLAIM | CAP_CLABELS | CAP_COMPRESSION |
    CAP_FUNCTIONS | CAP_REPLICATION | CAP_BINARY;
  assert.equal(all, 16376);
  assert.equal(CAPS_1_37_ALL, 16376);
  assert.equal(CAPS_1_37_NO_COMPRESSION, 15352);
  assert.equal(CAPS_1_37_ALL & ~CAP_COMPRESSION, CAPS_1_37_NO_COMPRESSION);
  assert.equal(CAP_BINARY, 8192);
  assert.equal(CAP_INTERPOLATED, 16384);
  assert.equal(CAP_FUNCTION_DEL, 268435456);
  assert.equal(CAP_INVALID, 2 ** 30);
});

test("every named bit is a distinct single bit, in bit order", () => {
  let previous = 0;
  for (const [bit] of CAPABILITY_NAMES) {
    assert.ok(bit > previous, `bit ${bit} out of order`);
    assert.equal(Math.log2(bit) % 1, 0);
    previous = bit;
  }
});

test("convertVersionToCapabilities maps the old version numbers", () => {
  const hl = CAP_HLABELS;
  assert.equal(convertVersionToCapabilities(0, false), CAP_V1);
  assert.equal(convertVersionToCapabilities(1, false), CAP_V1);
  assert.equal(convertVersionToCapabilities(2, false), CAP_V2 | hl);
  assert.equal(convertVersionToCapabilities(3, false), CAP_VN | hl | CAP_CLAIM);
  assert.equal(convertVersionToCapabilities(4, false), CAP_VN | hl | CAP_CLAIM | CAP_CLABELS);
  assert.equal(convertVersionToCapabilities(5, false), CAP_VN | hl | CAP_CLAIM | CAP_CLABELS | CAP_COMPRESSION);
  assert.equal(convertVersionToCapabilities(6, false), 6);
  assert.equal(convertVersionToCapabilities(64, false), 64);
  assert.equal(convertVersionToCapabilities(16376, true), 16376);
});

test("convertVersionToCapabilities: absent ver, negative and wrapping numbers", () => {
  assert.equal(convertVersionToCapabilities(undefined, false), CAP_V1);
  assert.equal(convertVersionToCapabilities(undefined, true), CAP_V1);
  assert.equal(convertVersionToCapabilities(-7, false), CAP_V1);
  // 1.37 reads ver into an int32_t: 2^32 - 1 is -1, 2^32 + 5 is 5.
  assert.equal(convertVersionToCapabilities(4294967295, false), CAP_V1);
  assert.equal(convertVersionToCapabilities(4294967296 + 5, false), convertVersionToCapabilities(5, false));
  assert.equal(convertVersionToCapabilities(2 ** 30 + 64, false), 2 ** 30 + 64);
});

test("normalizeCapabilities keeps only the newest dialect bit", () => {
  assert.equal(normalizeCapabilities(16376), 16320);
  assert.equal(normalizeCapabilities(15352), 15296);
  assert.equal(normalizeCapabilities(CAP_V1 | CAP_V2 | CAP_VN | CAP_CLAIM), CAP_VN | CAP_CLAIM);
  assert.equal(normalizeCapabilities(CAP_V1 | CAP_V2 | CAP_HLABELS), CAP_V2 | CAP_HLABELS);
  assert.equal(normalizeCapabilities(CAP_V1), CAP_V1);
  assert.equal(normalizeCapabilities(0), 0);
  // bit 31 from a peer must not make the set negative
  assert.equal(normalizeCapabilities(2 ** 31 + CAP_VCAPS + CAP_V1), 2 ** 31 + CAP_VCAPS);
});

test("hasCapabilities and capabilitiesToOldVersion", () => {
  assert.ok(hasCapabilities(15296, CAP_REPLICATION | CAP_FUNCTIONS));
  assert.ok(!hasCapabilities(15296, CAP_REPLICATION | CAP_COMPRESSION));
  assert.ok(hasCapabilities(2 ** 30 + 8, 2 ** 30));
  assert.equal(capabilitiesToOldVersion(convertVersionToCapabilities(5, false)), 5);
  assert.equal(capabilitiesToOldVersion(convertVersionToCapabilities(4, false)), 4);
  assert.equal(capabilitiesToOldVersion(convertVersionToCapabilities(3, false)), 3);
});

test("capabilityNames(15296) is what a 1.37 child logs", () => {
  assert.equal(capabilityNames(15296), "VCAPS HLABELS CLAIM CLABELS FUNCTIONS REPLICATION BINARY");
  assert.equal(
    capabilityNames(16320),
    "VCAPS HLABELS CLAIM CLABELS COMPRESSION FUNCTIONS REPLICATION BINARY",
  );
  assert.equal(capabilityNames(CAP_V1), "V1");
  assert.equal(capabilityNames(0), "");
  assert.equal(capabilityNames(1 + CAP_INTERPOLATED + 2 ** 31), "BIT0 INTERPOLATED BIT31");
});
