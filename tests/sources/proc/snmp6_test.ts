import { test } from "node:test";
import assert from "node:assert/strict";
import { snmp6Source } from "../../../src/sources/proc/snmp6.ts";
import { fakeMachine } from "../_fake_root.ts";
import { assertLikeFixture, ourDefinition } from "./_fixture_charts.ts";

const T0 = 1_795_423_040;

/** /proc/net/snmp6 as this machine's kernel writes it (padded keys, a tab, the value). */
function snmp6(values: Record<string, number>, extraTypes = ""): string {
  const keys = [
    "Ip6InReceives",
    "Ip6InHdrErrors",
    "Ip6InTooBigErrors",
    "Ip6InNoRoutes",
    "Ip6InAddrErrors",
    "Ip6InUnknownProtos",
    "Ip6InTruncatedPkts",
    "Ip6InDiscards",
    "Ip6InDelivers",
    "Ip6OutForwDatagrams",
    "Ip6OutRequests",
    "Ip6OutDiscards",
    "Ip6OutNoRoutes",
    "Ip6ReasmTimeout",
    "Ip6ReasmReqds",
    "Ip6ReasmOKs",
    "Ip6ReasmFails",
    "Ip6FragOKs",
    "Ip6FragFails",
    "Ip6FragCreates",
    "Ip6InMcastPkts",
    "Ip6OutMcastPkts",
    "Ip6InOctets",
    "Ip6OutOctets",
    "Ip6InMcastOctets",
    "Ip6OutMcastOctets",
    "Ip6InBcastOctets",
    "Ip6OutBcastOctets",
    "Ip6InNoECTPkts",
    "Ip6InECT1Pkts",
    "Ip6InECT0Pkts",
    "Ip6InCEPkts",
    "Ip6OutTransmits",
    "Icmp6InMsgs",
    "Icmp6InErrors",
    "Icmp6OutMsgs",
    "Icmp6OutErrors",
    "Icmp6InCsumErrors",
    "Icmp6OutRateLimitHost",
    "Icmp6InDestUnreachs",
    "Icmp6InPktTooBigs",
    "Icmp6InTimeExcds",
    "Icmp6InParmProblems",
    "Icmp6InEchos",
    "Icmp6InEchoReplies",
    "Icmp6InGroupMembQueries",
    "Icmp6InGroupMembResponses",
    "Icmp6InGroupMembReductions",
    "Icmp6InRouterSolicits",
    "Icmp6InRouterAdvertisements",
    "Icmp6InNeighborSolicits",
    "Icmp6InNeighborAdvertisements",
    "Icmp6InRedirects",
    "Icmp6InMLDv2Reports",
    "Icmp6OutDestUnreachs",
    "Icmp6OutPktTooBigs",
    "Icmp6OutTimeExcds",
    "Icmp6OutParmProblems",
    "Icmp6OutEchos",
    "Icmp6OutEchoReplies",
    "Icmp6OutGroupMembQueries",
    "Icmp6OutGroupMembResponses",
    "Icmp6OutGroupMembReductions",
    "Icmp6OutRouterSolicits",
    "Icmp6OutRouterAdvertisements",
    "Icmp6OutNeighborSolicits",
    "Icmp6OutNeighborAdvertisements",
    "Icmp6OutRedirects",
    "Icmp6OutMLDv2Reports",
  ];
  const tail = [
    "Udp6InDatagrams",
    "Udp6NoPorts",
    "Udp6InErrors",
    "Udp6OutDatagrams",
    "Udp6RcvbufErrors",
    "Udp6SndbufErrors",
    "Udp6InCsumErrors",
    "Udp6IgnoredMulti",
    "Udp6MemErrors",
    "UdpLite6InDatagrams",
    "UdpLite6NoPorts",
    "UdpLite6InErrors",
    "UdpLite6OutDatagrams",
    "UdpLite6RcvbufErrors",
    "UdpLite6SndbufErrors",
    "UdpLite6InCsumErrors",
    "UdpLite6MemErrors",
  ];
  const line = (k: string) => `${k.padEnd(32)}\t${values[k] ?? 0}\n`;
  const types = ["Icmp6InType1", "Icmp6OutType1", "Icmp6OutType135", "Icmp6OutType143", ...extraTypes.split(" ")]
    .filter((k) => k !== "");
  return [...keys, ...types, ...tail].map(line).join("");
}

