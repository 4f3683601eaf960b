import { test } from "node:test";
import assert from "node:assert/strict";
import { processCharts } from "../../../src/sources/self/process.ts";
import { fakeMachine } from "../_fake_root.ts";
import { assertLikeFixture } from "../proc/_fixture_charts.ts";

const T0 = 1_795_423_040;
const STATUS = "Name:\trill-collector\nVmHWM:\t   17192 kB\nVmRSS:\t   17192 kB\nRssAnon:\t    2364 kB\n" +
  "RssFile:\t   14828 kB\nRssShmem:\t       0 kB\nVmSwap:\t       0 kB\n";

test("self process: netdata.server_cpu and netdata.uptime as 1.37 defines them, from the injected probes", () => {
  const m = fakeMachine();
  try {
    m.write("/proc/self/status", STATUS);
    let used = { user: 1_000_000, system: 250_000 };
    const group = processCharts(m.host, 1, {
      cpuUsage: () => used,
      startedAtUs: (T0 - 90) * 1e6 + 400_000,
      statusPath: `${m.root}/proc/self/status`,
    });
    group.collect(T0 * 1e6);
    used = { user: 1_012_000, system: 253_000 };
    group.collect((T0 + 1) * 1e6);
    assertLikeFixture(m.host, "netdata.server_cpu");
    assertLikeFixture(m.host, "netdata.uptime");
    // Incremental µs with a divisor of 1000: the parent shows 12 and 3 milliseconds/s.
    assert.deepEqual(m.last("netdata.server_cpu"), { user: 1_012_000, system: 253_000 });
    assert.deepEqual(m.last("netdata.uptime"), { uptime: 90 });
    group.close?.();
  } finally {
    m.dispose();
  }
});

test("self process: netdata.memory is VmRSS as anonymous and file bytes (1.38's chart)", () => {
  const m = fakeMachine();
  try {
    m.write("/proc/self/status", STATUS);
    const group = processCharts(m.host, 1, {
      cpuUsage: () => ({ user: 0, system: 0 }),
      startedAtUs: T0 * 1e6,
      statusPath: `${m.root}/proc/self/status`,
    });
    group.collect(T0 * 1e6);
    const memory = m.host.charts.get("netdata.memory")!;
    assert.deepEqual(
      [memory.title, memory.units, memory.family, memory.context, memory.chartType, memory.priority],
      ["Netdata Memory", "bytes", "netdata", "netdata.memory", "stacked", 130100],
    );
    assert.deepEqual([memory.plugin, memory.module], ["netdata", "stats"]);
    assert.deepEqual(memory.dimensions.map((d) => [d.id, d.algorithm, d.multiplier, d.divisor]), [
      ["anonymous", "absolute", 1024, 1],
      ["file", "absolute", 1024, 1],
    ]);
    // kB as the file gives them; the multiplier makes bytes.
    assert.deepEqual(m.last("netdata.memory"), { anonymous: 2364, file: 14828 });
    group.close?.();
  } finally {
    m.dispose();
  }
});

test("self process: an unreadable status file obsoletes netdata.memory only, and names the file", () => {
  const m = fakeMachine();
  try {
    m.write("/proc/self/status", STATUS);
    const group = processCharts(m.host, 1, {
      cpuUsage: () => ({ user: 5, system: 6 }),
      startedAtUs: T0 * 1e6,
      statusPath: `${m.root}/proc/self/status`,
    });
    group.collect(T0 * 1e6);
    m.write("/proc/self/status", "Name:\tx\n");
    assert.throws(() => group.collect((T0 + 1) * 1e6), /no RssAnon and RssFile lines in .*\/proc\/self\/status/);
    assert.deepEqual(m.obsoleted, ["netdata.memory"]);
    assert.equal(m.collected.filter((c) => c.chart === "netdata.server_cpu").length, 2);
    m.write("/proc/self/status", STATUS);
    group.collect((T0 + 3) * 1e6);
    assert.equal(m.host.charts.get("netdata.memory")!.obsolete, false);
    group.close?.();
  } finally {
    m.dispose();
  }
});
