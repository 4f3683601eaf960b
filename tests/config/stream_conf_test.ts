import { test } from "node:test";
import assert from "node:assert/strict";
import { parseDestinations } from "../../src/protocol/destination.ts";
import { formatDiagnostic, parseStreamConf, STREAM_DEFAULTS, type StreamConf } from "../../src/config/mod.ts";
import { CONFIG_FILES, configName, isStreamFile, isTemplate, only, streamFixture, where } from "./_configs.ts";

const K0 = "00000000-0000-0000-0000-000000000000";
const K1 = "11111111-2222-3333-4444-555555555555";
const K6 = "66666666-7777-8888-9999-000000000000";
const M1 = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

function errors(conf: StreamConf): string[] {
  return only(conf.diagnostics, "error").map(formatDiagnostic);
}

// ---------------------------------------------------------------------------------------------------------------
// The real files

test("stream.conf: every non-template file reads with zero errors; templates never throw", () => {
  const streamFiles = CONFIG_FILES.filter(isStreamFile);
  assert.equal(streamFiles.length, 24);
  for (const name of streamFiles) {
    const conf = streamFixture(name.slice(0, 3));
    if (!isTemplate(name)) assert.deepEqual(errors(conf), [], name);
    for (const d of conf.diagnostics) assert.equal(d.file, name);
  }
});

test("stream.conf 001: a parent with one key section, memory mode save, no [stream]", () => {
  const conf = streamFixture("001");
  assert.deepEqual(conf.diagnostics, []);
  assert.deepEqual(conf.stream, STREAM_DEFAULTS);
  const key = conf.apiKeys.get("26df5a69-eb8d-48ba-841e-25f66a66a1df");
  assert.ok(key);
  assert.equal(key.enabled, true);
  assert.equal(key.kind, "api");
  assert.equal(key.keyDefaults.history, 1800);
  assert.equal(key.keyDefaults.memoryMode, "save");
  assert.equal(key.keyDefaults.healthEnabled, "auto");
  assert.equal(key.allowFrom?.source, "*");
});

test("stream.conf 002: five enabled keys, each allowed from one IP (one from *)", () => {
  const conf = streamFixture("002");
  assert.deepEqual(conf.diagnostics, []);
  assert.equal(conf.stream.enabled, false);
  assert.equal(conf.apiKeys.size, 5);
  const k = "596b40bb-e0d2-4c83-81fa-ddf89d416cb9";
  assert.equal(conf.apiKeys.get(k)?.allowFrom?.source, "100.92.201.100");
  assert.equal(conf.apiKeys.get(k)?.keyDefaults.memoryMode, "dbengine");
  assert.equal(conf.apiKeys.get("d5fe55e6-51e5-4587-980a-12c61f3eb2d2")?.allowFrom?.source, "*");
});

test("stream.conf 003: tcp: prefix with a port, 1 MiB buffer", () => {
  const s = streamFixture("003").stream;
  assert.equal(s.enabled, true);
  assert.deepEqual(s.destination.map((d) => [d.protocol, d.host, d.port, d.ssl]), [
    ["tcp", "opsview.lab.rancey.co.uk", 19999, false],
  ]);
  assert.equal(s.apiKey, "2c8b6daf-4025-4e6c-852f-8c77ecd9f42a");
  assert.equal(s.timeoutSeconds, 60);
  assert.equal(s.bufferSizeBytes, 1048576);
  assert.equal(s.reconnectDelaySeconds, 5);
  assert.equal(s.initialClockResyncIterations, 60);
  assert.equal(s.sendChartsMatching.source, "*");
});

