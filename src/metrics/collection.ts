/**
 * What a Netdata 1.37 agent does between a chart's collected integers and its database, for tier 0: the
 * per-chart and per-dimension collection state, the iteration timing of `rrdset_timed_next`, the
 * calculations and counter-wrap handling of `rrdset_timed_done`, and the interpolation onto the
 * `update_every` grid of `rrdset_done_interpolate`, including its first-entry, `store_first`, gap and reset
 * rules. A parent runs one {@link ChartCollection} per chart so that it stores the same points a real
 * parent stores for the same child.
 *
 * Dimensions are addressed by their position in `chart.dimensions` (the model only ever appends), and all
 * per-dimension state lives in one typed array, a row of {@link STRIDE} doubles per dimension, so that an
 * iteration allocates nothing and a dimension's state is one cache line rather than seven arrays' worth.
 * An iteration makes two passes over the dimensions (three when the chart has percentage rows): one
 * computing the values, one interpolating and storing them that also rolls the state for the next one.
 *
 * @module
 */

import type { CollectedNumber } from "../protocol/numbers.ts";
import { counterIncrement, counterWentBack, wrappedIncrement } from "./calculation.ts";
import type { Chart } from "./chart.ts";

const USEC = 1_000_000;

// Per-dimension state: the fields of one row of the state array.
const STRIDE = 8;
/** Collections since the chart was (re)set (`collections_counter`). */
const COLLECTIONS = 0;
/** Largest magnitude ever collected: picks the 32 or 64 bit wrap of a counter. */
const MAX_MAGNITUDE = 1;
/** The last collected value as a double (see `#lastCollectedBig` for bigints). */
const LAST_COLLECTED = 2;
const CALCULATED = 3;
const LAST_CALCULATED = 4;
const LAST_STORED = 5;
const LAST_COLLECTED_US = 6;
/** The dimension's algorithm as one of the codes below, refreshed when the chart's definition changes. */
const ALGORITHM = 7;

const ABSOLUTE = 0;
const INCREMENTAL = 1;
const PERCENTAGE_OF_ABSOLUTE_ROW = 2;
const PERCENTAGE_OF_INCREMENTAL_ROW = 3;

/**
 * Receives the points of one grid slot: its end time (epoch seconds), the value of every dimension by
 * position (`NaN` for a gap), and whether the slot carries the counter-reset flag. `values` is reused for
 * the next slot: copy what you keep.
 *
 * @example
 * ```ts
 * const sink: PointSink = (endS, values, reset) => console.log(endS, values[0], reset);
 * ```
 */
export type PointSink = (endS: number, values: Float64Array, reset: boolean) => void;

/**
 * How a {@link ChartCollection} behaves.
 *
 * @example
 * ```ts
 * const options: CollectionOptions = { entries: 3600, gapWhenLostIterationsAbove: 1 };
 * ```
 */
export interface CollectionOptions {
  /** Slots the chart's database keeps (`[db] history`): bounds the "took too long" and "too old" resets. */
  readonly entries: number;
  /** `[db] gap when lost iterations above`; 1 (Netdata's default) when left out. */
  readonly gapWhenLostIterationsAbove?: number;
  /**
   * Take the duration a `BEGIN` reports as it is, as Netdata does for streams (`trust_durations`); true when
   * left out. Otherwise durations go through `rrdset_timed_next`'s sanity checks.
   */
  readonly trustDurations?: boolean;
  /** Hears the lines Netdata logs when it resets a chart. */
  readonly log?: (message: string) => void;
}

/**
 * The collection state a `RDSTATE` line carries for one dimension.
 *
 * @example
 * ```ts
 * const s: DimensionState = { lastCollectedUs: 1795422789290158, lastCollected: 0, lastCalculated: 0, lastStored: 0 };
 * ```
 */
export interface DimensionState {
  readonly lastCollectedUs: number;
  readonly lastCollected: CollectedNumber;
  readonly lastCalculated: number;
  readonly lastStored: number;
}

