import { test } from "node:test";
import assert from "node:assert/strict";
import { formatDiagnostic, parseBindAddress, parseNetdataConf } from "../../src/config/mod.ts";
import { pluginEnabled } from "../../src/config/netdata_conf.ts";
import { CONFIG_FILES, isStreamFile, isTemplate, netdataFixture, only, where } from "./_configs.ts";

test("netdata.conf: every non-template file reads with zero errors; templates never throw", () => {
  const files = CONFIG_FILES.filter((n) => !isStreamFile(n));
  assert.equal(files.length, 14);
  for (const name of files) {
    const conf = netdataFixture(name.slice(0, 3));
    if (!isTemplate(name)) assert.deepEqual(only(conf.diagnostics, "error").map(formatDiagnostic), [], name);
    for (const d of conf.diagnostics) assert.equal(d.file, name);
  }
});

test("netdata.conf 011 (template): no indentation, v2 sections, patterns and registry", () => {
  const c = netdataFixture("011");
  assert.deepEqual(c.diagnostics, []);
  assert.deepEqual(c.web.bindTo.map((b) => [b.host, b.port]), [["127.0.0.1", 19999]]);
  assert.ok(c.web.allowConnectionsFrom.matches("10.0.0.1"));
  assert.equal(c.db.updateEvery, 5);
  assert.equal(c.registry.enabled, true);
  assert.equal(c.document.get("web", "allow netdata.conf from"), "none");
});

test("netdata.conf 013: [global] history and update every (tab-indented line) map to [db]", () => {
  const c = netdataFixture("013");
  assert.deepEqual(c.diagnostics, []);
  assert.equal(c.db.retention, 1800);
  assert.equal(c.db.updateEvery, 5);
  assert.equal(c.db.mode, "dbengine");
});

test("netdata.conf 014: hostname, [db] tier durations (2.x keys warned), health repeats, bind to", () => {
  const c = netdataFixture("014");
  assert.deepEqual(only(c.diagnostics, "error"), []);
  assert.deepEqual(where(c.diagnostics), ["9:warning", "10:warning", "11:warning"]);
  assert.match(c.diagnostics[0].message, /'dbengine tier 0 retention time' is an option of newer Netdata \(2\.x\)/);
  assert.equal(c.global.hostname, "VPS-WORKINGLOCAL");
  assert.equal(c.health.enabled, true);
  assert.equal(c.health.defaultRepeatWarningSeconds, 7200);
  assert.equal(c.health.defaultRepeatCriticalSeconds, 1800);
  assert.deepEqual(c.web.bindTo.map((b) => [b.protocol, b.host, b.port, b.ssl]), [["tcp", "0.0.0.0", 19999, "none"]]);
});

test("netdata.conf 015: a unix socket bind", () => {
  const c = netdataFixture("015");
  assert.deepEqual(c.diagnostics, []);
  assert.deepEqual(c.web.bindTo.map((b) => [b.protocol, b.host, b.port]), [["unix", "/run/netdata/netdata.sock", 0]]);
});

test("netdata.conf 016: a generated v2 file with one active line keeps all defaults", () => {
  const c = netdataFixture("016");
  assert.deepEqual(c.diagnostics, []);
  assert.equal(c.document.get("plugins", "tc"), "no  # requires host networking");
  assert.equal(c.db.mode, "dbengine");
  assert.equal(c.web.mode, "static-threaded");
  assert.deepEqual(c.web.bindTo.map((b) => b.text), ["*"]);
});

test("netdata.conf 022 (Helm template): [db] mode = dbengine, templated hostname warned", () => {
  const c = netdataFixture("022");
  assert.deepEqual(where(c.diagnostics), ["2:warning"]);
  assert.equal(c.db.mode, "dbengine");
  assert.equal(c.global.hostname, "{{ .Values.parent.hostname }}");
});

