/**
 * Stream capability bits: the 1.37 set a real child and parent negotiate, the bits later Netdata
 * versions added, and the mapping from the old numbered protocol versions (`ver=0…5`) to bits.
 *
 * Capabilities are plain numbers. Every defined bit is below 2^31, but JavaScript's bitwise operators
 * yield signed 32-bit results, so every function here hands back `>>> 0` values: a set never turns
 * negative even if a peer sends bit 31.
 *
 * @module
 */

/** A set of capability bits (a non-negative integer below 2^32). */
export type Capabilities = number;

// ---------------------------------------------------------------------------------------------------
// The 1.37 bits. Bits 0–2 stay unused so that a bitmask can never be mistaken for the old versions 1–5.

/** Oldest protocol: no labels at all. @example `caps & CAP_V1` */
export const CAP_V1 = 8;
/** Second protocol version: host labels. @example `caps & CAP_V2` */
export const CAP_V2 = 16;
/** Numbered versions 3–5 are understood. @example `caps & CAP_VN` */
export const CAP_VN = 32;
/** Bitmask negotiation: `ver=` and `version=` carry these bits. @example `caps & CAP_VCAPS` */
export const CAP_VCAPS = 64;
/** `LABEL` / `OVERWRITE` host labels. @example `caps & CAP_HLABELS` */
export const CAP_HLABELS = 128;
/** `CLAIMED_ID`. @example `caps & CAP_CLAIM` */
export const CAP_CLAIM = 256;
/** `CLABEL` / `CLABEL_COMMIT` chart labels. @example `caps & CAP_CLABELS` */
export const CAP_CLABELS = 512;
/** LZ4 framing of the child's stream (renamed LZ4 after 1.43). @example `caps & CAP_COMPRESSION` */
export const CAP_COMPRESSION = 1024;
/** `FUNCTION` definitions and calls. @example `caps & CAP_FUNCTIONS` */
export const CAP_FUNCTIONS = 2048;
/** `CHART_DEFINITION_END`, `REPLAY_CHART`, `RBEGIN`…`REND`. @example `caps & CAP_REPLICATION` */
export const CAP_REPLICATION = 4096;
/** Compressed frames may split a line. @example `caps & CAP_BINARY` */
export const CAP_BINARY = 8192;

// ---------------------------------------------------------------------------------------------------
// Bits added after 1.37 (no 1.37 peer ever sets or keeps them). The version in each note is the first
// tag where the bit appears.

/** Post-1.37 (v1.39): `BEGIN2`/`SET2`/`END2` interpolated data lines. @example `caps & CAP_INTERPOLATED` */
export const CAP_INTERPOLATED = 16384;
/** Post-1.37 (v1.39): doubles sent as IEEE 754 (base64) instead of decimal. @example `caps & CAP_IEEE754` */
export const CAP_IEEE754 = 32768;
/** Post-1.37 (v1.41): data with ML; every later version keeps it disabled. @example `caps & CAP_DATA_WITH_ML` */
export const CAP_DATA_WITH_ML = 65536;
/** Post-1.37 (v1.43–v1.44 only): the first DYNCFG bit, abandoned in v1.45. @example `caps & CAP_DYNCFG_V1` */
export const CAP_DYNCFG_V1 = 131072;
/** Post-1.37 (v1.44): `SLOT:` numbers for charts and dimensions. @example `caps & CAP_SLOTS` */
export const CAP_SLOTS = 262144;
/** Post-1.37 (v1.44): zstd framing. @example `caps & CAP_ZSTD` */
export const CAP_ZSTD = 524288;
/** Post-1.37 (v1.44): gzip framing. @example `caps & CAP_GZIP` */
export const CAP_GZIP = 1048576;
/** Post-1.37 (v1.44): brotli framing. @example `caps & CAP_BROTLI` */
export const CAP_BROTLI = 2097152;
/** Post-1.37 (v1.45): `FUNCTION_PROGRESS`. @example `caps & CAP_PROGRESS` */
export const CAP_PROGRESS = 4194304;
/** Post-1.37 (v1.45): `DYNCFG_*` commands (the bit DYNCFG moved to). @example `caps & CAP_DYNCFG` */
export const CAP_DYNCFG = 8388608;
/** Post-1.37 (v2.2): the parent sends `NODE_ID` back. @example `caps & CAP_NODE_ID` */
export const CAP_NODE_ID = 16777216;
/** Post-1.37 (v2.2): stream paths exchanged as `JSON`. @example `caps & CAP_PATHS` */
export const CAP_PATHS = 33554432;
/** Post-1.37 (v2.2): ML models sent upstream. @example `caps & CAP_ML_MODELS` */
export const CAP_ML_MODELS = 67108864;
/** Post-1.37 (main branch): float baseline. @example `caps & CAP_FLOAT_BASELINE` */
export const CAP_FLOAT_BASELINE = 134217728;
/** Post-1.37 (main branch): `FUNCTION_DEL`. @example `caps & CAP_FUNCTION_DEL` */
export const CAP_FUNCTION_DEL = 268435456;
/** Post-1.37: reserved marker for "not a valid set"; never negotiated. @example `caps & CAP_INVALID` */
export const CAP_INVALID = 1073741824;