/**
 * One chart's collection state and its per-iteration math.
 *
 * @example
 * ```ts
 * const collection = new ChartCollection(chart, { entries: 3600 });
 * chart.dimension({ id: "load1", algorithm: "absolute", multiplier: 1, divisor: 1000 }).set(520);
 * collection.collect(Date.now() * 1000, (endS, values) => store(endS, values));
 * ```
 */
export class ChartCollection {
  readonly chart: Chart;
  /** Epoch µs of the last collection (`last_collected_time`); 0 before the first. */
  lastCollectedUs = 0;
  /** Epoch µs of the newest stored slot (`last_updated`); 0 before the first. */
  lastUpdatedUs = 0;
  /** Stored slots (`counter`). */
  counter = 0;
  /** Completed iterations (`counter_done`). */
  counterDone = 0;
  /** The duration of the current iteration, µs (`usec_since_last_update`). */
  usecSinceLastUpdate = 0;
  #syncClock = true;
  readonly #entries: number;
  readonly #gapAbove: number;
  readonly #trustDurations: boolean;
  readonly #log: (message: string) => void;
  #size = 0;
  /** The chart version the algorithm codes were read at. */
  #version = -1;
  /** Per dimension, a row of {@link STRIDE} doubles. */
  #state = new Float64Array(0);
  /** The exact last collected value where it is a bigint; `null` where the state's double is exact. */
  #lastCollectedBig: (bigint | null)[] = [];
  /** Non-null entries of {@link #lastCollectedBig}: while 0 (nearly always) the array is never read. */
  #bigs = 0;
  #values = new Float64Array(0);
  /** What {@link #values} is a view of: room for as many dimensions as the state has. */
  #valueRoom = new Float64Array(0);
  // What the timing part of an iteration decided, for the math that follows (fields: no allocation).
  #store = true;
  #firstEntry = false;
  #wasReset = false;
  #lastCollectUt = 0;

  constructor(chart: Chart, options: CollectionOptions) {
    this.chart = chart;
    this.#entries = options.entries;
    // Netdata adds 2 to the configured value when it creates a chart.
    this.#gapAbove = (options.gapWhenLostIterationsAbove ?? 1) + 2;
    this.#trustDurations = options.trustDurations ?? true;
    this.#log = options.log ?? (() => {});
    this.#grow();
  }

