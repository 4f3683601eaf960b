/**
 * Configs and readings for proxy chains of compiled binaries: a `stream.conf` that accepts the test key and
 * streams onward, the `/api/v1/info` host list, and raw `/api/v1/data` windows to compare between nodes.
 */
import { TEST_API_KEY } from "../interop/_netdata.ts";
import { until } from "../_until.ts";
import type { RunningParent } from "./_parent.ts";

/** `[stream]` sending to `127.0.0.1:<port>` with the test key, retrying after 1 s. */
export function sendingTo(port: number): string {
  return `[stream]
    enabled = yes
    destination = tcp:127.0.0.1:${port}
    api key = ${TEST_API_KEY}
    reconnect delay seconds = 1
`;
}

/** The test key's section: children accepted from anywhere, kept in `mode` (`none` for a headless proxy). */
export function accepting(mode: string): string {
  return `[${TEST_API_KEY}]
    type = api
    enabled = yes
    allow from = *
    default memory mode = ${mode}
    health enabled by default = no
`;
}

/** One entry of `/api/v1/info`'s `mirrored_hosts_status`. */
export interface MirroredHost {
  hostname: string;
  guid: string;
  reachable: boolean;
  hops: number;
}

/** The hosts a node lists in `/api/v1/info`. */
export async function mirroredHosts(node: { json(path: string): Promise<unknown> }): Promise<MirroredHost[]> {
  const info = await node.json("/api/v1/info") as { mirrored_hosts_status: MirroredHost[] };
  return info.mirrored_hosts_status;
}

/**
 * Waits until `node` lists `hostname` as no longer reachable (its child left somewhere below), and returns
 * everything `node` lists then.
 */
export async function afterLeaving(
  node: { json(path: string): Promise<unknown> },
  hostname: string,
): Promise<MirroredHost[]> {
  return await until(`${hostname} listed as unreachable`, async () => {
    const hosts = await mirroredHosts(node);
    return hosts.some((h) => h.hostname === hostname && !h.reachable) ? hosts : undefined;
  }, 60_000);
}

/** `hostname → hops` of the reachable hosts, for comparing with what a topology should give. */
export async function reachableHops(node: RunningParent): Promise<Record<string, number>> {
  const hops: Record<string, number> = {};
  for (const h of await mirroredHosts(node)) if (h.reachable) hops[h.hostname] = h.hops;
  return hops;
}

/** An `/api/v1/data` reply. */
export interface DataReply {
  labels: string[];
  data: (number | null)[][];
}

/** One stored point per row (no grouping) of `chart` of `host`, in the absolute window `[after, before]`. */
export async function rawWindow(
  node: { json(path: string): Promise<unknown> },
  host: string,
  chart: string,
  after: number,
  before: number,
): Promise<DataReply> {
  const path = `/host/${encodeURIComponent(host)}/api/v1/data?chart=${chart}&after=${after}&before=${before}` +
    `&points=${before - after + 1}&group=average&format=json`;
  return await node.json(path) as DataReply;
}

/**
 * The slots of `chart` of `host` in `[after, before]` where some dimension has no value, or that the reply
 * does not list at all (as empty as a row of nulls), in seconds after `from`, oldest first.
 */
export async function emptySlots(
  node: { json(path: string): Promise<unknown> },
  host: string,
  chart: string,
  after: number,
  before: number,
  from: number,
): Promise<number[]> {
  const reply = await rawWindow(node, host, chart, after, before);
  const times = new Set(reply.data.map((row) => row[0] as number));
  const empty = reply.data.filter((row) => row.slice(1).some((v) => v === null)).map((row) => row[0] as number);
  for (let t = after; t <= before; t++) if (!times.has(t)) empty.push(t);
  return [...new Set(empty)].sort((a, b) => a - b).map((t) => t - from);
}

/** Slot times (newest first) of the rows where every dimension has a value. */
export function fullRows(reply: DataReply): number[] {
  return reply.data.filter((row) => row.slice(1).every((v) => v !== null)).map((row) => row[0] as number);
}
