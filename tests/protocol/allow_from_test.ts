// The loopback rule of every `allow … from` list: a peer 1.37 calls `localhost` (127.0.0.1, ::1) answers to
// its numeric address and to `localhost`, the first entry matching either deciding; other peers (other 127.x
// included, as on 1.37) are matched by their address alone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { allowsPeer, isLoopback, LOOPBACK_NAME, peerAddress, peerName } from "../../src/protocol/allow_from.ts";
import { SimplePattern } from "../../src/protocol/simple_pattern.ts";

const LOOPBACKS = ["127.0.0.1", "::1", "::ffff:127.0.0.1", "::FFFF:127.0.0.1"];

test("peerAddress drops the IPv4-mapped prefix only", () => {
  assert.equal(peerAddress("::ffff:10.1.2.3"), "10.1.2.3");
  assert.equal(peerAddress("::ffff:127.0.0.1"), "127.0.0.1");
  assert.equal(peerAddress("::ffff:abcd"), "::ffff:abcd");
  assert.equal(peerAddress("fe80::1"), "fe80::1");
  assert.equal(peerAddress("10.0.0.1"), "10.0.0.1");
  assert.equal(peerAddress(undefined), "");
});

test("isLoopback: 1.37's localhost, 127.0.0.1 and ::1 (also IPv4-mapped); nothing else", () => {
  for (const ip of LOOPBACKS) assert.equal(isLoopback(ip), true, ip);
  for (const ip of ["127.0.0.2", "10.0.0.1", "128.0.0.1", "::2", "fe80::1", "::ffff:10.0.0.1", "localhost", ""]) {
    assert.equal(isLoopback(ip), false, ip);
  }
});

const IPV4_LOOPBACKS = LOOPBACKS.filter((ip) => ip.includes("."));

// [list, peers, expected for each of them]
const loopbackTable: [string, readonly string[], boolean][] = [
  // what works on 1.37 (the peer is `localhost` there)
  ["localhost", LOOPBACKS, true],
  ["*", LOOPBACKS, true],
  ["localhost *", LOOPBACKS, true],
  ["!localhost *", LOOPBACKS, false],
  ["10.* !*", LOOPBACKS, false],
  ["", LOOPBACKS, false],
  // the numeric address, which 1.37 never tests
  ["127.* !*", IPV4_LOOPBACKS, true],
  ["127.* !*", ["::1"], false],
  ["!127.* *", IPV4_LOOPBACKS, false],
  ["!127.* *", ["::1"], true],
  ["127.* ::1 !*", LOOPBACKS, true],
  ["!127.* !::1 localhost", LOOPBACKS, false],
];

for (const [list, peers, expected] of loopbackTable) {
  test(`allowsPeer '${list}' on ${peers.join(", ")} is ${expected}`, () => {
    const pattern = SimplePattern.parse(list);
    for (const ip of peers) assert.equal(allowsPeer(pattern, ip), expected, ip);
  });
}

test("allowsPeer: the numeric address decides before localhost when its entry comes first", () => {
  const pattern = SimplePattern.parse("!127.0.0.1 *");
  assert.equal(allowsPeer(pattern, "127.0.0.1"), false);
  assert.equal(allowsPeer(pattern, "::ffff:127.0.0.1"), false);
  assert.equal(allowsPeer(pattern, "127.0.0.2"), true);
  assert.equal(allowsPeer(pattern, "::1"), true);
  assert.equal(allowsPeer(SimplePattern.parse("::1 !*"), "::1"), true);
  assert.equal(allowsPeer(SimplePattern.parse("::1 !*"), "127.0.0.1"), false);
});

test("peerName: 1.37's name for a peer in log lines and the API", () => {
  for (const ip of LOOPBACKS) assert.equal(peerName(ip), LOOPBACK_NAME, ip);
  assert.equal(peerName("127.0.0.2"), "127.0.0.2");
  assert.equal(peerName("::ffff:10.1.2.3"), "10.1.2.3");
  assert.equal(peerName("fe80::1"), "fe80::1");
  assert.equal(peerName(undefined), "");
});

test("allowsPeer: a 127.x other than 127.0.0.1 is its address alone, as on 1.37", () => {
  assert.equal(allowsPeer(SimplePattern.parse("localhost"), "127.0.0.2"), false);
  assert.equal(allowsPeer(SimplePattern.parse("127.* !*"), "127.0.0.2"), true);
});

test("allowsPeer: a non-loopback peer is its address alone, never localhost", () => {
  assert.equal(allowsPeer(SimplePattern.parse("localhost"), "10.0.0.1"), false);
  assert.equal(allowsPeer(SimplePattern.parse("localhost *"), "10.0.0.1"), true);
  assert.equal(allowsPeer(SimplePattern.parse("!10.0.0.1 *"), "10.0.0.1"), false);
  assert.equal(allowsPeer(SimplePattern.parse("!10.0.0.1 *"), "::ffff:10.0.0.1"), false);
  assert.equal(allowsPeer(SimplePattern.parse("10.*"), "::ffff:10.0.0.1"), true);
  assert.equal(allowsPeer(SimplePattern.parse("fe80:*"), "fe80::1"), true);
  assert.equal(allowsPeer(SimplePattern.parse(LOOPBACK_NAME), "fe80::1"), false);
});
