import { test } from "node:test";
import assert from "node:assert/strict";
import { meminfoSource } from "../../../src/sources/proc/meminfo.ts";
import { fakeMachine } from "../_fake_root.ts";
import { assertLikeFixture } from "./_fixture_charts.ts";

const T0 = 1_795_423_040;

// The shape of a real 6.x kernel's /proc/meminfo (no swap, no hugepages in use).
function meminfo(over: Record<string, number> = {}): string {
  const v: Record<string, number> = {
    MemTotal: 24684084,
    MemFree: 23181996,
    MemAvailable: 24298620,
    Buffers: 210960,
    Cached: 1061256,
    SwapCached: 0,
    Active: 610756,
    Inactive: 672560,
    "Active(anon)": 1548,
    "Inactive(anon)": 18424,
    "Active(file)": 609208,
    "Inactive(file)": 654136,
    Unevictable: 14900,
    Mlocked: 13888,
    SwapTotal: 0,
    SwapFree: 0,
    Zswap: 0,
    Zswapped: 0,
    Dirty: 320224,
    Writeback: 12,
    AnonPages: 26048,
    Mapped: 61584,
    Shmem: 8872,
    KReclaimable: 123968,
    Slab: 150300,
    SReclaimable: 123968,
    SUnreclaim: 26332,
    KernelStack: 1752,
    PageTables: 2280,
    SecPageTables: 0,
    NFS_Unstable: 3,
    Bounce: 4,
    WritebackTmp: 5,
    CommitLimit: 12342040,
    Committed_AS: 155524,
    VmallocTotal: 34359738367,
    VmallocUsed: 14540,
    VmallocChunk: 0,
    Percpu: 688,
    HardwareCorrupted: 0,
    AnonHugePages: 0,
    ShmemHugePages: 0,
    ShmemPmdMapped: 0,
    FileHugePages: 124928,
    FilePmdMapped: 0,
    HugePages_Total: 0,
    HugePages_Free: 0,
    HugePages_Rsvd: 0,
    HugePages_Surp: 0,
    Hugepagesize: 2048,
    Hugetlb: 0,
    DirectMap4k: 28672,
    DirectMap2M: 2068480,
    DirectMap1G: 25165824,
    ...over,
  };
  return Object.entries(v).map(([k, n]) =>
    k.startsWith("HugePages_")
      ? `${`${k}:`.padEnd(16)}${String(n).padStart(8)}`
      : `${`${k}:`.padEnd(16)}${String(n).padStart(8)} kB`
  ).join("\n") + "\n";
}

test("meminfo: charts are defined exactly as the 1.37 fixture defines them", () => {
  const m = fakeMachine();
  try {
    m.write("/proc/meminfo", meminfo());
    const source = meminfoSource(m.context);
    source.collect(T0 * 1e6);
    for (const id of ["system.ram", "mem.available", "mem.committed", "mem.writeback", "mem.kernel", "mem.slab"]) {
      assertLikeFixture(m.host, id);
    }
    // Like the fixture's child: no swap, no ECC errors, no hugepages, so no such charts.
    for (const id of ["system.swap", "mem.hwcorrupt", "mem.hugepages", "mem.transparent_hugepages"]) {
      assert.equal(m.host.charts.has(id), false, id);
    }
    source.close();
  } finally {
    m.dispose();
  }
});

test("meminfo: raw KiB values as 1.37 computes them", () => {
  const m = fakeMachine();
  try {
    m.write("/proc/meminfo", meminfo());
    const source = meminfoSource(m.context);
    source.collect(T0 * 1e6);
    const cached = 1061256 + 123968 - 8872;
    assert.deepEqual(m.last("system.ram"), {
      free: 23181996,
      used: 24684084 - 23181996 - cached - 210960,
      cached,
      buffers: 210960,
    });
    assert.deepEqual(m.last("mem.available"), { MemAvailable: 24298620 });
    assert.deepEqual(m.last("mem.committed"), { Committed_AS: 155524 });
    assert.deepEqual(m.last("mem.writeback"), {
      Dirty: 320224,
      Writeback: 12,
      FuseWriteback: 5,
      NfsWriteback: 3,
      Bounce: 4,
    });
    assert.deepEqual(m.last("mem.kernel"), {
      Slab: 150300,
      KernelStack: 1752,
      PageTables: 2280,
      VmallocUsed: 14540,
      Percpu: 688,
    });
    assert.deepEqual(m.last("mem.slab"), { reclaimable: 123968, unreclaimable: 26332 });
    source.close();
  } finally {
    m.dispose();
  }
});

