/**
 * `/proc/diskstats`: system.io and the per block device disk charts Netdata 1.37 makes, with its defaults:
 * `loop*` and `ram*` devices are excluded, partitions get no charts, physical and virtual disks get each
 * chart once its counters are non-zero ("auto"), and the averages (await, avgsz, svctm) from the second
 * reading on, since they need a previous one. `/sys/block` gives the type (physical, partition, virtual),
 * the hardware sector size and device-mapper names; `/proc/self/mountinfo` the mount point that 1.37 uses
 * as the charts' family. A device whose line disappears has its charts obsoleted and is forgotten; when it
 * returns it is discovered again.
 *
 * Counters are kept as `number`: sector counters pass 2^53 only after 4 ZiB were moved.
 *
 * @module
 */

import { existsSync } from "node:fs";
import type { Chart, DimensionSpec } from "../../metrics/chart.ts";
import { LABEL_SOURCE } from "../../protocol/commands.ts";
import type { ChartType } from "../../protocol/commands.ts";
import { ProcFile } from "../../runtime/proc_file.ts";
import { rootPath, type Source, type SourceContext } from "../source.ts";
import { dim, procChart } from "./_chart.ts";
import { firstInt, LineScanner, simplePattern } from "./_lines.ts";

const MODULE = "/proc/diskstats";
const EXCLUDED_DISKS = "loop* ram*";
/** What 1.37 labels a device without a mount point with. */
const NO_VALUE = "[none]";

// Positions of the counters in a /proc/diskstats line.
const F_READS = 3, F_MREADS = 4, F_RSECT = 5, F_RMS = 6, F_WRITES = 7, F_MWRITES = 8, F_WSECT = 9, F_WMS = 10;
const F_QUEUED = 11, F_BUSY = 12, F_BACKLOG = 13, F_DISCARDS = 14, F_MDISCARDS = 15, F_DSECT = 16, F_DMS = 17;
const F_FLUSHES = 18, F_FMS = 19, FIELDS = 20;
const MIN_WORDS = 14, DISCARD_WORDS = 18, FLUSH_WORDS = 20;

type DiskType = "physical" | "partition" | "virtual" | "unknown";

/** One per-device chart kind: what 1.37 defines for it. `sectors` dimensions scale by the sector size. */
interface DiskChartDef {
  readonly type: string;
  readonly title: string;
  readonly units: string;
  readonly context: string;
  readonly chartType: ChartType;
  readonly priority: number;
  readonly detail: boolean;
  readonly dims: readonly (readonly [id: string, algorithm: "incremental" | "absolute", sign: 1 | -1, sectors?: 1])[];
}

function def(
  type: string,
  title: string,
  units: string,
  chartType: ChartType,
  priority: number,
  detail: boolean,
  dims: DiskChartDef["dims"],
): DiskChartDef {
  const context = type === "disk"
    ? "disk.io"
    : type === "disk_ext"
    ? "disk_ext.io"
    : type.startsWith("disk_ext_")
    ? `disk_ext.${type.slice(9)}`
    : `disk.${type.slice(5)}`;
  return { type, title, units, context, chartType, priority, detail, dims };
}

