/**
 * Garbage collection after much input, where the runtime lets a program ask for one (Bun: `Bun.gc`). A
 * collector that reads megabytes of plugin output leaves them behind as garbage outside the JavaScript heap
 * (the chunks' buffers), which JavaScriptCore frees only at its next full collection: under a steady 1 MB/s
 * that came every 25-45 s, and the collector's anonymous memory rose and fell between 26 and 63 MB. A full
 * collection after every 4 MiB read (one every 4 s at that rate, at no measurable CPU cost: 29-31 % of a
 * core either way) kept it between 18 and 31 MB. Elsewhere (Deno) this does nothing.
 *
 * @module
 */

interface BunGlobal {
  gc(force: boolean): void;
}

const bun = (globalThis as { Bun?: BunGlobal }).Bun;

/**
 * Counts bytes read and runs a full collection after every `everyBytes` (a few milliseconds for a collector's
 * small heap; never on a parent, whose heap holds its children's data).
 *
 * @example
 * ```ts
 * const hint = new GarbageHint(4 * 1024 * 1024);
 * child.stdout.on("data", (chunk) => hint.read(chunk.length));
 * ```
 */
export class GarbageHint {
  readonly everyBytes: number;
  readonly #collect: () => void;
  #sinceBytes = 0;

  /** `collect` runs the collection: by default Bun's, synchronous and full, and nothing elsewhere. */
  constructor(everyBytes: number, collect: () => void = () => bun?.gc(true)) {
    this.everyBytes = everyBytes;
    this.#collect = collect;
  }

  /** `bytes` more were read. */
  read(bytes: number): void {
    this.#sinceBytes += bytes;
    if (this.#sinceBytes < this.everyBytes) return;
    this.#sinceBytes = 0;
    this.#collect();
  }
}
