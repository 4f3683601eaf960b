import { test } from "node:test";
import assert from "node:assert/strict";
import { idleJitterSource, type Sleeper } from "../../src/sources/idlejitter.ts";
import { until } from "../_until.ts";
import { fakeMachine } from "./_fake_root.ts";
import { assertLikeFixture } from "./proc/_fixture_charts.ts";

const T0 = 1_795_423_042e6;

/** A clock the test moves, and a sleeper whose sleeps end when the test says so. */
function fakeTime() {
  let nowUs = 1_000_000;
  let wake: (() => void) | undefined;
  let armed = 0;
  let stopped = false;
  const sleeper: Sleeper = (_ms, onWake) => {
    wake = onWake;
    armed++;
    return { again: () => void armed++, stop: () => void (stopped = true) };
  };
  return {
    clock: () => nowUs,
    sleeper,
    /** Ends the current sleep `afterUs` after it began. */
    sleep(afterUs: number) {
      nowUs += afterUs;
      wake!();
    },
    get armed() {
      return armed;
    },
    get stopped() {
      return stopped;
    },
  };
}

test("idlejitter: system.idlejitter as the fixture defines it; min, max and average as 1.37 computes them", () => {
  const m = fakeMachine();
  const time = fakeTime();
  try {
    const source = idleJitterSource(m.context, { enabled: true, loopTimeMs: 20 }, time.clock, time.sleeper);
    assert.equal(source.name, "idlejitter.plugin");
    assert.equal(source.updateEvery, 1);
    source.start();
    for (const lateUs of [79, 2225, 100, 256]) time.sleep(20_000 + lateUs);
    assert.equal(time.armed, 5); // the first sleep, then one again per wake-up
    source.collect(T0);
    assertLikeFixture(m.host, "system.idlejitter");
    // (79 + 2225 + 100 + 256) / 4 = 665
    assert.deepEqual(m.last("system.idlejitter"), { min: 79, max: 2225, average: 665 });

    // A new window: the average rounds down; the minimum is the window's own.
    for (const lateUs of [300, 301, 302]) time.sleep(20_000 + lateUs);
    source.collect(T0 + 1e6);
    assert.deepEqual(m.last("system.idlejitter"), { min: 300, max: 302, average: 301 });
    for (const lateUs of [1, 2]) time.sleep(20_000 + lateUs);
    source.collect(T0 + 2e6);
    assert.deepEqual(m.last("system.idlejitter"), { min: 1, max: 2, average: 1 });
  } finally {
    m.dispose();
  }
});

test("idlejitter: a second without a wake-up publishes nothing; an early wake-up counts as no lateness", () => {
  const m = fakeMachine();
  const time = fakeTime();
  try {
    const source = idleJitterSource(m.context, { enabled: true, loopTimeMs: 50 }, time.clock, time.sleeper);
    source.start();
    source.collect(T0);
    assert.deepEqual(m.collected, []);
    time.sleep(49_700);
    time.sleep(50_040);
    source.collect(T0 + 1e6);
    assert.deepEqual(m.last("system.idlejitter"), { min: 0, max: 40, average: 20 });
  } finally {
    m.dispose();
  }
});

test("idlejitter: start twice sleeps once; close stops the sleeps", () => {
  const m = fakeMachine();
  const time = fakeTime();
  try {
    const source = idleJitterSource(m.context, { enabled: true, loopTimeMs: 20 }, time.clock, time.sleeper);
    source.start();
    source.start();
    assert.equal(time.armed, 1);
    source.close();
    assert.equal(time.stopped, true);
  } finally {
    m.dispose();
  }
});

test("idlejitter: with the real timer and clock, sleeps end and the next collection has their lateness", async () => {
  const m = fakeMachine();
  const source = idleJitterSource(m.context, { enabled: true, loopTimeMs: 1 });
  try {
    source.start();
    await until("a published idle jitter", () => {
      source.collect(Date.now() * 1000);
      return m.last("system.idlejitter");
    });
    const { min, max, average } = m.last("system.idlejitter")!;
    assert.ok(
      Number(min) >= 0 && Number(min) <= Number(average) && Number(average) <= Number(max),
      `${min} ${average} ${max}`,
    );
  } finally {
    source.close();
    m.dispose();
  }
});
