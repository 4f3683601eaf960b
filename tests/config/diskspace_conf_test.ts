import { test } from "node:test";
import assert from "node:assert/strict";
import { DISKSPACE_DEFAULTS, readDiskspaceConf } from "../../src/config/diskspace_conf.ts";
import { parseConfig } from "../../src/config/reader.ts";

const read = (text: string) => readDiskspaceConf(parseConfig(text, "netdata.conf"));

test("diskspace options: 1.37's defaults when netdata.conf says nothing", () => {
  const s = read("[global]\nhostname = x\n");
  assert.deepEqual(s.diagnostics, []);
  assert.equal(s.removeChartsOfUnmountedDisks, true);
  assert.equal(s.updateEvery, undefined);
  assert.equal(s.checkForNewMountPointsEvery, 15);
  assert.equal(s.spaceUsageForAllDisks, "auto");
  assert.equal(s.inodesUsageForAllDisks, "auto");
  assert.equal(s.zeroMetrics, false);
  assert.equal(s.mountPoints.size, 0);
  for (
    const p of ["/proc/sys/fs/binfmt_misc", "/sys/kernel/debug", "/run/user/1000", "/snap/core/1", "/var/lib/docker/x"]
  ) {
    assert.ok(s.excludedPaths.matches(p), p);
  }
  assert.equal(s.excludedPaths.matches("/proc"), false, "exact words: /proc/* does not match /proc itself");
  for (const f of ["fuse.sshfs", "glusterfs", "fusectl", "autofs", "gvfs"]) {
    assert.ok(s.excludedFilesystems.matches(f), f);
  }
  assert.equal(s.excludedFilesystems.matches("ext4"), false);
  assert.equal(DISKSPACE_DEFAULTS.excludedFilesystems.source, s.excludedFilesystems.source);
});

test("diskspace options: every key of [plugin:proc:diskspace] and the per mount point sections", () => {
  const s = read(
    "[plugin:proc:diskspace]\n" +
      "remove charts of unmounted disks = no\n" +
      "update every = 10\n" +
      "check for new mount points every = 60\n" +
      "exclude space metrics on paths = /mnt/scratch/* !/mnt/* /media*\n" +
      "exclude space metrics on filesystems = nfs*\n" +
      "space usage for all disks = yes\n" +
      "inodes usage for all disks = on demand\n" +
      "[plugin:proc:diskspace:/boot]\n" +
      "space usage = no\n" +
      "inodes usage = auto\n" +
      "[plugin:proc:diskspace:/mnt/My Disk]\n" +
      "inodes usage = yes\n" +
      "[db]\nenable zero metrics = yes\n",
  );
  assert.deepEqual(s.diagnostics, []);
  assert.equal(s.removeChartsOfUnmountedDisks, false);
  assert.equal(s.updateEvery, 10);
  assert.equal(s.checkForNewMountPointsEvery, 60);
  assert.equal(s.excludedPaths.matches("/mnt/scratch/a"), true);
  assert.equal(s.excludedPaths.matches("/mnt/data"), false, "a ! entry refuses");
  assert.equal(s.excludedPaths.matches("/media/usb"), true);
  assert.equal(s.excludedPaths.matches("/proc/x"), false, "the default is replaced, not extended");
  assert.equal(s.excludedFilesystems.matches("nfs4"), true);
  assert.equal(s.spaceUsageForAllDisks, true);
  assert.equal(s.inodesUsageForAllDisks, "auto");
  assert.deepEqual([...s.mountPoints], [["/boot", { spaceUsage: false, inodesUsage: "auto" }], ["/mnt/My Disk", {
    inodesUsage: true,
  }]]);
  assert.equal(s.zeroMetrics, true);
  assert.equal(read("[global]\nenable zero metrics = yes\n").zeroMetrics, true, "its old place");
  assert.equal(read("[db]\nenable zero metrics = auto\n").zeroMetrics, false, "only yes charts all-zero disks");
});

test("diskspace options: bad values are errors with file and line and keep the default; unknown keys warn", () => {
  const s = read(
    "[plugin:proc:diskspace]\n" +
      "update every = often\n" +
      "check for new mount points every = -5\n" +
      "space usage for all disks = maybe\n" +
      "remove charts of unmounted disks = auto\n" +
      "Update Every = 3\n" +
      "[plugin:proc:diskspace:/data]\n" +
      "space usage = sometimes\n" +
      "inode usage = yes\n",
  );
  assert.deepEqual(
    s.diagnostics.map((d) => [d.file, d.line, d.severity]),
    [
      ["netdata.conf", 2, "error"],
      ["netdata.conf", 3, "error"],
      ["netdata.conf", 4, "error"],
      ["netdata.conf", 5, "error"],
      ["netdata.conf", 6, "warning"],
      ["netdata.conf", 8, "error"],
      ["netdata.conf", 9, "warning"],
    ],
  );
  const messages = s.diagnostics.map((d) => d.message);
  assert.match(
    messages[0],
    /update every = often: expected a whole number of at least 1, found 'often'; keeping the default \(unset\)/,
  );
  assert.match(messages[1], /expected a whole number of at least 0, found '-5'/);
  assert.match(messages[2], /expected yes, no or auto, found 'maybe'; keeping the default \(auto\)/);
  assert.match(messages[3], /expected yes or no \('auto' is not allowed here\), found 'auto'/);
  assert.match(messages[4], /unknown key 'Update Every' \(did you mean 'update every'\? keys are case-sensitive\)/);
  assert.match(messages[5], /\[plugin:proc:diskspace:\/data\] space usage = sometimes: expected yes, no or auto/);
  assert.match(messages[6], /unknown key 'inode usage'/);
  assert.equal(s.updateEvery, undefined);
  assert.equal(s.checkForNewMountPointsEvery, 15);
  assert.equal(s.spaceUsageForAllDisks, "auto");
  assert.equal(s.removeChartsOfUnmountedDisks, true);
  assert.deepEqual(s.mountPoints.get("/data"), {});
});

test("diskspace options: the old place of the path exclusions matches its plain words as prefixes", () => {
  const old = read("[plugin:proc:/proc/diskstats]\nexclude space metrics on paths = /mnt /srv/*/cache\n");
  assert.deepEqual(old.diagnostics.map((d) => [d.line, d.severity]), [[2, "warning"]]);
  assert.match(old.diagnostics[0].message, /old place of \[plugin:proc:diskspace\] exclude space metrics on paths/);
  assert.equal(old.excludedPaths.matches("/mnt/usb"), true);
  assert.equal(old.excludedPaths.matches("/srv/a/cache"), true);
  assert.equal(old.excludedPaths.matches("/proc/x"), false);
  // When the new key is set too, it wins and matches exactly, as 1.37's config_move leaves it.
  const both = read(
    "[plugin:proc:/proc/diskstats]\nexclude space metrics on paths = /mnt\n" +
      "[plugin:proc:diskspace]\nexclude space metrics on paths = /mnt\n",
  );
  assert.equal(both.excludedPaths.matches("/mnt/usb"), false);
  assert.equal(both.excludedPaths.matches("/mnt"), true);
});
