/**
 * Locates test fixtures: the full captures in `../shared/fixtures/` when that folder sits beside the
 * clone (CI has it), else the trimmed copies kept in `tests/fixtures/`.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

/** Folder of the trimmed fixture copies committed with the tests. */
export const LOCAL_FIXTURES: string = join(here, "fixtures");

/** Folder of the full shared fixtures, or `undefined` when the clone has no `../shared` beside it. */
export const SHARED_FIXTURES: string | undefined = (() => {
  const dir = resolve(here, "..", "..", "shared", "fixtures");
  return existsSync(dir) ? dir : undefined;
})();

/** Path of fixture `name`: the shared full copy when present, else the local trimmed one. */
export function fixturePath(name: string): string {
  if (SHARED_FIXTURES !== undefined && existsSync(join(SHARED_FIXTURES, name))) return join(SHARED_FIXTURES, name);
  const local = join(LOCAL_FIXTURES, name);
  if (!existsSync(local)) throw new Error(`fixture '${name}' is neither in ../shared/fixtures nor in tests/fixtures`);
  return local;
}

/** Bytes of fixture `name` (see {@link fixturePath}). */
export function fixtureBytes(name: string): Uint8Array {
  return readFileSync(fixturePath(name));
}

/** Text of fixture `name` (see {@link fixturePath}). */
export function fixtureText(name: string): string {
  return readFileSync(fixturePath(name), "utf8");
}
