import { test } from "node:test";
import assert from "node:assert/strict";
import { diskstatsSource } from "../../../src/sources/proc/diskstats.ts";
import { type FakeMachine, fakeMachine } from "../_fake_root.ts";
import { assertSameAsFixture } from "./_fixture_defs.ts";

const T0 = 1_795_423_040;

// The shape of a real VM's /proc/diskstats (kernel 5.5+: 20 fields with discards and flushes).
function diskstats(vda: number[], withVda = true): string {
  return [
    "   7       0 loop0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0",
    withVda ? ` 254       0 vda ${vda.join(" ")}` : "",
    " 254       1 vda1 10 0 80 1 0 0 0 0 0 2 1 0 0 0 0 0 0",
    " 253       0 zram0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0",
  ].filter((l) => l !== "").join("\n") + "\n";
}

function machine(): FakeMachine {
  const m = fakeMachine();
  m.write("/sys/block/vda/queue/hw_sector_size", "512\n");
  m.write("/sys/block/vda1/dev", "254:1\n");
  m.write("/sys/dev/block/254:1/partition", "1\n");
  m.write("/sys/devices/virtual/block/loop0/dev", "7:0\n");
  m.write("/sys/devices/virtual/block/zram0/dev", "253:0\n");
  m.write(
    "/proc/self/mountinfo",
    "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n22 27 0:21 / /proc rw - proc proc rw\n",
  );
  return m;
}

//           reads mr  rsect   rms  writes mw  wsect   wms  q busy backlog disc md dsect dms flush fms
const V1 = [33931, 8786, 2002410, 16060, 3758, 5935, 1939592, 9590, 1, 12056, 26078, 3352, 43, 77576, 390, 375, 36];
const V2 = [33941, 8786, 2002810, 16110, 3768, 5940, 1940592, 9690, 0, 12556, 26278, 3354, 43, 77600, 394, 377, 40];

test("diskstats: definitions of disk.vda and friends are the fixture's", () => {
  const m = machine();
  try {
    const source = diskstatsSource(m.context);
    m.write("/proc/diskstats", diskstats(V1));
    source.collect(T0 * 1e6);
    m.write("/proc/diskstats", diskstats(V2));
    source.collect((T0 + 1) * 1e6);
    for (
      const id of [
        "system.io",
        "disk.vda",
        "disk_ext.vda",
        "disk_ops.vda",
        "disk_ext_ops.vda",
        "disk_backlog.vda",
        "disk_busy.vda",
        "disk_util.vda",
        "disk_mops.vda",
        "disk_ext_mops.vda",
        "disk_iotime.vda",
        "disk_ext_iotime.vda",
        "disk_await.vda",
        "disk_ext_await.vda",
        "disk_avgsz.vda",
        "disk_ext_avgsz.vda",
        "disk_svctm.vda",
      ]
    ) assertSameAsFixture(m.host.charts, id);
    const ids = [...m.host.charts.keys()];
    // loop* is excluded, partitions get no charts, an idle virtual disk gets none until it moves.
    assert.deepEqual(ids.filter((id) => /loop0|vda1|zram0/.test(id)), []);
    assert.equal(m.host.charts.get("disk_qops.vda")?.priority, 2015, "qops appeared once queued I/O was non-zero");
    source.close();
  } finally {
    m.dispose();
  }
});

test("diskstats: raw values across two iterations, averages from the second one", () => {
  const m = machine();
  try {
    const source = diskstatsSource(m.context);
    m.write("/proc/diskstats", diskstats(V1));
    source.collect(T0 * 1e6);
    assert.deepEqual(m.last("system.io"), { in: 1001205, out: 969796 });
    assert.deepEqual(m.last("disk.vda"), { reads: 2002410, writes: 1939592 });
    assert.deepEqual(m.last("disk_util.vda"), { utilization: 0 });
    assert.equal(m.last("disk_await.vda"), undefined, "averages need a previous reading");

    m.write("/proc/diskstats", diskstats(V2));
    source.collect((T0 + 1) * 1e6);
    assert.deepEqual(m.last("system.io"), { in: 1001405, out: 970296 });
    assert.deepEqual(m.last("disk_ops.vda"), { reads: 33941, writes: 3768 });
    assert.deepEqual(m.last("disk_qops.vda"), { operations: 0 });
    assert.deepEqual(m.last("disk_util.vda"), { utilization: 50 }); // 500 ms busy in 1 s
    assert.deepEqual(m.last("disk_await.vda"), { reads: 5, writes: 10 }); // 50 ms / 10 reads, 100 ms / 10 writes
    assert.deepEqual(m.last("disk_avgsz.vda"), { reads: 40, writes: 100 }); // sectors per operation
    assert.deepEqual(m.last("disk_svctm.vda"), { svctm: 25 }); // 500 ms / 20 operations
    assert.deepEqual(m.last("disk_ext_await.vda"), { discards: 2, flushes: 2 });
    assert.deepEqual(m.last("disk_ext_avgsz.vda"), { discards: 12 });
    source.close();
  } finally {
    m.dispose();
  }
});

test("diskstats: a disk that disappears is obsoleted and comes back when it returns", () => {
  const m = machine();
  try {
    const source = diskstatsSource(m.context);
    m.write("/proc/diskstats", diskstats(V1));
    source.collect(T0 * 1e6);
    m.write("/proc/diskstats", diskstats(V2, false));
    source.collect((T0 + 1) * 1e6);
    assert.ok(m.obsoleted.includes("disk.vda") && m.obsoleted.includes("disk_ops.vda"));
    assert.equal(m.obsoleted.filter((id) => !id.endsWith(".vda")).length, 0, "system.io stays");
    m.write("/proc/diskstats", diskstats(V2));
    source.collect((T0 + 2) * 1e6);
    assert.equal(m.host.charts.get("disk.vda")!.obsolete, false);
    assert.deepEqual(m.last("disk.vda"), { reads: 2002810, writes: 1940592 });
    source.close();
  } finally {
    m.dispose();
  }
});

test("diskstats: a missing or reshaped file obsoletes the charts and throws naming the file", () => {
  const m = machine();
  try {
    const source = diskstatsSource(m.context);
    m.write("/proc/diskstats", diskstats(V1));
    source.collect(T0 * 1e6);
    m.write("/proc/diskstats", "254 0 vda 1 2 3\n");
    assert.throws(() => source.collect((T0 + 1) * 1e6), /unexpected contents of .*\/proc\/diskstats/);
    assert.ok(m.obsoleted.includes("system.io") && m.obsoleted.includes("disk.vda"));
    // An open descriptor outlives an unlink, so a missing file is shown with a source that never saw it.
    const fresh = diskstatsSource({ ...m.context, root: `${m.root}/nowhere` });
    assert.throws(() => fresh.collect((T0 + 2) * 1e6), /ENOENT.*\/proc\/diskstats/);
    m.write("/proc/diskstats", diskstats(V2));
    source.collect((T0 + 3) * 1e6);
    assert.equal(m.host.charts.get("system.io")!.obsolete, false);
    assert.equal(m.host.charts.get("disk.vda")!.obsolete, false);
    source.close();
  } finally {
    m.dispose();
  }
});
