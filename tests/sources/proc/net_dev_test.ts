import { test } from "node:test";
import assert from "node:assert/strict";
import { netDevSource } from "../../../src/sources/proc/net_dev.ts";
import { type FakeMachine, fakeMachine } from "../_fake_root.ts";
import { assertSameAsFixture } from "./_fixture_defs.ts";

const T0 = 1_795_423_040;
const HEADER = "Inter-|   Receive                                                |  Transmit\n" +
  " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n";

function netdev(
  eth0: string | undefined,
  lo = "3193      29    0    0    0     0          0         0     3193      29",
) {
  return HEADER + `    lo:    ${lo}    0    0    0     0       0          0\n` +
    "  ifb0:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0\n" +
    (eth0 === undefined ? "" : `  eth0: ${eth0}\n`);
}

function machine(): FakeMachine {
  const m = fakeMachine();
  m.write("/sys/devices/virtual/net/lo/type", "772\n");
  m.write("/sys/devices/virtual/net/ifb0/type", "1\n");
  m.write("/sys/class/net/ifb0/operstate", "down\n");
  m.write("/sys/class/net/ifb0/mtu", "1500\n");
  m.write("/sys/class/net/eth0/speed", "-1\n");
  m.write("/sys/class/net/eth0/duplex", "unknown\n");
  m.write("/sys/class/net/eth0/operstate", "up\n");
  m.write("/sys/class/net/eth0/carrier", "1\n");
  m.write("/sys/class/net/eth0/mtu", "1400\n");
  return m;
}

const ETH0_1 =
  "241295969    4818    0    0    0     0          0         0   154442    2072    0    0    0     0       0          0";
const ETH0_2 =
  "241300969    4828    2    0    0     0          0         1   155442    2082    0    0    0     0       0          0";

test("net/dev: definitions of net.eth0, system.net and the /sys charts are the fixture's", () => {
  const m = machine();
  try {
    const source = netDevSource(m.context);
    m.write("/proc/net/dev", netdev(ETH0_1));
    source.collect(T0 * 1e6);
    for (
      const id of [
        "system.net",
        "net.eth0",
        "net_packets.eth0",
        "net_speed.eth0",
        "net_duplex.eth0",
        "net_operstate.eth0",
        "net_carrier.eth0",
        "net_mtu.eth0",
        "net_operstate.ifb0",
        "net_mtu.ifb0",
      ]
    ) assertSameAsFixture(m.host.charts, id);
    // lo is disabled by default; an idle virtual interface gets only its state charts.
    assert.deepEqual([...m.host.charts.keys()].filter((id) => id.endsWith(".lo") || id === "net.ifb0"), []);
    assert.equal(m.host.charts.get("net_carrier.ifb0"), undefined, "no carrier file, no carrier chart");
    assert.equal(m.host.charts.get("net.eth0")!.variables.get("nic_speed_max"), 0);
    source.close();
  } finally {
    m.dispose();
  }
});

test("net/dev: raw values across two iterations; errors appear once non-zero", () => {
  const m = machine();
  try {
    const source = netDevSource(m.context);
    m.write("/proc/net/dev", netdev(ETH0_1));
    source.collect(T0 * 1e6);
    assert.deepEqual(m.last("system.net"), { InOctets: 241295969, OutOctets: 154442 }, "physical interfaces only");
    assert.deepEqual(m.last("net.eth0"), { received: 241295969, sent: 154442 });
    assert.deepEqual(m.last("net_speed.eth0"), { speed: 0 });
    assert.deepEqual(m.last("net_duplex.eth0"), { full: 0, half: 0, unknown: 1 });
    assert.deepEqual(m.last("net_carrier.eth0"), { up: 1, down: 0 });
    assert.equal(m.host.charts.get("net_errors.eth0"), undefined);

    m.write("/proc/net/dev", netdev(ETH0_2));
    m.write("/sys/class/net/eth0/speed", "1000\n");
    source.collect((T0 + 1) * 1e6);
    assert.deepEqual(m.last("net_packets.eth0"), { received: 4828, sent: 2082, multicast: 1 });
    assert.deepEqual(m.last("net_errors.eth0"), { inbound: 2, outbound: 0 });
    assert.deepEqual(m.last("net_speed.eth0"), { speed: 1_000_000 });
    assert.equal(m.host.charts.get("net.eth0")!.variables.get("nic_speed_max"), 1_000_000);
    const errors = m.host.charts.get("net_errors.eth0")!;
    assert.deepEqual(
      [errors.title, errors.units, errors.context, errors.priority, errors.detail],
      ["Interface Errors", "errors/s", "net.errors", 7002, true],
    );
    assert.equal(m.host.charts.get("net_drops.eth0"), undefined);
    source.close();
  } finally {
    m.dispose();
  }
});

test("net/dev: an interface that disappears is obsoleted and comes back when it returns", () => {
  const m = machine();
  try {
    const source = netDevSource(m.context);
    m.write("/proc/net/dev", netdev(ETH0_1));
    source.collect(T0 * 1e6);
    m.write("/proc/net/dev", netdev(undefined));
    source.collect((T0 + 1) * 1e6);
    assert.deepEqual(
      m.obsoleted.sort(),
      ["net.eth0", "net_carrier.eth0", "net_duplex.eth0", "net_mtu.eth0", "net_operstate.eth0", "net_packets.eth0"]
        .concat("net_speed.eth0"),
    );
    m.write("/proc/net/dev", netdev(ETH0_2));
    source.collect((T0 + 2) * 1e6);
    assert.equal(m.host.charts.get("net.eth0")!.obsolete, false);
    assert.deepEqual(m.last("net.eth0"), { received: 241300969, sent: 155442 });

    m.write("/proc/net/dev", HEADER + "  eth0: 1 2 3\n");
    assert.throws(() => source.collect((T0 + 3) * 1e6), /unexpected contents of .*\/proc\/net\/dev/);
    assert.equal(m.host.charts.get("system.net")!.obsolete, true);
    source.close();
  } finally {
    m.dispose();
  }
});
