// HostStore: observing a host, memory modes, save files across a restart, replication entry points.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Chart } from "../../../src/metrics/chart.ts";
import type { Host } from "../../../src/metrics/host.ts";
import { HostStore, type HostStoreOptions } from "../../../src/parent/storage/host_store.ts";
import { Logger } from "../../../src/runtime/log.ts";
import { gauges, newHost, T } from "./_charts.ts";

const nan = NaN;

/** A store observing `host` on a clock the test moves (from `T + startS`); its log lines land in `lines`. */
function observed(host: Host, options: Partial<HostStoreOptions> = {}, startS = 0) {
  const lines: string[] = [];
  let nowUs = (T + startS) * 1e6;
  const store = new HostStore(host, {
    mode: "ram",
    history: 10,
    log: new Logger("rill-parent", "STORAGE", (l) => lines.push(l)),
    nowUs: () => nowUs,
    ...options,
  });
  host.observe(store);
  /** One BEGIN/SET/END at `T + s` with the child's reported duration. */
  const iterate = (chart: Chart, s: number, reportedUs: number, values: number[]): void => {
    nowUs = Math.round((T + s) * 1e6);
    values.forEach((v, i) => chart.dimensions[i].set(v));
    chart.reportedSinceLastUs = reportedUs;
    host.collected(chart, nowUs);
  };
  return { store, lines, iterate };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "rill-storage-"));
}

test("ram: collected iterations become stored points, rounded as a Netdata parent stores them", () => {
  const host = newHost();
  const chart = gauges(host, ["a", "b"]);
  chart.dimensions[1].divisor = 3;
  const { store, iterate } = observed(host);
  iterate(chart, 0.3, 0, [5, 1]);
  assert.equal(store.lastTimeS(), 0);
  iterate(chart, 1.3, 1_000_000, [6, 1]);
  iterate(chart, 2.3, 1_000_000, [7, 2]);
  const series = store.series("test.gauges")!;
  assert.equal(series.updateEvery, 1);
  assert.equal(series.chart, chart);
  const w = series.read(["a", "b"], 0, Infinity);
  assert.deepEqual(w.times, [T + 1, T + 2]);
  assert.deepEqual(Array.from(w.columns[0]), [6, 7]);
  assert.deepEqual(Array.from(w.columns[1]), [0.3333333, 0.6666667]);
  assert.equal(store.firstTimeS(), T + 1);
  assert.equal(store.lastTimeS(), T + 2);
  assert.equal(store.series("no.such.chart"), undefined);
  // A dimension added between iterations gets its own column.
  chart.dimension({ id: "c", algorithm: "absolute", multiplier: 1, divisor: 1 });
  iterate(chart, 3.3, 1_000_000, [8, 3, 1]);
  iterate(chart, 4.3, 1_000_000, [9, 3, 2]);
  assert.deepEqual(Array.from(series.read(["c"], 0, Infinity).columns[0]), [nan, nan, nan, 2]);
});

test("none: series exist but nothing is stored", () => {
  const host = newHost();
  const chart = gauges(host, ["a"]);
  const { store, iterate } = observed(host, { mode: "none" });
  for (let s = 0; s < 4; s++) iterate(chart, s + 0.5, 1_000_000, [s]);
  const series = store.series("test.gauges")!;
  assert.equal(series.lastTimeS(), 0);
  assert.equal(series.read(["a"], 0, Infinity).times.length, 0);
  assert.equal(store.lastTimeS(), 0);
  assert.equal(store.firstTimeS(), 0);
  assert.equal(store.storeReplayed("test.gauges", T, "a", 1, false), true);
  assert.equal(series.lastTimeS(), 0);
});

