/**
 * The delay probe of scripts/bench_proxy.ts: a simulated 1.37 child (tests/_sim_child.ts's handshake and
 * replication round) whose one chart, `probe.sent`, carries the time its value was sent (ms within the UTC hour,
 * {@link msWithinHour}), one value a second in real time; and a watcher that polls a parent's
 * `/host/<probe>/api/v1/data` every few ms and notes when each value the probe sent first shows there. The
 * delay of a value is then from its sending to the first reply that holds it, whatever nodes lie between.
 *
 * An `absolute` dimension collected once a slot is stored as collected (1.37's `rrdset_done` interpolates only
 * over missed slots), and a value under 3,600,000 stays exact in a `storage_number`, so a value read back names
 * the one sending it came from.
 *
 * When a value shows (as Debian's 1.37 does it, watched every 5 ms): a 1.37 parent files a streamed chart's
 * first value under the whole second it arrived in and every later one a slot further (the `BEGIN`'s 1000000
 * µs), and its API shows slot `s` only from `s + 1` by its clock. A value arriving within its slot so waits for
 * the slot's end, the same instant by any path, and a hop would not show: sent at 33.113 s, a value showed at
 * 34.000 s, direct or not. So the probe sends its first value just after a whole second and then skips one
 * second: every later value leaves about a second after its slot began, when that slot has already ended, and
 * shows as soon as it arrives. After the skip it sends one value a second, as any child.
 *
 * @example
 * ```ts
 * import { DelayProbe, watchProbe } from "./scripts/_delay_probe.ts";
 *
 * const probe = new DelayProbe("bench-probe");
 * await probe.start(proxyPort);
 * const sending = probe.sendRealTime();
 * const from = Date.now();
 * const watch = await watchProbe(probe, topPort, { pollMs: 5, fromMs: from, toMs: from + 30_000, graceMs: 5000 });
 * console.log(`median ${median(watch.delays)} ms over ${watch.delays.length} values`);
 * probe.stop();
 * await sending;
 * ```
 *
 * @module
 */
import { type ChartCommand, type DimensionCommand, encodeChildCommand, quote } from "../mod.ts";
import { IterationTemplate, type SimChart } from "../tests/_sim_charts.ts";
import { SimulatedChild } from "../tests/_sim_child.ts";
import { msWithinHour, sleep } from "./_bench_common.ts";

/** How long after a whole second the first value goes out. */
const FIRST_SEND_AFTER_SECOND_MS = 50;

/** The probe's chart id, as the API takes it. */
export const PROBE_CHART_ID = "probe.sent";

const DIMENSION: DimensionCommand = {
  kind: "DIMENSION",
  id: "sent_ms",
  name: "",
  algorithm: "absolute",
  multiplier: 1,
  divisor: 1,
  options: "",
};

const CHART: ChartCommand = {
  kind: "CHART",
  id: PROBE_CHART_ID,
  name: "",
  title: "When the probe sent the value",
  units: "ms within the hour",
  family: "probe",
  context: PROBE_CHART_ID,
  chartType: "line",
  priority: 1,
  updateEvery: 1,
  options: "",
  plugin: "bench_proxy",
  module: "probe",
};

const PROBE_SIM_CHART: SimChart = {
  id: PROBE_CHART_ID,
  definition: encodeChildCommand(CHART) + encodeChildCommand(DIMENSION),
  dimensions: [DIMENSION],
};

/**
 * A simulated child with the probe's one chart, sending its send time once a second.
 *
 * @example
 * ```ts
 * const probe = new DelayProbe("bench-probe");
 * await probe.start(port);
 * if (!probe.child.streaming) throw new Error(`the probe did not get to stream: ${probe.child.failure}`);
 * ```
 */
export class DelayProbe {
  /** The connection, handshake and replication round (its `failure` says why it stopped). */
  readonly child: SimulatedChild;
  /** Epoch ms of each sending, by the value sent. */
  readonly sentAt = new Map<number, number>();
  /** Values sent so far (one dimension each). */
  iterations = 0;
  #stopped = false;

  constructor(hostname: string) {
    this.child = new SimulatedChild({
      hostname,
      load: { charts: [PROBE_SIM_CHART], template: new IterationTemplate([PROBE_SIM_CHART]) },
    });
  }

  /** Connects to a parent on 127.0.0.1; resolves once data may flow (or it failed). */
  start(port: number): Promise<void> {
    return this.child.start(port);
  }

