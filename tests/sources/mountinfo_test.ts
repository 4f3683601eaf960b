import { test } from "node:test";
import assert from "node:assert/strict";
import { netdataChartId, parseMountinfo } from "../../src/sources/mountinfo.ts";

test("mountinfo: chart ids as 1.37 makes them", () => {
  assert.equal(netdataChartId("/"), "_");
  assert.equal(netdataChartId("/dev/shm"), "_dev_shm");
  assert.equal(netdataChartId("/mnt/My Disk,2.v-1"), "_mnt_my_disk.2.v-1");
  assert.equal(netdataChartId("/a_b:c"), "_a_b_c");
});

test("mountinfo: escapes decoded, first line of a mount point kept, flags as 1.37 sets them", () => {
  const mounts = parseMountinfo(
    [
      "26 1 254:0 / / rw,relatime - ext4 /dev/vda rw",
      "36 26 0:40 / /mnt/My\\040Disk rw shared:5 master:1 - vfat /dev/sdb1 rw",
      "37 26 0:41 / /mnt/odd\\x rw - ext4 /dev/sdc rw",
      "27 26 0:24 / /mnt/ro rw,nosuid - tmpfs t ro,size=4k",
      "28 26 254:3 /usr /usr ro - ext4 /dev/vdd rw",
      "29 26 0:26 / /dev/shm rw - tmpfs tmpfs rw",
      "30 26 0:27 / /dev/shm rw - tmpfs other rw",
      "31 26 0:28 / /dev/mqueue rw - mqueue mqueue rw",
      "32 26 badmajor / /bad rw - ext4 /dev/x rw",
      "short line",
      "",
    ].join("\n"),
  );
  assert.deepEqual(mounts.map((m) => m.mountPoint), [
    "/",
    "/mnt/My Disk",
    "/mnt/odd_x",
    "/mnt/ro",
    "/usr",
    "/dev/shm",
    "/dev/mqueue",
  ]);
  const by = new Map(mounts.map((m) => [m.mountPoint, m]));
  assert.equal(by.get("/mnt/My Disk")?.filesystem, "vfat", "optional fields skipped up to '-'");
  assert.equal(by.get("/mnt/My Disk")?.chartId, "_mnt_my_disk");
  assert.equal(by.get("/mnt/ro")?.readOnly, true, "read-only superblock");
  assert.equal(by.get("/usr")?.readOnly, true);
  assert.equal(by.get("/usr")?.systemdProtected, true);
  assert.equal(by.get("/usr")?.root, "/usr");
  assert.equal(by.get("/")?.readOnly, false);
  assert.equal(by.get("/dev/shm")?.filesystem, "tmpfs");
  assert.equal(by.get("/dev/mqueue")?.dummy, true);
  assert.equal(by.get("/")?.dummy, false);
});
