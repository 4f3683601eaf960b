// The compiled collector's command line: help, version, bad options and config errors that name file and line.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RILL_VERSION } from "../../src/cli/_version.ts";
import { COLLECTOR_X64, X64_SKIP } from "./_collector.ts";

function run(...args: string[]) {
  const r = spawnSync(COLLECTOR_X64, args, { encoding: "utf8", timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function withConfig(files: Record<string, string>, body: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "rill-cli-"));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const skip = X64_SKIP ?? false;

test("cli: --version and --help", { skip }, () => {
  const version = run("--version");
  assert.equal(version.code, 0);
  assert.equal(version.stdout, `rill-collector ${RILL_VERSION}\n`);
  const help = run("-h");
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: rill-collector \[-c <config dir> \| --embedded\]/);
  assert.match(help.stdout, /-c, --config <dir>/);
});

test("cli: an unknown option is refused with a pointer to --help", { skip }, () => {
  const r = run("--bogus");
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Unknown option '--bogus' \(see --help\)/);
});

test("cli: a bad value is reported with file and line, and the collector does not start", { skip }, () => {
  withConfig({ "stream.conf": "[stream]\n    enabled = maybe\n    destination = 127.0.0.1:19999\n" }, (dir) => {
    const r = run("-c", dir);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      new RegExp(`${dir}/stream.conf:2: \\[stream\\] enabled = maybe: expected yes or no, found 'maybe'`),
    );
  });
});

test("cli: a config folder without streaming enabled says what is missing", { skip }, () => {
  withConfig({ "netdata.conf": "[global]\n    hostname = x\n" }, (dir) => {
    const r = run("-c", dir);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      new RegExp(`streaming is not enabled in ${dir}/stream.conf: a collector needs \\[stream\\] enabled = yes`),
    );
  });
});
