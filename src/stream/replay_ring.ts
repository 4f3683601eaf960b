/**
 * The replay ring of a node without a database: every chart's newest points, computed from the collected
 * integers exactly as the parent computes them from the stream (../metrics/collection.ts, timed by the
 * durations the sender's `BEGIN`s carry, which a parent trusts) and kept as 4-byte `storage_number` words
 * on the chart's grid (./_ring_block.ts), all charts together within a byte budget (`[stream] buffer size
 * bytes`). So a replayed point is the point the parent would have stored had it been streamed.
 *
 * It answers the parent's `REPLAY_CHART` as a 1.37 child with a database does (`replicate_chart_response`):
 * the points in `(after, before]`, then each dimension's collection state and the chart's. So after an
 * outage, or after the sender held a chart's data back because the parent read too slowly, the parent
 * fills the gap from here. The budget is shared evenly: every chart keeps the same number of slots, as many
 * as fit; when they are all used the oldest points go first.
 *
 * @module
 */

import type { Chart } from "../metrics/chart.ts";
import { ChartCollection } from "../metrics/collection.ts";
import type { HostObserver } from "../metrics/host.ts";
import {
  type HeldPoints,
  replicationAnswer,
  type ReplicationLine,
  type ReplicationRequest,
} from "../metrics/replication_answer.ts";
import { retentionStart } from "../metrics/retention.ts";
import { EMPTY_SLOT, storageNumberReset, unpackStorageNumber } from "../metrics/storage_number.ts";
import { RingBlock } from "./_ring_block.ts";
import type { ReplaySource } from "./replay_source.ts";

/** Bytes per sample: one `storage_number` word. */
export const RING_BYTES_PER_SAMPLE = 4;

/** `[db] history`'s default: bounds the collection's "took too long" and "too old data" resets, as on 1.37. */
const COLLECTION_ENTRIES = 3600;

/**
 * Options of {@link ReplayRing}.
 *
 * @example
 * ```ts
 * const options: ReplayRingOptions = { budgetBytes: 10 * 1024 * 1024, log: (m) => log.error(m) };
 * ```
 */
export interface ReplayRingOptions {
  /** The most bytes the points of all charts may take (`[stream] buffer size bytes`). */
  readonly budgetBytes: number;
  /** Hears the lines 1.37 logs when a chart's collection is reset. */
  readonly log?: (message: string) => void;
  /** The wall clock in epoch seconds; tests may pin it. */
  readonly nowSeconds?: () => number;
}

/** What the ring keeps of one chart. */
interface ChartRing {
  readonly collection: ChartCollection;
  readonly block: RingBlock;
  /** The chart's dimensions counted in the budget's share. */
  dimensions: number;
}

/**
 * Keeps every chart's newest points and answers replication from them.
 *
 * @example
 * ```ts
 * const ring = new ReplayRing({ budgetBytes: config.bufferSizeBytes });
 * host.observe(ring); // before the sender, so that an iteration is in the ring before it is sent
 * const sender = new StreamSender({ host, config, log, replay: ring });
 * ```
 */
export class ReplayRing implements ReplaySource, HostObserver {
  readonly budgetBytes: number;
  /** Held points pushed out to make room for newer ones, in slots (one per chart and grid step). */
  droppedSlots = 0;
  readonly #log: (message: string) => void;
  readonly #nowSeconds: () => number;
  readonly #charts = new Map<string, ChartRing>();
  /** Dimensions of all charts: with the budget, they decide how many slots each chart keeps. */
  #dimensions = 0;
  #capacity: number;

  constructor(options: ReplayRingOptions) {
    this.budgetBytes = options.budgetBytes;
    this.#log = options.log ?? (() => {});
    this.#nowSeconds = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
    this.#capacity = Math.max(1, Math.floor(options.budgetBytes / RING_BYTES_PER_SAMPLE));
  }

  /** Slots every chart may keep: the budget shared out by dimension (at least one). */
  get capacitySlots(): number {
    return this.#capacity;
  }