const FIRST: Record<string, number> = {
  Ip6InReceives: 1,
  Ip6InDelivers: 1,
  Ip6OutRequests: 10,
  Ip6OutMcastPkts: 8,
  Ip6InOctets: 128,
  Ip6OutOctets: 880,
  Ip6OutMcastOctets: 672,
  Ip6InNoECTPkts: 1,
  Icmp6InMsgs: 1,
  Icmp6InErrors: 1,
  Icmp6OutMsgs: 9,
  Icmp6InDestUnreachs: 1,
  Icmp6OutDestUnreachs: 1,
  Icmp6OutNeighborSolicits: 4,
  Icmp6OutMLDv2Reports: 4,
  Icmp6InType1: 1,
  Icmp6OutType1: 1,
  Icmp6OutType135: 4,
  Icmp6OutType143: 4,
};

/** Definitions a real 1.37.1 child made on this machine with `enable zero metrics = yes` (not in the fixture). */
const REAL: Record<string, string[]> = {
  "ipv6.errors": [
    `CHART "ipv6.errors" "" "IPv6 Errors" "packets/s" "errors" "ipv6.errors" "line" 6300 1 " detail  " "proc.plugin" "/proc/net/netstat"`,
    ...[
      "InDiscards",
      "-OutDiscards",
      "InHdrErrors",
      "InAddrErrors",
      "InUnknownProtos",
      "InTooBigErrors",
      "InTruncatedPkts",
      "InNoRoutes",
      "-OutNoRoutes",
    ].map((d) =>
      `DIMENSION "${d.replace("-", "")}" "${d.replace("-", "")}" "incremental" ${d[0] === "-" ? -1 : 1} 1 "  "`
    ),
  ],
  "ipv6.udpliteerrors": [
    `CHART "ipv6.udpliteerrors" "" "IPv6 UDP Lite Errors" "events/s" "udplite6" "ipv6.udpliteerrors" "line" 6710 1 " detail  " "proc.plugin" "/proc/net/netstat"`,
    ...["RcvbufErrors", "-SndbufErrors", "InErrors", "NoPorts", "InCsumErrors"].map((d) =>
      `DIMENSION "${d.replace("-", "")}" "${d.replace("-", "")}" "incremental" ${d[0] === "-" ? -1 : 1} 1 "  "`
    ),
  ],
  "ipv6.groupmemb": [
    `CHART "ipv6.groupmemb" "" "IPv6 ICMP Group Membership" "messages/s" "icmp6" "ipv6.groupmemb" "line" 6940 1 "   " "proc.plugin" "/proc/net/netstat"`,
    ...["InQueries", "-OutQueries", "InResponses", "-OutResponses", "InReductions", "-OutReductions"].map((d) =>
      `DIMENSION "${d.replace("-", "")}" "${d.replace("-", "")}" "incremental" ${d[0] === "-" ? -1 : 1} 1 "  "`
    ),
  ],
  "ipv6.bcast": [
    `CHART "ipv6.bcast" "" "IPv6 Broadcast Bandwidth" "kilobits/s" "broadcast6" "ipv6.bcast" "area" 6840 1 " detail  " "proc.plugin" "/proc/net/netstat"`,
    `DIMENSION "InBcastOctets" "received" "incremental" 8 1000 "  "`,
    `DIMENSION "OutBcastOctets" "sent" "incremental" -8 1000 "  "`,
  ],
  "ipv6.fragsin": [
    `CHART "ipv6.fragsin" "" "IPv6 Fragments Reassembly" "packets/s" "fragments6" "ipv6.fragsin" "line" 6402 1 " detail  " "proc.plugin" "/proc/net/netstat"`,
    `DIMENSION "ReasmOKs" "ok" "incremental" 1 1 "  "`,
    `DIMENSION "ReasmFails" "failed" "incremental" -1 1 "  "`,
    `DIMENSION "ReasmTimeout" "timeout" "incremental" -1 1 "  "`,
    `DIMENSION "ReasmReqds" "all" "incremental" 1 1 "  "`,
  ],
};

