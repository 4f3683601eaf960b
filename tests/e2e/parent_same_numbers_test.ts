// "Same numbers as Netdata": one real Netdata 1.37 child streams through a tee to a real 1.37 parent
// (which answers the child) and to the compiled rill-parent (which only listens). Both parents then get
// the same absolute-window /api/v1/data queries and must print the same numbers, slot by slot: raw
// points and grouped ones (average, max, sum, min), for incremental, absolute and
// percentage-of-incremental-row charts, and then for every 1-second chart the child has. Their
// /api/v1/charts must list the same charts and dimensions.
//
// The tolerance is zero, from what the runs show and why. A parent does not timestamp the child's
// points by the sub-second phase of its own clock: the child (RAM database) answers the real parent's
// REPLAY_CHART for every chart with RSSTATE, which sets last_collected/last_updated to the child's clock,
// and every later BEGIN carries the child's measured duration, which both parents trust; so the
// interpolation onto the grid uses the child's timestamps only (and without RSSTATE the first END is
// placed at .5 s of its second, not at the parent's microsecond, so a few ms of phase change nothing).
// Both parents then do the same double arithmetic, pack the result into the same 24-bit storage_number
// words and print them with 7 decimals, so equal algorithms print equal text: over ~200 charts x 20
// slots every value came out identical. The only differences ever seen were one unit of the 7th decimal
// in grouped rows, and they were rill bugs (storage_number read back by division instead of 1.37's
// lookup-table multiply; a toFixed formatter instead of 1.37's fraction x 10^7 llrint): a "within
// rounding" tolerance would have hidden them. Exact equality also catches any wrong algorithm (a factor
// of update_every, a missing multiplier or divisor, an off-by-one slot); the test checks that the
// shifted and doubled series would fail, i.e. that the compared data is not degenerate. The one
// exception is a documented 1.37 quirk (see difference()): 0 where rill says null, before a dimension's
// first point; and one more about which charts a window that ends just before a chart began takes in (see
// {@link retentionEdge}).
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ACCEPTING_STREAM_CONF,
  NETDATA_SKIP_REASON,
  type RealNetdata,
  startNetdataChild,
  startNetdataParent,
} from "../interop/_netdata.ts";
import { startTeeRelay } from "../interop/_tee_relay.ts";
import { until } from "../_until.ts";
import { PARENT_SKIP, type RunningParent, startParent } from "./_parent.ts";

// rill-parent gets the child's bytes as negotiated with the real parent, so both parents must settle the
// same thing: both grant LZ4 (the default everywhere, and the child's too), or neither does.
const PLAIN_STREAM_CONF = `${ACCEPTING_STREAM_CONF}    enable compression = no\n`;
const CHILD = "nd-same-numbers-child";

interface DataReply {
  labels: string[];
  data: (number | null)[][];
}

/** A parent's answer: the rows, or the status and text of a refusal. */
type Answer = DataReply | { status: number; text: string };

interface ChartsReply {
  charts: Record<string, { update_every: number; first_entry: number; dimensions: Record<string, unknown> }>;
}

/** The chart the child's own plugin (see {@link latePluginFolder}) starts collecting after {@link LATE_AFTER_S}. */
const LATE_CHART = "late.appears";
const LATE_AFTER_S = 20;

/**
 * A folder with one external plugin for the child: it defines {@link LATE_CHART} only after
 * {@link LATE_AFTER_S} seconds, as proc.plugin does with charts that start counting mid-run (the IPv4 TCP
 * memory chart appears the first time that memory is not zero), so the compared window holds a chart's
 * very first points, every run.
 */
function latePluginFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), "rill-late-plugin-"));
  const plugin = join(dir, "late.plugin");
  writeFileSync(
    plugin,
    `#!/bin/sh
sleep ${LATE_AFTER_S}
echo "CHART ${LATE_CHART} '' 'A chart that appears mid-run' 'things' late late.appears line 1000 1"
echo "DIMENSION counted '' incremental 1 1"
echo "DIMENSION level '' absolute 1 1"
n=0
while true; do
  n=$((n + 1))
  printf 'BEGIN ${LATE_CHART}\nSET counted = %d\nSET level = %d\nEND\n' $((n * n * 7)) $((n % 13))
  sleep 1
done
`,
  );
  chmodSync(plugin, 0o755);
  return dir;
}

/**
 * Where each dimension of a raw (one row per slot) rill reply got its first point inside the window: the
 * time of its oldest value when every older row is null, or `Infinity` when the column has no value yet.
 * Columns with a value in the oldest row are not listed.
 */
