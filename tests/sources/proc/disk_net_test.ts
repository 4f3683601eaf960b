import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { diskNetworkSources } from "../../../src/sources/proc/disk_net.ts";
import { fakeMachine } from "../_fake_root.ts";

test("disk and network sources run on this machine's real /proc for two iterations", {
  skip: existsSync("/proc/net/dev") ? false : "no Linux /proc here",
}, async () => {
  const m = fakeMachine();
  try {
    const sources = diskNetworkSources({ ...m.context, root: "/" });
    assert.deepEqual(sources.map((s) => s.name), [
      "/proc/diskstats",
      "/proc/net/dev",
      "/proc/net/netstat",
      "/proc/net/sockstat",
    ]);
    for (let i = 0; i < 2; i++) {
      for (const s of sources) s.collect(Date.now() * 1000);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (const s of sources) s.close();
    assert.ok(m.host.charts.has("system.net"), "system.net");
    assert.ok(m.host.charts.has("system.io"), "system.io");
    assert.ok(m.host.charts.has("system.ip"), "system.ip");
  } finally {
    m.dispose();
  }
});
