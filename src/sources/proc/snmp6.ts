/**
 * `/proc/net/snmp6`: system.ipv6 and the ipv6.* charts exactly as Netdata 1.37 makes them. 1.37 collects this
 * file inside its /proc/net/netstat module, so every chart carries the module name `/proc/net/netstat`.
 *
 * Each chart appears once one of its counters is non-zero (1.37's "auto") and then stays. 1.37's rules are
 * kept as they are, quirks included: ipv6.errors does not look at OutNoRoutes to decide, and
 * ipv6.udpliteerrors also wakes up on the plain UDP `Udp6InCsumErrors`.
 *
 * The file is one `Key value` pair a line. The keys' order is remembered per line, so an iteration only
 * compares each key in place and parses its number; a new key (the kernel adds `Icmp6InTypeN` lines as
 * message types are first seen) makes that line be looked up once more.
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
const FILE = "/proc/net/snmp6";

/** A dimension: the file's key, the dimension id, its name when it differs, and its sign. */
type DimDef = readonly [key: string, id: string, name?: string, sign?: 1 | -1];

interface Snmp6Chart {
  readonly id: string;
  readonly title: string;
  readonly units: string;
  readonly family: string;
  readonly priority: number;
  readonly chartType: ChartType;
  readonly detail: boolean;
  /** 8/1000: octet counters shown as kilobits/s. */
  readonly bits: boolean;
  readonly dims: readonly DimDef[];
  /** The keys whose being non-zero makes the chart; the dimensions' keys when left out. */
  readonly auto?: readonly string[];
}

function chart(
  id: string,
  title: string,
  units: string,
  family: string,
  priority: number,
  dims: readonly DimDef[],
  opts: { detail?: boolean; area?: boolean; auto?: readonly string[] } = {},
): Snmp6Chart {
  return {
    id,
    title,
    units,
    family,
    priority,
    dims,
    chartType: opts.area ? "area" : "line",
    detail: opts.detail ?? false,
    bits: opts.area ?? false,
    auto: opts.auto,
  };
}

/** `[key, id]` with the id's name left alone, for the many dimensions named after their counter. */
const same = (prefix: string, id: string, sign?: -1): DimDef => [prefix + id, id, undefined, sign];