test("stream.conf 004: stock parent, empty destination/api key, type = api key, placeholder [MACHINE_GUID]", () => {
  const conf = streamFixture("004");
  assert.equal(conf.stream.enabled, false);
  assert.equal(conf.stream.destinationText, "");
  assert.deepEqual(conf.stream.destination, []);
  assert.equal(conf.stream.apiKey, "");
  assert.equal(conf.stream.bufferSizeBytes, 10485760);
  const key = conf.apiKeys.get("a734ce8b-b1e5-4d94-bdc6-4c8c2954ec7a");
  assert.equal(key?.declaredType, "api");
  assert.equal(key?.line, 111);
  assert.equal(key?.keyDefaults.memoryMode, "dbengine");
  assert.equal(key?.keyDefaults.postponeAlarmsOnConnectSeconds, 60);
  const ph = conf.sections.get("MACHINE_GUID");
  assert.equal(ph?.placeholder, true);
  assert.equal(ph?.kind, "machine");
  assert.equal(ph?.enabled, false);
  assert.equal(conf.machines.size, 0);
  assert.deepEqual(where(conf.diagnostics), ["194:warning"]);
  assert.match(conf.diagnostics[0].message, /placeholder section; it never matches a child/);
});

test("stream.conf 005: old stock child with both placeholders", () => {
  const conf = streamFixture("005");
  assert.equal(conf.stream.enabled, true);
  assert.deepEqual(conf.stream.destination.map((d) => `${d.host}:${d.port}`), ["10.2.96.3:19999"]);
  assert.equal(conf.stream.apiKey, "05e0054b-8481-4f81-98d0-3feef31579fa");
  assert.equal(conf.sections.get("API_KEY")?.keyDefaults.memoryMode, "ram");
  assert.equal(conf.sections.get("MACHINE_GUID")?.host.memoryMode, "save");
  assert.equal(conf.sections.get("MACHINE_GUID")?.host.healthEnabled, true);
  assert.deepEqual(where(conf.diagnostics), ["83:warning", "129:warning", "153:warning", "184:warning"]);
  assert.match(conf.diagnostics[1].message, /'multiple connections'/);
});

test("stream.conf 006 (template): Jinja section names are warned, not matched", () => {
  const conf = streamFixture("006");
  assert.equal(conf.sections.size, 0);
  assert.deepEqual(where(conf.diagnostics), ["1:warning", "6:warning"]);
  assert.match(conf.diagnostics[0].message, /nor a GUID \(an unrendered template\?\)/);
});

test("stream.conf 007 (template): CAfile (mixed case) and reconnect delay 60", () => {
  const conf = streamFixture("007");
  assert.equal(conf.stream.caFile, "/etc/netdata/ssl/cert.pem");
  assert.equal(conf.stream.caPath, undefined);
  assert.equal(conf.stream.reconnectDelaySeconds, 60);
  assert.equal(conf.stream.defaultPort, 19999);
  assert.deepEqual(where(conf.diagnostics), ["3:warning", "4:warning"]);
});

test("stream.conf 008 (template): full stock child with placeholders", () => {
  const conf = streamFixture("008");
  assert.equal(conf.stream.enabled, true);
  assert.equal(conf.stream.destinationText, "{{ stream_destination }}");
  assert.deepEqual(where(conf.diagnostics), ["33:warning", "61:warning", "115:warning", "186:warning"]);
});

test("stream.conf 009: 'enabled = no ' with a trailing space", () => {
  const conf = streamFixture("009");
  assert.deepEqual(conf.diagnostics, []);
  assert.equal(conf.stream.enabled, false);
  assert.equal(conf.document.get("stream", "enabled"), "no");
});

test("stream.conf 010 (template): Jinja booleans are errors on their lines and keep defaults", () => {
  const conf = streamFixture("010");
  assert.deepEqual(where(only(conf.diagnostics, "error")), ["2:error", "4:error"]);
  assert.match(
    conf.diagnostics[0].message,
    /expected yes or no, found '\{\{ "yes" if .*'no' \}\}'.*keeping the default \(no\)/,
  );
  assert.equal(conf.stream.enabled, false);
  assert.equal(conf.stream.sslSkipCertificateVerification, false);
});

test("stream.conf 012 (template): tab-indented child with :SSL followed by an inline Jinja comment", () => {
  const conf = streamFixture("012");
  assert.equal(conf.stream.enabled, true);
  assert.equal(conf.stream.sslSkipCertificateVerification, true);
  const first = conf.stream.destination[0];
  assert.deepEqual([first.host, first.port, first.ssl], ["192.168.50.1", 19999, true]);
  assert.equal(conf.stream.destinationText, "192.168.50.1:19999:SSL  {# hardcoded IP address because it's simpler +#}");
  assert.deepEqual(where(conf.diagnostics), [
    "1:warning",
    "3:warning",
    "5:warning",
    "10:warning",
    "12:warning",
    "15:warning",
  ]);
  assert.deepEqual(errors(conf), []);
});

