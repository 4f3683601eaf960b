/**
 * Netdata's 32-bit `storage_number`, the word a 1.37 agent keeps per point in tier 0 of every memory mode
 * (ram, save, map and dbengine alike), and so the word of rill's parent storage and of a collector's replay
 * ring: sign, a ×/÷ 10ⁿ (or 100ⁿ) scale, the reset and "not anomalous"
 * flags, and a 24-bit mantissa rounded with `lrint`. Storing this word rather than a double makes our
 * values round exactly as a real parent's do (about 7 significant digits) at 4 bytes a point, and the word
 * 0 is the empty slot, so gaps need no separate bitmap.
 *
 * @module
 */

const NEGATIVE = 0x80000000;
const MULTIPLY = 0x40000000;
const EXISTS_100 = 1 << 26;
const RESET = 1 << 25;
const NOT_ANOMALOUS = 1 << 24;
const MANTISSA = 0x00ffffff;
/** Below this a mantissa can take one more decimal digit. */
const GROWABLE = 0x0019999e;
const MIN_NORMAL = 2.2250738585072014e-308;

/** The empty slot: what a gap is stored as. */
export const EMPTY_SLOT = 0;

/**
 * The factor a word's mantissa is multiplied by, as 1.37's lookup table holds it: by the ×10/×100 bit,
 * then the multiply bit, then the digit count, 1/10ⁿ, 10ⁿ, 1/100ⁿ and 100ⁿ for n = 0…7 (the fractions
 * as the nearest doubles, as `1 / pow(10, n)` gives them).
 */
const SCALES = new Float64Array(32);
for (let i = 0; i < 8; i++) {
  SCALES[i] = 1 / 10 ** i;
  SCALES[8 + i] = 10 ** i;
  SCALES[16 + i] = 1 / 100 ** i;
  SCALES[24 + i] = 100 ** i;
}

/**
 * C's `lrint`/`llrint` in the default rounding mode: to nearest, ties to even (how 1.37 rounds both when it
 * packs a stored value and when it prints one).
 *
 * @example
 * ```ts
 * roundHalfEven(2.5); // 2
 * roundHalfEven(3.5); // 4
 * ```
 */
export function roundHalfEven(n: number): number {
  const floor = Math.floor(n);
  const rest = n - floor;
  if (rest > 0.5) return floor + 1;
  if (rest < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * Packs a stored value (`NaN` for a gap) with its reset flag, as `pack_storage_number` does with the
 * default flags.
 *
 * @example
 * ```ts
 * unpackStorageNumber(packStorageNumber(0.77, false)); // 0.77
 * packStorageNumber(NaN, false); // 0, the empty slot
 * ```
 */
export function packStorageNumber(value: number, reset: boolean): number {
  if (!Number.isFinite(value)) return EMPTY_SLOT;
  let word = NOT_ANOMALOUS + (reset ? RESET : 0);
  if (Math.abs(value) < MIN_NORMAL) return word;
  let n = value;
  if (n < 0) {
    word += NEGATIVE;
    n = -n;
  }
  let factor = 10;
  if (n / 10000000 > MANTISSA) {
    factor = 100;
    word += EXISTS_100;
  }
  let m = 0;
  while (m < 7 && n > MANTISSA) {
    n /= factor;
    m++;
  }
  if (m > 0) {
    word += MULTIPLY + m * (1 << 27);
    if (n > MANTISSA) return word + MANTISSA;
  } else {
    while (m < 7 && n < GROWABLE) {
      n *= 10;
      m++;
    }
    if (n > MANTISSA) {
      n /= 10;
      m--;
    }
    word += m * (1 << 27);
  }
  return word + roundHalfEven(n);
}

/**
 * The value of a stored word; `NaN` for the empty slot.
 *
 * @example
 * ```ts
 * unpackStorageNumber(packStorageNumber(123456789, false)); // 123456790
 * ```
 */
export function unpackStorageNumber(word: number): number {
  if (word === EMPTY_SLOT) return NaN;
  // Multiplied by the same table as 1.37, not divided by 10ⁿ: the product can be an ulp off the nearest
  // double (1e7 × 1e-5 is not quite 100), and an average of such values that lands on a half of the 7th
  // decimal prints up or down by that ulp, as the real parent's does.
  const scale = SCALES[((word >>> 26) & 1) * 16 + ((word >>> 30) & 1) * 8 + ((word >>> 27) & 7)];
  return (word >= NEGATIVE ? -scale : scale) * (word & MANTISSA);
}

/**
 * Whether a stored word carries the counter-reset flag.
 *
 * @example
 * ```ts
 * storageNumberReset(packStorageNumber(5, true)); // true
 * ```
 */
export function storageNumberReset(word: number): boolean {
  return (word & RESET) !== 0;
}
