/**
 * The stored points of one chart: a ring of `history` slots on the chart's `update_every` grid, each slot a
 * row of `storage_number` words, one per dimension (see ./storage_number.ts for why words and not doubles).
 * The rows lie side by side in one array (slot-major), so storing a slot writes one contiguous run: with
 * one column per dimension every value went to a different place in memory, a cache (and TLB) miss each.
 *
 * Dimensions a chart gains after its first point go to another block of columns, rows side by side as in
 * the first, so what was stored is never copied: laying the rows out again, wider, for each new dimension
 * cost the whole ring each time (quadratic), and even once per doubling it cost the whole ring at once (a
 * full ring of 2,000 dimensions is 29 MB). A new block has room for half as many dimensions again as the
 * chart had (at most {@link MAX_BLOCK_COLUMNS}), so a chart gaining dimensions one by one gets a few dozen
 * blocks, not thousands; a chart defined before its first point (nearly all) has one.
 *
 * @module
 */

import type { Chart } from "../../metrics/chart.ts";
import type { ChartSeries, PointWindow } from "./series.ts";
import {
  EMPTY_SLOT,
  packStorageNumber,
  storageNumberReset,
  unpackStorageNumber,
} from "../../metrics/storage_number.ts";

/**
 * Most dimensions one block of columns added to a grown chart holds: its rows are allocated at once.
 *
 * @example
 * ```ts
 * MAX_BLOCK_COLUMNS; // 256
 * ```
 */
export const MAX_BLOCK_COLUMNS = 256;

/** Columns of dimensions `first` … `first + width - 1`, slot-major: slot `s`, column `c` at `s * width + c`. */
interface Block {
  readonly first: number;
  readonly width: number;
  readonly words: Uint32Array;
}

/**
 * A chart's stored words, oldest slot first: what a saved file holds.
 *
 * @example
 * ```ts
 * const snapshot: ChartSnapshot = { updateEvery: 1, newestS: 1795420060, count: 2, dimensions: ["a"], columns: [new Uint32Array(2)] };
 * ```
 */
export interface ChartSnapshot {
  readonly updateEvery: number;
  /** End time of the newest slot, epoch seconds. */
  readonly newestS: number;
  /** Slots held, ending at {@link newestS}. */
  readonly count: number;
  /** Dimension ids, in the order of {@link columns}. */
  readonly dimensions: readonly string[];
  /** Per dimension, `count` words, oldest first. */
  readonly columns: readonly Uint32Array[];
}

/**
 * One chart's ring of stored points.
 *
 * @example
 * ```ts
 * const store = new ChartStore(chart, 3600);
 * store.append(1795420001, Float64Array.of(0.52), false);
 * store.read(["load1"], 1795420000, 1795420001).columns[0][0]; // 0.52
 * ```
 */
export class ChartStore implements ChartSeries {
  readonly chart: Chart;
  readonly updateEvery: number;
  /** Slots the ring holds; 0 stores nothing (memory mode `none`). */
  readonly history: number;
  /** The blocks of columns, by dimension; words of columns past {@link #used} are always empty. */
  readonly #blocks: Block[] = [];
  /** Dimensions the blocks have room for. */
  #capacity = 0;
  /** Dimensions stored: the chart's, as of the last {@link syncDimensions}. */
  #used = 0;
  /** Ring index of the newest slot. */
  #head = 0;
  /** Slots in use, ending at the newest. */
  #count = 0;
  #newestS = 0;

  constructor(chart: Chart, history: number) {
    this.chart = chart;
    this.updateEvery = chart.updateEvery;
    this.history = history;
    this.syncDimensions();
  }

  firstTimeS(): number {
    return this.#count === 0 ? 0 : this.#newestS - (this.#count - 1) * this.updateEvery;
  }

  lastTimeS(): number {
    return this.#newestS;
  }

  /** Dimensions the rows have room for (at least the chart's; more once the chart has grown). */
  get capacity(): number {
    return this.#capacity;
  }