test("stream.conf 017 (template): the :SSL suffix ends the destination", () => {
  const conf = streamFixture("017");
  assert.equal(conf.stream.destinationText, "{{ netdata_parent }}:{{ netdata_parent_port }}:SSL");
  const last = conf.stream.destination.at(-1);
  assert.equal(last?.ssl, true);
  assert.equal(last?.text, "}}:SSL");
  assert.deepEqual(where(conf.diagnostics), ["4:warning", "5:warning"]);
});

test("stream.conf 018: 2-space indentation, disabled", () => {
  const conf = streamFixture("018");
  assert.deepEqual(conf.diagnostics, []);
  assert.equal(conf.stream.enabled, false);
});

test("stream.conf 019: made-up sections and keys are warnings, a non-GUID api key is a warning", () => {
  const conf = streamFixture("019");
  assert.deepEqual(errors(conf), []);
  assert.equal(conf.stream.enabled, true);
  assert.equal(conf.stream.apiKey, "netdata-api-key");
  assert.equal(conf.stream.initialClockResyncIterations, 10);
  assert.equal(conf.stream.enableCompression, true);
  assert.deepEqual(conf.stream.destination.map((d) => d.text), ["netdata-parent:19999"]);
  assert.deepEqual(where(conf.diagnostics), [
    "14:warning",
    "17:warning",
    "21:warning",
    "29:warning",
    "33:warning",
    "36:warning",
    "37:warning",
    "39:warning",
    "55:warning",
  ]);
  assert.match(conf.diagnostics[0].message, /expected a GUID.*a parent refuses any other key/);
  assert.match(conf.diagnostics[1].message, /'allow from'.*belongs in an API-key or machine-GUID section/);
  assert.match(conf.diagnostics[7].message, /\[stream:netdata-parent\] is neither \[stream\] nor a GUID/);
});

test("stream.conf 020 + 021: parent and child sharing a key, child on port 20000", () => {
  const parent = streamFixture("020");
  const child = streamFixture("021");
  assert.deepEqual(parent.diagnostics, []);
  assert.deepEqual(child.diagnostics, []);
  const d = child.stream.destination;
  assert.deepEqual(d.map((x) => [x.host, x.port]), [["172.21.25.134", 20000]]);
  const key = parent.apiKeys.get(child.stream.apiKey);
  assert.equal(key?.declaredType, "api");
  assert.equal(key?.enabled, true);
});

test("stream.conf 023: 'history' in a key section is a warning; the key's history stays the default", () => {
  const conf = streamFixture("023");
  assert.deepEqual(where(conf.diagnostics), ["3:warning"]);
  assert.match(
    conf.diagnostics[0].message,
    /'history' is read only when this section names a child's machine GUID.*'default history'/,
  );
  // The key role ignores it; only the machine-GUID role would read it.
  assert.equal(conf.sections.get(K1)?.host.history, 3600);
  assert.equal(conf.sections.get(K1)?.keyDefaults.history, undefined);
});

test("stream.conf 024 (Helm template): templated enabled is an error, destination fragments kept", () => {
  const conf = streamFixture("024");
  assert.deepEqual(where(conf.diagnostics), ["2:error", "3:warning"]);
  assert.equal(conf.stream.enabled, false);
  assert.equal(conf.stream.apiKey, K1);
  assert.equal(conf.stream.destinationText, "netdata:{{ .Values.service.port }}");
});

test("stream.conf 029: hostname:port, no final newline", () => {
  const conf = streamFixture("029");
  assert.deepEqual(conf.diagnostics, []);
  assert.deepEqual(conf.stream.destination.map((d) => [d.host, d.port]), [["conhost.turnsys.net", 19999]]);
});

