/**
 * Destinations and failover, as a 1.37 child goes through `[stream] destination`: one round tries each
 * destination in order (TCP, TLS or a unix socket), skipping those a parent asked to wait; the one that
 * accepts goes to the end of the list, so the next round starts with the others. Between rounds the sender
 * pauses for the reconnect delay, or until the first postponement ends.
 *
 * @module
 */

import type { Socket } from "node:net";
import type { StreamSenderConfig } from "../config/stream_conf.ts";
import type { Capabilities } from "../protocol/capabilities.ts";
import type { Destination } from "../protocol/destination.ts";
import type { Logger } from "../runtime/log.ts";
import { ConnectError, connectTo } from "../runtime/socket.ts";
import type { HandshakeOutcome } from "./handshake.ts";

/**
 * A connection a parent accepted: its socket (paused), where it goes, the negotiated capabilities, and what
 * the parent sent after its reply.
 */
export interface Link {
  readonly socket: Socket;
  readonly destination: Destination;
  readonly caps: Capabilities;
  readonly rest: string;
}

/** Runs the handshake on a connected socket. */
export type Handshake = (socket: Socket, destination: Destination) => Promise<HandshakeOutcome>;

/**
 * The destination list of one sender and its postponements.
 *
 * @example
 * ```ts
 * const failover = new Failover(config, log, (dest) => `STREAM edge-1 [send to ${dest?.text ?? "…"}]`);
 * const link = await failover.connect(signal, (socket, dest) => handshakeAsChild(socket, request(dest)));
 * if (link === undefined) await failover.pause(failover.nextAttemptDelayMs());
 * ```
 */
export class Failover {
  readonly #config: StreamSenderConfig;
  readonly #log: Logger;
  readonly #prefix: (destination: Destination | undefined) => string;
  readonly #order: Destination[];
  readonly #postponedUntil = new Map<Destination, number>();
  #wake: (() => void) | undefined;

  /** `prefix` names the sender in log lines, with the destination when there is one. */
  constructor(config: StreamSenderConfig, log: Logger, prefix: (destination: Destination | undefined) => string) {
    this.#config = config;
    this.#log = log;
    this.#prefix = prefix;
    this.#order = [...config.destination];
  }

  /** One round over the destinations, in order; `undefined` when none accepted or `signal` aborted it. */
  async connect(signal: AbortSignal, handshake: Handshake): Promise<Link | undefined> {
    const timeoutMs = this.#config.timeoutSeconds * 1000;
    this.#log.info(`${this.#prefix(undefined)}: connecting...`);
    for (const dest of [...this.#order]) {
      if (signal.aborted) return undefined;
      if (this.#postponed(dest)) continue;
      let socket: Socket;
      try {
        socket = await connectTo(dest, timeoutMs, {
          verify: !this.#config.sslSkipCertificateVerification,
          caFile: this.#config.caFile,
          caPath: this.#config.caPath,
        }, signal);
      } catch (e) {
        if (signal.aborted) return undefined;
        const detail = e instanceof ConnectError ? e.errnoText : String(e);
        const where = dest.protocol === "unix" ? `'${dest.host}'` : `'${dest.host}', port '${dest.port}'`;
        this.#log.error(`Failed to connect to ${where} (${detail})${dest.ssl ? " over TLS" : ""}`);
        continue;
      }
      const outcome = await handshake(socket, dest);
      if (outcome.kind === "refused") {
        this.#postponedUntil.set(dest, Date.now() + outcome.retryAfterSeconds * 1000);
      } else if (outcome.kind === "accepted") {
        this.#order.splice(this.#order.indexOf(dest), 1);
        this.#order.push(dest);
        return { socket, destination: dest, caps: outcome.caps, rest: outcome.rest };
      }
    }
    if (!signal.aborted && !this.#order.some((d) => this.#postponed(d))) {
      this.#log.error(`${this.#prefix(undefined)}: failed to connect`);
    }
    return undefined;
  }

  /** How long to wait after a round that failed: the reconnect delay, longer when every destination is postponed. */
  nextAttemptDelayMs(): number {
    const now = Date.now();
    const reconnect = this.#config.reconnectDelaySeconds * 1000;
    let earliest = Infinity;
    for (const dest of this.#order) {
      const until = this.#postponedUntil.get(dest) ?? 0;
      if (until <= now) return reconnect;
      earliest = Math.min(earliest, until - now);
    }
    return Math.max(reconnect, earliest);
  }

  /** Waits `ms`, or until {@link wake}. */
  pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
    });
  }

  /** Ends a {@link pause} at once (the sender stops). */
  wake(): void {
    this.#wake?.();
  }

  #postponed(dest: Destination): boolean {
    return (this.#postponedUntil.get(dest) ?? 0) > Date.now();
  }
}
