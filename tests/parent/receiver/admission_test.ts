// The receiver's admission policy over a parsed stream.conf: which sections apply to a child, whether it may
// stream (types, enabled, allow from, in Netdata's order; a loopback child also answers to `localhost`), and
// the settings in force (parent defaults < key section < machine section, per-child limits included).
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseNetdataConf } from "../../../src/config/netdata_conf.ts";
import { RECEIVER_LIMITS } from "../../../src/config/receiver_limits.ts";
import { parseStreamConf } from "../../../src/config/stream_conf.ts";
import {
  RECEIVER_DEFAULTS,
  receiverDefaultsFrom,
  receiverLimits,
  receiverPolicy,
} from "../../../src/parent/receiver/admission.ts";
import { streamFixture } from "../../config/_configs.ts";

const K0 = "00000000-0000-0000-0000-000000000000";
const K1 = "11111111-2222-3333-4444-555555555555";
const K6 = "66666666-7777-8888-9999-000000000000";
const M1 = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
const M2 = "bbbbbbbb-bbbb-cccc-dddd-eeeeeeeeeeee";

test("defaults: dbengine, 3600 entries, health auto (source-backed where the docs disagree)", () => {
  assert.equal(RECEIVER_DEFAULTS.memoryMode, "dbengine");
  assert.equal(RECEIVER_DEFAULTS.history, 3600);
  assert.equal(RECEIVER_DEFAULTS.healthEnabled, "auto");
  const p = receiverPolicy(parseStreamConf(`[${K1}]\nenabled = yes\n`), K1, M1);
  assert.equal(p.memoryMode, "dbengine");
  assert.equal(p.healthEnabled, "auto");
  assert.deepEqual(p.limits, RECEIVER_LIMITS);
});

// ---------------------------------------------------------------------------------------------------------------
// The real files

test("stream.conf 001: the key's memory mode save and history 1800 apply", () => {
  const conf = streamFixture("001");
  const p = receiverPolicy(conf, "26df5a69-eb8d-48ba-841e-25f66a66a1df", M1, { clientIp: "10.0.0.1" });
  assert.deepEqual(p.access, { allowed: true });
  assert.equal(p.memoryMode, "save");
  assert.equal(p.history, 1800);
});

test("stream.conf 002: each key is allowed from its one IP (one from *)", () => {
  const conf = streamFixture("002");
  const k = "596b40bb-e0d2-4c83-81fa-ddf89d416cb9";
  assert.equal(receiverPolicy(conf, k, M1, { clientIp: "100.92.201.100" }).access.allowed, true);
  assert.deepEqual(receiverPolicy(conf, k, M1, { clientIp: "100.92.201.101" }).access, {
    allowed: false,
    denial: "key-not-from-ip",
    reason: "API key is not allowed from this IP",
  });
  assert.equal(
    receiverPolicy(conf, "d5fe55e6-51e5-4587-980a-12c61f3eb2d2", M1, { clientIp: "8.8.8.8" }).access.allowed,
    true,
  );
});

test("stream.conf 020 + 021: the child's key is let in with the parent's defaults", () => {
  const p = receiverPolicy(streamFixture("020"), streamFixture("021").stream.apiKey, M1);
  assert.deepEqual(p.access, { allowed: true });
  assert.equal(p.memoryMode, "dbengine");
  assert.equal(p.healthEnabled, "auto");
});

test("stream.conf 023: 'history' in a key section is not read as the key's; the parent's default applies", () => {
  const conf = streamFixture("023");
  const p = receiverPolicy(conf, K1, M1);
  assert.equal(p.history, 3600);
  assert.equal(p.memoryMode, "dbengine");
  assert.equal(receiverPolicy(conf, K1, M1, { defaults: { history: 100 } }).history, 100);
});

test("stream.conf 036: a proxy inherits [stream]: tcp:grand-parent with the default port", () => {
  const p = receiverPolicy(streamFixture("036"), "00000000-0000-0000-0000-000000000001", M1);
  assert.deepEqual(p.access, { allowed: true });
  assert.equal(p.proxy.enabled, true);
  assert.equal(p.proxy.apiKey, K0);
  assert.deepEqual(p.proxy.destination.map((d) => [d.host, d.port]), [["grand-parent", 19999]]);
  assert.equal(p.history, 3600);
  assert.equal(p.healthEnabled, "auto");
});

// ---------------------------------------------------------------------------------------------------------------
// The blocks of the two seed docs

