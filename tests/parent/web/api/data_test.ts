// /api/v1/data against real Hosts and ram-mode HostStores: windows far outside what is stored answer at
// once as 1.37 does (at most 86,400 rows, the reads bounded by the stored slots), too large answers are a
// 400, and CSV/TSV headers carry child strings safely.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { HostCatalogue } from "../../../../src/parent/storage/catalogue.ts";
import type { ChartStore } from "../../../../src/parent/storage/chart_store.ts";
import type { HostStore } from "../../../../src/parent/storage/host_store.ts";
import { formatValue } from "../../../../src/parent/web/api/data_formats.ts";
import { WebApi } from "../../../../src/parent/web/api/mod.ts";
import { conf, cpuValue, LAST_S, makeCatalogue, ND_CHILD_GUID, NOW_MS, STORED } from "../_hosts.ts";
import { testChartSpec } from "../../../_hosts.ts";
import { countingCatalogue, type ReadCounter } from "./_counting.ts";
import { answerText } from "../_body.ts";

const TEN_YEARS = 10 * 365 * 86400;

interface Wrapped {
  after: number;
  before: number;
  points: number;
  view_update_every: number;
  result: { labels: string[]; data: (number | null)[][] };
}

/** A chart on nd-child with the given dimension names (ids d0, d1, …) and its ring to fill. */
function addChart(catalogue: HostCatalogue, id: string, names: readonly string[]): ChartStore {
  const child = catalogue.byGuid(ND_CHILD_GUID)!;
  const chart = child.host.chart(testChartSpec(id, { units: "things", family: "test" }));
  names.forEach((name, i) => chart.dimension({ id: `d${i}`, name, algorithm: "absolute", multiplier: 1, divisor: 1 }));
  return (child.series as HostStore).series(id)!;
}

async function query(catalogue: HostCatalogue, q: string) {
  return await answerText(
    new WebApi({ catalogue, conf, nowMs: () => NOW_MS }).handle(`/host/nd-child/api/v1/data?${q}`, "x"),
  );
}

/** Runs a system.cpu query with jsonwrap, checks it is a 200 and that reads stayed within the stored slots. */
async function wrapped(q: string): Promise<Wrapped> {
  const counter: ReadCounter = { values: 0 };
  const r = await query(countingCatalogue(counter), `chart=system.cpu&options=jsonwrap|seconds&${q}`);
  assert.equal(r.status, 200, `${q}: ${r.body}`);
  // user and system for the rows, and once more for latest_values: never more than what is stored.
  assert.ok(counter.values <= 2 * 2 * STORED, `${q}: ${counter.values} values read`);
  return JSON.parse(r.body);
}

/** The rows of `w` that hold a value. */
function filled(w: Wrapped): (number | null)[][] {
  return w.result.data.filter((row) => row[1] !== null);
}

test("after=-100000000 (absolute, 1973) is kept to ten years back: 86,400 rows of 3,650 s, as on 1.37", async () => {
  const w = await wrapped("after=-100000000");
  assert.equal(w.points, 86400);
  assert.equal(w.result.data.length, 86400);
  assert.equal(w.view_update_every, 3650);
  // before=0 is the last stored slot aligned down to the grid (LAST_S % 3650 = 2705, so the stored slots
  // lie after the last row and no row holds a value); after is where 86,400 rows of 3,650 s begin.
  assert.equal(w.before, LAST_S - (LAST_S % 3650));
  assert.equal(w.after, w.before - 86400 * 3650 + 1);
  assert.ok(w.after >= LAST_S - TEN_YEARS - 3650);
  assert.deepEqual(filled(w), []);
  // An absolute before is aligned up: the last row then holds the average of every stored slot.
  const up = await wrapped(`after=-100000000&before=${LAST_S}`);
  assert.equal(up.result.data.length, 86400);
  let sum = 0;
  for (let t = LAST_S - STORED + 1; t <= LAST_S; t++) sum += cpuValue("user", t);
  assert.deepEqual(filled(up), [[up.before, Number(formatValue(sum / STORED)), 1]]);
});

test("after=99999999999999 (the far future) is flipped, shifted back to now and kept to ten years: same as above", async () => {
  const far = await wrapped("after=99999999999999");
  const old = await wrapped("after=-100000000");
  assert.deepEqual([far.after, far.before, far.points], [old.after, old.before, old.points]);
  assert.deepEqual(far.result.data.slice(-5), old.result.data.slice(-5));
});

