/**
 * Netdata 1.37's `diskspace.plugin`: `disk_space.<mount>` and `disk_inodes.<mount>` for every mounted
 * filesystem, from `/proc/self/mountinfo` (re-read every `check for new mount points every` seconds) and
 * `statfs(2)` of each mount point, with 1.37's choices: dummy filesystems, mounts systemd made read-only,
 * excluded paths and filesystem types, mount points that are not directories, and (under `auto`) read-only
 * mounts and all-zero filesystems get no charts; an unmounted disk's charts are obsoleted.
 *
 * `statfs` of a hung network mount never returns, so it must not run on the event loop: each mount point
 * has at most one asynchronous `statfs` (libuv's thread pool) in flight; a mount whose previous call has
 * not answered is skipped (and logged once as slow), and values are set when the answer comes, for the
 * iteration that asked. This replaces 1.37's second thread for slow mount points.
 *
 * Mount points are `statfs`'d at the path mountinfo gives, not under the collector's root: the root only
 * says where `/proc` is (as 1.37's host prefix does for this plugin).
 *
 * @module
 */

import { stat, statfs } from "node:fs/promises";
import type { DiskspaceSettings, MountPointSettings, OnDemand } from "../config/diskspace_conf.ts";
import type { Chart } from "../metrics/chart.ts";
import { LABEL_SOURCE } from "../protocol/commands.ts";
import { ProcFile } from "../runtime/proc_file.ts";
import { type Mount, parseMountinfo } from "./mountinfo.ts";
import { collectorChart, dim } from "./_chart.ts";
import { rootPath, type Source, type SourceContext } from "./source.ts";

const PLUGIN = "diskspace.plugin";
const COLLECTOR = { plugin: PLUGIN, module: "" };
const GIB = 1024 * 1024 * 1024;
/** `f_ffree` of a filesystem that does not count inodes (cephfs): (fsfilcnt_t)-1, which a double rounds up. */
const NO_INODE_COUNT = 2 ** 64;

/**
 * The numbers of `statfs(2)` the charts need; node's `StatFs` has them.
 *
 * @example
 * ```ts
 * const s: StatFsNumbers = { bsize: 4096, frsize: 4096, blocks: 100, bfree: 60, bavail: 50, files: 10, ffree: 7 };
 * ```
 */
export interface StatFsNumbers {
  readonly bsize: number;
  /** The fragment size: 1.37 counts blocks in it, or in `bsize` when it is 0. */
  readonly frsize?: number;
  readonly blocks: number;
  readonly bfree: number;
  readonly bavail: number;
  readonly files: number;
  /** Free inodes; on Linux `statvfs`'s `f_favail` is the same number. */
  readonly ffree: number;
}

/**
 * Asks the kernel about the filesystem mounted at `path`; rejects when it cannot.
 *
 * @example
 * ```ts
 * const fake: StatFs = () => Promise.resolve({ bsize: 4096, blocks: 100, bfree: 60, bavail: 50, files: 10, ffree: 7 });
 * ```
 */
export type StatFs = (path: string) => Promise<StatFsNumbers>;

/**
 * The real `statfs`: node:fs's asynchronous one, which runs on the thread pool (Deno and Bun alike).
 *
 * @example
 * ```ts
 * const root = await nodeStatfs("/");
 * root.blocks > 0; // true
 * ```
 */
export const nodeStatfs: StatFs = (path) => statfs(path);

/** What is known about one mount point, kept (with its decisions) after it is unmounted, as in 1.37. */
interface MountState {
  readonly mount: Mount;
  /** From the per mount point section, which wins over the plugin's choice. */
  readonly own: MountPointSettings;
  space: OnDemand;
  inodes: OnDemand;
  /** False until the mount point has been found to be a directory (or not). */
  checked: boolean;
  /** Listed in mountinfo since the last cleanup. */
  listed: boolean;
  /** Iterations that rendered a chart since the charts were (re)made. */
  collected: number;
  /** A `statfs` (or the directory check) is in flight. */
  pending: boolean;
  slowLogged: boolean;
  errorShown: boolean;
  /** Moves when the charts are obsoleted, so that an answer asked for before is dropped. */
  epoch: number;
  spaceChart: Chart | undefined;
  inodesChart: Chart | undefined;
}

