/**
 * Streaming zstd with `node:zlib`, the same on Deno and Bun (its one-shot calls cannot carry a history, and
 * the synchronous streaming call works once per stream on both): a compressor whose every call is flushed,
 * so the peer can decode each piece on arrival with the history of all earlier ones, and a decompressor that
 * stops at a bound. Both run off the event loop and answer with promises, one call at a time in order.
 *
 * @module
 */

import type * as Zlib from "node:zlib";
import process from "node:process";

/**
 * `node:zlib`, loaded on the first zstd stream: importing it costs a compiled collector 1.8 MB of anonymous memory
 * (and 4.4 MB of code paged in), which a collector streaming to a 1.37 parent (LZ4) or uncompressed never needs.
 */
let loaded: typeof Zlib | undefined;
function zlib(): typeof Zlib {
  loaded ??= process.getBuiltinModule("node:zlib") as typeof Zlib;
  return loaded;
}

/**
 * One zstd stream, compressed piece by piece.
 *
 * @example
 * ```ts
 * const zstd = new ZstdCompressor(3, 17);
 * const block = await zstd.compress(new TextEncoder().encode("END\n")); // decodable on its own arrival
 * zstd.close();
 * ```
 */
export class ZstdCompressor {
  readonly #zstd: Zlib.ZstdCompress;
  #output: Buffer[] = [];
  #last: Promise<unknown> = Promise.resolve();

  /**
   * `level`: 1 (faster) to 22 (smaller); `windowLog`: the history the peer must keep, 2^windowLog bytes
   * (the level's own when left out: 2 MiB at level 3).
   */
  constructor(level: number, windowLog?: number) {
    const { constants, createZstdCompress } = zlib();
    const params: Record<number, number> = { [constants.ZSTD_c_compressionLevel]: level };
    if (windowLog !== undefined) params[constants.ZSTD_c_windowLog] = windowLog;
    this.#zstd = createZstdCompress({ params });
    this.#zstd.on("data", (chunk: Buffer) => this.#output.push(chunk));
    // Errors reach the call under way through its own listener.
    this.#zstd.on("error", () => {});
  }

  /** The compressed bytes of `piece`, flushed; calls are served in order. */
  compress(piece: Uint8Array): Promise<Uint8Array> {
    const result = this.#last.then(() => this.#compress(piece));
    this.#last = result.catch(() => undefined);
    return result;
  }

  /** Frees the stream. */
  close(): void {
    this.#zstd.destroy();
  }

  #compress(piece: Uint8Array): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      const failed = (error: Error) => reject(error);
      this.#zstd.once("error", failed);
      this.#zstd.write(piece);
      this.#zstd.flush(zlib().constants.ZSTD_e_flush, () => {
        this.#zstd.off("error", failed);
        if (this.#zstd.destroyed) return reject(new Error("the zstd stream was closed"));
        resolve(joined(this.#output));
        this.#output = [];
      });
    });
  }
}

/**
 * One zstd stream, decompressed block by block (each block ending where the sender flushed).
 *
 * @example
 * ```ts
 * const zstd = new ZstdDecompressor(21);
 * const text = await zstd.decompress(block, 128 * 1024); // rejects past the bound, or on a corrupt block
 * zstd.close();
 * ```
 */
export class ZstdDecompressor {
  readonly #zstd: Zlib.ZstdDecompress;
  #output: Buffer[] = [];
  #outputBytes = 0;
  #limit = 0;
  #failure: ((error: Error) => void) | undefined;

  /**
   * `windowLogMax`: the largest history a stream may ask this side to keep, 2^windowLogMax bytes; a stream
   * that asks for more is rejected before anything is allocated for it (zstd's own limit is 128 MiB).
   */
  constructor(windowLogMax: number) {
    const { constants, createZstdDecompress } = zlib();
    this.#zstd = createZstdDecompress({ params: { [constants.ZSTD_d_windowLogMax]: windowLogMax } });
    this.#zstd.on("data", (chunk: Buffer) => {
      this.#outputBytes += chunk.length;
      if (this.#outputBytes <= this.#limit) {
        this.#output.push(chunk);
        return;
      }
      // Past the bound (a decompression bomb): stop at once rather than inflate the rest.
      this.#zstd.destroy();
      this.#failure?.(new Error(`expected at most ${this.#limit} bytes of text, found more`));
    });
    this.#zstd.on("error", (error: Error) => this.#failure?.(new Error(`zstd rejects it: ${error.message}`)));
  }

  /**
   * The text of `block`, which must not decode to more than `maxBytes`; one call at a time (the next only
   * once this one settled). The stream cannot be used after a rejection.
   */
  decompress(block: Uint8Array, maxBytes: number): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      if (this.#zstd.destroyed) return reject(new Error("the zstd stream was closed"));
      this.#limit = maxBytes;
      this.#failure = (error) => {
        this.#failure = undefined;
        reject(error);
      };
      this.#zstd.write(block, () => {
        if (this.#failure === undefined) return;
        this.#failure = undefined;
        if (this.#zstd.destroyed) return reject(new Error("the zstd stream was closed"));
        resolve(joined(this.#output));
        this.#output = [];
        this.#outputBytes = 0;
      });
    });
  }

  /** Frees the stream. */
  close(): void {
    this.#zstd.destroy();
  }
}

function joined(parts: Buffer[]): Uint8Array {
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}
