import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { cleanMappingsOf, WorkingSetTrim } from "../../src/runtime/working_set.ts";

const EXE = "/usr/lib/rill/bin";
const SMAPS = [
  `00200000-01a38000 r--p 00000000 fd:01 42                                 ${EXE}`,
  "Rss:                5792 kB",
  "Anonymous:             0 kB",
  `01a40000-06836000 r-xp 01838000 fd:01 42                                 ${EXE}`,
  "Anonymous:             0 kB",
  // Relocations: read-only now, but written at load, so it holds anonymous pages that must not be dropped.
  `06836000-06852000 r--p 06634000 fd:01 42                                 ${EXE}`,
  "Anonymous:           112 kB",
  `06852000-06a5a000 rw-p 06650000 fd:01 42                                 ${EXE}`,
  "Anonymous:             0 kB",
  "7f0000000000-7f0000001000 r-xp 00000000 fd:01 7                          /usr/lib/x86_64-linux-gnu/libc.so.6",
  "Anonymous:             0 kB",
  "7f0000002000-7f0000003000 r--p 00000000 00:00 0 ",
  "Anonymous:             0 kB",
  "",
].join("\n");

test("cleanMappingsOf: only the executable's read-only mappings that were never written", () => {
  assert.deepEqual(cleanMappingsOf(SMAPS, EXE), [
    { start: 0x200000n, end: 0x1a38000n },
    { start: 0x1a40000n, end: 0x6836000n },
  ]);
  assert.deepEqual(cleanMappingsOf(SMAPS, "/usr/bin/other"), []);
});

test("cleanMappingsOf: on this process's own smaps, every mapping it picks is read-only, clean and the runtime's", () => {
  const exe = realpathSync(process.execPath);
  const smaps = readFileSync("/proc/self/smaps", "utf8");
  const picked = cleanMappingsOf(smaps, exe);
  assert.ok(picked.length > 0, `no clean mapping of ${exe} found`);
  for (const m of picked) {
    const header = smaps.split("\n").find((l) => l.startsWith(`${m.start.toString(16).padStart(8, "0")}-`));
    assert.ok(header !== undefined && header.endsWith(exe) && !header.split(/\s+/)[1].includes("w"), header);
  }
});

test("WorkingSetTrim: madvise(MADV_DONTNEED) on each clean mapping and nothing else", () => {
  const smapsFile = join(tmpdir(), `rill-smaps-${process.pid}`);
  const calls: [bigint, bigint, number][] = [];
  writeFileSync(smapsFile, SMAPS);
  try {
    const trim = new WorkingSetTrim(
      { madvise: (address, length, advice) => (calls.push([address, length, advice]), 0) },
      10_000,
      5_000,
      EXE,
      smapsFile,
    );
    assert.equal(trim.trim(), 2);
    assert.deepEqual(calls, [[0x200000n, 0x1838000n, 4], [0x1a40000n, 0x4df6000n, 4]]);
  } finally {
    rmSync(smapsFile);
  }
});
