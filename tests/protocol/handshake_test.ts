import { test } from "node:test";
import assert from "node:assert/strict";
import { fixtureBytes, fixtureText } from "../_fixtures.ts";
import { CAPS_1_37_ALL } from "../../src/protocol/capabilities.ts";
import {
  buildStreamRequest,
  findRequestEnd,
  MAX_REQUEST_HEAD_BYTES,
  type ParsedStreamRequest,
  parseStreamRequest,
  type StreamRequestDefect,
  validateStreamRequest,
} from "../../src/protocol/handshake.ts";
import { negotiateAsParent, REFUSAL_NOT_PERMITTED } from "../../src/protocol/replies.ts";

import { ND_CHILD_REQUEST } from "./_nd_child.ts";
const HANDSHAKE = "netdata-1.37-child-handshake.txt";
const ndChild = ND_CHILD_REQUEST;

function parse(head: string): ParsedStreamRequest {
  const r = parseStreamRequest(head);
  if (!r.ok) throw new Error(`parse failed: ${r.error.message}`);
  return r.request;
}

/** Takes one parameter out of a request, as a child that never sent it. */
function withoutParam(request: string, name: string): string {
  const out = request.replace(new RegExp(`([ &])${name}=[^&]*&`), "$1");
  assert.notEqual(out, request, `no ${name}= to remove`);
  return out;
}

interface ReplyCase {
  case: string;
  reply: string;
  note?: string;
}

const cases: ReplyCase[] = JSON.parse(fixtureText("netdata-1.37-handshake-replies.json")).cases;

test("the real 1.37.1 request is rebuilt byte for byte", () => {
  const bytes = fixtureBytes(HANDSHAKE);
  assert.equal(bytes.length, 1397);
  assert.deepEqual(new TextEncoder().encode(buildStreamRequest(ndChild)), new Uint8Array(bytes));
});

test("the real 1.37.1 request parses as a parent reads it", () => {
  const text = fixtureText(HANDSHAKE);
  const req = parse(text);
  assert.equal(req.key, "11111111-2222-3333-4444-555555555555");
  assert.equal(req.hostname, "nd-child");
  assert.equal(req.registryHostname, "nd-child");
  assert.equal(req.machineGuid, "82be38ca-e718-11f1-8984-02fc00000001");
  assert.equal(req.updateEvery, 1);
  assert.equal(req.os, "linux");
  assert.equal(req.timezone, "Etc/UTC");
  assert.equal(req.abbrevTimezone, "UTC");
  assert.equal(req.utcOffset, 0);
  assert.equal(req.hops, 1);
  assert.equal(req.mlCapable, 0);
  assert.equal(req.mlEnabled, 0);
  assert.equal(req.mcVersion, 1);
  assert.equal(req.tags, undefined, "tags= is empty, so absent");
  assert.equal(req.ver, 15352);
  assert.equal(req.hasProtocolVersionParam, true);
  assert.equal(req.protocolVersion, "1.1");
  assert.equal(req.httpVersion, "1.1");
  assert.deepEqual(req.userAgent, { programName: "netdata", programVersion: "v1.37.1" });
  assert.equal(req.systemInfo.NETDATA_CONTAINER_OS_NAME, "Debian GNU/Linux");
  assert.equal(req.systemInfo.NETDATA_CONTAINER_OS_VERSION, "12 (bookworm)");
  assert.equal(req.systemInfo.NETDATA_CONTAINER_OS_DETECTION, "/etc/os-release");
  // the parent decodes the whole target, so the raw '+' of the child's value turns into a space
  assert.equal(req.systemInfo.NETDATA_SYSTEM_CPU_FREQ, "2.596e 09");
  assert.equal(Object.keys(req.systemInfo).length, 27);
  assert.equal(req.raw.size, 14 + 27 + 1, "every parameter but the empty tags=");
  assert.deepEqual(validateStreamRequest(req).ok, true);
});

test("parsed values rebuild the same request (apart from the '+' the parent decoded)", () => {
  const req = parse(fixtureText(HANDSHAKE));
  const rebuilt = buildStreamRequest({
    key: req.key ?? "",
    hostname: req.hostname ?? "",
    registryHostname: req.registryHostname ?? "",
    machineGuid: req.machineGuid ?? "",
    updateEvery: req.updateEvery,
    os: req.os,
    timezone: req.timezone,
    abbrevTimezone: req.abbrevTimezone,
    utcOffset: req.utcOffset,
    hops: req.hops,
    mlCapable: req.mlCapable,
    mlEnabled: req.mlEnabled,
    mcVersion: req.mcVersion,
    tags: req.tags ?? "",
    ver: req.ver,
    systemInfo: { ...req.systemInfo, NETDATA_SYSTEM_CPU_FREQ: "2.596e+09" },
    protocolVersion: req.protocolVersion,
    userAgent: { programName: req.userAgent?.programName ?? "", programVersion: req.userAgent?.programVersion ?? "" },
  });
  assert.equal(rebuilt, fixtureText(HANDSHAKE));
});

