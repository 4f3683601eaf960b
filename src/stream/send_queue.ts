/**
 * The sender's bounded buffer in front of one connection: text is queued per commit and written when the
 * socket can take it (honouring `drain`), compressed framing is applied when negotiated, and the total
 * pending (queued here plus buffered by the socket) never passes `buffer size bytes`. At the bound a commit
 * is refused rather than the connection closed (1.37 closes it and loses what it held): the caller keeps
 * what it could not send (the replay ring) and hears when the parent has read half the buffer.
 *
 * @module
 */

import type { Socket } from "node:net";

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

const utf8 = new TextEncoder();

/** The most queued text handed to the socket in one write. */
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
  /** Bytes handed to the socket on this connection (text size, before framing). */
  bytesSent = 0;
  /** Wall-clock ms of the last sign that the peer takes data (a write that fit, a drain). */
  lastProgressMs = Date.now();
  readonly #events: QueueEvents;
  #queue: string[] = [];
  #queuedBytes = 0;
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
    socket.on("drain", () => {
      this.#waitingForDrain = false;
      this.lastProgressMs = Date.now();
      this.#flush();
      this.#checkRoom();
    });
  }

  /** Bytes waiting: queued here plus what the socket still buffers. */
  get pendingBytes(): number {
    return this.#queuedBytes + this.#encodingBytes + (this.socket.writableLength ?? 0);
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
    if (pending + text.length > this.limitBytes) {
      if (!this.#full) {
        this.#full = true;
        this.#events.full({ pending, adding: text.length });
      }
      return false;
    }
    this.#queue.push(text);
    this.#queuedBytes += text.length;
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
    this.#queue = [];
    this.#queuedBytes = 0;
    this.framing?.close?.();
  }

  #flush(): void {
    while (!this.#waitingForDrain && this.#encodingBytes === 0 && this.#queuedBytes > 0 && !this.socket.destroyed) {
      const text = this.#takeSlice();
      this.bytesSent += text.length;
      if (this.framing === undefined) {
        this.#write(text);
        continue;
      }
      const framed = this.framing.encode(utf8.encode(text));
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

  #write(bytes: string | Uint8Array): void {
    if (this.socket.write(bytes)) this.lastProgressMs = Date.now();
    else this.#waitingForDrain = true;
  }
  /**
   * The oldest commits, up to {@link FLUSH_SLICE_BYTES} (at least one), out of the queue: the socket gets
   * the queue a slice at a time, so a full queue is never copied whole into one string and one buffer.
   */
  #takeSlice(): string {
    const queue = this.#queue;
    let count = 0;
    let bytes = 0;
    while (count < queue.length && (count === 0 || bytes + queue[count].length <= FLUSH_SLICE_BYTES)) {
      bytes += queue[count++].length;
    }
    const text = count === 1 ? queue[0] : queue.slice(0, count).join("");
    this.#queue = count === queue.length ? [] : queue.slice(count);
    this.#queuedBytes -= bytes;
    return text;
  }

  /** Tells the owner once the parent has read half the buffer after a refusal. */
  #checkRoom(): void {
    if (this.#full && !this.#closed && this.pendingBytes <= this.limitBytes / 2) {
      this.#full = false;
      this.#events.room();
    }
  }
}