  /**
   * Completes one iteration at wall clock `nowUs` (epoch µs): the chart's `updated` dimensions hold the raw
   * values and `reportedUs` the duration the child reported (`chart.reportedSinceLastUs` unless given: a
   * sender computing what its parent will store passes the duration its `BEGIN` carries). Hands every grid
   * slot this iteration completes to `sink`.
   */
  collect(nowUs: number, sink: PointSink, reportedUs: number = this.chart.reportedSinceLastUs): void {
    if (this.chart.dimensions.length !== this.#size) this.#grow();
    if (this.chart.version !== this.#version) this.#readAlgorithms();
    if (this.counterDone > 0) this.#next(nowUs, reportedUs);
    this.#timing(nowUs);
    const nowCollectUt = this.lastCollectedUs;
    const reset = this.#calculate(nowUs);
    this.#interpolate(sink, this.#lastCollectUt, nowCollectUt, this.#store, reset);
  }

  /** The collection state of the dimension at `index`, as a `RDSTATE` line would carry it. */
  dimensionState(index: number): DimensionState {
    const o = index * STRIDE;
    return {
      lastCollectedUs: this.#state[o + LAST_COLLECTED_US],
      lastCollected: this.#lastCollectedOf(index),
      lastCalculated: this.#state[o + LAST_CALCULATED],
      lastStored: this.#state[o + LAST_STORED],
    };
  }

  /**
   * `RBEGIN` with times: the chart's clocks jump to the end of the replayed slot. False when the times are
   * invalid (start after end), which disables the replay.
   */
  replayBegin(startS: number, endS: number): boolean {
    if (startS === 0 || endS === 0) return true;
    if (startS > endS) return false;
    this.lastCollectedUs = endS * USEC;
    this.lastUpdatedUs = endS * USEC;
    this.counter++;
    this.counterDone++;
    return true;
  }

  /** `RSET`: the dimension at `index` was collected at `endS` by the child. */
  replayed(index: number, endS: number): void {
    if (this.chart.dimensions.length !== this.#size) this.#grow();
    this.#state[index * STRIDE + COLLECTIONS]++;
    this.#state[index * STRIDE + LAST_COLLECTED_US] = endS * USEC;
  }

  /** `RDSTATE`: restores a dimension's state; false when the chart has no such dimension. */
  restoreDimension(
    dimensionId: string,
    lastCollectedUs: number,
    lastCollected: CollectedNumber,
    lastCalculated: number,
    lastStored: number,
  ): boolean {
    if (this.chart.dimensions.length !== this.#size) this.#grow();
    const i = this.chart.dimensions.findIndex((d) => d.id === dimensionId);
    if (i < 0) return false;
    const o = i * STRIDE;
    const state = this.#state;
    if (lastCollectedUs > state[o + LAST_COLLECTED_US]) state[o + LAST_COLLECTED_US] = lastCollectedUs;
    this.#setLastCollected(i, lastCollected);
    state[o + LAST_CALCULATED] = lastCalculated;
    state[o + LAST_STORED] = lastStored;
    return true;
  }

  /** `RSSTATE`: the chart's clocks move forward (never back) to the child's. */
  restoreChart(lastCollectedUs: number, lastUpdatedUs: number): void {
    if (lastCollectedUs > this.lastCollectedUs) this.lastCollectedUs = lastCollectedUs;
    if (lastUpdatedUs > this.lastUpdatedUs) this.lastUpdatedUs = lastUpdatedUs;
    this.counter++;
    this.counterDone++;
  }

  /** `REND`: one more iteration; when streaming starts the child's durations are trusted from now on. */
  replicationEnded(startStreaming: boolean): void {
    this.counter++;
    this.counterDone++;
    if (startStreaming) this.#syncClock = false;
  }

  /**
   * Sizes the per-dimension state to the chart's dimensions, keeping the state of known ones. The state's
   * room grows by half when it runs out, so dimensions added one by one are not each a copy of all the rows.
   */
  #grow(): void {
    const n = this.chart.dimensions.length;
    if (n * STRIDE > this.#state.length) {
      const rows = this.#state.length === 0 ? n : Math.max(n, Math.ceil(this.#state.length / STRIDE * 1.5));
      const state = new Float64Array(rows * STRIDE);
      state.set(this.#state);
      this.#state = state;
      this.#valueRoom = new Float64Array(rows);
    }
    // The sink takes one value per dimension: a view of exactly n.
    this.#values = this.#valueRoom.subarray(0, n);
    while (this.#lastCollectedBig.length < n) this.#lastCollectedBig.push(null);
    this.#size = n;
    this.#readAlgorithms();
  }

  /** Caches each dimension's algorithm as a code: compared per value, the names would be string compares. */
  #readAlgorithms(): void {
    const dims = this.chart.dimensions;
    for (let i = 0; i < this.#size; i++) {
      const algorithm = dims[i].algorithm;
      this.#state[i * STRIDE + ALGORITHM] = algorithm === "incremental"
        ? INCREMENTAL
        : algorithm === "percentage-of-absolute-row"
        ? PERCENTAGE_OF_ABSOLUTE_ROW
        : algorithm === "percentage-of-incremental-row"
        ? PERCENTAGE_OF_INCREMENTAL_ROW
        : ABSOLUTE;
    }
    this.#version = this.chart.version;
  }

  #lastCollectedOf(i: number): CollectedNumber {
    return (this.#bigs === 0 ? null : this.#lastCollectedBig[i]) ?? this.#state[i * STRIDE + LAST_COLLECTED];
  }

  #setLastCollected(i: number, value: CollectedNumber): void {
    if (typeof value === "number") {
      this.#state[i * STRIDE + LAST_COLLECTED] = value;
      if (this.#bigs > 0 && this.#lastCollectedBig[i] !== null) {
        this.#lastCollectedBig[i] = null;
        this.#bigs--;
      }
    } else {
      this.#state[i * STRIDE + LAST_COLLECTED] = Number(value);
      if (this.#lastCollectedBig[i] === null) this.#bigs++;
      this.#lastCollectedBig[i] = value;
    }
  }

  /** `rrdset_timed_next`, as a `BEGIN` reaches it once the chart completed an iteration. */
  #next(nowUs: number, reported: number): void {
    if (this.#trustDurations && reported !== 0 && this.lastCollectedUs !== 0 && !this.#syncClock) {
      this.usecSinceLastUpdate = reported;
      return;
    }
    let duration = this.#syncClock ? 0 : reported;
    this.#syncClock = false;
    const updateEveryUs = this.chart.updateEvery * USEC;
    if (this.lastCollectedUs === 0) {
      duration = updateEveryUs;
    } else if (duration === 0) {
      duration = Math.abs(nowUs - this.lastCollectedUs);
    } else {
      const since = nowUs - this.lastCollectedUs;
      // The database is ahead of the clock: collect at the same time again; far behind: catch up at once.
      if (since < 0) duration = 0;
      else if (since > 5 * updateEveryUs) duration = since;
    }
    this.usecSinceLastUpdate = duration;
  }

  /**
   * The timing part of `rrdset_timed_done`, for tier 0: moves the chart's clocks and decides whether this
   * iteration stores (its decisions go to the fields the math reads).
   */
  #timing(nowUs: number): void {
    const chart = this.chart;
    const updateEvery = chart.updateEvery;
    const updateEveryUs = updateEvery * USEC;
    let store = true;
    let firstEntry = false;
    this.#wasReset = false;

    if (this.usecSinceLastUpdate > Math.max(this.#entries, 60) * updateEveryUs) {
      this.#log(
        `chart '${chart.id}': took too long to be updated (counter #${this.counter}, update #${this.counterDone}, ${
          (this.usecSinceLastUpdate / USEC).toFixed(3)
        } secs). Resetting it.`,
      );
      this.#reset();
      this.usecSinceLastUpdate = updateEveryUs;
      store = false;
      firstEntry = true;
    }

    let lastCollectUt: number;
    if (this.lastCollectedUs === 0) {
      let s = Math.floor(nowUs / USEC);
      s -= s % updateEvery;
      this.lastCollectedUs = s * USEC + (chart.storeFirst ? 0 : 500_000);
      lastCollectUt = this.lastCollectedUs - updateEveryUs;
      store = false;
      firstEntry = true;
    } else {
      lastCollectUt = this.lastCollectedUs;
      this.lastCollectedUs += this.usecSinceLastUpdate;
    }

    if (this.lastUpdatedUs === 0) {
      this.#initLastUpdated();
      store = false;
      firstEntry = true;
    }

    if (Math.abs(this.lastCollectedUs - this.lastUpdatedUs) > this.#entries * updateEveryUs) {
      this.#log(
        `'${chart.id}': too old data (last updated at ${this.#secUsec(this.lastUpdatedUs)}, last collected at ${
          this.#secUsec(this.lastCollectedUs)
        }). Resetting it. Will not store the next entry.`,
      );
      this.#reset();
      this.#initLastUpdated();
      this.usecSinceLastUpdate = updateEveryUs;
      store = false;
      firstEntry = true;
    }

    if (this.counterDone === 0) {
      // Jump to the current time; only a store_first chart stores its very first collection.
      this.#initLastUpdated();
      if (chart.storeFirst) {
        store = true;
        // As if the previous collection fell on the slot before the first one stored.
        lastCollectUt = this.lastUpdatedUs;
      } else {
        store = false;
      }
    }
    this.counterDone++;
    this.#store = store;
    this.#firstEntry = firstEntry;
    this.#lastCollectUt = lastCollectUt;
  }

  /**
   * Counts the updated dimensions' collections and computes their values from the collected integers; true
   * on a detected reset.
   */
  #calculate(nowUs: number): boolean {
    const dims = this.chart.dimensions;
    const n = this.#size;
    const state = this.#state;
    // A reset this iteration zeroed the counts after Netdata had counted this collection: they stay 0.
    const count = !this.#wasReset;
    let reset = false;
    let percentages = false;
    let total = 0;
    let lastTotal = 0;
    for (let i = 0, o = 0; i < n; i++, o += STRIDE) {
      const dim = dims[i];
      if (!dim.updated) {
        state[o + CALCULATED] = 0;
        continue;
      }
      const value = dim.value;
      // Number() only for a bigint: the common number needs no conversion.
      const number = typeof value === "number" ? value : Number(value);
      if (count) {
        state[o + COLLECTIONS]++;
        state[o + LAST_COLLECTED_US] = nowUs;
      }
      const magnitude = Math.abs(number);
      if (magnitude > state[o + MAX_MAGNITUDE]) state[o + MAX_MAGNITUDE] = magnitude;
      const algorithm = state[o + ALGORITHM];
      if (algorithm === PERCENTAGE_OF_INCREMENTAL_ROW && this.#lastCollectedOf(i) > value) {
        if (!dim.noreset && !dim.nooverflow) reset = true;
        this.#setLastCollected(i, value);
      }
      lastTotal += state[o + LAST_COLLECTED];
      total += number;
      if (algorithm === ABSOLUTE) {
        state[o + CALCULATED] = number * dim.multiplier / dim.divisor;
      } else if (algorithm === INCREMENTAL) {
        if (state[o + COLLECTIONS] <= 1) {
          state[o + CALCULATED] = 0;
          continue;
        }
        const last = this.#lastCollectedOf(i);
        let increment: number;
        if (counterWentBack(last, value)) {
          if (!dim.noreset && !dim.nooverflow) reset = true;
          increment = wrappedIncrement(last, value, state[o + MAX_MAGNITUDE]);
        } else {
          increment = counterIncrement(last, value);
        }
        state[o + CALCULATED] += increment * dim.multiplier / dim.divisor;
      } else {
        percentages = true;
      }
    }
    // The row shares need the row's totals: a pass of their own.
    for (let i = 0, o = 0; percentages && i < n; i++, o += STRIDE) {
      const dim = dims[i];
      if (!dim.updated) continue;
      if (state[o + ALGORITHM] === PERCENTAGE_OF_ABSOLUTE_ROW) {
        state[o + CALCULATED] = total === 0 ? 0 : 100 * Number(dim.value) / total;
      } else if (state[o + ALGORITHM] === PERCENTAGE_OF_INCREMENTAL_ROW) {
        state[o + CALCULATED] = state[o + COLLECTIONS] <= 1 || total === lastTotal
          ? 0
          : 100 * counterIncrement(this.#lastCollectedOf(i), dim.value) / (total - lastTotal);
      }
    }
    return reset;
  }

  /**
   * `rrdset_done_interpolate`: one point per dimension for every grid slot up to the collection time; the
   * last slot's pass also rolls the updated dimensions' values into their "last" state (see {@link #roll}).
   */
  #interpolate(sink: PointSink, lastCollectUt: number, nowCollectUt: number, store: boolean, reset: boolean): void {
    const dims = this.chart.dimensions;
    const n = this.#size;
    const updateEvery = this.chart.updateEvery;
    const updateEveryUs = updateEvery * USEC;
    const values = this.#values;
    const state = this.#state;
    const gapAbove = this.#gapAbove;
    let lastStoredUt = this.lastUpdatedUs;
    let nextStoreUt = (Math.floor(this.lastUpdatedUs / USEC) + updateEvery) * USEC;
    // Slots still to store in this call, counting this one; Netdata counts one more when the collection
    // falls exactly on a slot boundary.
    let iterations = Math.floor((nowCollectUt - lastStoredUt) / updateEveryUs);
    if (nowCollectUt % updateEveryUs === 0) iterations++;
    if (nextStoreUt > nowCollectUt) {
      for (let i = 0; i < n; i++) this.#roll(i);
      return;
    }

    for (; nextStoreUt <= nowCollectUt; lastCollectUt = nextStoreUt, nextStoreUt += updateEveryUs, iterations--) {
      const lastSlot = nextStoreUt + updateEveryUs > nowCollectUt;
      for (let i = 0, o = 0; i < n; i++, o += STRIDE) {
        const dim = dims[i];
        let value: number;
        if (state[o + ALGORITHM] === INCREMENTAL) {
          // The slot takes its time share of the increment plus what earlier slots left over, as a rate.
          value = state[o + CALCULATED] * (nextStoreUt - lastCollectUt) / (nowCollectUt - lastCollectUt);
          state[o + CALCULATED] -= value;
          value += state[o + LAST_CALCULATED];
          state[o + LAST_CALCULATED] = 0;
          value /= updateEvery;
          if (nextStoreUt - lastStoredUt < updateEveryUs) {
            value = value * updateEveryUs / (nextStoreUt - lastStoredUt);
          }
        } else if (iterations === 1) {
          value = state[o + CALCULATED];
        } else {
          value = (state[o + CALCULATED] - state[o + LAST_CALCULATED]) * (nextStoreUt - lastCollectUt) /
              (nowCollectUt - lastCollectUt) + state[o + LAST_CALCULATED];
        }
        if (!store) {
          value = NaN;
        } else if (dim.updated && state[o + COLLECTIONS] > 1 && iterations < gapAbove) {
          state[o + LAST_STORED] = value;
        } else {
          value = NaN;
          state[o + LAST_STORED] = NaN;
        }
        values[i] = value;
        if (lastSlot) this.#roll(i);
      }
      sink(nextStoreUt / USEC, values, reset && store);
      reset = false;
      this.counter++;
      this.lastUpdatedUs = nextStoreUt;
      lastStoredUt = nextStoreUt;
    }
  }

