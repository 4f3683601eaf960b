import { test } from "node:test";
import assert from "node:assert/strict";
import { zramSource } from "../../../src/sources/proc/zram.ts";
import { type FakeMachine, fakeMachine } from "../_fake_root.ts";
import { assertLikeFixture } from "./_fixture_charts.ts";

const T0 = 1_795_423_040;
const CHARTS = ["mem.zram_usage", "mem.zram_savings", "mem.zram_ratio", "mem.zram_efficiency"];

// A real /proc/devices: zram's block major is 252 here (it is allocated dynamically).
const DEVICES = "Character devices:\n  1 mem\n  4 tty\n\nBlock devices:\n  7 loop\n  8 sd\n252 zram\n254 virtblk\n";

function machine(devices = DEVICES): FakeMachine {
  const m = fakeMachine();
  m.write("/proc/devices", devices);
  m.write("/sys/block/zram0/dev", "252:0\n");
  m.write("/sys/block/zram1/dev", "252:1\n");
  m.write("/sys/block/vda/dev", "254:0\n");
  m.write("/sys/block/vda/mm_stat", "1 2 3 4 5 6 7\n");
  // orig compr used limit max same compacted (+ huge_pages on newer kernels)
  m.write("/sys/block/zram0/mm_stat", "  8388608  2097152  2621440        0  2621440      100        0        0\n");
  m.write("/sys/block/zram1/mm_stat", "0 0 0 0 0 0 0 0\n");
  return m;
}

test("zram: the four charts per device are defined as the fixture's", () => {
  const m = machine();
  try {
    const source = zramSource(m.context);
    source.collect(T0 * 1e6);
    for (const c of CHARTS) assertLikeFixture(m.host, `${c}.zram0`);
    assert.deepEqual(
      [...m.host.charts.keys()].sort(),
      [...CHARTS.map((c) => `${c}.zram0`), ...CHARTS.map((c) => `${c}.zram1`)].sort(),
    );
    source.close();
  } finally {
    m.dispose();
  }
});

test("zram: values as 1.37 computes them, and an idle device's ratio 1 and efficiency 100", () => {
  const m = machine();
  try {
    const source = zramSource(m.context);
    source.collect(T0 * 1e6);
    assert.deepEqual(m.last("mem.zram_usage.zram0"), { compressed: 2097152, metadata: 524288 });
    assert.deepEqual(m.last("mem.zram_savings.zram0"), { savings: 2097152 - 8388608, original: 8388608 });
    assert.deepEqual(m.last("mem.zram_ratio.zram0"), { ratio: 400 });
    assert.deepEqual(m.last("mem.zram_efficiency.zram0"), { percent: 800000 });
    // What the fixture's idle zram0 sent.
    assert.deepEqual(m.last("mem.zram_ratio.zram1"), { ratio: 1 });
    assert.deepEqual(m.last("mem.zram_efficiency.zram1"), { percent: 100 });
    assert.deepEqual(m.last("mem.zram_savings.zram1"), { savings: 0, original: 0 });
    source.close();
  } finally {
    m.dispose();
  }
});

// An open sysfs attribute of a removed device fails to read; a regular file under the fake root keeps reading
// through its open descriptor, so the removal is played as the file losing its contents.
test("zram: a device whose mm_stat empties or loses its numbers is obsoleted and forgotten", () => {
  const m = machine();
  try {
    const source = zramSource(m.context);
    source.collect(T0 * 1e6);
    m.write("/sys/block/zram1/mm_stat", "");
    m.write("/sys/block/zram0/mm_stat", "1 2 3\n");
    source.collect((T0 + 1) * 1e6);
    assert.deepEqual(
      m.obsoleted.sort(),
      [...CHARTS.map((c) => `${c}.zram0`), ...CHARTS.map((c) => `${c}.zram1`)].sort(),
    );
    // Forgotten: a device coming back is not read again (1.37 discovers once).
    m.write("/sys/block/zram1/mm_stat", "0 0 0 0 0 0 0\n");
    const before = m.collected.length;
    source.collect((T0 + 2) * 1e6);
    assert.equal(m.collected.length, before);
    assert.ok(m.logs.some((l) => /no longer monitoring zram0: expected 7 numbers/.test(l)), m.logs.join("\n"));
    source.close();
  } finally {
    m.dispose();
  }
});

test("zram: no zram major in /proc/devices, or none at all, means no charts and no error", () => {
  for (const devices of [DEVICES.replace("252 zram\n", ""), undefined]) {
    const m = machine(devices ?? "");
    try {
      if (devices === undefined) m.remove("/proc/devices");
      const source = zramSource(m.context);
      source.collect(T0 * 1e6);
      source.collect((T0 + 1) * 1e6);
      assert.equal(m.host.charts.size, 0);
      source.close();
    } finally {
      m.dispose();
    }
  }
});
