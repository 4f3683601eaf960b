import { test } from "node:test";
import assert from "node:assert/strict";
import { uptimeSource } from "../../../src/sources/proc/uptime.ts";
import { fakeMachine } from "../_fake_root.ts";
import { assertLikeFixture } from "./_fixture_charts.ts";

const T0 = 1_795_423_040;

test("uptime: system.uptime as 1.37 defines it, in milliseconds", () => {
  const cases = [
    { text: "351.33 584.84\n", want: 351330 },
    { text: "772.17 1500.02\n", want: 772170 },
    { text: "0.00 0.00\n", want: 0 },
  ];
  for (const c of cases) {
    const m = fakeMachine();
    try {
      m.write("/proc/uptime", c.text);
      const source = uptimeSource(m.context);
      source.collect(T0 * 1e6);
      assertLikeFixture(m.host, "system.uptime");
      assert.deepEqual(m.last("system.uptime"), { uptime: c.want });
      source.close();
    } finally {
      m.dispose();
    }
  }
});

test("uptime: a garbled file obsoletes the chart and throws naming the file", () => {
  const m = fakeMachine();
  try {
    m.write("/proc/uptime", "351.33 584.84\n");
    const source = uptimeSource(m.context);
    source.collect(T0 * 1e6);
    m.write("/proc/uptime", "soon\n");
    assert.throws(() => source.collect((T0 + 1) * 1e6), /unexpected contents of .*\/proc\/uptime: 'soon/);
    assert.deepEqual(m.obsoleted, ["system.uptime"]);
    m.write("/proc/uptime", "353.33 584.84\n");
    source.collect((T0 + 2) * 1e6);
    assert.equal(m.host.charts.get("system.uptime")!.obsolete, false);
    source.close();
  } finally {
    m.dispose();
  }
});