/** The `ver=` variants of the fixture, recognised by their case text. */
function verVariant(text: string): { ver: number | undefined; protocolVersion: string | undefined } | undefined {
  const m = /^ver=(\d+)\b/.exec(text);
  if (m !== null) return { ver: Number(m[1]), protocolVersion: "1.1" };
  if (/^no ver= and no NETDATA_PROTOCOL_VERSION/.test(text)) return { ver: undefined, protocolVersion: undefined };
  if (/^no ver= but NETDATA_PROTOCOL_VERSION=1\.1 present/.test(text)) {
    return { ver: undefined, protocolVersion: "1.1" };
  }
  return undefined;
}

const verCases = cases.flatMap((c) => {
  const variant = verVariant(c.case);
  return variant === undefined ? [] : [{ ...c, ...variant }];
});

test("the fixture has all eleven ver= variants", () => {
  assert.deepEqual(
    verCases.map((c) => c.ver === undefined ? `absent${c.protocolVersion === undefined ? "" : "+PV"}` : c.ver).sort(),
    [0, 1, 15352, 16376, 2, 3, 4, 5, 64, "absent", "absent+PV"].sort(),
  );
});

for (const c of verCases) {
  test(`parent answers ${c.case}`, () => {
    const request = buildStreamRequest({ ...ndChild, ver: c.ver, protocolVersion: c.protocolVersion });
    const req = parse(request);
    assert.equal(req.ver, c.ver);
    assert.equal(req.hasProtocolVersionParam, c.protocolVersion !== undefined);
    assert.equal(validateStreamRequest(req).ok, true);
    const { reply } = negotiateAsParent({
      childVer: req.ver,
      hasProtocolVersionParam: req.hasProtocolVersionParam,
      ours: CAPS_1_37_ALL,
      compressionAllowed: true,
    });
    assert.equal(reply, c.reply);
  });
}

test("a parent that does not allow compression answers ver=16376 with 15296", () => {
  const req = parse(buildStreamRequest({ ...ndChild, ver: 16376 }));
  const n = negotiateAsParent({
    childVer: req.ver,
    hasProtocolVersionParam: req.hasProtocolVersionParam,
    ours: CAPS_1_37_ALL,
    compressionAllowed: false,
  });
  assert.deepEqual(n, { caps: 15296, reply: "Hit me baby, push them over with the version=15296" });
});

/** The refusals decided by the request alone, by the case text of the fixture. */
const requestRefusals: Record<string, { request: () => string; defect: StreamRequestDefect }> = {
  "no key= parameter": { request: () => withoutParam(buildStreamRequest(ndChild), "key"), defect: "no-key" },
  "no hostname= parameter": {
    request: () => withoutParam(buildStreamRequest(ndChild), "hostname"),
    defect: "no-hostname",
  },
  "no machine_guid= parameter": {
    request: () => withoutParam(buildStreamRequest(ndChild), "machine_guid"),
    defect: "no-machine-guid",
  },
  "key is not a GUID (key=not-a-guid)": {
    request: () => buildStreamRequest({ ...ndChild, key: "not-a-guid" }),
    defect: "invalid-key",
  },
  "machine_guid=not-a-guid": {
    request: () => buildStreamRequest({ ...ndChild, machineGuid: "not-a-guid" }),
    defect: "invalid-machine-guid",
  },
};

// The 1.37 access-log status the fixture notes for each defect (the receiver writes the same ones).
const REQUEST_REASONS = [
  "ACCESS DENIED - NO KEY",
  "ACCESS DENIED - NO HOSTNAME",
  "ACCESS DENIED - NO MACHINE GUID",
  "ACCESS DENIED - INVALID KEY",
  "ACCESS DENIED - INVALID MACHINE GUID",
];

const refusalCases = cases.filter((c) => REQUEST_REASONS.some((r) => c.note === `access.log: ${r}`));

test("the fixture has the five request-level refusals", () => {
  assert.equal(refusalCases.length, 5);
});

