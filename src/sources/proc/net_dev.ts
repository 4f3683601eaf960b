/**
 * `/proc/net/dev`: system.net (the physical interfaces summed) and the per-interface net charts Netdata 1.37
 * makes, with its defaults: `lo fireqos* *-ifb fwpr* fwbr* fwln*` are left out, the counter charts
 * (bandwidth, packets, errors, drops, fifo, compressed, events) appear once their counters are non-zero, and
 * `/sys/class/net/<if>/` gives speed and duplex (real interfaces only), operstate, carrier and mtu whenever
 * those files can be read. An interface is virtual when `/sys/devices/virtual/net/<if>` exists. An
 * interface whose line disappears has its charts obsoleted and its files closed; it is discovered again
 * when it returns.
 *
 * Counters are kept as `number`: a byte counter passes 2^53 only after 9 PB, and the rounding then (a few
 * bytes) does not show in a kilobits/s rate.
 *
 * @module
 */

import { existsSync } from "node:fs";
import type { Chart, DimensionSpec } from "../../metrics/chart.ts";
import type { ChartType } from "../../protocol/commands.ts";
import { LABEL_SOURCE } from "../../protocol/commands.ts";
import { ProcFile } from "../../runtime/proc_file.ts";
import { rootPath, type Source, type SourceContext } from "../source.ts";
import { dim, procChart } from "./_chart.ts";
import { firstInt, LineScanner, simplePattern } from "./_lines.ts";

const MODULE = "/proc/net/dev";
const DISABLED = "lo fireqos* *-ifb fwpr* fwbr* fwln*";
const AUTO_PERMANENT = LABEL_SOURCE.AUTO | LABEL_SOURCE.PERMANENT;
/** How long a /sys attribute that failed is left alone (1.37's retry period). */
const RETRY_US = 60e6;

// Positions of the counters in a /proc/net/dev line (word 0 is the interface).
const R_BYTES = 1, R_PACKETS = 2, R_ERRS = 3, R_DROP = 4, R_FIFO = 5, R_FRAME = 6, R_COMPRESSED = 7;
const R_MULTICAST = 8, T_BYTES = 9, T_PACKETS = 10, T_ERRS = 11, T_DROP = 12, T_FIFO = 13, T_COLLS = 14;
const T_CARRIER = 15, T_COMPRESSED = 16, WORDS = 17;

const OPERSTATES = ["up", "down", "notpresent", "lowerlayerdown", "testing", "dormant", "unknown"] as const;
const DUPLEXES = ["full", "half", "unknown"] as const;

/** One per-interface chart kind as 1.37 defines it; the priority is 7000 + `offset`. */
interface NetChartDef {
  readonly type: string;
  readonly title: string;
  readonly units: string;
  readonly context: string;
  readonly chartType: ChartType;
  readonly offset: number;
  readonly detail: boolean;
  readonly dims: readonly DimensionSpec[];
}

const inc = (id: string, sign = 1, mul = 1, div = 1) => dim(id, "incremental", sign * mul, div);
const abs = (id: string) => dim(id, "absolute");

function def(
  type: string,
  ctxName: string,
  title: string,
  units: string,
  chartType: ChartType,
  offset: number,
  dims: readonly DimensionSpec[],
): NetChartDef {
  return { type, title, units, context: `net.${ctxName}`, chartType, offset, detail: offset !== 0, dims };
}

