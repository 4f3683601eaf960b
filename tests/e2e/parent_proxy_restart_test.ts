// A middle proxy killed for 30 s and started again, in two configurations side by side, both under one top
// parent H: collectors A_x and A_y stream to parents with a database C_x and C_y, which stream to the
// proxies D_x (headless, `[db] mode = none`) and D_y (with a database, ram), which stream to H.
//
// What the top keeps of A's data, and why:
// - through the headless D_x, the outage stays a gap at H: C_x replays it to D_x, which stores nothing and so
//   has nothing to answer H's `REPLAY_CHART` with (passing the request down to C_x is not done);
// - through D_y, the outage is filled: D_y comes back empty (ram), asks C_x for the history it lacks, and only
//   then (its first live iteration of the chart) defines the chart to H, whose `REPLAY_CHART` D_y answers
//   from its storage: not one slot of the outage is missing at H.
// In both, every host keeps its identity across the restart: H lists the same machine GUIDs, reachable again.
import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { until } from "../_until.ts";
import { type RunningCollector, startCollector, X64_SKIP } from "./_collector.ts";
import { PARENT_SKIP, type RunningParent, startParent } from "./_parent.ts";
import { accepting, fullRows, mirroredHosts, rawWindow, sendingTo } from "./_proxy.ts";

const OUTAGE_MS = 30_000;
const tag = `${process.pid}`;
const name = (node: string) => `restart-${node}-${tag}`;

/** Slots of `host`'s system.cpu at `node` in `[after, before]` that hold no value. */
async function emptySlots(node: RunningParent, host: string, after: number, before: number): Promise<number[]> {
  const reply = await rawWindow(node, host, "system.cpu", after, before);
  return reply.data.filter((row) => row.slice(1).every((v) => v === null)).map((row) => row[0] as number);
}

test(
  "a middle proxy killed for 30 s: headless it leaves the outage as a gap at the top, with a database it fills it; identities kept",
  { skip: PARENT_SKIP ?? X64_SKIP ?? false, timeout: 300_000 },
  async () => {
    const running: (RunningParent | RunningCollector)[] = [];
    const proxies: Record<"x" | "y", RunningParent | undefined> = { x: undefined, y: undefined };
    const middles = new Map<"x" | "y", RunningParent>();
    try {
      const h = await startParent({ hostname: name("H"), streamConf: accepting("ram") });
      running.push(h);
      const proxyOptions = (which: "x" | "y") => ({
        hostname: name(`D_${which}`),
        mode: which === "x" ? "none" : "ram",
        streamConf: sendingTo(h.port) + accepting(which === "x" ? "none" : "ram"),
      });
      for (const which of ["x", "y"] as const) {
        const proxy = await startParent(proxyOptions(which));
        proxies[which] = proxy;
        const c = await startParent({
          hostname: name(`C_${which}`),
          streamConf: sendingTo(proxy.port) + accepting("ram"),
        });
        running.push(c);
        middles.set(which, c);
        running.push(startCollector({ hostname: name(`A_${which}`), streamConf: sendingTo(c.port) }));
      }
      const collectors = [name("A_x"), name("A_y")];
      const hostsBefore = await until("both chains streaming to H", async () => {
        const hosts = await mirroredHosts(h);
        const now = Math.floor(Date.now() / 1000);
        // A dozen slots before the kill, so the compared window (from 5 s before it) lies within what H had.
        for (const a of collectors) {
          if (fullRows(await rawWindow(h, a, "system.cpu", now - 30, now)).length < 12) return;
        }
        return hosts.filter((e) => e.reachable).length === 7 ? hosts : undefined;
      }, 90_000);

      const killedS = Math.floor(Date.now() / 1000);
      for (const which of ["x", "y"] as const) {
        await proxies[which]!.stop({ signal: "SIGKILL", keepDir: true });
      }
      // The outage under test: the proxies stay down this long.
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
      const restartedS = Math.floor(Date.now() / 1000);
      for (const which of ["x", "y"] as const) {
        const { dir, port } = proxies[which]!;
        proxies[which] = undefined;
        proxies[which] = await startParent({ ...proxyOptions(which), dir, port });
      }

      // Live data after the restart reached H for both chains (each chart's replication comes before it).
      await until("live data at H after the restart", async () => {
        const now = Math.floor(Date.now() / 1000);
        for (const a of collectors) {
          const slots = fullRows(await rawWindow(h, a, "system.cpu", restartedS, now));
          if (slots.length === 0 || slots[0] < restartedS + 5) return false;
        }
        return true;
      }, 90_000);

      const hostsAfter = await mirroredHosts(h);
      assert.deepEqual(
        hostsAfter.map((e) => [e.hostname, e.guid, e.reachable, e.hops]),
        hostsBefore.map((e) => [e.hostname, e.guid, e.reachable, e.hops]),
      );

      // What H lacks of what C_x and C_y hold (they stayed up, the collectors never noticed the outage). A
      // collector stalled for 2 s or more on a loaded machine leaves an empty slot at its own parent too (the
      // `gap when lost iterations above` rule): such slots are no one's loss in transit and are left out.
      const window = [killedS - 5, restartedS + 5] as const;
      const lostAtH = async (which: "x" | "y") => {
        const atC = new Set(await emptySlots(middles.get(which)!, name(`A_${which}`), ...window));
        assert.ok(atC.size <= 3, `C_${which} itself holds ${atC.size} empty slots: ${[...atC]}`);
        return (await emptySlots(h, name(`A_${which}`), ...window)).filter((s) => !atC.has(s));
      };
      const gapX = await lostAtH("x");
      const gapY = await lostAtH("y");
      const at = (slots: number[]) => slots.map((s) => s - killedS).join(",");
      const report =
        `gap at H through headless D_x: ${gapX.length} slots; through D_y (ram): ${gapY.length} slots (at ${
          at(gapY)
        } s after the kill) ` +
        `(outage ${restartedS - killedS} s)`;
      console.log(report);
      assert.ok(gapX.length >= (OUTAGE_MS / 1000) - 5, report);
      assert.deepEqual(gapY, [], report);
    } finally {
      for (const node of [...running.reverse(), proxies.x, proxies.y]) await node?.stop();
    }
  },
);
