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

import * as os from "node:os";
import process from "node:process";
import { parseArgs } from "node:util";
import { readConfigDir } from "../config/config_dir.ts";
import { loadOrCreateMachineGuid } from "../config/machine_guid.ts";
import { formatDiagnostic } from "../config/reader.ts";
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
  -c, --config <dir>   folder holding netdata.conf and stream.conf (default /etc/netdata)
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

function fail(message: string): never {
  process.stderr.write(`${PROGRAM}: ${message}\n`);
  process.exit(1);
}

function main(argv: string[]): void {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        config: { type: "string", short: "c", default: "/etc/netdata" },
        root: { type: "string", default: "/" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
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

  const config = readConfigDir(args.config);
  for (const d of config.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
  if (config.diagnostics.some((d) => d.severity === "error")) fail("fix the errors above and start again");
  const stream = config.stream.stream;
  if (!stream.enabled) {
    fail(
      `streaming is not enabled in ${config.stream.file}: a collector needs [stream] enabled = yes, a destination and an api key`,
    );
  }

  const log = new Logger(PROGRAM, "MAIN");
  let guid: string;
  try {
    guid = loadOrCreateMachineGuid(config.netdata.directories.lib).guid;
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
