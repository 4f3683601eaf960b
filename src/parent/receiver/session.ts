/**
 * One child's stream applied to its host model, command by command, as a 1.37 parent's parser does:
 * definitions, labels and variables update the model, `END` completes an iteration (storage observes
 * it), replication answers go to the store at their own timestamps (./replay_answer.ts), and every line 1.37 would refuse
 * throws a {@link StreamRefused} carrying the error-log message, so the receiver cuts that child off.
 * Definitions past the child's limits are refused and their later lines ignored (./limits.ts), and a chart
 * whose live iterations come far faster than its `update every` cuts the child off (./live_rate.ts).
 *
 * @module
 */

import type { ReceiverPolicy } from "./admission.ts";
import type { Chart, Label } from "../../metrics/chart.ts";
import { defineChart, defineDimension } from "../../metrics/definitions.ts";
import type { Host } from "../../metrics/host.ts";
import { sanitizeLabelName, sanitizeLabelValue } from "../../metrics/labels.ts";
import { CAP_REPLICATION, type Capabilities } from "../../protocol/capabilities.ts";
import type { ChartCommand, ChildCommand, DimensionCommand, VariableCommand } from "../../protocol/commands.ts";
import type { ChildLineSink } from "../../protocol/decode.ts";
import { encodeParentCommand } from "../../protocol/encode.ts";
import { canonicalGuid } from "../../protocol/guid.ts";
import type { CollectedNumber } from "../../protocol/numbers.ts";
import type { Logger } from "../../runtime/log.ts";
import { ChildLimits } from "./limits.ts";
import { LiveRate } from "./live_rate.ts";
import { requiresChart, StreamRefused } from "./refused.ts";
import { ReplayAnswer } from "./replay_answer.ts";
import { replicationRequest } from "./replication.ts";
import type { ReceiverStore } from "./store.ts";

/**
 * What a session needs from its connection.
 *
 * @example
 * ```ts
 * const ctx: SessionContext = {
 *   host, store, policy, caps: 15296, log, prefix: "STREAM child [receive from [10.0.0.5]:40000]",
 *   send: (line) => socket.write(line), claimed() {},
 * };
 * ```
 */
export interface SessionContext {
  readonly host: Host;
  readonly store: ReceiverStore;
  readonly policy: ReceiverPolicy;
  /** The negotiated capabilities. */
  readonly caps: Capabilities;
  /** The connection's error log (tagged `STREAM_RECEIVER[…]`). */
  readonly log: Logger;
  /** How log lines name the child: `STREAM <host> [receive from [<ip>]:<port>]`. */
  readonly prefix: string;
  /** `ip:port` of the child: as in 1.37, the plugin of a chart whose `CHART` names none (`""` when left out). */
  readonly peer?: string;
  /** The wall clock, epoch ms (iterations are timed and rated by it); `Date.now` when left out. */
  readonly now?: () => number;
  /** Writes one parent → child line. */
  send(line: string): void;
  /** The child announced its claim id (`CLAIMED_ID`, `null` when unclaimed). */
  claimed(claimId: string | null): void;
}

// A chart as a BEGIN named it, and the chart whose BEGIN followed last time.
interface Begun {
  /** The id as the decoder gave it: the same string for the same id, so a hit compares one pointer. */
  readonly id: string;
  readonly chart: Chart;
  next: Begun | undefined;
  /** How fast its live iterations come. */
  readonly rate: LiveRate;
}

/**
 * Applies one child's lines to its host; the decoder hands them over ({@link ChildLineSink}).
 *
 * @example
 * ```ts
 * const session = new ChildSession(ctx);
 * decoder.push(chunk, session);
 * session.updates; // completed BEGIN…END iterations
 * ```
 */