  /**
   * Sends `ms within the hour` of now once a second until {@link stop} or the connection's end: the first value
   * just after a whole second, every later one a second after the slot a 1.37 parent files it under (see the
   * module comment).
   */
  async sendRealTime(): Promise<void> {
    await sleep(1000 - Date.now() % 1000 + FIRST_SEND_AFTER_SECOND_MS);
    const started = Date.now();
    while (!this.#stopped && this.child.failure === undefined) {
      const now = Date.now();
      const value = msWithinHour(now);
      this.child.socket!.write(`BEGIN ${quote(PROBE_CHART_ID)} 1000000\nSET ${quote(DIMENSION.id)} = ${value}\nEND\n`);
      this.sentAt.set(value, now);
      this.iterations++;
      await sleep(started + (this.iterations + 1) * 1000 - Date.now());
    }
  }

  /** Stops sending and closes the connection. */
  stop(): void {
    this.#stopped = true;
    this.child.stop(true);
  }
}

/**
 * What {@link watchProbe} saw.
 *
 * @example
 * ```ts
 * const seen: ProbeWatch = { delays: [3, 4], cycles: [6, 6, 7], sent: 2, failedPolls: 0, lastFailure: undefined };
 * ```
 */
export interface ProbeWatch {
  /** Ms from each value's sending to the first reply that held it. */
  readonly delays: number[];
  /** Ms between consecutive replies: the resolution of the delays. */
  readonly cycles: number[];
  /** Values the probe sent in the window. */
  readonly sent: number;
  /** Polls that got no usable answer, and the last one's reason. */
  readonly failedPolls: number;
  readonly lastFailure: string | undefined;
}

/**
 * When to watch and how often.
 *
 * @example
 * ```ts
 * const window: WatchWindow = { pollMs: 5, fromMs: Date.now(), toMs: Date.now() + 30_000, graceMs: 5000 };
 * ```
 */
export interface WatchWindow {
  /** Least ms from one poll's start to the next one's. */
  readonly pollMs: number;
  /** Values sent from this epoch ms on (and before `toMs`) are timed. */
  readonly fromMs: number;
  readonly toMs: number;
  /** How long after `toMs` to wait for values sent in the window still unseen. */
  readonly graceMs: number;
}

interface DataReply {
  data?: (number | null)[][];
}

/**
 * Polls `127.0.0.1:<port>/host/<probe>/api/v1/data?chart=probe.sent&after=-5` from `fromMs` until every value
 * sent in the window was seen or `graceMs` after `toMs`, and times each value sent in the window.
 *
 * @example
 * ```ts
 * const watch = await watchProbe(probe, topPort, { pollMs: 5, fromMs, toMs, graceMs: 5000 });
 * console.log(`${watch.delays.length} of ${watch.sent} values seen`);
 * ```
 */
export async function watchProbe(probe: DelayProbe, port: number, window: WatchWindow): Promise<ProbeWatch> {
  // Every slot of the last 5 s on its own row (asking more points than slots groups nothing).
  const url = `http://127.0.0.1:${port}/host/${encodeURIComponent(probe.child.hostname)}/api/v1/data?chart=` +
    `${PROBE_CHART_ID}&after=-5&points=10&group=average&format=json`;
  const inWindow = (sentAt: number) => sentAt >= window.fromMs && sentAt < window.toMs;
  const seen = new Set<number>();
  const delays: number[] = [];
  const cycles: number[] = [];
  let failedPolls = 0;
  let lastFailure: string | undefined;
  let lastReply: number | undefined;
  await sleep(window.fromMs - Date.now());
  for (;;) {
    const started = Date.now();
    const sent = [...probe.sentAt.values()].filter(inWindow).length;
    if (started >= window.toMs + window.graceMs || (started >= window.toMs && seen.size >= sent)) {
      return { delays, cycles, sent, failedPolls, lastFailure };
    }
    try {
      const response = await fetch(url);
      const body = await response.text();
      const repliedAt = Date.now();
      if (lastReply !== undefined) cycles.push(repliedAt - lastReply);
      lastReply = repliedAt;
      if (!response.ok) throw new Error(`HTTP ${response.status} ${body.slice(0, 80).trim()}`);
      for (const row of (JSON.parse(body) as DataReply).data ?? []) {
        if (typeof row[1] !== "number") continue;
        const value = Math.round(row[1]);
        const sentAt = probe.sentAt.get(value);
        if (sentAt === undefined || !inWindow(sentAt) || seen.has(value)) continue;
        seen.add(value);
        delays.push(repliedAt - sentAt);
      }
    } catch (e) {
      failedPolls++;
      lastFailure = e instanceof Error ? e.message : String(e);
    }
    await sleep(started + window.pollMs - Date.now());
  }
}
