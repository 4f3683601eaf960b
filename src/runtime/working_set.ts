/**
 * Gives the pages of the executable's code that the process no longer uses back to the kernel: every so often,
 * `madvise(MADV_DONTNEED)` on each read-only mapping of the executable file. A compiled Bun binary touches about
 * 29 MiB of its 104 MiB file while starting (module loading, parsing, the first collection and handshake); a
 * collector then runs only a part of that code each second. Dropped pages that are needed again come back with
 * a minor fault from the page cache; the rest stay out of VmRSS.
 *
 * Why it is sound: a private file mapping that was never written holds only clean copies of the file, so
 * dropping them loses nothing (the next access reads the file again, and a running executable cannot be
 * written to: ETXTBSY). A mapping that was written (relocations: `PT_GNU_RELRO` is read-only now but was
 * written at load) has anonymous pages, and dropping those would revert them to the file's bytes: such a
 * mapping is skipped, by `/proc/self/smaps`'s `Anonymous:` line. Writable mappings are never touched.
 *
 * Measured (compiled collector, warm page cache, 132 charts, means over 90 s from 30 s after start): file-backed
 * RSS 28.8 MiB untrimmed; trimmed every 60 s 16.9, every 30 s 16.2, every 10 s 15.3 MiB (the code a minute of
 * collecting runs is ~15 MiB). This is the working set the kernel would keep under memory pressure anyway; the
 * trim makes VmRSS show it.
 *
 * @module
 */

import { readFileSync, realpathSync } from "node:fs";
import process from "node:process";
import type { Libc } from "./libc.ts";

/** `madvise` advice: the range's pages may be dropped now (`MADV_DONTNEED` of `<sys/mman.h>`). */
const MADV_DONTNEED = 4;

/** One mapping of the executable that may be trimmed: its address range. */
export interface CleanMapping {
  readonly start: bigint;
  readonly end: bigint;
}

/**
 * The read-only mappings of `path` in an smaps text that hold no anonymous (written) pages.
 *
 * @example
 * ```ts
 * const smaps = "00200000-01a38000 r--p 00000000 fd:01 42 /usr/bin/x\nAnonymous:             0 kB\n";
 * cleanMappingsOf(smaps, "/usr/bin/x"); // [{ start: 0x200000n, end: 0x1a38000n }]
 * ```
 */
export function cleanMappingsOf(smaps: string, path: string): CleanMapping[] {
  const clean: CleanMapping[] = [];
  let current: CleanMapping | undefined;
  for (const line of smaps.split("\n")) {
    const header = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) \S+ \S+ \S+ +(.*)$/.exec(line);
    if (header !== null) {
      if (current !== undefined) clean.push(current);
      const readOnly = !header[3].includes("w");
      current = readOnly && header[4] === path
        ? { start: BigInt(`0x${header[1]}`), end: BigInt(`0x${header[2]}`) }
        : undefined;
    } else if (current !== undefined && line.startsWith("Anonymous:") && !/^Anonymous:\s+0 kB/.test(line)) {
      current = undefined;
    }
  }
  if (current !== undefined) clean.push(current);
  return clean;
}

/**
 * Trims the executable's clean mappings every `everyMs`, the first time `firstAfterMs` after `start()`.
 *
 * @example
 * ```ts
 * const opened = await loadLibc();
 * if (opened.libc !== undefined) new WorkingSetTrim(opened.libc, 10_000, 10_000).start();
 * ```
 */
export class WorkingSetTrim {
  readonly everyMs: number;
  readonly firstAfterMs: number;
  readonly #libc: Pick<Libc, "madvise">;
  readonly #executable: string;
  readonly #smapsPath: string;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    libc: Pick<Libc, "madvise">,
    everyMs: number,
    firstAfterMs: number,
    executable = realpathSync(process.execPath),
    smapsPath = "/proc/self/smaps",
  ) {
    this.#libc = libc;
    this.everyMs = everyMs;
    this.firstAfterMs = firstAfterMs;
    this.#executable = executable;
    this.#smapsPath = smapsPath;
  }

  /** Drops the clean mappings' pages now; returns how many mappings were trimmed. */
  trim(): number {
    let trimmed = 0;
    for (const m of cleanMappingsOf(readFileSync(this.#smapsPath, "utf8"), this.#executable)) {
      if (this.#libc.madvise(m.start, m.end - m.start, MADV_DONTNEED) === 0) trimmed++;
    }
    return trimmed;
  }

  start(): void {
    const next = (ms: number) => {
      this.#timer = setTimeout(() => {
        this.trim();
        next(this.everyMs);
      }, ms);
      // The trim never keeps the process alive on its own.
      (this.#timer as { unref?: () => void }).unref?.();
    };
    next(this.firstAfterMs);
  }

  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