test("netdata.conf 025: the legacy [backend] section is read and warned about", () => {
  const c = netdataFixture("025");
  assert.deepEqual(where(c.diagnostics), ["1:warning"]);
  assert.match(c.diagnostics[0].message, /\[backend\].*removed in 1\.34/);
  assert.equal(c.backend.enabled, true);
  assert.equal(c.backend.type, "opentsdb");
  assert.equal(c.backend.destination, "influxdb");
  assert.equal(c.backend.updateEvery, 10);
  assert.equal(c.backend.dataSource, "average");
  assert.equal(c.backend.prefix, "netdata");
  assert.equal(c.backend.timeoutMs, 20000);
  assert.equal(
    c.document.get("plugin:proc:/proc/net/dev", "disable by default interfaces matching"),
    "lo docker* br* veth*",
  );
});

test("netdata.conf 026: only comments, so all defaults", () => {
  const c = netdataFixture("026");
  assert.deepEqual(c.diagnostics, []);
  assert.equal(c.registry.enabled, false);
  assert.equal(c.db.retention, 3600);
});

test("netdata.conf 027: 1-space indentation, [global] last, typo key warned", () => {
  const c = netdataFixture("027");
  assert.deepEqual(only(c.diagnostics, "error"), []);
  assert.equal(c.db.mode, "dbengine");
  assert.equal(c.db.updateEvery, 1);
  assert.equal(c.health.enabled, false);
  assert.deepEqual(c.web.bindTo.map((b) => b.host), ["*"]);
  const typo = c.diagnostics.find((d) => d.line === 32);
  assert.ok(typo);
  assert.equal(typo.severity, "warning");
  assert.match(typo.message, /unknown key 'page size cache' \(did you mean 'page cache size'\?\)/);
  // Old [global] names 1.37 still moves are warned on their own lines.
  assert.deepEqual(where(c.diagnostics), [
    "32:warning",
    "33:warning",
    "34:warning",
    "36:warning",
    "37:warning",
    "38:warning",
    "39:warning",
  ]);
});

test("netdata.conf 028: 'bind = *' is not 'bind to'; legacy log names are warned", () => {
  const c = netdataFixture("028");
  assert.equal(c.db.retention, 3600);
  assert.deepEqual(c.web.bindTo.map((b) => b.text), ["*"]);
  const bind = c.diagnostics.find((d) => d.line === 16);
  assert.match(bind?.message ?? "", /unknown key 'bind' \(did you mean 'bind to'\?\)/);
  assert.deepEqual(where(c.diagnostics), ["2:warning", "3:warning", "4:warning", "16:warning"]);
});

test("netdata.conf 031: tab indentation, long patterns, health off", () => {
  const c = netdataFixture("031");
  assert.deepEqual(only(c.diagnostics, "error"), []);
  assert.equal(c.db.updateEvery, 2);
  assert.equal(c.health.enabled, false);
  assert.ok(c.web.allowConnectionsFrom.matches("172.31.4.4"));
  assert.ok(!c.web.allowConnectionsFrom.matches("8.8.8.8"));
});

test("netdata.conf 032: per-chart sections are not warned about", () => {
  const c = netdataFixture("032");
  assert.deepEqual(c.diagnostics, []);
  assert.equal(c.document.get("plugin:proc", "/proc/stat"), "yes");
});

test("netdata.conf 033: legacy [global] port becomes [web] default port, with a warning", () => {
  const c = netdataFixture("033");
  assert.deepEqual(where(c.diagnostics), ["2:warning"]);
  assert.match(
    c.diagnostics[0].message,
    /\[global\] port is an old name; Netdata 1\.37 reads it as \[web\] default port/,
  );
  assert.equal(c.web.defaultPort, 8000);
  assert.deepEqual(c.web.bindTo.map((b) => [b.host, b.port]), [["*", 8000]]);
});

test("netdata.conf 038: 8-space stock file with wrapped comment lines", () => {
  const c = netdataFixture("038");
  assert.deepEqual(where(c.diagnostics), ["353:warning", "359:warning"]);
  assert.equal(c.document.get("cloud", "conversation log"), "yes");
  assert.equal(c.db.mode, "dbengine");
});

test("docs: '[global] memory mode = none' + '[health] enabled = no' (ephemeral child)", () => {
  const text = `[global]
    # disable the local database
	memory mode = none

[health]
    # disable health checks
    enabled = no
`;
  const c = parseNetdataConf(text);
  assert.deepEqual(c.diagnostics, []);
  assert.equal(c.db.mode, "none");
  assert.equal(c.health.enabled, false);
});

