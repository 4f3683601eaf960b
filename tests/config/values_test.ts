import { test } from "node:test";
import assert from "node:assert/strict";
import {
  looksLikeTemplate,
  parseBoolean,
  parseBooleanOrAuto,
  parseConfig,
  parseDuration,
  parseIntegerOption,
  parseMemoryMode,
  parseSize,
  type ValueResult,
} from "../../src/config/mod.ts";
import { configText } from "./_configs.ts";

function value<T>(r: ValueResult<T>): T {
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

function error<T>(r: ValueResult<T>): string {
  if (r.ok) throw new Error(`expected an error, got ${String(r.value)}`);
  return r.error;
}

test("values: booleans yes/no/true/false/on/off in any case", () => {
  for (const t of ["yes", "YES", "true", "True", "on"]) assert.equal(value(parseBoolean(t)), true, t);
  for (const t of ["no", "No", "false", "off", "OFF"]) assert.equal(value(parseBoolean(t)), false, t);
  assert.equal(error(parseBoolean("maybe")), "expected yes or no, found 'maybe'");
  assert.match(error(parseBoolean("auto")), /'auto' is not allowed here/);
  assert.match(error(parseBoolean("1")), /expected yes or no, found '1'/);
});

test("values: auto only where allowed (health), 'on demand' is Netdata's synonym", () => {
  assert.equal(value(parseBooleanOrAuto("auto")), "auto");
  assert.equal(value(parseBooleanOrAuto("on demand")), "auto");
  assert.equal(value(parseBooleanOrAuto("yes")), true);
  assert.equal(value(parseBooleanOrAuto("no")), false);
  assert.equal(error(parseBooleanOrAuto("sometimes")), "expected yes, no or auto, found 'sometimes'");
});

test("values: integers with limits", () => {
  assert.equal(value(parseIntegerOption("19999", { min: 1, max: 65535 })), 19999);
  assert.equal(value(parseIntegerOption("-3")), -3);
  assert.equal(value(parseIntegerOption("0x10")), 16);
  assert.equal(
    error(parseIntegerOption("70000", { min: 1, max: 65535 })),
    "expected a whole number from 1 to 65535, found '70000'",
  );
  assert.equal(error(parseIntegerOption("60s")), "expected a whole number, found '60s'");
  assert.equal(error(parseIntegerOption("")), "expected a whole number, found ''");
});

test("values: durations of file 014 (30d, 6mo, 2y, 2h, 30m)", () => {
  const doc = parseConfig(configText("014"), "014");
  const d = (section: string, key: string) => value(parseDuration(doc.get(section, key) ?? ""));
  assert.equal(d("db", "dbengine tier 0 retention time"), 30 * 86400);
  assert.equal(d("db", "dbengine tier 1 retention time"), 6 * 30 * 86400);
  assert.equal(d("db", "dbengine tier 2 retention time"), 2 * 365 * 86400);
  assert.equal(d("health", "default repeat warning"), 2 * 3600);
  assert.equal(d("health", "default repeat critical"), 30 * 60);
});

test("values: duration forms and units", () => {
  assert.equal(value(parseDuration("60")), 60);
  assert.equal(value(parseDuration("5", "m")), 300);
  assert.equal(value(parseDuration("1h30m")), 5400);
  assert.equal(value(parseDuration("15d-12h")), 14 * 86400 + 12 * 3600);
  assert.equal(value(parseDuration("-1m15s")), -75);
  assert.equal(value(parseDuration("1.5d")), 129600);
  assert.equal(value(parseDuration("1w")), 604800);
  assert.equal(value(parseDuration("1q")), 90 * 86400);
  assert.equal(value(parseDuration("1M")), 30 * 86400);
  assert.equal(value(parseDuration("1Y")), 365 * 86400);
  assert.equal(value(parseDuration("1500ms")), 2);
  assert.equal(value(parseDuration("never")), 0);
  assert.equal(value(parseDuration("off")), 0);
  assert.equal(value(parseDuration("2 h")), 7200);
  assert.match(error(parseDuration("soon")), /^expected a duration like .*found 'soon'$/);
  assert.match(error(parseDuration("5x")), /found '5x'/);
  assert.match(error(parseDuration("1h30")), /found '1h30'/);
});

test("values: sizes with binary and decimal units", () => {
  assert.equal(value(parseSize("10485760")), 10485760);
  assert.equal(value(parseSize("10MiB")), 10485760);
  assert.equal(value(parseSize("1KiB")), 1024);
  assert.equal(value(parseSize("1GB")), 1e9);
  assert.equal(value(parseSize("256K")), 256000);
  assert.equal(value(parseSize("8192", "MiB")), 8192 * 1024 * 1024);
  assert.equal(value(parseSize("1.5KiB")), 1536);
  assert.match(error(parseSize("10mib")), /found '10mib'/);
  assert.match(error(parseSize("lots")), /^expected a size like .*found 'lots'$/);
});

test("values: memory modes are case-sensitive", () => {
  for (const m of ["dbengine", "ram", "save", "map", "none", "alloc"]) assert.equal(value(parseMemoryMode(m)), m);
  assert.equal(error(parseMemoryMode("fast")), "expected one of dbengine, ram, save, map, none, alloc, found 'fast'");
  assert.match(error(parseMemoryMode("RAM")), /found 'RAM'/);
});

test("values: template values are flagged in errors", () => {
  assert.ok(looksLikeTemplate("{{ x }}"));
  assert.ok(looksLikeTemplate("<%= @x %>"));
  assert.ok(!looksLikeTemplate("yes"));
  assert.match(error(parseBoolean('{{ ternary "yes" "no" .Values.parent.enabled }}')), /an unrendered template\?/);
});
