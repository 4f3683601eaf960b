import { test } from "node:test";
import assert from "node:assert/strict";
import { CollectionTimings } from "../../src/sources/collection_timings.ts";
import { CollectionLoop } from "../../src/sources/loop.ts";
import type { Source } from "../../src/sources/source.ts";
import { Logger } from "../../src/runtime/log.ts";

/** A source whose collect() takes at least `ms` (it works until the clock says so), and may throw. */
function busySource(name: string, ms: number, fails = false): Source {
  return {
    name,
    updateEvery: 1,
    collect() {
      const until = performance.now() + ms;
      while (performance.now() < until) { /* working */ }
      if (fails) throw new Error("broken");
    },
    close() {},
  };
}

test("loop: the time of each collect() goes to the timings, failed ones too", () => {
  const a = busySource("a", 3), b = busySource("b", 2, true), untimed = busySource("untimed", 1);
  const timings = new CollectionTimings([a, b]);
  const logs: string[] = [];
  const loop = new CollectionLoop([a, b, untimed], 1, new Logger("t", "T", (l) => logs.push(l)), timings);
  loop.tick(1_795_423_040_000);
  assert.ok(timings.busyUs[0] >= 3000 && timings.busyUs[0] < 1_000_000, `${timings.busyUs[0]}`);
  assert.ok(timings.busyUs[1] >= 2000, `${timings.busyUs[1]}`);
  assert.ok(logs.some((l) => l.includes("b: broken")));
  // A source is timed only when it runs: not again within the same second.
  const before = timings.busyUs[0];
  loop.tick(1_795_423_040_500);
  assert.equal(timings.busyUs[0], before);
  loop.tick(1_795_423_041_000);
  assert.ok(timings.busyUs[0] >= before + 3000);
  assert.deepEqual(timings.names, ["a", "b"]);
});

test("loop: a tick that comes late says how many iterations were not collected", () => {
  const logs: string[] = [];
  const loop = new CollectionLoop([busySource("a", 0)], 1, new Logger("t", "T", (l) => logs.push(l)));
  const t = 1_795_423_040_000;
  loop.tick(t + 10);
  loop.tick(t + 1_005);
  loop.tick(t + 2_950);
  assert.deepEqual(logs, []);
  loop.tick(t + 6_020);
  assert.equal(logs.length, 1);
  assert.match(logs[0], /ERROR .* the collection woke 3 s late: 3 iterations were not collected/);
});
