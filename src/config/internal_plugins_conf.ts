/**
 * The options of the two internal collectors a 1.37 child runs as threads of its own, outside proc.plugin:
 * `[plugin:timex]` (clock synchronization) and `[plugin:idlejitter]` (how late the CPU wakes a sleeper), with
 * 1.37's names and defaults, and whether each runs (`[plugins] timex` / `idlejitter`, default yes: 1.37 reads
 * these flags with the thread's own default, not `enable running new plugins`). A pure reader: it parses and
 * reports, never throws.
 *
 * @module
 */

import { DiagnosticSink, SectionReader, suggestKey } from "./_options.ts";
import type { PluginsSettings } from "./netdata_conf.ts";
import type { ConfigDiagnostic, ConfigDocument } from "./reader.ts";
import { parseBooleanOrAuto, parseIntegerOption, type ValueResult } from "./values.ts";

/**
 * `[plugin:timex]` and its `[plugins]` flag.
 *
 * @example
 * ```ts
 * const timex: TimexSettings = readInternalPlugins(doc, plugins).timex;
 * timex.updateEvery; // 10
 * ```
 */
export interface TimexSettings {
  /** `[plugins] timex`, default yes. */
  readonly enabled: boolean;
  /** `update every`, seconds, default 10 (never below the host's interval: the source raises it). */
  readonly updateEvery: number;
  /** `clock synchronization state`: the system.clock_sync_state and system.clock_status charts, default yes. */
  readonly syncState: boolean;
  /** `time offset`: the system.clock_sync_offset chart, default yes. */
  readonly timeOffset: boolean;
}

/**
 * `[plugin:idlejitter]` and its `[plugins]` flag.
 *
 * @example
 * ```ts
 * readInternalPlugins(doc, plugins).idlejitter.loopTimeMs; // 20
 * ```
 */
export interface IdleJitterSettings {
  /** `[plugins] idlejitter`, default yes. */
  readonly enabled: boolean;
  /** `loop time in ms`: how long each sleep asks for, default 20. */
  readonly loopTimeMs: number;
}

/**
 * Both collectors' settings and what was wrong with them.
 *
 * @example
 * ```ts
 * const conf: InternalPluginsConf = readInternalPlugins(netdataConf.document, netdataConf.plugins);
 * for (const d of conf.diagnostics) log.error(formatDiagnostic(d));
 * ```
 */
export interface InternalPluginsConf {
  readonly timex: TimexSettings;
  readonly idlejitter: IdleJitterSettings;
  /** Sorted by line; each names netdata.conf's file and line. */
  readonly diagnostics: readonly ConfigDiagnostic[];
}

const TIMEX_SECTION = "plugin:timex";
const IDLEJITTER_SECTION = "plugin:idlejitter";
const TIMEX_KEYS = ["update every", "clock synchronization state", "time offset"];
const IDLEJITTER_KEYS = ["loop time in ms"];

/**
 * Reads `[plugin:timex]` and `[plugin:idlejitter]` of a parsed netdata.conf (`NetdataConf.document`), with the
 * `[plugins]` flags already read (`NetdataConf.plugins`). A value that does not parse keeps its default with an
 * error naming the line (where 1.37 would read a bad yes/no as no, and a bad number as 0, which it then
 * replaces); an unknown key is warned about.
 *
 * @example
 * ```ts
 * const nd = parseNetdataConf("[plugins]\nidlejitter = no\n[plugin:timex]\nupdate every = 30\n");
 * const conf = readInternalPlugins(nd.document, nd.plugins);
 * conf.timex.updateEvery; // 30
 * conf.idlejitter.enabled; // false
 * ```
 */
export function readInternalPlugins(doc: ConfigDocument, plugins: PluginsSettings): InternalPluginsConf {
  const sink = new DiagnosticSink(doc.file);
  const timex = new SectionReader(doc, TIMEX_SECTION, sink);
  const idlejitter = new SectionReader(doc, IDLEJITTER_SECTION, sink);
  const conf = {
    timex: {
      enabled: plugins.flags.get("timex") ?? true,
      updateEvery: timex.value("update every", atLeastOne, 10),
      syncState: timex.value("clock synchronization state", yesOrNo, true),
      timeOffset: timex.value("time offset", yesOrNo, true),
    },
    idlejitter: {
      enabled: plugins.flags.get("idlejitter") ?? true,
      loopTimeMs: idlejitter.value("loop time in ms", atLeastOne, 20),
    },
  };
  timex.warnUnread((key) => suggestKey(key, TIMEX_KEYS));
  idlejitter.warnUnread((key) => suggestKey(key, IDLEJITTER_KEYS));
  return { ...conf, diagnostics: sink.sorted() };
}

function atLeastOne(text: string): ValueResult<number> {
  return parseIntegerOption(text, { min: 1 });
}

// 1.37 reads `auto` and `on demand` as yes for these options.
function yesOrNo(text: string): ValueResult<boolean> {
  const r = parseBooleanOrAuto(text);
  if (!r.ok) return r;
  return { ok: true, value: r.value !== false };
}