const IO = def("disk", "Disk I/O Bandwidth", "KiB/s", "area", 2000, false, [
  ["reads", "incremental", 1, 1],
  ["writes", "incremental", -1, 1],
]);
const EXT_IO = def("disk_ext", "Amount of Discarded Data", "KiB/s", "area", 2001, false, [
  ["discards", "incremental", 1, 1],
]);
const OPS = def("disk_ops", "Disk Completed I/O Operations", "operations/s", "line", 2010, true, [
  ["reads", "incremental", 1],
  ["writes", "incremental", -1],
]);
const EXT_OPS = def("disk_ext_ops", "Disk Completed Extended I/O Operations", "operations/s", "line", 2011, true, [
  ["discards", "incremental", 1],
  ["flushes", "incremental", 1],
]);
const QOPS = def("disk_qops", "Disk Current I/O Operations", "operations", "line", 2015, true, [
  ["operations", "absolute", 1],
]);
const BACKLOG = def("disk_backlog", "Disk Backlog", "milliseconds", "area", 2020, true, [
  ["backlog", "incremental", 1],
]);
const BUSY = def("disk_busy", "Disk Busy Time", "milliseconds", "area", 2030, true, [["busy", "incremental", 1]]);
const UTIL = def("disk_util", "Disk Utilization Time", "% of time working", "area", 2040, true, [
  ["utilization", "absolute", 1],
]);
const MOPS = def("disk_mops", "Disk Merged Operations", "merged operations/s", "line", 2080, true, [
  ["reads", "incremental", 1],
  ["writes", "incremental", -1],
]);
const EXT_MOPS = def("disk_ext_mops", "Disk Merged Discard Operations", "merged operations/s", "line", 2081, true, [
  ["discards", "incremental", 1],
]);
const IOTIME = def("disk_iotime", "Disk Total I/O Time", "milliseconds/s", "line", 2090, true, [
  ["reads", "incremental", 1],
  ["writes", "incremental", -1],
]);
const EXT_IOTIME = def(
  "disk_ext_iotime",
  "Disk Total I/O Time for Extended Operations",
  "milliseconds/s",
  "line",
  2091,
  true,
  [["discards", "incremental", 1], ["flushes", "incremental", 1]],
);
const AWAIT = def("disk_await", "Average Completed I/O Operation Time", "milliseconds/operation", "line", 2050, true, [
  ["reads", "absolute", 1],
  ["writes", "absolute", -1],
]);
const EXT_AWAIT = def(
  "disk_ext_await",
  "Average Completed Extended I/O Operation Time",
  "milliseconds/operation",
  "line",
  2051,
  true,
  [["discards", "absolute", 1], ["flushes", "absolute", 1]],
);
const AVGSZ = def("disk_avgsz", "Average Completed I/O Operation Bandwidth", "KiB/operation", "area", 2060, true, [
  ["reads", "absolute", 1, 1],
  ["writes", "absolute", -1, 1],
]);
const EXT_AVGSZ = def("disk_ext_avgsz", "Average Amount of Discarded Data", "KiB/operation", "area", 2060, true, [
  ["discards", "absolute", 1, 1],
]);
const SVCTM = def("disk_svctm", "Average Service Time", "milliseconds/operation", "line", 2070, true, [
  ["svctm", "absolute", 1],
]);

/** True once a chart kind has been made, or when its counters are non-zero now (1.37's "auto"). */
function has(d: Disk, kind: DiskChartDef, nonZero: boolean): boolean {
  return nonZero || d.charts.has(kind);
}

/** Everything known about one block device between iterations. */
interface Disk {
  readonly kernelName: string;
  /** The name charts show (the device-mapper name for `dm-*`). */
  readonly name: string;
  readonly type: DiskType;
  /** False for excluded devices and for partitions: no charts, only the system.io sum when physical. */
  readonly charted: boolean;
  readonly sectorSize: number;
  readonly family: string;
  readonly mountPoint: string;
  seen: boolean;
  hasPrev: boolean;
  readonly cur: Float64Array;
  readonly prev: Float64Array;
  /** Charts by kind; a kind is created the first time its counters are non-zero, as 1.37's "auto". */
  readonly charts: Map<DiskChartDef, Chart>;
}

/**
 * The diskstats source.
 *
 * @example
 * ```ts
 * const source = diskstatsSource({ host, root: "/", updateEvery: 1, log });
 * source.collect(Date.now() * 1000);
 * ```
 */
