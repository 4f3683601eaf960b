import { test } from "node:test";
import assert from "node:assert/strict";
import { softirqsSource } from "../../../src/sources/proc/softirqs.ts";
import { fakeMachine } from "../_fake_root.ts";
import { assertLikeFixture } from "./_fixture_charts.ts";

const T0 = 1_795_423_040;

// The fixture child's counts, in a real kernel's layout.
const SOFTIRQS = `                    CPU0       CPU1       
          HI:          0          0
       TIMER:      10815      10857
      NET_TX:          4          0
      NET_RX:       6131      13192
       BLOCK:          0      74764
    IRQ_POLL:          0          0
     TASKLET:          2          1
       SCHED:      23171      21318
     HRTIMER:          0       1450
         RCU:      17687      19939
`;

test("softirqs: charts are defined exactly as the 1.37 fixture defines them, with the fixture's values", () => {
  const m = fakeMachine();
  try {
    m.write("/proc/softirqs", SOFTIRQS);
    const source = softirqsSource(m.context);
    source.collect(T0 * 1e6);
    for (const id of ["system.softirqs", "cpu.cpu0_softirqs", "cpu.cpu1_softirqs"]) assertLikeFixture(m.host, id);
    assert.deepEqual(m.last("system.softirqs"), {
      TIMER: 21672,
      NET_TX: 4,
      NET_RX: 19323,
      BLOCK: 74764,
      TASKLET: 3,
      SCHED: 44489,
      HRTIMER: 1450,
      RCU: 37626,
    });
    assert.deepEqual(m.last("cpu.cpu0_softirqs"), {
      TIMER: 10815,
      NET_TX: 4,
      NET_RX: 6131,
      TASKLET: 2,
      SCHED: 23171,
      RCU: 17687,
    });
    source.close();
  } finally {
    m.dispose();
  }
});

test("softirqs: a CPU with nothing counted yet gets its chart once it counts", () => {
  const m = fakeMachine();
  try {
    m.write("/proc/softirqs", "   CPU0   CPU1\n  TIMER:  5  0\n  SCHED:  7  0\n");
    const source = softirqsSource(m.context);
    source.collect(T0 * 1e6);
    assert.equal(m.host.charts.has("cpu.cpu1_softirqs"), false);
    m.write("/proc/softirqs", "   CPU0   CPU1\n  TIMER:  6  0\n  SCHED:  8  2\n");
    source.collect((T0 + 1) * 1e6);
    assert.deepEqual(m.last("cpu.cpu1_softirqs"), { SCHED: 2 });
    assert.equal(m.host.charts.get("cpu.cpu1_softirqs")!.labels.get("cpu")?.value, "cpu1");
    source.close();
  } finally {
    m.dispose();
  }
});

test("softirqs: a missing file throws naming it", () => {
  const m = fakeMachine();
  try {
    const source = softirqsSource(m.context);
    assert.throws(() => source.collect(T0 * 1e6), /ENOENT.*\/proc\/softirqs/);
    source.close();
  } finally {
    m.dispose();
  }
});
