/**
 * `rill-collector`: the headless collector. Reads `netdata.conf` and `stream.conf` from a config folder,
 * collects this machine's metrics (/proc, /sys, external plugins) and streams them to a parent; keeps no
 * database (only the replay ring of what the parent missed) and listens on no port.
 *
 * @example
 * ```sh
 * rill-collector -c /etc/netdata
 * ```
 *
 * @module
 */

import process from "node:process";
import {
  BINARY_OPTIONS,
  commandLine,
  exitOnSignals,
  fail as failWith,
  loadConfig,
  localHost,
  startLocalCollection,
} from "./_common.ts";
import { Logger } from "../runtime/log.ts";
import { ReplayRing } from "../stream/replay_ring.ts";
import { StreamSender } from "../stream/sender.ts";
import { RILL_VERSION } from "./_version.ts";

const PROGRAM = "rill-collector";

const HELP = `Usage: ${PROGRAM} [-c <config dir> | --embedded]

Collects this machine's metrics (/proc, /sys, and the external plugins of [directories] plugins) and streams them to a Netdata-compatible parent, like a headless Netdata
child ([db] mode = none, [web] mode = none). No database, no listening port. What the parent could not take (it was
unreachable, or read too slowly) waits in a replay ring within [stream] buffer size bytes, and the parent fetches it
with its replication requests.

Options:
  -c, --config <dir>   folder holding netdata.conf and stream.conf (default /etc/netdata)
      --embedded       use the embedded config: stream to localhost:19999 with the API key
                       11111111-2222-3333-4444-555555555555 (also used without -c when
                       /etc/netdata/stream.conf does not exist)
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

// Streams to a parent on this machine with the API key of Netdata's own examples; a parent started with
// rill's embedded config accepts exactly this.
const EMBEDDED_CONFIG = {
  "netdata.conf": "",
  "stream.conf": `[stream]
    enabled = yes
    destination = tcp:localhost:19999
    api key = 11111111-2222-3333-4444-555555555555
`,
};

const fail: (message: string) => never = (message) => failWith(PROGRAM, message);

function main(argv: string[]): void {
  const options = commandLine(PROGRAM, argv, BINARY_OPTIONS, HELP);
  if (options === undefined) return;

  const config = loadConfig(PROGRAM, options, EMBEDDED_CONFIG, "stream.conf");
  const stream = config.stream.stream;
  if (!stream.enabled) {
    fail(
      `streaming is not enabled in ${config.stream.file}: a collector needs [stream] enabled = yes, a destination and an api key`,
    );
  }

  const log = new Logger(PROGRAM, "MAIN");
  if (config.embedded) {
    log.info(
      `using the embedded config (stream to ${stream.destinationText}); pass -c <dir> with a stream.conf to change it`,
    );
  }
  const root = typeof options.root === "string" ? options.root : "/";
  const host = localHost(PROGRAM, config, root, stream.destinationText, false);
  const { hostname, machineGuid, updateEvery } = host.identity;
  log.info(
    `${PROGRAM} ${RILL_VERSION} starting: host '${hostname}' (machine GUID ${machineGuid}), update every ${updateEvery}s`,
  );
  // The ring hears each iteration before the sender, so what the sender cannot deliver is already kept.
  const ring = new ReplayRing({ budgetBytes: stream.bufferSizeBytes, log: (message) => log.error(message) });
  host.observe(ring);
  const sender = new StreamSender({ host, config: stream, log: log.child(`STREAM_SENDER[${hostname}]`), replay: ring });
  sender.start();
  const collection = startLocalCollection(host, config.netdata, root, log);
  exitOnSignals(log, "closing the stream and exiting", async () => {
    await collection.stop();
    await sender.stop();
  });
}

main(process.argv.slice(2));
