/**
 * Reading small kernel files (/proc, /sys) once per interval without reopening them: the descriptor stays
 * open and each read starts at offset 0, which the kernel answers with fresh contents. One scratch buffer
 * is shared by all files and only grows.
 *
 * @module
 */

import { closeSync, openSync, readSync } from "node:fs";

let scratch = new Uint8Array(64 * 1024);
const latin1 = new TextDecoder("latin1");

/**
 * One kernel file, kept open between reads.
 *
 * @example
 * ```ts
 * const loadavg = new ProcFile("/proc/loadavg");
 * const text = loadavg.read(); // "0.52 0.58 0.59 1/467 12345\n", or undefined when the file is gone
 * ```
 */
export class ProcFile {
  readonly path: string;
  #fd: number | undefined;
  /** Why the last read failed (`ENOENT: …`), or `undefined` after a good read. */
  lastError: string | undefined;

  constructor(path: string) {
    this.path = path;
  }

  /**
   * A small file read once (at discovery: a sector size, a device's `major:minor`), then closed;
   * `undefined` when it cannot be read.
   *
   * @example
   * ```ts
   * ProcFile.readOnce("/sys/block/zram0/dev"); // "252:0\n"
   * ```
   */
  static readOnce(path: string): string | undefined {
    const file = new ProcFile(path);
    const text = file.read();
    file.close();
    return text;
  }

  /** The whole file as text, or `undefined` when it cannot be opened or read (see {@link lastError}). */
  read(): string | undefined {
    try {
      this.#fd ??= openSync(this.path, "r");
      let length = 0;
      for (;;) {
        const n = readSync(this.#fd, scratch, length, scratch.length - length, length);
        if (n === 0) break;
        length += n;
        if (length === scratch.length) {
          const bigger = new Uint8Array(scratch.length * 2);
          bigger.set(scratch);
          scratch = bigger;
        }
      }
      this.lastError = undefined;
      return latin1.decode(scratch.subarray(0, length));
    } catch (e) {
      this.lastError = e instanceof Error ? e.message : String(e);
      this.close();
      return undefined;
    }
  }

  /** Closes the descriptor; the next {@link read} opens the file again. */
  close(): void {
    if (this.#fd === undefined) return;
    try {
      closeSync(this.#fd);
    } catch {
      // Already gone with its device; nothing to release.
    }
    this.#fd = undefined;
  }
}
