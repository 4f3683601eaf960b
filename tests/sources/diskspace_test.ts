import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DISKSPACE_DEFAULTS, type DiskspaceSettings, readDiskspaceConf } from "../../src/config/diskspace_conf.ts";
import { parseConfig } from "../../src/config/reader.ts";
import { netdataChartId } from "../../src/sources/mountinfo.ts";
import { diskspaceSource, type StatFs, type StatFsNumbers } from "../../src/sources/diskspace.ts";
import { until } from "../_until.ts";
import { type FakeMachine, fakeMachine } from "./_fake_root.ts";
import { assertLikeFixture } from "./proc/_fixture_charts.ts";

const T0 = 1_795_423_040;
const us = (s: number) => s * 1e6;

/** statfs numbers from what the charts show: blocks of 4 KiB, no reserved inodes. */
function fs(avail: number, used: number, reserved: number, inodesAvail: number, inodesUsed: number): StatFsNumbers {
  return {
    bsize: 4096,
    frsize: 4096,
    blocks: avail + used + reserved,
    bfree: avail + reserved,
    bavail: avail,
    files: inodesAvail + inodesUsed,
    ffree: inodesAvail,
  };
}

// The fixture's first values of /dev, /dev/shm and /.
const DEV = fs(3083639, 0, 0, 3083525, 114);
const SHM = fs(6171022, 3, 0, 3085509, 3);
const ROOT = fs(20069705, 6528023, 39455293, 16371375, 405841);
const ZERO = fs(0, 0, 0, 0, 0);

/** A statfs whose answers a test sets per path; it records every call and can hold a path's answer. */
class FakeStatFs {
  readonly values = new Map<string, StatFsNumbers>();
  readonly calls: string[] = [];
  readonly held = new Map<string, () => void>();
  readonly hang = new Set<string>();
  readonly statfs: StatFs = (path) => {
    this.calls.push(path);
    if (this.hang.has(path)) return new Promise((resolve) => this.held.set(path, () => resolve(this.answer(path))));
    return Promise.resolve().then(() => this.answer(path));
  };
  answer(path: string): StatFsNumbers {
    const v = this.values.get(path);
    if (v === undefined) throw new Error(`ENOENT: no such file or directory, statfs '${path}'`);
    return v;
  }
  count(path: string): number {
    return this.calls.filter((p) => p === path).length;
  }
}

/** A directory under the fake root, to be a mount point (1.37 charts only directories). */
function dir(m: FakeMachine, path: string): string {
  mkdirSync(join(m.root, path), { recursive: true });
  return join(m.root, path);
}

function mountinfo(m: FakeMachine, lines: readonly string[]): void {
  m.write("/proc/self/mountinfo", lines.map((l, i) => `${30 + i} 1 ${l}`).join("\n") + "\n");
}

const FIXTURE_MOUNTS = [
  "0:6 / /dev rw,nosuid,relatime - devtmpfs devtmpfs rw,size=12335032k",
  "0:22 / /dev/shm rw,nosuid,nodev - tmpfs tmpfs rw,size=24683756k",
  "254:0 / / rw,relatime - ext4 /dev/vda rw,discard",
];

function settings(conf = ""): DiskspaceSettings {
  const s = readDiskspaceConf(parseConfig(conf, "netdata.conf"));
  assert.deepEqual(s.diagnostics, []);
  return s;
}

test("diskspace: /dev, /dev/shm and / are charted as the fixture's, with its values", async () => {
  const m = fakeMachine();
  const f = new FakeStatFs();
  f.values.set("/dev", DEV).set("/dev/shm", SHM).set("/", ROOT);
  try {
    mountinfo(m, FIXTURE_MOUNTS);
    const source = diskspaceSource(m.context, DISKSPACE_DEFAULTS, f.statfs);
    source.collect(us(T0));
    await until("six charts", () => m.collected.length === 6);
    for (const id of ["_dev", "_dev_shm", "_"]) {
      assertLikeFixture(m.host, `disk_space.${id}`);
      assertLikeFixture(m.host, `disk_inodes.${id}`);
    }
    assert.equal(m.host.charts.get("disk_space._")?.lastCollectedUs, us(T0), "set for the iteration's time");
    // The fixture's values: avail = bavail, used = blocks - bfree, reserved = bfree - bavail; inodes likewise.
    assert.deepEqual(m.last("disk_space._"), { avail: 20069705, used: 6528023, reserved_for_root: 39455293 });
    assert.deepEqual(m.last("disk_inodes._"), { avail: 16371375, used: 405841, reserved_for_root: 0 });
    assert.deepEqual(m.last("disk_space._dev_shm"), { avail: 6171022, used: 3, reserved_for_root: 0 });
    assert.deepEqual(m.last("disk_inodes._dev"), { avail: 3083525, used: 114, reserved_for_root: 0 });
    source.close();
  } finally {
    m.dispose();
  }
});

