/**
 * The disk and network sources of proc.plugin, as one list for the collector to run.
 *
 * @module
 */

import type { Source, SourceContext } from "../source.ts";
import { diskstatsSource } from "./diskstats.ts";
import { netDevSource } from "./net_dev.ts";
import { netstatSource } from "./netstat.ts";
import { sockstatSource } from "./sockstat.ts";

/**
 * Every disk and network source: /proc/diskstats, /proc/net/dev, /proc/net/netstat (with /proc/net/snmp)
 * and /proc/net/sockstat.
 *
 * @example
 * ```ts
 * const sources = diskNetworkSources({ host, root: "/", updateEvery: 1, log });
 * for (const source of sources) source.collect(Date.now() * 1000);
 * ```
 */
export function diskNetworkSources(ctx: SourceContext): Source[] {
  return [diskstatsSource(ctx), netDevSource(ctx), netstatSource(ctx), sockstatSource(ctx)];
}