export function diskstatsSource(ctx: SourceContext): Source {
  const file = new ProcFile(rootPath(ctx.root, MODULE));
  const scanner = new LineScanner();
  const excluded = simplePattern(EXCLUDED_DISKS);
  /** Keyed by `major * 2^20 + minor`, so that a line finds its device without making a string. */
  const disks = new Map<number, Disk>();
  let systemIo: Chart | undefined;

  const forget = (d: Disk, key: number): void => {
    for (const chart of d.charts.values()) ctx.host.obsolete(chart);
    disks.delete(key);
  };

  const failed = (message: string): never => {
    for (const [key, d] of disks) forget(d, key);
    if (systemIo !== undefined) ctx.host.obsolete(systemIo);
    systemIo = undefined;
    throw new Error(message);
  };

  const chartOf = (d: Disk, kind: DiskChartDef): Chart => {
    let chart = d.charts.get(kind);
    if (chart !== undefined) return chart;
    const dims: DimensionSpec[] = kind.dims.map(([id, algorithm, sign, sectors]) =>
      sectors === 1 ? dim(id, algorithm, sign * d.sectorSize, 1024) : dim(id, algorithm, sign, 1)
    );
    chart = procChart(ctx.host, MODULE, ctx.updateEvery, {
      id: `${kind.type}.${d.kernelName}`,
      name: d.name === d.kernelName ? undefined : `${kind.type}.${d.name}`,
      title: kind.title,
      units: kind.units,
      family: d.family,
      context: kind.context,
      chartType: kind.chartType,
      priority: kind.priority,
      detail: kind.detail,
    }, dims);
    chart.label("device", d.name, LABEL_SOURCE.AUTO);
    chart.label("mount_point", d.mountPoint, LABEL_SOURCE.AUTO);
    chart.label("device_type", d.type, LABEL_SOURCE.AUTO);
    d.charts.set(kind, chart);
    return chart;
  };

  const send = (d: Disk, kind: DiskChartDef, nowUs: number, a: number, b?: number): void => {
    const chart = chartOf(d, kind);
    chart.dimensions[0].set(a);
    if (b !== undefined && chart.dimensions.length > 1) chart.dimensions[1].set(b);
    ctx.host.collected(chart, nowUs);
  };

  const ratio = (num: number, den: number): number => den > 0 && num > 0 ? Math.floor(num / den) : 0;

  const collectDisk = (d: Disk, words: number, nowUs: number): void => {
    const c = d.cur, p = d.prev;
    const discards = words >= DISCARD_WORDS, flushes = words >= FLUSH_WORDS;

    const io = has(d, IO, c[F_RSECT] !== 0 || c[F_WSECT] !== 0);
    if (io) {
      send(d, IO, nowUs, c[F_RSECT], c[F_WSECT]);
      if (discards) send(d, EXT_IO, nowUs, c[F_DSECT]);
    }
    const ops = has(d, OPS, c[F_READS] !== 0 || c[F_WRITES] !== 0);
    if (ops) {
      send(d, OPS, nowUs, c[F_READS], c[F_WRITES]);
      if (discards) send(d, EXT_OPS, nowUs, c[F_DISCARDS], flushes ? c[F_FLUSHES] : undefined);
    }
    if (has(d, QOPS, c[F_QUEUED] !== 0)) send(d, QOPS, nowUs, c[F_QUEUED]);
    if (has(d, BACKLOG, c[F_BACKLOG] !== 0)) send(d, BACKLOG, nowUs, c[F_BACKLOG]);
    const busy = has(d, BUSY, c[F_BUSY] !== 0);
    if (busy) {
      send(d, BUSY, nowUs, c[F_BUSY]);
      // 1.37 divides the busy milliseconds by the interval, not by the measured time.
      const util = d.hasPrev ? Math.min(100, ratio(c[F_BUSY] - p[F_BUSY], 10 * ctx.updateEvery)) : 0;
      send(d, UTIL, nowUs, util);
    }
    if (has(d, MOPS, c[F_MREADS] !== 0 || c[F_MWRITES] !== 0)) {
      send(d, MOPS, nowUs, c[F_MREADS], c[F_MWRITES]);
      if (discards) send(d, EXT_MOPS, nowUs, c[F_MDISCARDS]);
    }
    const iotime = has(d, IOTIME, c[F_RMS] !== 0 || c[F_WMS] !== 0);
    if (iotime) {
      send(d, IOTIME, nowUs, c[F_RMS], c[F_WMS]);
      if (discards) send(d, EXT_IOTIME, nowUs, c[F_DMS], flushes ? c[F_FMS] : undefined);
    }

    if (d.hasPrev) {
      const dReads = c[F_READS] - p[F_READS], dWrites = c[F_WRITES] - p[F_WRITES];
      const dDiscards = c[F_DISCARDS] - p[F_DISCARDS], dFlushes = c[F_FLUSHES] - p[F_FLUSHES];
      if (iotime && ops) {
        send(d, AWAIT, nowUs, ratio(c[F_RMS] - p[F_RMS], dReads), ratio(c[F_WMS] - p[F_WMS], dWrites));
        if (discards) {
          const f = flushes ? ratio(c[F_FMS] - p[F_FMS], dFlushes) : undefined;
          send(d, EXT_AWAIT, nowUs, ratio(c[F_DMS] - p[F_DMS], dDiscards), f);
        }
      }
      if (io && ops) {
        send(d, AVGSZ, nowUs, ratio(c[F_RSECT] - p[F_RSECT], dReads), ratio(c[F_WSECT] - p[F_WSECT], dWrites));
        if (discards) send(d, EXT_AVGSZ, nowUs, ratio(c[F_DSECT] - p[F_DSECT], dDiscards));
      }
      if (busy && ops) send(d, SVCTM, nowUs, ratio(c[F_BUSY] - p[F_BUSY], dReads + dWrites));
    }
  };

  const discover = (major: number, minor: number, kernelName: string): Disk => {
    const sys = (path: string) => rootPath(ctx.root, path);
    let type: DiskType = "unknown";
    if (existsSync(sys(`/sys/dev/block/${major}:${minor}/partition`))) type = "partition";
    else if (existsSync(sys(`/sys/devices/virtual/block/${kernelName}`))) type = "virtual";
    else if (existsSync(sys(`/sys/block/${kernelName}`))) type = "physical";

    let name = kernelName;
    if (kernelName.startsWith("dm-")) {
      const mapped = ProcFile.readOnce(sys(`/sys/block/${kernelName}/dm/name`))?.trim();
      if (mapped) name = mapped;
    }
    const sectorPath = type === "partition"
      ? `/sys/dev/block/${major}:${minor}/../queue/hw_sector_size`
      : `/sys/block/${kernelName}/queue/hw_sector_size`;
    const sectorSize = firstInt(ProcFile.readOnce(sys(sectorPath)));
    const mountPoint = findMountPoint(ProcFile.readOnce(sys("/proc/self/mountinfo")), major, minor);
    return {
      kernelName,
      name,
      type,
      charted: !excluded(kernelName) && !excluded(name) && type !== "partition",
      sectorSize: sectorSize > 0 ? sectorSize : 512,
      family: mountPoint ?? name,
      mountPoint: mountPoint ?? NO_VALUE,
      seen: false,
      hasPrev: false,
      cur: new Float64Array(FIELDS),
      prev: new Float64Array(FIELDS),
      charts: new Map(),
    };
  };

  return {
    name: MODULE,
    updateEvery: ctx.updateEvery,
    collect(nowUs) {
      const text = file.read();
      if (text === undefined) failed(`${file.path}: ${file.lastError}`);
      scanner.reset(text!);
      for (const d of disks.values()) d.seen = false;
      let systemRead = 0, systemWrite = 0;

      while (scanner.next()) {
        const words = scanner.count;
        if (words === 0) continue;
        const major = scanner.uint(0), minor = scanner.uint(1);
        if (words < MIN_WORDS || major !== major || minor !== minor) {
          failed(`unexpected contents of ${file.path}: '${scanner.line().slice(0, 80)}'`);
        }
        const key = major * 1048576 + minor;
        let d = disks.get(key);
        if (d !== undefined && !scanner.is(2, d.kernelName)) {
          forget(d, key);
          d = undefined;
        }
        if (d === undefined) {
          d = discover(major, minor, scanner.word(2));
          disks.set(key, d);
        }
        d.seen = true;
        const cur = d.cur;
        for (let i = F_READS; i < FIELDS; i++) {
          const v = i < words ? scanner.uint(i) : 0;
          cur[i] = v === v ? v : 0;
        }
        if (d.type === "physical") {
          systemRead += Math.floor(cur[F_RSECT] * d.sectorSize / 1024);
          systemWrite += Math.floor(cur[F_WSECT] * d.sectorSize / 1024);
        }
        if (d.charted) collectDisk(d, words, nowUs);
        d.prev.set(cur);
        d.hasPrev = true;
      }

      for (const [key, d] of disks) if (!d.seen) forget(d, key);

      if (systemIo !== undefined || systemRead !== 0 || systemWrite !== 0) {
        systemIo ??= procChart(ctx.host, MODULE, ctx.updateEvery, {
          id: "system.io",
          title: "Disk I/O",
          units: "KiB/s",
          family: "disk",
          context: "system.io",
          chartType: "area",
          priority: 150,
        }, [dim("in", "incremental"), dim("out", "incremental", -1)]);
        systemIo.dimensions[0].set(systemRead);
        systemIo.dimensions[1].set(systemWrite);
        ctx.host.collected(systemIo, nowUs);
      }
    },
    close() {
      file.close();
    },
  };
}

/** The mount point of `major:minor` in a `/proc/self/mountinfo` text, with its octal escapes decoded. */
function findMountPoint(mountinfo: string | undefined, major: number, minor: number): string | undefined {
  if (mountinfo === undefined) return undefined;
  const want = `${major}:${minor}`;
  for (const line of mountinfo.split("\n")) {
    const fields = line.split(" ");
    if (fields[2] === want && fields.length > 4) {
      return fields[4].replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(Number.parseInt(oct, 8)));
    }
  }
  return undefined;
}
