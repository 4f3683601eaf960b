import { test } from "node:test";
import assert from "node:assert/strict";
import { CollectionTimings } from "../../../src/sources/collection_timings.ts";
import { collectionTimeChart, jobOfModule } from "../../../src/sources/self/collection_time.ts";
import type { Source } from "../../../src/sources/source.ts";
import { fakeMachine } from "../_fake_root.ts";
import { assertLikeFixture } from "../proc/_fixture_charts.ts";

const T0 = 1_795_423_040;
const source = (name: string): Source => ({ name, updateEvery: 1, collect() {}, close() {} });

test("self collection time: 1.37's job names, one dimension per module, snmp6 inside netstat", () => {
  assert.equal(jobOfModule("/proc/sys/kernel/random/entropy_avail"), "entropy");
  assert.equal(jobOfModule("/proc/net/stat/nf_conntrack"), "conntrack");
  assert.equal(jobOfModule("/proc/net/rpc/xprt"), "xprt");
  const m = fakeMachine();
  try {
    const sources = ["/proc/stat", "/proc/net/dev", "/proc/net/netstat", "/proc/net/netstat", "ipc"].map(source);
    const timings = new CollectionTimings(sources);
    const group = collectionTimeChart(m.host, 1, timings);
    timings.add(sources[0], 1.5);
    timings.add(sources[2], 0.25);
    timings.add(sources[3], 0.5);
    timings.add(source("not timed"), 99);
    group.collect(T0 * 1e6);
    assertLikeFixture(m.host, "netdata.workers_busy_time_by_type_proc", false);
    assert.deepEqual(m.host.charts.get("netdata.workers_busy_time_by_type_proc")!.dimensions.map((d) => d.id), [
      "stat",
      "netdev",
      "netstat",
      "ipc",
    ]);
    // µs, shown as ms by the divisor of 1000.
    assert.deepEqual(m.last("netdata.workers_busy_time_by_type_proc"), { stat: 1500, netdev: 0, netstat: 750, ipc: 0 });
    // Each iteration shows the time since the last one.
    timings.add(sources[0], 0.1);
    timings.add(sources[4], 2);
    group.collect((T0 + 1) * 1e6);
    assert.deepEqual(m.last("netdata.workers_busy_time_by_type_proc"), { stat: 100, netdev: 0, netstat: 0, ipc: 2000 });
  } finally {
    m.dispose();
  }
});
