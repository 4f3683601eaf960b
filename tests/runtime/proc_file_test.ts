import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ProcFile } from "../../src/runtime/proc_file.ts";

test("ProcFile re-reads fresh contents through one descriptor, and reports a missing file", () => {
  const dir = mkdtempSync(join(tmpdir(), "rill-procfile-"));
  try {
    const path = join(dir, "stat");
    writeFileSync(path, "cpu 1 2 3\n");
    const file = new ProcFile(path);
    assert.equal(file.read(), "cpu 1 2 3\n");
    writeFileSync(path, "cpu 4 5 6 7\n");
    assert.equal(file.read(), "cpu 4 5 6 7\n");
    // Bigger than the shared buffer: it grows.
    const big = "x".repeat(200_000);
    writeFileSync(path, big);
    assert.equal(file.read(), big);
    file.close();
    const missing = new ProcFile(join(dir, "nope"));
    assert.equal(missing.read(), undefined);
    assert.match(missing.lastError ?? "", /ENOENT|No such file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("ProcFile reads a real kernel file", () => {
  const file = new ProcFile("/proc/loadavg");
  assert.match(file.read() ?? "", /^\d+\.\d+ \d+\.\d+ \d+\.\d+ \d+\/\d+ \d+\n$/);
  file.close();
});