test("diskspace: what 1.37 skips gets no statfs and no chart", async () => {
  const m = fakeMachine();
  const f = new FakeStatFs();
  const data = dir(m, "/mnt/data"), ro = dir(m, "/mnt/ro"), zero = dir(m, "/mnt/zero"), fuse = dir(m, "/mnt/fuse");
  const file = join(m.root, "hosts");
  writeFileSync(file, "127.0.0.1 localhost\n");
  for (const p of [data, ro, zero, fuse, file, "/usr", "/sys/fs/cgroup", "/proc", "/"]) f.values.set(p, ROOT);
  f.values.set(zero, ZERO);
  try {
    mountinfo(m, [
      "254:0 / / rw,relatime - ext4 /dev/vda rw",
      "0:20 / /proc rw,nosuid - proc proc rw", // a dummy filesystem
      "0:27 / /sys/fs/cgroup rw - tmpfs tmpfs rw", // an excluded path
      `0:40 / ${fuse} rw - fuse.sshfs me@far:/ rw`, // an excluded filesystem
      `0:41 / ${ro} ro,relatime - ext4 /dev/vdc rw`, // read-only under auto
      "254:3 /usr /usr ro - ext4 /dev/vdd rw", // systemd's ProtectSystem remount
      `254:4 /hosts ${file} rw - ext4 /dev/vda rw`, // not a directory
      `0:42 / ${zero} rw - tmpfs zero rw`, // all zero under auto: statfs'd, not charted
      `254:1 / ${data} rw - xfs /dev/vdb rw`,
      `254:2 / ${data} rw - ext4 /dev/vde rw`, // the same mount point again: the first line counts
    ]);
    const source = diskspaceSource(m.context, DISKSPACE_DEFAULTS, f.statfs);
    source.collect(us(T0));
    await until("/ and data charted, zero asked", () => m.collected.length === 4 && f.count(zero) === 1);
    const dataId = netdataChartId(data);
    assert.deepEqual(
      [...m.host.charts.keys()].sort(),
      ["disk_inodes._", `disk_inodes.${dataId}`, "disk_space._", `disk_space.${dataId}`].sort(),
    );
    assert.equal(m.host.charts.get(`disk_space.${dataId}`)?.labels.get("filesystem")?.value, "xfs");
    assert.deepEqual([...new Set(f.calls)].sort(), ["/", data, zero].sort());
    assert.ok(m.logs.some((l) => l.includes(`'${file}'`) && l.includes("is not a directory")), m.logs.join("\n"));
    source.close();
  } finally {
    m.dispose();
  }
});

test("diskspace: under auto a chart appears once its numbers are non-zero; yes, zero metrics and own sections", async () => {
  const m = fakeMachine();
  const f = new FakeStatFs();
  const zero = dir(m, "/mnt/zero"), sshfs = dir(m, "/mnt/sshfs");
  f.values.set(zero, ZERO).set(sshfs, fs(0, 100, 0, 0, 10));
  const zeroId = netdataChartId(zero), sshfsId = netdataChartId(sshfs);
  try {
    mountinfo(m, [`0:42 / ${zero} rw - tmpfs zero rw`, `0:40 / ${sshfs} rw - fuse.sshfs me@far:/ rw`]);
    const byDefault = diskspaceSource(m.context, DISKSPACE_DEFAULTS, f.statfs);
    byDefault.collect(us(T0));
    await until("one statfs of zero", () => f.count(zero) === 1);
    assert.equal(m.host.charts.size, 0, "all zero: no chart yet; *sshfs is excluded");
    f.values.set(zero, fs(10, 0, 0, 0, 0));
    byDefault.collect(us(T0 + 1));
    await until("the space chart", () => m.last(`disk_space.${zeroId}`));
    assert.equal(m.host.charts.has(`disk_inodes.${zeroId}`), false, "inodes still all zero");
    // Once made, a chart stays even when its numbers fall back to zero (1.37 turns auto into yes).
    f.values.set(zero, ZERO);
    byDefault.collect(us(T0 + 2));
    await until("a zero value", () => m.last(`disk_space.${zeroId}`)?.avail === 0);
    byDefault.close();

    for (
      const conf of [
        "[plugin:proc:diskspace]\nspace usage for all disks = yes\ninodes usage for all disks = yes\n",
        "[db]\nenable zero metrics = yes\n",
      ]
    ) {
      const m2 = fakeMachine();
      try {
        mountinfo(m2, [`0:42 / ${zero} rw - tmpfs zero rw`]);
        const source = diskspaceSource(m2.context, settings(conf), f.statfs);
        source.collect(us(T0));
        await until(`both charts with ${conf}`, () => m2.collected.length === 2);
        source.close();
      } finally {
        m2.dispose();
      }
    }

    const m3 = fakeMachine();
    try {
      mountinfo(m3, [`0:40 / ${sshfs} rw - fuse.sshfs me@far:/ rw`]);
      const own = settings(`[plugin:proc:diskspace:${sshfs}]\nspace usage = yes\n`);
      const source = diskspaceSource(m3.context, own, f.statfs);
      source.collect(us(T0));
      await until("the excluded filesystem's own section wins", () => m3.last(`disk_space.${sshfsId}`));
      assert.equal(m3.host.charts.has(`disk_inodes.${sshfsId}`), false);
      source.close();
    } finally {
      m3.dispose();
    }
  } finally {
    m.dispose();
  }
});

