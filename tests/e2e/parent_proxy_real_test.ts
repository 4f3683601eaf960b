// Real Netdata 1.37 on every side of a proxy: a real child streams through the compiled rill-parent acting
// as a proxy to a real parent, and a rill collector streams through a real 1.37 proxy to rill-parent. The top
// of each chain lists the child with hops 2 and stores what the proxy stored for it, slot for slot.
import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { NETDATA_SKIP_REASON, type RealNetdata, startNetdataChild, startNetdataParent } from "../interop/_netdata.ts";
import { until } from "../_until.ts";
import { startCollector, X64_SKIP } from "./_collector.ts";
import { PARENT_SKIP, type RunningParent, startParent } from "./_parent.ts";
import {
  accepting,
  afterLeaving,
  type DataReply,
  fullRows,
  type MirroredHost,
  mirroredHosts,
  rawWindow,
  sendingTo,
} from "./_proxy.ts";

type Node = RealNetdata | RunningParent;

const SKIP = NETDATA_SKIP_REASON ?? PARENT_SKIP ?? X64_SKIP ?? false;

/** `hostname → hops` of the reachable hosts a node lists. */
async function hopsAt(node: Node): Promise<Record<string, number>> {
  const hops: Record<string, number> = {};
  for (const h of await mirroredHosts(node)) if (h.reachable) hops[h.hostname] = h.hops;
  return hops;
}

/** How `hosts` list `hostname`: reachable or not, and its hops. */
function entry(hosts: MirroredHost[], hostname: string): { reachable: boolean; hops: number } | undefined {
  const host = hosts.find((h) => h.hostname === hostname);
  return host === undefined ? undefined : { reachable: host.reachable, hops: host.hops };
}

/**
 * Four complete slots of `chart` of `host` that both nodes stored, read from both: the window ends a slot
 * before the newest one the top has.
 */
async function sameWindow(top: Node, proxy: Node, host: string, chart: string): Promise<[DataReply, DataReply]> {
  const window = await until(`six slots of ${host}'s ${chart} at the top`, async () => {
    const now = Math.floor(Date.now() / 1000);
    const slots = fullRows(await rawWindow(top, host, chart, now - 60, now));
    return slots.length >= 6 ? { after: slots[4], before: slots[1] } : undefined;
  }, 90_000);
  return [
    await rawWindow(top, host, chart, window.after, window.before),
    await rawWindow(proxy, host, chart, window.after, window.before),
  ];
}

test(
  "real 1.37 child → rill proxy → real 1.37 parent: the parent shows the child with hops 2 and the proxy's data",
  { skip: SKIP, timeout: 240_000 },
  async () => {
    const parent = await startNetdataParent(accepting("ram"));
    const proxy = await startParent({
      hostname: `rill-proxy-${process.pid}`,
      streamConf: sendingTo(parent.port) + accepting("ram"),
    });
    const childName = `nd-child-via-rill-${process.pid}`;
    const child = startNetdataChild({ port: proxy.port, hostname: childName });
    try {
      const hops = await until("the child and the proxy reachable at the real parent", async () => {
        const seen = await hopsAt(parent);
        return seen[childName] !== undefined && seen[`rill-proxy-${process.pid}`] !== undefined ? seen : undefined;
      }, 90_000).catch((e) => {
        throw new Error(`${e.message}\nproxy: ${proxy.output().slice(-3000)}\nparent: ${parent.output().slice(-3000)}`);
      });
      assert.equal(hops[childName], 2);
      assert.equal(hops[`rill-proxy-${process.pid}`], 1);

      const [top, middle] = await sameWindow(parent, proxy, childName, "system.cpu");
      // Four full slots and whatever lies between them: an empty slot there (a child that stalled ≥ 2 s on a
      // busy machine) must then be empty at the proxy too, which the comparison below checks.
      assert.ok(top.data.length >= 4, JSON.stringify(top));
      assert.ok(top.data.some((row) => row.slice(1).some((v) => v !== 0)), `all zero: ${JSON.stringify(top)}`);
      assert.deepEqual(top, middle);

      // The child leaves the proxy: the real parent still lists it, unreachable; the proxy stays reachable.
      await child.stop();
      const listed = await afterLeaving(parent, childName);
      // As 1.37 shows it (and rill-parent in the next test): still listed, unreachable, with the hops it had.
      assert.deepEqual(entry(listed, childName), { reachable: false, hops: 2 });
      assert.equal(listed.find((h) => h.hostname === `rill-proxy-${process.pid}`)?.reachable, true);
    } finally {
      await child.stop();
      await proxy.stop();
      await parent.stop();
    }
  },
);

