/**
 * What one connection sends of a host, as a 1.37 child writes it: the host-level lines first (claim id,
 * host labels, host variables), each chart's definition block once per connection and again whenever it
 * changes (through the one mapping of ../metrics/definitions.ts), and `BEGIN`/`SET`/`END` per collected
 * iteration. With REPLICATION a chart's data waits, after its definition, until the parent's
 * `REPLAY_CHART` was answered.
 *
 * A chart whose iteration (or definition) the bounded buffer refuses is held back: nothing more of it is
 * sent, its points wait in the replay ring, and once the parent has read enough ({@link ChartEncoder.resume})
 * it is defined again, so that the parent asks for what it missed, as after a reconnection.
 *
 * @module
 */

import type { Chart } from "../metrics/chart.ts";
import { definitionCommandsOf } from "../metrics/definitions.ts";
import type { Host } from "../metrics/host.ts";
import { CAP_CLABELS, CAP_CLAIM, CAP_HLABELS, CAP_REPLICATION, type Capabilities } from "../protocol/capabilities.ts";
import type { ChildCommand } from "../protocol/commands.ts";
import { encodeChildCommand, quote } from "../protocol/encode.ts";
import { chartMatches, type SimplePattern } from "../protocol/simple_pattern.ts";

/**
 * What a {@link ChartEncoder} writes for.
 *
 * @example
 * ```ts
 * const options: ChartEncoderOptions = {
 *   host, caps: conn.caps, sendChartsMatching: config.sendChartsMatching, initialClockResyncIterations: 60, send: (t) => conn.send(t),
 * };
 * ```
 */
export interface ChartEncoderOptions {
  readonly host: Host;
  /** The capabilities the parent negotiated. */
  readonly caps: Capabilities;
  /** `[stream] send charts matching`. */
  readonly sendChartsMatching: SimplePattern;
  /** `[stream] initial clock resync iterations` (without REPLICATION). */
  readonly initialClockResyncIterations: number;
  /** Queues text for the parent; false when the buffer refused it. */
  send(text: string): boolean;
  /** The wall clock in epoch seconds (`CHART_DEFINITION_END`); tests may pin it. */
  readonly nowSeconds?: () => number;
  /** What history the sender can replay of a chart (`CHART_DEFINITION_END`); none when left out. */
  readonly retention?: (chartId: string) => { readonly firstS: number; readonly lastS: number };
  /**
   * Epoch seconds since when the parent has had nothing of this host (the previous connection ended); 0 for
   * the first connection. What the replay ring no longer holds of that span counts as lost.
   */
  readonly missedSinceS?: number;
}

/**
 * Data the parent missed and the replay ring no longer holds, counted as charts are (re)defined.
 *
 * @example
 * ```ts
 * const lost: Lost = { charts: 12, seconds: 45 };
 * ```
 */
export interface Lost {
  /** Charts that lost points. */
  readonly charts: number;
  /** The most seconds one of them lost. */
  readonly seconds: number;
}

/** What a connection knows of one chart. */
interface ChartState {
  /** The chart's version when its definition was last sent; -1 before. */
  sentVersion: number;
  /** `send charts matching` for its id or name, evaluated once. */
  readonly matches: boolean;
  /** False between a definition and the parent's `REPLAY_CHART` (REPLICATION), when no data may flow. */
  streaming: boolean;
  /** Iterations sent on this connection (for `initial clock resync iterations`). */
  iterations: number;
  /** The buffer refused the chart's text: nothing more of it goes until it is defined again. */
  held: boolean;
  /**
   * Epoch seconds since when the parent has missed the chart's data (held back, or the connection was
   * lost); 0 when it missed nothing. Cleared by the next definition, which lets the parent ask for it.
   */
  missedSinceS: number;
  /** `BEGIN "<id>" ` */
  readonly begin: string;
  /** `SET "<dim>" = ` per dimension, in the chart's order; rebuilt with each definition. */
  sets: string[];
}

/**
 * Encodes one host for one connection.
 *
 * @example
 * ```ts
 * const encoder = new ChartEncoder({ host, caps, sendChartsMatching: config.sendChartsMatching, initialClockResyncIterations: 60, send });
 * encoder.greet();
 * encoder.defineCollected();
 * encoder.collected(chart); // after each iteration
 * ```
 */
export class ChartEncoder {
  readonly #options: ChartEncoderOptions;
  readonly #replication: boolean;
  readonly #nowSeconds: () => number;
  readonly #charts = new Map<Chart, ChartState>();
  /** Charts held back, in the order they were held. */
  readonly #held = new Set<Chart>();
  #lostCharts = 0;
  #lostSeconds = 0;

