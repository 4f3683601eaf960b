/**
 * The options of Netdata 1.37's diskspace.plugin in `netdata.conf`: `[plugin:proc:diskspace]` and one
 * `[plugin:proc:diskspace:<mount point>]` section per mount point, with 1.37's defaults, plus the
 * `[db] enable zero metrics` switch that decides whether an all-zero mount gets charts under `auto`. It
 * reads and validates; clamping the intervals to the host's (as 1.37 does) is the source's, which knows it.
 *
 * 1.37 also honours the pre-1.9 place of the path exclusions, `[plugin:proc:/proc/diskstats] exclude space
 * metrics on paths`, when the new key is not set: then each word without `*` matches as a prefix.
 *
 * @module
 */

import { SimplePattern } from "../protocol/simple_pattern.ts";
import { DiagnosticSink, SectionReader, suggestKey } from "./_options.ts";
import type { ConfigDiagnostic, ConfigDocument } from "./reader.ts";
import { parseBoolean, parseBooleanOrAuto, parseIntegerOption, type ValueResult } from "./values.ts";

/** `yes`, `no` or `auto` (Netdata's "on demand"). */
export type OnDemand = boolean | "auto";

/**
 * What one `[plugin:proc:diskspace:<mount point>]` section sets; an unset key leaves the plugin's choice.
 *
 * @example
 * ```ts
 * const backups: MountPointSettings = { spaceUsage: true };
 * ```
 */
export interface MountPointSettings {
  /** `space usage`. */
  readonly spaceUsage?: OnDemand;
  /** `inodes usage`. */
  readonly inodesUsage?: OnDemand;
}

/**
 * The diskspace plugin's settings.
 *
 * @example
 * ```ts
 * const settings: DiskspaceSettings = readDiskspaceConf(parseConfig("", "netdata.conf"));
 * settings.checkForNewMountPointsEvery; // 15
 * ```
 */
export interface DiskspaceSettings {
  /** `remove charts of unmounted disks`, default yes: an unmounted disk's charts are obsoleted. */
  readonly removeChartsOfUnmountedDisks: boolean;
  /** `update every`, seconds; `undefined` (the default) is the host's. Never below the host's. */
  readonly updateEvery: number | undefined;
  /** `check for new mount points every`, seconds, default 15; never below `update every`. */
  readonly checkForNewMountPointsEvery: number;
  /** `exclude space metrics on paths`: mount points that get no charts unless their own section says so. */
  readonly excludedPaths: SimplePattern;
  /** `exclude space metrics on filesystems`: filesystem types that get no charts unless their section says so. */
  readonly excludedFilesystems: SimplePattern;
  /** `space usage for all disks`, default auto: a chart once the disk reports non-zero numbers. */
  readonly spaceUsageForAllDisks: OnDemand;
  /** `inodes usage for all disks`, default auto. */
  readonly inodesUsageForAllDisks: OnDemand;
  /** The per mount point sections, by mount point. */
  readonly mountPoints: ReadonlyMap<string, MountPointSettings>;
  /** `[db] enable zero metrics = yes` (or its old place in `[global]`): `auto` charts even all-zero disks. */
  readonly zeroMetrics: boolean;
  readonly diagnostics: readonly ConfigDiagnostic[];
}

/** 1.37's `DEFAULT_EXCLUDED_PATHS`. */
const EXCLUDED_PATHS = "/proc/* /sys/* /var/run/user/* /run/user/* /snap/* /var/lib/docker/*";
/** 1.37's `DEFAULT_EXCLUDED_FILESYSTEMS`. */
const EXCLUDED_FILESYSTEMS = "*gvfs *gluster* *s3fs *ipfs *davfs2 *httpfs *sshfs *gdfs *moosefs fusectl autofs";

const SECTION = "plugin:proc:diskspace";
const MOUNT_SECTION_PREFIX = `${SECTION}:`;
const LEGACY_SECTION = "plugin:proc:/proc/diskstats";
const PATHS_KEY = "exclude space metrics on paths";
const SECTION_KEYS = [
  "remove charts of unmounted disks",
  "update every",
  "check for new mount points every",
  PATHS_KEY,
  "exclude space metrics on filesystems",
  "space usage for all disks",
  "inodes usage for all disks",
];
const MOUNT_KEYS = ["space usage", "inodes usage"];

/**
 * The defaults of 1.37.
 *
 * @example
 * ```ts
 * DISKSPACE_DEFAULTS.excludedFilesystems.matches("fuse.gvfsd-fuse"); // false: the pattern is "*gvfs"
 * DISKSPACE_DEFAULTS.excludedPaths.matches("/proc/sys/fs/binfmt_misc"); // true
 * ```
 */