test("meminfo: charts that appear once their values are non-zero, and stay", () => {
  const cases: { name: string; over: Record<string, number>; chart: string; want: Record<string, number> }[] = [
    { name: "swap", over: { SwapTotal: 1000, SwapFree: 400 }, chart: "system.swap", want: { free: 400, used: 600 } },
    { name: "ECC", over: { HardwareCorrupted: 8 }, chart: "mem.hwcorrupt", want: { HardwareCorrupted: 8 } },
    {
      name: "hugepages",
      over: { HugePages_Total: 10, HugePages_Free: 6, HugePages_Rsvd: 1, HugePages_Surp: 2 },
      chart: "mem.hugepages",
      want: { free: 6, used: 3, surplus: 2, reserved: 1 },
    },
    {
      name: "transparent hugepages",
      over: { AnonHugePages: 2048, ShmemHugePages: 4096 },
      chart: "mem.transparent_hugepages",
      want: { anonymous: 2048, shmem: 4096 },
    },
  ];
  for (const c of cases) {
    const m = fakeMachine();
    try {
      m.write("/proc/meminfo", meminfo());
      const source = meminfoSource(m.context);
      source.collect(T0 * 1e6);
      assert.equal(m.host.charts.has(c.chart), false, c.name);
      m.write("/proc/meminfo", meminfo(c.over));
      source.collect((T0 + 1) * 1e6);
      assert.deepEqual(m.last(c.chart), c.want, c.name);
      m.write("/proc/meminfo", meminfo());
      source.collect((T0 + 2) * 1e6);
      assert.equal(m.collected.filter((x) => x.chart === c.chart).length, 2, `${c.name} stays`);
      source.close();
    } finally {
      m.dispose();
    }
  }
});

test("meminfo: definitions of the conditional charts follow 1.37", () => {
  const m = fakeMachine();
  try {
    m.write("/proc/meminfo", meminfo({ SwapTotal: 1, HardwareCorrupted: 1, HugePages_Total: 1, AnonHugePages: 1 }));
    const source = meminfoSource(m.context);
    source.collect(T0 * 1e6);
    const swap = m.host.charts.get("system.swap")!;
    assert.deepEqual([swap.title, swap.family, swap.chartType, swap.priority, swap.detail], [
      "System Swap",
      "swap",
      "stacked",
      201,
      true,
    ]);
    assert.deepEqual(swap.dimensions.map((d) => d.id), ["free", "used"]);
    assert.equal(m.host.charts.get("mem.hwcorrupt")!.priority, 1500);
    const huge = m.host.charts.get("mem.hugepages")!;
    assert.deepEqual([huge.priority, huge.dimensions[0].multiplier, huge.dimensions[0].divisor], [1251, 2048, 1024]);
    assert.deepEqual(huge.dimensions.map((d) => d.id), ["free", "used", "surplus", "reserved"]);
    assert.equal(m.host.charts.get("mem.transparent_hugepages")!.priority, 1250);
    source.close();
  } finally {
    m.dispose();
  }
});

test("meminfo: a garbled file obsoletes the charts and throws naming the file; a good read brings them back", () => {
  const m = fakeMachine();
  try {
    const source = meminfoSource(m.context);
    assert.throws(() => source.collect(T0 * 1e6), /ENOENT.*\/proc\/meminfo/);
    m.write("/proc/meminfo", meminfo());
    source.collect((T0 + 1) * 1e6);
    m.write("/proc/meminfo", "garbage\n");
    assert.throws(() => source.collect((T0 + 2) * 1e6), /unexpected contents of .*\/proc\/meminfo: 'garbage/);
    assert.equal(m.obsoleted.length, 6);
    m.write("/proc/meminfo", meminfo());
    source.collect((T0 + 3) * 1e6);
    assert.equal(m.host.charts.get("system.ram")!.obsolete, false);
    source.close();
  } finally {
    m.dispose();
  }
});
