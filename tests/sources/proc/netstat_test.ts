import { test } from "node:test";
import assert from "node:assert/strict";
import { netstatSource } from "../../../src/sources/proc/netstat.ts";
import { fakeMachine } from "../_fake_root.ts";
import { assertSameAsFixture } from "./_fixture_defs.ts";

const T0 = 1_795_423_040;

function snmp(udpErrors: number, icmpMsg = "IcmpMsg: InType3\nIcmpMsg: 1\n"): string {
  return "Ip: Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors ForwDatagrams InUnknownProtos InDiscards " +
    "InDelivers OutRequests OutDiscards OutNoRoutes ReasmTimeout ReasmReqds ReasmOKs ReasmFails FragOKs FragFails " +
    "FragCreates OutTransmits\nIp: 2 64 7804 0 0 0 0 0 7804 5058 0 0 0 0 0 0 0 0 0 5058\n" +
    "Icmp: InMsgs InErrors InCsumErrors InDestUnreachs OutMsgs OutErrors\nIcmp: 1 0 0 1 0 0\n" + icmpMsg +
    "Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs " +
    "OutSegs RetransSegs InErrs OutRsts InCsumErrors\nTcp: 1 200 120000 -1 52 29 2 0 16 7764 5020 0 0 18 0\n" +
    "Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors\n" +
    `Udp: 39 ${udpErrors} 0 40 0 0 0 0 0\n` +
    "UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors\n" +
    "UdpLite: 0 0 0 0 0 0 0 0 0\n";
}

const NETSTAT = "TcpExt: SyncookiesSent SyncookiesRecv SyncookiesFailed OfoPruned TCPAbortOnData TCPAbortOnClose " +
  "TCPSynRetrans TCPOFOQueue\nTcpExt: 0 0 0 0 16 0 3 0\n" +
  "IpExt: InNoRoutes InTruncatedPkts InMcastPkts OutMcastPkts InBcastPkts OutBcastPkts InOctets OutOctets " +
  "InMcastOctets OutMcastOctets InBcastOctets OutBcastOctets InCsumErrors InNoECTPkts InECT1Pkts InECT0Pkts " +
  "InCEPkts ReasmOverlaps\nIpExt: 0 0 0 0 0 0 279208603 38105078 0 0 0 0 0 7804 0 0 0 0\n";

test("netstat: fixture definitions, auto charts, values and tcp_max_connections", () => {
  const m = fakeMachine();
  try {
    m.write("/proc/net/snmp", snmp(0));
    m.write("/proc/net/netstat", NETSTAT);
    const source = netstatSource(m.context);
    source.collect(T0 * 1e6);
    assert.equal(m.host.charts.get("ipv4.udperrors"), undefined, "all-zero counters make no chart");
    m.write("/proc/net/snmp", snmp(3, "IcmpMsg: InType3 OutType3\nIcmpMsg: 2 1\n"));
    source.collect((T0 + 1) * 1e6);
    for (
      const id of [
        "system.ip",
        "ip.ecnpkts",
        "ip.tcpconnaborts",
        "ipv4.packets",
        "ipv4.icmp",
        "ipv4.icmpmsg",
        "ipv4.tcpsock",
        "ipv4.tcppackets",
        "ipv4.tcpopens",
        "ipv4.tcphandshake",
        "ipv4.udppackets",
        "ipv4.udperrors",
      ]
    ) assertSameAsFixture(m.host.charts, id);
    assert.deepEqual(m.last("system.ip"), { InOctets: 279208603, OutOctets: 38105078 });
    assert.deepEqual(m.last("ipv4.tcpsock"), { CurrEstab: 16 });
    assert.deepEqual(m.last("ipv4.tcphandshake"), { EstabResets: 0, OutRsts: 18, AttemptFails: 2, TCPSynRetrans: 3 });
    assert.equal(m.last("ipv4.icmpmsg")!.InType3, 2, "a changed IcmpMsg header is followed");
    assert.equal(m.last("ipv4.icmpmsg")!.OutType3, 1);
    assert.deepEqual(m.last("ipv4.udperrors")!.NoPorts, 3);
    assert.equal(m.host.variables.get("tcp_max_connections"), -1);
    assert.equal(m.host.charts.get("ip.tcpofo"), undefined);

    m.write("/proc/net/netstat", "TcpExt: A B\nTcpExt: 1\n");
    assert.throws(() => source.collect((T0 + 2) * 1e6), /unexpected contents of .*\/proc\/net\/netstat/);
    assert.ok(m.obsoleted.includes("system.ip") && m.obsoleted.includes("ipv4.tcpsock"));
    m.write("/proc/net/netstat", NETSTAT);
    source.collect((T0 + 3) * 1e6);
    assert.equal(m.host.charts.get("system.ip")!.obsolete, false);
    source.close();
  } finally {
    m.dispose();
  }
});
