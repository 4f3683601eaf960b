/**
 * What a Netdata 1.37 agent does between a chart's collected integers and its database, for tier 0: the
 * per-chart and per-dimension collection state, the iteration timing of `rrdset_timed_next`, the
 * calculations and counter-wrap handling of `rrdset_timed_done`, and the interpolation onto the
 * `update_every` grid of `rrdset_done_interpolate`, including its first-entry, `store_first`, gap and reset
 * rules. A parent runs one {@link ChartCollection} per chart so that it stores the same points a real
 * parent stores for the same child.
 *
 * Dimensions are addressed by their position in `chart.dimensions` (the model only ever appends), and all
 * per-dimension state lives in typed arrays, so an iteration allocates nothing.
 *
 * @module
 */

import type { CollectedNumber } from "../protocol/numbers.ts";
import { counterIncrement, counterWentBack, gaugeValue, wrappedIncrement } from "./calculation.ts";
import type { Chart } from "./chart.ts";

const USEC = 1_000_000;

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
  #collections = new Float64Array(0);
  #maxMagnitude = new Float64Array(0);
  #lastCollected = new Float64Array(0);
  /** The exact last collected value where it is a bigint; `null` where {@link #lastCollected} is exact. */
  #lastCollectedBig: (bigint | null)[] = [];
  #calculated = new Float64Array(0);
  #lastCalculated = new Float64Array(0);
  #lastStored = new Float64Array(0);
  #dimLastCollectedUs = new Float64Array(0);
  #values = new Float64Array(0);

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
   * values and `chart.reportedSinceLastUs` the duration the child reported. Hands every grid slot this
   * iteration completes to `sink`.
   */
  collect(nowUs: number, sink: PointSink): void {
    if (this.chart.dimensions.length !== this.#size) this.#grow();
    const dims = this.chart.dimensions;
    for (let i = 0; i < this.#size; i++) {
      const dim = dims[i];
      if (!dim.updated) continue;
      this.#collections[i]++;
      this.#dimLastCollectedUs[i] = nowUs;
      const magnitude = Math.abs(Number(dim.value));
      if (magnitude > this.#maxMagnitude[i]) this.#maxMagnitude[i] = magnitude;
    }
    if (this.counterDone > 0) this.#next(nowUs);
    this.#done(nowUs, sink);
  }

  /** The collection state of the dimension at `index`, as a `RDSTATE` line would carry it. */
  dimensionState(index: number): DimensionState {
    return {
      lastCollectedUs: this.#dimLastCollectedUs[index],
      lastCollected: this.#lastCollectedOf(index),
      lastCalculated: this.#lastCalculated[index],
      lastStored: this.#lastStored[index],
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
    this.#collections[index]++;
    this.#dimLastCollectedUs[index] = endS * USEC;
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
    if (lastCollectedUs > this.#dimLastCollectedUs[i]) this.#dimLastCollectedUs[i] = lastCollectedUs;
    this.#setLastCollected(i, lastCollected);
    this.#lastCalculated[i] = lastCalculated;
    this.#lastStored[i] = lastStored;
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

  /** Sizes the per-dimension arrays to the chart's dimensions, keeping the state of known ones. */
  #grow(): void {
    const n = this.chart.dimensions.length;
    const grown = (old: Float64Array): Float64Array<ArrayBuffer> => {
      const next = new Float64Array(n);
      next.set(old.subarray(0, Math.min(n, old.length)));
      return next;
    };
    this.#collections = grown(this.#collections);
    this.#maxMagnitude = grown(this.#maxMagnitude);
    this.#lastCollected = grown(this.#lastCollected);
    this.#calculated = grown(this.#calculated);
    this.#lastCalculated = grown(this.#lastCalculated);
    this.#lastStored = grown(this.#lastStored);
    this.#dimLastCollectedUs = grown(this.#dimLastCollectedUs);
    this.#values = new Float64Array(n);
    while (this.#lastCollectedBig.length < n) this.#lastCollectedBig.push(null);
    this.#size = n;
  }

  #lastCollectedOf(i: number): CollectedNumber {
    return this.#lastCollectedBig[i] ?? this.#lastCollected[i];
  }

  #setLastCollected(i: number, value: CollectedNumber): void {
    if (typeof value === "number") {
      this.#lastCollected[i] = value;
      this.#lastCollectedBig[i] = null;
    } else {
      this.#lastCollected[i] = Number(value);
      this.#lastCollectedBig[i] = value;
    }
  }

  /** `rrdset_timed_next`, as a `BEGIN` reaches it once the chart completed an iteration. */
  #next(nowUs: number): void {
    const reported = this.chart.reportedSinceLastUs;
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

  /** `rrdset_timed_done`, for tier 0. */
  #done(nowUs: number, sink: PointSink): void {
    const chart = this.chart;
    const updateEvery = chart.updateEvery;
    const updateEveryUs = updateEvery * USEC;
    let store = true;
    let firstEntry = false;

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

    const nowCollectUt = this.lastCollectedUs;
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

    const reset = this.#calculate();
    this.#interpolate(sink, lastCollectUt, nowCollectUt, store, reset);
    this.#finish(firstEntry);
  }

  /** Computes every updated dimension's value from its collected integers; true on a detected reset. */
  #calculate(): boolean {
    const dims = this.chart.dimensions;
    const n = this.#size;
    let reset = false;
    let total = 0;
    let lastTotal = 0;
    for (let i = 0; i < n; i++) {
      const dim = dims[i];
      if (!dim.updated) continue;
      if (dim.algorithm === "percentage-of-incremental-row" && this.#lastCollectedOf(i) > dim.value) {
        if (!dim.noreset && !dim.nooverflow) reset = true;
        this.#setLastCollected(i, dim.value);
      }
      lastTotal += this.#lastCollected[i];
      total += Number(dim.value);
    }

    for (let i = 0; i < n; i++) {
      const dim = dims[i];
      if (!dim.updated) {
        this.#calculated[i] = 0;
        continue;
      }
      switch (dim.algorithm) {
        case "absolute":
        case "percentage-of-absolute-row":
          this.#calculated[i] = gaugeValue(dim, total);
          break;
        case "incremental": {
          if (this.#collections[i] <= 1) {
            this.#calculated[i] = 0;
            break;
          }
          const last = this.#lastCollectedOf(i);
          let increment: number;
          if (counterWentBack(last, dim.value)) {
            if (!dim.noreset && !dim.nooverflow) reset = true;
            increment = wrappedIncrement(last, dim.value, this.#maxMagnitude[i]);
          } else {
            increment = counterIncrement(last, dim.value);
          }
          this.#calculated[i] += increment * dim.multiplier / dim.divisor;
          break;
        }
        case "percentage-of-incremental-row":
          this.#calculated[i] = this.#collections[i] <= 1 || total === lastTotal
            ? 0
            : 100 * counterIncrement(this.#lastCollectedOf(i), dim.value) / (total - lastTotal);
          break;
      }
    }
    return reset;
  }

  /** `rrdset_done_interpolate`: one point per dimension for every grid slot up to the collection time. */
  #interpolate(sink: PointSink, lastCollectUt: number, nowCollectUt: number, store: boolean, reset: boolean): void {
    const dims = this.chart.dimensions;
    const n = this.#size;
    const updateEvery = this.chart.updateEvery;
    const updateEveryUs = updateEvery * USEC;
    const values = this.#values;
    const calculated = this.#calculated;
    const lastCalculated = this.#lastCalculated;
    let lastStoredUt = this.lastUpdatedUs;
    let nextStoreUt = (Math.floor(this.lastUpdatedUs / USEC) + updateEvery) * USEC;
    // Slots still to store in this call, counting this one; Netdata counts one more when the collection
    // falls exactly on a slot boundary.
    let iterations = Math.floor((nowCollectUt - lastStoredUt) / updateEveryUs);
    if (nowCollectUt % updateEveryUs === 0) iterations++;

    for (; nextStoreUt <= nowCollectUt; lastCollectUt = nextStoreUt, nextStoreUt += updateEveryUs, iterations--) {
      for (let i = 0; i < n; i++) {
        const dim = dims[i];
        let value: number;
        if (dim.algorithm === "incremental") {
          // The slot takes its time share of the increment plus what earlier slots left over, as a rate.
          value = calculated[i] * (nextStoreUt - lastCollectUt) / (nowCollectUt - lastCollectUt);
          calculated[i] -= value;
          value += lastCalculated[i];
          lastCalculated[i] = 0;
          value /= updateEvery;
          if (nextStoreUt - lastStoredUt < updateEveryUs) {
            value = value * updateEveryUs / (nextStoreUt - lastStoredUt);
          }
        } else if (iterations === 1) {
          value = calculated[i];
        } else {
          value = (calculated[i] - lastCalculated[i]) * (nextStoreUt - lastCollectUt) /
              (nowCollectUt - lastCollectUt) + lastCalculated[i];
        }
        if (!store) {
          value = NaN;
        } else if (dim.updated && this.#collections[i] > 1 && iterations < this.#gapAbove) {
          this.#lastStored[i] = value;
        } else {
          value = NaN;
          this.#lastStored[i] = NaN;
        }
        values[i] = value;
      }
      sink(nextStoreUt / USEC, values, reset && store);
      reset = false;
      this.counter++;
      this.lastUpdatedUs = nextStoreUt;
      lastStoredUt = nextStoreUt;
    }
  }

  /** Rolls the updated dimensions' values into their "last" state for the next iteration. */
  #finish(firstEntry: boolean): void {
    const dims = this.chart.dimensions;
    for (let i = 0; i < this.#size; i++) {
      const dim = dims[i];
      if (!dim.updated) continue;
      this.#setLastCollected(i, dim.value);
      if (dim.algorithm !== "incremental") this.#lastCalculated[i] = this.#calculated[i];
      else if (!firstEntry) this.#lastCalculated[i] += this.#calculated[i];
      this.#calculated[i] = 0;
    }
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
    this.#collections.fill(0);
    this.#dimLastCollectedUs.fill(0);
  }

  #secUsec(us: number): string {
    return `${Math.floor(us / USEC)}.${us % USEC}`;
  }
}
