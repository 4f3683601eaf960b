/**
 * `/proc/net/snmp` + `/proc/net/netstat`, collected together under the module name `/proc/net/netstat` as
 * Netdata 1.37 does: system.ip and the ip.* charts (IpExt, TcpExt) and the ipv4.* charts (Ip, Icmp, IcmpMsg,
 * Tcp, Udp, UdpLite). Each chart appears once one of its counters is non-zero (1.37's "auto") and stays.
 * The host variable `tcp_max_connections` carries Tcp MaxConn.
 *
 * Both files are pairs of lines, a header naming the counters and a line of values; the position of each
 * wanted counter is worked out when a header is first seen or changes, so that an iteration only compares
 * the header and parses the numbers it needs.
 *
 * @module
 */

import type { Chart, DimensionSpec } from "../../metrics/chart.ts";
import type { ChartType } from "../../protocol/commands.ts";
import { ProcFile } from "../../runtime/proc_file.ts";
import { rootPath, type Source, type SourceContext } from "../source.ts";
import { dim, procChart } from "./_chart.ts";
import { LineScanner } from "./_lines.ts";

const MODULE = "/proc/net/netstat";

/** A dimension: `Section.Counter`, its name when it differs, and its sign. */
type DimDef = readonly [key: string, name?: string, sign?: 1 | -1];

interface NetstatChart {
  readonly id: string;
  readonly title: string;
  readonly units: string;
  readonly family: string;
  readonly chartType: ChartType;
  readonly priority: number;
  readonly detail: boolean;
  readonly algorithm: "incremental" | "absolute";
  /** 8/1000 for the octet counters shown as kilobits/s. */
  readonly bits: boolean;
  readonly dims: readonly DimDef[];
}

function chart(
  id: string,
  title: string,
  units: string,
  family: string,
  priority: number,
  dims: readonly DimDef[],
  opts: { detail?: boolean; chartType?: ChartType; algorithm?: "absolute"; bits?: boolean } = {},
): NetstatChart {
  return {
    id,
    title,
    units,
    family,
    priority,
    dims,
    chartType: opts.chartType ?? "line",
    detail: opts.detail ?? false,
    algorithm: opts.algorithm ?? "incremental",
    bits: opts.bits ?? false,
  };
}

const ICMP_TYPES: readonly (readonly [number, string])[] = [
  [0, "EchoReps"],
  [3, "DestUnreachs"],
  [5, "Redirects"],
  [8, "Echos"],
  [9, "RouterAdvert"],
  [10, "RouterSelect"],
  [11, "TimeExcds"],
  [12, "ParmProbs"],
  [13, "Timestamps"],
  [14, "TimestampReps"],
];