test("stream.conf 030 (ERB template): the later 'enabled' wins; '=' inside a value", () => {
  const conf = streamFixture("030");
  assert.equal(conf.stream.enabled, false);
  assert.equal(conf.stream.destinationText, "<%= @remote_master %>:<%= @remote_master_port %>");
  assert.deepEqual(where(conf.diagnostics), [
    "4:warning",
    "8:warning",
    "9:warning",
    "11:warning",
    "13:warning",
    "15:warning",
  ]);
});

test("stream.conf 034/035 (CRLF templates): multi-destination lists split at spaces", () => {
  for (const n of ["034", "035"]) {
    const conf = streamFixture(n);
    assert.equal(conf.stream.enabled, true);
    assert.equal(conf.stream.destinationText, "{{ groups['netdata'] | join(' ') }}");
    assert.deepEqual(conf.stream.destination.map((d) => d.text), [
      "{{",
      "groups['netdata']",
      "|",
      "join('",
      "')",
      "}}",
    ]);
    assert.ok(conf.stream.destination.every((d) => d.port === 19999 && !d.text.includes("\r")));
  }
  const c34 = streamFixture("034");
  assert.deepEqual(where(c34.diagnostics), ["3:warning", "4:warning", "5:error"]);
  assert.match(c34.diagnostics[2].message, /declares 'type = api' but its name is not a GUID/);
  assert.equal(c34.diagnostics[2].file, configName("034"));
});

test("stream.conf 036: a proxy; tcp:grand-parent gets the default port and the proxy inherits [stream]", () => {
  const conf = streamFixture("036");
  assert.deepEqual(errors(conf), []);
  assert.deepEqual(where(conf.diagnostics), ["7:warning"]);
  assert.deepEqual(conf.stream.destination.map((d) => [d.protocol, d.host, d.port]), [["tcp", "grand-parent", 19999]]);
  const key = "00000000-0000-0000-0000-000000000001";
  assert.equal(conf.apiKeys.get(key)?.line, 1);
  assert.equal(conf.stream.enabled, true);
  assert.equal(conf.stream.apiKey, K0);
});

test("stream.conf 037: tcp:parent with no port", () => {
  const conf = streamFixture("037");
  assert.deepEqual(conf.diagnostics, []);
  assert.deepEqual(conf.stream.destination.map((d) => [d.host, d.port]), [["parent", 19999]]);
  assert.equal(conf.stream.apiKey, K0);
});

// ---------------------------------------------------------------------------------------------------------------
// The blocks of the two seed docs

test("docs: per-child settings ([API_KEY] + [MACHINE_GUID] example of the reference)", () => {
  const text = `[${K1}]
enabled = yes
default memory mode = dbengine
health enabled by default = auto
allow from = *
[${M1}]
enabled = yes
memory mode = save
health enabled = no
`;
  const conf = parseStreamConf(text);
  assert.deepEqual(conf.diagnostics, []);
  assert.equal(conf.machines.get(M1)?.kind, "machine");
  assert.equal(conf.machines.get(M1)?.host.memoryMode, "save");
  assert.equal(conf.machines.get(M1)?.host.healthEnabled, false);
  assert.equal(conf.apiKeys.get(K1)?.keyDefaults.memoryMode, "dbengine");
  assert.equal(conf.apiKeys.get(K1)?.keyDefaults.healthEnabled, "auto");
});

test("docs: the literal [API_KEY] / [MACHINE_GUID] examples of the readme are placeholders", () => {
  const text = `# replace API_KEY with your uuidgen generated GUID
[API_KEY]
    enabled = yes
    default history = 3600
    default memory mode = save
    health enabled by default = auto
    allow from = *

# replace MACHINE_GUID with the child /var/lib/netdata/registry/netdata.public.unique.id
[MACHINE_GUID]
    enabled = yes
    history = 3600
    memory mode = save
    health enabled = yes
    allow from = *
`;
  const conf = parseStreamConf(text);
  assert.deepEqual(where(conf.diagnostics), ["2:warning", "10:warning"]);
  const key = conf.sections.get("API_KEY");
  assert.deepEqual([
    key?.enabled,
    key?.keyDefaults.history,
    key?.keyDefaults.memoryMode,
    key?.keyDefaults.healthEnabled,
  ], [
    true,
    3600,
    "save",
    "auto",
  ]);
  const m = conf.sections.get("MACHINE_GUID");
  assert.deepEqual([m?.kind, m?.host.history, m?.host.memoryMode, m?.host.healthEnabled], [
    "machine",
    3600,
    "save",
    true,
  ]);
  assert.equal(conf.apiKeys.size, 0);
});

