/**
 * The few C library calls JavaScript cannot make otherwise, through the runtime's foreign function
 * interface: `adjtimex(2)` (the kernel's clock synchronization state, which Netdata 1.37's timex.plugin charts)
 * and `madvise(2)`. Bun opens libraries with `bun:ffi`'s `dlopen`, Deno with `Deno.dlopen` (which needs
 * `--allow-ffi`). `bun:ffi` is imported dynamically by a name held in a variable, so Deno never resolves it
 * and Bun's bundler leaves it to the runtime, where a compiled binary finds it built in.
 *
 * The library is opened once, on the first {@link loadLibc}. In a compiled Bun binary that costs about 4.4 MB of
 * VmRSS (20.2 -> 25.4 MB, against +0.8 MB for the same binary idling as long), nearly all of it file-backed: the
 * executable's code that compiles the call stubs (TinyCC) is paged in; so callers open it only when a feature
 * needs it.
 * Anywhere it cannot be opened (another runtime, another system, no permission) the answer says why instead of
 * throwing.
 *
 * @module
 */

import process from "node:process";

/** `adjtimex` returns this clock state when the clock is not synchronized (`TIME_ERROR` of `<sys/timex.h>`). */
export const TIME_ERROR = 5;
/** `struct timex` status bit: the clock is not synchronized (`STA_UNSYNC`). */
export const STA_UNSYNC = 0x0040;
/** `struct timex` status bit: the clock hardware reports a fault (`STA_CLOCKERR`). */
export const STA_CLOCKERR = 0x1000;
/** `struct timex` status bit: `offset` is in nanoseconds rather than microseconds (`STA_NANO`). */
export const STA_NANO = 0x2000;

/**
 * One reading of the kernel clock's discipline, from `adjtimex` with no changes requested.
 *
 * @example
 * ```ts
 * const reading: ClockAdjustment = { state: 0, status: 0x2001, offsetNs: -12_345 };
 * ```
 */
export interface ClockAdjustment {
  /** The call's result: `TIME_OK` (0) … `TIME_ERROR` (5), the clock state. */
  readonly state: number;
  /** `timex.status`: the `STA_*` bits. */
  readonly status: number;
  /** `timex.offset` in nanoseconds, whichever unit the kernel used (`STA_NANO`). */
  readonly offsetNs: number;
}

/**
 * The opened C library.
 *
 * @example
 * ```ts
 * const opened = await loadLibc();
 * if (opened.libc !== undefined) opened.libc.adjtimex()?.state; // 0 when synchronized
 * ```
 */
export interface Libc {
  /** The library file name that was opened (`libc.so.6`). */
  readonly path: string;
  /** Reads the clock's discipline without changing it; `undefined` when the call fails (it returned -1). */
  adjtimex(): ClockAdjustment | undefined;
  /**
   * `madvise(address, length, advice)`: 0 on success, -1 on failure (`errno` is not read: another call of the
   * runtime may have changed it before JavaScript could).
   */
  madvise(address: bigint, length: bigint, advice: number): number;
}

/**
 * What {@link loadLibc} found: the library, or why there is none.
 *
 * @example
 * ```ts
 * const opened: LibcLoad = await loadLibc();
 * if (opened.libc === undefined) log.info(`clock sync charts are unavailable: ${opened.reason}`);
 * ```
 */
export type LibcLoad = { readonly libc: Libc } | { readonly libc: undefined; readonly reason: string };

// struct timex is 208 bytes with the same layout on every LP64 Linux (x86_64, aarch64): `modes` (u32) at 0,
// `offset` (long) at 8, `status` (int) at 40.
const TIMEX_SIZE = 208;
const TIMEX_OFFSET = 8;
const TIMEX_STATUS = 40;
const LIBRARY_NAMES = [
  "libc.so.6", // glibc
  "libc.so", // musl (OpenWrt, Alpine); on glibc a linker script, tried only when libc.so.6 failed
];

