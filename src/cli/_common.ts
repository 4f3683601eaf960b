/**
 * What both binaries do the same way: parse their few options, read the config folder (or the embedded
 * config), find the machine GUID and describe the local host.
 *
 * @module
 */

import { accessSync, constants } from "node:fs";
import * as os from "node:os";
import { join } from "node:path";
import process from "node:process";
import { type ConfigDir, readConfigDir } from "../config/config_dir.ts";
import { loadOrCreateMachineGuid } from "../config/machine_guid.ts";
import { netdataConfFromDocument } from "../config/netdata_conf.ts";
import { formatDiagnostic, parseConfig } from "../config/reader.ts";
import { streamConfFromDocument } from "../config/stream_conf.ts";
import { Host } from "../metrics/host.ts";
import type { Logger } from "../runtime/log.ts";
import { machineFacts } from "../sources/system_info.ts";
import { RILL_VERSION } from "./_version.ts";

/** Where both binaries look for their config when `-c` is not given, as Netdata does. */
export const DEFAULT_CONFIG_DIR = "/etc/netdata";

/** An option: a string value or a boolean switch, with an optional one-letter form. */
export interface OptionSpec {
  readonly short?: string;
  readonly string: boolean;
}

/**
 * The options both binaries take: `-c <dir>`, `--embedded`, `--root <dir>`, `-h`, `-v`.
 *
 * @example
 * ```ts
 * commandLine("rill-parent", process.argv.slice(2), BINARY_OPTIONS, "Usage: …");
 * ```
 */
export const BINARY_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  config: { short: "c", string: true },
  embedded: { string: false },
  root: { string: true },
  help: { short: "h", string: false },
  version: { short: "v", string: false },
};

/** Parsed options: strings for value options, `true` for switches that were given. */
export type ParsedOptions = Record<string, string | boolean | undefined>;

/**
 * Parses options the way `node:util`'s `parseArgs` would (strict, no positionals), with its messages.
 * Done by hand: parseArgs costs a compiled Bun binary ≈ 1.5 MB of VmRSS (the code it pages in).
 *
 * @example
 * ```ts
 * parseOptions(["-c", "/etc/netdata"], { config: { short: "c", string: true } }); // { config: "/etc/netdata" }
 * ```
 */
export function parseOptions(argv: readonly string[], specs: Readonly<Record<string, OptionSpec>>): ParsedOptions {
  const parsed: ParsedOptions = {};
  const byShort = (letter: string) => Object.keys(specs).find((n) => specs[n].short === letter);
  const label = (name: string) => {
    const o = specs[name];
    return `${o.short === undefined ? "" : `-${o.short}, `}--${name}${o.string ? " <value>" : ""}`;
  };
  const valueAfter = (i: number, name: string) => {
    if (i + 1 >= argv.length || argv[i + 1].startsWith("-")) {
      throw new TypeError(`Option '${label(name)}' argument missing`);
    }
    return argv[i + 1];
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      if (i + 1 < argv.length) {
        throw new TypeError(`Unexpected argument '${argv[i + 1]}'. This command does not take positional arguments`);
      }
      break;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      const option = specs[name];
      if (option === undefined) throw new TypeError(`Unknown option '${eq < 0 ? arg : arg.slice(0, eq)}'`);
      if (!option.string) {
        if (eq >= 0) throw new TypeError(`Option '${label(name)}' does not take an argument`);
        parsed[name] = true;
      } else if (eq >= 0) {
        parsed[name] = arg.slice(eq + 1);
      } else {
        parsed[name] = valueAfter(i++, name);
      }
    } else if (arg.startsWith("-") && arg.length > 1) {
      // -c <dir>, -c<dir>, and grouped switches (-hv).
      for (let k = 1; k < arg.length; k++) {
        const name = byShort(arg[k]);
        if (name === undefined) throw new TypeError(`Unknown option '-${arg[k]}'`);
        if (!specs[name].string) {
          parsed[name] = true;
          continue;
        }
        parsed[name] = k + 1 < arg.length ? arg.slice(k + 1) : valueAfter(i++, name);
        break;
      }
    } else {
      throw new TypeError(`Unexpected argument '${arg}'. This command does not take positional arguments`);
    }
  }
  return parsed;
}

/**
 * The options of a binary's command line; prints the help or the version instead (and gives `undefined`),
 * or exits 1 with a message on a bad command line.
 *
 * @example
 * ```ts
 * const options = commandLine("rill-parent", process.argv.slice(2), specs, "Usage: …");
 * if (options === undefined) return;
 * ```
 */
