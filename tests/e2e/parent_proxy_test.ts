// The seeds' "mix and match" topology, all rill, on loopback: collectors A and B stream to C (a parent with
// a database that streams onward), C to D (a headless proxy, `[db] mode = none`), D to H (a parent with a
// database); collector E streams to D. At H every node is listed with the hops of its path, and what H
// stored for A equals, slot for slot, what C stored for A: the durations A measured pass through every hop
// and the proxies hand A's collection state on (REPLAY_CHART answers), so H times A's data by A's clock.
import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { until } from "../_until.ts";
import { type RunningCollector, startCollector, X64_SKIP } from "./_collector.ts";
import { PARENT_SKIP, type RunningParent, startParent } from "./_parent.ts";
import { accepting, afterLeaving, type DataReply, fullRows, rawWindow, reachableHops, sendingTo } from "./_proxy.ts";

const tag = `${process.pid}`;
const name = (node: string) => `proxy-${node}-${tag}`;

/** A and C disagree on a slot or its value, or `undefined`. */
function difference(top: DataReply, middle: DataReply): string | undefined {
  if (JSON.stringify(top.labels) !== JSON.stringify(middle.labels)) {
    return `labels ${JSON.stringify(top.labels)} vs ${JSON.stringify(middle.labels)}`;
  }
  if (top.data.length !== middle.data.length) return `${top.data.length} rows vs ${middle.data.length}`;
  for (let i = 0; i < top.data.length; i++) {
    const [a, b] = [top.data[i], middle.data[i]];
    for (let c = 0; c < a.length; c++) {
      if (a[c] !== b[c]) return `row ${i} (${a[0]}) ${top.labels[c]}: ${a[c]} vs ${b[c]}`;
    }
  }
  return undefined;
}

test(
  "mix and match: A, B → C (database) → D (headless proxy) → H, E → D: H lists every node with its hops, A's data at H equals C's",
  { skip: PARENT_SKIP ?? X64_SKIP ?? false, timeout: 180_000 },
  async () => {
    const started: (RunningParent | RunningCollector)[] = [];
    try {
      const h = await startParent({ hostname: name("H"), streamConf: accepting("ram") });
      started.push(h);
      const d = await startParent({
        hostname: name("D"),
        mode: "none",
        streamConf: sendingTo(h.port) + accepting("none"),
      });
      started.push(d);
      const c = await startParent({ hostname: name("C"), streamConf: sendingTo(d.port) + accepting("ram") });
      started.push(c);
      const collectors = new Map<string, RunningCollector>();
      for (const [node, to] of [["A", c], ["B", c], ["E", d]] as const) {
        collectors.set(node, startCollector({ hostname: name(node), streamConf: sendingTo(to.port) }));
        started.push(collectors.get(node)!);
      }

      const expected = {
        [name("H")]: 0,
        [name("D")]: 1,
        [name("C")]: 2,
        [name("E")]: 2,
        [name("A")]: 3,
        [name("B")]: 3,
      };
      const hops = await until("every node reachable at H with its hops", async () => {
        const seen = await reachableHops(h);
        return Object.keys(seen).length === 6 ? seen : undefined;
      }, 60_000).catch((e) => {
        throw new Error(`${e.message}\nD: ${d.output().slice(-3000)}\nC: ${c.output().slice(-3000)}`);
      });
      assert.deepEqual(hops, expected);
      assert.deepEqual(await reachableHops(c), { [name("C")]: 0, [name("A")]: 1, [name("B")]: 1 });

      // A's system.cpu at H, once H has a few complete slots of it; the window ends a slot before H's newest,
      // which C (one hop nearer to A) has stored by then.
      const chart = "system.cpu";
      const window = await until("six slots of A's system.cpu at H", async () => {
        const now = Math.floor(Date.now() / 1000);
        const slots = fullRows(await rawWindow(h, name("A"), chart, now - 60, now));
        return slots.length >= 6 ? { after: slots[4], before: slots[1] } : undefined;
      }, 60_000);
      const top = await rawWindow(h, name("A"), chart, window.after, window.before);
      const middle = await rawWindow(c, name("A"), chart, window.after, window.before);
      assert.equal(top.data.length, 4, JSON.stringify(top));
      const values = top.data.flatMap((row) => row.slice(1));
      assert.ok(values.some((v) => v !== 0 && v !== null), `A's cpu is all zero at H: ${JSON.stringify(top)}`);
      assert.equal(difference(top, middle), undefined, `H: ${JSON.stringify(top)}\nC: ${JSON.stringify(middle)}`);

      // E's data went through D only; H has it too.
      const e = await until("E's system.cpu at H", async () => {
        const now = Math.floor(Date.now() / 1000);
        const slots = fullRows(await rawWindow(h, name("E"), chart, now - 60, now));
        return slots.length >= 2 ? slots : undefined;
      }, 30_000);
      assert.ok(e.length >= 2);

      // A leaves C: H still lists it, unreachable with its hops, and every other node reachable as before.
      await collectors.get("A")!.stop();
      const listed = await afterLeaving(h, name("A"));
      const stillReachable = Object.fromEntries(listed.filter((x) => x.reachable).map((x) => [x.hostname, x.hops]));
      const { [name("A")]: _left, ...others } = expected;
      assert.deepEqual(stillReachable, others);
      assert.equal(listed.find((x) => x.hostname === name("A"))?.hops, 3);
    } finally {
      for (const node of started.reverse()) await node.stop();
    }
  },
);
