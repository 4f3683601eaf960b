/**
 * `rill-collector`: the headless collector. Reads `netdata.conf` and `stream.conf` from a config folder,
 * collects this machine's metrics (/proc, /sys, external plugins) and streams them to a parent; keeps no
 * database and listens on no port.
 *
 * @example
 * ```sh
 * rill-collector -c /etc/netdata
 * ```
 *
 * @module
 */

import { accessSync, constants } from "node:fs";
import * as os from "node:os";
import { join } from "node:path";
import process from "node:process";
import { readConfigDir } from "../config/config_dir.ts";
import { loadOrCreateMachineGuid } from "../config/machine_guid.ts";
import { formatDiagnostic } from "../config/reader.ts";
import { parseStreamConf } from "../config/stream_conf.ts";
import { Host } from "../metrics/host.ts";
import { Logger } from "../runtime/log.ts";
import { CollectionLoop } from "../sources/loop.ts";
import { localSources, PluginsRunner, pluginsRunnerOptions } from "../sources/mod.ts";
import { machineFacts } from "../sources/system_info.ts";
import { StreamSender } from "../stream/sender.ts";
import { RILL_VERSION } from "./_version.ts";

const PROGRAM = "rill-collector";

const HELP = `Usage: ${PROGRAM} [-c <config dir>]

Collects this machine's metrics (/proc, /sys, and the external plugins of [directories] plugins) and streams them to a Netdata-compatible parent, like a headless Netdata
child ([db] mode = none, [web] mode = none). No database, no listening port.

Options:
  -c, --config <dir>   folder holding netdata.conf and stream.conf (default /etc/netdata; without -c and
                       without /etc/netdata/stream.conf, an embedded config streams to localhost:19999
                       with the API key 11111111-2222-3333-4444-555555555555)
      --root <dir>     read /proc and /sys under this folder instead of / (for containers and tests)
  -h, --help           show this help
  -v, --version        show the version

stream.conf needs at least:
  [stream]
      enabled = yes
      destination = <parent host>:19999
      api key = <a GUID the parent accepts>

SIGTERM or SIGINT closes the stream cleanly and exits 0.
`;

const DEFAULT_CONFIG_DIR = "/etc/netdata";

// Streams to a parent on this machine with the API key of Netdata's own examples; a parent started with
// rill's embedded config accepts exactly this.
const EMBEDDED_STREAM_CONF = `[stream]
    enabled = yes
    destination = tcp:localhost:19999
    api key = 11111111-2222-3333-4444-555555555555
`;

/** The lib folder (machine GUID): the configured one, or a per-user one when the default is not writable. */
function libDir(configured: string, fromConfig: boolean): string {
  if (fromConfig) return configured;
  try {
    accessSync(configured, constants.W_OK);
    return configured;
  } catch {
    return join(os.homedir(), ".local", "state", "rill");
  }
}

function fail(message: string): never {
  process.stderr.write(`${PROGRAM}: ${message}\n`);
  process.exit(1);
}

interface CliArgs {
  config?: string;
  root: string;
  help?: boolean;
  version?: boolean;
}

// The options, as `node:util`'s parseArgs would take them (strict, no positionals), with its messages. Parsed
// by hand: parseArgs costs a compiled Bun binary ≈ 1.5 MB of VmRSS (the code it pages in) for four options.
const OPTIONS: Readonly<Record<string, { short?: string; string: boolean }>> = {
  config: { short: "c", string: true },
  root: { string: true },
  help: { short: "h", string: false },
  version: { short: "v", string: false },
};

