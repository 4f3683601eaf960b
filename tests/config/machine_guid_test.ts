import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { isGuid } from "../../src/protocol/guid.ts";
import { loadOrCreateMachineGuid, MACHINE_GUID_FILE } from "../../src/config/mod.ts";

function withTempDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "rill-guid-"));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("machine_guid: created on first start (with its folders), reused afterwards", () => {
  withTempDir((dir) => {
    const lib = join(dir, "var", "lib", "netdata");
    const first = loadOrCreateMachineGuid(lib);
    assert.equal(first.created, true);
    assert.ok(isGuid(first.guid));
    const path = join(lib, "registry", "netdata.public.unique.id");
    assert.equal(join(lib, MACHINE_GUID_FILE), path);
    assert.equal(readFileSync(path, "utf8"), first.guid);
    const second = loadOrCreateMachineGuid(lib);
    assert.deepEqual(second, { guid: first.guid, created: false });
  });
});

test("machine_guid: an existing file is used as is (a trailing newline is tolerated, case normalised)", () => {
  withTempDir((dir) => {
    mkdirSync(join(dir, "registry"));
    writeFileSync(join(dir, MACHINE_GUID_FILE), "82BE38CA-E718-11F1-8984-02FC00000001\n");
    assert.deepEqual(loadOrCreateMachineGuid(dir), { guid: "82be38ca-e718-11f1-8984-02fc00000001", created: false });
  });
});

test("machine_guid: a corrupt file throws with the path and what was found, and is left alone", () => {
  withTempDir((dir) => {
    mkdirSync(join(dir, "registry"));
    const path = join(dir, MACHINE_GUID_FILE);
    writeFileSync(path, "not-a-guid");
    assert.throws(() => loadOrCreateMachineGuid(dir), (e: unknown) => {
      assert.ok(e instanceof Error);
      assert.ok(e.message.includes(path), e.message);
      assert.match(e.message, /found 'not-a-guid'/);
      return true;
    });
    assert.equal(readFileSync(path, "utf8"), "not-a-guid");
    writeFileSync(path, "");
    assert.throws(() => loadOrCreateMachineGuid(dir), /found ''/);
  });
});

test("machine_guid: an unreadable file throws instead of making a new identity", () => {
  withTempDir((dir) => {
    // A directory where the file should be cannot be read as a file, whoever runs the test.
    mkdirSync(join(dir, MACHINE_GUID_FILE), { recursive: true });
    assert.throws(() => loadOrCreateMachineGuid(dir), (e: unknown) => {
      assert.ok(e instanceof Error);
      assert.ok(e.message.includes(join(dir, MACHINE_GUID_FILE)), e.message);
      return true;
    });
  });
});

test("machine_guid: an unwritable lib directory throws on first start", () => {
  if (process.getuid?.() === 0) return; // root writes anywhere
  withTempDir((dir) => {
    chmodSync(dir, 0o500);
    try {
      assert.throws(() => loadOrCreateMachineGuid(join(dir, "lib")));
    } finally {
      chmodSync(dir, 0o700);
    }
  });
});
