/**
 * Local collectors: the /proc and /sys sources a headless collector runs, and the machine facts.
 *
 * @example
 * ```ts
 * import { CollectionLoop, localSources } from "./mod.ts";
 * new CollectionLoop(localSources(context), 1, log).start();
 * ```
 *
 * @module
 */

import { cpuMemorySources } from "./proc/cpu_mem.ts";
import { diskNetworkSources } from "./proc/disk_net.ts";
import { extraSources } from "./proc/extra_net_ipc.ts";
import { loadavgSource } from "./proc/loadavg.ts";
import type { Source, SourceContext } from "./source.ts";

export { CollectionLoop } from "./loop.ts";
export { PluginsRunner, pluginsRunnerOptions } from "./plugins_d/mod.ts";
export { type MachineFacts, machineFacts } from "./system_info.ts";
export { rootPath, type Source, type SourceContext } from "./source.ts";

/**
 * Every local source, in the order Netdata's proc.plugin runs its modules.
 *
 * @example
 * ```ts
 * const sources = localSources({ host, root: "/", updateEvery: 1, log });
 * ```
 */
export function localSources(ctx: SourceContext): Source[] {
  return [...cpuMemorySources(ctx), loadavgSource(ctx), ...diskNetworkSources(ctx), ...extraSources(ctx)];
}
