import { test } from "node:test";
import assert from "node:assert/strict";
import { fixtureText } from "../_fixtures.ts";
import {
  CAP_CLABELS,
  CAP_CLAIM,
  CAP_COMPRESSION,
  CAP_HLABELS,
  CAP_V1,
  CAP_V2,
  CAP_VCAPS,
  CAP_VN,
  CAP_ZSTD,
  type Capabilities,
  CAPS_1_37_ALL,
  CAPS_1_37_NO_COMPRESSION,
  CAPS_RILL,
  COMPRESSION_CAPS,
} from "../../src/protocol/capabilities.ts";
import {
  negotiateAsParent,
  parentReplyFor,
  type ParentReplyReading,
  readParentReply,
  REFUSAL_ALREADY_STREAMING,
  REFUSAL_BUSY,
  REFUSAL_INITIALIZING,
  REFUSAL_INTERNAL_ERROR,
  REFUSAL_LOCAL_VNODE,
  REFUSAL_NOT_ALLOWED,
  REFUSAL_NOT_PERMITTED,
  REFUSAL_SAME_LOCALHOST,
  REPLY_V1,
  REPLY_V2,
  REPLY_VERSION_PREFIX,
} from "../../src/protocol/replies.ts";

interface ReplyCase {
  case: string;
  reply: string;
  closed_by_parent: boolean;
  note?: string;
}

const cases: ReplyCase[] = JSON.parse(fixtureText("netdata-1.37-handshake-replies.json")).cases;

test("every reply of the fixture is one of our constants", () => {
  const replies = new Set<string>([
    REPLY_V1,
    REPLY_V2,
    REFUSAL_NOT_PERMITTED,
    REFUSAL_ALREADY_STREAMING,
    REFUSAL_SAME_LOCALHOST,
    REFUSAL_BUSY,
    REFUSAL_NOT_ALLOWED,
  ]);
  for (const c of cases) {
    assert.ok(replies.has(c.reply) || c.reply.startsWith(REPLY_VERSION_PREFIX), `unknown reply ${c.reply}`);
  }
});

test("parentReplyFor gives the 1.37 strings", () => {
  assert.equal(parentReplyFor(16320), "Hit me baby, push them over with the version=16320");
  assert.equal(parentReplyFor(CAP_VCAPS), "Hit me baby, push them over with the version=64");
  const vn = CAP_VN | CAP_HLABELS | CAP_CLAIM;
  assert.equal(parentReplyFor(vn | CAP_CLABELS | CAP_COMPRESSION), "Hit me baby, push them over with the version=5");
  assert.equal(parentReplyFor(vn | CAP_CLABELS), "Hit me baby, push them over with the version=4");
  assert.equal(parentReplyFor(vn), "Hit me baby, push them over with the version=3");
  assert.equal(parentReplyFor(CAP_V2 | CAP_HLABELS), "Hit me baby, push them over and bring the host labels...");
  assert.equal(parentReplyFor(CAP_V1), "Hit me baby, push them over...");
  assert.equal(parentReplyFor(0), "Hit me baby, push them over...");
});

test("negotiateAsParent: zstd rather than LZ4 when both are left; a 1.37 child keeps LZ4", () => {
  const negotiate = (childVer: number, compressionAllowed: boolean) =>
    negotiateAsParent({ childVer, hasProtocolVersionParam: true, ours: CAPS_RILL, compressionAllowed }).caps;
  assert.equal(negotiate(CAPS_RILL, true) & COMPRESSION_CAPS, CAP_ZSTD);
  assert.equal(negotiate(CAPS_1_37_ALL, true) & COMPRESSION_CAPS, CAP_COMPRESSION);
  assert.equal(negotiate(CAPS_RILL, false) & COMPRESSION_CAPS, 0);
  assert.equal(negotiate(CAPS_RILL, true), 539584);
});

test("negotiateAsParent: AND with ours, compression only when allowed", () => {
  const negotiate = (childVer: number | undefined, ours: Capabilities, compressionAllowed: boolean) =>
    negotiateAsParent({ childVer, hasProtocolVersionParam: true, ours, compressionAllowed });
  assert.deepEqual(negotiate(16376, CAPS_1_37_ALL, true), {
    caps: 16320,
    reply: "Hit me baby, push them over with the version=16320",
  });
  assert.deepEqual(negotiate(16376, CAPS_1_37_ALL, false), {
    caps: 15296,
    reply: "Hit me baby, push them over with the version=15296",
  });
  assert.equal(negotiate(5, CAPS_1_37_ALL, false).reply, "Hit me baby, push them over with the version=4");
  assert.equal(negotiate(5, CAPS_1_37_NO_COMPRESSION, true).reply, "Hit me baby, push them over with the version=4");
  // a newer child offering more than 1.37 knows gets only the common part
  assert.equal(negotiate(16376 | 16384 | 32768, CAPS_1_37_ALL, true).caps, 16320);
  assert.equal(negotiate(undefined, CAPS_1_37_ALL, true).reply, REPLY_V1);
});

const V5 = CAP_VN | CAP_HLABELS | CAP_CLAIM | CAP_CLABELS | CAP_COMPRESSION;

