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
import { BINARY_OPTIONS, commandLine, exitOnSignals, fail as failWith, loadConfig, localHost } from "./_common.ts";
import { startLocalCollection } from "./_local_collection.ts";
import { loadLibc } from "../runtime/libc.ts";
import { Logger } from "../runtime/log.ts";
import { WorkingSetTrim } from "../runtime/working_set.ts";
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

Environment:
  RILL_TRIM_SECONDS    how often the collector gives the pages of its own code it no longer runs back to the
                       kernel (default 10; 0 = never). See the README's "Collector memory".

SIGTERM or SIGINT closes the stream cleanly and exits 0.
`;

// Every 10 s, the executable's code pages the collector stopped using go back to the kernel: file-backed RSS
// 28.8 MiB untrimmed, 15.3 MiB trimmed every 10 s (16.2 every 30 s), see runtime/working_set.ts.
const DEFAULT_TRIM_SECONDS = 10;

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

async function main(argv: string[]): Promise<void> {
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
  const trimSeconds = trimEverySeconds(process.env.RILL_TRIM_SECONDS);
  if (trimSeconds > 0) await startTrim(trimSeconds, log);
  const collection = await startLocalCollection(host, config.netdata, root, log, sender.stats);
  exitOnSignals(log, "closing the stream and exiting", async () => {
    await collection.stop();
    await sender.stop();
  });
}

function trimEverySeconds(text: string | undefined): number {
  if (text === undefined || text === "") return DEFAULT_TRIM_SECONDS;
  if (!/^\d+$/.test(text.trim())) {
    fail(`RILL_TRIM_SECONDS: expected a whole number of seconds (0 = never), found '${text}'`);
  }
  return Number(text.trim());
}

async function startTrim(seconds: number, log: Logger): Promise<void> {
  const opened = await loadLibc();
  if (opened.libc === undefined) {
    log.info(`the collector's unused code pages stay in memory: ${opened.reason}`);
    return;
  }
  new WorkingSetTrim(opened.libc, seconds * 1000, seconds * 1000).start();
}

await main(process.argv.slice(2));
