/**
 * The bytes a connection has queued and not yet handed to its socket, as UTF-8 in one `Uint8Array` rather
 * than as JavaScript strings: queued text then costs its bytes and nothing more, outside the garbage
 * collector's heap (whose size grows with what it holds live: 10 MiB of queued strings took a collector's
 * RSS up by two to four times as much), and the bound is checked in the bytes that go on the wire.
 *
 * Data sits in `[head, tail)`. The array grows by doubling as the backlog does, up to the bound; the space
 * freed at the front is reclaimed by moving the backlog down when the end is reached; and an array grown
 * past {@link KEEP_BYTES} is let go once it empties, so a connection that was backed up once does not keep
 * its peak for good.
 *
 * @module
 */

const utf8 = new TextEncoder();

/** The size an array starts with. */
const FIRST_BYTES = 64 * 1024;
/** An emptied array larger than this is dropped (the next backlog grows a new one). */
const KEEP_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;

/**
 * A bounded FIFO of UTF-8 text.
 *
 * @example
 * ```ts
 * const q = new ByteQueue(1024);
 * q.append("BEGIN \"system.load\" 1000000\n", 1024); // true
 * q.take(16); // the bytes of the first line, as a copy
 * ```
 */
export class ByteQueue {
  /** The most bytes ever held at once (the array never grows past it). */
  readonly limitBytes: number;
  #bytes = new Uint8Array(0);
  #head = 0;
  #tail = 0;

  constructor(limitBytes: number) {
    this.limitBytes = limitBytes;
  }

  /** Bytes queued. */
  get length(): number {
    return this.#tail - this.#head;
  }

  /** Bytes the array takes now. */
  get capacity(): number {
    return this.#bytes.byteLength;
  }

  /**
   * Appends `text` as UTF-8 if it takes at most `roomBytes`; false (nothing appended) when it does not.
   */
  append(text: string, roomBytes: number): boolean {
    // Text is mostly ASCII: one byte a character; more only where it is not.
    let need = text.length;
    for (;;) {
      if (need > roomBytes || !this.#reserve(need)) return false;
      const { read, written } = utf8.encodeInto(text, this.#bytes.subarray(this.#tail));
      if (read === text.length) {
        if (written > roomBytes) return false;
        this.#tail += written;
        return true;
      }
      // Not all of it fitted: room for the worst case (three bytes per UTF-16 unit), within the room.
      if (need >= Math.min(text.length * 3, roomBytes)) return false;
      need = Math.min(text.length * 3, roomBytes);
    }
  }

  /**
   * Removes and returns (as a copy, which the caller may keep) the oldest whole lines, at most `maxBytes` of
   * them, or the first line whole when it alone is longer (and what is queued when no newline ends it).
   */
  take(maxBytes: number): Uint8Array {
    const end = Math.min(this.#tail, this.#head + maxBytes);
    let cut = end;
    if (end < this.#tail) {
      const bytes = this.#bytes;
      const newline = bytes.subarray(this.#head, end).lastIndexOf(NEWLINE);
      const next = newline >= 0 ? -1 : bytes.subarray(end, this.#tail).indexOf(NEWLINE);
      cut = newline >= 0 ? this.#head + newline + 1 : next >= 0 ? end + next + 1 : this.#tail;
    }
    const out = this.#bytes.slice(this.#head, cut);
    this.#head = cut;
    if (this.#head === this.#tail) this.clear();
    return out;
  }

  /** Drops what is queued. */
  clear(): void {
    this.#head = this.#tail = 0;
    if (this.#bytes.byteLength > KEEP_BYTES) this.#bytes = new Uint8Array(0);
  }

  /** Makes `need` bytes free after the tail: false when the bound does not allow it. */
  #reserve(need: number): boolean {
    const free = this.#bytes.byteLength - this.#tail;
    if (free >= need) return true;
    const held = this.#tail - this.#head;
    if (held + need > this.limitBytes) return false;
    const size = this.#bytes.byteLength;
    // Move the backlog down while it fills at most half the array (the move then costs less than the space
    // it frees), or when the array may not grow; else grow, so that moves stay rare.
    if (held + need <= size && (2 * held <= size || size >= this.limitBytes)) {
      this.#bytes.copyWithin(0, this.#head, this.#tail);
    } else {
      let grownSize = Math.max(size * 2, FIRST_BYTES);
      while (grownSize < held + need) grownSize *= 2;
      const grown = new Uint8Array(Math.min(grownSize, this.limitBytes));
      grown.set(this.#bytes.subarray(this.#head, this.#tail));
      this.#bytes = grown;
    }
    this.#head = 0;
    this.#tail = held;
    return true;
  }
}
