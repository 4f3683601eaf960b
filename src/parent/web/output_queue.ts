/**
 * What a connection still has to send, written to its socket one slice at a time so that each finished
 * write is a sign of progress: a client that reads, however slowly, keeps its connection; one that stops
 * reading is found out after a deadline without progress, even in the middle of a large reply.
 *
 * @module
 */

import type { Socket } from "node:net";

/** At most this much is handed to the socket at once: the granularity at which progress is seen. */
const SLICE_BYTES = 64 * 1024;

/**
 * What {@link OutputQueue} reports.
 *
 * @example
 * ```ts
 * const events: OutputQueueEvents = { onProgress: () => {}, onStall: (pending) => socket.destroy() };
 * ```
 */
export interface OutputQueueEvents {
  /** A slice reached the kernel; {@link OutputQueue.pendingBytes} went down. */
  readonly onProgress: () => void;
  /** Output has been pending with no slice written for the stall timeout; `pendingBytes` are still unsent. */
  readonly onStall: (pendingBytes: number) => void;
}

/**
 * The unsent replies of one connection.
 *
 * @example
 * ```ts
 * const output = new OutputQueue(socket, 30_000, { onProgress: () => readMore(), onStall: () => socket.destroy() });
 * for (const bytes of encodeResponse(response, options)) output.write(bytes);
 * if (output.pendingBytes > 1024 * 1024) stopReading();
 * ```
 */
export class OutputQueue {
  readonly #socket: Socket;
  readonly #stallTimeoutMs: number;
  readonly #events: OutputQueueEvents;
  readonly #queue: Uint8Array[] = [];
  #pendingBytes = 0;
  #writing = false;
  #ending = false;
  #lastProgressMs = 0;
  #stallTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(socket: Socket, stallTimeoutMs: number, events: OutputQueueEvents) {
    this.#socket = socket;
    this.#stallTimeoutMs = stallTimeoutMs;
    this.#events = events;
  }

  /** Bytes queued or being written, not yet taken by the kernel. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /** Queues `bytes` after everything queued before. */
  write(bytes: Uint8Array): void {
    if (this.#ending || bytes.length === 0) return;
    this.#queue.push(bytes);
    this.#pendingBytes += bytes.length;
    if (this.#stallTimer === undefined) {
      this.#lastProgressMs = Date.now();
      this.#stallTimer = setTimeout(this.#checkStall, this.#stallTimeoutMs);
      // The socket keeps the process alive while it matters; this timer alone must not.
      this.#stallTimer.unref?.();
    }
    this.#writeNext();
  }

  /**
   * Ends the socket once everything queued is written; a peer that has not closed its side a stall
   * timeout later is cut off, so a finished connection cannot hold its descriptor forever.
   */
  end(): void {
    if (this.#ending) return;
    this.#ending = true;
    this.#writeNext();
  }

  /** Stops the stall timer and drops what is queued (the socket is closed or handed on). */
  dispose(): void {
    clearTimeout(this.#stallTimer);
    this.#stallTimer = undefined;
    this.#queue.length = 0;
    this.#pendingBytes = 0;
  }

  #writeNext(): void {
    const socket = this.#socket;
    if (this.#writing || socket.destroyed) return;
    const next = this.#queue[0];
    if (next === undefined) {
      clearTimeout(this.#stallTimer);
      this.#stallTimer = undefined;
      if (this.#ending && !socket.writableEnded) {
        socket.end();
        const linger = setTimeout(() => socket.destroy(), this.#stallTimeoutMs);
        linger.unref?.();
        socket.once("close", () => clearTimeout(linger));
      }
      return;
    }
    if (!socket.writable) {
      this.dispose(); // ended or failing: nothing queued can be sent any more
      return;
    }
    const slice = next.length <= SLICE_BYTES ? next : next.subarray(0, SLICE_BYTES);
    if (slice === next) this.#queue.shift();
    else this.#queue[0] = next.subarray(SLICE_BYTES);
    this.#writing = true;
    socket.write(slice, (error) => {
      this.#writing = false;
      if (error) {
        this.dispose(); // the socket reports it through 'error' and closes
        return;
      }
      this.#pendingBytes -= slice.length;
      this.#lastProgressMs = Date.now();
      this.#events.onProgress();
      this.#writeNext();
    });
  }

  readonly #checkStall = (): void => {
    this.#stallTimer = undefined;
    if (this.#pendingBytes === 0 || this.#socket.destroyed) return;
    const quietMs = Date.now() - this.#lastProgressMs;
    if (quietMs >= this.#stallTimeoutMs) {
      this.#events.onStall(this.#pendingBytes);
      return;
    }
    this.#stallTimer = setTimeout(this.#checkStall, this.#stallTimeoutMs - quietMs);
    this.#stallTimer.unref?.();
  };
}
