/**
 * Starting the web listener on a free loopback port and talking to it over raw sockets, for the listener
 * and connection tests.
 */
import { connect, type Socket } from "node:net";
import type { BindAddress, NetdataConf } from "../../../src/config/netdata_conf.ts";
import type { IncomingStream } from "../../../src/parent/receiver/incoming.ts";
import {
  type ApiHandler,
  startWebListener,
  type WebLimits,
  type WebListener,
} from "../../../src/parent/web/listener.ts";
import type { Logger } from "../../../src/runtime/log.ts";
import { conf, makeCatalogue, NOW_MS, silent } from "./_hosts.ts";

/** A loopback TCP entry of `[web] bind to` on a free port. */
export function bind(ssl: BindAddress["ssl"] = "none"): BindAddress {
  return { protocol: "tcp", host: "127.0.0.1", port: 0, acl: [], ssl, text: `127.0.0.1:0^SSL=${ssl}` };
}

/** What a test may vary about the listener. */
export interface StartOptions {
  readonly binds?: BindAddress[];
  readonly web?: Partial<NetdataConf["web"]>;
  readonly streams?: IncomingStream[];
  readonly limits?: Partial<WebLimits>;
  readonly log?: Logger;
  readonly api?: ApiHandler;
}

/** A listener over the two-host catalogue of `_hosts.ts` (or `api`), on `binds` (one plain port by default). */
export async function start(options: StartOptions = {}): Promise<WebListener> {
  const streams = options.streams ?? [];
  return await startWebListener({
    conf: { ...conf, web: { ...conf.web, bindTo: options.binds ?? [bind()], ...options.web } },
    catalogue: makeCatalogue(),
    onStream: (s) => streams.push(s),
    log: options.log ?? silent,
    limits: options.limits,
    nowMs: () => NOW_MS,
    api: options.api,
  });
}

/** Everything the peer sends until it closes (or `ms` pass). */
export function readAll(socket: Socket, ms = 3000): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    const done = () => resolve(text);
    socket.on("data", (c) => (text += c.toString()));
    socket.on("close", done);
    socket.on("error", done);
    setTimeout(done, ms).unref();
  });
}

/** A plain connection to port `i`, from `localAddress` (a loopback address) if given. */
export function plain(web: WebListener, i = 0, localAddress?: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port: web.ports[i].port, host: "127.0.0.1", localAddress }, () => resolve(s));
    s.on("error", reject);
  });
}

/** The status codes of the responses in `text`, in order. */
export function statuses(text: string): string[] {
  return [...text.matchAll(/HTTP\/1\.1 (\d+)/g)].map((m) => m[1]);
}