for (const c of refusalCases) {
  test(`parent refuses: ${c.case}`, () => {
    const refusal = requestRefusals[c.case];
    assert.ok(refusal !== undefined, "no request built for this fixture case");
    const v = validateStreamRequest(parse(refusal.request()));
    assert.deepEqual(v, { ok: false, defect: refusal.defect, reply: c.reply });
    assert.equal(c.reply, REFUSAL_NOT_PERMITTED);
  });
}

test("the parent checks in 1.37's order", () => {
  const v = validateStreamRequest(parse("STREAM key=bad&machine_guid=also-bad HTTP/1.1\r\n\r\n"));
  assert.ok(!v.ok && v.defect === "no-hostname");
  const w = validateStreamRequest(parse("STREAM key=bad&hostname=h&machine_guid=also-bad HTTP/1.1\r\n\r\n"));
  assert.ok(!w.ok && w.defect === "invalid-key");
});

test("a valid request's machine GUID is lower case whatever case the child sent; raw keeps it as sent", () => {
  const sent = "82BE38CA-E718-11F1-8984-02FC00000001";
  const key = "11111111-2222-3333-4444-555555555555";
  const v = validateStreamRequest(parse(`STREAM key=${key}&hostname=h&machine_guid=${sent} HTTP/1.1\r\n\r\n`));
  assert.ok(v.ok);
  assert.equal(v.request.machineGuid, "82be38ca-e718-11f1-8984-02fc00000001");
  assert.equal(v.request.raw.get("machine_guid"), sent);
});

test("not a stream request", () => {
  for (
    const head of ["GET /api/v1/info HTTP/1.1\r\n\r\n", "stream key=a HTTP/1.1\r\n\r\n", "", "STREAMkey=a HTTP/1.1"]
  ) {
    const r = parseStreamRequest(head);
    assert.ok(!r.ok && r.error.code === "not-stream-request", head);
  }
  const r = parseStreamRequest("STREAM key=a&hostname=b\r\nUser-Agent: x/1\r\n\r\n");
  assert.ok(!r.ok && r.error.code === "missing-http-version");
});

test("defaults for absent and empty parameters", () => {
  const req = parse("STREAM key=k&hostname=h&machine_guid=g&os=&timezone= HTTP/1.1\r\n\r\n");
  assert.equal(req.registryHostname, "h");
  assert.equal(req.os, "unknown");
  assert.equal(req.timezone, "unknown");
  assert.equal(req.abbrevTimezone, "UTC");
  assert.equal(req.utcOffset, 0);
  assert.equal(req.hops, 1);
  assert.equal(req.mlCapable, 0);
  assert.equal(req.mcVersion, 0);
  assert.equal(req.updateEvery, 1);
  assert.equal(req.tags, undefined);
  assert.equal(req.ver, undefined);
  assert.equal(req.hasProtocolVersionParam, false);
  assert.equal(req.userAgent, undefined);
  const other = parseStreamRequest("STREAM key=k HTTP/1.1\r\n\r\n", { defaultUpdateEvery: 2 });
  assert.ok(other.ok && other.request.updateEvery === 2 && other.request.registryHostname === undefined);
});

test("the whole target is URL-decoded before splitting", () => {
  const req = parse(
    "STREAM key=k&hostname=a%20b&tags=x%26y=z&NETDATA_SYSTEM_OS_NAME=Debian+GNU%2FLinux&NETDATA_SYSTEM_OS_ID=%0d%0aX&bad=%zz&utc_offset=-3600 HTTP/1.1\r\n\r\n",
  );
  assert.equal(req.hostname, "a b");
  // %26 became '&' before the split: tags ends early and 'y=z' is a parameter of its own
  assert.equal(req.tags, "x");
  assert.equal(req.raw.get("y"), "z");
  assert.equal(req.systemInfo.NETDATA_SYSTEM_OS_NAME, "Debian GNU/Linux");
  assert.equal(req.systemInfo.NETDATA_SYSTEM_OS_ID, "  X");
  assert.equal(req.raw.get("bad"), "%zz");
  assert.equal(req.utcOffset, -3600);
  assert.equal(parse("STREAM hostname=caf%C3%A9 HTTP/1.1\r\n\r\n").hostname, "café");
});