const BANDWIDTH = def("net", "net", "Bandwidth", "kilobits/s", "area", 0, [
  inc("received", 1, 8, 1000),
  inc("sent", -1, 8, 1000),
]);
const PACKETS = def("net_packets", "packets", "Packets", "packets/s", "line", 1, [
  inc("received"),
  inc("sent", -1),
  inc("multicast"),
]);
const ERRORS = def("net_errors", "errors", "Interface Errors", "errors/s", "line", 2, [
  inc("inbound"),
  inc("outbound", -1),
]);
const DROPS = def("net_drops", "drops", "Interface Drops", "drops/s", "line", 3, [inc("inbound"), inc("outbound", -1)]);
const FIFO = def("net_fifo", "fifo", "Interface FIFO Buffer Errors", "errors", "line", 4, [
  inc("receive"),
  inc("transmit", -1),
]);
const COMPRESSED = def("net_compressed", "compressed", "Compressed Packets", "packets/s", "line", 5, [
  inc("received"),
  inc("sent", -1),
]);
const EVENTS = def("net_events", "events", "Network Interface Events", "events/s", "line", 6, [
  inc("frames"),
  inc("collisions", -1),
  inc("carrier", -1),
]);
const SPEED = def("net_speed", "speed", "Interface Speed", "kilobits/s", "line", 7, [abs("speed")]);
const DUPLEX = def("net_duplex", "duplex", "Interface Duplex State", "state", "line", 8, DUPLEXES.map(abs));
const OPERSTATE = def(
  "net_operstate",
  "operstate",
  "Interface Operational State",
  "state",
  "line",
  9,
  OPERSTATES.map(abs),
);
const CARRIER = def("net_carrier", "carrier", "Interface Physical Link State", "state", "line", 10, [
  abs("up"),
  abs("down"),
]);
const MTU = def("net_mtu", "mtu", "Interface MTU", "octets", "line", 11, [abs("mtu")]);

/** The /sys attributes read per interface, in the order they are kept. */
const SYS_SPEED = 0, SYS_DUPLEX = 1, SYS_OPERSTATE = 2, SYS_CARRIER = 3, SYS_MTU = 4;
const SYS_NAMES = ["speed", "duplex", "operstate", "carrier", "mtu"] as const;

/** Everything known about one interface between iterations. */
interface Netdev {
  readonly name: string;
  readonly virtual: boolean;
  readonly enabled: boolean;
  seen: boolean;
  readonly v: Float64Array;
  readonly charts: Map<NetChartDef, Chart>;
  /** One open file per /sys attribute; `undefined` where 1.37 does not read it (speed, duplex of virtual). */
  readonly sys: (ProcFile | undefined)[];
  /** When a failed attribute may be tried again (epoch µs). */
  readonly retryAt: Float64Array;
}

/**
 * The /proc/net/dev source.
 *
 * @example
 * ```ts
 * const source = netDevSource({ host, root: "/", updateEvery: 1, log });
 * source.collect(Date.now() * 1000);
 * ```
 */
