/**
 * `/proc/net/sockstat`: the ipv4.sockstat_* charts Netdata 1.37 makes, each once its values are non-zero
 * ("auto"), and the host variables `tcp_max_orphans` and `tcp_mem_low` / `tcp_mem_pressure` /
 * `tcp_mem_high` (KiB) from `/proc/sys/net/ipv4/`, refreshed every minute as 1.37 does.
 *
 * Memory counters are in pages; like 1.37 on the usual 4 KiB-page machines, the dimensions multiply by
 * 4096 (JavaScript cannot ask the kernel for its page size).
 *
 * @module
 */

import type { Chart, DimensionSpec } from "../../metrics/chart.ts";
import type { ChartType } from "../../protocol/commands.ts";
import { ProcFile } from "../../runtime/proc_file.ts";
import { rootPath, type Source, type SourceContext } from "../source.ts";
import { dim, procChart } from "./_chart.ts";
import { LineScanner } from "./_lines.ts";

const MODULE = "/proc/net/sockstat";
const PAGE_SIZE = 4096;
const CONSTANTS_EVERY_S = 60;

// Slots of the values read from the file.
const SOCKETS_USED = 0, TCP_INUSE = 1, TCP_ORPHAN = 2, TCP_TW = 3, TCP_ALLOC = 4, TCP_MEM = 5, UDP_INUSE = 6;
const UDP_MEM = 7, UDPLITE_INUSE = 8, RAW_INUSE = 9, FRAG_INUSE = 10, FRAG_MEMORY = 11, SLOTS = 12;

/** Section and key of each slot, as the file names them. */
const KEYS: readonly (readonly [section: string, key: string])[] = [
  ["sockets", "used"],
  ["TCP", "inuse"],
  ["TCP", "orphan"],
  ["TCP", "tw"],
  ["TCP", "alloc"],
  ["TCP", "mem"],
  ["UDP", "inuse"],
  ["UDP", "mem"],
  ["UDPLITE", "inuse"],
  ["RAW", "inuse"],
  ["FRAG", "inuse"],
  ["FRAG", "memory"],
];

/** One chart: its definition and the slots feeding its dimensions, in order. */
interface SockChart {
  readonly id: string;
  readonly family: string;
  readonly title: string;
  readonly units: string;
  readonly chartType: ChartType;
  readonly priority: number;
  readonly dims: readonly DimensionSpec[];
  readonly slots: readonly number[];
}

const line = (id: string, family: string, title: string, priority: number, slots: number[], dims: DimensionSpec[]) => ({
  id,
  family,
  title,
  units: "sockets",
  chartType: "line" as const,
  priority,
  dims,
  slots,
});
const mem = (id: string, family: string, title: string, priority: number, slot: number, multiplier: number) => ({
  id,
  family,
  title,
  units: "KiB",
  chartType: "area" as const,
  priority,
  dims: [dim("mem", "absolute", multiplier, 1024)],
  slots: [slot],
});
const abs = (id: string) => dim(id, "absolute");

const CHARTS: readonly SockChart[] = [
  line("ipv4.sockstat_sockets", "sockets", "IPv4 Sockets Used", 5100, [SOCKETS_USED], [abs("used")]),
  line("ipv4.sockstat_tcp_sockets", "tcp", "IPv4 TCP Sockets", 5201, [TCP_ALLOC, TCP_ORPHAN, TCP_INUSE, TCP_TW], [
    abs("alloc"),
    abs("orphan"),
    abs("inuse"),
    abs("timewait"),
  ]),
  mem("ipv4.sockstat_tcp_mem", "tcp", "IPv4 TCP Sockets Memory", 5290, TCP_MEM, PAGE_SIZE),
  line("ipv4.sockstat_udp_sockets", "udp", "IPv4 UDP Sockets", 5300, [UDP_INUSE], [abs("inuse")]),
  mem("ipv4.sockstat_udp_mem", "udp", "IPv4 UDP Sockets Memory", 5390, UDP_MEM, PAGE_SIZE),
  line("ipv4.sockstat_udplite_sockets", "udplite", "IPv4 UDPLITE Sockets", 5400, [UDPLITE_INUSE], [abs("inuse")]),
  line("ipv4.sockstat_raw_sockets", "raw", "IPv4 RAW Sockets", 5450, [RAW_INUSE], [abs("inuse")]),
  {
    ...line("ipv4.sockstat_frag_sockets", "fragments", "IPv4 FRAG Sockets", 5460, [FRAG_INUSE], [abs("inuse")]),
    units: "fragments",
  },
  mem("ipv4.sockstat_frag_mem", "fragments", "IPv4 FRAG Sockets Memory", 5470, FRAG_MEMORY, 1),
];

