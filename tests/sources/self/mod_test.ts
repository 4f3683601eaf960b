import { test } from "node:test";
import assert from "node:assert/strict";
import { CollectionTimings } from "../../../src/sources/collection_timings.ts";
import { selfMonitoringSource, type SenderCounters } from "../../../src/sources/self/mod.ts";
import { fakeMachine } from "../_fake_root.ts";

const T0 = 1_795_423_040;
const counters: SenderCounters = {
  connects: 1,
  disconnects: { "bad handshake": 0, "timeout": 0, "socket error": 0, "parent closed": 0 },
  bytesSent: 0,
  pendingBytes: 0,
  bufferSizeBytes: 1024,
};

test("self-monitoring: the groups given, and a failing probe stops only its own charts", () => {
  const m = fakeMachine();
  try {
    const self = selfMonitoringSource(m.context, {
      timings: new CollectionTimings([]),
      sender: counters,
      process: { cpuUsage: () => ({ user: 1, system: 2 }), startedAtUs: T0 * 1e6, statusPath: `${m.root}/missing` },
    });
    assert.throws(() => self.collect(T0 * 1e6), /ENOENT.*missing/);
    assert.throws(() => self.collect((T0 + 1) * 1e6), /ENOENT/);
    assert.deepEqual([...new Set(m.collected.map((c) => c.chart))].sort(), [
      "netdata.server_cpu",
      "netdata.uptime",
      "netdata.workers_busy_time_by_type_proc",
      "netdata.workers_jobs_by_type_streamsnd",
      "netdata.workers_streamsnd_rate_bytes_sent",
      "netdata.workers_streamsnd_value_used_buffer_ratio",
    ]);
    self.close();
  } finally {
    m.dispose();
  }
});

test("self-monitoring: this process by default, with only the process charts", () => {
  const m = fakeMachine();
  try {
    const self = selfMonitoringSource(m.context);
    self.collect(Date.now() * 1000);
    assert.deepEqual([...m.host.charts.keys()].sort(), ["netdata.memory", "netdata.server_cpu", "netdata.uptime"]);
    const memory = m.last("netdata.memory")!;
    assert.ok(Number(memory.anonymous) > 0 && Number(memory.file) > 0, JSON.stringify(memory));
    self.close();
  } finally {
    m.dispose();
  }
});
