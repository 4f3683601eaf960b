import { test } from "node:test";
import assert from "node:assert/strict";
import { entropySource } from "../../../src/sources/proc/entropy.ts";
import { fakeMachine } from "../_fake_root.ts";
import { assertLikeFixture } from "./_fixture_charts.ts";

const T0 = 1_795_423_040;
const FILE = "/proc/sys/kernel/random/entropy_avail";

test("entropy: system.entropy as 1.37 defines it", () => {
  const m = fakeMachine();
  try {
    m.write(FILE, "256\n");
    const source = entropySource(m.context);
    source.collect(T0 * 1e6);
    assertLikeFixture(m.host, "system.entropy");
    assert.deepEqual(m.last("system.entropy"), { entropy: 256 });
    source.close();
  } finally {
    m.dispose();
  }
});

test("entropy: a missing or garbled file obsoletes the chart and throws naming the file", () => {
  const m = fakeMachine();
  try {
    const source = entropySource(m.context);
    assert.throws(() => source.collect(T0 * 1e6), /ENOENT.*entropy_avail/);
    m.write(FILE, "3121\n");
    source.collect((T0 + 1) * 1e6);
    m.write(FILE, "\n");
    assert.throws(() => source.collect((T0 + 2) * 1e6), /unexpected contents of .*entropy_avail/);
    assert.deepEqual(m.obsoleted, ["system.entropy"]);
    m.write(FILE, "3122\n");
    source.collect((T0 + 3) * 1e6);
    assert.deepEqual(m.last("system.entropy"), { entropy: 3122 });
    source.close();
  } finally {
    m.dispose();
  }
});
