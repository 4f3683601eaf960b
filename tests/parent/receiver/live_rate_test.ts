// The live-iteration bucket of one chart: a stalled child's backlog passes at once, a steady child never
// empties it, a child sending ten times its update every and more, sustained, does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BACKLOG_SECONDS, LiveRate } from "../../../src/parent/receiver/live_rate.ts";
import { until } from "../../_until.ts";
import { ramStores, rawChild, request, withParent } from "./_harness.ts";

const T0 = 1_795_420_000_000;
/** `max iterations per update every` by default. */
const RATE_HEADROOM = 10;

function guid(n: number): string {
  return `00000000-e718-11f1-8984-${String(n).padStart(12, "0")}`;
}

/** Takes `n` iterations at `atMs`; the number taken before the first refusal. */
function burst(rate: LiveRate, n: number, atMs: number, updateEvery = 1): number {
  for (let i = 0; i < n; i++) if (!rate.take(atMs, updateEvery)) return i;
  return n;
}

test("a chart updated every second: a backlog of 600 s and 10 more at once, then 10 a second", () => {
  const rate = new LiveRate(RATE_HEADROOM);
  const capacity = BACKLOG_SECONDS + RATE_HEADROOM;
  assert.equal(burst(rate, capacity + 1, T0), capacity);
  assert.match(
    rate.tooFast("apps.cpu", 1),
    /^chart 'apps\.cpu' sent 611 live iterations in 0\.0 s, more than its update every \(1 s\) justifies: at most a backlog of 610 iterations, then 10 per update every$/,
  );
  const refilled = new LiveRate(RATE_HEADROOM);
  burst(refilled, capacity, T0);
  assert.equal(burst(refilled, 11, T0 + 1000), 10);
});

test("a steady child, and one catching up on a 600 s backlog after a stall, are never refused", () => {
  const rate = new LiveRate(RATE_HEADROOM);
  let t = T0;
  for (let i = 0; i < 3600; i++, t += 1000) assert.ok(rate.take(t, 1), `second ${i}`);
  // Stalled for 600 s: the backlog arrives at once, then the child goes on at its pace.
  t += 600_000;
  assert.equal(burst(rate, 601, t), 601);
  for (let i = 0; i < 3600; i++) assert.ok(rate.take(t += 1000, 1), `after the backlog, second ${i}`);
});

test("the sizes follow update every: 70 at once and 1 a second for a chart updated every 10 s", () => {
  const rate = new LiveRate(RATE_HEADROOM);
  assert.equal(burst(rate, 100, T0, 10), 60 + RATE_HEADROOM);
  const later = new LiveRate(RATE_HEADROOM);
  burst(later, 70, T0, 10);
  assert.equal(burst(later, 5, T0 + 3000, 10), 3);
});

test("past ten times its update every, sustained, a chart is refused (sooner the faster); a clock stepping back refills nothing", () => {
  const rate = new LiveRate(RATE_HEADROOM);
  let refusedAt = -1;
  for (let i = 0; i < 1000 && refusedAt < 0; i++) {
    if (!rate.take(T0 + Math.floor(i * 1000 / 11), 1)) refusedAt = i;
  }
  // 610 + 10·t ≥ 11·t until t ≈ 610 s, i.e. about 6,700 iterations: not within 1,000.
  assert.equal(refusedAt, -1);
  const fast = new LiveRate(RATE_HEADROOM);
  let taken = 0;
  for (let i = 0; i < 20_000 && fast.take(T0 + Math.floor(i * 1000 / 20), 1); i++) taken++;
  // 20 a second: 610 + 10·t = 20·t at t = 61 s, about 1,220 iterations.
  assert.ok(taken > 1200 && taken < 1250, `${taken}`);
  const back = new LiveRate(RATE_HEADROOM);
  burst(back, 610, T0);
  assert.equal(back.take(T0 - 60_000, 1), false);
});

test("'max iterations per update every = 0' checks nothing", () => {
  const rate = new LiveRate(0);
  assert.equal(burst(rate, 100_000, T0), 100_000);
});

test(
  "through the receiver: a chart sent far faster than its update every cuts the child off, naming child, chart and rate; a backlog and replication pass",
  {
    timeout: 30_000,
  },
  async () => {
    // The parent's clock stands still: every iteration arrives in the same instant.
    await withParent({ receiver: { createStore: ramStores(5), now: () => T0 } }, async (parent) => {
      const definition =
        'CHART "test.x" "" "t" "u" "f" "test.x" "line" 1 1 "" "p" "m"\nDIMENSION "a" "" "absolute" 1 1 ""\n';
      const iterations = (n: number) => 'BEGIN "test.x" 1000000\nSET "a" = 1\nEND\n'.repeat(n);
      const legit = await rawChild(parent.port, request({ hostname: "legit", machine_guid: guid(1) }));
      let replication = "";
      for (let i = 0; i < 2000; i++) {
        replication += `RBEGIN "test.x"\nRBEGIN '' 100 101 200\nRSET "a" 1 ""\nREND 1 0 0 false 0 0 200\n`;
      }
      legit.write(`${definition}${replication}${iterations(BACKLOG_SECONDS)}`);
      const flood = await rawChild(parent.port, request({ hostname: "flood", machine_guid: guid(2) }));
      const port = flood.socket.localPort;
      flood.write(`${definition}${iterations(BACKLOG_SECONDS + RATE_HEADROOM + 100)}`);
      await flood.closed;
      assert.ok(
        parent.log.some((l) =>
          l.endsWith(
            `: STREAM flood [receive from [localhost]:${port}]: chart 'test.x' sent 611 live iterations in 0.0 s, more than its update every (1 s) justifies: at most a backlog of 610 iterations, then 10 per update every. Disabling it.`,
          )
        ),
        parent.log.slice(-3).join("\n"),
      );
      const connection = parent.receiver.connections().find((c) => c.entry.host.identity.hostname === "legit");
      await until("the legit child's backlog", () => connection?.session.updates === BACKLOG_SECONDS);
      assert.equal(parent.receiver.connections().length, 1);
      legit.socket.destroy();
    });
  },
);