function parseCli(argv: readonly string[]): CliArgs {
  const args: CliArgs = { root: "/" };
  const set = (name: string, value: string | boolean) =>
    (args as unknown as Record<string, string | boolean>)[name] = value;
  const byShort = (letter: string) => Object.keys(OPTIONS).find((n) => OPTIONS[n].short === letter);
  const label = (name: string) => {
    const o = OPTIONS[name];
    return `${o.short === undefined ? "" : `-${o.short}, `}--${name}${o.string ? " <value>" : ""}`;
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
      const option = OPTIONS[name];
      if (option === undefined) throw new TypeError(`Unknown option '${eq < 0 ? arg : arg.slice(0, eq)}'`);
      if (!option.string) {
        if (eq >= 0) throw new TypeError(`Option '${label(name)}' does not take an argument`);
        set(name, true);
      } else if (eq >= 0) {
        set(name, arg.slice(eq + 1));
      } else {
        if (i + 1 >= argv.length || argv[i + 1].startsWith("-")) {
          throw new TypeError(`Option '${label(name)}' argument missing`);
        }
        set(name, argv[++i]);
      }
    } else if (arg.startsWith("-") && arg.length > 1) {
      // -c <dir>, -c<dir>, and grouped booleans (-hv).
      for (let k = 1; k < arg.length; k++) {
        const name = byShort(arg[k]);
        if (name === undefined) throw new TypeError(`Unknown option '-${arg[k]}'`);
        if (!OPTIONS[name].string) {
          set(name, true);
          continue;
        }
        if (k + 1 < arg.length) {
          set(name, arg.slice(k + 1));
        } else {
          if (i + 1 >= argv.length || argv[i + 1].startsWith("-")) {
            throw new TypeError(`Option '${label(name)}' argument missing`);
          }
          set(name, argv[++i]);
        }
        break;
      }
    } else {
      throw new TypeError(`Unexpected argument '${arg}'. This command does not take positional arguments`);
    }
  }
  return args;
}

function main(argv: string[]): void {
  let args: CliArgs;
  try {
    args = parseCli(argv);
  } catch (e) {
    fail(`${e instanceof Error ? e.message : String(e)} (see --help)`);
  }
  if (args.help) {
    process.stdout.write(HELP);
    return;
  }
  if (args.version) {
    process.stdout.write(`${PROGRAM} ${RILL_VERSION}\n`);
    return;
  }

  const config = readConfigDir(args.config ?? DEFAULT_CONFIG_DIR);
  // Without -c and without a stream.conf in the default folder, the embedded config makes it run as is.
  const embedded = args.config === undefined && !config.found.stream;
  const streamConf = embedded ? parseStreamConf(EMBEDDED_STREAM_CONF, "<embedded stream.conf>") : config.stream;
  const diagnostics = [...config.netdata.diagnostics, ...streamConf.diagnostics];
  for (const d of diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
  if (diagnostics.some((d) => d.severity === "error")) fail("fix the errors above and start again");
  const stream = streamConf.stream;
  if (!stream.enabled) {
    fail(
      `streaming is not enabled in ${config.stream.file}: a collector needs [stream] enabled = yes, a destination and an api key`,
    );
  }

  const log = new Logger(PROGRAM, "MAIN");
  if (embedded) {
    log.info(
      `no ${config.stream.file}: using the embedded config (stream to ${stream.destinationText}); pass -c <dir> with a stream.conf to change it`,
    );
  }
  let guid: string;
  try {
    guid = loadOrCreateMachineGuid(libDir(config.netdata.directories.lib, config.found.netdata)).guid;
  } catch (e) {
    fail(`${e instanceof Error ? e.message : String(e)} (set [directories] lib in ${config.netdata.file})`);
  }
  const hostname = config.netdata.global.hostname ?? os.hostname();
  const updateEvery = config.netdata.db.updateEvery;
  const facts = machineFacts(args.root, stream.destinationText);
  const host = new Host({
    hostname,
    machineGuid: guid,
    os: "linux",
    timezone: facts.timezone,
    abbrevTimezone: facts.abbrevTimezone,
    utcOffset: facts.utcOffset,
    tags: "",
    updateEvery,
    systemInfo: facts.systemInfo,
    programName: "rill",
    programVersion: `v${RILL_VERSION}`,
  });
  for (const [name, label] of facts.labels) host.labels.set(name, label);

  log.info(
    `${PROGRAM} ${RILL_VERSION} starting: host '${hostname}' (machine GUID ${guid}), update every ${updateEvery}s`,
  );
  const sender = new StreamSender({ host, config: stream, log: log.child(`STREAM_SENDER[${hostname}]`) });
  const loop = new CollectionLoop(
    localSources({ host, root: args.root, updateEvery, log: log.child("PLUGIN[proc]") }),
    updateEvery,
    log.child("PLUGIN[proc]"),
  );
  const plugins = new PluginsRunner(pluginsRunnerOptions(config.netdata, host, log.child("PLUGINSD")));
  sender.start();
  loop.start();
  plugins.start();

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal} received: closing the stream and exiting`);
    loop.stop();
    await plugins.stop();
    await sender.stop();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main(process.argv.slice(2));