test("save: history survives a restart when the chart comes back with the same definition", async () => {
  const dir = tempDir();
  try {
    const host = newHost();
    const chart = gauges(host, ["a", "b"]);
    const { store, iterate } = observed(host, { mode: "save", directory: dir });
    for (let s = 0; s < 5; s++) iterate(chart, s + 0.5, 1_000_000, [s, -s]);
    await store.save();
    const folder = join(dir, host.identity.machineGuid);
    assert.deepEqual(readdirSync(folder), ["test.gauges.rill"]);

    // "Restart": a new host model and store; the file is read when the chart is collected again.
    const host2 = newHost();
    const chart2 = gauges(host2, ["a", "b"]);
    const after = observed(host2, { mode: "save", directory: dir }, 7);
    const before = after.store.series("test.gauges")!;
    assert.equal(before.lastTimeS(), T + 4);
    assert.deepEqual(Array.from(before.read(["b"], 0, Infinity).columns[0]), [-1, -2, -3, -4]);
    // Collection resumes 3 s later: the first new iteration stores nothing, the skipped slots are gaps.
    after.iterate(chart2, 7.5, 1_000_000, [7, 7]);
    after.iterate(chart2, 8.5, 1_000_000, [8, 8]);
    assert.deepEqual(Array.from(before.read(["a"], 0, Infinity).columns[0]), [1, 2, 3, 4, nan, nan, nan, 8]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("save: the folder is the machine GUID in lower case, whatever case the host's identity holds", async () => {
  const dir = tempDir();
  const guid = "abcdef01-0000-0000-0000-00000000000a";
  try {
    const host = newHost(guid.toUpperCase());
    const { store, iterate } = observed(host, { mode: "save", directory: dir });
    const chart = gauges(host, ["a"]);
    for (let s = 0; s < 3; s++) iterate(chart, s + 0.5, 1_000_000, [s]);
    await store.save();
    assert.deepEqual(readdirSync(dir), [guid]);
    // The same host coming back, in either case, reads the same files.
    const again = newHost(guid);
    const after = observed(again, { mode: "save", directory: dir }, 4);
    gauges(again, ["a"]);
    assert.equal(after.store.series("test.gauges")?.lastTimeS(), T + 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("save: removeFiles deletes the host's folder and no other host's (a forgotten orphan)", async () => {
  const dir = tempDir();
  const guids = ["abcdef01-0000-0000-0000-00000000000b", "abcdef01-0000-0000-0000-00000000000c"];
  try {
    const stores = guids.map((guid) => {
      const host = newHost(guid);
      const { store, iterate } = observed(host, { mode: "save", directory: dir });
      const chart = gauges(host, ["a"]);
      for (let s = 0; s < 3; s++) iterate(chart, s + 0.5, 1_000_000, [s]);
      return store;
    });
    for (const store of stores) await store.save();
    assert.deepEqual(readdirSync(dir).sort(), guids);
    await stores[0].removeFiles();
    assert.deepEqual(readdirSync(dir), [guids[1]]);
    await stores[0].removeFiles(); // nothing left to delete is no error
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("save: a file whose dimensions or update_every no longer match is ignored and logged", async () => {
  const dir = tempDir();
  try {
    const host = newHost();
    const chart = gauges(host, ["a", "b"]);
    const { store, iterate } = observed(host, { mode: "save", directory: dir });
    for (let s = 0; s < 3; s++) iterate(chart, s + 0.5, 1_000_000, [s, s]);
    await store.save();

    const other = observed(newHost(), { mode: "save", directory: dir });
    gauges(other.store.host, ["a", "c"]);
    assert.equal(other.store.series("test.gauges")!.lastTimeS(), 0);
    assert.match(other.lines.join("\n"), /does not have the dimensions of chart 'test\.gauges'/);

    const slower = observed(newHost(), { mode: "save", directory: dir });
    gauges(slower.store.host, ["a", "b"], 2);
    assert.equal(slower.store.series("test.gauges")!.lastTimeS(), 0);
    assert.match(slower.lines.join("\n"), /does not have the desired granularity/);

    // Points newer than the clock (T + 2 saved, the clock at T - 5): ignored.
    const early = observed(newHost(), { mode: "save", directory: dir }, -5);
    gauges(early.store.host, ["a", "b"]);
    assert.equal(early.store.series("test.gauges")!.lastTimeS(), 0);
    assert.match(early.lines.join("\n"), /refers to the future/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("map and dbengine fall back to save with one warning; save needs a directory", async () => {
  const dir = tempDir();
  try {
    for (const mode of ["dbengine", "map"] as const) {
      const host = newHost();
      const { store, lines, iterate } = observed(host, { mode, directory: dir });
      assert.equal(store.mode, "save");
      assert.equal(lines.length, 1);
      assert.match(lines[0], new RegExp(`ERROR : STORAGE : memory mode '${mode}' is not supported, using 'save'`));
      const chart = gauges(host, ["a"]);
      iterate(chart, 0.5, 0, [1]);
      iterate(chart, 1.5, 1_000_000, [2]);
      await store.save();
      assert.ok(existsSync(join(dir, host.identity.machineGuid, "test.gauges.rill")));
    }
    assert.throws(() => observed(newHost(), { mode: "save" }), /needs a directory/);
    assert.equal(observed(newHost(), { mode: "alloc" }).store.mode, "ram");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("replication: replayed points land at their slots, then streaming continues from the child's state", () => {
  const host = newHost();
  const chart = gauges(host, ["a"]);
  const { store, iterate } = observed(host);
  assert.equal(store.replayBegin("no.such.chart", T + 1, T + 2), false);
  for (const [end, value] of [[T + 8, 80], [T + 9, nan], [T + 10, 100]]) {
    assert.ok(store.replayBegin("test.gauges", end - 1, end));
    assert.ok(store.storeReplayed("test.gauges", end, "a", value, end === T + 10));
  }
  assert.equal(store.storeReplayed("test.gauges", T + 10, "zz", 1, false), false);
  assert.ok(store.restoreDimension("test.gauges", "a", (T + 10.5) * 1e6, 100, 100, 100));
  assert.ok(store.restoreChart("test.gauges", (T + 10.5) * 1e6, (T + 10) * 1e6));
  assert.ok(store.replicationEnded("test.gauges", true));
  assert.equal(store.lastTimeS(), T + 10);
  // The first BEGIN after REND: its duration is trusted and the chart interpolates from 100 @ T+10.5.
  iterate(chart, 11.9, 1_000_000, [200]);
  const w = store.series("test.gauges")!.read(["a"], 0, Infinity);
  assert.deepEqual(w.times, [T + 8, T + 9, T + 10, T + 11]);
  // 100 is stored as 10⁷ ÷ 10⁵ and read back as 1.37 reads it, 10⁷ × 1e-5 (an ulp above 100).
  assert.deepEqual(Array.from(w.columns[0]), [80, nan, 1e7 * 1e-5, 200]);
  assert.deepEqual(Array.from(w.resets[0]), [0, 0, 1, 0]);
});