  /** Bytes the points of all charts take now. */
  get bytes(): number {
    let total = 0;
    for (const { block } of this.#charts.values()) total += block.bytes;
    return total;
  }

  /** Host observer: computes the iteration's points and keeps them. */
  collected(chart: Chart): void {
    const ring = this.#ringOf(chart);
    if (ring.block.updateEvery !== chart.updateEvery) {
      this.droppedSlots += ring.block.count;
      ring.block.count = 0;
      ring.block.updateEvery = chart.updateEvery;
    }
    // The duration the sender's BEGIN carries (a proxy passes on its child's).
    const sinceLastUs = chart.reportedSinceLastUs !== 0 ? chart.reportedSinceLastUs : chart.sinceLastUs;
    ring.collection.collect(chart.lastCollectedUs, (endS, values, reset) => {
      this.droppedSlots += ring.block.write(endS, values, reset, this.#capacity);
    }, sinceLastUs);
  }

  /** Host observer: nothing to keep until the next iteration. */
  changed(): void {}

  /** Host observer: host variables are not replayed. */
  variableChanged(): void {}

  /** The oldest and newest point held of a chart (both 0 when none), for its `CHART_DEFINITION_END`. */
  retention(chartId: string): { readonly firstS: number; readonly lastS: number } {
    const ring = this.#charts.get(chartId);
    if (ring === undefined || ring.block.count === 0) return { firstS: 0, lastS: 0 };
    return { firstS: retentionStart(ring.block.firstS, ring.collection.chart.updateEvery), lastS: ring.block.lastS };
  }

  /**
   * The answer to `REPLAY_CHART` (../metrics/replication_answer.ts). With `limitBytes`, points stop once
   * their text would pass it (at least one is sent) and the parent asks for the rest.
   */
  replay(request: ReplicationRequest, limitBytes = Infinity): readonly ReplicationLine[] | undefined {
    const ring = this.#charts.get(request.chartId);
    if (ring === undefined) return undefined;
    const { collection, block } = ring;
    const held: HeldPoints = {
      updateEvery: block.updateEvery,
      oldestS: block.firstS,
      newestS: block.lastS,
      visit(columns, afterS, beforeS, point) {
        const values = new Float64Array(columns.length);
        const resets = columns.map(() => false);
        for (let age = block.count - 1; age >= 0; age--) {
          const endS = block.lastS - age * block.updateEvery;
          if (endS <= afterS) continue;
          if (endS > beforeS) break;
          columns.forEach((column, i) => {
            const word = block.word(column, age);
            values[i] = unpackStorageNumber(word);
            resets[i] = word !== EMPTY_SLOT && storageNumberReset(word);
          });
          if (!point(endS, values, resets)) return;
        }
      },
    };
    return replicationAnswer(request, collection.chart, collection, held, this.#nowSeconds(), limitBytes);
  }

  /** The ring of a chart, made on its first iteration; a change in dimensions shares the budget anew. */
  #ringOf(chart: Chart): ChartRing {
    let ring = this.#charts.get(chart.id);
    if (ring === undefined) {
      ring = {
        collection: new ChartCollection(chart, { entries: COLLECTION_ENTRIES, log: this.#log }),
        block: new RingBlock(chart.updateEvery),
        dimensions: 0,
      };
      this.#charts.set(chart.id, ring);
    }
    if (chart.dimensions.length > ring.dimensions) {
      this.#share(chart.dimensions.length - ring.dimensions);
      ring.dimensions = chart.dimensions.length;
    }
    return ring;
  }

  /** `added` dimensions more share the budget: every chart keeps fewer slots if need be. */
  #share(added: number): void {
    this.#dimensions += added;
    const capacity = Math.max(1, Math.floor(this.budgetBytes / RING_BYTES_PER_SAMPLE / this.#dimensions));
    if (capacity < this.#capacity) {
      for (const { block } of this.#charts.values()) this.droppedSlots += block.shrink(capacity);
    }
    this.#capacity = capacity;
  }
}