function firstPoints(rill: DataReply): Map<number, number> {
  const first = new Map<number, number>();
  const rows = rill.data;
  for (let c = 1; c < rill.labels.length; c++) {
    if (rows.length === 0 || rows[rows.length - 1][c] !== null) continue;
    let oldest = Infinity;
    for (const row of rows) if (row[c] !== null) oldest = row[0] as number;
    first.set(c, oldest);
  }
  return first;
}

/**
 * Where two replies differ (labels, row times or values), or `undefined` when they agree.
 *
 * One documented 1.37 quirk is allowed for, and only where it applies: a 1.37 parent in RAM mode answers 0,
 * not null, for the slots before a dimension's first point, also for a dimension that appears mid-run (the
 * child adds softirqs like HRTIMER when they first count). `first` (from {@link firstPoints} of rill's raw
 * reply for the same window) tells where that is; a row that lies wholly before it must be 0 on the real
 * parent and null on rill, and a grouped row that straddles it (the real parent averaged those zeros in)
 * is not compared. Everything else must be equal.
 */
function difference(real: DataReply, rill: DataReply, first = firstPoints(rill)): string | undefined {
  if (JSON.stringify(real.labels) !== JSON.stringify(rill.labels)) {
    return `labels ${JSON.stringify(real.labels)} vs ${JSON.stringify(rill.labels)}`;
  }
  if (real.data.length !== rill.data.length) return `${real.data.length} rows vs ${rill.data.length}`;
  // A row at time t covers the `span` seconds up to t (rows are newest first, evenly spaced).
  const span = real.data.length > 1 ? (real.data[0][0] as number) - (real.data[1][0] as number) : 1;
  for (let i = 0; i < real.data.length; i++) {
    const [a, b] = [real.data[i], rill.data[i]];
    if (a[0] !== b[0]) return `row ${i}: time ${a[0]} vs ${b[0]}`;
    const time = a[0] as number;
    for (let c = 1; c < a.length; c++) {
      const firstPoint = first.get(c) ?? -Infinity;
      const beforeFirst = time < firstPoint && a[c] === 0 && b[c] === null;
      const straddles = time >= firstPoint && time - span < firstPoint - 1;
      if (a[c] !== b[c] && !beforeFirst && !straddles) {
        return `row ${i} (${a[0]}) ${real.labels[c]}: ${a[c]} vs ${b[c]}`;
      }
    }
  }
  return undefined;
}

/**
 * Whether a 404 on one parent and rows on the other are the one documented 1.37 quirk about which charts a
 * window takes in, and not a difference in what is stored.
 *
 * A 1.37 ram parent takes a chart into a query when its retention, widened by two updates, meets the window,
 * and it reckons that retention as `last_updated - counter × update_every`, where `counter` also counts the
 * replication commands that store nothing (`RBEGIN` without points, `RSSTATE`, `REND`: 1.37's
 * pluginsd_parser.c). So for a chart that began a few seconds after the window ended, whether 1.37 answers
 * 404 or a row of empty slots depends on how its replication round went (both were seen, one slot either
 * way of rill's answer). rill reckons retention from the slots it holds. The two agree wherever the chart
 * has data in the window; so where one side answers 404 the other must hold no value in the window (null,
 * or 0 from the real parent's slots before a first point), and the chart must have begun (its first stored
 * slot on rill) no earlier than the window's last slot.
 */
function retentionEdge(real: Answer, rill: Answer, rillFirstEntry: number, before: number): boolean {
  const notFound = (a: Answer) => "status" in a && a.status === 404;
  const empty = (a: Answer, allowed: (number | null)[]) =>
    !("status" in a) && a.data.every((row) => row.slice(1).every((v) => allowed.includes(v)));
  const oneSided = (notFound(real) && empty(rill, [null])) || (notFound(rill) && empty(real, [null, 0]));
  return oneSided && rillFirstEntry >= before;
}

/** The reply as an off-by-one-slot parent would give it: every value moved to the next older row. */
function shifted(reply: DataReply): DataReply {
  return { labels: reply.labels, data: reply.data.map((row, i) => [row[0], ...(reply.data[i + 1] ?? row).slice(1)]) };
}

/** The reply with its newest row empty, as a parent that lost a point would give it. */
function dropped(reply: DataReply): DataReply {
  return {
    labels: reply.labels,
    data: reply.data.map((row, i) => i === 0 ? [row[0], ...row.slice(1).map(() => null)] : row),
  };
}

/** The reply with every value doubled, as a wrong factor would give it. */
function doubled(reply: DataReply): DataReply {
  return {
    labels: reply.labels,
    data: reply.data.map((row) => [row[0], ...row.slice(1).map((v) => v === null ? null : v * 2)]),
  };
}

async function answer(port: number, path: string): Promise<Answer> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return response.ok ? await response.json() as DataReply : { status: response.status, text: await response.text() };
}

