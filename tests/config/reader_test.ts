import { test } from "node:test";
import assert from "node:assert/strict";
import { formatDiagnostic, parseConfig, readConfigFile, trimSpaces } from "../../src/config/mod.ts";
import { fixturePath } from "../_fixtures.ts";
import { CONFIG_FILES, configName, configText, where } from "./_configs.ts";

test("reader: every one of the 38 files parses without throwing and with warnings only", () => {
  assert.equal(CONFIG_FILES.length, 38);
  for (const name of CONFIG_FILES) {
    const doc = parseConfig(configText(name.slice(0, 3)), name);
    assert.equal(doc.file, name);
    for (const d of doc.diagnostics) {
      assert.equal(d.severity, "warning", `${name}: ${formatDiagnostic(d)}`);
      assert.equal(d.file, name);
    }
  }
});

test("reader: files without syntax problems give no diagnostics at all", () => {
  const noisy = new Set(["012", "030", "038"]); // template lines and wrapped comment lines
  for (const name of CONFIG_FILES) {
    if (noisy.has(name.slice(0, 3))) continue;
    const doc = parseConfig(configText(name.slice(0, 3)), name);
    assert.deepEqual(doc.diagnostics, [], name);
  }
});

test("reader: 001 has one GUID section and no final newline", () => {
  const text = configText("001");
  assert.ok(!text.endsWith("\n"));
  const doc = parseConfig(text, configName("001"));
  assert.deepEqual([...doc.sections.keys()], ["26df5a69-eb8d-48ba-841e-25f66a66a1df"]);
  const s = doc.section("26df5a69-eb8d-48ba-841e-25f66a66a1df");
  assert.equal(s?.line, 1);
  assert.deepEqual(doc.entry(s!.name, "allow from"), { key: "allow from", value: "*", line: 6 });
  assert.equal(doc.get(s!.name, "default memory mode"), "save");
});

test("reader: 009 has no indentation, a trailing space after the value and no final newline", () => {
  const text = configText("009");
  assert.equal(text, "[stream]\nenabled = no ");
  const doc = parseConfig(text, "009");
  assert.deepEqual(doc.entry("stream", "enabled"), { key: "enabled", value: "no", line: 2 });
});

test("reader: 016 keeps an inline '#' comment as part of the value, as Netdata does", () => {
  const doc = parseConfig(configText("016"), "016");
  assert.deepEqual(doc.entry("plugins", "tc"), { key: "tc", value: "no  # requires host networking", line: 211 });
  assert.equal(doc.sections.size, 70);
  assert.ok(doc.section("plugin:proc:/proc/net/dev") !== undefined);
  assert.ok(doc.section("environment variables") !== undefined);
});

test("reader: 013 mixes spaces and a tab; 012 is tab-indented", () => {
  const d13 = parseConfig(configText("013"), "013");
  assert.deepEqual(d13.entry("global", "update every"), { key: "update every", value: "5", line: 3 });
  assert.equal(d13.get("global", "history"), "1800");
  assert.equal(d13.section("plugins")?.line, 4);
  const d12 = parseConfig(configText("012"), "012");
  assert.equal(d12.get("stream", "ssl skip certificate verification"), "yes");
});

test("reader: 027 is indented by one space and ends with a blank line", () => {
  const doc = parseConfig(configText("027"), "027");
  assert.equal(doc.get("global", "page size cache"), "64");
  assert.equal(doc.section("global")?.line, 30);
  assert.equal(doc.get("web", "bind to"), "*");
});

test("reader: 031 mixes tabs with a 5-space line and has keys with parentheses", () => {
  const doc = parseConfig(configText("031"), "031");
  assert.equal(doc.get("global", "memory deduplication (ksm)"), "no");
  assert.deepEqual(doc.entry("plugin:proc:ipc", "semaphore totals"), {
    key: "semaphore totals",
    value: "no",
    line: 29,
  });
});

test("reader: 032 has keys starting with '/' and dotted chart sections", () => {
  const doc = parseConfig(configText("032"), "032");
  assert.equal(doc.get("plugin:proc", "/proc/stat"), "yes");
  assert.equal(doc.get("ipmi.events", "enabled"), "no");
  assert.equal(doc.get("plugins", "n percentage for all disks"), undefined);
});

test("reader: 034/035 are CRLF files without a final newline; values lose the CR", () => {
  for (const n of ["034", "035"]) {
    const text = configText(n);
    assert.ok(text.includes("\r\n"), n);
    assert.ok(!text.endsWith("\n"), n);
    const doc = parseConfig(text, n);
    assert.equal(doc.get("stream", "destination"), "{{ groups['netdata'] | join(' ') }}");
    assert.equal(doc.get("stream", "enabled"), "yes");
  }
  const d34 = parseConfig(configText("034"), "034");
  assert.deepEqual(d34.entry("{{ netdata_api_key }}", "enabled"), { key: "enabled", value: "yes", line: 7 });
});