test("docs: the proxy example (receives on one key, sends on another)", () => {
  const text = `[stream]
enabled = yes
destination = 203.0.113.0
api key = ${K1}
[${K6}]
enabled = yes
default memory mode = dbengine
`;
  const conf = parseStreamConf(text);
  assert.deepEqual(conf.diagnostics, []);
  assert.equal(conf.stream.enabled, true);
  assert.deepEqual(conf.stream.destination.map((d) => [d.host, d.port, d.ssl]), [["203.0.113.0", 19999, false]]);
  assert.equal(conf.stream.apiKey, K1);
  assert.equal(conf.apiKeys.get(K6)?.keyDefaults.memoryMode, "dbengine");
});

test("docs: ephemeral parent block ('default memory' is not a Netdata key: warned, not applied)", () => {
  const text = `[${K1}]
	# enable/disable this API key
    enabled = yes

    # one hour of data for each of the child nodes
    default history = 3600

    # do not save child metrics on disk
    default memory = ram

    # alarms checks, only while the child is connected
    health enabled by default = auto
`;
  const conf = parseStreamConf(text);
  const key = conf.apiKeys.get(K1);
  assert.equal(key?.enabled, true);
  assert.equal(key?.keyDefaults.history, 3600);
  assert.equal(key?.keyDefaults.healthEnabled, "auto");
  // Netdata 1.37 reads only 'default memory mode', so the documented "ram" does not take effect there either.
  assert.equal(key?.keyDefaults.memoryMode, undefined);
  assert.deepEqual(where(conf.diagnostics), ["9:warning"]);
  assert.match(conf.diagnostics[0].message, /unknown key 'default memory' \(did you mean 'default memory mode'\?\)/);
});

test("docs: ephemeral child block", () => {
  const text = `[stream]
    # stream metrics to another Netdata
    enabled = yes

    # the IP and PORT of the parent
    destination = 10.11.12.13:19999

	# the API key to use
    api key = ${K1}
`;
  const conf = parseStreamConf(text);
  assert.deepEqual(conf.diagnostics, []);
  assert.equal(conf.stream.enabled, true);
  assert.deepEqual(conf.stream.destination.map((d) => [d.host, d.port]), [["10.11.12.13", 19999]]);
  assert.equal(conf.stream.apiKey, K1);
});

test("docs: TLS blocks (destination :SSL, skip verification, CApath/CAfile)", () => {
  const a = parseStreamConf("[stream]\ndestination = tcp:203.0.113.0:20000:SSL\n");
  assert.deepEqual(a.stream.destination.map((d) => [d.protocol, d.host, d.port, d.ssl]), [[
    "tcp",
    "203.0.113.0",
    20000,
    true,
  ]]);
  const b = parseStreamConf("[stream]\n    destination = host:port:SSL\n");
  assert.deepEqual(where(b.diagnostics), ["2:error"]);
  assert.match(b.diagnostics[0].message, /port number from 1 to 65535.*found 'port'/);
  const c = parseStreamConf("[stream]\n    ssl skip certificate verification = yes\n");
  assert.equal(c.stream.sslSkipCertificateVerification, true);
  const d = parseStreamConf("[stream]\n    CApath = /etc/ssl/certs/\n    CAfile = /etc/ssl/certs/parent_cert.pem\n");
  assert.deepEqual(d.diagnostics, []);
  assert.equal(d.stream.caPath, "/etc/ssl/certs/");
  assert.equal(d.stream.caFile, "/etc/ssl/certs/parent_cert.pem");
});