test("docs: per-child settings: the machine section overrides its key's, other children get the key's", () => {
  const conf = parseStreamConf(
    `[${K1}]\nenabled = yes\ndefault memory mode = dbengine\nhealth enabled by default = auto\nallow from = *\n` +
      `[${M1}]\nenabled = yes\nmemory mode = save\nhealth enabled = no\n`,
  );
  const p = receiverPolicy(conf, K1, M1);
  assert.deepEqual(p.access, { allowed: true });
  assert.equal(p.memoryMode, "save");
  assert.equal(p.healthEnabled, false);
  const other = receiverPolicy(conf, K1, M2);
  assert.equal(other.memoryMode, "dbengine");
  assert.equal(other.healthEnabled, "auto");
});

test("docs: the proxy example receives on one key and sends on another", () => {
  const conf = parseStreamConf(
    `[stream]\nenabled = yes\ndestination = 203.0.113.0\napi key = ${K1}\n[${K6}]\nenabled = yes\ndefault memory mode = dbengine\n`,
  );
  const p = receiverPolicy(conf, K6, M1);
  assert.equal(p.memoryMode, "dbengine");
  assert.equal(p.proxy.enabled, true);
  assert.equal(p.proxy.apiKey, K1);
});

test("docs: allow from = !10.1.2.3 10.*", () => {
  const conf = parseStreamConf(`[${K1}]\nenabled = yes\nallow from = !10.1.2.3 10.*\n`);
  assert.equal(receiverPolicy(conf, K1, M1, { clientIp: "10.0.0.5" }).access.allowed, true);
  assert.equal(receiverPolicy(conf, K1, M1, { clientIp: "10.1.2.3" }).access.allowed, false);
  assert.equal(receiverPolicy(conf, K1, M1, { clientIp: "192.168.1.1" }).access.allowed, false);
});

// ---------------------------------------------------------------------------------------------------------------
// Synthetic cases

test("bad values were left unset by the reader, so the next level applies", () => {
  const conf = parseStreamConf(
    `[${K1}]\nenabled = yes\ndefault memory mode = fast\nhealth enabled by default = sometimes\n`,
  );
  assert.equal(conf.diagnostics.length, 2);
  const p = receiverPolicy(conf, K1, M1);
  assert.equal(p.memoryMode, "dbengine");
  assert.equal(p.healthEnabled, "auto");
});

test("a bad type value refuses the section in both roles", () => {
  const conf = parseStreamConf(`[${K1}]\n  type = apikey\n  enabled = yes\n`);
  assert.deepEqual(receiverPolicy(conf, K1, M1).access, {
    allowed: false,
    denial: "key-is-machine",
    reason: "API key is a machine GUID",
  });
  assert.deepEqual(receiverPolicy(conf, K6, K1).access, {
    allowed: false,
    denial: "key-not-enabled",
    reason: "API key is not enabled",
  });
});

test("an API-key section without 'enabled' refuses (keys default to disabled)", () => {
  const conf = parseStreamConf(`[${K1}]\n  default memory mode = ram\n`);
  assert.deepEqual(receiverPolicy(conf, K1, M1).access, {
    allowed: false,
    denial: "key-not-enabled",
    reason: "API key is not enabled",
  });
});

test("two sections naming one GUID in different cases: the first counts", () => {
  const conf = parseStreamConf(`[${M1}]\nhistory = 100\n[${M1.toUpperCase()}]\nhistory = 200\n`);
  assert.equal(receiverPolicy(conf, K1, M1).history, 100);
});

