/**
 * A parent with two hosts for the web tests: `nd-parent` (localhost) and `nd-child`, each with a real
 * `Host` and a real ram-mode `HostStore` filled with known points.
 */
import { parseNetdataConf } from "../../../src/config/netdata_conf.ts";
import type { Host } from "../../../src/metrics/host.ts";
import { LABEL_SOURCE } from "../../../src/protocol/commands.ts";
import { Logger } from "../../../src/runtime/log.ts";
import { HostCatalogue, type ParentHost } from "../../../src/parent/storage/catalogue.ts";
import { HostStore } from "../../../src/parent/storage/host_store.ts";
import { CPU_CHART, LOAD_CHART, testHost } from "../../_hosts.ts";

/** Slot time of the newest stored point; the tests' clock is one second later. */
export const LAST_S = 1795423105;
/** Points stored per chart: LAST_S - 19 … LAST_S. */
export const STORED = 20;
export const NOW_MS = (LAST_S + 1) * 1000;

export const silent = new Logger("rill-test", "WEB", () => {});

/** A real 1.37.1 host on Debian with two CPUs. */
export function ndHost(hostname: string, machineGuid: string): Host {
  return testHost({
    hostname,
    machineGuid,
    systemInfo: { NETDATA_SYSTEM_OS_NAME: "Debian GNU/Linux", NETDATA_SYSTEM_CPU_LOGICAL_CPU_COUNT: "2" },
    programName: "netdata",
    programVersion: "v1.37.1",
  });
}

/** system.cpu value of `dim` at slot time `t` (user = i/10, system = 1, idle = 99 - user). */
export function cpuValue(dim: "user" | "system" | "idle", t: number): number {
  const user = (t - (LAST_S - STORED + 1)) / 10;
  return dim === "user" ? user : dim === "system" ? 1 : 99 - user;
}

export function entry(host: Host, local: boolean, hops: number): ParentHost {
  const store = new HostStore(host, { mode: "ram", history: 100, log: silent });
  host.observe(store);
  const cpu = host.chart(CPU_CHART);
  for (const id of ["user", "system"]) cpu.dimension({ id, algorithm: "absolute", multiplier: 1, divisor: 1 });
  cpu.dimension({ id: "idle", algorithm: "absolute", multiplier: 1, divisor: 1, hidden: true });
  cpu.label("_collect_plugin", "proc.plugin", LABEL_SOURCE.AUTO);
  const load = host.chart(LOAD_CHART);
  load.dimension({ id: "load1", algorithm: "absolute", multiplier: 1, divisor: 100 });
  const net = host.chart({
    id: "net.eth0",
    name: "net.eth0",
    title: "Bandwidth",
    units: "kilobits/s",
    family: "eth0",
    context: "net.net",
    chartType: "area",
    priority: 7000,
    updateEvery: 1,
    plugin: "proc.plugin",
    module: "/proc/net/dev",
  });
  net.dimension({ id: "received", algorithm: "incremental", multiplier: 8, divisor: 1000 });
  net.dimension({ id: "sent", algorithm: "incremental", multiplier: -8, divisor: 1000 });
  host.labels.set("_is_parent", { value: String(local), source: LABEL_SOURCE.AUTO });
  host.labels.set("room", { value: 'lab "A"', source: LABEL_SOURCE.CONFIG });
  for (let t = LAST_S - STORED + 1; t <= LAST_S; t++) {
    const cpuStore = store.series("system.cpu")!;
    cpuStore.append(t, new Float64Array([cpuValue("user", t), cpuValue("system", t), cpuValue("idle", t)]), false);
    // load1 has a gap at LAST_S - 5.
    store.series("system.load")!.append(t, new Float64Array([t === LAST_S - 5 ? NaN : 0.25]), false);
    store.series("net.eth0")!.append(t, new Float64Array([100, -50]), false);
  }
  return {
    host,
    series: store,
    local,
    status: { reachable: true, hops, sinceS: LAST_S - 100, peer: local ? "" : "127.0.0.1:40000", capabilities: 0 },
  };
}

/** The machine GUID of {@link makeCatalogue}'s nd-child. */
export const ND_CHILD_GUID = "82be38ca-e718-11f1-8984-02fc00000001";

/** A fresh catalogue: nd-parent (localhost) and nd-child, 20 stored points per chart. */
export function makeCatalogue(): HostCatalogue {
  const catalogue = new HostCatalogue(
    entry(ndHost("nd-parent", "16323fac-e719-11f1-a295-02fc00000001"), true, 0),
  );
  catalogue.add(entry(ndHost("nd-child", ND_CHILD_GUID), false, 1));
  return catalogue;
}

/** A `netdata.conf` of a ram-mode parent. */
export const conf = parseNetdataConf("[db]\nmode = ram\n");