test("diskspace: an unmounted disk's charts are obsoleted at the next mountinfo read, and come back", async () => {
  for (const remove of [true, false]) {
    const m = fakeMachine();
    const f = new FakeStatFs();
    f.values.set("/", ROOT).set("/dev", DEV);
    try {
      mountinfo(m, FIXTURE_MOUNTS.filter((l) => !l.includes("shm")));
      const conf = `[plugin:proc:diskspace]\nremove charts of unmounted disks = ${remove ? "yes" : "no"}\n`;
      const source = diskspaceSource(m.context, settings(conf), f.statfs);
      source.collect(us(T0));
      await until("four charts", () => m.collected.length === 4);
      mountinfo(m, FIXTURE_MOUNTS.filter((l) => l.includes(" / / ")));
      source.collect(us(T0 + 1));
      await until("second round", () => m.collected.length === 8);
      assert.deepEqual(m.obsoleted, [], "mountinfo is read again only every 15 s");
      source.collect(us(T0 + 15));
      await until("third round", () => m.collected.length === 10);
      assert.deepEqual(m.obsoleted.sort(), remove ? ["disk_inodes._dev", "disk_space._dev"] : []);
      if (remove) {
        mountinfo(m, FIXTURE_MOUNTS.filter((l) => !l.includes("shm")));
        source.collect(us(T0 + 30));
        await until("/dev again", () => m.host.charts.get("disk_space._dev")?.obsolete === false);
      }
      source.close();
    } finally {
      m.dispose();
    }
  }
});

test("diskspace: a statfs that never answers stops neither the others nor piles up calls", async () => {
  const m = fakeMachine();
  const f = new FakeStatFs();
  const nfs = dir(m, "/mnt/nfs");
  const nfsId = netdataChartId(nfs);
  f.values.set("/", ROOT).set(nfs, fs(5, 5, 0, 5, 5));
  f.hang.add(nfs);
  try {
    mountinfo(m, ["254:0 / / rw - ext4 /dev/vda rw", `0:50 / ${nfs} rw - nfs4 srv:/export rw`]);
    const source = diskspaceSource(m.context, DISKSPACE_DEFAULTS, f.statfs);
    for (let i = 0; i < 3; i++) {
      source.collect(us(T0 + i));
      await until(`round ${i} of /`, () => m.host.charts.get("disk_space._")?.lastCollectedUs === us(T0 + i));
    }
    assert.equal(f.count(nfs), 1, "one call in flight");
    assert.equal(m.logs.filter((l) => l.includes(`'${nfs}'`) && l.includes("is slow")).length, 1, m.logs.join("\n"));
    assert.equal(m.host.charts.has(`disk_space.${nfsId}`), false);

    f.held.get(nfs)!();
    await until("the late answer", () => m.host.charts.get(`disk_space.${nfsId}`));
    assert.equal(m.host.charts.get(`disk_space.${nfsId}`)?.lastCollectedUs, us(T0), "set for the time it was asked");
    assert.equal(m.logs.filter((l) => l.includes(`'${nfs}'`) && l.includes("answers again")).length, 1);
    f.hang.clear();
    source.collect(us(T0 + 3));
    await until("asked again", () => m.host.charts.get(`disk_space.${nfsId}`)?.lastCollectedUs === us(T0 + 3));
    assert.equal(f.count(nfs), 2);
    source.close();
  } finally {
    m.dispose();
  }
});

test("diskspace: a failing statfs is logged once and skipped", async () => {
  const m = fakeMachine();
  const f = new FakeStatFs();
  const gone = dir(m, "/mnt/gone");
  try {
    mountinfo(m, [`0:60 / ${gone} rw - ext4 /dev/vdf rw`]);
    const source = diskspaceSource(m.context, DISKSPACE_DEFAULTS, f.statfs);
    for (let i = 0; i < 3; i++) {
      source.collect(us(T0 + i));
      await until(`call ${i}`, () => f.count(gone) === i + 1);
    }
    await until("the last failure handled", () => m.logs.length > 0);
    assert.equal(m.logs.filter((l) => l.includes("failed to statvfs()")).length, 1, m.logs.join("\n"));
    assert.equal(m.host.charts.size, 0);
    source.close();
  } finally {
    m.dispose();
  }
});

test("diskspace: on this machine, / gets a disk_space._ chart from the real statfs", async () => {
  const m = fakeMachine();
  try {
    const source = diskspaceSource({ ...m.context, root: "/" }, DISKSPACE_DEFAULTS);
    source.collect(Date.now() * 1000);
    const values = await until("disk_space._", () => m.last("disk_space._"));
    const total = Number(values.avail) + Number(values.used) + Number(values.reserved_for_root);
    assert.ok(total > 0, JSON.stringify(values));
    assert.equal(m.host.charts.get("disk_space._")?.labels.get("mount_point")?.value, "/");
    source.close();
  } finally {
    m.dispose();
  }
});
