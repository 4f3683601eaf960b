/**
 * The fuzzer's source of randomness: a small seeded generator (mulberry32), so that a session is rebuilt
 * byte for byte from its seed, and the seed of each session of a run derived from the run's seed.
 *
 * @example
 * ```ts
 * import { Random, sessionSeed } from "./scripts/_fuzz_random.ts";
 *
 * const rng = new Random(sessionSeed(42, 7));
 * rng.int(10); // 0…9, the same every time for run seed 42, session 7
 * ```
 *
 * @module
 */

/**
 * The seed of session `index` of a run seeded with `runSeed`: well spread, never the same for two indexes.
 *
 * @example
 * ```ts
 * sessionSeed(1, 0) !== sessionSeed(1, 1); // true
 * ```
 */
export function sessionSeed(runSeed: number, index: number): number {
  let h = Math.imul((runSeed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * A seeded pseudo-random generator with the draws the fuzzer needs.
 *
 * @example
 * ```ts
 * const rng = new Random(1);
 * const method = rng.pick(["GET", "POST"]);
 * const size = rng.logInt(1, 1 << 20); // small sizes as often as large ones, per order of magnitude
 * ```
 */
export class Random {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    let t = this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [min, max]. */
  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  /** An integer in [min, max], log-uniform: each order of magnitude as likely as the next. */
  logInt(min: number, max: number): number {
    const lo = Math.log(Math.max(1, min));
    return Math.min(max, Math.max(min, Math.floor(Math.exp(lo + this.next() * (Math.log(max + 1) - lo)))));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** One key of a table of weights, drawn in proportion to its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const entries = Object.entries(weights) as [K, number][];
    let r = this.next() * entries.reduce((sum, [, w]) => sum + w, 0);
    for (const [key, w] of entries) {
      if ((r -= w) < 0) return key;
    }
    return entries[entries.length - 1][0];
  }

  /** `n` random bytes. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }

  /** A string of `n` characters drawn from `alphabet`. */
  text(n: number, alphabet: string): string {
    let out = "";
    for (let i = 0; i < n; i++) out += alphabet[this.int(alphabet.length)];
    return out;
  }

  /** A version-4-shaped UUID in lower case. */
  uuid(): string {
    const hex = this.text(32, "0123456789abcdef");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
  }

  /** Shuffles a list in place and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}