/**
 * The /proc/net/sockstat source.
 *
 * @example
 * ```ts
 * const source = sockstatSource({ host, root: "/", updateEvery: 1, log });
 * source.collect(Date.now() * 1000);
 * ```
 */
export function sockstatSource(ctx: SourceContext): Source {
  const file = new ProcFile(rootPath(ctx.root, MODULE));
  const maxOrphans = new ProcFile(rootPath(ctx.root, "/proc/sys/net/ipv4/tcp_max_orphans"));
  const tcpMem = new ProcFile(rootPath(ctx.root, "/proc/sys/net/ipv4/tcp_mem"));
  const scanner = new LineScanner(":");
  const values = new Float64Array(SLOTS);
  const charts: (Chart | undefined)[] = CHARTS.map(() => undefined);
  let constantsDueUs = 0;

  const readConstants = (): void => {
    const orphans = Number.parseInt(maxOrphans.read() ?? "", 10);
    if (Number.isFinite(orphans)) ctx.host.variable("tcp_max_orphans", orphans);
    const limits = tcpMem.read()?.trim().split(/\s+/).map(Number);
    if (limits !== undefined && limits.length >= 3 && limits.every(Number.isFinite)) {
      ctx.host.variable("tcp_mem_low", limits[0] * PAGE_SIZE / 1024);
      ctx.host.variable("tcp_mem_pressure", limits[1] * PAGE_SIZE / 1024);
      ctx.host.variable("tcp_mem_high", limits[2] * PAGE_SIZE / 1024);
    }
  };

  return {
    name: MODULE,
    updateEvery: ctx.updateEvery,
    collect(nowUs) {
      if (nowUs >= constantsDueUs) {
        constantsDueUs = nowUs + CONSTANTS_EVERY_S * 1e6;
        readConstants();
      }
      const text = file.read();
      let found = 0;
      values.fill(0);
      if (text !== undefined) {
        scanner.reset(text);
        while (scanner.next()) {
          for (let slot = 0; slot < SLOTS; slot++) {
            const keys = KEYS[slot];
            if (!scanner.is(0, keys[0])) continue;
            for (let w = 1; w + 1 < scanner.count; w += 2) {
              if (!scanner.is(w, keys[1])) continue;
              const v = scanner.uint(w + 1);
              if (v === v) {
                values[slot] = v;
                found++;
              }
              break;
            }
          }
        }
      }
      if (text === undefined || found === 0) {
        for (let i = 0; i < charts.length; i++) {
          const chart = charts[i];
          if (chart !== undefined) ctx.host.obsolete(chart);
          charts[i] = undefined;
        }
        throw new Error(file.lastError ?? `unexpected contents of ${file.path}: '${text?.slice(0, 80)}'`);
      }

      for (let i = 0; i < CHARTS.length; i++) {
        const spec = CHARTS[i];
        let chart = charts[i];
        if (chart === undefined) {
          let nonZero = false;
          for (const slot of spec.slots) if (values[slot] !== 0) nonZero = true;
          if (!nonZero) continue;
          chart = charts[i] = procChart(ctx.host, MODULE, ctx.updateEvery, {
            id: spec.id,
            title: spec.title,
            units: spec.units,
            family: spec.family,
            context: spec.id,
            chartType: spec.chartType,
            priority: spec.priority,
          }, spec.dims);
        }
        for (let d = 0; d < spec.slots.length; d++) chart.dimensions[d].set(values[spec.slots[d]]);
        ctx.host.collected(chart, nowUs);
      }
    },
    close() {
      file.close();
      maxOrphans.close();
      tcpMem.close();
    },
  };
}
