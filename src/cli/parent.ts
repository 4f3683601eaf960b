/**
 * `rill-parent`: receives children's streams (real Netdata children and rill collectors), stores them per
 * host, serves the API on one port with the streams, and collects its own host like a Netdata parent.
 *
 * @example
 * ```sh
 * rill-parent -c /etc/netdata
 * ```
 *
 * @module
 */

import * as os from "node:os";
import { join } from "node:path";
import process from "node:process";
import {
  BINARY_OPTIONS,
  commandLine,
  exitOnSignals,
  fail as failWith,
  loadConfig,
  localHost,
  userStateDir,
  writableDir,
} from "./_common.ts";
import { startLocalCollection } from "./_local_collection.ts";
import type { Host } from "../metrics/host.ts";
import { Receiver } from "../parent/receiver/receiver.ts";
import { receiverSettingsFrom } from "../parent/receiver/access.ts";
import { HostCatalogue } from "../parent/storage/catalogue.ts";
import { HostStore, type StorageMode } from "../parent/storage/host_store.ts";
import { StoredReplay } from "../parent/storage/replay.ts";
import { startWebListener, type WebListener } from "../parent/web/listener.ts";
import { Logger } from "../runtime/log.ts";
import { StreamSender } from "../stream/sender.ts";
import { ProxySenders } from "./_proxy.ts";
import { RILL_VERSION } from "./_version.ts";

const PROGRAM = "rill-parent";
const fail: (message: string) => never = (message) => failWith(PROGRAM, message);

const HELP = `Usage: ${PROGRAM} [-c <config dir> | --embedded]

Receives metrics streamed by Netdata children and rill collectors, keeps them per host ([db] mode none, ram
or save; dbengine and map fall back to save) and serves the Netdata API for itself and, under
/host/<hostname>/, for every child, on the port that also takes the streams ([web] bind to, default *:19999).
It collects its own host too, and streams it onward when stream.conf's [stream] says so; children go onward
too (a proxy) when their API key's or machine GUID's section, or [stream], enables it (default proxy
enabled, destination, api key, send charts matching).

Options:
  -c, --config <dir>   folder holding netdata.conf and stream.conf (default /etc/netdata)
      --embedded       use the embedded config: API and streaming on 127.0.0.1:19999, children accepted
                       with the API key 11111111-2222-3333-4444-555555555555, kept in save mode under
                       ~/.local/state/rill-parent; the parent is named <hostname>-parent (also used
                       without -c when /etc/netdata/netdata.conf does not exist)
      --root <dir>     read /proc and /sys under this folder instead of / (for containers and tests)
  -h, --help           show this help
  -v, --version        show the version

stream.conf accepts children with a section per API key:
  [<API key, a GUID>]
      enabled = yes
      allow from = *

SIGTERM or SIGINT closes every stream, saves (in save mode) and exits 0.
`;

// Loopback only: a quick start should not open a port to the network. The parent calls itself
// `<hostname>-parent`, so that a collector on the same machine (`npm start`) is told apart in the API.
const EMBEDDED_CONFIG = {
  "netdata.conf": `[global]
    hostname = ${os.hostname()}-parent
[db]
    mode = save
[web]
    bind to = 127.0.0.1:19999
`,
  "stream.conf": `[11111111-2222-3333-4444-555555555555]
    enabled = yes
    allow from = *
`,
};

async function main(argv: string[]): Promise<void> {
  const options = commandLine(PROGRAM, argv, BINARY_OPTIONS, HELP);
  if (options === undefined) return;
  const config = loadConfig(PROGRAM, options, EMBEDDED_CONFIG, "netdata.conf");
  const netdata = config.netdata;
  const log = new Logger(PROGRAM, "MAIN");
  if (config.embedded) log.info("using the embedded config; pass -c <dir> with a netdata.conf to change it");

  const root = typeof options.root === "string" ? options.root : "/";
  const outward = config.stream.stream;
  const host = localHost(PROGRAM, config, root, outward.enabled ? outward.destinationText : "", true);
  const { hostname, machineGuid, updateEvery } = host.identity;
  const cacheDir = config.embedded
    ? join(userStateDir(PROGRAM), "cache")
    : writableDir(netdata.directories.cache, config.found.netdata, PROGRAM);
  // Every host's store, so that SIGTERM saves them and a forgotten host's store is let go.
  const stores = new Map<Host, HostStore>();
  // The receiver attaches a child's store to its host; localhost's is attached below.
  const storeFor = (of: Host, mode: StorageMode, history: number) => {
    const store = new HostStore(of, {
      mode,
      history,
      directory: cacheDir,
      log: log.child(`DB[${of.identity.hostname}]`),
    });
    stores.set(of, store);
    return store;
  };
  log.info(
    `${PROGRAM} ${RILL_VERSION} starting: host '${hostname}' (machine GUID ${machineGuid}), update every ${updateEvery}s, ` +
      `memory mode ${netdata.db.mode}, history ${netdata.db.retention}`,
  );

  const localStore = storeFor(host, netdata.db.mode, netdata.db.retention);
  host.observe(localStore);
  const catalogue = new HostCatalogue({
    host,
    series: localStore,
    local: true,
    status: { reachable: true, hops: 0, sinceS: Math.floor(Date.now() / 1000), peer: "", capabilities: 0 },
  }, {
    orphans: {
      forgetAfterS: netdata.db.cleanupOrphanHostsAfterSeconds,
      deleteFiles: netdata.db.deleteOrphanHostsFiles,
      maxOrphans: netdata.db.maxOrphanHosts,
    },
    retire: async (entry, how) => {
      const store = stores.get(entry.host);
      stores.delete(entry.host);
      await (how === "save" ? store?.save() : store?.removeFiles());
    },
    log: log.child("DB"),
  });
  catalogue.start();
  // Children whose settings say `proxy enabled` are streamed onward; storage answers the next parent's
  // replication requests (points with a database, the collection state alone without one).
  const proxy = new ProxySenders({
    outward,
    log,
    replayOf: (entry) => new StoredReplay(stores.get(entry.host)!),
  });
  const receiver = new Receiver({
    catalogue,
    streamConf: config.stream,
    settings: receiverSettingsFrom(netdata),
    log: log.child("STREAM_RECEIVER"),
    createStore: (policy, child) => storeFor(child, policy.memoryMode, policy.history),
    childStreams: proxy,
  });

  let web: WebListener | undefined;
  if (netdata.web.mode !== "none") {
    try {
      web = await startWebListener({ conf: netdata, catalogue, onStream: receiver.handle, log: log.child("WEB") });
    } catch (e) {
      fail(`cannot listen on [web] bind to of ${netdata.file}: ${e instanceof Error ? e.message : String(e)}`);
    }
  } else {
    log.info("[web] mode = none: no API and no streams are received");
  }

  const sender = outward.enabled
    ? new StreamSender({
      host,
      config: outward,
      log: log.child(`STREAM_SENDER[${hostname}]`),
      replay: new StoredReplay(localStore),
    })
    : undefined;
  sender?.start();
  const collection = await startLocalCollection(host, netdata, root, log, sender?.stats);
  exitOnSignals(log, `closing the streams${netdata.db.mode === "none" ? "" : ", saving"} and exiting`, async () => {
    const closing = collection.stop();
    await web?.close();
    await Promise.all([receiver.close().then(() => proxy.close()), closing, sender?.stop(), catalogue.stop()]);
    for (const store of stores.values()) {
      try {
        await store.save();
      } catch (e) {
        log.error(`cannot save host '${store.host.identity.hostname}': ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  });
}

await main(process.argv.slice(2));
