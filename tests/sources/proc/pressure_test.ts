import { test } from "node:test";
import assert from "node:assert/strict";
import { pressureSource } from "../../../src/sources/proc/pressure.ts";
import { fakeMachine } from "../_fake_root.ts";
import { assertLikeFixture } from "./_fixture_charts.ts";

const T0 = 1_795_423_040;

function psi(some: string, full: string): string {
  return `some avg10=${some} avg60=0.85 avg300=1.22 total=14149123\nfull avg10=${full} avg60=0.13 avg300=0.28 total=2000999\n`;
}

function writeAll(m: ReturnType<typeof fakeMachine>): void {
  m.write("/proc/pressure/cpu", psi("1.54", "0.00"));
  m.write("/proc/pressure/memory", psi("0.00", "0.00"));
  m.write("/proc/pressure/io", psi("7.14", "7.08"));
}

test("pressure: charts are defined exactly as the 1.37 fixture defines them (every 2 s)", () => {
  const m = fakeMachine();
  try {
    writeAll(m);
    const source = pressureSource(m.context);
    assert.equal(source.updateEvery, 2);
    source.collect(T0 * 1e6);
    for (const r of ["cpu", "memory", "io"]) {
      for (const k of ["some", "full"]) {
        assertLikeFixture(m.host, `system.${r}_${k}_pressure`);
        assertLikeFixture(m.host, `system.${r}_${k}_pressure_stall_time`);
      }
    }
    source.close();
  } finally {
    m.dispose();
  }
});

test("pressure: averages ×100 truncated as 1.37's C cast does, stall time in ms", () => {
  const cases = [
    { some: "1.54", want: 154 },
    { some: "1.16", want: 115 }, // 1.16 * 100 is 115.99999999999999 in doubles
    { some: "100.00", want: 10000 },
  ];
  for (const c of cases) {
    const m = fakeMachine();
    try {
      writeAll(m);
      m.write("/proc/pressure/cpu", psi(c.some, "0.00"));
      const source = pressureSource(m.context);
      source.collect(T0 * 1e6);
      assert.deepEqual(
        m.last("system.cpu_some_pressure"),
        { "some 10": c.want, "some 60": 85, "some 300": 122 },
        c.some,
      );
      assert.deepEqual(m.last("system.cpu_some_pressure_stall_time"), { time: 14149 });
      assert.deepEqual(m.last("system.io_full_pressure"), { "full 10": 708, "full 60": 13, "full 300": 28 });
      source.close();
    } finally {
      m.dispose();
    }
  }
});

test("pressure: a file without a `full` line has no full charts; a garbled one obsoletes its charts and throws", () => {
  const m = fakeMachine();
  try {
    writeAll(m);
    m.write("/proc/pressure/cpu", "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
    const source = pressureSource(m.context);
    source.collect(T0 * 1e6);
    assert.equal(m.host.charts.has("system.cpu_full_pressure"), false);
    m.write("/proc/pressure/memory", "nonsense\n");
    assert.throws(() => source.collect((T0 + 2) * 1e6), /unexpected contents of .*\/proc\/pressure\/memory/);
    assert.deepEqual(m.obsoleted.sort(), [
      "system.memory_full_pressure",
      "system.memory_full_pressure_stall_time",
      "system.memory_some_pressure",
      "system.memory_some_pressure_stall_time",
    ]);
    assert.equal(m.host.charts.get("system.io_some_pressure")!.obsolete, false);
    writeAll(m);
    source.collect((T0 + 4) * 1e6);
    assert.equal(m.host.charts.get("system.memory_some_pressure")!.obsolete, false);
    source.close();
  } finally {
    m.dispose();
  }
});
