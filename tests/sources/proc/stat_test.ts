import { test } from "node:test";
import assert from "node:assert/strict";
import { statSource } from "../../../src/sources/proc/stat.ts";
import { fakeMachine } from "../_fake_root.ts";
import { assertLikeFixture } from "./_fixture_charts.ts";

const T0 = 1_795_423_040;
const INTR = `intr 183984 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1 1 13 0 0 0 0 69 53 0 18 1 67553 0`;

function stat(cpus: string[], extra = ""): string {
  return `${cpus.join("\n")}\n${INTR}\nctxt 413041\nbtime 1795461526\nprocesses 4782\nprocs_running 2\n` +
    `procs_blocked 1\nsoftirq 125548 0 9499 4 4112 67552 0 3 25361 0 19017\n${extra}`;
}

const TWO_CPUS = [
  "cpu  3971 0 3519 58483 3066 0 156 1120 0 0",
  "cpu0 1673 0 1326 31644 62 0 14 449 0 0",
  "cpu1 2297 0 2192 26839 3004 0 142 670 0 0",
];

test("stat: charts are defined exactly as the 1.37 fixture defines them", () => {
  const m = fakeMachine();
  try {
    m.write("/proc/stat", stat(TWO_CPUS));
    const source = statSource(m.context);
    source.collect(T0 * 1e6);
    for (const id of ["system.cpu", "cpu.cpu0", "cpu.cpu1", "system.intr", "system.ctxt", "system.forks"]) {
      assertLikeFixture(m.host, id);
    }
    assertLikeFixture(m.host, "system.processes");
    assert.equal(m.host.variables.get("active_processors"), 2);
    source.close();
  } finally {
    m.dispose();
  }
});

test("stat: raw values as 1.37 sends them (jiffies, guest taken out of user and nice)", () => {
  const cases: { name: string; line: string; want: Record<string, number> }[] = [
    {
      name: "no guest columns (old kernels)",
      line: "cpu  10 20 30 40 50 60 70 80",
      want: {
        guest_nice: 0,
        guest: 0,
        steal: 80,
        softirq: 70,
        irq: 60,
        user: 10,
        system: 30,
        nice: 20,
        iowait: 50,
        idle: 40,
      },
    },
    {
      name: "guest time inside user and nice",
      line: "cpu  100 50 30 40 50 60 70 80 25 5",
      want: {
        guest_nice: 5,
        guest: 25,
        steal: 80,
        softirq: 70,
        irq: 60,
        user: 75,
        system: 30,
        nice: 45,
        iowait: 50,
        idle: 40,
      },
    },
  ];
  for (const c of cases) {
    const m = fakeMachine();
    try {
      m.write("/proc/stat", stat([c.line, "cpu0 1 2 3 4 5 6 7 8 9 10"]));
      const source = statSource(m.context);
      source.collect(T0 * 1e6);
      assert.deepEqual(m.last("system.cpu"), c.want, c.name);
      assert.deepEqual(m.last("system.intr"), { interrupts: 183984 });
      assert.deepEqual(m.last("system.ctxt"), { switches: 413041 });
      assert.deepEqual(m.last("system.forks"), { started: 4782 });
      assert.deepEqual(m.last("system.processes"), { running: 2, blocked: 1 });
      source.close();
    } finally {
      m.dispose();
    }
  }
});

test("stat: a CPU going offline obsoletes its chart and throws; it comes back when the CPU does", () => {
  const m = fakeMachine();
  try {
    m.write("/proc/stat", stat(TWO_CPUS));
    const source = statSource(m.context);
    source.collect(T0 * 1e6);
    m.write("/proc/stat", stat(TWO_CPUS.slice(0, 2)));
    assert.throws(() => source.collect((T0 + 1) * 1e6), /\/proc\/stat no longer lists cpu\.cpu1/);
    assert.deepEqual(m.obsoleted, ["cpu.cpu1"]);
    assert.equal(m.host.charts.get("system.cpu")!.obsolete, false);
    assert.equal(m.host.variables.get("active_processors"), 1);
    // Still offline: nothing more to report.
    source.collect((T0 + 2) * 1e6);
    m.write("/proc/stat", stat(TWO_CPUS));
    source.collect((T0 + 3) * 1e6);
    assert.equal(m.host.charts.get("cpu.cpu1")!.obsolete, false);
    assert.equal(m.last("cpu.cpu1")?.user, 2297);
    source.close();
  } finally {
    m.dispose();
  }
});

test("stat: a missing or garbled file obsoletes every chart and throws naming the file", () => {
  const m = fakeMachine();
  try {
    const source = statSource(m.context);
    assert.throws(() => source.collect(T0 * 1e6), /ENOENT.*\/proc\/stat/);
    m.write("/proc/stat", stat(TWO_CPUS));
    source.collect((T0 + 1) * 1e6);
    m.write("/proc/stat", "garbage\n");
    assert.throws(() => source.collect((T0 + 2) * 1e6), /unexpected contents of .*\/proc\/stat/);
    assert.equal(m.obsoleted.length, 7);
    m.write("/proc/stat", stat([TWO_CPUS[0], "cpu0 1 2"]));
    assert.throws(() => source.collect((T0 + 3) * 1e6), /unexpected contents of .*\/proc\/stat: 'cpu0 1 2'/);
    m.write("/proc/stat", stat(TWO_CPUS));
    source.collect((T0 + 4) * 1e6);
    for (const id of ["system.cpu", "cpu.cpu0", "cpu.cpu1", "system.processes"]) {
      assert.equal(m.host.charts.get(id)!.obsolete, false, id);
    }
    source.close();
  } finally {
    m.dispose();
  }
});
