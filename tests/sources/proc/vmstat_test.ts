import { test } from "node:test";
import assert from "node:assert/strict";
import { vmstatSource } from "../../../src/sources/proc/vmstat.ts";
import { fakeMachine } from "../_fake_root.ts";
import { assertLikeFixture } from "./_fixture_charts.ts";

const T0 = 1_795_423_040;

// Excerpt in the order of a real 6.x kernel's /proc/vmstat.
function vmstat(over: Record<string, number> = {}, without: string[] = []): string {
  const v: Record<string, number> = {
    nr_free_pages: 5795499,
    nr_dirty: 80056,
    numa_hit: 2045261,
    numa_miss: 0,
    numa_foreign: 0,
    numa_interleave: 1142,
    numa_local: 2045261,
    numa_other: 0,
    pgpgin: 1312417,
    pgpgout: 1439152,
    pswpin: 0,
    pswpout: 0,
    pgalloc_normal: 2529003,
    pgfree: 3427070,
    pgfault: 1821016,
    pgmajfault: 904,
    pgrotated: 610,
    oom_kill: 0,
    numa_pte_updates: 0,
    numa_huge_pte_updates: 0,
    numa_hint_faults: 0,
    numa_hint_faults_local: 0,
    numa_pages_migrated: 0,
    pgmigrate_success: 0,
    thp_fault_alloc: 3,
    ...over,
  };
  return Object.entries(v).filter(([k]) => !without.includes(k)).map(([k, n]) => `${k} ${n}`).join("\n") + "\n";
}

test("vmstat: charts are defined exactly as the 1.37 fixture defines them, with raw counters", () => {
  const m = fakeMachine();
  try {
    m.write("/proc/vmstat", vmstat());
    const source = vmstatSource(m.context);
    source.collect(T0 * 1e6);
    for (const id of ["system.pgpgio", "mem.pgfaults", "mem.oom_kill"]) assertLikeFixture(m.host, id);
    assert.deepEqual(m.last("system.pgpgio"), { in: 1312417, out: 1439152 });
    assert.deepEqual(m.last("mem.pgfaults"), { minor: 1821016, major: 904 });
    assert.deepEqual(m.last("mem.oom_kill"), { kills: 0 });
    // No swapping seen, a single NUMA node: like the fixture's child, no such charts.
    assert.equal(m.host.charts.has("system.swapio"), false);
    assert.equal(m.host.charts.has("mem.numa"), false);
    source.close();
  } finally {
    m.dispose();
  }
});

test("vmstat: conditional charts", () => {
  const cases: { name: string; first: string; then: string; chart: string; has: boolean }[] = [
    {
      name: "swapio appears once pages were swapped",
      first: vmstat(),
      then: vmstat({ pswpin: 7, pswpout: 9 }),
      chart: "system.swapio",
      has: true,
    },
    {
      name: "no oom_kill counter, no chart",
      first: vmstat({}, ["oom_kill"]),
      then: vmstat({}, ["oom_kill"]),
      chart: "mem.oom_kill",
      has: false,
    },
  ];
  for (const c of cases) {
    const m = fakeMachine();
    try {
      m.write("/proc/vmstat", c.first);
      const source = vmstatSource(m.context);
      source.collect(T0 * 1e6);
      m.write("/proc/vmstat", c.then);
      source.collect((T0 + 1) * 1e6);
      assert.equal(m.host.charts.has(c.chart), c.has, c.name);
      source.close();
    } finally {
      m.dispose();
    }
  }
});

test("vmstat: system.swapio in KiB from pages, as 1.37 defines it", () => {
  const m = fakeMachine();
  try {
    m.write("/proc/vmstat", vmstat({ pswpin: 7, pswpout: 9 }));
    const source = vmstatSource(m.context);
    source.collect(T0 * 1e6);
    const c = m.host.charts.get("system.swapio")!;
    assert.deepEqual([c.title, c.units, c.family, c.chartType, c.priority], ["Swap I/O", "KiB/s", "swap", "area", 250]);
    assert.deepEqual(c.dimensions.map((d) => [d.id, d.algorithm, d.multiplier, d.divisor]), [
      ["in", "incremental", 4096, 1024],
      ["out", "incremental", -4096, 1024],
    ]);
    assert.deepEqual(m.last("system.swapio"), { in: 7, out: 9 });
    source.close();
  } finally {
    m.dispose();
  }
});

test("vmstat: two NUMA nodes with traffic bring mem.numa", () => {
  const m = fakeMachine();
  try {
    m.write("/sys/devices/system/node/node0/meminfo", "");
    m.write("/sys/devices/system/node/node1/meminfo", "");
    m.write("/proc/vmstat", vmstat({ numa_foreign: 5 }));
    const source = vmstatSource(m.context);
    source.collect(T0 * 1e6);
    const c = m.host.charts.get("mem.numa")!;
    assert.deepEqual(c.dimensions.map((d) => d.id), [
      "local",
      "foreign",
      "interleave",
      "other",
      "pte_updates",
      "huge_pte_updates",
      "hint_faults",
      "hint_faults_local",
      "pages_migrated",
    ]);
    assert.equal(m.last("mem.numa")?.local, 2045261);
    assert.equal(m.last("mem.numa")?.foreign, 5);
    source.close();
  } finally {
    m.dispose();
  }
});

test("vmstat: a garbled file obsoletes the charts and throws naming the file", () => {
  const m = fakeMachine();
  try {
    m.write("/proc/vmstat", vmstat());
    const source = vmstatSource(m.context);
    source.collect(T0 * 1e6);
    m.write("/proc/vmstat", "nothing here\n");
    assert.throws(() => source.collect((T0 + 1) * 1e6), /unexpected contents of .*\/proc\/vmstat/);
    assert.deepEqual(m.obsoleted.sort(), ["mem.oom_kill", "mem.pgfaults", "system.pgpgio"]);
    m.write("/proc/vmstat", vmstat());
    source.collect((T0 + 2) * 1e6);
    assert.equal(m.host.charts.get("system.pgpgio")!.obsolete, false);
    source.close();
  } finally {
    m.dispose();
  }
});
