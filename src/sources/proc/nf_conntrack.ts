/**
 * `/proc/net/stat/nf_conntrack`: the netfilter.conntrack_* charts Netdata 1.37 makes, and the host variable
 * `netfilter_conntrack_max` from `/proc/sys/net/netfilter/nf_conntrack_max`, read every 10 seconds as 1.37
 * does.
 *
 * The file is a header and one line of 17 hexadecimal counters per CPU; the per-CPU lines are summed and
 * `entries` (the same table-wide count on every line) is taken from the first line that has it. Like 1.37
 * the columns are read by position with the old kernels' meaning: newer kernels print `clashres` where
 * `searched` was and `chainlength` where `delete_list` was, and those land in the same dimensions.
 *
 * Without the stat file (conntrack statistics not compiled in) 1.37 falls back to
 * `/proc/sys/net/netfilter/nf_conntrack_count` for the connections chart alone; so does this source.
 *
 * @module
 */

import type { Chart, DimensionSpec } from "../../metrics/chart.ts";
import { ProcFile } from "../../runtime/proc_file.ts";
import { rootPath, type Source, type SourceContext } from "../source.ts";
import { dim, procChart } from "./_chart.ts";
import { firstInt } from "./_lines.ts";
import { HexTable } from "./softnet_stat.ts";

const MODULE = "/proc/net/stat/nf_conntrack";
const MAX_EVERY_S = 10;
const COLUMNS = 17;
/** Lines read at most (one per possible CPU). */
const MAX_CPUS = 8192;

// Column positions in a CPU line.
const ENTRIES = 0, SEARCHED = 1, FOUND = 2, NEW = 3, INVALID = 4, IGNORE = 5, DELETE = 6, DELETE_LIST = 7;
const INSERT = 8, INSERT_FAILED = 9, DROP = 10, EARLY_DROP = 11, ICMP_ERROR = 12, EXPECT_NEW = 13;
const EXPECT_CREATE = 14, EXPECT_DELETE = 15, SEARCH_RESTART = 16;

interface ConntrackChart {
  readonly id: string;
  readonly title: string;
  readonly units: string;
  readonly priority: number;
  readonly detail: boolean;
  readonly dims: readonly DimensionSpec[];
  /** The column feeding each dimension. */
  readonly columns: readonly number[];
}

const inc = (id: string, sign: 1 | -1 = 1) => dim(id, "incremental", sign);

/** In 1.37's order; the first (connections) is the one the fallback keeps. */
const CHARTS: readonly ConntrackChart[] = [
  {
    id: "netfilter.conntrack_sockets",
    title: "Connection Tracker Connections",
    units: "active connections",
    priority: 8700,
    detail: false,
    dims: [dim("connections", "absolute")],
    columns: [ENTRIES],
  },
  {
    id: "netfilter.conntrack_new",
    title: "Connection Tracker New Connections",
    units: "connections/s",
    priority: 8701,
    detail: false,
    dims: [inc("new"), inc("ignore", -1), inc("invalid", -1)],
    columns: [NEW, IGNORE, INVALID],
  },
  {
    id: "netfilter.conntrack_changes",
    title: "Connection Tracker Changes",
    units: "changes/s",
    priority: 8702,
    detail: true,
    dims: [inc("inserted"), inc("deleted", -1), inc("delete_list", -1)],
    columns: [INSERT, DELETE, DELETE_LIST],
  },
  {
    id: "netfilter.conntrack_expect",
    title: "Connection Tracker Expectations",
    units: "expectations/s",
    priority: 8703,
    detail: true,
    dims: [inc("created"), inc("deleted", -1), inc("new")],
    columns: [EXPECT_CREATE, EXPECT_DELETE, EXPECT_NEW],
  },
  {
    id: "netfilter.conntrack_search",
    title: "Connection Tracker Searches",
    units: "searches/s",
    priority: 8710,
    detail: true,
    dims: [inc("searched"), inc("restarted", -1), inc("found")],
    columns: [SEARCHED, SEARCH_RESTART, FOUND],
  },
  {
    id: "netfilter.conntrack_errors",
    title: "Connection Tracker Errors",
    units: "events/s",
    priority: 8705,
    detail: true,
    dims: [inc("icmp_error"), inc("insert_failed", -1), inc("drop", -1), inc("early_drop", -1)],
    columns: [ICMP_ERROR, INSERT_FAILED, DROP, EARLY_DROP],
  },
];