test("docs: send charts matching and allow from examples", () => {
  const s1 = parseStreamConf("[stream]\nsend charts matching = apps.cpu system.*\n").stream.sendChartsMatching;
  assert.ok(s1.matches("apps.cpu") && s1.matches("system.load") && !s1.matches("apps.mem"));
  const s2 = parseStreamConf("[stream]\nsend charts matching = !apps.cpu *\n").stream.sendChartsMatching;
  assert.ok(!s2.matches("apps.cpu") && s2.matches("apps.mem"));
  const conf = parseStreamConf(`[${K1}]\nenabled = yes\nallow from = !10.1.2.3 10.*\n`);
  const allow = conf.apiKeys.get(K1)?.allowFrom;
  assert.ok(allow?.matches("10.0.0.5") && !allow.matches("10.1.2.3") && !allow.matches("192.168.1.1"));
});

// ---------------------------------------------------------------------------------------------------------------
// Defaults and synthetic cases

test("stream.conf: defaults (source-backed where the docs disagree)", () => {
  const s = parseStreamConf("").stream;
  assert.equal(s.enabled, false);
  assert.equal(s.sslSkipCertificateVerification, false);
  assert.equal(s.timeoutSeconds, 600);
  assert.equal(s.defaultPort, 19999);
  assert.equal(s.bufferSizeBytes, 10485760);
  assert.equal(s.reconnectDelaySeconds, 5);
  assert.equal(s.initialClockResyncIterations, 60);
  assert.equal(s.enableCompression, true);
  assert.equal(s.sendChartsMatching.source, "*");
});

test("stream.conf: bad values are errors naming file, line and expectation; defaults stay", () => {
  const text = `[stream]
    enabled = maybe
    destination = parent1 ::: tcp:parent2:20000
    default port = 0
[${K1}]
    enabled = yes
    default memory mode = fast
[${M1}]
    memory mode = fast
    health enabled = sometimes
`;
  const conf = parseStreamConf(text, "/etc/netdata/stream.conf");
  const errs = only(conf.diagnostics, "error");
  assert.deepEqual(where(errs), ["2:error", "3:error", "4:error", "7:error", "9:error", "10:error"]);
  for (const e of errs) assert.equal(e.file, "/etc/netdata/stream.conf");
  assert.equal(
    formatDiagnostic(errs[0]),
    "/etc/netdata/stream.conf:2: [stream] enabled = maybe: expected yes or no, found 'maybe'; keeping the default (no)",
  );
  assert.match(errs[1].message, /invalid destination ':::'.*this entry is skipped/);
  assert.match(errs[2].message, /expected a whole number from 1 to 65535, found '0'/);
  assert.match(
    errs[3].message,
    /default memory mode = fast: expected one of dbengine, ram, save, map, none, alloc, found 'fast'/,
  );
  assert.match(errs[5].message, /expected yes, no or auto, found 'sometimes'/);
  assert.equal(conf.stream.enabled, false);
  assert.equal(conf.stream.defaultPort, 19999);
  assert.deepEqual(conf.stream.destination.map((d) => `${d.host}:${d.port}`), ["parent1:19999", "parent2:20000"]);
  assert.equal(conf.apiKeys.get(K1)?.keyDefaults.memoryMode, undefined);
  assert.equal(conf.apiKeys.get(K1)?.keyDefaults.healthEnabled, undefined);
});

test("stream.conf: a non-GUID section declaring a type is an error; placeholders are warnings", () => {
  const conf = parseStreamConf(
    "[my-key]\n  type = api\n  enabled = yes\n[other]\n  type = machine\n[API_KEY]\n  type = api\n",
  );
  assert.deepEqual(where(conf.diagnostics), ["1:error", "4:error", "6:warning"]);
  assert.match(
    conf.diagnostics[0].message,
    /\[my-key\] declares 'type = api' but its name is not a GUID; expected a name like/,
  );
  assert.match(conf.diagnostics[2].message, /placeholder section; it never matches a child/);
});

test("stream.conf: a bad type value is an error, kept as written (the receiver then refuses the section)", () => {
  const conf = parseStreamConf(`[${K1}]\n  type = apikey\n  enabled = yes\n`);
  assert.deepEqual(where(conf.diagnostics), ["2:error"]);
  assert.match(conf.diagnostics[0].message, /expected api or machine, found 'apikey'/);
  assert.equal(conf.sections.get(K1)?.declaredType, "apikey");
});