test("snmp6: fixture definitions, auto charts, values over two iterations", () => {
  const m = fakeMachine();
  try {
    m.write("/proc/net/snmp6", snmp6(FIRST));
    const source = snmp6Source(m.context);
    source.collect(T0 * 1e6);
    const made = [...m.host.charts.keys()];
    assert.deepEqual(made, [
      "system.ipv6",
      "ipv6.packets",
      "ipv6.mcast",
      "ipv6.mcastpkts",
      "ipv6.icmp",
      "ipv6.icmperrors",
      "ipv6.icmpneighbor",
      "ipv6.icmpmldv2",
      "ipv6.icmptypes",
      "ipv6.ect",
    ]);
    for (const id of made) assertLikeFixture(m.host, id);
    assert.deepEqual(m.last("system.ipv6"), { InOctets: 128, OutOctets: 880 });
    assert.deepEqual(m.last("ipv6.icmptypes"), {
      InType1: 1,
      InType128: 0,
      InType129: 0,
      InType136: 0,
      OutType1: 1,
      OutType128: 0,
      OutType129: 0,
      OutType133: 0,
      OutType135: 4,
      OutType143: 4,
    });

    // Second iteration: a new ICMP type line appears mid-file, UDP and error counters move.
    m.write(
      "/proc/net/snmp6",
      snmp6({
        ...FIRST,
        Ip6InOctets: 1128,
        Udp6InDatagrams: 5,
        Udp6OutDatagrams: 6,
        Udp6NoPorts: 2,
        Icmp6InType128: 3,
        Ip6InDiscards: 0,
        Ip6OutNoRoutes: 7,
        Udp6InCsumErrors: 1,
        Ip6InBcastOctets: 2,
        Ip6ReasmReqds: 1,
        Icmp6InGroupMembQueries: 1,
      }, "Icmp6InType128"),
    );
    source.collect((T0 + 1) * 1e6);
    assert.deepEqual(m.last("system.ipv6"), { InOctets: 1128, OutOctets: 880 });
    assert.equal(m.last("ipv6.icmptypes")!.InType128, 3, "a new key line is followed");
    assert.equal(m.last("ipv6.icmptypes")!.OutType135, 4);
    assert.deepEqual(m.last("ipv6.udppackets"), { InDatagrams: 5, OutDatagrams: 6 });
    assertLikeFixture(m.host, "ipv6.udppackets");
    assertLikeFixture(m.host, "ipv6.udperrors");
    assert.equal(m.host.charts.get("ipv6.errors"), undefined, "OutNoRoutes alone does not make ipv6.errors (1.37)");
    assert.ok(m.host.charts.has("ipv6.udpliteerrors"), "Udp6InCsumErrors wakes ipv6.udpliteerrors (1.37)");
    assert.equal(m.host.charts.get("ipv6.udplitepackets"), undefined);
    for (const id of ["ipv6.udpliteerrors", "ipv6.groupmemb", "ipv6.bcast", "ipv6.fragsin"]) {
      assert.deepEqual(ourDefinition(m.host.charts.get(id)!).filter((l) => !l.startsWith("CLABEL")), REAL[id]);
    }
    m.write("/proc/net/snmp6", snmp6({ ...FIRST, Ip6InDiscards: 1 }));
    source.collect((T0 + 2) * 1e6);
    assert.deepEqual(
      ourDefinition(m.host.charts.get("ipv6.errors")!).filter((l) => !l.startsWith("CLABEL")),
      REAL["ipv6.errors"],
    );
    assert.equal(m.last("ipv6.errors")!.InDiscards, 1);

    // Changed shape, then back.
    m.write("/proc/net/snmp6", "garbage\n");
    assert.throws(() => source.collect((T0 + 4) * 1e6), /unexpected contents of .*\/proc\/net\/snmp6/);
    assert.ok(m.obsoleted.includes("system.ipv6") && m.obsoleted.includes("ipv6.icmptypes"));
    m.write("/proc/net/snmp6", snmp6(FIRST));
    source.collect((T0 + 5) * 1e6);
    assert.equal(m.host.charts.get("system.ipv6")!.obsolete, false);
    source.close();

    // A missing file (a kernel without IPv6) names the file.
    m.remove("/proc/net/snmp6");
    const fresh = snmp6Source(m.context);
    assert.throws(() => fresh.collect((T0 + 6) * 1e6), /proc\/net\/snmp6/);
    fresh.close();
  } finally {
    m.dispose();
  }
});

test("snmp6: the real /proc for two iterations", () => {
  const m = fakeMachine();
  const source = snmp6Source({ ...m.context, root: "/" });
  try {
    source.collect(T0 * 1e6);
    source.collect((T0 + 1) * 1e6);
    for (const [id, c] of m.host.charts) assert.equal(c.module, "/proc/net/netstat", id);
  } finally {
    source.close();
    m.dispose();
  }
});