/**
 * The diskspace source. `settings` come from `readDiskspaceConf`; `statfs` is replaced in tests.
 *
 * @example
 * ```ts
 * import { DISKSPACE_DEFAULTS } from "../config/diskspace_conf.ts";
 * const source = diskspaceSource({ host, root: "/", updateEvery: 1, log }, DISKSPACE_DEFAULTS);
 * source.collect(Date.now() * 1000); // disk_space._, disk_inodes._, … once statfs answers
 * ```
 */
export function diskspaceSource(
  ctx: SourceContext,
  settings: DiskspaceSettings,
  statfs: StatFs = nodeStatfs,
): Source {
  const updateEvery = Math.max(settings.updateEvery ?? ctx.updateEvery, ctx.updateEvery);
  const checkEvery = Math.max(settings.checkForNewMountPointsEvery, updateEvery);
  const files = [
    new ProcFile(rootPath(ctx.root, "/proc/self/mountinfo")),
    new ProcFile(rootPath(ctx.root, "/proc/1/mountinfo")),
  ];
  const states = new Map<string, MountState>();
  /** The states of the mounts of the last mountinfo read, in its order. */
  let listed: MountState[] = [];
  let loadedAtS = -Infinity;
  let closed = false;

  const describe = (m: Mount) =>
    `mount point '${m.mountPoint}' (disk '${m.chartId}', filesystem '${m.filesystem}', root '${m.root}')`;

  const stateOf = (mount: Mount): MountState => {
    let state = states.get(mount.mountPoint);
    if (state !== undefined) return state;
    const excluded = settings.excludedPaths.matches(mount.mountPoint) ||
      settings.excludedFilesystems.matches(mount.filesystem);
    const own = settings.mountPoints.get(mount.mountPoint) ?? {};
    const space = excluded ? false : settings.spaceUsageForAllDisks;
    const inodes = excluded ? false : settings.inodesUsageForAllDisks;
    state = {
      mount,
      own,
      space: own.spaceUsage ?? space,
      inodes: own.inodesUsage ?? inodes,
      // 1.37 checks for a directory only when the plugin's choice is not "no".
      checked: space === false && inodes === false,
      listed: false,
      collected: 0,
      pending: false,
      slowLogged: false,
      errorShown: false,
      epoch: 0,
      spaceChart: undefined,
      inodesChart: undefined,
    };
    states.set(mount.mountPoint, state);
    return state;
  };

  const reload = (): void => {
    let text: string | undefined;
    for (const file of files) {
      text = file.read();
      if (text !== undefined) break;
    }
    if (text === undefined) throw new Error(`${files[0].path}: ${files[0].lastError}`);
    listed = [];
    for (const mount of parseMountinfo(text)) {
      if (mount.dummy) continue;
      // The read-only mounts systemd's ProtectHome/ProtectSystem make of these directories themselves.
      if (mount.readOnly && mount.systemdProtected && mount.root === mount.mountPoint) continue;
      listed.push(stateOf(mount));
    }
  };

  /** The directory check of a new mount point: not a directory (or no answer) means no charts by default. */
  const checkDirectory = async (s: MountState): Promise<void> => {
    let isDirectory = false;
    try {
      isDirectory = (await stat(s.mount.mountPoint)).isDirectory();
      if (!isDirectory) ctx.log.error(`DISKSPACE: ${describe(s.mount)} is not a directory.`);
    } catch {
      ctx.log.error(`DISKSPACE: Cannot stat() ${describe(s.mount)}.`);
    }
    if (!isDirectory) {
      s.space = s.own.spaceUsage ?? false;
      s.inodes = s.own.inodesUsage ?? false;
    }
    s.checked = true;
  };

  const render = (s: MountState, v: StatFsNumbers, nowUs: number): void => {
    const bsize = v.frsize || v.bsize;
    const bavail = v.bavail, bfree = v.bfree, reserved = bfree - bavail;
    const used = v.blocks >= bfree ? v.blocks - bfree : bfree - v.blocks;
    const favail = v.ffree, inodesUsed = v.files - v.ffree;
    if (s.inodes === "auto" && favail === NO_INODE_COUNT) s.inodes = false;

    let rendered = false;
    if (s.space === true || (s.space === "auto" && (bavail || reserved || used || settings.zeroMetrics))) {
      s.space = true;
      s.spaceChart ??= chart(s, "disk_space", "Disk Space Usage", "GiB", 2023, bsize, GIB);
      setAll(s.spaceChart, bavail, used, reserved);
      ctx.host.collected(s.spaceChart, nowUs);
      rendered = true;
    }
    // Linux has no inodes reserved for root: f_favail is f_ffree.
    if (s.inodes === true || (s.inodes === "auto" && (favail || inodesUsed || settings.zeroMetrics))) {
      s.inodes = true;
      s.inodesChart ??= chart(s, "disk_inodes", "Disk Files (inodes) Usage", "inodes", 2024, 1, 1);
      setAll(s.inodesChart, favail, inodesUsed, 0);
      ctx.host.collected(s.inodesChart, nowUs);
      rendered = true;
    }
    if (rendered) s.collected++;
  };

  const chart = (
    s: MountState,
    type: string,
    title: string,
    units: string,
    priority: number,
    multiplier: number,
    divisor: number,
  ): Chart => {
    const m = s.mount;
    const c = collectorChart(ctx.host, COLLECTOR, updateEvery, {
      id: `${type}.${m.chartId}`,
      title,
      units,
      family: m.mountPoint,
      context: type === "disk_space" ? "disk.space" : "disk.inodes",
      chartType: "stacked",
      priority,
    }, [
      dim("avail", "absolute", multiplier, divisor),
      dim("used", "absolute", multiplier, divisor),
      dim("reserved_for_root", "absolute", multiplier, divisor, { name: "reserved for root" }),
    ]);
    c.label("mount_point", m.mountPoint, LABEL_SOURCE.AUTO);
    c.label("filesystem", m.filesystem, LABEL_SOURCE.AUTO);
    c.label("mount_root", m.root, LABEL_SOURCE.AUTO);
    return c;
  };

  /** One asynchronous look at a mount point; its answer is rendered for `nowUs`. */
  const probe = async (s: MountState, nowUs: number): Promise<void> => {
    const epoch = s.epoch;
    s.pending = true;
    try {
      if (!s.checked) await checkDirectory(s);
      if (s.space === false && s.inodes === false) return;
      let values: StatFsNumbers;
      try {
        values = await statfs(s.mount.mountPoint);
      } catch (e) {
        if (!s.errorShown) {
          const reason = e instanceof Error ? e.message : String(e);
          ctx.log.error(`DISKSPACE: failed to statvfs() ${describe(s.mount)}: ${reason}`);
        }
        s.errorShown = true;
        return;
      }
      s.errorShown = false;
      if (closed || epoch !== s.epoch) return;
      render(s, values, nowUs);
    } finally {
      s.pending = false;
      if (s.slowLogged) {
        s.slowLogged = false;
        ctx.log.info(`DISKSPACE: ${describe(s.mount)} answers again`);
      }
    }
  };

  const obsolete = (s: MountState): void => {
    s.epoch++;
    s.collected = 0;
    s.errorShown = false;
    if (s.spaceChart !== undefined) ctx.host.obsolete(s.spaceChart);
    if (s.inodesChart !== undefined) ctx.host.obsolete(s.inodesChart);
    s.spaceChart = s.inodesChart = undefined;
  };

  return {
    name: PLUGIN,
    updateEvery,
    collect(nowUs) {
      const nowS = Math.floor(nowUs / 1e6);
      if (nowS - loadedAtS >= checkEvery) {
        reload();
        loadedAtS = nowS;
      }
      for (const s of listed) {
        s.listed = true;
        if (s.checked && s.space === false && s.inodes === false) continue;
        const m = s.mount;
        // Under "auto", a read-only mount never charted is left alone (1.37), systemd's own excepted.
        if (m.readOnly && !m.systemdProtected && s.collected === 0 && s.space !== true && s.inodes !== true) continue;
        if (s.pending) {
          if (!s.slowLogged) ctx.log.error(`DISKSPACE: ${describe(m)} is slow: its last statfs has not answered`);
          s.slowLogged = true;
          continue;
        }
        void probe(s, nowUs);
      }
      for (const s of states.values()) {
        if (s.listed) s.listed = false;
        else if (settings.removeChartsOfUnmountedDisks && s.collected > 0) obsolete(s);
      }
    },
    close() {
      closed = true;
      for (const file of files) file.close();
    },
  };
}

/** Sets the three dimensions (avail, used, reserved for root) of a disk chart. */
function setAll(chart: Chart, avail: number, used: number, reserved: number): void {
  chart.dimensions[0].set(avail);
  chart.dimensions[1].set(used);
  chart.dimensions[2].set(reserved);
}