export class ChildSession implements ChildLineSink {
  /** Completed `BEGIN`…`END` iterations. */
  updates = 0;
  /**
   * Work done so far, in dimensions computed by completed iterations (the costly part of a line; the rest
   * is bounded by the bytes read): the receiver hands out the child's input in slices bounded by it.
   */
  work = 0;
  /** Charts a `REPLAY_CHART` was sent for. */
  readonly replayRequested: Set<string> = new Set();
  /** Charts whose replication ended with `REND … true` (live data follows). */
  readonly replayFinished: Set<string> = new Set();
  readonly #ctx: SessionContext;
  readonly #hostname: string;
  readonly #limits: ChildLimits;
  readonly #now: () => number;
  /** The chart of the last `CHART` or `BEGIN` (definitions, labels and variables go there). */
  #chart: Chart | undefined;
  /** The chart between `BEGIN` and `END`. */
  #collecting: Chart | undefined;
  /** `SET`s since the `BEGIN`: children send a chart's values in its dimensions' order. */
  #setPosition = 0;
  /**
   * Charts by the id their `BEGIN`s named, each linked to the chart that came next: a child sends its
   * charts in the same order every iteration, so a `BEGIN` is nearly always the predicted one and needs no
   * lookup. The host never drops or replaces a chart, so an entry stays right.
   */
  readonly #begun = new Map<string, Begun>();
  /** The `Begun` of the last `BEGIN`. */
  #lastBegun: Begun | undefined;
  /**
   * The last `CHART` or `BEGIN` named a chart refused for the limits: its definition lines and its
   * iteration are ignored.
   */
  #onRefusedChart = false;
  /** The replication answer the child is sending. */
  readonly #replay: ReplayAnswer;
  /** Host labels (`LABEL`) until `OVERWRITE`, chart labels (`CLABEL`) until `CLABEL_COMMIT`. */
  readonly #hostLabels = new Map<string, Label>();
  readonly #chartLabels = new Map<string, Label>();