test("docs: [web] mode none and the streaming rate limit", () => {
  const c = parseNetdataConf("[web]\n    mode = none\n    accept a streaming request every seconds = 0\n");
  assert.deepEqual(c.diagnostics, []);
  assert.equal(c.web.mode, "none");
  assert.equal(c.web.acceptStreamingRequestEverySeconds, 0);
  assert.equal(parseNetdataConf("[web]\nmode = multi-threaded\n").web.mode, "static-threaded");
});

test("docs: [backend] block of the readme", () => {
  const c = parseNetdataConf(
    "[backend]\n    enabled = yes\n    type = graphite\n    destination = 10.0.0.1:2003 10.0.0.2:2003\n    update every = 10\n",
  );
  assert.equal(c.backend.enabled, true);
  assert.equal(c.backend.type, "graphite");
  assert.equal(c.backend.destination, "10.0.0.1:2003 10.0.0.2:2003");
  assert.equal(c.backend.updateEvery, 10);
});

test("netdata.conf: [db] mode wins over [global] memory mode, with a note", () => {
  const c = parseNetdataConf("[global]\n  memory mode = ram\n[db]\n  mode = save\n");
  assert.equal(c.db.mode, "save");
  assert.deepEqual(where(c.diagnostics), ["2:warning"]);
  assert.match(
    c.diagnostics[0].message,
    /\[global\] memory mode is the old name of \[db\] mode, which is also set \(line 4\) and wins/,
  );
});

test("netdata.conf: orphan hosts options, also 1.37's [global] spelling", () => {
  const c = parseNetdataConf(
    "[global]\n    cleanup orphan hosts after seconds = 120\n[db]\n    delete orphan hosts files = no\n    max orphan hosts = 7\n",
  );
  assert.equal(c.db.cleanupOrphanHostsAfterSeconds, 120);
  assert.equal(c.db.deleteOrphanHostsFiles, false);
  assert.equal(c.db.maxOrphanHosts, 7);
  assert.deepEqual(c.diagnostics.filter((d) => d.severity === "error"), []);
});

test("netdata.conf: bad values are errors with file, line and expectation", () => {
  const c = parseNetdataConf(
    "[global]\n  memory mode = fast\n[web]\n  bind to = *:19999^SSL=always\n  mode = turbo\n[health]\n  enabled = maybe\n",
    "/etc/netdata/netdata.conf",
  );
  assert.deepEqual(where(c.diagnostics), ["2:error", "4:error", "5:error", "7:error"]);
  assert.equal(
    formatDiagnostic(c.diagnostics[0]),
    "/etc/netdata/netdata.conf:2: [global] memory mode = fast: expected one of dbengine, ram, save, map, none, alloc, found 'fast'; keeping the default (dbengine)",
  );
  assert.match(c.diagnostics[1].message, /expected \^SSL=force or \^SSL=optional, found '\^SSL=always'/);
  assert.equal(c.db.mode, "dbengine");
  assert.deepEqual(c.web.bindTo, []);
  assert.equal(c.web.mode, "static-threaded");
  assert.equal(c.health.enabled, true);
});

test("netdata.conf: defaults", () => {
  const c = parseNetdataConf("");
  assert.equal(c.global.hostname, undefined);
  assert.deepEqual(c.db, {
    mode: "dbengine",
    updateEvery: 1,
    retention: 3600,
    enableReplication: true,
    secondsToReplicate: 86400,
    replicationStepSeconds: 600,
    cleanupOrphanHostsAfterSeconds: 3600,
    deleteOrphanHostsFiles: true,
    maxOrphanHosts: 500,
  });
  assert.deepEqual(c.directories, {
    config: "/etc/netdata",
    lib: "/var/lib/netdata",
    log: "/var/log/netdata",
    cache: "/var/cache/netdata",
    plugins: ["/usr/libexec/netdata/plugins.d"],
  });
  assert.equal(c.web.defaultPort, 19999);
  assert.equal(c.web.sslKey, "/etc/netdata/ssl/key.pem");
  assert.equal(c.web.sslCertificate, "/etc/netdata/ssl/cert.pem");
  assert.equal(c.web.allowStreamingFrom.source, "*");
  assert.equal(c.web.allowStreamingByDns, "heuristic");
  assert.equal(c.web.maxSockets, undefined);
  assert.equal(c.web.maxSocketsPerAddress, 64);
  assert.equal(c.web.disconnectIdleClientsAfterSeconds, 60);
  assert.equal(c.health.enabled, true);
  assert.equal(c.backend.enabled, false);
  assert.equal(c.registry.enabled, false);
});

