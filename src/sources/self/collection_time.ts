/**
 * `netdata.workers_busy_time_by_type_proc`: the ms each local module spent collecting in the last
 * interval, as Netdata 1.37 charts the busy time of its proc.plugin modules (the collection loop times each
 * `collect()` into a {@link CollectionTimings}).
 *
 * Dimensions are named as 1.37 names its modules' jobs (`/proc/stat` is `stat`), one for each module rill
 * runs, in the loop's order; sources that 1.37 runs inside one module share its dimension (snmp6 is part of
 * `netstat`). 1.37 runs /proc/net/dev in a thread of its own with a chart of its own; rill collects it in
 * the same loop, so it is the `netdev` dimension here.
 *
 * @module
 */

import type { Host } from "../../metrics/host.ts";
import type { CollectionTimings } from "../collection_timings.ts";
import { dim } from "../_chart.ts";
import { type ChartGroup, netdataChart } from "./_chart.ts";

/** 1.37's job name for each proc.plugin module, and for the modules rill names differently. */
const JOB_OF_MODULE: Readonly<Record<string, string>> = {
  "/proc/stat": "stat",
  "/proc/uptime": "uptime",
  "/proc/loadavg": "loadavg",
  "/proc/sys/kernel/random/entropy_avail": "entropy",
  "/proc/pressure": "pressure",
  "/proc/interrupts": "interrupts",
  "/proc/softirqs": "softirqs",
  "/proc/vmstat": "vmstat",
  "/proc/meminfo": "meminfo",
  "/sys/kernel/mm/ksm": "ksm",
  "/sys/block/zram": "zram",
  "/sys/devices/system/edac/mc": "ecc",
  "/sys/devices/system/node": "numa",
  "/proc/pagetypeinfo": "pagetypeinfo",
  "/proc/net/wireless": "netwireless",
  "/proc/net/sockstat": "sockstat",
  "/proc/net/sockstat6": "sockstat6",
  "/proc/net/netstat": "netstat",
  "/proc/net/sctp/snmp": "sctp",
  "/proc/net/softnet_stat": "softnet",
  "/proc/net/ip_vs/stats": "ipvs",
  "/sys/class/infiniband": "infiniband",
  "/proc/net/stat/conntrack": "conntrack",
  "/proc/net/stat/nf_conntrack": "conntrack",
  "/proc/net/stat/synproxy": "synproxy",
  "/proc/diskstats": "diskstats",
  "/proc/mdstat": "mdstat",
  "/proc/net/rpc/nfsd": "nfsd",
  "/proc/net/rpc/nfs": "nfs",
  "/proc/spl/kstat/zfs/arcstats": "zfs_arcstats",
  "/proc/spl/kstat/zfs/pool/state": "zfs_pool_state",
  "/sys/fs/btrfs": "btrfs",
  "ipc": "ipc",
  "/sys/class/power_supply": "power_supply",
  "/proc/net/dev": "netdev",
};

/**
 * The job name of a module: 1.37's, else the last part of its path.
 *
 * @example
 * ```ts
 * jobOfModule("/proc/sys/kernel/random/entropy_avail"); // "entropy"
 * jobOfModule("/proc/net/rpc/xprt"); // "xprt"
 * ```
 */
export function jobOfModule(module: string): string {
  return JOB_OF_MODULE[module] ?? module.slice(module.lastIndexOf("/") + 1);
}

/**
 * The busy-time chart of the collection loop's modules.
 *
 * @example
 * ```ts
 * const group = collectionTimeChart(host, 1, timings);
 * group.collect(Date.now() * 1000);
 * ```
 */
export function collectionTimeChart(host: Host, updateEvery: number, timings: CollectionTimings): ChartGroup {
  const jobs: string[] = [];
  const jobOfSlot = Int32Array.from(timings.names, (name) => {
    const job = jobOfModule(name);
    if (!jobs.includes(job)) jobs.push(job);
    return jobs.indexOf(job);
  });
  const chart = netdataChart(host, updateEvery, {
    id: "netdata.workers_busy_time_by_type_proc",
    title: "Netdata Workers Busy Time by Type",
    units: "ms",
    family: "workers plugin proc",
    context: "netdata.workers.proc.time_by_type",
    chartType: "stacked",
    priority: 1000003,
  }, jobs.map((job) => dim(job, "absolute", 1, 1000)));
  const lastUs = new Float64Array(timings.busyUs.length);
  const busyUs = new Float64Array(jobs.length);

  return {
    collect(nowUs) {
      busyUs.fill(0);
      for (let slot = 0; slot < lastUs.length; slot++) {
        busyUs[jobOfSlot[slot]] += timings.busyUs[slot] - lastUs[slot];
        lastUs[slot] = timings.busyUs[slot];
      }
      for (let i = 0; i < busyUs.length; i++) chart.dimensions[i].set(Math.round(busyUs[i]));
      host.collected(chart, nowUs);
    },
  };
}