  constructor(ctx: SessionContext) {
    this.#ctx = ctx;
    this.#hostname = ctx.host.identity.hostname;
    this.#limits = new ChildLimits({ host: ctx.host, limits: ctx.policy.limits, log: ctx.log, prefix: ctx.prefix });
    this.#now = ctx.now ?? Date.now;
    this.#replay = new ReplayAnswer({
      hostname: this.#hostname,
      store: ctx.store,
      limits: this.#limits,
      log: ctx.log,
      ended: (chart, cmd) => {
        if (cmd.startStreaming) this.replayFinished.add(chart.id);
        else this.#requestReplay(chart, cmd.firstEntry, cmd.lastEntry, cmd.after, cmd.before);
      },
    });
  }

  /** The most dimensions one chart of the host has: what one `END` may cost, in {@link work}. */
  get widestChart(): number {
    return this.#limits.widestChart;
  }

  /** `BEGIN`; throws {@link StreamRefused} for an unknown chart. */
  begin(chartId: string, microseconds: number): void {
    const predicted = this.#lastBegun?.next;
    let begun: Begun;
    if (predicted !== undefined && predicted.id === chartId) {
      begun = predicted;
    } else {
      const known = this.#begun.get(chartId) ?? this.#remember(chartId);
      if (known === undefined) {
        // A refused chart: its SETs and END are ignored.
        this.#chart = this.#collecting = undefined;
        this.#onRefusedChart = true;
        return;
      }
      begun = known;
      if (this.#lastBegun !== undefined) this.#lastBegun.next = begun;
    }
    this.#lastBegun = begun;
    this.#onRefusedChart = false;
    const chart = begun.chart;
    chart.reportedSinceLastUs = microseconds;
    this.#chart = this.#collecting = chart;
    this.#setPosition = 0;
  }

  /** `SET` (`null`: no value); throws {@link StreamRefused} outside `BEGIN`…`END` or for an unknown dimension. */
  set(dimensionId: string, value: CollectedNumber | null): void {
    const chart = this.#collecting ?? this.#outsideIteration("SET", "CHART");
    if (chart === undefined) return;
    // The dimension at this SET's position is almost always the one named: no map lookup then.
    const expected = chart.dimensions[this.#setPosition++];
    const dim = expected !== undefined && expected.id === dimensionId
      ? expected
      : chart.find(dimensionId) ?? this.#unknownDimension(chart, dimensionId);
    if (dim !== undefined && value !== null) dim.set(value);
  }

  /**
   * `END`: the chart's iteration is complete; throws {@link StreamRefused} without a `BEGIN`, or when the
   * chart's live iterations come far faster than its `update every` justifies.
   */
  end(): void {
    const chart = this.#collecting ?? this.#outsideIteration("END", "BEGIN");
    if (chart === undefined) return;
    const nowMs = this.#now();
    const rate = this.#lastBegun!.rate;
    if (!rate.take(nowMs, chart.updateEvery)) {
      this.#refuse(`${this.#ctx.prefix}: ${rate.tooFast(chart.id, chart.updateEvery)}. Disabling it.`);
    }
    this.#ctx.host.collected(chart, nowMs * 1000);
    this.#collecting = undefined;
    this.updates++;
    this.work += chart.dimensions.length;
  }

  /** Applies any other decoded command; throws {@link StreamRefused} for a line 1.37 refuses. */
  command(cmd: ChildCommand): void {
    switch (cmd.kind) {
      case "SET":
        return this.set(cmd.dimension, cmd.value);
      case "BEGIN":
        return this.begin(cmd.chart, cmd.microseconds);
      case "END":
        return this.end();
      case "RSET":
        return this.#replay.set(cmd);
      case "RBEGIN":
        return this.#replay.begin(cmd);
      case "RDSTATE":
        return this.#replay.dimensionState(cmd);
      case "RSSTATE":
        return this.#replay.chartState(cmd);
      case "REND":
        return this.#replay.end(cmd);
      case "CHART":
        return this.#defineChart(cmd);
      case "DIMENSION":
        return this.#defineDimension(cmd);
      case "CLABEL":
        if (this.#onRefusedChart) return;
        return this.#addLabel(this.#chartLabels, cmd.name, cmd.value, cmd.source, this.#chart?.id);
      case "CLABEL_COMMIT":
        if (this.#onRefusedChart) return;
        return this.#commitChartLabels();
      case "LABEL":
        return this.#addLabel(this.#hostLabels, cmd.name, cmd.value, cmd.source);
      case "OVERWRITE": {
        const labels = this.#ctx.host.labels;
        labels.clear();
        for (const [name, label] of this.#hostLabels) labels.set(name, label);
        this.#hostLabels.clear();
        return;
      }
      case "CLAIMED_ID":
        // 1.37 ignores a claim for another host.
        if (canonicalGuid(cmd.machineGuid) === this.#ctx.host.identity.machineGuid) this.#ctx.claimed(cmd.claimId);
        return;
      case "VARIABLE":
        return this.#variable(cmd);
      case "CHART_DEFINITION_END": {
        if (this.#onRefusedChart) return;
        const chart = this.#chart ?? this.#refuse(requiresChart("CHART_DEFINITION_END", "CHART"));
        if ((cmd.firstEntry === 0) !== (cmd.lastEntry === 0)) {
          // A headless 1.37 proxy sends "-1 0": it has nothing to replay, which is what follows.
          this.#ctx.log.error(
            `PLUGINSD REPLAY ERROR: 'host:${this.#hostname}/chart:${chart.id}' got a CHART_DEFINITION_END with malformed timings (first time ${cmd.firstEntry}, last time ${cmd.lastEntry}, world time ${cmd.childNow}).`,
          );
        }
        this.#requestReplay(chart, cmd.firstEntry, cmd.lastEntry, 0, 0);
        return;
      }
      case "FLUSH":
        this.#chart = this.#collecting = undefined;
        this.#onRefusedChart = false;
        return;
      case "DISABLE":
        this.#refuse("PLUGINSD: plugin called DISABLE. Disabling it.");
        return;
      case "FUNCTION":
      case "FUNCTION_RESULT":
        // Functions are called only through Netdata Cloud in 1.37; definitions and results are not kept.
        return;
    }
  }

  /** The `Begun` of a chart not begun before; `undefined` for a chart refused for the limits. */
  #remember(chartId: string): Begun | undefined {
    const chart = this.#limits.chartNamed(chartId, "BEGIN");
    if (chart === undefined) return undefined;
    const rate = new LiveRate(this.#ctx.policy.limits.maxIterationsPerUpdateEvery);
    const begun: Begun = { id: chartId, chart, next: undefined, rate };
    this.#begun.set(chartId, begun);
    return begun;
  }

  #refuse(message: string): never {
    throw new StreamRefused(message);
  }

  /** A `SET` or `END` outside an iteration: ignored in the iteration of a refused chart, else refused. */
  #outsideIteration(keyword: string, definedBy: string): undefined {
    if (!this.#onRefusedChart) this.#refuse(requiresChart(keyword, definedBy));
    return undefined;
  }

  /** A `SET` for a dimension the chart does not have: ignored when it was refused, else refused. */
  #unknownDimension(chart: Chart, id: string): undefined {
    if (!this.#limits.isRefusedDimension(chart, id)) {
      this.#refuse(
        `requested a SET on chart '${chart.id}' of host '${this.#hostname}', without a dimension. Disabling it.`,
      );
    }
    return undefined;
  }

  #defineChart(cmd: ChartCommand): void {
    this.#collecting = undefined;
    this.#chartLabels.clear();
    this.#onRefusedChart = !this.#limits.chart(cmd.id);
    if (this.#onRefusedChart) {
      this.#chart = undefined;
      return;
    }
    // 1.37 falls back to the parent's own `update every`; the child's (from its handshake) is what its
    // charts run at, and a 1.37 child never sends 0.
    this.#chart = defineChart(this.#ctx.host, cmd, {
      updateEvery: this.#ctx.host.identity.updateEvery,
      plugin: this.#ctx.peer ?? "",
    });
  }

  #defineDimension(cmd: DimensionCommand): void {
    if (this.#onRefusedChart) return;
    const chart = this.#chart ?? this.#refuse(requiresChart("DIMENSION", "CHART"));
    if (!this.#limits.dimension(chart, cmd.id)) return;
    defineDimension(chart, cmd);
  }

  /**
   * Keeps a label as 1.37 does: name and value sanitized, a name that sanitizes to nothing dropped; past the
   * labels limit (of the host, or of the chart `chartId`) it is refused.
   */
  #addLabel(into: Map<string, Label>, name: string, value: string, source: number, chartId?: string): void {
    const clean = sanitizeLabelName(name);
    if (clean === "" || !this.#limits.label(into, clean, chartId)) return;
    into.set(clean, { value: sanitizeLabelValue(value), source });
  }

  #commitChartLabels(): void {
    const chart = this.#chart;
    if (chart === undefined) {
      this.#ctx.log.error(
        `PLUGINSD: 'host:${this.#hostname}' got CLABEL_COMMIT, without a CHART or BEGIN. Ignoring it.`,
      );
      return;
    }
    for (const name of chart.labels.keys()) {
      if (this.#chartLabels.has(name)) continue;
      chart.labels.delete(name);
      chart.version++;
    }
    for (const [name, label] of this.#chartLabels) chart.label(name, label.value, label.source);
    this.#chartLabels.clear();
  }

  #variable(cmd: VariableCommand): void {
    const chartScope = cmd.scope === "CHART" || cmd.scope === "LOCAL" ||
      (cmd.scope === "" && (this.#chart !== undefined || this.#onRefusedChart));
    if (!chartScope) {
      const host = this.#ctx.host;
      if (this.#limits.variable(host.variables, cmd.name)) host.variable(cmd.name, cmd.value);
    } else if (this.#chart !== undefined) {
      if (this.#limits.variable(this.#chart.variables, cmd.name)) this.#chart.variable(cmd.name, cmd.value);
    } else if (!this.#onRefusedChart) {
      this.#ctx.log.error(
        `PLUGINSD: 'host:${this.#hostname}/chart:' cannot update CHART VARIABLE '${cmd.name}' without a chart`,
      );
    }
  }

  #requestReplay(chart: Chart, childFirstS: number, childLastS: number, afterS: number, beforeS: number): void {
    const { replication } = this.#ctx.policy;
    // Without REPLICATION a child neither expects nor understands REPLAY_CHART.
    if (!(this.#ctx.caps & CAP_REPLICATION)) return;
    const request = replicationRequest({
      chart: chart.id,
      enabled: replication.enabled,
      secondsToReplicate: replication.seconds,
      stepSeconds: replication.stepSeconds,
      nowS: Math.floor(Date.now() / 1000),
      dimensions: chart.dimensions.length,
      localLastS: this.#ctx.store.series(chart.id)?.lastTimeS() ?? 0,
      childFirstS,
      childLastS,
      previousAfterS: afterS,
      previousBeforeS: beforeS,
    });
    this.replayRequested.add(chart.id);
    this.#ctx.send(encodeParentCommand(request));
  }
}