  /** Rolls an updated dimension's values into its "last" state for the next iteration. */
  #roll(i: number): void {
    const dim = this.chart.dimensions[i];
    if (!dim.updated) return;
    const o = i * STRIDE;
    const state = this.#state;
    this.#setLastCollected(i, dim.value);
    if (state[o + ALGORITHM] !== INCREMENTAL) state[o + LAST_CALCULATED] = state[o + CALCULATED];
    else if (!this.#firstEntry) state[o + LAST_CALCULATED] += state[o + CALCULATED];
    state[o + CALCULATED] = 0;
  }

  /** `last_updated` from `last_collected_time`: one slot back for `store_first`, aligned to the grid. */
  #initLastUpdated(): void {
    const updateEvery = this.chart.updateEvery;
    let s = Math.floor(this.lastCollectedUs / USEC);
    if (this.chart.storeFirst) s -= updateEvery;
    s -= s % updateEvery;
    this.lastUpdatedUs = s * USEC;
  }

  /** `rrdset_reset`: the chart starts over as if never collected. */
  #reset(): void {
    this.lastCollectedUs = 0;
    this.lastUpdatedUs = 0;
    this.counter = 0;
    this.counterDone = 0;
    for (let o = 0; o < this.#state.length; o += STRIDE) {
      this.#state[o + COLLECTIONS] = 0;
      this.#state[o + LAST_COLLECTED_US] = 0;
    }
    this.#wasReset = true;
  }

  #secUsec(us: number): string {
    return `${Math.floor(us / USEC)}.${us % USEC}`;
  }
}
