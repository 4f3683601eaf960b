import { test } from "node:test";
import assert from "node:assert/strict";
import type { TimexSettings } from "../../src/config/internal_plugins_conf.ts";
import { type ClockAdjustment, STA_CLOCKERR, STA_NANO, STA_UNSYNC, TIME_ERROR } from "../../src/runtime/libc.ts";
import { openTimexSource, timexSource } from "../../src/sources/timex.ts";
import { fakeMachine } from "./_fake_root.ts";
import { assertLikeFixture } from "./proc/_fixture_charts.ts";

const DEFAULTS: TimexSettings = { enabled: true, updateEvery: 10, syncState: true, timeOffset: true };
const T0 = 1_795_423_050e6;
const STA_PLL = 0x0001;

/** A clock reader answering each reading in turn (the last one again when they run out). */
function readings(...list: (ClockAdjustment | undefined)[]): () => ClockAdjustment | undefined {
  let i = 0;
  return () => list[Math.min(i++, list.length - 1)];
}

test("timex: three charts defined as the 1.37 fixture defines them, every 10 s", () => {
  const m = fakeMachine();
  try {
    const source = timexSource(m.context, DEFAULTS, readings({ state: TIME_ERROR, status: STA_UNSYNC, offsetNs: 0 }))!;
    assert.equal(source.name, "timex.plugin");
    assert.equal(source.updateEvery, 10);
    source.collect(T0);
    for (const id of ["system.clock_sync_state", "system.clock_status", "system.clock_sync_offset"]) {
      assertLikeFixture(m.host, id);
    }
    assert.deepEqual(m.collected.map((c) => c.chart), [
      "system.clock_sync_state",
      "system.clock_status",
      "system.clock_sync_offset",
    ]);
  } finally {
    m.dispose();
  }
});

test("timex: state is 1 unless TIME_ERROR; unsync and clockerr are their status bits; µs offset over 1000", () => {
  const m = fakeMachine();
  try {
    const source = timexSource(
      m.context,
      DEFAULTS,
      readings(
        { state: TIME_ERROR, status: STA_UNSYNC | STA_PLL, offsetNs: 0 },
        { state: 0, status: STA_PLL, offsetNs: -1_234_000 },
        { state: 1, status: STA_CLOCKERR | STA_PLL, offsetNs: 56_000 },
      ),
    )!;
    source.collect(T0);
    assert.deepEqual(m.last("system.clock_sync_state"), { state: 0 });
    assert.deepEqual(m.last("system.clock_status"), { unsync: 1, clockerr: 0 });
    assert.deepEqual(m.last("system.clock_sync_offset"), { offset: 0 });
    source.collect(T0 + 10e6);
    assert.deepEqual(m.last("system.clock_sync_state"), { state: 1 });
    assert.deepEqual(m.last("system.clock_status"), { unsync: 0, clockerr: 0 });
    assert.deepEqual(m.last("system.clock_sync_offset"), { offset: -1234 });
    source.collect(T0 + 20e6);
    assert.deepEqual(m.last("system.clock_sync_state"), { state: 1 });
    assert.deepEqual(m.last("system.clock_status"), { unsync: 0, clockerr: 1 });
    assert.deepEqual(m.last("system.clock_sync_offset"), { offset: 56 });
  } finally {
    m.dispose();
  }
});

test("timex: STA_NANO at the first reading makes the offset nanoseconds over 1,000,000, as 1.37 decides", () => {
  const m = fakeMachine();
  try {
    const source = timexSource(
      m.context,
      DEFAULTS,
      readings(
        { state: 0, status: STA_NANO | STA_PLL, offsetNs: -1_234_567 },
        { state: 0, status: STA_PLL, offsetNs: 89_000 }, // the daemon switched to µs: converted into the chart's ns
      ),
    )!;
    source.collect(T0);
    const offset = m.host.charts.get("system.clock_sync_offset")!;
    assert.equal(offset.dimensions[0].divisor, 1_000_000);
    assert.deepEqual(m.last("system.clock_sync_offset"), { offset: -1_234_567 });
    source.collect(T0 + 10e6);
    assert.equal(offset.dimensions[0].divisor, 1_000_000);
    assert.deepEqual(m.last("system.clock_sync_offset"), { offset: 89_000 });
  } finally {
    m.dispose();
  }
});

test("timex: the options choose the charts and the interval never goes below the host's", () => {
  const m = fakeMachine(20);
  try {
    const offsetOnly = timexSource(
      m.context,
      { ...DEFAULTS, syncState: false },
      readings({ state: 0, status: 0, offsetNs: 0 }),
    )!;
    assert.equal(offsetOnly.updateEvery, 20);
    offsetOnly.collect(T0);
    assert.deepEqual([...m.host.charts.keys()], ["system.clock_sync_offset"]);
    assert.equal(m.host.charts.get("system.clock_sync_offset")!.updateEvery, 20);
    assert.equal(
      timexSource(m.context, { ...DEFAULTS, syncState: false, timeOffset: false }, () => undefined),
      undefined,
    );
    assert.match(
      m.logs.at(-1)!,
      /timex\.plugin: clock synchronization state and time offset are both off: no charts to show/,
    );
  } finally {
    m.dispose();
  }
  const fast = fakeMachine();
  try {
    const source = timexSource(fast.context, { ...DEFAULTS, updateEvery: 3 }, () => undefined)!;
    assert.equal(source.updateEvery, 3);
  } finally {
    fast.dispose();
  }
});

test("timex: a failed adjtimex throws and leaves the iteration empty; the next good reading is charted", () => {
  const m = fakeMachine();
  try {
    const source = timexSource(m.context, DEFAULTS, readings(undefined, { state: 0, status: 0, offsetNs: 5_000 }))!;
    assert.throws(() => source.collect(T0), /cannot get clock synchronization state: adjtimex failed/);
    assert.deepEqual(m.collected, []);
    source.collect(T0 + 10e6);
    assert.deepEqual(m.last("system.clock_sync_offset"), { offset: 5 });
  } finally {
    m.dispose();
  }
});

test("timex: openTimexSource reads this machine's clock; disabled, it opens nothing", async () => {
  const m = fakeMachine();
  try {
    assert.equal(await openTimexSource(m.context, { ...DEFAULTS, enabled: false }), undefined);
    const source = await openTimexSource(m.context, DEFAULTS);
    assert.ok(source, `no timex source: ${m.logs.join("\n")}`);
    source.collect(T0);
    const state = m.last("system.clock_sync_state")!.state;
    const { unsync, clockerr } = m.last("system.clock_status")!;
    assert.ok(state === 0 || state === 1);
    // Unsynchronized or faulty is what the kernel answers TIME_ERROR for.
    if (unsync === 1 || clockerr === 1) assert.equal(state, 0);
    assert.ok(m.last("system.clock_sync_offset"));
  } finally {
    m.dispose();
  }
});