// The two calls as each runtime's dlopen declares them. `madvise`'s address is passed as a 64-bit integer: on
// LP64 a pointer and an unsigned long travel in the same register.
const BUN_SYMBOLS = {
  adjtimex: { args: ["ptr"], returns: "i32" },
  madvise: { args: ["u64", "u64", "i32"], returns: "i32" },
} as const;
const DENO_SYMBOLS = {
  adjtimex: { parameters: ["buffer"], result: "i32" },
  madvise: { parameters: ["usize", "usize", "i32"], result: "i32" },
} as const;

interface OpenedLibrary {
  readonly symbols: {
    adjtimex(buffer: Uint8Array): number;
    madvise(address: bigint, length: bigint, advice: number): number;
  };
}

interface BunFfi {
  dlopen(path: string, symbols: typeof BUN_SYMBOLS): OpenedLibrary;
}

interface DenoFfi {
  dlopen(path: string, symbols: typeof DENO_SYMBOLS): OpenedLibrary;
}

// Through `unknown`: Deno's own typing of dlopen is generic over the symbols; these narrow interfaces are all
// this file needs, and they type-check the same whichever runtime's declarations are loaded.
const runtime = globalThis as unknown as { Bun?: unknown; Deno?: DenoFfi };
// Held in a variable so that Deno's type checker and module graph never try to resolve it.
const BUN_FFI = "bun:ffi";

let loading: Promise<LibcLoad> | undefined;

/**
 * Opens the C library (once; later calls share the first answer).
 *
 * @example
 * ```ts
 * const opened = await loadLibc();
 * const reading = opened.libc?.adjtimex(); // { state: 0, status: 0x2001, offsetNs: -12345 }
 * ```
 */
export function loadLibc(): Promise<LibcLoad> {
  return loading ??= open();
}

async function open(): Promise<LibcLoad> {
  if (process.platform !== "linux") {
    return { libc: undefined, reason: `adjtimex and struct timex are Linux's, this is ${process.platform}` };
  }
  let dlopen: (path: string) => OpenedLibrary;
  if (runtime.Bun !== undefined) {
    try {
      const ffi = await import(BUN_FFI) as BunFfi;
      dlopen = (path) => ffi.dlopen(path, BUN_SYMBOLS);
    } catch (e) {
      return { libc: undefined, reason: `bun:ffi cannot be loaded: ${messageOf(e)}` };
    }
  } else if (typeof runtime.Deno?.dlopen === "function") {
    const deno = runtime.Deno;
    dlopen = (path) => deno.dlopen(path, DENO_SYMBOLS);
  } else {
    return { libc: undefined, reason: "this runtime has no foreign function interface rill knows (Bun or Deno)" };
  }
  const failures: string[] = [];
  for (const path of LIBRARY_NAMES) {
    try {
      return { libc: bindings(path, dlopen(path)) };
    } catch (e) {
      const message = messageOf(e);
      // Deno refuses every library alike without the permission: say so once, plainly.
      if (/--allow-ffi/.test(message)) return { libc: undefined, reason: "Deno runs without --allow-ffi" };
      failures.push(`${path}: ${message}`);
    }
  }
  return { libc: undefined, reason: `the C library cannot be opened (${failures.join("; ")})` };
}

function bindings(path: string, library: OpenedLibrary): Libc {
  const symbols = library.symbols;
  // One buffer for every call: zeroed before each, so `modes` is 0 and the kernel changes nothing.
  const timex = new Uint8Array(TIMEX_SIZE);
  const view = new DataView(timex.buffer);
  return {
    path,
    adjtimex() {
      timex.fill(0);
      const state = symbols.adjtimex(timex);
      if (state === -1) return undefined;
      const status = view.getInt32(TIMEX_STATUS, true);
      const offset = Number(view.getBigInt64(TIMEX_OFFSET, true));
      return { state, status, offsetNs: status & STA_NANO ? offset : offset * 1000 };
    },
    madvise(address, length, advice) {
      return symbols.madvise(address, length, advice);
    },
  };
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
