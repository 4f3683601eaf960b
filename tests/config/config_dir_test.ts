import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readConfigDir } from "../../src/config/mod.ts";
import { fixturePath } from "../_fixtures.ts";
import { configName } from "./_configs.ts";

function withTempDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "rill-confdir-"));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("config_dir: missing files mean all defaults and no diagnostics", () => {
  withTempDir((dir) => {
    const cfg = readConfigDir(dir);
    assert.deepEqual(cfg.found, { netdata: false, stream: false });
    assert.deepEqual(cfg.diagnostics, []);
    assert.equal(cfg.stream.stream.enabled, false);
    assert.equal(cfg.netdata.db.mode, "dbengine");
  });
});

test("config_dir: both files read, diagnostics of both named by path", () => {
  withTempDir((dir) => {
    copyFileSync(fixturePath(`configs/${configName("036")}`), join(dir, "stream.conf"));
    copyFileSync(fixturePath(`configs/${configName("033")}`), join(dir, "netdata.conf"));
    const cfg = readConfigDir(dir);
    assert.deepEqual(cfg.found, { netdata: true, stream: true });
    assert.deepEqual(
      cfg.diagnostics.map((d) => `${d.file}:${d.line}`),
      [`${join(dir, "netdata.conf")}:2`, `${join(dir, "stream.conf")}:7`],
    );
    assert.equal(cfg.netdata.web.defaultPort, 8000);
    assert.equal(cfg.stream.stream.destination[0].host, "grand-parent");
  });
});

test("config_dir: an unreadable file is an error diagnostic, not an exception", () => {
  withTempDir((dir) => {
    mkdirSync(join(dir, "stream.conf"));
    const cfg = readConfigDir(dir);
    assert.equal(cfg.diagnostics.length, 1);
    assert.equal(cfg.diagnostics[0].severity, "error");
    assert.equal(cfg.diagnostics[0].line, 0);
    assert.equal(cfg.stream.stream.enabled, false);
  });
});