const CHARTS: readonly NetstatChart[] = [
  // /proc/net/netstat
  chart("system.ip", "IP Bandwidth", "kilobits/s", "network", 501, [
    ["IpExt.InOctets", "received"],
    ["IpExt.OutOctets", "sent", -1],
  ], { chartType: "area", bits: true }),
  chart("ip.inerrors", "IP Input Errors", "packets/s", "errors", 4100, [
    ["IpExt.InNoRoutes", "noroutes"],
    ["IpExt.InTruncatedPkts", "truncated"],
    ["IpExt.InCsumErrors", "checksum"],
  ], { detail: true }),
  chart("ip.mcast", "IP Multicast Bandwidth", "kilobits/s", "multicast", 4600, [
    ["IpExt.InMcastOctets", "received"],
    ["IpExt.OutMcastOctets", "sent", -1],
  ], { chartType: "area", bits: true, detail: true }),
  chart("ip.bcast", "IP Broadcast Bandwidth", "kilobits/s", "broadcast", 4500, [
    ["IpExt.InBcastOctets", "received"],
    ["IpExt.OutBcastOctets", "sent", -1],
  ], { chartType: "area", bits: true, detail: true }),
  chart("ip.mcastpkts", "IP Multicast Packets", "packets/s", "multicast", 4610, [
    ["IpExt.InMcastPkts", "received"],
    ["IpExt.OutMcastPkts", "sent", -1],
  ], { detail: true }),
  chart("ip.bcastpkts", "IP Broadcast Packets", "packets/s", "broadcast", 4510, [
    ["IpExt.InBcastPkts", "received"],
    ["IpExt.OutBcastPkts", "sent", -1],
  ], { detail: true }),
  chart("ip.ecnpkts", "IP ECN Statistics", "packets/s", "ecn", 4700, [
    ["IpExt.InCEPkts", "CEP"],
    ["IpExt.InNoECTPkts", "NoECTP", -1],
    ["IpExt.InECT0Pkts", "ECTP0"],
    ["IpExt.InECT1Pkts", "ECTP1"],
  ], { detail: true }),
  chart("ip.tcpmemorypressures", "TCP Memory Pressures", "events/s", "tcp", 4290, [
    ["TcpExt.TCPMemoryPressures", "pressures"],
  ]),
  chart("ip.tcpconnaborts", "TCP Connection Aborts", "connections/s", "tcp", 4210, [
    ["TcpExt.TCPAbortOnData", "baddata"],
    ["TcpExt.TCPAbortOnClose", "userclosed"],
    ["TcpExt.TCPAbortOnMemory", "nomemory"],
    ["TcpExt.TCPAbortOnTimeout", "timeout"],
    ["TcpExt.TCPAbortOnLinger", "linger"],
    ["TcpExt.TCPAbortFailed", "failed", -1],
  ]),
  chart("ip.tcpreorders", "TCP Reordered Packets by Detection Method", "packets/s", "tcp", 4220, [
    ["TcpExt.TCPTSReorder", "timestamp"],
    ["TcpExt.TCPSACKReorder", "sack"],
    ["TcpExt.TCPFACKReorder", "fack"],
    ["TcpExt.TCPRenoReorder", "reno"],
  ]),
  chart("ip.tcpofo", "TCP Out-Of-Order Queue", "packets/s", "tcp", 4250, [
    ["TcpExt.TCPOFOQueue", "inqueue"],
    ["TcpExt.TCPOFODrop", "dropped", -1],
    ["TcpExt.TCPOFOMerge", "merged"],
    ["TcpExt.OfoPruned", "pruned", -1],
  ]),
  chart("ip.tcpsyncookies", "TCP SYN Cookies", "packets/s", "tcp", 4260, [
    ["TcpExt.SyncookiesRecv", "received"],
    ["TcpExt.SyncookiesSent", "sent", -1],
    ["TcpExt.SyncookiesFailed", "failed", -1],
  ]),
  chart("ip.tcp_syn_queue", "TCP SYN Queue Issues", "packets/s", "tcp", 4215, [
    ["TcpExt.TCPReqQFullDrop", "drops"],
    ["TcpExt.TCPReqQFullDoCookies", "cookies"],
  ]),
  chart("ip.tcp_accept_queue", "TCP Accept Queue Issues", "packets/s", "tcp", 4216, [
    ["TcpExt.ListenOverflows", "overflows"],
    ["TcpExt.ListenDrops", "drops"],
  ]),
  // /proc/net/snmp
  chart("ipv4.packets", "IPv4 Packets", "packets/s", "packets", 5130, [
    ["Ip.InReceives", "received"],
    ["Ip.OutRequests", "sent", -1],
    ["Ip.ForwDatagrams", "forwarded"],
    ["Ip.InDelivers", "delivered"],
  ]),
  chart("ipv4.fragsout", "IPv4 Fragments Sent", "packets/s", "fragments", 5460, [
    ["Ip.FragOKs", "ok"],
    ["Ip.FragFails", "failed", -1],
    ["Ip.FragCreates", "created"],
  ], { detail: true }),
  chart("ipv4.fragsin", "IPv4 Fragments Reassembly", "packets/s", "fragments", 5461, [
    ["Ip.ReasmOKs", "ok"],
    ["Ip.ReasmFails", "failed", -1],
    ["Ip.ReasmReqds", "all"],
  ], { detail: true }),
  chart("ipv4.errors", "IPv4 Errors", "packets/s", "errors", 5150, [
    ["Ip.InDiscards"],
    ["Ip.OutDiscards", undefined, -1],
    ["Ip.InHdrErrors"],
    ["Ip.OutNoRoutes", undefined, -1],
    ["Ip.InAddrErrors"],
    ["Ip.InUnknownProtos"],
  ], { detail: true }),
  chart("ipv4.icmp", "IPv4 ICMP Packets", "packets/s", "icmp", 5170, [
    ["Icmp.InMsgs", "received"],
    ["Icmp.OutMsgs", "sent", -1],
  ]),
  chart("ipv4.icmp_errors", "IPv4 ICMP Errors", "packets/s", "icmp", 5171, [
    ["Icmp.InErrors"],
    ["Icmp.OutErrors", undefined, -1],
    ["Icmp.InCsumErrors"],
  ]),
  chart(
    "ipv4.icmpmsg",
    "IPv4 ICMP Messages",
    "packets/s",
    "icmp",
    5172,
    ICMP_TYPES.flatMap(([type, name]): DimDef[] => [
      [`IcmpMsg.InType${type}`, `In${name}`],
      [`IcmpMsg.OutType${type}`, `Out${name}`, -1],
    ]),
  ),
  chart("ipv4.tcpsock", "IPv4 TCP Connections", "active connections", "tcp", 5200, [
    ["Tcp.CurrEstab", "connections"],
  ], { algorithm: "absolute" }),
  chart("ipv4.tcppackets", "IPv4 TCP Packets", "packets/s", "tcp", 5204, [
    ["Tcp.InSegs", "received"],
    ["Tcp.OutSegs", "sent", -1],
  ]),
  chart("ipv4.tcperrors", "IPv4 TCP Errors", "packets/s", "tcp", 5220, [
    ["Tcp.InErrs"],
    ["Tcp.InCsumErrors"],
    ["Tcp.RetransSegs", undefined, -1],
  ], { detail: true }),
  chart("ipv4.tcpopens", "IPv4 TCP Opens", "connections/s", "tcp", 5205, [
    ["Tcp.ActiveOpens", "active"],
    ["Tcp.PassiveOpens", "passive"],
  ], { detail: true }),
  chart("ipv4.tcphandshake", "IPv4 TCP Handshake Issues", "events/s", "tcp", 5230, [
    ["Tcp.EstabResets"],
    ["Tcp.OutRsts"],
    ["Tcp.AttemptFails"],
    ["TcpExt.TCPSynRetrans", "SynRetrans"],
  ], { detail: true }),
  chart("ipv4.udppackets", "IPv4 UDP Packets", "packets/s", "udp", 5300, [
    ["Udp.InDatagrams", "received"],
    ["Udp.OutDatagrams", "sent", -1],
  ]),
  chart("ipv4.udperrors", "IPv4 UDP Errors", "events/s", "udp", 5310, [
    ["Udp.RcvbufErrors"],
    ["Udp.SndbufErrors", undefined, -1],
    ["Udp.InErrors"],
    ["Udp.NoPorts"],
    ["Udp.InCsumErrors"],
    ["Udp.IgnoredMulti"],
  ], { detail: true }),
  chart("ipv4.udplite", "IPv4 UDPLite Packets", "packets/s", "udplite", 5400, [
    ["UdpLite.InDatagrams", "received"],
    ["UdpLite.OutDatagrams", "sent", -1],
  ]),
  chart("ipv4.udplite_errors", "IPv4 UDPLite Errors", "packets/s", "udplite", 5410, [
    ["UdpLite.RcvbufErrors"],
    ["UdpLite.SndbufErrors", undefined, -1],
    ["UdpLite.InErrors"],
    ["UdpLite.NoPorts"],
    ["UdpLite.InCsumErrors"],
    ["UdpLite.IgnoredMulti"],
  ], { detail: true }),
];

