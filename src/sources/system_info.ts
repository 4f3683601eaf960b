/**
 * What a child tells its parent about the machine: the system-info fields of the handshake and the host
 * labels (`_os_name`, `_kernel_version`, …) that a 1.37 child sends, read from /etc/os-release, /proc and
 * /sys. Unknown facts are `unknown`, as Netdata writes them.
 *
 * @module
 */

import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import * as os from "node:os";
import process from "node:process";
import { LABEL_SOURCE } from "../protocol/commands.ts";
import type { SystemInfo } from "../protocol/handshake.ts";
import { loadTimeZone, ZONEINFO_DIR } from "../runtime/log.ts";
import { rootPath } from "./source.ts";

const UNKNOWN = "unknown";

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Parses `KEY=value` / `KEY="value"` lines of an os-release file. */
function osRelease(text: string | undefined): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of (text ?? "").split("\n")) {
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    fields.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim().replace(/^(["'])(.*)\1$/, "$2"));
  }
  return fields;
}

// Node reports architectures by its own names; Netdata shows the kernel's (`uname -m`).
const KERNEL_ARCH: Readonly<Record<string, string>> = { x64: "x86_64", arm64: "aarch64", arm: "armv7l", ia32: "i686" };

function totalDiskBytes(root: string): number | undefined {
  try {
    let total = 0;
    for (const dev of readdirSync(rootPath(root, "/sys/block"))) {
      if (/^(loop|ram|zram|dm-|md)/.test(dev)) continue;
      const sectors = Number(readText(rootPath(root, `/sys/block/${dev}/size`))?.trim());
      if (Number.isFinite(sectors)) total += sectors * 512;
    }
    return total > 0 ? total : undefined;
  } catch {
    return undefined;
  }
}

function cpuFrequencyHz(root: string): string {
  const khz = Number(readText(rootPath(root, "/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq"))?.trim());
  if (Number.isFinite(khz) && khz > 0) return String(khz * 1000);
  const mhz = /cpu MHz\s*:\s*([0-9.]+)/.exec(readText(rootPath(root, "/proc/cpuinfo")) ?? "")?.[1];
  return mhz === undefined
    ? UNKNOWN
    : (Number(mhz) * 1e6).toExponential(3).replace(/\.?0+e/, "e").replace(/e\+(\d)$/, "e+0$1");
}

function container(root: string): { name: string; detection: string } {
  if (readText(rootPath(root, "/.dockerenv")) !== undefined) return { name: "docker", detection: "dockerenv" };
  const cgroup = readText(rootPath(root, "/proc/1/cgroup")) ?? "";
  for (const name of ["docker", "lxc", "kubepods", "containerd"]) {
    if (cgroup.includes(name)) return { name: name === "kubepods" ? "kubernetes" : name, detection: "/proc/1/cgroup" };
  }
  return { name: "none", detection: "none" };
}

/**
 * The machine facts, read once at start.
 *
 * @example
 * ```ts
 * const facts = machineFacts("/");
 * facts.systemInfo.NETDATA_SYSTEM_KERNEL_NAME; // "Linux"
 * ```
 */
export interface MachineFacts {
  readonly systemInfo: SystemInfo;
  /** Host labels with their sources, in the order a 1.37 child sends them. */
  readonly labels: ReadonlyMap<string, { readonly value: string; readonly source: number }>;
  readonly timezone: string;
  readonly abbrevTimezone: string;
  readonly utcOffset: number;
}

/**
 * Reads the machine's facts under `root` (`/` on a real machine).
 *
 * @example
 * ```ts
 * const { systemInfo, labels } = machineFacts("/", "tcp:parent:19999");
 * labels.get("_is_parent")?.value; // "false"
 * ```
 */
export function machineFacts(root: string, streamsTo = "", isParent = false): MachineFacts {
  const release = osRelease(
    readText(rootPath(root, "/etc/os-release")) ?? readText(rootPath(root, "/usr/lib/os-release")),
  );
  const c = container(root);
  const inContainer = c.name !== "none";
  // In a container /etc/os-release describes the container's image; the host's OS is then unknown.
  const hostOs = (key: string) => inContainer ? UNKNOWN : release.get(key) ?? UNKNOWN;
  const containerOs = (key: string) => inContainer ? release.get(key) ?? UNKNOWN : "none";
  const cores = String(os.cpus().length || UNKNOWN);
  const ram = String(os.totalmem());
  const disk = totalDiskBytes(root);
  const systemInfo: SystemInfo = {
    NETDATA_INSTANCE_CLOUD_TYPE: UNKNOWN,
    NETDATA_INSTANCE_CLOUD_INSTANCE_TYPE: UNKNOWN,
    NETDATA_INSTANCE_CLOUD_INSTANCE_REGION: UNKNOWN,
    NETDATA_SYSTEM_OS_NAME: hostOs("NAME"),
    NETDATA_SYSTEM_OS_ID: hostOs("ID"),
    NETDATA_SYSTEM_OS_ID_LIKE: hostOs("ID_LIKE"),
    NETDATA_SYSTEM_OS_VERSION: hostOs("VERSION"),
    NETDATA_SYSTEM_OS_VERSION_ID: hostOs("VERSION_ID"),
    NETDATA_SYSTEM_OS_DETECTION: inContainer ? UNKNOWN : "/etc/os-release",
    NETDATA_HOST_IS_K8S_NODE: c.name === "kubernetes" ? "true" : "false",
    NETDATA_SYSTEM_KERNEL_NAME: os.type(),
    NETDATA_SYSTEM_KERNEL_VERSION: os.release(),
    NETDATA_SYSTEM_ARCHITECTURE: KERNEL_ARCH[os.arch()] ?? os.arch(),
    NETDATA_SYSTEM_VIRTUALIZATION: UNKNOWN,
    NETDATA_SYSTEM_VIRT_DETECTION: "none",
    NETDATA_SYSTEM_CONTAINER: c.name,
    NETDATA_SYSTEM_CONTAINER_DETECTION: c.detection,
    NETDATA_CONTAINER_OS_NAME: containerOs("NAME"),
    NETDATA_CONTAINER_OS_ID: containerOs("ID"),
    NETDATA_CONTAINER_OS_ID_LIKE: containerOs("ID_LIKE"),
    NETDATA_CONTAINER_OS_VERSION: containerOs("VERSION"),
    NETDATA_CONTAINER_OS_VERSION_ID: containerOs("VERSION_ID"),
    NETDATA_CONTAINER_OS_DETECTION: inContainer ? "/etc/os-release" : "none",
    NETDATA_SYSTEM_CPU_LOGICAL_CPU_COUNT: cores,
    NETDATA_SYSTEM_CPU_FREQ: cpuFrequencyHz(root),
    NETDATA_SYSTEM_TOTAL_RAM: ram,
    NETDATA_SYSTEM_TOTAL_DISK_SIZE: disk === undefined ? UNKNOWN : String(disk),
  };
  const auto = LABEL_SOURCE.AUTO;
  const labels = new Map<string, { value: string; source: number }>();
  const label = (name: string, value: string | undefined, source: number = auto) =>
    labels.set(name, { value: value ?? UNKNOWN, source });
  label("_cloud_provider_type", UNKNOWN);
  label("_cloud_instance_type", UNKNOWN);
  label("_cloud_instance_region", UNKNOWN);
  label("_os_name", systemInfo.NETDATA_SYSTEM_OS_NAME);
  label("_os_version", systemInfo.NETDATA_SYSTEM_OS_VERSION);
  label("_kernel_version", systemInfo.NETDATA_SYSTEM_KERNEL_VERSION);
  label("_system_cores", cores);
  label("_system_cpu_freq", systemInfo.NETDATA_SYSTEM_CPU_FREQ);
  label("_system_ram_total", ram);
  label("_system_disk_space", systemInfo.NETDATA_SYSTEM_TOTAL_DISK_SIZE);
  label("_architecture", systemInfo.NETDATA_SYSTEM_ARCHITECTURE);
  label("_virtualization", systemInfo.NETDATA_SYSTEM_VIRTUALIZATION);
  label("_container", c.name);
  label("_container_detection", c.detection);
  label("_virt_detection", systemInfo.NETDATA_SYSTEM_VIRT_DETECTION);
  label("_is_k8s_node", systemInfo.NETDATA_HOST_IS_K8S_NODE);
  label("_aclk_available", "false", auto | LABEL_SOURCE.ACLK);
  label("_is_ephemeral", "false", LABEL_SOURCE.CONFIG);
  label("_has_unstable_connection", "false", LABEL_SOURCE.CONFIG);
  label("_is_parent", String(isParent));
  if (streamsTo !== "") label("_streams_to", streamsTo);

  return { systemInfo, labels, ...timeZoneFacts(root, process.env.TZ, Date.now()) };
}

/**
 * The time zone facts of the handshake, found as Netdata 1.37 finds them, without `Intl` (which pages
 * ICU's time-zone code and data, ≈ 6 MB of a compiled binary's memory, into the process): the name from
 * `TZ` (unless it starts with `:`), else the first line of `/etc/timezone`, else what the `/etc/localtime`
 * link points to after `zoneinfo/`; the abbreviation and the offset (seconds east of UTC) at `nowMs` from
 * the zone `localtime()` uses (`TZ`, else the TZif file `/etc/localtime`: its transitions and footer rule).
 * Files are read under `root`. Without any of them: `Etc/UTC`, `UTC`, 0.
 *
 * @example
 * ```ts
 * timeZoneFacts("/", "Europe/Berlin", Date.UTC(2024, 6, 1)); // { timezone: "Europe/Berlin", abbrevTimezone: "CEST", utcOffset: 7200 }
 * ```
 */
export function timeZoneFacts(
  root: string,
  tz: string | undefined,
  nowMs: number,
): { timezone: string; abbrevTimezone: string; utcOffset: number } {
  let name = tz !== undefined && tz !== "" && !tz.startsWith(":") ? tz : undefined;
  name ??= readText(rootPath(root, "/etc/timezone"))?.split("\n")[0].trim() || undefined;
  if (name === undefined) {
    try {
      const target = readlinkSync(rootPath(root, "/etc/localtime"));
      const at = target.indexOf("zoneinfo/");
      if (at >= 0 && at + 9 < target.length) name = target.slice(at + 9);
    } catch {
      // Not a link (a copied file) or missing: the name stays unknown.
    }
  }
  const zone = loadTimeZone(tz, (path) => {
    try {
      return readFileSync(rootPath(root, path));
    } catch (e) {
      // A zone named by TZ that the root lacks: the running system's own files.
      if (path.startsWith(`${ZONEINFO_DIR}/`)) return readFileSync(path);
      throw e;
    }
  });
  const { abbreviation, offset } = zone.at(Math.floor(nowMs / 1000));
  return {
    timezone: name === undefined || name === "UTC" ? "Etc/UTC" : name,
    abbrevTimezone: abbreviation || "UTC",
    utcOffset: offset,
  };
}
