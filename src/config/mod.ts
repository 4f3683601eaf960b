/**
 * Config room: Netdata-compatible reading of `netdata.conf` and `stream.conf`, typed options with their
 * defaults, and the machine GUID file. It parses and validates; what a parent does with a child's sections
 * (admission, the settings in force) is its receiver's.
 *
 * @example
 * ```ts
 * import { formatDiagnostic, readConfigDir } from "./mod.ts";
 * const cfg = readConfigDir("/etc/netdata");
 * for (const d of cfg.diagnostics) console.error(formatDiagnostic(d));
 * ```
 *
 * @module
 */

export {
  type ConfigDiagnostic,
  ConfigDocument,
  type ConfigEntry,
  type ConfigSection,
  formatDiagnostic,
  parseConfig,
  readConfigFile,
  trimSpaces,
} from "./reader.ts";
export {
  DURATION_UNITS,
  type IntegerLimits,
  looksLikeTemplate,
  MEMORY_MODES,
  type MemoryMode,
  parseBoolean,
  parseBooleanOrAuto,
  parseDuration,
  parseIntegerOption,
  parseMemoryMode,
  parseSize,
  SIZE_UNITS,
  templateHint,
  type ValueResult,
} from "./values.ts";
export {
  type HostOverrides,
  parseStreamConf,
  readStreamConf,
  STREAM_DEFAULTS,
  type StreamAccessSection,
  type StreamConf,
  streamConfFromDocument,
  type StreamSectionKind,
  type StreamSenderConfig,
} from "./stream_conf.ts";
export {
  limitOptionName,
  type LimitOverrides,
  readLimitOverrides,
  RECEIVER_LIMIT_KEYS,
  RECEIVER_LIMITS,
  type ReceiverLimits,
} from "./receiver_limits.ts";
export {
  type BackendDataSource,
  type BindAddress,
  type NetdataConf,
  netdataConfFromDocument,
  parseBindAddress,
  parseNetdataConf,
  readNetdataConf,
  type WebMode,
} from "./netdata_conf.ts";
export { loadOrCreateMachineGuid, MACHINE_GUID_FILE, type MachineGuid } from "./machine_guid.ts";
export { type ConfigDir, readConfigDir } from "./config_dir.ts";