// ---------------------------------------------------------------------------------------------------

/**
 * Everything a 1.37 build knows (`V1`…`BINARY`), i.e. what a 1.37 child offers with compression on.
 *
 * @example
 * ```ts
 * CAPS_1_37_ALL === 16376; // the `ver=` of a default 1.37 child
 * ```
 */
export const CAPS_1_37_ALL: Capabilities = 16376;

/**
 * What a 1.37 child offers with `enable compression = no` (observed `ver=15352`).
 *
 * @example
 * ```ts
 * CAPS_1_37_NO_COMPRESSION === (CAPS_1_37_ALL & ~CAP_COMPRESSION); // true
 * ```
 */
export const CAPS_1_37_NO_COMPRESSION: Capabilities = 15352;

/**
 * What rill offers and accepts: all of 1.37's and zstd framing (as Netdata 1.44 and later send it). A 1.37
 * peer keeps only the bits it knows, so with it the stream is LZ4 or plain as before.
 *
 * @example
 * ```ts
 * CAPS_RILL === (CAPS_1_37_ALL | CAP_ZSTD); // true
 * ```
 */
export const CAPS_RILL: Capabilities = (CAPS_1_37_ALL | CAP_ZSTD) >>> 0;

/**
 * The compression bits: each names a framing of the stream; at most one is kept after negotiation, the
 * first of zstd and LZ4 both sides have (Netdata's order).
 *
 * @example
 * ```ts
 * COMPRESSION_CAPS === (CAP_COMPRESSION | CAP_ZSTD); // true
 * ```
 */
export const COMPRESSION_CAPS: Capabilities = (CAP_COMPRESSION | CAP_ZSTD) >>> 0;

/** The three bits that only say which dialect is spoken; normalisation keeps at most one of them. */
const VERSION_BITS = CAP_V1 | CAP_V2 | CAP_VN;

/**
 * Bit names in bit order, as Netdata logs and lists them. Bit 1024 keeps its 1.37 name COMPRESSION (newer
 * versions call it LZ4); the later bits use current Netdata's spelling (`ML`, `NODEID`, `MLMODELS`) so
 * that logs of newer peers read the same way.
 *
 * @example
 * ```ts
 * CAPABILITY_NAMES[0]; // [8, "V1"]
 * ```
 */
export const CAPABILITY_NAMES: readonly (readonly [bit: number, name: string])[] = [
  [CAP_V1, "V1"],
  [CAP_V2, "V2"],
  [CAP_VN, "VN"],
  [CAP_VCAPS, "VCAPS"],
  [CAP_HLABELS, "HLABELS"],
  [CAP_CLAIM, "CLAIM"],
  [CAP_CLABELS, "CLABELS"],
  [CAP_COMPRESSION, "COMPRESSION"],
  [CAP_FUNCTIONS, "FUNCTIONS"],
  [CAP_REPLICATION, "REPLICATION"],
  [CAP_BINARY, "BINARY"],
  [CAP_INTERPOLATED, "INTERPOLATED"],
  [CAP_IEEE754, "IEEE754"],
  [CAP_DATA_WITH_ML, "ML"],
  [CAP_DYNCFG_V1, "DYNCFG"],
  [CAP_SLOTS, "SLOTS"],
  [CAP_ZSTD, "ZSTD"],
  [CAP_GZIP, "GZIP"],
  [CAP_BROTLI, "BROTLI"],
  [CAP_PROGRESS, "PROGRESS"],
  [CAP_DYNCFG, "DYNCFG"],
  [CAP_NODE_ID, "NODEID"],
  [CAP_PATHS, "PATHS"],
  [CAP_ML_MODELS, "MLMODELS"],
  [CAP_FLOAT_BASELINE, "FLOAT_BASELINE"],
  [CAP_FUNCTION_DEL, "FUNCTION_DEL"],
  [CAP_INVALID, "INVALID"],
];

