/**
 * Which local collectors run, from netdata.conf, and their start and stop: proc.plugin's modules, the
 * diskspace, timex and idlejitter plugins, the collector's own charts, and the external plugins. Both binaries
 * collect their own host this way.
 *
 * @module
 */

import { readDiskspaceConf } from "../config/diskspace_conf.ts";
import { readInternalPlugins } from "../config/internal_plugins_conf.ts";
import type { NetdataConf } from "../config/netdata_conf.ts";
import { formatDiagnostic } from "../config/reader.ts";
import type { ConfigDiagnostic } from "../config/reader.ts";
import type { Host } from "../metrics/host.ts";
import type { Logger } from "../runtime/log.ts";
import { CollectionTimings } from "../sources/collection_timings.ts";
import { diskspaceSource } from "../sources/diskspace.ts";
import { idleJitterSource } from "../sources/idlejitter.ts";
import { CollectionLoop } from "../sources/loop.ts";
import { localSources, PluginsRunner, pluginsRunnerOptions } from "../sources/mod.ts";
import { selfMonitoringSource, type SenderCounters } from "../sources/self/mod.ts";
import type { Source, SourceContext } from "../sources/source.ts";
import { openTimexSource } from "../sources/timex.ts";

/** What runs while the host is collected; `stop()` ends it all (plugins get their signal and are waited for). */
export interface LocalCollection {
  stop(): Promise<void>;
}

/**
 * Starts collecting the local host: every source every `update every` (some at their own multiple of it),
 * idlejitter on its own timer, and the external plugins. `sender` is the host's stream sender, when it has one,
 * for the streaming charts among the collector's own.
 *
 * @example
 * ```ts
 * const collection = await startLocalCollection(host, config.netdata, "/", log, sender.stats);
 * await collection.stop();
 * ```
 */
export async function startLocalCollection(
  host: Host,
  netdata: NetdataConf,
  root: string,
  log: Logger,
  sender?: SenderCounters,
): Promise<LocalCollection> {
  const updateEvery = host.identity.updateEvery;
  const procLog = log.child("PLUGIN[proc]");
  const context = (pluginLog: Logger): SourceContext => ({ host, root, updateEvery, log: pluginLog });
  const sources: Source[] = localSources(context(procLog));
  // proc.plugin's modules are timed, as 1.37's chart of its busy time by module shows them.
  const timings = new CollectionTimings(sources);

  const diskspace = readDiskspaceConf(netdata.document);
  const internal = readInternalPlugins(netdata.document, netdata.plugins);
  logDiagnostics(log, [...diskspace.diagnostics, ...internal.diagnostics]);
  if (netdata.plugins.flags.get("diskspace") ?? true) {
    sources.push(diskspaceSource(context(log.child("PLUGIN[diskspace]")), diskspace));
  }
  const timex = await openTimexSource(context(log.child("PLUGIN[timex]")), internal.timex);
  if (timex !== undefined) sources.push(timex);
  if (internal.idlejitter.enabled) {
    const jitter = idleJitterSource(context(log.child("PLUGIN[idlejitter]")), internal.idlejitter);
    jitter.start();
    sources.push(jitter);
  }
  // The collector's own charts come last, so their collection times cover the iteration just run.
  sources.push(selfMonitoringSource(context(log.child("PLUGIN[netdata]")), { timings, sender }));

  const loop = new CollectionLoop(sources, updateEvery, procLog, timings);
  const plugins = new PluginsRunner(pluginsRunnerOptions(netdata, host, log.child("PLUGINSD")));
  loop.start();
  plugins.start();
  return {
    async stop() {
      loop.stop();
      await plugins.stop();
    },
  };
}

function logDiagnostics(log: Logger, diagnostics: readonly ConfigDiagnostic[]): void {
  for (const d of diagnostics) log.error(formatDiagnostic(d));
}
