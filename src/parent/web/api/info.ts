/**
 * `/api/v1/info`: the agent and host facts in the shape of Netdata 1.37's reply (see
 * `fixtures/api/parent-api-v1-info.json`). Under `/host/<child>/` the host facts are the child's, the
 * agent facts (version, mirrored hosts, database) the parent's.
 *
 * @module
 */

import type { SystemInfoName } from "../../../protocol/handshake.ts";
import type { ApiContext, ApiRequest } from "./context.ts";
import { viewableCharts } from "./context.ts";

// The info keys of the handshake's system-info parameters, in the order 1.37 prints them.
const SYSTEM_INFO_KEYS: readonly (readonly [string, SystemInfoName])[] = [
  ["os_name", "NETDATA_SYSTEM_OS_NAME"],
  ["os_id", "NETDATA_SYSTEM_OS_ID"],
  ["os_id_like", "NETDATA_SYSTEM_OS_ID_LIKE"],
  ["os_version", "NETDATA_SYSTEM_OS_VERSION"],
  ["os_version_id", "NETDATA_SYSTEM_OS_VERSION_ID"],
  ["os_detection", "NETDATA_SYSTEM_OS_DETECTION"],
  ["cores_total", "NETDATA_SYSTEM_CPU_LOGICAL_CPU_COUNT"],
  ["total_disk_space", "NETDATA_SYSTEM_TOTAL_DISK_SIZE"],
  ["cpu_freq", "NETDATA_SYSTEM_CPU_FREQ"],
  ["ram_total", "NETDATA_SYSTEM_TOTAL_RAM"],
  ["container_os_name", "NETDATA_CONTAINER_OS_NAME"],
  ["container_os_id", "NETDATA_CONTAINER_OS_ID"],
  ["container_os_id_like", "NETDATA_CONTAINER_OS_ID_LIKE"],
  ["container_os_version", "NETDATA_CONTAINER_OS_VERSION"],
  ["container_os_version_id", "NETDATA_CONTAINER_OS_VERSION_ID"],
  ["container_os_detection", "NETDATA_CONTAINER_OS_DETECTION"],
  ["is_k8s_node", "NETDATA_HOST_IS_K8S_NODE"],
  ["kernel_name", "NETDATA_SYSTEM_KERNEL_NAME"],
  ["kernel_version", "NETDATA_SYSTEM_KERNEL_VERSION"],
  ["architecture", "NETDATA_SYSTEM_ARCHITECTURE"],
  ["virtualization", "NETDATA_SYSTEM_VIRTUALIZATION"],
  ["virt_detection", "NETDATA_SYSTEM_VIRT_DETECTION"],
  ["container", "NETDATA_SYSTEM_CONTAINER"],
  ["container_detection", "NETDATA_SYSTEM_CONTAINER_DETECTION"],
  ["cloud_provider_type", "NETDATA_INSTANCE_CLOUD_TYPE"],
  ["cloud_instance_type", "NETDATA_INSTANCE_CLOUD_INSTANCE_TYPE"],
  ["cloud_instance_region", "NETDATA_INSTANCE_CLOUD_INSTANCE_REGION"],
];

/**
 * The `/api/v1/info` object of the requested host. Hosts and charts are walked pausing when the request's
 * budget says so (a parent may hold thousands of both).
 *
 * @example
 * ```ts
 * const info = await infoReply(ctx, { entry: catalogue.localhost, params: new URLSearchParams(), remoteIp: "localhost", budget });
 * info.mirrored_hosts; // ["nd-parent", "nd-child"]
 * ```
 */
export async function infoReply(ctx: ApiContext, req: ApiRequest): Promise<Record<string, unknown>> {
  const { host } = req.entry;
  const mirroredHosts: string[] = [];
  const mirroredHostsStatus: Record<string, unknown>[] = [];
  for (const e of ctx.catalogue.all()) {
    if (req.budget.due()) await req.budget.pause();
    mirroredHosts.push(e.host.identity.hostname);
    mirroredHostsStatus.push({
      guid: e.host.identity.machineGuid,
      hostname: e.host.identity.hostname,
      reachable: e.status.reachable,
      hops: e.status.hops,
      claim_id: null,
      node_id: null,
    });
  }
  const info: Record<string, unknown> = {
    version: ctx.catalogue.localhost.host.identity.programVersion,
    uid: host.identity.machineGuid,
    mirrored_hosts: mirroredHosts,
    mirrored_hosts_status: mirroredHostsStatus,
    alarms: { normal: 0, warning: 0, critical: 0 },
  };
  for (const [key, name] of SYSTEM_INFO_KEYS) info[key] = host.identity.systemInfo[name] ?? "unknown";
  info.host_labels = Object.fromEntries([...host.labels].map(([name, label]) => [name, label.value]));
  info.functions = {};
  const collectors = new Map<string, { plugin: string; module: string }>();
  for (const chart of viewableCharts(req.entry)) {
    if (req.budget.due()) await req.budget.pause();
    const key = `${chart.plugin}\n${chart.module}`;
    if (!collectors.has(key)) collectors.set(key, { plugin: chart.plugin, module: chart.module });
  }
  info.collectors = [...collectors.values()];
  const { db, web } = ctx.conf;
  Object.assign(info, {
    "cloud-enabled": false,
    "cloud-available": false,
    "agent-claimed": false,
    "aclk-available": false,
    "memory-mode": db.mode,
    "https-enabled": web.sslCertificate.length > 0 && web.sslKey.length > 0,
    "release-channel": "stable",
    "web-enabled": web.mode !== "none",
  });
  return info;
}
