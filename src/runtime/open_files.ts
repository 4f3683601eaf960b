/**
 * This process's limit on open file descriptors, which sizes what a server may keep open (1.37's web server
 * allows a quarter of it by default).
 *
 * @module
 */

import { readFileSync } from "node:fs";

/**
 * The soft `RLIMIT_NOFILE` of this process, from `/proc/self/limits` (Linux; `read` maps a path to its text
 * for tests); undefined when the file cannot be read or says `unlimited`.
 *
 * @example
 * ```ts
 * const maxSockets = Math.floor((openFilesSoftLimit() ?? 1024) / 4);
 * ```
 */
export function openFilesSoftLimit(
  read: (path: string) => string = (p) => readFileSync(p, "latin1"),
): number | undefined {
  let text: string;
  try {
    text = read("/proc/self/limits");
  } catch {
    return undefined;
  }
  const soft = /^Max open files\s+(\d+)\s/m.exec(text)?.[1];
  return soft === undefined ? undefined : Number(soft);
}
