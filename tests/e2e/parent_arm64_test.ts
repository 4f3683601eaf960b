// The arm64 build of rill-parent, run under qemu-aarch64-static: the compiled x64 collector streams into it,
// and its API shows the collector mirrored with data.
import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { ACCEPTING_STREAM_CONF, TEST_API_KEY } from "../interop/_netdata.ts";
import { until } from "../_until.ts";
import { startCollector, X64_SKIP } from "./_collector.ts";
import { PARENT_ARM64_SKIP, startParent } from "./_parent.ts";

test("arm64 rill-parent under qemu receives a collector and serves its data", {
  skip: PARENT_ARM64_SKIP ?? X64_SKIP ?? false,
  timeout: 150_000,
}, async () => {
  const parent = await startParent({ streamConf: ACCEPTING_STREAM_CONF, arm64: true });
  const collector = startCollector({
    streamConf:
      `[stream]\n    enabled = yes\n    destination = tcp:127.0.0.1:${parent.port}\n    api key = ${TEST_API_KEY}\n`,
    hostname: `rill-arm64-${process.pid}`,
  });
  try {
    const rows = await until("system.cpu of the collector on the arm64 parent", async () => {
      try {
        const reply = await parent.json(
          `/host/${collector.hostname}/api/v1/data?chart=system.cpu&after=-5&format=json`,
        ) as { data: (number | null)[][] };
        return reply.data.some((r) => r[1] !== null) ? reply.data : undefined;
      } catch {
        return undefined;
      }
    }, 90_000);
    assert.ok(rows.length > 0);
    const info = await parent.json("/api/v1/info") as { mirrored_hosts: string[] };
    assert.ok(info.mirrored_hosts.includes(collector.hostname), JSON.stringify(info.mirrored_hosts));
    assert.equal(await parent.stop(), 0);
  } finally {
    await collector.stop();
    await parent.stop();
  }
});
