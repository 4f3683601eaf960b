/**
 * The sender's bounded buffer in front of one connection: text is queued per commit and written when the
 * socket can take it (honouring `drain`), compressed framing is applied when negotiated, and the total
 * pending (queued here plus buffered by the socket) never passes `buffer size bytes`.
 *
 * @module
 */

import type { Socket } from "node:net";

/**
 * What a connection's queue does at its bound: the caller decides (the sender closes the connection, as
 * Netdata does, so that memory stays bounded and the parent gets a clean restart).
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
 * framing keeping whatever history it carries from call to call (LZ4 frames: src/protocol/lz4_frame.ts).
 *
 * @example
 * ```ts
 * const framing: WireFraming = new Lz4FrameEncoder(false);
 * ```
 */
export interface WireFraming {
  /** The bytes to write for `text`. */
  encode(text: Uint8Array): Uint8Array;
}

const utf8 = new TextEncoder();

/**
 * A bounded write queue over a socket.
 *
 * @example
 * ```ts
 * const queue = new SendQueue(socket, 10 * 1024 * 1024, undefined, (o) => socket.destroy());
 * queue.send('BEGIN "system.load" 1000000\nSET "load1" = 520\nEND\n');
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
  readonly #onOverflow: (overflow: Overflow) => void;
  #queue: string[] = [];
  #queuedBytes = 0;
  #waitingForDrain = false;
  #flushScheduled = false;
  #closed = false;

  constructor(
    socket: Socket,
    limitBytes: number,
    framing: WireFraming | undefined,
    onOverflow: (overflow: Overflow) => void,
  ) {
    this.socket = socket;
    this.limitBytes = limitBytes;
    this.framing = framing;
    this.#onOverflow = onOverflow;
    socket.on("drain", () => {
      this.#waitingForDrain = false;
      this.lastProgressMs = Date.now();
      this.#flush();
    });
  }

  /** Bytes waiting: queued here plus what the socket still buffers. */
  get pendingBytes(): number {
    return this.#queuedBytes + (this.socket.writableLength ?? 0);
  }

  /** Queues one commit; at the bound the commit is refused and the overflow handler runs. */
  send(text: string): boolean {
    if (this.#closed) return false;
    const pending = this.pendingBytes;
    if (pending + text.length > this.limitBytes) {
      this.#closed = true;
      this.#queue = [];
      this.#queuedBytes = 0;
      this.#onOverflow({ pending, adding: text.length });
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
  }

  #flush(): void {
    if (this.#waitingForDrain || this.#queuedBytes === 0 || this.socket.destroyed) return;
    const text = this.#queue.length === 1 ? this.#queue[0] : this.#queue.join("");
    this.#queue = [];
    this.#queuedBytes = 0;
    this.bytesSent += text.length;
    const fits = this.framing === undefined
      ? this.socket.write(text)
      : this.socket.write(this.framing.encode(utf8.encode(text)));
    if (fits) this.lastProgressMs = Date.now();
    else this.#waitingForDrain = true;
  }
}