/**
 * The /proc/net/stat/nf_conntrack source.
 *
 * @example
 * ```ts
 * const source = nfConntrackSource({ host, root: "/", updateEvery: 1, log });
 * source.collect(Date.now() * 1000); // netfilter.conntrack_sockets, …; host variable netfilter_conntrack_max
 * ```
 */
export function nfConntrackSource(ctx: SourceContext): Source {
  const file = new ProcFile(rootPath(ctx.root, MODULE));
  const countFile = new ProcFile(rootPath(ctx.root, "/proc/sys/net/netfilter/nf_conntrack_count"));
  const maxFile = new ProcFile(rootPath(ctx.root, "/proc/sys/net/netfilter/nf_conntrack_max"));
  const table = new HexTable(MAX_CPUS, COLUMNS);
  const sums = new Float64Array(COLUMNS);
  const charts: (Chart | undefined)[] = CHARTS.map(() => undefined);
  let maxDueUs = 0;

  /** Obsoletes the charts from index `from` on. */
  const obsoleteFrom = (from: number): void => {
    for (let i = from; i < charts.length; i++) {
      const c = charts[i];
      if (c !== undefined) ctx.host.obsolete(c);
      charts[i] = undefined;
    }
  };

  /** Sums the CPU lines into `sums`; false when there was none. */
  const sumTable = (text: string): boolean => {
    table.parse(text, 1);
    sums.fill(0);
    let lines = 0;
    for (let r = 0; r < table.rows; r++) {
      if (table.words[r] < COLUMNS) continue;
      lines++;
      for (let col = 1; col < COLUMNS; col++) {
        const v = table.value(r, col);
        if (v === v) sums[col] += v;
      }
      const entries = table.value(r, ENTRIES);
      if (sums[ENTRIES] === 0 && entries === entries) sums[ENTRIES] = entries;
    }
    return lines > 0;
  };

  return {
    name: MODULE,
    updateEvery: ctx.updateEvery,
    collect(nowUs) {
      if (nowUs >= maxDueUs) {
        maxDueUs = nowUs + MAX_EVERY_S * 1e6;
        const max = firstInt(maxFile.read());
        if (max === max) ctx.host.variable("netfilter_conntrack_max", max);
      }

      const text = file.read();
      let available = CHARTS.length;
      if (text === undefined) {
        const count = firstInt(countFile.read());
        if (count !== count) {
          obsoleteFrom(0);
          throw new Error(
            `${file.path}: ${file.lastError}; ${countFile.path}: ${countFile.lastError ?? "not a number"}`,
          );
        }
        sums[ENTRIES] = count;
        available = 1;
        obsoleteFrom(1);
      } else if (!sumTable(text)) {
        obsoleteFrom(0);
        throw new Error(`unexpected contents of ${file.path}: '${text.slice(0, 80)}'`);
      }

      for (let i = 0; i < available; i++) {
        const spec = CHARTS[i];
        const c = charts[i] ??= procChart(ctx.host, MODULE, ctx.updateEvery, {
          id: spec.id,
          title: spec.title,
          units: spec.units,
          family: "conntrack",
          context: spec.id,
          chartType: "line",
          priority: spec.priority,
          detail: spec.detail,
        }, spec.dims);
        for (let d = 0; d < spec.columns.length; d++) c.dimensions[d].set(sums[spec.columns[d]]);
        ctx.host.collected(c, nowUs);
      }
    },
    close() {
      file.close();
      countFile.close();
      maxFile.close();
    },
  };
}
