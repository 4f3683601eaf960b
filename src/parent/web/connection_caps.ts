/**
 * How many connections the web port holds open, in total and per client address, and the refusal of
 * those above either cap, logged at most once per interval so that a flood of them cannot flood the log.
 *
 * @module
 */

import type { Logger } from "../../runtime/log.ts";

/** At most one refusal line per this long; the next one counts those left out. */
const REFUSAL_LOG_INTERVAL_MS = 10_000;

/**
 * The caps {@link ConnectionCaps} holds connections to.
 *
 * @example
 * ```ts
 * const caps: ConnectionCapLimits = { maxConnections: 512, maxConnectionsPerAddress: 64 };
 * ```
 */
export interface ConnectionCapLimits {
  readonly maxConnections: number;
  readonly maxConnectionsPerAddress: number;
}

/**
 * The open connections of one listener, by client address.
 *
 * @example
 * ```ts
 * const caps = new ConnectionCaps({ maxConnections: 512, maxConnectionsPerAddress: 64 }, log);
 * const release = caps.admit("10.1.2.3", "10.1.2.3:40000");
 * if (release === undefined) socket.destroy();
 * else socket.once("close", release);
 * ```
 */
export class ConnectionCaps {
  readonly #limits: ConnectionCapLimits;
  readonly #log: Logger;
  readonly #nowMs: () => number;
  readonly #byAddress = new Map<string, number>();
  #open = 0;
  #lastLogMs = -Infinity;
  #unlogged = 0;

  constructor(limits: ConnectionCapLimits, log: Logger, nowMs: () => number = Date.now) {
    this.#limits = limits;
    this.#log = log;
    this.#nowMs = nowMs;
  }

  /** Connections admitted and not yet released. */
  get open(): number {
    return this.#open;
  }

  /**
   * Counts a new connection from `address` (`peer` names it in the log) and gives the function that
   * uncounts it, which does so once however often it is called; undefined, after logging, when a cap is
   * reached.
   */
  admit(address: string, peer: string): (() => void) | undefined {
    const { maxConnections, maxConnectionsPerAddress } = this.#limits;
    const fromAddress = this.#byAddress.get(address) ?? 0;
    if (this.#open >= maxConnections) {
      this.#refused(peer, `${this.#open} connections are open, [web] web server max sockets = ${maxConnections}`);
      return undefined;
    }
    if (fromAddress >= maxConnectionsPerAddress) {
      this.#refused(
        peer,
        `${fromAddress} connections from ${address} are open, [web] web server max sockets per address = ${maxConnectionsPerAddress}`,
      );
      return undefined;
    }
    this.#open++;
    this.#byAddress.set(address, fromAddress + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#open--;
      const left = (this.#byAddress.get(address) ?? 1) - 1;
      if (left === 0) this.#byAddress.delete(address);
      else this.#byAddress.set(address, left);
    };
  }

  #refused(peer: string, why: string): void {
    const now = this.#nowMs();
    if (now - this.#lastLogMs < REFUSAL_LOG_INTERVAL_MS) {
      this.#unlogged++;
      return;
    }
    const more = this.#unlogged === 0 ? "" : `; ${this.#unlogged} more refused since the last such line`;
    this.#log.error(`web connection from ${peer} refused: ${why}${more}`);
    this.#lastLogMs = now;
    this.#unlogged = 0;
  }
}