  constructor(options: ChartEncoderOptions) {
    this.#options = options;
    this.#replication = (options.caps & CAP_REPLICATION) !== 0;
    this.#nowSeconds = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  }

  /** Host-level lines sent first on every connection: claim id, host labels, host variables. */
  greet(): void {
    const { host, caps } = this.#options;
    const lines: ChildCommand[] = [];
    if (caps & CAP_CLAIM) lines.push({ kind: "CLAIMED_ID", machineGuid: host.identity.machineGuid, claimId: null });
    if (caps & CAP_HLABELS) {
      for (const [name, label] of host.labels) lines.push({ kind: "LABEL", name, ...label });
      lines.push({ kind: "OVERWRITE", what: "labels" });
    }
    for (const [name, value] of host.variables) lines.push({ kind: "VARIABLE", scope: "HOST", name, value });
    if (lines.length > 0) this.#options.send(lines.map(encodeChildCommand).join(""));
  }

  /** Defines every chart that matches and was collected at least once (the rest follow their first iteration). */
  defineCollected(): void {
    for (const chart of this.#options.host.charts.values()) {
      const state = this.#state(chart);
      if (state.matches && chart.lastCollectedUs > 0) this.#define(chart, state);
    }
  }

  /** A chart finished an iteration: its definition if it changed, then its values once it may stream. */
  collected(chart: Chart): void {
    const state = this.#state(chart);
    if (!state.matches || state.held) return;
    if (state.sentVersion !== chart.version && !this.#define(chart, state)) return;
    if (!state.streaming) return;
    const resync = !this.#replication && state.iterations < this.#options.initialClockResyncIterations;
    state.iterations++;
    // A host received from a child (a proxy) passes on the duration its child measured, as 1.37 does: the
    // next parent then times the data by the clock of the node that collected it.
    const sinceLastUs = chart.reportedSinceLastUs !== 0 ? chart.reportedSinceLastUs : chart.sinceLastUs;
    let text = `${state.begin}${resync ? 0 : sinceLastUs}\n`;
    const dims = chart.dimensions;
    for (let i = 0; i < dims.length; i++) {
      const dim = dims[i];
      if (dim.updated && !dim.obsolete) text += `${state.sets[i]}${dim.value}\n`;
    }
    if (!this.#options.send(`${text}END\n`)) this.#hold(chart, state);
  }

  /**
   * The parent has read enough: the charts held back are defined again, oldest hold first, for as long as
   * the buffer takes them (with REPLICATION the parent then asks for what it missed).
   */
  resume(): void {
    for (const chart of this.#held) {
      const state = this.#state(chart);
      if (!this.#define(chart, state)) return;
    }
  }

  /** Charts held back now. */
  get heldCharts(): number {
    return this.#held.size;
  }

  /** What was lost since the last call (charts defined again whose missed span the ring no longer held). */
  takeLost(): Lost {
    const lost = { charts: this.#lostCharts, seconds: this.#lostSeconds };
    this.#lostCharts = this.#lostSeconds = 0;
    return lost;
  }

  /** A chart changed between iterations (e.g. it became obsolete): defined again if it was sent. */
  changed(chart: Chart): void {
    const state = this.#state(chart);
    if (state.matches && !state.held && state.sentVersion !== -1 && state.sentVersion !== chart.version) {
      this.#define(chart, state);
    }
  }

  /** A host variable changed; a 1.37 child sends it at once. */
  variableChanged(name: string, value: number): void {
    this.#options.send(encodeChildCommand({ kind: "VARIABLE", scope: "HOST", name, value }));
  }

  /** The chart `chartId` if its definition was sent on this connection. */
  sentChart(chartId: string): Chart | undefined {
    const chart = this.#options.host.charts.get(chartId);
    const state = chart === undefined ? undefined : this.#charts.get(chart);
    return state === undefined || state.sentVersion === -1 ? undefined : chart;
  }

  /** Lets a chart's data flow (its replication answer ended with start streaming). */
  startStreaming(chart: Chart): void {
    const state = this.#charts.get(chart);
    if (state !== undefined) state.streaming = true;
  }

  #state(chart: Chart): ChartState {
    let state = this.#charts.get(chart);
    if (state === undefined) {
      state = {
        sentVersion: -1,
        matches: chartMatches(this.#options.sendChartsMatching, chart.id, chart.name),
        streaming: false,
        iterations: 0,
        held: false,
        missedSinceS: this.#options.missedSinceS ?? 0,
        begin: `BEGIN ${quote(chart.id)} `,
        sets: [],
      };
      this.#charts.set(chart, state);
    }
    return state;
  }

  /**
   * Sends a chart's definition block (with REPLICATION, data then waits for the parent's `REPLAY_CHART`);
   * false when the buffer refused it, and the chart is held back.
   */
  #define(chart: Chart, state: ChartState): boolean {
    const lines = definitionCommandsOf(chart, { labels: (this.#options.caps & CAP_CLABELS) !== 0 });
    const held = this.#options.retention?.(chart.id) ?? { firstS: 0, lastS: 0 };
    if (this.#replication) {
      lines.push({
        kind: "CHART_DEFINITION_END",
        firstEntry: held.firstS,
        lastEntry: held.lastS,
        childNow: this.#nowSeconds(),
      });
    }
    if (!this.#options.send(lines.map(encodeChildCommand).join(""))) {
      this.#hold(chart, state);
      return false;
    }
    if (state.missedSinceS !== 0 && chart.firstCollectedUs !== 0) {
      // The retention begins at the start of the ring's oldest slot; without REPLICATION nothing is asked for.
      const keptFromS = this.#replication && held.firstS !== 0 ? held.firstS : Infinity;
      // A chart born while the parent was away missed only what came after its birth; its first point comes
      // up to one update after its first iteration (an incremental dimension needs two).
      const bornS = Math.floor(chart.firstCollectedUs / 1e6) + chart.updateEvery;
      const lostS = Math.min(keptFromS, this.#nowSeconds()) - Math.max(state.missedSinceS, bornS);
      if (lostS > 0) {
        this.#lostCharts++;
        this.#lostSeconds = Math.max(this.#lostSeconds, lostS);
      }
      state.missedSinceS = 0;
    }
    state.held = false;
    this.#held.delete(chart);
    state.sentVersion = chart.version;
    state.sets = chart.dimensions.map((d) => `SET ${quote(d.id)} = `);
    state.streaming = !this.#replication;
    return true;
  }

  /** The buffer refused the chart's text: nothing more of it goes until {@link resume}. */
  #hold(chart: Chart, state: ChartState): void {
    if (state.missedSinceS === 0) state.missedSinceS = Math.floor(chart.lastCollectedUs / 1e6) || this.#nowSeconds();
    state.held = true;
    state.streaming = false;
    this.#held.add(chart);
  }
}
