/**
 * `/proc/self/mountinfo` read as Netdata 1.37 reads it for its disk space charts (`mountinfo_read`): one
 * entry per mount point (a mount point listed again, mounted over, keeps its first line), octal escapes of
 * mount points decoded, and the flags 1.37 decides by: read-only (in the mount or the superblock options),
 * "dummy" filesystems (proc, sysfs, devpts, …, and `none`), and the mount points systemd's
 * ProtectHome/ProtectSystem remount read-only.
 *
 * @module
 */

import { LineScanner } from "./proc/_lines.ts";

/**
 * One mount, as 1.37's diskspace plugin sees it.
 *
 * @example
 * ```ts
 * const [root] = parseMountinfo("26 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n");
 * root.chartId; // "_"
 * root.filesystem; // "ext4"
 * ```
 */
export interface Mount {
  /** The mount point, octal escapes (`\040`) decoded. */
  readonly mountPoint: string;
  /** The mount point made a chart id as 1.37 makes one (`/dev/shm` → `_dev_shm`). */
  readonly chartId: string;
  /** The mounted directory of the filesystem (`/` unless a bind mount of a sub-directory), as written. */
  readonly root: string;
  /** The filesystem type; empty when the line has no `-` separator. */
  readonly filesystem: string;
  readonly readOnly: boolean;
  /** One of the mount points systemd's hardening options make read-only. */
  readonly systemdProtected: boolean;
  /** A pseudo filesystem without disk space (1.37's `ME_DUMMY`). */
  readonly dummy: boolean;
}

// https://github.com/systemd/systemd/blob/1eb3ef78b4df28a9e9f464714208f2682f957e36/src/core/namespace.c#L142-L194
const SYSTEMD_PROTECTED = new Set([
  "/home",
  "/root",
  "/usr",
  "/boot",
  "/efi",
  "/etc",
  "/run/user",
  "/lib",
  "/lib64",
  "/bin",
  "/sbin",
]);

// gnulib's ME_DUMMY list, as 1.37 has it.
const DUMMY_FILESYSTEMS = new Set([
  "autofs",
  "proc",
  "subfs",
  "debugfs",
  "devpts",
  "fusectl",
  "mqueue",
  "rpc_pipefs",
  "sysfs",
  "devfs",
  "kernfs",
  "ignore",
  "none",
]);

// Positions in a mountinfo line: id, parent, major:minor, root, mount point, options, optional…, "-", type.
const W_DEVICE = 2, W_ROOT = 3, W_MOUNT_POINT = 4, W_OPTIONS = 5, W_OPTIONAL = 6, MIN_WORDS = 5;

/**
 * The mounts of a mountinfo text, in file order.
 *
 * @example
 * ```ts
 * parseMountinfo("22 26 0:21 / /sys rw - sysfs sysfs rw\n")[0].dummy; // true
 * ```
 */
export function parseMountinfo(text: string): Mount[] {
  const scanner = new LineScanner();
  scanner.reset(text);
  const seen = new Set<string>();
  const mounts: Mount[] = [];
  while (scanner.next()) {
    if (scanner.count < MIN_WORDS) continue;
    const raw = scanner.word(W_MOUNT_POINT);
    if (seen.has(raw)) continue;
    seen.add(raw);
    if (!scanner.word(W_DEVICE).includes(":")) continue;
    const mountPoint = decodeOctal(raw);
    let w = W_OPTIONAL;
    while (w < scanner.count && !scanner.is(w, "-")) w++;
    const hasType = w < scanner.count;
    const filesystem = hasType ? scanner.word(w + 1) : "";
    mounts.push({
      mountPoint,
      chartId: netdataChartId(mountPoint),
      root: scanner.word(W_ROOT),
      filesystem,
      readOnly: isReadOnly(scanner.word(W_OPTIONS)) || (hasType && isReadOnly(scanner.word(w + 3))),
      systemdProtected: SYSTEMD_PROTECTED.has(mountPoint),
      dummy: hasType && DUMMY_FILESYSTEMS.has(filesystem),
    });
  }
  return mounts;
}

/**
 * A text made a chart id as Netdata 1.37 makes one: letters lowercased, digits and `-` kept, `,` and `.`
 * become `.`, anything else `_`.
 *
 * @example
 * ```ts
 * netdataChartId("/mnt/My Disk"); // "_mnt_my_disk"
 * ```
 */
export function netdataChartId(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9.,-]/g, "_").replaceAll(",", ".");
}

/** Whether a comma-separated option list holds `ro`. */
function isReadOnly(options: string): boolean {
  return options === "ro" || options.startsWith("ro,") || options.endsWith(",ro") || options.includes(",ro,");
}

/** `\NNN` octal escapes decoded; a backslash not followed by three digits becomes `_`, as in 1.37. */
function decodeOctal(text: string): string {
  if (!text.includes("\\")) return text;
  return text.replace(
    /\\([0-9]{3})?/g,
    (_, digits: string | undefined) => digits === undefined ? "_" : String.fromCharCode(octal(digits)),
  );
}

/** Three digits read as 1.37 reads them (each shifted by 3 bits, kept to a byte). */
function octal(digits: string): number {
  return ((digits.charCodeAt(0) - 48) << 6 | (digits.charCodeAt(1) - 48) << 3 | (digits.charCodeAt(2) - 48)) & 255;
}
