/**
 * The sender's bounded buffer in front of one connection: text is queued per commit, as UTF-8 bytes
 * (./_byte_queue.ts), and written when the socket can take it (honouring `drain`, and hearing when each
 * write has gone out), compressed framing is applied when negotiated, and the total
 * pending (queued here plus buffered by the socket) never passes `buffer size bytes`. At the bound a commit
 * is refused rather than the connection closed (1.37 closes it and loses what it held): the caller keeps
 * what it could not send (the replay ring) and hears when the parent has read half the buffer.
 *
 * @module
 */

import type { Socket } from "node:net";
import { ByteQueue } from "./_byte_queue.ts";

/**
 * The first commit refused at the bound, for the log line.
 *
 * @example
 * ```ts
 * const overflow: Overflow = { pending: 10_485_000, adding: 900 };
 * ```
 */
export interface Overflow {
  /** Bytes waiting (queued + in the socket's buffer) when the commit arrived. */
  readonly pending: number;
  /** Size of the commit that did not fit. */
  readonly adding: number;
}

/**
 * How a connection's text goes on the wire when the parent negotiated compression: one call per write, the
 * framing keeping whatever history it carries from call to call (LZ4 frames: src/protocol/lz4_frame.ts,
 * at once; zstd frames: src/runtime/zstd_frames.ts, later, off the event loop).
 *
 * @example
 * ```ts
 * const framing: WireFraming = new Lz4FrameEncoder(false);
 * ```
 */
export interface WireFraming {
  /** The bytes to write for `text`, or a promise of them. */
  encode(text: Uint8Array): Uint8Array | Promise<Uint8Array>;
  /** Frees what the framing holds (the connection ended). */
  close?(): void;
}

/**
 * What a {@link SendQueue} tells its owner.
 *
 * @example
 * ```ts
 * const events: QueueEvents = { full: (o) => log.error(`full: ${o.pending} unsent`), room: () => encoder.resume() };
 * ```
 */
export interface QueueEvents {
  /** A commit was refused at the bound (once, until {@link room}). */
  full(overflow: Overflow): void;
  /** After a refusal, the parent has read enough that half the buffer is free again. */
  room(): void;
}

/** The most queued text handed to the socket in one write (whole lines, unless one line is longer). */
const FLUSH_SLICE_BYTES = 256 * 1024;

/**
 * A bounded write queue over a socket.
 *
 * @example
 * ```ts
 * const queue = new SendQueue(socket, 10 * 1024 * 1024, undefined, { full: () => {}, room: () => {} });
 * queue.send('BEGIN "system.load" 1000000\nSET "load1" = 520\nEND\n'); // false at the bound
 * ```
 */
export class SendQueue {
  readonly socket: Socket;
  readonly limitBytes: number;
  /** Compressed framing, when negotiated; else the text goes as it is. */
  readonly framing: WireFraming | undefined;
  /** Bytes handed to the socket on this connection (UTF-8 text, before framing). */
  bytesSent = 0;
  /** Bytes handed to the socket on this connection as they go on the wire (after framing). */
  wireBytesSent = 0;
  /** Wall-clock ms of the last sign that the peer takes data (a write that fit, a drain). */
  lastProgressMs = Date.now();
  readonly #events: QueueEvents;
  readonly #queue: ByteQueue;
  #waitingForDrain = false;
  /** Text bytes handed to an asynchronous framing and not yet written. */
  #encodingBytes = 0;
  #flushScheduled = false;
  #closed = false;
  /** A commit was refused and the parent has not read half the buffer since. */
  #full = false;

  constructor(
    socket: Socket,
    limitBytes: number,
    framing: WireFraming | undefined,
    events: QueueEvents,
  ) {
    this.socket = socket;
    this.limitBytes = limitBytes;
    this.framing = framing;
    this.#events = events;
    this.#queue = new ByteQueue(limitBytes);
    socket.on("drain", () => {
      this.#waitingForDrain = false;
      this.lastProgressMs = Date.now();
      this.#flush();
      this.#checkRoom();
    });
  }

  /** Bytes waiting: queued here plus what the socket still buffers. */
  get pendingBytes(): number {
    return this.#queue.length + this.#encodingBytes + (this.socket.writableLength ?? 0);
  }

  /** Room left before the bound, in bytes. */
  get roomBytes(): number {
    return Math.max(0, this.limitBytes - this.pendingBytes);
  }

  /** Asks for the {@link QueueEvents.room} event once the parent has read half the buffer. */
  waitForRoom(): void {
    this.#full = true;
  }

  /** Queues one commit; false when it was refused (at the bound, or after {@link close}). */
  send(text: string): boolean {
    if (this.#closed) return false;
    const pending = this.pendingBytes;
    if (!this.#queue.append(text, this.limitBytes - pending)) {
      if (!this.#full) {
        this.#full = true;
        this.#events.full({ pending, adding: text.length });
      }
      return false;
    }
    if (!this.#flushScheduled && !this.#waitingForDrain) {
      this.#flushScheduled = true;
      // Commits of one collection round go out in one write.
      queueMicrotask(() => {
        this.#flushScheduled = false;
        this.#flush();
      });
    }
    return true;
  }

  /** Writes what is queued and resolves once the socket has taken it (or `timeoutMs` passed). */
  async drain(timeoutMs: number): Promise<void> {
    this.#flush();
    const deadline = Date.now() + timeoutMs;
    while (this.pendingBytes > 0 && !this.socket.destroyed && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      this.#flush();
    }
  }

  /** Stops queueing; what is queued is dropped. */
  close(): void {
    this.#closed = true;
    this.#queue.clear();
    this.framing?.close?.();
  }

  #flush(): void {
    while (!this.#waitingForDrain && this.#encodingBytes === 0 && this.#queue.length > 0 && !this.socket.destroyed) {
      const text = this.#queue.take(FLUSH_SLICE_BYTES);
      this.bytesSent += text.length;
      if (this.framing === undefined) {
        this.#write(text);
        continue;
      }
      const framed = this.framing.encode(text);
      if (framed instanceof Uint8Array) {
        this.#write(framed);
        continue;
      }
      // One slice in the framing at a time, so that slices reach the socket in order.
      this.#encodingBytes = text.length;
      framed.then((bytes) => {
        this.#encodingBytes = 0;
        if (this.#closed || this.socket.destroyed) return;
        this.#write(bytes);
        this.#flush();
      }, (error: Error) => this.socket.destroy(error));
    }
    this.#checkRoom();
  }

  #write(bytes: Uint8Array): void {
    // The callback runs once the socket has passed these bytes on: room may have come back even when the
    // socket never held enough to refuse a write (and so never emits `drain`), as with a bound below its
    // high-water mark.
    this.wireBytesSent += bytes.length;
    const accepted = this.socket.write(bytes, this.#written);
    if (accepted) this.lastProgressMs = Date.now();
    else this.#waitingForDrain = true;
  }

  readonly #written = (error?: Error | null): void => {
    if (error) return;
    this.lastProgressMs = Date.now();
    this.#checkRoom();
  };

  /** Tells the owner once the parent has read half the buffer after a refusal. */
  #checkRoom(): void {
    if (this.#full && !this.#closed && this.pendingBytes <= this.limitBytes / 2) {
      this.#full = false;
      this.#events.room();
    }
  }
}