test("netdata.conf: streaming ACL options and directories", () => {
  const c = parseNetdataConf(`[directories]
  lib = /data/lib
  config = /data/etc
[web]
  ssl key = /k.pem
  ssl certificate = /c.pem
  allow streaming from = !10.1.* 10.*
  allow streaming by dns = no
  accept a streaming request every seconds = 5
`);
  assert.deepEqual(c.diagnostics, []);
  assert.equal(c.directories.lib, "/data/lib");
  assert.equal(c.directories.config, "/data/etc");
  assert.equal(c.web.sslKey, "/k.pem");
  assert.equal(c.web.sslCertificate, "/c.pem");
  assert.ok(c.web.allowStreamingFrom.matches("10.2.0.1"));
  assert.ok(!c.web.allowStreamingFrom.matches("10.1.0.1"));
  assert.equal(c.web.allowStreamingByDns, false);
  assert.equal(c.web.acceptStreamingRequestEverySeconds, 5);
});

test("netdata.conf: [web] connection caps; a cap below 1 is an error that keeps the default", () => {
  const c = parseNetdataConf("[web]\n  web server max sockets = 300\n  web server max sockets per address = 20\n");
  assert.deepEqual(c.diagnostics, []);
  assert.equal(c.web.maxSockets, 300);
  assert.equal(c.web.maxSocketsPerAddress, 20);
  const bad = parseNetdataConf("[web]\n  web server max sockets = 0\n  web server max sockets per address = many\n");
  assert.deepEqual(where(bad.diagnostics), ["2:error", "3:error"]);
  assert.equal(bad.web.maxSockets, undefined);
  assert.equal(bad.web.maxSocketsPerAddress, 64);
});

test("netdata.conf: idle web clients (also 1.37's [global] spelling) and the first request's deadline", () => {
  const c = parseNetdataConf(
    "[global]\n  disconnect idle web clients after seconds = 7\n[web]\n  timeout for first request = 3\n",
  );
  assert.equal(c.web.disconnectIdleClientsAfterSeconds, 7);
  assert.equal(c.web.timeoutForFirstRequestSeconds, 3);
  assert.equal(parseNetdataConf("").web.timeoutForFirstRequestSeconds, 60);
});

test("netdata.conf: unknown keys of modelled sections are warned, unknown sections are not", () => {
  const c = parseNetdataConf("[web]\n  colour = blue\n[plugin:whatever]\n  anything = 1\n[my own section]\n  x = y\n");
  assert.deepEqual(where(c.diagnostics), ["2:warning"]);
  assert.match(c.diagnostics[0].message, /\[web\] unknown key 'colour'/);
});

test("bind to: the documented forms", () => {
  const c = parseNetdataConf(
    "[web]\n default port = 19999\n bind to = 127.0.0.1=dashboard 10.1.1.1:19998=management|netdata.conf [::]:19996=streaming *:http=dashboard unix:/tmp/netdata.sock *:19999^SSL=force localhost:19995=registry^SSL=optional\n",
  );
  assert.deepEqual(c.diagnostics, []);
  assert.deepEqual(
    c.web.bindTo.map((b) => [b.protocol, b.host, b.port, b.acl.join("|"), b.ssl]),
    [
      ["tcp", "127.0.0.1", 19999, "dashboard", "none"],
      ["tcp", "10.1.1.1", 19998, "management|netdata.conf", "none"],
      ["tcp", "::", 19996, "streaming", "none"],
      ["tcp", "*", 80, "dashboard", "none"],
      ["unix", "/tmp/netdata.sock", 0, "", "none"],
      ["tcp", "*", 19999, "", "force"],
      ["tcp", "localhost", 19995, "registry", "optional"],
    ],
  );
  assert.throws(() => parseBindAddress("*:99999", 19999), /expected a port from 1 to 65535, found '99999'/);
  assert.throws(() => parseBindAddress("*=everything", 19999), /expected ACLs from .* found 'everything'/);
});