test("stream.conf: IPv6 and %interface destinations (through parseDestinations)", () => {
  const conf = parseStreamConf(
    "[stream]\ndestination = [fe80::1%eth0]:20000 tcp:[2001:db8::1]:SSL [fe80::2]%eth1:20001 unix:/run/nd.sock\n",
  );
  assert.deepEqual(only(conf.diagnostics, "error"), []);
  assert.deepEqual(
    conf.stream.destination.map((d) => [d.protocol, d.host, d.interface, d.port, d.ssl]),
    [
      ["tcp", "fe80::1", "eth0", 20000, false],
      ["tcp", "2001:db8::1", undefined, 19999, true],
      ["tcp", "fe80::2", "eth1", 20001, false],
      ["unix", "/run/nd.sock", undefined, 0, false],
    ],
  );
  assert.deepEqual(conf.stream.destination, parseDestinations(conf.stream.destinationText, 19999));
  // An IPv6 address needs its brackets: the last ':' would otherwise be read as the port.
  const bare = parseStreamConf("[stream]\ndestination = fe80::2%eth1 parent\n");
  assert.deepEqual(where(bare.diagnostics), ["2:error"]);
  assert.deepEqual(bare.stream.destination.map((d) => d.host), ["parent"]);
});

test("stream.conf: enabled without destination or api key is turned off with a warning (as Netdata)", () => {
  const conf = parseStreamConf("[stream]\nenabled = yes\napi key = " + K1 + "\n");
  assert.equal(conf.stream.enabled, false);
  assert.deepEqual(where(conf.diagnostics), ["2:warning"]);
  assert.match(conf.diagnostics[0].message, /'destination' is empty/);
});

test("stream.conf: case-sensitive keys get a hint", () => {
  const conf = parseStreamConf("[stream]\ncafile = /x.pem\n");
  assert.equal(conf.stream.caFile, undefined);
  assert.match(conf.diagnostics[0].message, /unknown key 'cafile' \(did you mean 'CAfile'\? keys are case-sensitive\)/);
});

test("stream.conf: an API-key section without 'enabled' is warned (keys default to disabled)", () => {
  const conf = parseStreamConf(`[${K1}]\n  default memory mode = ram\n`);
  assert.deepEqual(where(conf.diagnostics), ["1:warning"]);
  assert.equal(conf.apiKeys.get(K1)?.enabled, undefined);
});

test("stream.conf: two sections naming one GUID in different cases: a warning, the first counts", () => {
  const conf = parseStreamConf(`[${M1}]\nhistory = 100\n[${M1.toUpperCase()}]\nhistory = 200\n`);
  assert.deepEqual(where(conf.diagnostics), ["3:warning"]);
  assert.equal(
    conf.diagnostics[0].message,
    `[${M1.toUpperCase()}] names the same GUID as [${M1}] on line 1 (GUIDs match whatever their case); only line 1's section counts`,
  );
  assert.equal(conf.sections.size, 1);
  assert.equal(conf.machines.get(M1)?.host.history, 100);
});

test("stream.conf: proxy destinations are parsed with [stream] default port, and kept as written", () => {
  const conf = parseStreamConf(
    `[stream]\ndefault port = 20000\n[${K1}]\nenabled = yes\ndefault proxy destination = a b:1\n` +
      `[${M1}]\nproxy destination = c\n`,
  );
  assert.deepEqual(conf.apiKeys.get(K1)?.keyDefaults.proxyDestination?.map((d) => [d.host, d.port]), [
    ["a", 20000],
    ["b", 1],
  ]);
  assert.equal(conf.apiKeys.get(K1)?.keyDefaults.proxyDestinationText, "a b:1");
  assert.deepEqual(conf.machines.get(M1)?.host.proxyDestination?.map((d) => d.host), ["c"]);
  assert.equal(conf.machines.get(M1)?.host.proxyDestinationText, "c");
});