/** How a 1.37 child that offered 15352 reads each reply the real parent sent. */
const childReading: Record<string, ParentReplyReading> = {
  "Hit me baby, push them over with the version=15296": {
    kind: "accepted",
    caps: 15296,
    version: 15296,
    beyondOffered: 0,
  },
  "Hit me baby, push them over with the version=16320": {
    kind: "accepted",
    caps: 16320,
    version: 16320,
    beyondOffered: CAP_COMPRESSION,
  },
  "Hit me baby, push them over with the version=64": { kind: "accepted", caps: 64, version: 64, beyondOffered: 0 },
  "Hit me baby, push them over with the version=5": {
    kind: "accepted",
    caps: V5,
    version: 5,
    beyondOffered: CAP_COMPRESSION,
  },
  "Hit me baby, push them over with the version=4": {
    kind: "accepted",
    caps: V5 & ~CAP_COMPRESSION,
    version: 4,
    beyondOffered: 0,
  },
  "Hit me baby, push them over with the version=3": {
    kind: "accepted",
    caps: CAP_VN | CAP_HLABELS | CAP_CLAIM,
    version: 3,
    beyondOffered: 0,
  },
  "Hit me baby, push them over and bring the host labels...": {
    kind: "accepted",
    caps: CAP_V2 | CAP_HLABELS,
    version: 2,
    beyondOffered: 0,
  },
  "Hit me baby, push them over...": { kind: "accepted", caps: CAP_V1, version: 1, beyondOffered: 0 },
  "You are not permitted to access this. Check the logs for more info.": {
    kind: "refused",
    reason: "denied",
    retryAfterSeconds: 60,
  },
  "Don't hit me baby, you are trying to stream my localhost back": {
    kind: "refused",
    reason: "own-localhost",
    retryAfterSeconds: 3600,
  },
  "This GUID is already streaming to this server": {
    kind: "refused",
    reason: "already-streaming",
    retryAfterSeconds: 120,
  },
  "The server is too busy now to accept this request. Try later.": { kind: "not-understood", retryAfterSeconds: 60 },
  "You are not allowed to access this resource.": { kind: "not-understood", retryAfterSeconds: 60 },
};

for (const reply of new Set(cases.map((c) => c.reply))) {
  test(`1.37 child reads '${reply}'`, () => {
    const expected = childReading[reply];
    assert.ok(expected !== undefined, "the fixture has a reply this test has no expectation for");
    assert.deepEqual(readParentReply(reply, CAPS_1_37_NO_COMPRESSION), expected);
  });
}

test("the child trusts the parent: version=5 gives COMPRESSION even when not offered", () => {
  const r = readParentReply(`${REPLY_VERSION_PREFIX}5`, CAPS_1_37_NO_COMPRESSION);
  assert.equal(r.kind, "accepted");
  assert.ok(r.kind === "accepted" && (r.caps & CAP_COMPRESSION) !== 0);
  // ...but not what the child's build cannot do
  const noLz4 = readParentReply(`${REPLY_VERSION_PREFIX}5`, CAPS_1_37_NO_COMPRESSION, {
    supported: CAPS_1_37_NO_COMPRESSION,
  });
  assert.ok(noLz4.kind === "accepted" && (noLz4.caps & CAP_COMPRESSION) === 0);
  // bits a 1.37 build does not know are dropped
  const newer = readParentReply(`${REPLY_VERSION_PREFIX}${15296 + 16384}`, CAPS_1_37_ALL);
  assert.ok(newer.kind === "accepted" && newer.caps === 15296);
});

test("HTTP responses and near misses are not understood", () => {
  const notUnderstood = { kind: "not-understood", retryAfterSeconds: 60 };
  for (
    const reply of [
      "HTTP/1.1 200 OK",
      "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 401 Unauthorized\r\n\r\nYou are not permitted to access this. Check the logs for more info.",
      "",
      `${REPLY_V1}\n`,
      `${REFUSAL_NOT_PERMITTED} `,
      `${REPLY_VERSION_PREFIX}${"1".repeat(30)}`,
      `${REPLY_VERSION_PREFIX}0`,
      `${REPLY_VERSION_PREFIX}-3`,
      `${REPLY_VERSION_PREFIX}x`,
      REFUSAL_LOCAL_VNODE,
    ]
  ) {
    assert.deepEqual(readParentReply(reply, CAPS_1_37_ALL), notUnderstood, JSON.stringify(reply));
  }
});

test("version parsing quirks of a 1.37 child", () => {
  // digits stop at the first non-digit; 29 bytes after the prefix still fit
  const r = readParentReply(`${REPLY_VERSION_PREFIX}15296 REPLAY_CHART`, CAPS_1_37_ALL);
  assert.ok(r.kind === "accepted" && r.caps === 15296);
  const padded = readParentReply(`${REPLY_VERSION_PREFIX}64${" ".repeat(27)}`, CAPS_1_37_ALL);
  assert.ok(padded.kind === "accepted" && padded.caps === 64);
  // the bare prefix matches the table entry's own length and counts as version 3
  const bare = readParentReply(REPLY_VERSION_PREFIX, CAPS_1_37_ALL);
  assert.ok(bare.kind === "accepted" && bare.version === 3);
});

test("newer refusals are understood only on request", () => {
  assert.equal(readParentReply(REFUSAL_INTERNAL_ERROR, CAPS_1_37_ALL).kind, "not-understood");
  const opts = { understandNewerRefusals: true };
  assert.deepEqual(readParentReply(REFUSAL_BUSY, CAPS_1_37_ALL, opts), {
    kind: "refused",
    reason: "busy",
    retryAfterSeconds: 120,
  });
  assert.deepEqual(readParentReply(REFUSAL_INTERNAL_ERROR, CAPS_1_37_ALL, opts), {
    kind: "refused",
    reason: "internal-error",
    retryAfterSeconds: 300,
  });
  assert.deepEqual(readParentReply(REFUSAL_INITIALIZING, CAPS_1_37_ALL, opts), {
    kind: "refused",
    reason: "initializing",
    retryAfterSeconds: 30,
  });
});
