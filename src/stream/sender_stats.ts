/**
 * A sender's counters, for the collector's self-monitoring charts: connection rounds, how connections and handshakes ended (in 1.37's words), bytes sent on all connections, and the
 * buffer in use now. The sender reports events here and does nothing else with them; readers only read.
 *
 * @module
 */

import type { ConnectionEnd } from "./connection.ts";
import type { HandshakeOutcome } from "./handshake.ts";
import type { SendQueue } from "./send_queue.ts";

/**
 * Counters of one {@link StreamSender}.
 *
 * @example
 * ```ts
 * const stats = new SenderStats(config.bufferSizeBytes);
 * stats.connecting();
 * const outcome = stats.handshakeEnded(await handshakeAsChild(socket, request));
 * stats.connected(connection.queue);
 * stats.ended(await connection.ended);
 * stats.bytesSent; // all connections
 * ```
 */
export class SenderStats {
  /** `[stream] buffer size bytes`. */
  readonly bufferSizeBytes: number;
  /** Rounds of connection attempts over the destinations. */
  connects = 0;
  /** Handshakes and connections that ended, by 1.37's disconnect reasons. */
  readonly disconnects = { "bad handshake": 0, "timeout": 0, "socket error": 0, "parent closed": 0 };
  /** Wire bytes of the connections that ended. */
  #sentBefore = 0;
  #queue: SendQueue | undefined;

  constructor(bufferSizeBytes: number) {
    this.bufferSizeBytes = bufferSizeBytes;
  }

  /** Bytes written to parents over all connections (compressed when negotiated). */
  get bytesSent(): number {
    return this.#sentBefore + (this.#queue?.wireBytesSent ?? 0);
  }

  /** Bytes waiting to be sent on the current connection. */
  get pendingBytes(): number {
    return this.#queue?.pendingBytes ?? 0;
  }

  /** A round of connection attempts starts. */
  connecting(): void {
    this.connects++;
  }

  /** Counts a handshake that failed (refused: 1.37's bad handshake; no reply: its timeout); returns it. */
  handshakeEnded(outcome: HandshakeOutcome): HandshakeOutcome {
    if (outcome.kind === "refused") this.disconnects["bad handshake"]++;
    else if (outcome.kind === "silent") this.disconnects.timeout++;
    return outcome;
  }

  /** A connection was established; its queue is read until it ends. */
  connected(queue: SendQueue): void {
    this.#queue = queue;
  }

  /** The connection ended; a sender that stops is no disconnect 1.37 counts. */
  ended(reason: ConnectionEnd): void {
    this.#sentBefore += this.#queue?.wireBytesSent ?? 0;
    this.#queue = undefined;
    if (reason === "closed by parent") this.disconnects["parent closed"]++;
    else if (reason === "timeout") this.disconnects.timeout++;
    else if (reason === "error") this.disconnects["socket error"]++;
  }
}
