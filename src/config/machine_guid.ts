/**
 * The node's identity: the machine GUID kept in `<lib>/registry/netdata.public.unique.id`, generated on the
 * first start and never changed afterwards.
 *
 * @module
 */

import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { canonicalGuid, isGuid } from "../protocol/guid.ts";

/**
 * Where the GUID lives, relative to the lib directory (as in Netdata).
 *
 * @example
 * ```ts
 * join("/var/lib/netdata", MACHINE_GUID_FILE); // "/var/lib/netdata/registry/netdata.public.unique.id"
 * ```
 */
export const MACHINE_GUID_FILE = join("registry", "netdata.public.unique.id");

/**
 * Result of {@link loadOrCreateMachineGuid}.
 *
 * @example
 * ```ts
 * const id: MachineGuid = loadOrCreateMachineGuid("/var/lib/netdata");
 * ```
 */
export interface MachineGuid {
  readonly guid: string;
  /** True when this call generated the GUID (first start). */
  readonly created: boolean;
}

/**
 * Returns the machine GUID stored under `libDir`, creating the file (and its folders) with a fresh random
 * GUID when there is none. A file that exists but cannot be read, or does not hold a GUID, is an error:
 * replacing it would silently turn this node into a new host on every parent.
 *
 * @example
 * ```ts
 * const { guid, created } = loadOrCreateMachineGuid("/var/lib/netdata");
 * if (created) console.log(`new node identity ${guid}`);
 * ```
 */
export function loadOrCreateMachineGuid(libDir: string): MachineGuid {
  const path = join(libDir, MACHINE_GUID_FILE);
  let text: string | undefined;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    if (!isNotFound(e)) {
      throw new Error(`cannot read the machine GUID file ${path}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (text !== undefined) {
    // Netdata writes the bare 36 characters; tolerate a newline an editor may have added.
    const guid = text.trim();
    if (!isGuid(guid)) {
      const shown = guid.length > 60 ? `${guid.slice(0, 60)}…` : guid;
      throw new Error(
        `the machine GUID file ${path} does not hold a GUID: expected 8-4-4-4-12 hex digits, found '${shown}'; fix or delete the file (deleting makes this node a new host)`,
      );
    }
    return { guid: canonicalGuid(guid), created: false };
  }

  // Web Crypto's, not node:crypto's: importing node:crypto costs a compiled collector 1.7 MB of anonymous memory.
  const guid = globalThis.crypto.randomUUID();
  mkdirSync(join(libDir, "registry"), { recursive: true });
  // Write beside and rename, so a crash never leaves a half-written identity behind.
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, guid, { mode: 0o644 });
  renameSync(temp, path);
  return { guid, created: true };
}

function isNotFound(e: unknown): boolean {
  return typeof e === "object" && e !== null && "code" in e && (e as { code: unknown }).code === "ENOENT";
}
