/**
 * Reads a Netdata config directory (`netdata.conf` and `stream.conf`, both optional).
 *
 * @module
 */

import { existsSync } from "node:fs";
import { join } from "node:path";
import { type NetdataConf, netdataConfFromDocument } from "./netdata_conf.ts";
import { type ConfigDiagnostic, type ConfigDocument, parseConfig, readConfigFile } from "./reader.ts";
import { type StreamConf, streamConfFromDocument } from "./stream_conf.ts";

/**
 * Both typed configs of a directory and every diagnostic, `netdata.conf`'s first.
 *
 * @example
 * ```ts
 * const { netdata, stream, diagnostics } = readConfigDir("/etc/netdata");
 * ```
 */
export interface ConfigDir {
  readonly dir: string;
  readonly netdata: NetdataConf;
  readonly stream: StreamConf;
  /** Paths that were actually read (a missing file means all defaults). */
  readonly found: { readonly netdata: boolean; readonly stream: boolean };
  readonly diagnostics: readonly ConfigDiagnostic[];
}

function readOptional(path: string): { doc: ConfigDocument; found: boolean } {
  if (!existsSync(path)) return { doc: parseConfig("", path), found: false };
  return { doc: readConfigFile(path), found: true };
}

/**
 * Reads `<dir>/netdata.conf` and `<dir>/stream.conf`. A missing file means all defaults; a file that exists
 * but cannot be read gives an error diagnostic. Never throws for file contents.
 *
 * @example
 * ```ts
 * const cfg = readConfigDir("/etc/netdata");
 * if (cfg.diagnostics.some((d) => d.severity === "error")) console.error(cfg.diagnostics.map(formatDiagnostic).join("\n"));
 * cfg.stream.stream.enabled; // false when stream.conf is missing
 * ```
 */
export function readConfigDir(dir: string): ConfigDir {
  const nd = readOptional(join(dir, "netdata.conf"));
  const st = readOptional(join(dir, "stream.conf"));
  const netdata = netdataConfFromDocument(nd.doc);
  const stream = streamConfFromDocument(st.doc);
  return {
    dir,
    netdata,
    stream,
    found: { netdata: nd.found, stream: st.found },
    diagnostics: [...netdata.diagnostics, ...stream.diagnostics],
  };
}
