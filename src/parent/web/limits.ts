/**
 * The bounds the web port holds every client to: what one connection may send, keep unsent and take in
 * time, and how many connections may be open at once. Each protects the one event loop that ingestion and
 * the API share from a single slow, greedy or silent client.
 *
 * @module
 */

import type { NetdataConf } from "../../config/netdata_conf.ts";
import { MAX_REQUEST_HEAD_BYTES } from "../../protocol/handshake.ts";
import { openFilesSoftLimit } from "../../runtime/open_files.ts";

/**
 * Per-connection and per-listener limits; tests pass small numbers.
 *
 * @example
 * ```ts
 * const limits: WebLimits = webLimits(parseNetdataConf(""), { headTimeoutMs: 200 });
 * ```
 */
export interface WebLimits {
  /** Largest request head; a longer one is answered 431 and the connection closed. */
  readonly headBytes: number;
  /**
   * A connection silent this long (before its first request or between requests) is closed (`[web] disconnect
   * idle clients after seconds`).
   */
  readonly idleTimeoutMs: number;
  /** A connection must send its first whole request head this soon (`[web] timeout for first request`). */
  readonly firstRequestTimeoutMs: number;
  /**
   * A request (head and any body) must be complete this long after its first byte arrived, or it is
   * answered 408 and the connection closed: trickling bytes keep a connection from being idle, not forever.
   */
  readonly headTimeoutMs: number;
  /** More requests than this within one second on one connection are answered 429 and it is closed. */
  readonly requestsPerSecond: number;
  /** Largest `Content-Length` body that is read and dropped; a larger one is answered 413 and the connection closed. */
  readonly bodyBytes: number;
  /** While more than this is unsent on a connection, its next request is not read. */
  readonly outputBytes: number;
  /** Unsent output that makes no progress this long (a client that does not read) cuts the connection off. */
  readonly stallTimeoutMs: number;
  /** Open connections, HTTP and not yet handed-over streams, across all ports (`[web] web server max sockets`). */
  readonly maxConnections: number;
  /** Open connections from one client address (`[web] web server max sockets per address`). */
  readonly maxConnectionsPerAddress: number;
}

/** When `/proc/self/limits` cannot be read: the usual soft limit of open files. */
const FALLBACK_OPEN_FILES = 1024;

/**
 * The limits of `conf` (`[web] web server max sockets`, unset meaning 1.37's default of a quarter of the
 * open-files limit, `web server max sockets per address`, `disconnect idle clients after seconds` and `timeout
 * for first request`), with
 * fixed defaults for the rest, then
 * `overrides`.
 *
 * @example
 * ```ts
 * webLimits(parseNetdataConf("[web]\nweb server max sockets = 300\n")).maxConnections; // 300
 * ```
 */
export function webLimits(conf: NetdataConf, overrides: Partial<WebLimits> = {}): WebLimits {
  return {
    headBytes: MAX_REQUEST_HEAD_BYTES,
    idleTimeoutMs: conf.web.disconnectIdleClientsAfterSeconds * 1000,
    firstRequestTimeoutMs: conf.web.timeoutForFirstRequestSeconds * 1000,
    headTimeoutMs: 10_000,
    requestsPerSecond: 100,
    bodyBytes: 16 * 1024,
    outputBytes: 1024 * 1024,
    stallTimeoutMs: 30_000,
    maxConnections: conf.web.maxSockets ?? Math.floor((openFilesSoftLimit() ?? FALLBACK_OPEN_FILES) / 4),
    maxConnectionsPerAddress: conf.web.maxSocketsPerAddress,
    ...overrides,
  };
}
