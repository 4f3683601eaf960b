import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { cpuMemorySources } from "../../../src/sources/proc/cpu_mem.ts";
import { fakeMachine } from "../_fake_root.ts";

test("cpu_mem: every source runs twice against this machine's real /proc without throwing", {
  skip: !existsSync("/proc/stat") && "no /proc here",
}, () => {
  const m = fakeMachine();
  try {
    const sources = cpuMemorySources({ ...m.context, root: "/" });
    const now = Math.floor(Date.now() / 1000);
    for (let i = 0; i < 2; i++) {
      for (const source of sources) {
        // Kernels built without PSI have no /proc/pressure; that source then reports it, as it should.
        if (source.name === "/proc/pressure" && !existsSync("/proc/pressure/cpu")) continue;
        source.collect((now + 2 * i) * 1e6);
      }
    }
    const cpu = m.host.charts.get("system.cpu")!;
    assert.deepEqual(cpu.dimensions.map((d) => d.id), [
      "guest_nice",
      "guest",
      "steal",
      "softirq",
      "irq",
      "user",
      "system",
      "nice",
      "iowait",
      "idle",
    ]);
    assert.equal(m.last("system.cpu")?.idle !== undefined, true);
    for (const id of ["system.ram", "system.uptime", "system.interrupts", "system.softirqs", "system.pgpgio"]) {
      assert.ok(m.host.charts.has(id), id);
    }
    assert.deepEqual(m.obsoleted, []);
    for (const source of sources) source.close();
  } finally {
    m.dispose();
  }
});