export function netDevSource(ctx: SourceContext): Source {
  const file = new ProcFile(rootPath(ctx.root, MODULE));
  const scanner = new LineScanner(":|");
  const disabled = simplePattern(DISABLED);
  const byName = new Map<string, Netdev>();
  /** Interfaces in the order of the last read: a line usually finds its interface here without a string. */
  let order: Netdev[] = [];
  let nextOrder: Netdev[] = [];
  let systemNet: Chart | undefined;

  const forget = (d: Netdev): void => {
    for (const chart of d.charts.values()) ctx.host.obsolete(chart);
    for (const f of d.sys) f?.close();
    byName.delete(d.name);
  };

  const failed = (message: string): never => {
    for (const d of byName.values()) forget(d);
    order = [];
    if (systemNet !== undefined) ctx.host.obsolete(systemNet);
    systemNet = undefined;
    throw new Error(message);
  };

  const chartOf = (d: Netdev, kind: NetChartDef): Chart => {
    let chart = d.charts.get(kind);
    if (chart !== undefined) return chart;
    chart = procChart(ctx.host, MODULE, ctx.updateEvery, {
      id: `${kind.type}.${d.name}`,
      title: kind.title,
      units: kind.units,
      family: d.name,
      context: kind.context,
      chartType: kind.chartType,
      priority: 7000 + kind.offset,
      detail: kind.detail,
    }, kind.dims);
    chart.label("interface_type", d.virtual ? "virtual" : "real", AUTO_PERMANENT);
    chart.label("device", d.name, AUTO_PERMANENT);
    d.charts.set(kind, chart);
    return chart;
  };

  const send = (d: Netdev, kind: NetChartDef, nowUs: number, a: number, b?: number, c?: number): void => {
    const chart = chartOf(d, kind);
    const dims = chart.dimensions;
    dims[0].set(a);
    if (b !== undefined) dims[1].set(b);
    if (c !== undefined) dims[2].set(c);
    ctx.host.collected(chart, nowUs);
  };

  /** One-hot state charts (duplex, operstate): the dimension at `index` is 1, the others 0. */
  const sendState = (d: Netdev, kind: NetChartDef, nowUs: number, index: number): void => {
    const chart = chartOf(d, kind);
    const dims = chart.dimensions;
    for (let i = 0; i < dims.length; i++) dims[i].set(i === index ? 1 : 0);
    ctx.host.collected(chart, nowUs);
  };

  /** Text of a /sys attribute, or undefined while it fails (then it is retried after a while). */
  const readSys = (d: Netdev, which: number, nowUs: number): string | undefined => {
    const f = d.sys[which];
    if (f === undefined || nowUs < d.retryAt[which]) return undefined;
    const text = f.read();
    if (text === undefined) d.retryAt[which] = nowUs + RETRY_US;
    return text;
  };

  const discover = (name: string): Netdev => {
    const isVirtual = existsSync(rootPath(ctx.root, `/sys/devices/virtual/net/${name}`));
    const sys: (ProcFile | undefined)[] = SYS_NAMES.map((attr, i) =>
      isVirtual && (i === SYS_SPEED || i === SYS_DUPLEX)
        ? undefined
        : new ProcFile(rootPath(ctx.root, `/sys/class/net/${name}/${attr}`))
    );
    return {
      name,
      virtual: isVirtual,
      enabled: !disabled(name),
      seen: false,
      v: new Float64Array(WORDS),
      charts: new Map(),
      sys,
      retryAt: new Float64Array(SYS_NAMES.length),
    };
  };

  const collectSys = (d: Netdev, nowUs: number): void => {
    const carrierText = readSys(d, SYS_CARRIER, nowUs);
    const carrier = firstInt(carrierText);

    if (d.sys[SYS_SPEED] !== undefined) {
      const speed = firstInt(readSys(d, SYS_SPEED, nowUs));
      if (speed === speed) {
        // The kernel says -1 when it does not know; 1.37 reports 0 then.
        const kbits = speed > 0 ? speed * 1000 : 0;
        send(d, SPEED, nowUs, kbits);
        d.charts.get(BANDWIDTH)?.variable("nic_speed_max", kbits);
      }
    }
    if (d.sys[SYS_DUPLEX] !== undefined && carrierText !== undefined) {
      const duplex = readSys(d, SYS_DUPLEX, nowUs);
      if (duplex !== undefined) {
        const first = duplex.charCodeAt(0);
        sendState(d, DUPLEX, nowUs, first === 102 /* f */ ? 0 : first === 104 /* h */ ? 1 : 2);
      }
    }
    const operstate = readSys(d, SYS_OPERSTATE, nowUs);
    if (operstate !== undefined) {
      const state = operstate.trim();
      const index = OPERSTATES.indexOf(state as typeof OPERSTATES[number]);
      sendState(d, OPERSTATE, nowUs, index < 0 ? OPERSTATES.length - 1 : index);
    }
    if (carrier === carrier) send(d, CARRIER, nowUs, carrier === 1 ? 1 : 0, carrier === 1 ? 0 : 1);
    const mtu = firstInt(readSys(d, SYS_MTU, nowUs));
    if (mtu === mtu) send(d, MTU, nowUs, mtu);
  };

  const collectCounters = (d: Netdev, nowUs: number): void => {
    const v = d.v;
    if (v[R_BYTES] !== 0 || v[T_BYTES] !== 0 || d.charts.has(BANDWIDTH)) {
      send(d, BANDWIDTH, nowUs, v[R_BYTES], v[T_BYTES]);
    }
    collectSys(d, nowUs);
    if (v[R_PACKETS] !== 0 || v[T_PACKETS] !== 0 || v[R_MULTICAST] !== 0 || d.charts.has(PACKETS)) {
      send(d, PACKETS, nowUs, v[R_PACKETS], v[T_PACKETS], v[R_MULTICAST]);
    }
    if (v[R_ERRS] !== 0 || v[T_ERRS] !== 0 || d.charts.has(ERRORS)) send(d, ERRORS, nowUs, v[R_ERRS], v[T_ERRS]);
    if (v[R_DROP] !== 0 || v[T_DROP] !== 0 || d.charts.has(DROPS)) send(d, DROPS, nowUs, v[R_DROP], v[T_DROP]);
    if (v[R_FIFO] !== 0 || v[T_FIFO] !== 0 || d.charts.has(FIFO)) send(d, FIFO, nowUs, v[R_FIFO], v[T_FIFO]);
    if (v[R_COMPRESSED] !== 0 || v[T_COMPRESSED] !== 0 || d.charts.has(COMPRESSED)) {
      send(d, COMPRESSED, nowUs, v[R_COMPRESSED], v[T_COMPRESSED]);
    }
    if (v[R_FRAME] !== 0 || v[T_COLLS] !== 0 || v[T_CARRIER] !== 0 || d.charts.has(EVENTS)) {
      send(d, EVENTS, nowUs, v[R_FRAME], v[T_COLLS], v[T_CARRIER]);
    }
  };

  return {
    name: MODULE,
    updateEvery: ctx.updateEvery,
    collect(nowUs) {
      const text = file.read();
      if (text === undefined) failed(`${file.path}: ${file.lastError}`);
      scanner.reset(text!);
      for (const d of byName.values()) d.seen = false;
      nextOrder.length = 0;
      let systemIn = 0, systemOut = 0, line = 0;

      while (scanner.next()) {
        if (line++ < 2 || scanner.count === 0) continue; // the two header lines
        if (scanner.count < WORDS) failed(`unexpected contents of ${file.path}: '${scanner.line().slice(0, 80)}'`);
        const i = nextOrder.length;
        let d = i < order.length && scanner.is(0, order[i].name) ? order[i] : undefined;
        if (d === undefined) {
          const name = scanner.word(0);
          d = byName.get(name);
          if (d === undefined) {
            d = discover(name);
            byName.set(name, d);
          }
        }
        d.seen = true;
        nextOrder.push(d);
        const v = d.v;
        for (let w = 1; w < WORDS; w++) {
          const n = scanner.uint(w);
          v[w] = n === n ? n : 0;
        }
        if (!d.virtual) {
          systemIn += v[R_BYTES];
          systemOut += v[T_BYTES];
        }
        if (d.enabled) collectCounters(d, nowUs);
      }
      const swap = order;
      order = nextOrder;
      nextOrder = swap;

      for (const d of byName.values()) if (!d.seen) forget(d);

      if (systemNet !== undefined || systemIn !== 0 || systemOut !== 0) {
        systemNet ??= procChart(ctx.host, MODULE, ctx.updateEvery, {
          id: "system.net",
          title: "Physical Network Interfaces Aggregated Bandwidth",
          units: "kilobits/s",
          family: "network",
          context: "system.net",
          chartType: "area",
          priority: 500,
        }, [
          dim("InOctets", "incremental", 8, 1000, { name: "received" }),
          dim("OutOctets", "incremental", -8, 1000, { name: "sent" }),
        ]);
        systemNet.dimensions[0].set(systemIn);
        systemNet.dimensions[1].set(systemOut);
        ctx.host.collected(systemNet, nowUs);
      }
    },
    close() {
      file.close();
      for (const d of byName.values()) for (const f of d.sys) f?.close();
    },
  };
}