test("after=-94608000&points=86400 (three years, relative) gives 86,400 rows of 1,095 s", async () => {
  const w = await wrapped("after=-94608000&points=86400");
  assert.equal(w.result.data.length, 86400);
  assert.equal(w.view_update_every, 1095);
  assert.ok(filled(w).length <= 2);
});

test("points=86400 on the default 600 s window gives at most the 600 slots, 20 of them stored", async () => {
  const w = await wrapped("points=86400");
  assert.equal(w.points, 600);
  assert.equal(filled(w).length, STORED);
  const limits = await wrapped("after=-999999999999999&before=999999999999999&points=999999999999999");
  assert.ok(limits.points <= 86400 * 2, String(limits.points));
  const all = await wrapped("after=0&before=0");
  assert.equal(all.points, STORED);
  assert.equal(filled(all).length, STORED);
});

test("a window that misses the stored range is 404 'No metrics where matched to query.', as on 1.37", async () => {
  const catalogue = makeCatalogue();
  for (const q of ["before=-99999999999", `after=${LAST_S - 100000}&before=${LAST_S - 50000}`]) {
    const r = await query(catalogue, `chart=system.cpu&${q}`);
    assert.deepEqual([r.status, r.body], [404, "No metrics where matched to query."], q);
  }
  // Two updates of slack before the first stored slot still meet it.
  const first = LAST_S - STORED + 1;
  const near = await query(catalogue, `chart=system.cpu&after=${first - 1000}&before=${first - 2}`);
  assert.equal(near.status, 200, near.body);
  const missed = await query(catalogue, `chart=system.cpu&after=${first - 1000}&before=${first - 3}`);
  assert.equal(missed.status, 404);
});

test("numbers that are not integers of at most 15 digits are 400 naming the parameter", async () => {
  const catalogue = makeCatalogue();
  for (const [q, name] of [["after=1e9", "after"], ["before=9999999999999999", "before"], ["points=1.5", "points"]]) {
    const r = await query(catalogue, `chart=system.cpu&${q}`);
    assert.equal(r.status, 400, q);
    assert.match(r.body, new RegExp(`'${name}'`));
  }
});

test("an answer of more than 5,000,000 values is a 400 that says so, before any of it is computed", async () => {
  const catalogue = makeCatalogue();
  const names = Array.from({ length: 60 }, (_, i) => `d${i}`);
  addChart(catalogue, "wide.chart", names).append(LAST_S, new Float64Array(60).fill(1), false);
  const r = await query(catalogue, "chart=wide.chart&after=-94608000&points=86400");
  assert.equal(r.status, 400);
  assert.match(r.body, /86400 points of 60 dimensions, 5184000 values; at most 5000000/);
  assert.equal((await query(catalogue, "chart=wide.chart&after=-94608000&points=1000")).status, 200);
});

test("csv and tsv headers: separators, quotes and line breaks escaped, formulas neutralised; values untouched", async () => {
  const catalogue = makeCatalogue();
  const names = ['a,"b"\r\nc', "=HYPERLINK(1)", "tab\there", "-1.5", "esc\u001b[2J"];
  addChart(catalogue, "odd.names", names).append(LAST_S, Float64Array.of(1, 2, 3, -1.5, 5), false);

  const csv = (await query(catalogue, "chart=odd.names&after=-1&format=csv&options=seconds")).body;
  assert.equal(
    csv,
    `time,"a,""b""\r\nc",'=HYPERLINK(1),tab here,'-1.5,esc [2J\r\n${LAST_S},1,2,3,-1.5,5\r\n`,
  );
  const tsv = (await query(catalogue, "chart=odd.names&after=-1&format=tsv&options=seconds")).body;
  assert.equal(tsv, `time\ta,"b"  c\t'=HYPERLINK(1)\ttab here\t'-1.5\tesc [2J\r\n${LAST_S}\t1\t2\t3\t-1.5\t5\r\n`);
  // Each line has exactly one cell per column.
  for (const line of tsv.split("\r\n").filter((l) => l.length > 0)) assert.equal(line.split("\t").length, 6);
  // JSON keeps the names as they are, escaped by JSON itself.
  const json = JSON.parse((await query(catalogue, "chart=odd.names&after=-1")).body);
  assert.deepEqual(json.labels, ["time", ...names]);
});
