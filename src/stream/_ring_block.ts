/**
 * One chart's part of the replay ring: the newest points of each dimension on the chart's `update every`
 * grid, as 32-bit `storage_number` words (the word 0 is an empty slot), in one `Uint32Array` laid out
 * column by column (a dimension's slots side by side), used as a circle. A slot's time is not stored: the
 * grid gives it from the newest slot's time, so a sample costs its 4 bytes and nothing more.
 *
 * @module
 */

import { EMPTY_SLOT, packStorageNumber } from "../metrics/storage_number.ts";

/** Slots a block starts with; it doubles from there up to its capacity, so memory follows what is held. */
const FIRST_ROOM = 16;

/**
 * The slots of one chart.
 *
 * @example
 * ```ts
 * const block = new RingBlock(1);
 * block.write(1795423001, Float64Array.of(0.5, 2), false, 600);
 * block.write(1795423002, Float64Array.of(0.7, 3), false, 600);
 * block.firstS; // 1795423001
 * block.word(1, 1); // the storage_number of 3
 * ```
 */
export class RingBlock {
  /** Seconds between slots. */
  updateEvery: number;
  /** Slots held, at most {@link room}. */
  count = 0;
  /** Slots allocated per dimension. */
  room = 0;
  /** Dimensions allocated. */
  columns = 0;
  /** End time (epoch seconds) of the newest slot; 0 while empty. */
  lastS = 0;
  #words = new Uint32Array(0);
  /** Index of the newest slot within each column. */
  #newest = 0;

  constructor(updateEvery: number) {
    this.updateEvery = updateEvery;
  }

  /** Bytes allocated. */
  get bytes(): number {
    return this.#words.byteLength;
  }

  /** End time of the oldest slot held; 0 while empty. */
  get firstS(): number {
    return this.count === 0 ? 0 : this.lastS - (this.count - 1) * this.updateEvery;
  }

  /**
   * Stores the point of the slot ending at `endS` (a value per dimension, `NaN` for none) and returns how
   * many held slots it pushed out. A slot after a jump of the grid leaves the skipped slots empty; one at or
   * before the newest (the chart was reset, or its clock went back) starts the block over. `capacity` is
   * the most slots the block may hold.
   */
  write(endS: number, values: Float64Array, reset: boolean, capacity: number): number {
    let dropped = 0;
    if (this.count > 0 && endS <= this.lastS) {
      dropped = this.count;
      this.count = 0;
    }
    if (values.length > this.columns) this.#resize(this.room, values.length);
    if (this.count > 0) {
      const skipped = (endS - this.lastS) / this.updateEvery - 1;
      if (skipped >= capacity) {
        dropped += this.count;
        this.count = 0;
      } else {
        for (let i = 0; i < skipped; i++) dropped += this.#advance(capacity, this.lastS + this.updateEvery);
      }
    }
    dropped += this.#advance(capacity, endS);
    const room = this.room;
    const words = this.#words;
    for (let d = 0; d < this.columns; d++) {
      words[d * room + this.#newest] = d < values.length ? packStorageNumber(values[d], reset) : EMPTY_SLOT;
    }
    return dropped;
  }

  /** The word of dimension `column` in the slot `age` steps before the newest (0 = the newest). */
  word(column: number, age: number): number {
    if (column >= this.columns || age >= this.count) return EMPTY_SLOT;
    const room = this.room;
    return this.#words[column * room + (this.#newest - age + room) % room];
  }

  /** Keeps at most `capacity` slots (the newest), freeing the room beyond; returns how many were dropped. */
  shrink(capacity: number): number {
    if (this.room <= capacity) return 0;
    const dropped = Math.max(0, this.count - capacity);
    this.#resize(capacity, this.columns);
    return dropped;
  }

  /** Makes the next slot the newest, empty, growing the room up to `capacity`; 1 when a held slot fell out. */
  #advance(capacity: number, endS: number): number {
    let dropped = 0;
    if (this.count === this.room && this.room < capacity) {
      this.#resize(Math.min(capacity, Math.max(FIRST_ROOM, this.room * 2)), this.columns);
    } else if (this.room > capacity) {
      dropped += this.shrink(capacity);
    }
    this.#newest = (this.#newest + 1) % this.room;
    if (this.count < this.room) this.count++;
    else dropped++;
    const room = this.room;
    for (let d = 0; d < this.columns; d++) this.#words[d * room + this.#newest] = EMPTY_SLOT;
    this.lastS = endS;
    return dropped;
  }

  /** Reallocates to `room` slots × `columns` dimensions, keeping the newest slots in order, oldest first. */
  #resize(room: number, columns: number): void {
    const keep = Math.min(this.count, room);
    const words = new Uint32Array(room * columns);
    for (let d = 0; d < this.columns; d++) {
      for (let age = 0; age < keep; age++) words[d * room + keep - 1 - age] = this.word(d, age);
    }
    this.#words = words;
    this.room = room;
    this.columns = columns;
    this.count = keep;
    this.#newest = keep === 0 ? room - 1 : keep - 1;
  }
}