// rill-parent answers at most 100 requests a second on one keep-alive connection.
const pace = () => new Promise((r) => setTimeout(r, 12));

test("rill-parent stores and answers the same numbers as a real Netdata 1.37 parent for the same child", {
  skip: NETDATA_SKIP_REASON ?? PARENT_SKIP ?? false,
  timeout: 150_000,
}, () => sameNumbers(PLAIN_STREAM_CONF, "plain"));

test("the same numbers with the child's default LZ4 compression: both parents decode the same frames", {
  skip: NETDATA_SKIP_REASON ?? PARENT_SKIP ?? false,
  timeout: 150_000,
}, () => sameNumbers(ACCEPTING_STREAM_CONF, "lz4"));

/** The comparison, with `streamConf` on both parents; `wire` says what both must have negotiated. */
async function sameNumbers(streamConf: string, wire: "plain" | "lz4"): Promise<void> {
  let real: RealNetdata | undefined;
  let rill: RunningParent | undefined;
  let relay: Awaited<ReturnType<typeof startTeeRelay>> | undefined;
  let child: ReturnType<typeof startNetdataChild> | undefined;
  const plugins = latePluginFolder();
  try {
    real = await startNetdataParent(streamConf);
    rill = await startParent({ streamConf, mode: "ram" });
    relay = await startTeeRelay(real.port, rill.port);
    // A RAM database, so the child answers replication (RSSTATE carries its clock) like a normal child.
    child = startNetdataChild({ port: relay.port, dbMode: "ram", hostname: CHILD, pluginsDirectory: plugins });
    const [r1, r2] = [real, rill];
    await until("rill's negotiated capabilities", () => /negotiated capabilities: .*VCAPS/.test(r2.output()), 60_000);
    const caps = /established link with negotiated capabilities: (.*)/.exec(r2.output())![1].split(" ");
    assert.equal(caps.includes("COMPRESSION"), wire === "lz4", caps.join(" "));
    const both = async (path: string): Promise<[DataReply, DataReply]> => {
      const a = await r1.json(path) as DataReply;
      await pace();
      return [a, await r2.json(path) as DataReply];
    };
    const query = (chart: string, after: number, before: number, extra = "") =>
      `/host/${CHILD}/api/v1/data?chart=${chart}&after=${after}&before=${before}&format=json&options=seconds${extra}`;

    // Live points on both sides for 25 s up to 7 s ago: the window below, and the few slots before it
    // that its aligned groups can reach, hold data on both.
    await until("25 s of system.intr on both parents", async () => {
      const nowS = Math.floor(Date.now() / 1000);
      const replies = await both(query("system.intr", nowS - 31, nowS - 7));
      return replies.every((r) => r.data.length >= 25 && r.data.every((row) => row[1] !== null));
    }, 90_000);

    // One absolute window of 20 one-second slots. It ends 7 s ago because an aligned grouped row ends on
    // the next multiple of its span (up to 4 s later here): its newest slot must already be stored on
    // both parents, or the two answers would average different numbers of slots.
    const before = Math.floor(Date.now() / 1000) - 7;
    const after = before - 19;
    const CHARTS = [
      "system.intr", // incremental
      "system.ctxt", // incremental
      "system.forks", // incremental, mostly small numbers
      "system.ram", // absolute, divisor 1024
      "mem.available", // absolute
      "system.active_processes", // absolute
      "system.processes", // absolute, can be negative
      "system.cpu", // percentage-of-incremental-row (the child has no percentage-of-absolute-row chart)
    ];
    const GROUPINGS = ["", "&points=5", "&points=7&group=max", "&points=4&group=sum", "&points=10&group=min"];
    const failures: string[] = [];
    const raw = new Map<string, [DataReply, DataReply]>();
    for (const chart of CHARTS) {
      for (const grouping of GROUPINGS) {
        const [a, b] = await both(query(chart, after, before, grouping));
        if (grouping === "") raw.set(chart, [a, b]);
        const first = firstPoints(raw.get(chart)![1]);
        // The window is in the past and stored: rows with values, newest first, on the same times.
        assert.ok(a.data.length > 0 && a.data.some((row) => row.slice(1).some((v) => v !== null)), chart);
        const diff = difference(a, b, first);
        if (diff !== undefined) failures.push(`${chart}${grouping}: ${diff}`);
      }
    }
    assert.deepEqual(failures, [], `after=${after} before=${before}:\n${failures.join("\n")}`);

    // A chart's first points: a window of 20 slots around where the child's late chart began, once its end
    // is stored on both parents; the slots before its first point hold nothing on either.
    let lateFirst = 0;
    await until(`${LATE_CHART} on rill, with 10 s of data stored`, async () => {
      const charts = (await r2.json(`/host/${CHILD}/api/v1/charts`) as ChartsReply).charts;
      lateFirst = charts[LATE_CHART]?.first_entry ?? 0;
      return lateFirst > 0 && Date.now() / 1000 - 7 >= lateFirst + 10;
    }, 90_000);
    const lateFailures: string[] = [];
    for (const grouping of GROUPINGS) {
      const [a, b] = await both(query(LATE_CHART, lateFirst - 10, lateFirst + 9, grouping));
      if (grouping === "") {
        raw.set(LATE_CHART, [a, b]);
        const values = b.data.filter((row) => row.slice(1).some((v) => v !== null)).length;
        assert.ok(
          values >= 5 && values <= b.data.length - 5,
          `${LATE_CHART}: ${values} of ${b.data.length} rows hold values`,
        );
      }
      const diff = difference(a, b, firstPoints(raw.get(LATE_CHART)![1]));
      if (diff !== undefined) lateFailures.push(`${LATE_CHART}${grouping}: ${diff}`);
    }
    assert.deepEqual(lateFailures, [], `around ${LATE_CHART}'s first point ${lateFirst}:\n${lateFailures.join("\n")}`);

    // The tolerance has teeth: the same rows one slot off, or doubled, would not pass.
    for (const chart of ["system.intr", "system.ctxt", "system.ram"]) {
      const [a, b] = raw.get(chart)!;
      assert.notEqual(difference(a, shifted(b)), undefined, `${chart} shifted by a slot would pass`);
      assert.notEqual(difference(a, doubled(b)), undefined, `${chart} doubled would pass`);
      assert.notEqual(difference(a, dropped(b)), undefined, `${chart} with its newest point missing would pass`);
    }

    // The same charts and dimensions: everything the real parent lists is on rill, and nothing else
    // (the real parent is asked again after rill, so a chart that arrives in between is not counted).
    const realCharts = (await r1.json(`/host/${CHILD}/api/v1/charts`) as ChartsReply).charts;
    await pace();
    const rillCharts = (await r2.json(`/host/${CHILD}/api/v1/charts`) as ChartsReply).charts;
    const realLater = (await r1.json(`/host/${CHILD}/api/v1/charts`) as ChartsReply).charts;
    assert.ok(Object.keys(realCharts).length >= 50, `${Object.keys(realCharts).length} charts`);
    assert.deepEqual(Object.keys(realCharts).filter((id) => !(id in rillCharts)), [], "charts missing on rill");
    assert.deepEqual(Object.keys(rillCharts).filter((id) => !(id in realLater)), [], "charts only on rill");
    // Dimensions likewise: a chart may gain one between the three listings.
    for (const [id, chart] of Object.entries(realCharts)) {
      const dims = Object.keys(rillCharts[id].dimensions);
      const missing = Object.keys(chart.dimensions).filter((d) => !dims.includes(d));
      assert.deepEqual(missing, [], `dimensions of ${id} missing on rill`);
      const extra = dims.filter((d) => !(d in (realLater[id]?.dimensions ?? {})));
      assert.deepEqual(extra, [], `dimensions of ${id} only on rill`);
      assert.equal(rillCharts[id].update_every, chart.update_every, `update_every of ${id}`);
    }

    // Every 1-second chart over the same window. (Charts collected every 5 or 10 s have only a few slots
    // here, most of them before the chart's first point, where the real parent answers 0: too little to
    // compare.)
    // A chart whose stored data misses the window (one that appeared later, like a disk that came to life)
    // is answered 404 "No metrics where matched to query." by 1.37, and must be by rill too.
    let compared = 0;
    const sweep: string[] = [];
    for (const [id, chart] of Object.entries(realCharts)) {
      if (chart.update_every !== 1) continue;
      const a = await answer(r1.port, query(id, after, before));
      await pace();
      const b = await answer(r2.port, query(id, after, before));
      await pace();
      if ("status" in a || "status" in b) {
        const same = JSON.stringify(a) === JSON.stringify(b);
        if (!same && !retentionEdge(a, b, rillCharts[id].first_entry, before)) {
          sweep.push(`${id}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
        }
        continue;
      }
      const diff = difference(a, b);
      if (diff !== undefined) sweep.push(`${id}: ${diff}`);
      compared++;
    }
    assert.ok(compared >= 50, `${compared} one-second charts compared`);
    assert.deepEqual(sweep, [], `after=${after} before=${before}:\n${sweep.join("\n")}`);
  } catch (e) {
    if (rill !== undefined) console.error(rill.output().split("\n").slice(-30).join("\n"));
    throw e;
  } finally {
    await child?.stop();
    await relay?.stop();
    await rill?.stop();
    await real?.stop();
    rmSync(plugins, { recursive: true, force: true });
  }
}
