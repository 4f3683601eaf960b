/**
 * Four more proc.plugin sources, as one list for the collector to run: /proc/net/snmp6 (module
 * `/proc/net/netstat`, as in 1.37), /proc/net/softnet_stat, /proc/net/stat/nf_conntrack and System V IPC.
 *
 * @module
 */

import type { Source, SourceContext } from "../source.ts";
import { ipcSource } from "./ipc.ts";
import { nfConntrackSource } from "./nf_conntrack.ts";
import { snmp6Source } from "./snmp6.ts";
import { softnetStatSource } from "./softnet_stat.ts";

/**
 * The IPv6, softnet, conntrack and IPC sources, in the order 1.37's proc.plugin runs its modules.
 *
 * @example
 * ```ts
 * const sources = extraSources({ host, root: "/", updateEvery: 1, log });
 * for (const source of sources) source.collect(Date.now() * 1000);
 * ```
 */
export function extraSources(ctx: SourceContext): Source[] {
  return [snmp6Source(ctx), softnetStatSource(ctx), nfConntrackSource(ctx), ipcSource(ctx)];
}
