/**
 * Netdata's plugins.d: external collector processes (`*.plugin`) whose standard output, in the plugins.d
 * line language, fills the host's charts.
 *
 * @example
 * ```ts
 * import { PluginsRunner } from "./mod.ts";
 * const runner = new PluginsRunner({ host, log, updateEvery: 1, directories: ["/usr/libexec/netdata/plugins.d"] });
 * runner.start();
 * // … on shutdown:
 * await runner.stop();
 * ```
 *
 * @module
 */

export { PluginParser, type PluginParserOptions } from "./parser.ts";
export {
  type NetdataDirectories,
  PLUGIN_SUFFIX,
  PluginsRunner,
  type PluginsRunnerOptions,
  pluginsRunnerOptions,
  type PluginState,
  type PluginStatus,
  type SupervisionTiming,
} from "./runner.ts";