/** `Tcp.MaxConn` feeds the host variable, not a chart. */
const MAX_CONN = "Tcp.MaxConn";

/** Every counter wanted, numbered: the slot of each `Section.Counter`. */
const SLOT = new Map<string, number>();
for (const key of [MAX_CONN, ...CHARTS.flatMap((c) => c.dims.map((d) => d[0]))]) {
  if (!SLOT.has(key)) SLOT.set(key, SLOT.size);
}
const MAX_CONN_SLOT = SLOT.get(MAX_CONN)!;
const CHART_SLOTS: readonly Int32Array[] = CHARTS.map((c) => Int32Array.from(c.dims, (d) => SLOT.get(d[0])!));
const SECTIONS = [...new Set([...SLOT.keys()].map((k) => k.slice(0, k.indexOf("."))))];

/** What a header line of one section last looked like and where its wanted counters sit. */
interface SectionMap {
  readonly name: string;
  header: string;
  /** Word position → slot, -1 when the counter is not wanted. */
  positions: Int32Array;
}

/**
 * The /proc/net/netstat source (with /proc/net/snmp).
 *
 * @example
 * ```ts
 * const source = netstatSource({ host, root: "/", updateEvery: 1, log });
 * source.collect(Date.now() * 1000);
 * ```
 */
