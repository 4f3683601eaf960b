/**
 * What every local collector is: something that, once per interval, reads its files and fills charts of
 * the host.
 *
 * @module
 */

import type { Host } from "../metrics/host.ts";
import type { Logger } from "../runtime/log.ts";

/**
 * Everything a source needs from the collector around it.
 *
 * @example
 * ```ts
 * const context: SourceContext = { host, root: "/", updateEvery: 1, log };
 * ```
 */
export interface SourceContext {
  readonly host: Host;
  /** Prefix of `/proc` and `/sys` paths: `/` on a real machine, a fixture folder in tests. */
  readonly root: string;
  /** The host's collection interval, seconds. */
  readonly updateEvery: number;
  readonly log: Logger;
}

/**
 * A local collector.
 *
 * @example
 * ```ts
 * const source: Source = { name: "/proc/loadavg", updateEvery: 1, collect(nowUs) {}, close() {} };
 * ```
 */
export interface Source {
  /** Netdata's module name (`/proc/loadavg`), used in logs. */
  readonly name: string;
  /** Seconds between this source's iterations (a multiple of the host's interval). */
  readonly updateEvery: number;
  /**
   * Collects one iteration at `nowUs` (epoch µs): sets dimensions and ends each chart's iteration with
   * `host.collected`. A file that is missing or has changed shape obsoletes the charts it fed; it throws
   * only for the unexpected, which the loop logs.
   */
  collect(nowUs: number): void;
  /** Releases open files and child processes. */
  close(): void;
}

/**
 * Joins the collector's root with an absolute kernel path.
 *
 * @example
 * ```ts
 * rootPath("/", "/proc/loadavg"); // "/proc/loadavg"
 * rootPath("/tmp/fake", "/proc/loadavg"); // "/tmp/fake/proc/loadavg"
 * ```
 */
export function rootPath(root: string, path: string): string {
  return root === "/" || root === "" ? path : `${root.replace(/\/+$/, "")}${path}`;
}
