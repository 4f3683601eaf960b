import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { nfConntrackSource } from "../../../src/sources/proc/nf_conntrack.ts";
import { fakeMachine } from "../_fake_root.ts";
import { assertLikeFixture } from "./_fixture_charts.ts";

const T0 = 1_795_423_040;
const HEADER = "entries  clashres found new invalid ignore delete chainlength insert insert_failed drop early_drop " +
  "icmp_error  expect_new expect_create expect_delete search_restart\n";

/** One CPU line as a 6.x kernel writes it: 17 hexadecimal columns, a double space after entries and icmp_error. */
function cpu(cols: number[]): string {
  const hex = cols.map((v) => v.toString(16).padStart(8, "0"));
  return `${hex[0]}  ${hex.slice(1, 13).join(" ")}  ${hex.slice(13).join(" ")}\n`;
}
const line = (entries: number, base: number) =>
  cpu(Array.from({ length: 17 }, (_, i) => (i === 0 ? entries : base + i)));

test("nf_conntrack: fixture definitions, summed values over two iterations, netfilter_conntrack_max", () => {
  const m = fakeMachine();
  try {
    m.write("/proc/net/stat/nf_conntrack", HEADER + line(5, 0) + line(5, 100));
    m.write("/proc/sys/net/netfilter/nf_conntrack_max", "262144\n");
    const source = nfConntrackSource(m.context);
    source.collect(T0 * 1e6);
    const ids = [
      "netfilter.conntrack_sockets",
      "netfilter.conntrack_new",
      "netfilter.conntrack_changes",
      "netfilter.conntrack_expect",
      "netfilter.conntrack_search",
      "netfilter.conntrack_errors",
    ];
    assert.deepEqual([...m.host.charts.keys()], ids);
    for (const id of ids) assertLikeFixture(m.host, id);
    assert.equal(m.host.variables.get("netfilter_conntrack_max"), 262144);
    // Column i of the two lines sums to 2i + 100.
    assert.deepEqual(m.last("netfilter.conntrack_sockets"), { connections: 5 });
    assert.deepEqual(m.last("netfilter.conntrack_new"), { new: 106, ignore: 110, invalid: 108 });
    assert.deepEqual(m.last("netfilter.conntrack_changes"), { inserted: 116, deleted: 112, delete_list: 114 });
    assert.deepEqual(m.last("netfilter.conntrack_expect"), { created: 128, deleted: 130, new: 126 });
    assert.deepEqual(m.last("netfilter.conntrack_search"), { searched: 102, restarted: 132, found: 104 });
    assert.deepEqual(m.last("netfilter.conntrack_errors"), {
      icmp_error: 124,
      insert_failed: 118,
      drop: 120,
      early_drop: 122,
    });

    m.write("/proc/net/stat/nf_conntrack", HEADER + line(0, 1) + line(7, 200) + "0001 0002\n");
    m.write("/proc/sys/net/netfilter/nf_conntrack_max", "65536\n");
    source.collect((T0 + 1) * 1e6);
    assert.deepEqual(m.last("netfilter.conntrack_sockets"), { connections: 7 }, "the first non-zero entries");
    assert.deepEqual(m.last("netfilter.conntrack_new"), { new: 207, ignore: 211, invalid: 209 });
    assert.equal(m.host.variables.get("netfilter_conntrack_max"), 262144, "the maximum is read every 10 s");
    source.collect((T0 + 10) * 1e6);
    assert.equal(m.host.variables.get("netfilter_conntrack_max"), 65536);

    m.write("/proc/net/stat/nf_conntrack", HEADER + "00000001 00000002\n");
    assert.throws(() => source.collect((T0 + 11) * 1e6), /unexpected contents of .*nf_conntrack/);
    assert.ok(ids.every((id) => m.obsoleted.includes(id)));
    m.write("/proc/net/stat/nf_conntrack", HEADER + line(5, 0));
    source.collect((T0 + 12) * 1e6);
    assert.ok(ids.every((id) => !m.host.charts.get(id)!.obsolete));
    source.close();

    // No statistics file: the connections chart alone, from nf_conntrack_count; nothing at all → an error.
    m.remove("/proc/net/stat/nf_conntrack");
    m.write("/proc/sys/net/netfilter/nf_conntrack_count", "3\n");
    const fallback = nfConntrackSource(m.context);
    m.obsoleted.length = 0;
    fallback.collect((T0 + 13) * 1e6);
    assert.deepEqual(m.last("netfilter.conntrack_sockets"), { connections: 3 });
    assert.ok(m.obsoleted.length === 0);
    fallback.close();
    m.remove("/proc/sys/net/netfilter/nf_conntrack_count");
    const none = nfConntrackSource(m.context);
    assert.throws(() => none.collect((T0 + 14) * 1e6), /proc\/net\/stat\/nf_conntrack/);
    none.close();
  } finally {
    m.dispose();
  }
});

test("nf_conntrack: the real /proc for two iterations", () => {
  const m = fakeMachine();
  const source = nfConntrackSource({ ...m.context, root: "/" });
  try {
    let threw: unknown;
    for (const t of [T0, T0 + 1]) {
      try {
        source.collect(t * 1e6);
      } catch (e) {
        threw = e;
      }
    }
    // A kernel without conntrack has neither file; everywhere else nothing may throw.
    if (existsSync("/proc/net/stat/nf_conntrack")) assert.equal(threw, undefined);
    else assert.ok(threw === undefined || /nf_conntrack/.test(String(threw)), String(threw));
  } finally {
    source.close();
    m.dispose();
  }
});