/** In the order 1.37 makes them (it defines them in this order on its first iteration). */
const CHARTS: readonly Snmp6Chart[] = [
  chart("system.ipv6", "IPv6 Bandwidth", "kilobits/s", "network", 502, [
    ["Ip6InOctets", "InOctets", "received"],
    ["Ip6OutOctets", "OutOctets", "sent", -1],
  ], { area: true }),
  chart("ipv6.packets", "IPv6 Packets", "packets/s", "packets", 6200, [
    ["Ip6InReceives", "InReceives", "received"],
    ["Ip6OutRequests", "OutRequests", "sent", -1],
    ["Ip6OutForwDatagrams", "OutForwDatagrams", "forwarded", -1],
    ["Ip6InDelivers", "InDelivers", "delivers"],
  ]),
  chart("ipv6.fragsout", "IPv6 Fragments Sent", "packets/s", "fragments6", 6401, [
    ["Ip6FragOKs", "FragOKs", "ok"],
    ["Ip6FragFails", "FragFails", "failed", -1],
    ["Ip6FragCreates", "FragCreates", "all"],
  ], { detail: true }),
  chart("ipv6.fragsin", "IPv6 Fragments Reassembly", "packets/s", "fragments6", 6402, [
    ["Ip6ReasmOKs", "ReasmOKs", "ok"],
    ["Ip6ReasmFails", "ReasmFails", "failed", -1],
    ["Ip6ReasmTimeout", "ReasmTimeout", "timeout", -1],
    ["Ip6ReasmReqds", "ReasmReqds", "all"],
  ], { detail: true }),
  chart("ipv6.errors", "IPv6 Errors", "packets/s", "errors", 6300, [
    same("Ip6", "InDiscards"),
    same("Ip6", "OutDiscards", -1),
    same("Ip6", "InHdrErrors"),
    same("Ip6", "InAddrErrors"),
    same("Ip6", "InUnknownProtos"),
    same("Ip6", "InTooBigErrors"),
    same("Ip6", "InTruncatedPkts"),
    same("Ip6", "InNoRoutes"),
    same("Ip6", "OutNoRoutes", -1),
  ], {
    detail: true,
    auto: [
      "Ip6InDiscards",
      "Ip6OutDiscards",
      "Ip6InHdrErrors",
      "Ip6InAddrErrors",
      "Ip6InUnknownProtos",
      "Ip6InTooBigErrors",
      "Ip6InTruncatedPkts",
      "Ip6InNoRoutes",
    ],
  }),
  chart("ipv6.udppackets", "IPv6 UDP Packets", "packets/s", "udp6", 6601, [
    ["Udp6InDatagrams", "InDatagrams", "received"],
    ["Udp6OutDatagrams", "OutDatagrams", "sent", -1],
  ]),
  chart("ipv6.udperrors", "IPv6 UDP Errors", "events/s", "udp6", 6610, [
    same("Udp6", "RcvbufErrors"),
    same("Udp6", "SndbufErrors", -1),
    same("Udp6", "InErrors"),
    same("Udp6", "NoPorts"),
    same("Udp6", "InCsumErrors"),
    same("Udp6", "IgnoredMulti"),
  ], { detail: true }),
  chart("ipv6.udplitepackets", "IPv6 UDPlite Packets", "packets/s", "udplite6", 6701, [
    ["UdpLite6InDatagrams", "InDatagrams", "received"],
    ["UdpLite6OutDatagrams", "OutDatagrams", "sent", -1],
  ]),
  chart("ipv6.udpliteerrors", "IPv6 UDP Lite Errors", "events/s", "udplite6", 6710, [
    same("UdpLite6", "RcvbufErrors"),
    same("UdpLite6", "SndbufErrors", -1),
    same("UdpLite6", "InErrors"),
    same("UdpLite6", "NoPorts"),
    same("UdpLite6", "InCsumErrors"),
  ], {
    detail: true,
    auto: [
      "UdpLite6InErrors",
      "UdpLite6NoPorts",
      "UdpLite6RcvbufErrors",
      "UdpLite6SndbufErrors",
      "Udp6InCsumErrors",
      "UdpLite6InCsumErrors",
    ],
  }),
  chart("ipv6.mcast", "IPv6 Multicast Bandwidth", "kilobits/s", "multicast6", 6850, [
    ["Ip6InMcastOctets", "InMcastOctets", "received"],
    ["Ip6OutMcastOctets", "OutMcastOctets", "sent", -1],
  ], { area: true, detail: true }),
  chart("ipv6.bcast", "IPv6 Broadcast Bandwidth", "kilobits/s", "broadcast6", 6840, [
    ["Ip6InBcastOctets", "InBcastOctets", "received"],
    ["Ip6OutBcastOctets", "OutBcastOctets", "sent", -1],
  ], { area: true, detail: true }),
  chart("ipv6.mcastpkts", "IPv6 Multicast Packets", "packets/s", "multicast6", 6851, [
    ["Ip6InMcastPkts", "InMcastPkts", "received"],
    ["Ip6OutMcastPkts", "OutMcastPkts", "sent", -1],
  ], { detail: true }),
  chart("ipv6.icmp", "IPv6 ICMP Messages", "messages/s", "icmp6", 6900, [
    ["Icmp6InMsgs", "InMsgs", "received"],
    ["Icmp6OutMsgs", "OutMsgs", "sent", -1],
  ]),
  chart("ipv6.icmpredir", "IPv6 ICMP Redirects", "redirects/s", "icmp6", 6910, [
    ["Icmp6InRedirects", "InRedirects", "received"],
    ["Icmp6OutRedirects", "OutRedirects", "sent", -1],
  ]),
  chart("ipv6.icmperrors", "IPv6 ICMP Errors", "errors/s", "icmp6", 6920, [
    same("Icmp6", "InErrors"),
    same("Icmp6", "OutErrors", -1),
    same("Icmp6", "InCsumErrors"),
    same("Icmp6", "InDestUnreachs"),
    same("Icmp6", "InPktTooBigs"),
    same("Icmp6", "InTimeExcds"),
    same("Icmp6", "InParmProblems"),
    same("Icmp6", "OutDestUnreachs", -1),
    same("Icmp6", "OutPktTooBigs", -1),
    same("Icmp6", "OutTimeExcds", -1),
    same("Icmp6", "OutParmProblems", -1),
  ]),
  chart("ipv6.icmpechos", "IPv6 ICMP Echo", "messages/s", "icmp6", 6930, [
    same("Icmp6", "InEchos"),
    same("Icmp6", "OutEchos", -1),
    same("Icmp6", "InEchoReplies"),
    same("Icmp6", "OutEchoReplies", -1),
  ]),
  chart("ipv6.groupmemb", "IPv6 ICMP Group Membership", "messages/s", "icmp6", 6940, [
    ["Icmp6InGroupMembQueries", "InQueries"],
    ["Icmp6OutGroupMembQueries", "OutQueries", undefined, -1],
    ["Icmp6InGroupMembResponses", "InResponses"],
    ["Icmp6OutGroupMembResponses", "OutResponses", undefined, -1],
    ["Icmp6InGroupMembReductions", "InReductions"],
    ["Icmp6OutGroupMembReductions", "OutReductions", undefined, -1],
  ]),
  chart("ipv6.icmprouter", "IPv6 Router Messages", "messages/s", "icmp6", 6950, [
    ["Icmp6InRouterSolicits", "InSolicits"],
    ["Icmp6OutRouterSolicits", "OutSolicits", undefined, -1],
    ["Icmp6InRouterAdvertisements", "InAdvertisements"],
    ["Icmp6OutRouterAdvertisements", "OutAdvertisements", undefined, -1],
  ]),
  chart("ipv6.icmpneighbor", "IPv6 Neighbor Messages", "messages/s", "icmp6", 6960, [
    ["Icmp6InNeighborSolicits", "InSolicits"],
    ["Icmp6OutNeighborSolicits", "OutSolicits", undefined, -1],
    ["Icmp6InNeighborAdvertisements", "InAdvertisements"],
    ["Icmp6OutNeighborAdvertisements", "OutAdvertisements", undefined, -1],
  ]),
  chart("ipv6.icmpmldv2", "IPv6 ICMP MLDv2 Reports", "reports/s", "icmp6", 6970, [
    ["Icmp6InMLDv2Reports", "InMLDv2Reports", "received"],
    ["Icmp6OutMLDv2Reports", "OutMLDv2Reports", "sent", -1],
  ]),
  // 1.37 charts a fixed set of ICMPv6 types, not every InTypeN/OutTypeN line the kernel prints.
  chart("ipv6.icmptypes", "IPv6 ICMP Types", "messages/s", "icmp6", 6980, [
    same("Icmp6", "InType1"),
    same("Icmp6", "InType128"),
    same("Icmp6", "InType129"),
    same("Icmp6", "InType136"),
    same("Icmp6", "OutType1", -1),
    same("Icmp6", "OutType128", -1),
    same("Icmp6", "OutType129", -1),
    same("Icmp6", "OutType133", -1),
    same("Icmp6", "OutType135", -1),
    same("Icmp6", "OutType143", -1),
  ]),
  chart("ipv6.ect", "IPv6 ECT Packets", "packets/s", "packets", 6210, [
    same("Ip6", "InNoECTPkts"),
    same("Ip6", "InECT1Pkts"),
    same("Ip6", "InECT0Pkts"),
    same("Ip6", "InCEPkts"),
  ]),
];