test("[plugins] and [directories] plugins: defaults", () => {
  const c = parseNetdataConf("");
  assert.deepEqual(c.directories.plugins, ["/usr/libexec/netdata/plugins.d"]);
  assert.equal(c.plugins.enableRunningNewPlugins, true);
  assert.equal(c.plugins.checkForNewPluginsEvery, 60);
  assert.equal(c.plugins.flags.size, 0);
  assert.equal(pluginEnabled(c.plugins, "apps"), true);
});

test("[plugins]: per-plugin flags, 'enable running new plugins' and the scan interval", () => {
  const c = parseNetdataConf(
    "[plugins]\n  enable running new plugins = no\n  check for new plugins every = 300\n  go.d = yes\n  apps = no\n" +
      "  charts.d = auto\n  PATH environment variable = /bin\n",
  );
  assert.deepEqual(c.diagnostics, []);
  assert.equal(c.plugins.enableRunningNewPlugins, false);
  assert.equal(c.plugins.checkForNewPluginsEvery, 300);
  assert.deepEqual([...c.plugins.flags], [["go.d", true], ["apps", false], ["charts.d", true]]);
  assert.equal(pluginEnabled(c.plugins, "go.d"), true);
  assert.equal(pluginEnabled(c.plugins, "apps"), false);
  assert.equal(pluginEnabled(c.plugins, "example"), false); // not listed: follows "enable running new plugins"
});

test("[plugins]: values 1.37 reads as no are warned unless they plainly say no", () => {
  const c = parseNetdataConf("[plugins]\n  tc = no  # needs host networking\n  apps = yes # keep\n  ebpf = maybe\n");
  assert.deepEqual(where(c.diagnostics), ["3:warning", "4:warning"]);
  assert.match(c.diagnostics[0].message, /\[plugins\] apps = yes # keep: Netdata 1\.37 reads anything but yes/);
  assert.deepEqual([...c.plugins.flags], [["tc", false], ["apps", false], ["ebpf", false]]);
});

test("[plugins]: a bad scan interval keeps the default, with an error", () => {
  const c = parseNetdataConf("[plugins]\ncheck for new plugins every = 1m\n");
  assert.deepEqual(where(c.diagnostics), ["2:error"]);
  assert.match(
    c.diagnostics[0].message,
    /check for new plugins every = 1m: expected a whole number.*keeping the default \(60\)/,
  );
  assert.equal(c.plugins.checkForNewPluginsEvery, 60);
});

test("[directories] plugins: a quoted list, and the old [global] plugins directory", () => {
  const c = parseNetdataConf(
    '[directories]\n  plugins = "/usr/libexec/netdata/plugins.d" "/etc/netdata/custom plugins.d",/opt/p\n',
  );
  assert.deepEqual(c.diagnostics, []);
  assert.deepEqual(c.directories.plugins, [
    "/usr/libexec/netdata/plugins.d",
    "/etc/netdata/custom plugins.d",
    "/opt/p",
  ]);
  const old = parseNetdataConf("[global]\n  plugins directory = /opt/plugins.d\n");
  assert.deepEqual(old.directories.plugins, ["/opt/plugins.d"]);
  assert.match(old.diagnostics[0].message, /\[global\] plugins directory is an old name.*\[directories\] plugins/);
});

test("netdata.conf 013 and 022: real [plugins] sections", () => {
  const c13 = netdataFixture("013");
  assert.equal(pluginEnabled(c13.plugins, "python.d"), true);
  assert.equal(pluginEnabled(c13.plugins, "go.d"), false);
  assert.equal(pluginEnabled(c13.plugins, "example"), true);
  const c22 = netdataFixture("022");
  assert.equal(c22.plugins.enableRunningNewPlugins, false);
  assert.equal(c22.plugins.checkForNewPluginsEvery, 72000);
  assert.equal(pluginEnabled(c22.plugins, "apps"), false);
});
