import { test } from "node:test";
import assert from "node:assert/strict";
import { HexTable, softnetStatSource } from "../../../src/sources/proc/softnet_stat.ts";
import { fakeMachine } from "../_fake_root.ts";
import { assertLikeFixture } from "./_fixture_charts.ts";

const T0 = 1_795_423_040;

/** A /proc/net/softnet_stat line as a 6.x kernel writes it: 15 hexadecimal columns, the CPU id 13th. */
function cpuLine(cpu: number, processed: number, dropped: number, squeezed: number, rps: number, flow: number) {
  const cols = [processed, dropped, squeezed, 0, 0, 0, 0, 0, 0, rps, flow, 0, cpu, 0, 0];
  return cols.map((v) => v.toString(16).padStart(8, "0")).join(" ") + "\n";
}

test("softnet_stat: fixture definitions, totals and per-CPU values over two iterations", () => {
  const m = fakeMachine();
  try {
    m.write("/proc/net/softnet_stat", cpuLine(0, 0x174f, 0, 0, 0, 0) + cpuLine(1, 0x2c1d, 0, 1, 0, 0));
    const source = softnetStatSource(m.context);
    source.collect(T0 * 1e6);
    assert.deepEqual([...m.host.charts.keys()], [
      "system.softnet_stat",
      "cpu.cpu0_softnet_stat",
      "cpu.cpu1_softnet_stat",
    ]);
    for (const id of m.host.charts.keys()) assertLikeFixture(m.host, id);
    assert.deepEqual(m.last("system.softnet_stat"), {
      processed: 0x174f + 0x2c1d,
      dropped: 0,
      squeezed: 1,
      received_rps: 0,
      flow_limit_count: 0,
    });
    m.write(
      "/proc/net/softnet_stat",
      cpuLine(0, 0xffffffff, 2, 0, 5, 1) + cpuLine(1, 0x2c20, 0, 1, 0, 0),
    );
    source.collect((T0 + 1) * 1e6);
    assert.equal(m.last("system.softnet_stat")!.processed, 0x2c1f, "totals wrap at 32 bits like 1.37's");
    assert.deepEqual(m.last("cpu.cpu0_softnet_stat"), {
      processed: 0xffffffff,
      dropped: 2,
      squeezed: 0,
      received_rps: 5,
      flow_limit_count: 1,
    });

    // A CPU goes offline: its chart goes; it comes back with the line.
    m.write("/proc/net/softnet_stat", cpuLine(0, 1, 0, 0, 0, 0));
    source.collect((T0 + 2) * 1e6);
    assert.ok(m.obsoleted.includes("cpu.cpu1_softnet_stat"));
    m.write("/proc/net/softnet_stat", "x\n");
    assert.throws(() => source.collect((T0 + 3) * 1e6), /unexpected contents of .*\/proc\/net\/softnet_stat/);
    assert.ok(m.obsoleted.includes("system.softnet_stat"));
    m.write("/proc/net/softnet_stat", cpuLine(0, 1, 0, 0, 0, 0) + cpuLine(1, 2, 0, 0, 0, 0));
    source.collect((T0 + 4) * 1e6);
    assert.equal(m.host.charts.get("cpu.cpu1_softnet_stat")!.obsolete, false);
    assert.equal(m.host.charts.get("system.softnet_stat")!.obsolete, false);
    source.close();

    // Old kernels print 10 columns: no received_rps / flow_limit_count, as in 1.37.
    m.write(
      "/proc/net/softnet_stat",
      "00000001 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000\n",
    );
    const old = softnetStatSource(m.context);
    old.collect((T0 + 5) * 1e6);
    assert.deepEqual(m.last("system.softnet_stat"), { processed: 1, dropped: 0, squeezed: 0, received_rps: 0 });
    old.close();

    m.remove("/proc/net/softnet_stat");
    const gone = softnetStatSource(m.context);
    assert.throws(() => gone.collect((T0 + 6) * 1e6), /proc\/net\/softnet_stat/);
    gone.close();
  } finally {
    m.dispose();
  }
});

test("softnet_stat: HexTable parses, skips headers and grows", () => {
  const t = new HexTable(100, 3);
  t.parse("head er\n" + Array.from({ length: 20 }, (_, i) => `${i.toString(16)} FF zz 1\n`).join("") + "\n", 1);
  assert.equal(t.rows, 20);
  assert.equal(t.value(19, 0), 19);
  assert.equal(t.value(0, 1), 255);
  assert.ok(Number.isNaN(t.value(0, 2)));
  assert.equal(t.words[0], 4);
  assert.ok(Number.isNaN(t.value(0, 3)));
});

test("softnet_stat: the real /proc for two iterations", () => {
  const m = fakeMachine();
  const source = softnetStatSource({ ...m.context, root: "/" });
  try {
    source.collect(T0 * 1e6);
    source.collect((T0 + 1) * 1e6);
    assert.ok(m.host.charts.has("system.softnet_stat"));
    assert.ok(m.host.charts.has("cpu.cpu0_softnet_stat"));
  } finally {
    source.close();
    m.dispose();
  }
});