/** Every wanted key, numbered. */
const SLOT = new Map<string, number>();
for (const c of CHARTS) {
  for (const key of [...c.dims.map((d) => d[0]), ...(c.auto ?? [])]) SLOT.set(key, SLOT.get(key) ?? SLOT.size);
}
const DIM_SLOTS: readonly Int32Array[] = CHARTS.map((c) => Int32Array.from(c.dims, (d) => SLOT.get(d[0])!));
const AUTO_SLOTS: readonly Int32Array[] = CHARTS.map((c, i) =>
  c.auto === undefined ? DIM_SLOTS[i] : Int32Array.from(c.auto, (k) => SLOT.get(k)!)
);

/**
 * The /proc/net/snmp6 source (module `/proc/net/netstat`, as in 1.37).
 *
 * @example
 * ```ts
 * const source = snmp6Source({ host, root: "/", updateEvery: 1, log });
 * source.collect(Date.now() * 1000); // system.ipv6, ipv6.packets, … once their counters move
 * ```
 */
export function snmp6Source(ctx: SourceContext): Source {
  const file = new ProcFile(rootPath(ctx.root, FILE));
  const scanner = new LineScanner();
  const values = new Float64Array(SLOT.size);
  const charts: (Chart | undefined)[] = CHARTS.map(() => undefined);
  // Line number → the key seen there last time and its slot (-1: not wanted).
  const lineKeys: string[] = [];
  let lineSlots = new Int32Array(128);

  const failed = (message: string): never => {
    for (let i = 0; i < charts.length; i++) {
      const c = charts[i];
      if (c !== undefined) ctx.host.obsolete(c);
      charts[i] = undefined;
    }
    throw new Error(message);
  };

  /** Parses the file into `values`; returns how many wanted keys it held. */
  const parse = (text: string): number => {
    scanner.reset(text);
    let line = 0, found = 0;
    while (scanner.next()) {
      if (scanner.count < 2) continue;
      if (line >= lineKeys.length || !scanner.is(0, lineKeys[line])) {
        if (line >= lineSlots.length) {
          const bigger = new Int32Array(lineSlots.length * 2);
          bigger.set(lineSlots);
          lineSlots = bigger;
        }
        const key = scanner.word(0);
        lineKeys[line] = key;
        lineSlots[line] = SLOT.get(key) ?? -1;
      }
      const slot = lineSlots[line++];
      if (slot < 0) continue;
      const v = scanner.uint(1);
      values[slot] = v === v ? v : 0;
      found++;
    }
    lineKeys.length = Math.min(lineKeys.length, line);
    return found;
  };

  return {
    name: MODULE,
    updateEvery: ctx.updateEvery,
    collect(nowUs) {
      const text = file.read();
      if (text === undefined) failed(`${file.path}: ${file.lastError}`);
      values.fill(0);
      if (parse(text!) === 0) failed(`unexpected contents of ${file.path}: no known counters`);

      for (let i = 0; i < CHARTS.length; i++) {
        const slots = DIM_SLOTS[i];
        let c = charts[i];
        if (c === undefined) {
          const auto = AUTO_SLOTS[i];
          let nonZero = false;
          for (let d = 0; d < auto.length; d++) if (values[auto[d]] !== 0) nonZero = true;
          if (!nonZero) continue;
          c = charts[i] = define(ctx, CHARTS[i]);
        }
        for (let d = 0; d < slots.length; d++) c.dimensions[d].set(values[slots[d]]);
        ctx.host.collected(c, nowUs);
      }
    },
    close() {
      file.close();
    },
  };
}

function define(ctx: SourceContext, spec: Snmp6Chart): Chart {
  const mul = spec.bits ? 8 : 1, div = spec.bits ? 1000 : 1;
  const dims: DimensionSpec[] = spec.dims.map(([, id, name, sign]) =>
    dim(id, "incremental", (sign ?? 1) * mul, div, name === undefined ? {} : { name })
  );
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
