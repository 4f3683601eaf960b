import { test } from "node:test";
import assert from "node:assert/strict";
import { loadavgSource } from "../../../src/sources/proc/loadavg.ts";
import { fakeMachine } from "../_fake_root.ts";

test("loadavg: system.load every 5 s and system.active_processes every second, as 1.37 defines them", () => {
  const m = fakeMachine();
  try {
    m.write("/proc/loadavg", "0.52 1.58 12.59 3/467 12345\n");
    m.write("/proc/sys/kernel/pid_max", "32768\n");
    const source = loadavgSource(m.context);
    for (let s = 0; s < 6; s++) source.collect((1_795_423_040 + s) * 1e6);
    assert.equal(m.collected.filter((c) => c.chart === "system.load").length, 2);
    assert.equal(m.collected.filter((c) => c.chart === "system.active_processes").length, 6);
    assert.deepEqual(m.last("system.load"), { load1: 520, load5: 1580, load15: 12590 });
    assert.deepEqual(m.last("system.active_processes"), { active: 467 });
    const load = m.host.charts.get("system.load")!;
    assert.equal(load.updateEvery, 5);
    assert.equal(load.priority, 100);
    assert.equal(load.dimensions[0].divisor, 1000);
    assert.equal(m.host.charts.get("system.active_processes")!.variables.get("pidmax"), 32768);
    source.close();
  } finally {
    m.dispose();
  }
});

test("loadavg: a file that changes shape obsoletes the charts and throws a message naming the file", () => {
  const m = fakeMachine();
  try {
    m.write("/proc/loadavg", "0.52 1.58 12.59 3/467 12345\n");
    const source = loadavgSource(m.context);
    source.collect(1_795_423_040e6);
    m.write("/proc/loadavg", "garbage\n");
    assert.throws(() => source.collect(1_795_423_041e6), /unexpected contents of .*\/proc\/loadavg: 'garbage/);
    assert.deepEqual(m.obsoleted.sort(), ["system.active_processes", "system.load"]);
    m.write("/proc/loadavg", "0.10 0.20 0.30 1/100 1\n");
    source.collect(1_795_423_045e6);
    assert.deepEqual(m.last("system.active_processes"), { active: 100 });
    assert.equal(m.host.charts.get("system.load")!.obsolete, false);
    source.close();
  } finally {
    m.dispose();
  }
});