export function commandLine(
  program: string,
  argv: readonly string[],
  specs: Readonly<Record<string, OptionSpec>>,
  help: string,
): ParsedOptions | undefined {
  let options: ParsedOptions;
  try {
    options = parseOptions(argv, specs);
  } catch (e) {
    fail(program, `${e instanceof Error ? e.message : String(e)} (see --help)`);
  }
  if (options.help) {
    process.stdout.write(help);
    return undefined;
  }
  if (options.version) {
    process.stdout.write(`${program} ${RILL_VERSION}\n`);
    return undefined;
  }
  return options;
}

/** Prints `<program>: <message>` to stderr and exits 1. */
export function fail(program: string, message: string): never {
  process.stderr.write(`${program}: ${message}\n`);
  process.exit(1);
}

/**
 * The config folder, or the embedded config: with `--embedded`, or without `-c` when the default folder has
 * no file the binary needs. Prints every diagnostic and exits on errors.
 *
 * @example
 * ```ts
 * const cfg = loadConfig("rill-parent", { config: undefined }, { "stream.conf": "..." }, "stream.conf");
 * ```
 */
export function loadConfig(
  program: string,
  options: ParsedOptions,
  embeddedFiles: Readonly<Record<"netdata.conf" | "stream.conf", string>>,
  needs: "netdata.conf" | "stream.conf",
): ConfigDir & { readonly embedded: boolean } {
  const dir = typeof options.config === "string" ? options.config : DEFAULT_CONFIG_DIR;
  const fromDir = readConfigDir(dir);
  const found = needs === "stream.conf" ? fromDir.found.stream : fromDir.found.netdata;
  const embedded = options.embedded === true || (options.config === undefined && !found);
  const config = embedded ? embeddedConfig(embeddedFiles) : fromDir;
  for (const d of config.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
  if (config.diagnostics.some((d) => d.severity === "error")) fail(program, "fix the errors above and start again");
  return { ...config, embedded };
}

function embeddedConfig(files: Readonly<Record<"netdata.conf" | "stream.conf", string>>): ConfigDir {
  const netdata = netdataConfFromDocument(parseConfig(files["netdata.conf"], "<embedded netdata.conf>"));
  const stream = streamConfFromDocument(parseConfig(files["stream.conf"], "<embedded stream.conf>"));
  return {
    dir: "<embedded>",
    netdata,
    stream,
    found: { netdata: true, stream: true },
    diagnostics: [...netdata.diagnostics, ...stream.diagnostics],
  };
}

/**
 * A per-user state folder for a binary: used for the lib folder (machine GUID) and the cache when the
 * configured ones are Netdata's system folders and not writable, or when the config is embedded.
 *
 * @example
 * ```ts
 * userStateDir("rill-parent"); // ~/.local/state/rill-parent
 * ```
 */
export function userStateDir(program: string): string {
  return join(os.homedir(), ".local", "state", program);
}

/** `configured` when writable (or named by a real config file), else the per-user state folder. */
export function writableDir(configured: string, fromConfig: boolean, program: string): string {
  if (fromConfig) return configured;
  try {
    accessSync(configured, constants.W_OK);
    return configured;
  } catch {
    return userStateDir(program);
  }
}

/**
 * The local host as the config and the machine describe it, with its labels.
 *
 * @example
 * ```ts
 * const host = localHost("rill-collector", config, "/", "tcp:parent:19999", false);
 * ```
 */
export function localHost(
  program: string,
  config: ConfigDir & { readonly embedded: boolean },
  root: string,
  streamsTo: string,
  isParent: boolean,
): Host {
  const lib = config.embedded
    ? userStateDir(program)
    : writableDir(config.netdata.directories.lib, config.found.netdata, program);
  let guid: string;
  try {
    guid = loadOrCreateMachineGuid(lib).guid;
  } catch (e) {
    fail(program, `${e instanceof Error ? e.message : String(e)} (set [directories] lib in ${config.netdata.file})`);
  }
  const facts = machineFacts(root, streamsTo, isParent);
  const host = new Host({
    hostname: config.netdata.global.hostname ?? os.hostname(),
    machineGuid: guid,
    os: "linux",
    timezone: facts.timezone,
    abbrevTimezone: facts.abbrevTimezone,
    utcOffset: facts.utcOffset,
    tags: "",
    updateEvery: config.netdata.db.updateEvery,
    systemInfo: facts.systemInfo,
    programName: "rill",
    programVersion: `v${RILL_VERSION}`,
  });
  for (const [name, label] of facts.labels) host.labels.set(name, label);
  return host;
}

/**
 * On the first SIGTERM or SIGINT: logs `<signal> received: <what>`, runs `stop`, and exits 0.
 *
 * @example
 * ```ts
 * exitOnSignals(log, "closing the stream and exiting", () => sender.stop());
 * ```
 */
export function exitOnSignals(log: Logger, what: string, stop: () => Promise<void>): void {
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal} received: ${what}`);
    await stop();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}