export function netstatSource(ctx: SourceContext): Source {
  const files = [
    new ProcFile(rootPath(ctx.root, "/proc/net/snmp")),
    new ProcFile(rootPath(ctx.root, "/proc/net/netstat")),
  ];
  const scanner = new LineScanner(":");
  const sections: SectionMap[] = SECTIONS.map((name) => ({ name, header: "", positions: new Int32Array(0) }));
  const values = new Float64Array(SLOT.size);
  const charts: (Chart | undefined)[] = CHARTS.map(() => undefined);

  const failed = (message: string): never => {
    for (let i = 0; i < charts.length; i++) {
      const c = charts[i];
      if (c !== undefined) ctx.host.obsolete(c);
      charts[i] = undefined;
    }
    throw new Error(message);
  };

  const mapHeader = (section: SectionMap): void => {
    section.header = scanner.line();
    section.positions = new Int32Array(scanner.count).fill(-1);
    for (let w = 1; w < scanner.count; w++) {
      const slot = SLOT.get(`${section.name}.${scanner.word(w)}`);
      if (slot !== undefined) section.positions[w] = slot;
    }
  };

  /** Reads one file's header/value line pairs into `values`; returns how many pairs it found. */
  const parse = (f: ProcFile): number => {
    const text = f.read();
    if (text === undefined) failed(`${f.path}: ${f.lastError}`);
    scanner.reset(text!);
    let pairs = 0;
    let pending: SectionMap | undefined;
    while (scanner.next()) {
      if (scanner.count === 0) continue;
      if (pending !== undefined && scanner.is(0, pending.name)) {
        const positions = pending.positions;
        if (scanner.count !== positions.length) {
          failed(`unexpected contents of ${f.path}: '${scanner.line().slice(0, 80)}'`);
        }
        for (let w = 1; w < positions.length; w++) {
          const slot = positions[w];
          if (slot < 0) continue;
          const v = scanner.int(w);
          values[slot] = v === v ? v : 0;
        }
        pending = undefined;
        pairs++;
        continue;
      }
      pending = undefined;
      for (let s = 0; s < sections.length; s++) {
        const section = sections[s];
        if (!scanner.is(0, section.name)) continue;
        if (!scanner.lineIs(section.header)) mapHeader(section);
        pending = section;
        break;
      }
    }
    return pairs;
  };

  return {
    name: MODULE,
    updateEvery: ctx.updateEvery,
    collect(nowUs) {
      values.fill(0);
      for (const f of files) {
        if (parse(f) === 0) failed(`unexpected contents of ${f.path}: no known counters`);
      }
      ctx.host.variable("tcp_max_connections", values[MAX_CONN_SLOT]);

      for (let i = 0; i < CHARTS.length; i++) {
        const slots = CHART_SLOTS[i];
        let c = charts[i];
        if (c === undefined) {
          let nonZero = false;
          for (let d = 0; d < slots.length; d++) if (values[slots[d]] !== 0) nonZero = true;
          if (!nonZero) continue;
          c = charts[i] = define(ctx, CHARTS[i]);
        }
        for (let d = 0; d < slots.length; d++) c.dimensions[d].set(values[slots[d]]);
        ctx.host.collected(c, nowUs);
      }
    },
    close() {
      for (const f of files) f.close();
    },
  };
}

function define(ctx: SourceContext, spec: NetstatChart): Chart {
  const mul = spec.bits ? 8 : 1, div = spec.bits ? 1000 : 1;
  const dims: DimensionSpec[] = spec.dims.map(([key, name, sign]) => {
    const id = key.slice(key.indexOf(".") + 1);
    return dim(id, spec.algorithm, (sign ?? 1) * mul, div, name === undefined ? {} : { name });
  });
  return procChart(ctx.host, MODULE, ctx.updateEvery, {
    id: spec.id,
    title: spec.title,
    units: spec.units,
    family: spec.family,
    context: spec.id,
    chartType: spec.chartType,
    priority: spec.priority,
    detail: spec.detail,
  }, dims);
}
