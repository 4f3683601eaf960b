/**
 * The streaming sender's health, as Netdata 1.37 charts its `STREAMSND` worker: bytes sent per second,
 * how full the send buffer is, and the connection attempts and disconnects by reason in each interval.
 *
 * Only what rill's sender really does has a dimension: no "pipe read", "execute" or "ssl error" jobs (rill
 * has no pipe, no separate execute step, and its TLS errors are socket errors), no "disconnect overflow"
 * (at the bound rill keeps the connection and holds data back). 1.37's rate and ratio charts have `min`,
 * `max` and `average` over its sender threads; a collector has one sender, so the three are equal, kept
 * so that the charts are the ones a Netdata dashboard knows. The bytes are per second over the time
 * between two iterations (1.37 charts the difference of each iteration, the same at its usual 1 s).
 *
 * The counters are read through {@link SenderCounters}, which the sender's statistics satisfy (this room
 * may not import the sending side; the cli hands them over).
 *
 * @module
 */

import type { Chart } from "../../metrics/chart.ts";
import type { Host } from "../../metrics/host.ts";
import { dim } from "../_chart.ts";
import { type ChartGroup, netdataChart } from "./_chart.ts";

/**
 * Why a connection to the parent ended, in 1.37's words (its job names are `disconnect <reason>`).
 *
 * @example
 * ```ts
 * const reason: DisconnectReason = "parent closed";
 * ```
 */
export type DisconnectReason = "bad handshake" | "timeout" | "socket error" | "parent closed";

/** The reasons in the order 1.37 lists its disconnect jobs. */
const REASONS: readonly DisconnectReason[] = ["bad handshake", "timeout", "socket error", "parent closed"];

/**
 * What the self-monitoring source reads from a sender: totals since it started, and the buffer now.
 *
 * @example
 * ```ts
 * const counters: SenderCounters = sender.stats; // the stream side's SenderStats
 * counters.bytesSent; // 1_234_567
 * ```
 */
export interface SenderCounters {
  /** Rounds of connection attempts over the destinations (the first connection and every reconnection). */
  readonly connects: number;
  /** Connections and handshakes that ended, by reason. */
  readonly disconnects: Readonly<Record<DisconnectReason, number>>;
  /** Bytes written to parents over all connections, as they went on the wire (compressed when negotiated). */
  readonly bytesSent: number;
  /** Bytes waiting to be sent now. */
  readonly pendingBytes: number;
  /** `[stream] buffer size bytes`. */
  readonly bufferSizeBytes: number;
}

const FAMILY = "workers streaming send";
/** 1.37 keeps two decimals of its worker metrics: values go out × 100 with a divisor of 100. */
const DECIMALS = 100;

/**
 * The sender charts.
 *
 * @example
 * ```ts
 * const group = senderCharts(host, 1, sender.stats);
 * group.collect(Date.now() * 1000);
 * ```
 */
export function senderCharts(host: Host, updateEvery: number, counters: SenderCounters): ChartGroup {
  const minMaxAverage = [
    dim("min", "absolute", 1, DECIMALS),
    dim("max", "absolute", 1, DECIMALS),
    dim("average", "absolute", 1, DECIMALS),
  ];
  const jobs = netdataChart(host, updateEvery, {
    id: "netdata.workers_jobs_by_type_streamsnd",
    title: "Netdata Workers Jobs Started by Type",
    units: "jobs",
    family: FAMILY,
    context: "netdata.workers.streamsnd.jobs_started_by_type",
    chartType: "stacked",
    priority: 1000002,
  }, [dim("connect", "absolute"), ...REASONS.map((r) => dim(`disconnect ${r}`, "absolute"))]);
  const bufferUsed = netdataChart(host, updateEvery, {
    id: "netdata.workers_streamsnd_value_used_buffer_ratio",
    title: "Netdata Workers streamsnd value of used buffer ratio",
    units: "%",
    family: FAMILY,
    context: "netdata.workers.streamsnd.value.used_buffer_ratio",
    chartType: "line",
    priority: 1000020,
  }, minMaxAverage);
  let bytesSent: Chart | undefined;
  // Totals at the last iteration; the jobs chart counts from 0, so its first point holds all since start.
  const lastJobs = new Float64Array(1 + REASONS.length);
  let lastBytes = 0, lastUs = 0;

  const setAll = (chart: Chart, value: number) => {
    for (const d of chart.dimensions) d.set(value);
  };

  return {
    collect(nowUs) {
      const jobDims = jobs.dimensions;
      jobDims[0].set(counters.connects - lastJobs[0]);
      lastJobs[0] = counters.connects;
      for (let i = 0; i < REASONS.length; i++) {
        const total = counters.disconnects[REASONS[i]];
        jobDims[i + 1].set(total - lastJobs[i + 1]);
        lastJobs[i + 1] = total;
      }
      host.collected(jobs, nowUs);

      const limit = counters.bufferSizeBytes;
      setAll(bufferUsed, limit > 0 ? Math.round(counters.pendingBytes * 100 * DECIMALS / limit) : 0);
      host.collected(bufferUsed, nowUs);

      // A rate needs two readings: the chart starts with the second iteration.
      const sent = counters.bytesSent;
      if (lastUs !== 0 && nowUs > lastUs) {
        bytesSent ??= netdataChart(host, updateEvery, {
          id: "netdata.workers_streamsnd_rate_bytes_sent",
          title: "Netdata Workers streamsnd rate of bytes sent",
          units: "bytes/s",
          family: FAMILY,
          context: "netdata.workers.streamsnd.rate.bytes_sent",
          chartType: "line",
          priority: 1000022,
        }, minMaxAverage);
        setAll(bytesSent, Math.round((sent - lastBytes) * DECIMALS * 1e6 / (nowUs - lastUs)));
        host.collected(bytesSent, nowUs);
      }
      lastBytes = sent;
      lastUs = nowUs;
    },
  };
}