/**
 * Maps the number a peer put in `ver=` (or after `version=`) to capability bits, as 1.37 does before
 * normalising: 0 or 1 → V1; 2 → V2 HLABELS; 3 → VN HLABELS CLAIM; 4 → … CLABELS; 5 → … COMPRESSION;
 * anything larger is already a bitmask.
 *
 * `ver` is read as the C `int32_t` 1.37 uses, so negative numbers and anything that wraps to one (e.g.
 * 4294967295) count as version 1. An absent `ver` means 1 when the request carried
 * `NETDATA_PROTOCOL_VERSION` and 0 otherwise.
 *
 * Version 5 always maps to COMPRESSION here; whether the build can compress is decided by the AND with
 * the local capabilities that follows (see {@link normalizeCapabilities}).
 *
 * @example
 * ```ts
 * convertVersionToCapabilities(4, true); // CAP_VN | CAP_HLABELS | CAP_CLAIM | CAP_CLABELS (928)
 * convertVersionToCapabilities(undefined, true); // CAP_V1
 * convertVersionToCapabilities(16376, true); // 16376 (not yet normalised)
 * ```
 */
export function convertVersionToCapabilities(
  ver: number | undefined,
  hasProtocolVersionParam: boolean,
): Capabilities {
  const version = ver === undefined ? (hasProtocolVersionParam ? 1 : 0) : ver | 0;
  if (version <= 1) return CAP_V1;
  if (version === 2) return CAP_V2 | CAP_HLABELS;
  if (version === 3) return CAP_VN | CAP_HLABELS | CAP_CLAIM;
  if (version === 4) return CAP_VN | CAP_HLABELS | CAP_CLAIM | CAP_CLABELS;
  if (version === 5) return CAP_VN | CAP_HLABELS | CAP_CLAIM | CAP_CLABELS | CAP_COMPRESSION;
  return version >>> 0;
}

/**
 * Keeps only the newest dialect bit: VCAPS drops V1, V2 and VN; VN drops V1 and V2; V2 drops V1.
 * The other bits are untouched (the AND with local capabilities is the caller's step).
 *
 * @example
 * ```ts
 * normalizeCapabilities(16376); // 16320: V1, V2 and VN removed
 * normalizeCapabilities(CAP_V1 | CAP_V2 | CAP_HLABELS); // CAP_V2 | CAP_HLABELS
 * ```
 */
export function normalizeCapabilities(caps: Capabilities): Capabilities {
  let out = caps >>> 0;
  if (out & CAP_VCAPS) out &= ~VERSION_BITS;
  if (out & CAP_VN) out &= ~(CAP_V1 | CAP_V2);
  if (out & CAP_V2) out &= ~CAP_V1;
  return out >>> 0;
}

/**
 * Tells whether every bit of `wanted` is in `caps`.
 *
 * @example
 * ```ts
 * hasCapabilities(15296, CAP_REPLICATION); // true
 * hasCapabilities(15296, CAP_REPLICATION | CAP_COMPRESSION); // false
 * ```
 */
export function hasCapabilities(caps: Capabilities, wanted: Capabilities): boolean {
  return ((caps & wanted) >>> 0) === wanted >>> 0;
}

/**
 * The old version number a VN (no VCAPS) peer is answered with: 5 with compression, else 4 with chart
 * labels, else 3.
 *
 * @example
 * ```ts
 * capabilitiesToOldVersion(CAP_VN | CAP_HLABELS | CAP_CLAIM | CAP_CLABELS); // 4
 * ```
 */
export function capabilitiesToOldVersion(caps: Capabilities): 3 | 4 | 5 {
  if (caps & CAP_COMPRESSION) return 5;
  if (caps & CAP_CLABELS) return 4;
  return 3;
}

/**
 * Names of the bits in `caps`, in bit order, space separated, as a child logs its negotiated set
 * (`established link with negotiated capabilities: …`; 1.37 adds a trailing space, left out here).
 * Bits without a name are shown as `BIT<n>`.
 *
 * @example
 * ```ts
 * capabilityNames(15296); // "VCAPS HLABELS CLAIM CLABELS FUNCTIONS REPLICATION BINARY"
 * ```
 */
export function capabilityNames(caps: Capabilities): string {
  const set = caps >>> 0;
  const names: string[] = [];
  for (let bit = 0; bit < 32; bit++) {
    const value = 2 ** bit;
    if (Math.floor(set / value) % 2 === 0) continue;
    const known = CAPABILITY_NAMES.find(([b]) => b === value);
    names.push(known === undefined ? `BIT${bit}` : known[1]);
  }
  return names.join(" ");
}