test("receiverPolicy: a GUID section overrides its key's 'default …' values", () => {
  const text = `[stream]
  enabled = no
  destination = upstream:19999
  api key = ${K0}
[${K1}]
  enabled = yes
  default history = 7200
  default memory mode = ram
  health enabled by default = yes
  default postpone alarms on connect seconds = 30
  default proxy enabled = yes
  default proxy destination = proxy-a
  default proxy api key = ${K6}
  default proxy send charts matching = system.*
  seconds to replicate = 3600
[${M1}]
  type = machine
  update every = 2
  history = 10
  memory mode = save
  health enabled = no
  postpone alarms on connect seconds = 0
  proxy destination = proxy-b:20000
  proxy send charts matching = apps.*
  enable replication = no
  enable compression = no
`;
  const conf = parseStreamConf(text);
  assert.deepEqual(conf.diagnostics, []);
  const p = receiverPolicy(conf, K1, M1);
  assert.deepEqual(p.access, { allowed: true });
  assert.equal(p.updateEvery, 2);
  assert.equal(p.history, 10);
  assert.equal(p.memoryMode, "save");
  assert.equal(p.healthEnabled, false);
  assert.equal(p.postponeAlarmsOnConnectSeconds, 0);
  assert.equal(p.proxy.enabled, true); // from the key section
  assert.deepEqual(p.proxy.destination.map((d) => `${d.host}:${d.port}`), ["proxy-b:20000"]);
  assert.equal(p.proxy.apiKey, K6);
  assert.equal(p.proxy.sendChartsMatching.source, "apps.*");
  assert.deepEqual(p.replication, { enabled: false, seconds: 3600, stepSeconds: 600 });
  assert.equal(p.compression, false);

  const other = receiverPolicy(conf, K1, "bbbbbbbb-bbbb-cccc-dddd-eeeeeeeeeeee");
  assert.equal(other.updateEvery, undefined);
  assert.equal(other.history, 7200);
  assert.equal(other.memoryMode, "ram");
  assert.equal(other.healthEnabled, true);
  assert.equal(other.postponeAlarmsOnConnectSeconds, 30);
  assert.deepEqual(other.proxy.destination.map((d) => d.host), ["proxy-a"]);
  assert.equal(other.proxy.sendChartsMatching.source, "system.*");
  assert.deepEqual(other.replication, { enabled: true, seconds: 3600, stepSeconds: 600 });
  assert.equal(other.compression, true);
});

test("receiverPolicy: refusals in Netdata's order", () => {
  const conf = parseStreamConf(`[${K1}]
  enabled = yes
[${K6}]
  enabled = no
[${M1}]
  enabled = no
[bbbbbbbb-bbbb-cccc-dddd-eeeeeeeeeeee]
  type = api
  enabled = yes
[cccccccc-bbbb-cccc-dddd-eeeeeeeeeeee]
  allow from = 10.*
`);
  const reason = (key: string, guid: string, ip?: string) => {
    const a = receiverPolicy(conf, key, guid, { clientIp: ip }).access;
    return a.allowed ? "allowed" : a.reason;
  };
  assert.equal(reason("not-a-guid", M1), "API key is not a valid GUID");
  assert.equal(reason(K1, "nope"), "machine GUID is not a valid GUID");
  assert.equal(reason(K0, M1), "API key is not enabled"); // no section at all
  assert.equal(reason(K6, M1), "API key is not enabled");
  assert.equal(reason(K1, M1), "machine GUID is not enabled");
  assert.equal(reason(K1, "bbbbbbbb-bbbb-cccc-dddd-eeeeeeeeeeee"), "machine GUID is an API key");
  assert.equal(
    reason(K1, "cccccccc-bbbb-cccc-dddd-eeeeeeeeeeee", "192.168.0.1"),
    "machine GUID is not allowed from this IP",
  );
  assert.equal(reason(K1, "cccccccc-bbbb-cccc-dddd-eeeeeeeeeeee", "10.0.0.1"), "allowed");
  assert.equal(reason(K1, "dddddddd-bbbb-cccc-dddd-eeeeeeeeeeee", "192.168.0.1"), "allowed");
});

test("receiverPolicy: a blank 'allow from' allows everyone (Netdata builds no pattern)", () => {
  const conf = parseStreamConf(`[${K1}]\nenabled = yes\nallow from =\n`);
  assert.equal(receiverPolicy(conf, K1, M1, { clientIp: "1.2.3.4" }).access.allowed, true);
});

test("receiverPolicy: parent defaults come from the caller; history never below 5; compression needs [stream] too", () => {
  const conf = parseStreamConf(`[stream]\nenable compression = no\n[${K1}]\nenabled = yes\ndefault history = 1\n`);
  const p = receiverPolicy(conf, K1, M1, { defaults: { memoryMode: "ram", healthEnabled: false } });
  assert.equal(p.memoryMode, "ram");
  assert.equal(p.healthEnabled, false);
  assert.equal(p.history, 5);
  assert.equal(p.compression, false);
  assert.equal(p.proxy.enabled, false);
});

