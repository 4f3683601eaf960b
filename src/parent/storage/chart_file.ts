/**
 * The file memory mode `save` writes per chart, and reads back after a restart.
 *
 * Layout (version 1, little-endian): the 8 bytes `RILLSAVE`, a u32 version, a u32 header length, the
 * header as UTF-8 JSON (`{ chart, updateEvery, newestS, count, dimensions }`), zero padding to a multiple
 * of 4, then for each dimension in header order `count` u32 `storage_number` words, oldest first.
 *
 * @module
 */

import type { ChartSnapshot } from "./chart_store.ts";

const MAGIC = "RILLSAVE";
const VERSION = 1;
const FIXED = 16;

interface Header {
  readonly chart: string;
  readonly updateEvery: number;
  readonly newestS: number;
  readonly count: number;
  readonly dimensions: readonly string[];
}

/**
 * Encodes a chart's snapshot as a version 1 file.
 *
 * @example
 * ```ts
 * writeFileSync(path, encodeChartFile("system.load", store.snapshot()));
 * ```
 */
export function encodeChartFile(chartId: string, snapshot: ChartSnapshot): Uint8Array {
  const header: Header = {
    chart: chartId,
    updateEvery: snapshot.updateEvery,
    newestS: snapshot.newestS,
    count: snapshot.count,
    dimensions: snapshot.dimensions,
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = FIXED + Math.ceil(json.length / 4) * 4;
  const bytes = new Uint8Array(dataStart + snapshot.columns.length * snapshot.count * 4);
  const view = new DataView(bytes.buffer);
  bytes.set(new TextEncoder().encode(MAGIC));
  view.setUint32(8, VERSION, true);
  view.setUint32(12, json.length, true);
  bytes.set(json, FIXED);
  let offset = dataStart;
  for (const words of snapshot.columns) {
    for (let j = 0; j < snapshot.count; j++, offset += 4) view.setUint32(offset, words[j], true);
  }
  return bytes;
}

/**
 * Decodes a chart file; `undefined` when it is not a version 1 file of that chart, or is truncated.
 *
 * @example
 * ```ts
 * const snapshot = decodeChartFile("system.load", readFileSync(path));
 * ```
 */
export function decodeChartFile(chartId: string, bytes: Uint8Array): ChartSnapshot | undefined {
  if (bytes.length < FIXED || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(8, true) !== VERSION) return undefined;
  const headerLength = view.getUint32(12, true);
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(FIXED, FIXED + headerLength)));
  } catch {
    return undefined;
  }
  const { count, dimensions } = header;
  if (!Number.isInteger(count) || count < 0 || !Array.isArray(dimensions)) return undefined;
  const dataStart = FIXED + Math.ceil(headerLength / 4) * 4;
  if (header.chart !== chartId || bytes.length !== dataStart + dimensions.length * count * 4) return undefined;
  let offset = dataStart;
  const columns = dimensions.map(() => {
    const words = new Uint32Array(count);
    for (let j = 0; j < count; j++, offset += 4) words[j] = view.getUint32(offset, true);
    return words;
  });
  return { updateEvery: header.updateEvery, newestS: header.newestS, count, dimensions, columns };
}