test("reader: 030 (ERB) lines without '=' and outside sections are warned with their lines", () => {
  const doc = parseConfig(configText("030"), configName("030"));
  assert.deepEqual(where(doc.diagnostics), ["4:warning", "11:warning", "13:warning", "15:warning"]);
  assert.match(doc.diagnostics[0].message, /'<% if @remote_master -%>' is outside any section/);
  assert.match(doc.diagnostics[1].message, /no '=' in '<% else -%>'/);
  assert.match(doc.diagnostics[2].message, /'enabled' is set again on line 13; line 7 no longer counts/);
  // '=' inside the value: the split is at the first '='.
  assert.equal(doc.get("stream", "destination"), "<%= @remote_master %>:<%= @remote_master_port %>");
  assert.deepEqual(doc.entry("stream", "enabled"), { key: "enabled", value: "no", line: 13 });
});

test("reader: 012 (Jinja) block lines are warned with their lines", () => {
  const doc = parseConfig(configText("012"), configName("012"));
  assert.deepEqual(where(doc.diagnostics), ["1:warning", "5:warning", "15:warning"]);
  assert.equal(doc.diagnostics[0].file, configName("012"));
});

test("reader: 038's wrapped comment continuation lines have no '=' and are skipped", () => {
  const doc = parseConfig(configText("038"), configName("038"));
  assert.deepEqual(where(doc.diagnostics), ["353:warning", "359:warning"]);
  assert.equal(doc.get("cloud", "conversation log"), "yes");
  assert.equal(doc.sections.size, 85);
});

test("reader: 026 has no section at all", () => {
  const doc = parseConfig(configText("026"), "026");
  assert.equal(doc.sections.size, 0);
  assert.deepEqual(doc.diagnostics, []);
});

test("reader: ';' lines are skipped like comments", () => {
  const doc = parseConfig("; a comment\n[stream]\n  ; enabled = yes\n  enabled = no\n", "s.conf");
  assert.deepEqual(doc.diagnostics, []);
  assert.equal(doc.get("stream", "enabled"), "no");
  assert.equal(doc.get("stream", "; enabled"), undefined);
});

test("reader: keys before the first section are warned and skipped", () => {
  const doc = parseConfig("enabled = no\n\n[stream]\nenabled = yes\n", "s.conf");
  assert.equal(doc.diagnostics.length, 1);
  assert.deepEqual(doc.diagnostics[0], {
    file: "s.conf",
    line: 1,
    severity: "warning",
    message: "'enabled = no' is outside any section; Netdata ignores it",
  });
  assert.equal(doc.get("stream", "enabled"), "yes");
});

test("reader: repeated sections merge and a later key wins with a warning naming both lines", () => {
  const text = "[stream]\n  enabled = yes\n  api key = a\n[web]\n  mode = none\n[stream]\n  enabled = no\n";
  const doc = parseConfig(text, "s.conf");
  const s = doc.section("stream");
  assert.equal(s?.line, 1);
  assert.deepEqual([...s!.entries.keys()], ["enabled", "api key"]);
  assert.deepEqual(doc.entry("stream", "enabled"), { key: "enabled", value: "no", line: 7 });
  assert.equal(doc.get("stream", "api key"), "a");
  assert.deepEqual(where(doc.diagnostics), ["7:warning"]);
  assert.match(doc.diagnostics[0].message, /line 7.*line 2/);
});

test("reader: lookups are case-sensitive, section names keep spaces, ':' and '/'", () => {
  const doc = parseConfig("[Stream]\nEnabled = yes\n[plugin:proc:/proc/net/dev]\nx = 1\n", "s.conf");
  assert.equal(doc.get("stream", "enabled"), undefined);
  assert.equal(doc.get("Stream", "Enabled"), "yes");
  assert.equal(doc.get("plugin:proc:/proc/net/dev", "x"), "1");
});

test("reader: key = value splits at the first '=', trims both sides, keeps empty values", () => {
  const doc = parseConfig("[s]\n\t a b  =  x = y \t\nempty =\n = nokey\n", "s.conf");
  assert.equal(doc.get("s", "a b"), "x = y");
  assert.equal(doc.get("s", "empty"), "");
  assert.deepEqual(where(doc.diagnostics), ["4:warning"]);
  assert.match(doc.diagnostics[0].message, /no key before '='/);
});

test("reader: a UTF-8 BOM is dropped with a warning", () => {
  const doc = parseConfig("\uFEFF[stream]\nenabled = yes", "s.conf");
  assert.equal(doc.get("stream", "enabled"), "yes");
  assert.deepEqual(where(doc.diagnostics), ["1:warning"]);
});

test("reader: trimSpaces trims C isspace() only", () => {
  assert.equal(trimSpaces(" \t\v\f\r\nx y\r\n"), "x y");
  assert.equal(trimSpaces("\u00a0x"), "\u00a0x");
});

test("reader: formatDiagnostic gives file:line: message", () => {
  assert.equal(
    formatDiagnostic({ file: "stream.conf", line: 3, severity: "error", message: "boom" }),
    "stream.conf:3: boom",
  );
});

test("reader: readConfigFile reads a fixture and reports a missing file on line 0 without throwing", () => {
  const doc = readConfigFile(fixturePath(`configs/${configName("021")}`));
  assert.equal(doc.get("stream", "destination"), "172.21.25.134:20000");
  const missing = readConfigFile("/nonexistent/rill/stream.conf");
  assert.equal(missing.sections.size, 0);
  assert.equal(missing.diagnostics.length, 1);
  assert.equal(missing.diagnostics[0].line, 0);
  assert.equal(missing.diagnostics[0].severity, "error");
});