test("numbers are read like C strtoul with base 0", () => {
  const ver = (text: string) => parse(`STREAM ver=${text} HTTP/1.1\r\n\r\n`).ver;
  assert.equal(ver("15352"), 15352);
  assert.equal(ver("0x40"), 64);
  assert.equal(ver("010"), 8);
  assert.equal(ver("64abc"), 64);
  assert.equal(ver("abc"), 0);
  assert.equal(ver("4294967295"), -1);
  assert.equal(ver("-1"), -1);
  assert.equal(ver("99999999999999999999999"), -1);
  assert.equal(parse("STREAM hops=65537 HTTP/1.1\r\n\r\n").hops, 1);
});

test("user agent is split at the first '/'", () => {
  const ua = (value: string) => parse(`STREAM key=k HTTP/1.1\r\nuser-agent: ${value}\r\n\r\n`).userAgent;
  assert.deepEqual(ua("rill/0.1.0/extra"), { programName: "rill", programVersion: "0.1.0/extra" });
  assert.deepEqual(ua("netdata"), { programName: "netdata", programVersion: undefined });
  assert.deepEqual(ua("netdata/"), { programName: "netdata", programVersion: undefined });
});

test("the builder URL-encodes only the five values a 1.37 child encodes", () => {
  const text = buildStreamRequest({
    ...ndChild,
    systemInfo: {
      NETDATA_SYSTEM_OS_NAME: "Debian GNU/Linux",
      NETDATA_SYSTEM_OS_VERSION: "12 (bookworm)",
      NETDATA_SYSTEM_KERNEL_VERSION: "#1 SMP é",
      NETDATA_CONTAINER_OS_NAME: "Debian GNU/Linux",
    },
  });
  assert.match(text, /&NETDATA_SYSTEM_OS_NAME=Debian\+GNU%2fLinux&/);
  assert.match(text, /&NETDATA_SYSTEM_OS_VERSION=12\+%28bookworm%29&/);
  assert.match(text, /&NETDATA_SYSTEM_KERNEL_VERSION=%231\+SMP\+%c3%a9&/);
  assert.match(text, /&NETDATA_CONTAINER_OS_NAME=Debian GNU\/Linux&/);
  assert.match(text, /&NETDATA_SYSTEM_ARCHITECTURE=&/);
  const back = parse(text);
  assert.equal(back.systemInfo.NETDATA_SYSTEM_OS_NAME, "Debian GNU/Linux");
  assert.equal(back.systemInfo.NETDATA_SYSTEM_KERNEL_VERSION, "#1 SMP é");
});

test("the builder leaves out ver= and NETDATA_PROTOCOL_VERSION when asked", () => {
  const text = buildStreamRequest({ ...ndChild, ver: undefined, protocolVersion: undefined });
  assert.ok(!text.includes("&ver="));
  assert.ok(!text.includes("NETDATA_PROTOCOL_VERSION"));
  assert.ok(text.includes("&tags=&NETDATA_INSTANCE_CLOUD_TYPE=unknown&"));
  assert.ok(text.includes("&NETDATA_SYSTEM_TOTAL_DISK_SIZE=274877906944 HTTP/1.1\r\n"));
});

test("the builder refuses line breaks and oversized requests", () => {
  assert.throws(() => buildStreamRequest({ ...ndChild, hostname: "a\r\nX-Evil: 1" }), RangeError);
  assert.throws(() => buildStreamRequest({ ...ndChild, tags: "t".repeat(8000) }), RangeError);
});

test("findRequestEnd", () => {
  const bytes = fixtureBytes(HANDSHAKE);
  assert.equal(findRequestEnd(bytes), 1397);
  assert.equal(findRequestEnd(bytes.subarray(0, 1396)), -1);
  const more = new Uint8Array([...bytes, 70, 79, 79]);
  assert.equal(findRequestEnd(more), 1397);
  assert.equal(findRequestEnd(more, 1390), 1397);
  assert.equal(findRequestEnd(new Uint8Array(0)), -1);
  const ascii = (text: string) => new TextEncoder().encode(text);
  // LF-only heads (hand-written clients, as 1.37 takes them) and a mix end at their first blank line too.
  assert.equal(findRequestEnd(ascii("GET / HTTP/1.1\nHost: x\n\nGET")), 24);
  assert.equal(findRequestEnd(ascii("GET / HTTP/1.1\nHost: x\n\r\n")), 25);
  assert.equal(findRequestEnd(ascii("GET / HTTP/1.1\r\nHost: x\r\n\r")), -1);
  assert.equal(findRequestEnd(ascii("GET / HTTP/1.1\r\nX: \ra\r\n")), -1);
  assert.ok(MAX_REQUEST_HEAD_BYTES >= 8192);
});