test(
  "rill collector → real 1.37 proxy → rill parent: rill-parent shows the collector with hops 2 and the proxy's data",
  { skip: SKIP, timeout: 240_000 },
  async () => {
    const top = await startParent({ hostname: `rill-top-${process.pid}`, streamConf: accepting("ram") });
    const proxy = await startNetdataParent(sendingTo(top.port) + accepting("ram"));
    const collector = startCollector({ hostname: `rill-via-nd-${process.pid}`, streamConf: sendingTo(proxy.port) });
    try {
      const hops = await until("the collector and the real proxy reachable at rill-parent", async () => {
        const seen = await hopsAt(top);
        return seen[collector.hostname] !== undefined && seen["nd-parent-under-test"] !== undefined ? seen : undefined;
      }, 90_000).catch((e) => {
        throw new Error(`${e.message}\ntop: ${top.output().slice(-3000)}\nproxy: ${proxy.output().slice(-3000)}`);
      });
      assert.equal(hops[collector.hostname], 2);
      assert.equal(hops["nd-parent-under-test"], 1);

      const [above, middle] = await sameWindow(top, proxy, collector.hostname, "system.cpu");
      // As above: four full slots and any empty one between them, the same at the proxy.
      assert.ok(above.data.length >= 4, JSON.stringify(above));
      assert.ok(above.data.some((row) => row.slice(1).some((v) => v !== 0)), `all zero: ${JSON.stringify(above)}`);
      assert.deepEqual(above, middle);

      // The collector leaves the real proxy: rill-parent lists it unreachable, as the real parent does above.
      await collector.stop();
      const listed = await afterLeaving(top, collector.hostname);
      assert.deepEqual(entry(listed, collector.hostname), { reachable: false, hops: 2 });
      assert.equal(listed.find((h) => h.hostname === "nd-parent-under-test")?.reachable, true);
    } finally {
      await collector.stop();
      await proxy.stop();
      await top.stop();
    }
  },
);

test(
  "real headless 1.37 child → real 1.37 proxy in memory mode none → rill parent: the proxy's negative retention means nothing to replay",
  { skip: SKIP, timeout: 240_000 },
  async () => {
    const top = await startParent({ hostname: `rill-top-nh-${process.pid}`, streamConf: accepting("ram") });
    const proxy = await startNetdataParent(sendingTo(top.port) + accepting("none"), { dbMode: "none" });
    const childName = `nd-headless-via-nd-${process.pid}`;
    const child = startNetdataChild({ port: proxy.port, hostname: childName, dbMode: "none" });
    try {
      const hops = await until("the child reachable at rill-parent through the headless proxy", async () => {
        const seen = await hopsAt(top);
        return seen[childName] !== undefined ? seen : undefined;
      }, 90_000);
      assert.equal(hops[childName], 2);
      // Such a proxy reckons a chart's first entry as its last update (0, it stores nothing) less its count
      // of replication rounds, printed unsigned (18446744073709551614 and the like): 1.37 logs it, asks for
      // nothing and streams on; so must rill.
      await until(
        "a chart defined with a negative first entry",
        () => /malformed timings \(first time -\d+, last time 0/.test(top.output()),
        60_000,
      );
      await until("live data at the top, slot after slot", async () => {
        const now = Math.floor(Date.now() / 1000);
        return fullRows(await rawWindow(top, childName, "system.cpu", now - 60, now)).length >= 6;
      }, 90_000);
      assert.doesNotMatch(top.output(), /refus|Disabling it|expected .* found/i);
      assert.equal(
        (top.output().match(new RegExp(`client willing to stream metrics for host '${childName}'`, "g")) ?? []).length,
        1,
        "one connection",
      );
    } finally {
      await child.stop();
      await proxy.stop();
      await top.stop();
    }
  },
);