export const DISKSPACE_DEFAULTS: DiskspaceSettings = Object.freeze({
  removeChartsOfUnmountedDisks: true,
  updateEvery: undefined,
  checkForNewMountPointsEvery: 15,
  excludedPaths: SimplePattern.parse(EXCLUDED_PATHS),
  excludedFilesystems: SimplePattern.parse(EXCLUDED_FILESYSTEMS),
  spaceUsageForAllDisks: "auto",
  inodesUsageForAllDisks: "auto",
  mountPoints: new Map(),
  zeroMetrics: false,
  diagnostics: [],
});

/**
 * Reads the diskspace options of a parsed `netdata.conf` (`NetdataConf.document`). Never throws: a bad value
 * is an error diagnostic with its line and the default is kept; an unknown key is a warning.
 *
 * @example
 * ```ts
 * const doc = parseConfig("[plugin:proc:diskspace]\nupdate every = 10\n[plugin:proc:diskspace:/boot]\nspace usage = no\n", "netdata.conf");
 * const settings = readDiskspaceConf(doc);
 * settings.updateEvery; // 10
 * settings.mountPoints.get("/boot"); // { spaceUsage: false }
 * ```
 */
export function readDiskspaceConf(doc: ConfigDocument): DiskspaceSettings {
  const sink = new DiagnosticSink(doc.file);
  const r = new SectionReader(doc, SECTION, sink);
  const d = DISKSPACE_DEFAULTS;
  const pattern = (t: string): ValueResult<SimplePattern> => ({ ok: true, value: SimplePattern.parse(t) });

  const settings: DiskspaceSettings = {
    removeChartsOfUnmountedDisks: r.value("remove charts of unmounted disks", parseBoolean, true),
    updateEvery: r.value<number | undefined>("update every", (t) => parseIntegerOption(t, { min: 1 }), undefined),
    checkForNewMountPointsEvery: r.value(
      "check for new mount points every",
      (t) => parseIntegerOption(t, { min: 0 }),
      d.checkForNewMountPointsEvery,
    ),
    excludedPaths: r.entry(PATHS_KEY) === undefined
      ? legacyExcludedPaths(doc, sink)
      : r.value(PATHS_KEY, pattern, d.excludedPaths),
    excludedFilesystems: r.value("exclude space metrics on filesystems", pattern, d.excludedFilesystems),
    spaceUsageForAllDisks: r.value("space usage for all disks", parseBooleanOrAuto, d.spaceUsageForAllDisks),
    inodesUsageForAllDisks: r.value("inodes usage for all disks", parseBooleanOrAuto, d.inodesUsageForAllDisks),
    mountPoints: readMountPoints(doc, sink),
    zeroMetrics: readZeroMetrics(doc, sink),
    diagnostics: [],
  };
  r.warnUnread((key) => suggestKey(key, SECTION_KEYS));
  return { ...settings, diagnostics: sink.sorted() };
}

/** The old place of the path exclusions, read as 1.37 reads it (prefix matching), or the default. */
function legacyExcludedPaths(doc: ConfigDocument, sink: DiagnosticSink): SimplePattern {
  const old = doc.entry(LEGACY_SECTION, PATHS_KEY);
  if (old === undefined) return DISKSPACE_DEFAULTS.excludedPaths;
  sink.warning(
    old.line,
    `[${LEGACY_SECTION}] ${PATHS_KEY} is the old place of [${SECTION}] ${PATHS_KEY}; Netdata 1.37 moves it there ` +
      "and matches each of its words without '*' as a prefix",
  );
  const words = old.value.split(/[ \t\r\n\f\v]+/).filter((w) => w.length > 0);
  return SimplePattern.parse(words.map((w) => w.includes("*") ? w : `${w}*`).join(" "));
}

/** Every `[plugin:proc:diskspace:<mount point>]` section. */
function readMountPoints(doc: ConfigDocument, sink: DiagnosticSink): Map<string, MountPointSettings> {
  const mountPoints = new Map<string, MountPointSettings>();
  for (const name of doc.sections.keys()) {
    if (!name.startsWith(MOUNT_SECTION_PREFIX)) continue;
    const r = new SectionReader(doc, name, sink);
    const spaceUsage = r.optional("space usage", parseBooleanOrAuto);
    const inodesUsage = r.optional("inodes usage", parseBooleanOrAuto);
    r.warnUnread((key) => suggestKey(key, MOUNT_KEYS));
    mountPoints.set(name.slice(MOUNT_SECTION_PREFIX.length), {
      ...(spaceUsage === undefined ? {} : { spaceUsage }),
      ...(inodesUsage === undefined ? {} : { inodesUsage }),
    });
  }
  return mountPoints;
}

/** `[db] enable zero metrics` (or `[global]`'s, its old place): only `yes` charts all-zero disks. */
function readZeroMetrics(doc: ConfigDocument, sink: DiagnosticSink): boolean {
  const section = doc.entry("db", "enable zero metrics") !== undefined ? "db" : "global";
  return new SectionReader(doc, section, sink).value("enable zero metrics", parseBooleanOrAuto, false) === true;
}
