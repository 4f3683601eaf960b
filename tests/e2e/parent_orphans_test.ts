// The compiled parent forgets disconnected children (hardening: memory stays bounded whatever one peer sends,
// also a peer that comes back under ever new machine GUIDs):
// - after `[db] cleanup orphan hosts after secs` (1.37's option), deleting the child's saved files as 1.37 does
//   by default (`delete orphan hosts files = yes`);
// - early, once a new child would leave more than `[db] max orphan hosts` (rill's) disconnected ones, saving
//   the one disconnected longest.
// Before this, every GUID ever seen stayed in memory: 10,000 fuzzed sessions took the parent to 4.2 GB.
// The parent is the compiled one under Bun and `src/cli/parent.ts` on Deno under Deno.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simLoad, SimulatedChild } from "../_sim_child.ts";
import { until } from "../_until.ts";
import { ACCEPTING_STREAM_CONF } from "../interop/_netdata.ts";
import { PARENT_ON_TEST_RUNTIME } from "./_hardening.ts";
import { PARENT_SKIP, type RunningParent, startParent } from "./_parent.ts";

const skip = PARENT_SKIP ?? false;
const fromSource = PARENT_ON_TEST_RUNTIME;
const load = simLoad({ count: 5 });
const SAVING_STREAM_CONF = ACCEPTING_STREAM_CONF.replace("default memory mode = ram", "default memory mode = save");

/**
 * Streams a few iterations as `hostname` (with `guid`), until the parent stored a point of them, then leaves
 * and waits until the parent has seen it go.
 */
async function visit(parent: RunningParent, hostname: string, guid?: string): Promise<string> {
  const child = new SimulatedChild({ hostname, guid, load });
  await child.start(parent.port);
  assert.ok(child.streaming, `${hostname} did not get to stream: ${child.failure}`);
  const pumping = child.pump(0);
  await until(`a point of ${hostname}`, async () => {
    const info = await parent.json(`/host/${child.guid}/api/v1/info`).catch(() => undefined);
    return info !== undefined && (await lastPointS(parent, child.guid)) > 0;
  }, 20_000);
  child.stop(true);
  await pumping;
  await until(`${hostname} seen gone`, async () => {
    const info = await parent.json("/api/v1/info") as { mirrored_hosts_status: { guid: string; reachable: boolean }[] };
    return info.mirrored_hosts_status.find((s) => s.guid === child.guid)?.reachable !== true;
  }, 20_000);
  return child.guid;
}

async function lastPointS(parent: RunningParent, guid: string): Promise<number> {
  const charts = await parent.json(`/host/${guid}/api/v1/charts`) as { charts: Record<string, { last_entry: number }> };
  return Math.max(0, ...Object.values(charts.charts).map((c) => c.last_entry));
}

async function mirrored(parent: RunningParent): Promise<string[]> {
  return ((await parent.json("/api/v1/info")) as { mirrored_hosts: string[] }).mirrored_hosts;
}

test("a child disconnected longer than 'cleanup orphan hosts after secs' is forgotten, its saved files deleted", {
  skip,
  timeout: 90_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "rill-orphans-"));
  try {
    // A first run saves the child's charts on SIGTERM.
    let parent = await startParent({ streamConf: SAVING_STREAM_CONF, mode: "save", dir, fromSource });
    const guid = await visit(parent, "orphan-child");
    assert.equal(await parent.stop({ keepDir: true }), 0);
    assert.ok(existsSync(join(dir, "cache", guid)), "saved on exit");
    // The next run forgets it 2 s after it leaves again, and deletes its folder.
    parent = await startParent({
      streamConf: SAVING_STREAM_CONF,
      mode: "save",
      dir,
      fromSource,
      netdataConf: "[db]\n    cleanup orphan hosts after secs = 2\n",
    });
    try {
      await visit(parent, "orphan-child", guid);
      await until("the orphan forgotten", async () => !(await mirrored(parent)).includes("orphan-child"), 20_000);
      await until("its folder deleted", () => !existsSync(join(dir, "cache", guid)), 5_000);
      assert.match(
        parent.output(),
        new RegExp(`forgetting host 'orphan-child' \\(machine GUID ${guid}\\): disconnected for \\d+ s, more than 2 s`),
      );
      assert.ok(existsSync(join(dir, "cache")), "the cache folder itself stays");
    } finally {
      await parent.stop({ keepDir: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("children under ever new GUIDs leave at most 'max orphan hosts' disconnected ones, the rest saved", {
  skip,
  timeout: 120_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "rill-orphans-"));
  const parent = await startParent({
    streamConf: SAVING_STREAM_CONF,
    mode: "save",
    dir,
    fromSource,
    netdataConf: "[db]\n    max orphan hosts = 3\n",
  });
  try {
    const guids: string[] = [];
    for (let i = 0; i < 12; i++) {
      guids.push(await visit(parent, `newcomer-${i}`));
      // This one and the three orphans before it: never more.
      assert.ok((await mirrored(parent)).length <= 1 + 4, `after newcomer-${i}: ${await mirrored(parent)}`);
    }
    const hosts = await mirrored(parent);
    assert.deepEqual(hosts.slice(1).sort(), ["newcomer-10", "newcomer-11", "newcomer-8", "newcomer-9"]);
    // The ones forgotten early had their data saved: a child that comes back finds it.
    for (const guid of guids.slice(0, 8)) assert.ok(existsSync(join(dir, "cache", guid)), `${guid} saved`);
    const back = await visit(parent, "newcomer-0", guids[0]);
    assert.equal(back, guids[0]);
    assert.match(
      parent.output(),
      /forgetting host 'newcomer-0' .*: more than 3 disconnected hosts \(\[db\] max orphan hosts\); saving its data/,
    );
  } finally {
    await parent.stop();
  }
});