  /** Takes in dimensions the chart gained: a new block of columns when they do not fit (nothing is copied). */
  syncDimensions(): void {
    const needed = this.chart.dimensions.length;
    while (needed > this.#capacity) {
      const missing = needed - this.#capacity;
      const width = this.#capacity === 0
        ? missing
        : Math.min(Math.max(missing, Math.ceil(this.#capacity / 2)), MAX_BLOCK_COLUMNS);
      this.#blocks.push({ first: this.#capacity, width, words: new Uint32Array(this.history * width) });
      this.#capacity += width;
    }
    this.#used = needed;
  }

  /**
   * Stores one slot for every dimension by position (a {@link PointSink}); `NaN` values are gaps and the
   * reset flag goes on the values that exist.
   */
  readonly append = (endS: number, values: Float64Array, reset: boolean): void => {
    const used = this.#used;
    const slot = this.#slot(endS, values.length >= used);
    if (slot < 0) return;
    const n = Math.min(values.length, used);
    for (const { first, width, words } of this.#blocks) {
      const end = Math.min(first + width, n);
      for (let i = first, at = slot * width - first; i < end; i++) words[at + i] = packStorageNumber(values[i], reset);
      if (end === n) return;
    }
  };

  /** Stores one value of one dimension (by position) at its own slot, as a replayed point is. */
  storeOne(endS: number, index: number, value: number, reset: boolean): void {
    this.syncDimensions();
    const slot = this.#slot(endS, false);
    if (slot >= 0) this.#setWord(slot, index, packStorageNumber(value, reset));
  }

  read(dimensionIds: readonly string[], afterS: number, beforeS: number): PointWindow {
    const ue = this.updateEvery;
    const newest = this.#newestS;
    // Slots back from the newest: the oldest and the newest wanted.
    const fromBack = Math.min(this.#count - 1, Math.floor((newest - afterS) / ue));
    const toBack = Math.max(0, Math.ceil((newest - beforeS) / ue));
    const length = this.#count === 0 ? 0 : Math.max(0, fromBack - toBack + 1);
    const times: number[] = [];
    for (let j = 0; j < length; j++) times.push(newest - (fromBack - j) * ue);
    const dims = this.chart.dimensions;
    // Reading many dimensions of a wide chart: one pass to index them, not one search each.
    const indexOf = dimensionIds.length > 1 ? new Map(dims.map((d, i) => [d.id, i])) : undefined;
    const columns: Float64Array[] = [];
    const resets: Uint8Array[] = [];
    for (const id of dimensionIds) {
      const values = new Float64Array(length).fill(NaN);
      const flags = new Uint8Array(length);
      const index = indexOf === undefined ? dims.findIndex((d) => d.id === id) : indexOf.get(id) ?? -1;
      for (let j = 0; index >= 0 && index < this.#used && j < length; j++) {
        const word = this.#word((this.#head - (fromBack - j) + this.history) % this.history, index);
        values[j] = unpackStorageNumber(word);
        flags[j] = storageNumberReset(word) ? 1 : 0;
      }
      columns.push(values);
      resets.push(flags);
    }
    return { times, columns, resets };
  }

  /** The stored words, oldest first, for saving: one column per dimension, as the file holds them. */
  snapshot(): ChartSnapshot {
    const columns = Array.from({ length: this.#used }, (_, i) => {
      const out = new Uint32Array(this.#count);
      for (let j = 0; j < this.#count; j++) {
        out[j] = this.#word((this.#head - (this.#count - 1 - j) + this.history) % this.history, i);
      }
      return out;
    });
    return {
      updateEvery: this.updateEvery,
      newestS: this.#newestS,
      count: this.#count,
      dimensions: this.chart.dimensions.slice(0, columns.length).map((d) => d.id),
      columns,
    };
  }

  /** Takes over a saved snapshot whose dimensions are this chart's, keeping its newest `history` slots. */
  restore(snapshot: ChartSnapshot): void {
    this.syncDimensions();
    const count = Math.min(snapshot.count, this.history);
    const skip = snapshot.count - count;
    for (const { words } of this.#blocks) words.fill(EMPTY_SLOT);
    const n = Math.min(snapshot.columns.length, this.#used);
    for (let i = 0; i < n; i++) {
      const column = snapshot.columns[i];
      for (let j = 0; j < count; j++) this.#setWord(j, i, column[skip + j]);
    }
    this.#count = count;
    this.#head = count - 1;
    this.#newestS = snapshot.newestS;
  }

  /**
   * The ring index of the slot ending at `endS`: a later slot advances the ring (the slots it skips become
   * gaps); an earlier one is found, or is -1 when it fell out of the ring. `filled`: the caller writes the
   * whole slot, so a new one need not be cleared first.
   */
  #slot(endS: number, filled: boolean): number {
    const history = this.history;
    if (history === 0) return -1;
    if (this.#count === 0) {
      this.#head = 0;
      this.#count = 1;
      this.#newestS = endS;
      return 0;
    }
    const ahead = Math.round((endS - this.#newestS) / this.updateEvery);
    if (ahead > 0) {
      this.#advance(ahead, filled);
      return this.#head;
    }
    const back = -ahead;
    if (back >= history) return -1;
    // Slots between the oldest and this one are still empty: never written, or cleared on the way.
    if (back >= this.#count) this.#count = back + 1;
    return (this.#head - back + history) % history;
  }

  /** The word of dimension `index` in ring slot `slot`. */
  #word(slot: number, index: number): number {
    const block = this.#blockOf(index);
    return block.words[slot * block.width + index - block.first];
  }

  #setWord(slot: number, index: number, word: number): void {
    const block = this.#blockOf(index);
    block.words[slot * block.width + index - block.first] = word;
  }

  /** The block holding dimension `index` (< {@link #capacity}); a chart has one, or a few dozen at most. */
  #blockOf(index: number): Block {
    const blocks = this.#blocks;
    let b = 0;
    while (index >= blocks[b].first + blocks[b].width) b++;
    return blocks[b];
  }

  #advance(steps: number, filled: boolean): void {
    const history = this.history;
    if (steps >= history) {
      for (const { words } of this.#blocks) words.fill(EMPTY_SLOT);
      this.#count = 1;
    } else {
      // The skipped slots become gaps; the new one too, unless it is about to be written whole.
      for (let s = 1, last = filled ? steps - 1 : steps; s <= last; s++) {
        const slot = (this.#head + s) % history;
        for (const { width, words } of this.#blocks) {
          // A plain loop: rows are a few words, shorter than a fill() call's overhead.
          for (let i = slot * width, end = i + width; i < end; i++) words[i] = EMPTY_SLOT;
        }
      }
      this.#count = Math.min(history, this.#count + steps);
    }
    this.#head = (this.#head + steps) % history;
    this.#newestS += steps * this.updateEvery;
  }
}
