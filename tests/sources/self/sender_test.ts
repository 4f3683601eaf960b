import { test } from "node:test";
import assert from "node:assert/strict";
import { type DisconnectReason, senderCharts } from "../../../src/sources/self/sender.ts";
import { fakeMachine } from "../_fake_root.ts";
import { assertLikeFixture } from "../proc/_fixture_charts.ts";

const T0 = 1_795_423_040;

function fakeCounters() {
  const disconnects: Record<DisconnectReason, number> = {
    "bad handshake": 0,
    "timeout": 0,
    "socket error": 0,
    "parent closed": 0,
  };
  return { connects: 0, disconnects, bytesSent: 0, pendingBytes: 0, bufferSizeBytes: 10 * 1024 * 1024 };
}

test("self sender: the streamsnd charts as 1.37 defines them, with only the jobs rill has", () => {
  const m = fakeMachine();
  try {
    const counters = fakeCounters();
    const group = senderCharts(m.host, 1, counters);
    group.collect(T0 * 1e6);
    group.collect((T0 + 1) * 1e6);
    assertLikeFixture(m.host, "netdata.workers_streamsnd_rate_bytes_sent");
    assertLikeFixture(m.host, "netdata.workers_streamsnd_value_used_buffer_ratio");
    assertLikeFixture(m.host, "netdata.workers_jobs_by_type_streamsnd", false);
    assert.deepEqual(m.host.charts.get("netdata.workers_jobs_by_type_streamsnd")!.dimensions.map((d) => d.id), [
      "connect",
      "disconnect bad handshake",
      "disconnect timeout",
      "disconnect socket error",
      "disconnect parent closed",
    ]);
  } finally {
    m.dispose();
  }
});

test("self sender: jobs per interval, buffer use in percent, bytes per second", () => {
  const m = fakeMachine();
  try {
    const counters = fakeCounters();
    const group = senderCharts(m.host, 1, counters);
    counters.connects = 1;
    counters.bytesSent = 5000;
    counters.pendingBytes = 1024 * 1024;
    group.collect(T0 * 1e6);
    // No rate from one reading; the jobs so far and the buffer at once.
    assert.equal(m.last("netdata.workers_streamsnd_rate_bytes_sent"), undefined);
    assert.deepEqual(m.last("netdata.workers_jobs_by_type_streamsnd"), {
      "connect": 1,
      "disconnect bad handshake": 0,
      "disconnect timeout": 0,
      "disconnect socket error": 0,
      "disconnect parent closed": 0,
    });
    // 1 MiB of 10 MiB: 10.00 %, sent × 100 for the divisor of 100.
    assert.deepEqual(m.last("netdata.workers_streamsnd_value_used_buffer_ratio"), {
      min: 1000,
      max: 1000,
      average: 1000,
    });

    counters.connects = 3;
    counters.disconnects["parent closed"] = 1;
    counters.disconnects.timeout = 1;
    counters.bytesSent = 5000 + 2 * 12_345;
    counters.pendingBytes = 0;
    group.collect((T0 + 2) * 1e6);
    assert.deepEqual(m.last("netdata.workers_jobs_by_type_streamsnd"), {
      "connect": 2,
      "disconnect bad handshake": 0,
      "disconnect timeout": 1,
      "disconnect socket error": 0,
      "disconnect parent closed": 1,
    });
    // 24,690 bytes over 2 s: 12,345.00 bytes/s.
    assert.deepEqual(m.last("netdata.workers_streamsnd_rate_bytes_sent"), {
      min: 1_234_500,
      max: 1_234_500,
      average: 1_234_500,
    });
    assert.deepEqual(m.last("netdata.workers_streamsnd_value_used_buffer_ratio"), { min: 0, max: 0, average: 0 });
  } finally {
    m.dispose();
  }
});
