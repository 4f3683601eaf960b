import { test } from "node:test";
import assert from "node:assert/strict";
import { sockstatSource } from "../../../src/sources/proc/sockstat.ts";
import { fakeMachine } from "../_fake_root.ts";
import { assertSameAsFixture } from "./_fixture_defs.ts";

const T0 = 1_795_423_040;
const sockstat = (udp: number) =>
  `sockets: used 13\nTCP: inuse 11 orphan 0 tw 26 alloc 11 mem 221\nUDP: inuse ${udp} mem 0\nUDPLITE: inuse 0\n` +
  "RAW: inuse 0\nFRAG: inuse 0 memory 0\n";

test("sockstat: fixture definitions, auto charts, values and host variables", () => {
  const m = fakeMachine();
  try {
    m.write("/proc/net/sockstat", sockstat(0));
    m.write("/proc/sys/net/ipv4/tcp_max_orphans", "131072\n");
    m.write("/proc/sys/net/ipv4/tcp_mem", "287901\t383870\t575802\n");
    const source = sockstatSource(m.context);
    source.collect(T0 * 1e6);
    assert.equal(m.host.charts.get("ipv4.sockstat_udp_sockets"), undefined, "no UDP sockets yet");
    m.write("/proc/net/sockstat", sockstat(2));
    source.collect((T0 + 1) * 1e6);
    for (const id of ["ipv4.sockstat_sockets", "ipv4.sockstat_tcp_sockets", "ipv4.sockstat_udp_sockets"]) {
      assertSameAsFixture(m.host.charts, id);
    }
    assert.deepEqual(m.last("ipv4.sockstat_tcp_sockets"), { alloc: 11, orphan: 0, inuse: 11, timewait: 26 });
    assert.deepEqual(m.last("ipv4.sockstat_udp_sockets"), { inuse: 2 });
    assert.deepEqual(m.last("ipv4.sockstat_tcp_mem"), { mem: 221 });
    assert.equal(m.host.charts.get("ipv4.sockstat_tcp_mem")!.dimensions[0].multiplier, 4096);
    assert.equal(m.host.charts.get("ipv4.sockstat_raw_sockets"), undefined);
    assert.deepEqual(Object.fromEntries(m.host.variables), {
      tcp_max_orphans: 131072,
      tcp_mem_low: 1151604,
      tcp_mem_pressure: 1535480,
      tcp_mem_high: 2303208,
    });

    m.write("/proc/net/sockstat", "nothing here\n");
    assert.throws(() => source.collect((T0 + 2) * 1e6), /unexpected contents of .*\/proc\/net\/sockstat/);
    assert.ok(m.obsoleted.includes("ipv4.sockstat_sockets"));
    m.write("/proc/net/sockstat", sockstat(2));
    source.collect((T0 + 3) * 1e6);
    assert.equal(m.host.charts.get("ipv4.sockstat_sockets")!.obsolete, false);
    source.close();
  } finally {
    m.dispose();
  }
});