test("receiverPolicy: key and machine-GUID sections match whatever case the file or the child writes them in", () => {
  const conf = parseStreamConf(
    `[${K1.toUpperCase()}]\nenabled = yes\ndefault history = 600\n[${M1.toUpperCase()}]\nhistory = 7200\n`,
  );
  assert.deepEqual([...conf.sections.keys()], [K1, M1]);
  assert.equal(conf.machines.get(M1)?.name, M1.toUpperCase());
  for (const [key, guid] of [[K1, M1], [K1.toUpperCase(), M1.toUpperCase()]]) {
    const p = receiverPolicy(conf, key, guid);
    assert.deepEqual(p.access, { allowed: true });
    assert.equal(p.history, 7200);
  }
  const lower = parseStreamConf(`[${K1}]\nenabled = yes\n[${M1}]\nenabled = no\n`);
  assert.equal(receiverPolicy(lower, K1.toUpperCase(), M1.toUpperCase()).access.allowed, false);
});

test("receiverPolicy: a loopback child answers to its address and to localhost, in the list's order", () => {
  const allowFrom = (list: string, ip: string) => {
    const conf = parseStreamConf(`[${K1}]\nenabled = yes\nallow from = ${list}\n[${M1}]\nallow from = *\n`);
    return receiverPolicy(conf, K1, M1, { clientIp: ip }).access.allowed;
  };
  assert.equal(allowFrom("127.* !*", "127.0.0.1"), true); // a 1.37 parent refuses this one
  assert.equal(allowFrom("127.* !*", "::ffff:127.0.0.1"), true);
  assert.equal(allowFrom("!127.0.0.1 *", "127.0.0.1"), false);
  assert.equal(allowFrom("localhost", "127.0.0.1"), true);
  assert.equal(allowFrom("localhost", "::1"), true);
  assert.equal(allowFrom("!localhost *", "127.0.0.1"), false);
  assert.equal(allowFrom("localhost", "10.0.0.1"), false);
  const machine = parseStreamConf(`[${K1}]\nenabled = yes\n[${M1}]\nallow from = !127.0.0.1 *\n`);
  assert.equal(receiverPolicy(machine, K1, M1, { clientIp: "127.0.0.1" }).access.allowed, false);
  assert.equal(receiverPolicy(machine, K1, M1, { clientIp: "127.0.0.2" }).access.allowed, true);
});

test("the parent's netdata.conf gives the defaults: [db] mode, retention, replication; [health] off", () => {
  const netdata = parseNetdataConf(
    "[db]\n  mode = ram\n  retention = 1200\n  seconds to replicate = 600\n[health]\n  enabled = no\n",
  );
  assert.deepEqual(netdata.diagnostics, []);
  const defaults = receiverDefaultsFrom(netdata);
  const p = receiverPolicy(parseStreamConf(`[${K1}]\n  enabled = yes\n`), K1, M1, { defaults });
  assert.equal(p.memoryMode, "ram");
  assert.equal(p.history, 1200);
  assert.equal(p.healthEnabled, false);
  assert.equal(p.replication.seconds, 600);
  // With health on, children keep the documented "auto".
  assert.equal(receiverDefaultsFrom(parseNetdataConf("")).healthEnabled, undefined);
});

// ---------------------------------------------------------------------------------------------------------------
// Per-child limits

test("limits: a machine-GUID section overrides its key section, which overrides the defaults, limit by limit", () => {
  const conf = parseStreamConf(
    `[${K1}]\nenabled = yes\nmax charts per host = 300\nmax dimensions per chart = 40\n` +
      `[${M1}]\ntype = machine\nmax charts per host = 500\nmax labels per host = 7\n` +
      `max iterations per update every = 0\n`,
  );
  assert.deepEqual(receiverPolicy(conf, K1, M1).limits, {
    maxChartsPerHost: 500,
    maxDimensionsPerChart: 40,
    maxDimensionsPerHost: 50000,
    maxLabelsPerHost: 7,
    maxIterationsPerUpdateEvery: 0,
  });
  assert.equal(receiverPolicy(conf, K1, M2).limits.maxChartsPerHost, 300);
});

test("limits: a bad value is left to the next level", () => {
  const conf = parseStreamConf(`[${K1}]\nenabled = yes\nmax charts per host = 0\nmax dimensions per host = lots\n`);
  const limits = receiverPolicy(conf, K1, M1).limits;
  assert.equal(limits.maxChartsPerHost, 10000);
  assert.equal(limits.maxDimensionsPerHost, 50000);
});

test("receiverLimits without sections gives the defaults", () => {
  assert.deepEqual(receiverLimits(undefined, undefined), RECEIVER_LIMITS);
  assert.equal(receiverLimits({ maxLabelsPerHost: 3 }, {}).maxLabelsPerHost, 3);
  assert.equal(receiverLimits({ maxLabelsPerHost: 3 }, { maxLabelsPerHost: 4 }).maxLabelsPerHost, 4);
});
