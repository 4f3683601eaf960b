/**
 * The parent's web port: one listener per `[web] bind to` entry serving both the streaming handshake and
 * the HTTP API, as Netdata's web server does.
 *
 * Built on `node:net`/`node:tls` rather than a runtime's HTTP server because a `STREAM` request's socket
 * must be handed over raw to the receiver. When `ssl key`/`ssl certificate` are configured, a port takes
 * TLS and plain connections alike, told apart by the first byte (0x16 starts a TLS handshake), except a
 * `^SSL=force` port, which closes plain connections. The first request head decides: `STREAM` goes to the
 * {@link StreamHandler} (paused, with nothing of ours attached), `GET` to the API with HTTP/1.1 keep-alive,
 * `OPTIONS` gets Netdata's CORS answer, anything else a 405 ({@link serveHttp} runs each connection).
 * Connections are capped in total and per client address ({@link WebLimits}); one over a cap is closed at
 * once.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { readFileSync } from "node:fs";
import * as net from "node:net";
import * as tls from "node:tls";
import type { BindAddress, NetdataConf } from "../../config/netdata_conf.ts";
import { allowsPeer, peerAddress, peerName } from "../../protocol/allow_from.ts";
import { REFUSAL_NOT_ALLOWED } from "../../protocol/replies.ts";
import type { Logger } from "../../runtime/log.ts";
import type { StreamHandler } from "../receiver/incoming.ts";
import type { HostCatalogue } from "../storage/catalogue.ts";
import { WebApi } from "./api/mod.ts";
import { type Route, serveHttp } from "./connection.ts";
import { ConnectionCaps } from "./connection_caps.ts";
import {
  CORS_PREFLIGHT,
  encodeResponse,
  type HttpResponse,
  type RequestHead,
  textResponse,
  wantsKeepAlive,
} from "./http.ts";
import { type WebLimits, webLimits } from "./limits.ts";

export type { WebLimits } from "./limits.ts";

/**
 * What answers `GET` requests: {@link WebApi}, whose answers may be promises (it yields to the event loop
 * while producing a large one).
 *
 * @example
 * ```ts
 * const api: ApiHandler = { handle: (target) => textResponse(200, target) };
 * ```
 */
export interface ApiHandler {
  handle(target: string, remoteIp: string): HttpResponse | Promise<HttpResponse>;
}

/**
 * What {@link startWebListener} needs.
 *
 * @example
 * ```ts
 * const options: WebListenerOptions = { conf, catalogue, onStream: (s) => receiver.accept(s), log };
 * ```
 */
export interface WebListenerOptions {
  /** `[web]` gives mode, `bind to` (port 0 picks a free port), TLS files and `allow connections from`. */
  readonly conf: NetdataConf;
  readonly catalogue: HostCatalogue;
  readonly onStream: StreamHandler;
  readonly log: Logger;
  /** Overrides of the limits {@link webLimits} reads from `conf`. */
  readonly limits?: Partial<WebLimits>;
  /** The API's clock, epoch ms; `Date.now` by default. */
  readonly nowMs?: () => number;
  /** What answers `GET`s; a {@link WebApi} over `catalogue` by default. */
  readonly api?: ApiHandler;
}

/**
 * One listening socket.
 *
 * @example
 * ```ts
 * const p: BoundPort = { bind, port: 19999 };
 * ```
 */
export interface BoundPort {
  readonly bind: BindAddress;
  /** The port actually bound (the kernel's pick for port 0); 0 for a unix socket. */
  readonly port: number;
}

/**
 * A running web listener.
 *
 * @example
 * ```ts
 * const web = await startWebListener(options);
 * console.log(web.ports.map((p) => p.port));
 * await web.close();
 * ```
 */
export interface WebListener {
  readonly ports: readonly BoundPort[];
  /** Stops accepting and ends the open HTTP connections (handed-over streams are the receiver's). */
  close(): Promise<void>;
}

/** The shared state of all ports of one listener. */
interface Shared {
  readonly options: WebListenerOptions;
  readonly limits: WebLimits;
  readonly api: ApiHandler;
  readonly secure: tls.SecureContext | undefined;
  readonly server: string;
  readonly caps: ConnectionCaps;
  /** Open connections that are still HTTP (not handed to the receiver), by TCP socket, with how to end each. */
  readonly open: Map<net.Socket, () => void>;
}

/**
 * Starts listening on every `[web] bind to` entry (none with `[web] mode = none`). Rejects when a port
 * cannot be bound.
 *
 * @example
 * ```ts
 * const web = await startWebListener({ conf, catalogue, onStream: (stream) => receiver.accept(stream), log });
 * ```
 */
export async function startWebListener(options: WebListenerOptions): Promise<WebListener> {
  const { web } = options.conf;
  const log = options.log;
  if (web.mode === "none") {
    log.info("web server is disabled ([web] mode = none): no API and no streaming port");
    return { ports: [], close: () => Promise.resolve() };
  }
  const secure = serverTls(web.sslKey, web.sslCertificate, log);
  const identity = options.catalogue.localhost.host.identity;
  const limits = webLimits(options.conf, options.limits);
  const shared: Shared = {
    options,
    limits,
    api: options.api ?? new WebApi({ catalogue: options.catalogue, conf: options.conf, nowMs: options.nowMs }),
    secure,
    server: `${identity.programName}/${identity.programVersion}`,
    caps: new ConnectionCaps(limits, log),
    open: new Map(),
  };
  const servers: net.Server[] = [];
  const ports: BoundPort[] = [];
  try {
    for (const bind of web.bindTo) {
      if (bind.protocol === "udp") {
        log.error(`web server cannot listen on '${bind.text}': UDP is not served; entry skipped`);
        continue;
      }
      if (bind.ssl === "force" && secure === undefined) {
        log.error(`'${bind.text}' asks for ^SSL=force but no [web] ssl key/ssl certificate is set: serving plain`);
      }
      // Half-open: a client may send its requests and then its FIN, and still gets every answer.
      const server = net.createServer({ allowHalfOpen: true }, (socket) => accept(shared, bind, socket));
      servers.push(server);
      ports.push({ bind, port: await listen(server, bind) });
      log.info(`web server listening on '${bind.text}' (port ${ports[ports.length - 1].port})`);
    }
  } catch (e) {
    for (const s of servers) s.close();
    throw e;
  }
  return {
    ports,
    close: () => {
      for (const s of servers) s.close();
      for (const end of [...shared.open.values()]) end();
      return Promise.resolve();
    },
  };
}

/**
 * The TLS context of `ssl key`/`ssl certificate`; without them (the defaults point to files a plain
 * install does not have) the ports serve plain connections only, as 1.37 then does.
 */
function serverTls(keyFile: string, certFile: string, log: Logger): tls.SecureContext | undefined {
  if (keyFile.length === 0 || certFile.length === 0) return undefined;
  try {
    return tls.createSecureContext({ key: readFileSync(keyFile), cert: readFileSync(certFile) });
  } catch (e) {
    log.info(
      `no TLS on the web port: cannot use ssl key '${keyFile}' / ssl certificate '${certFile}': ${
        e instanceof Error ? e.message : String(e)
      }`,
    );
    return undefined;
  }
}

function listen(server: net.Server, bind: BindAddress): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    const done = () => {
      server.off("error", reject);
      const address = server.address();
      resolve(typeof address === "object" && address !== null ? address.port : 0);
    };
    if (bind.protocol === "unix") server.listen(bind.host, done);
    else server.listen(bind.port, bind.host === "*" ? undefined : bind.host, done);
  });
}

/** How long a connection refused for a cap may take to read its 503 before it is cut. */
const REFUSED_LINGER_MS = 1000;

/**
 * A new connection: checks `allow connections from` and the connection caps, then tells TLS from plain
 * by the first byte. The connection counts against the caps until it closes or is handed to the receiver.
 */
function accept(shared: Shared, bind: BindAddress, raw: net.Socket): void {
  const { log } = shared.options;
  // Loopback addresses stay apart here (and in the caps: local tools on 127.0.0.2 leave 127.0.0.1's slots).
  const remoteIp = peerAddress(raw.remoteAddress);
  const remotePort = raw.remotePort ?? 0;
  // Log lines name the client as 1.37's do (`localhost` for loopback).
  const peer = `${peerName(remoteIp)}:${remotePort}`;
  const onError = () => raw.destroy();
  raw.on("error", onError);
  if (!allowsPeer(shared.options.conf.web.allowConnectionsFrom, remoteIp)) {
    log.error(`web connection from ${peer} refused: not in [web] allow connections from`);
    raw.destroy();
    return;
  }
  const uncount = shared.caps.admit(remoteIp, peer);
  if (uncount === undefined) {
    refuseBusy(shared, raw);
    return;
  }
  const onClose = () => {
    uncount();
    shared.open.delete(raw);
  };
  shared.open.set(raw, () => raw.destroy());
  raw.once("close", onClose);
  // Covers the TLS layer too: its traffic is this socket's. Until the first whole request, the deadline is
  // `timeout for first request`; serve() then sets the idle one.
  raw.setTimeout(shared.limits.firstRequestTimeoutMs, () => raw.destroy());
  /** The socket leaves the listener for the receiver: nothing of ours stays attached or counted. */
  const handOver = () => {
    raw.off("error", onError);
    raw.off("close", onClose);
    raw.setTimeout(0);
    onClose();
  };
  const secure = shared.secure;
  if (secure === undefined) {
    serve(shared, bind, raw, { raw, remoteIp, remotePort, tls: false, handOver });
    return;
  }
  raw.once("data", (first: Buffer) => {
    raw.pause();
    raw.unshift(first);
    if (first[0] !== 0x16) {
      if (bind.ssl === "force") {
        log.error(`plain connection from ${peer} on '${bind.text}', which accepts only TLS (^SSL=force): closed`);
        raw.destroy();
        return;
      }
      serve(shared, bind, raw, { raw, remoteIp, remotePort, tls: false, handOver });
      return;
    }
    const secured = new tls.TLSSocket(raw, { isServer: true, secureContext: secure });
    const onTlsError = (e: Error) => {
      log.error(`TLS connection from ${peer} failed: ${e.message}`);
      secured.destroy();
    };
    secured.on("error", onTlsError);
    secured.once("close", onClose);
    const handOverTls = () => {
      secured.off("error", onTlsError);
      secured.off("close", onClose);
      handOver();
    };
    serve(shared, bind, secured, { raw, remoteIp, remotePort, tls: true, handOver: handOverTls });
  });
}

/**
 * Closes a connection over a cap at once: a plain-only port answers 503 first (a TLS-capable one cannot
 * without a handshake, which is the work the cap saves).
 */
function refuseBusy(shared: Shared, raw: net.Socket): void {
  if (shared.secure !== undefined) {
    raw.destroy();
    return;
  }
  const linger = setTimeout(() => raw.destroy(), REFUSED_LINGER_MS);
  raw.once("close", () => clearTimeout(linger));
  raw.on("data", () => {}); // read and dropped, so that closing does not reset the 503 away
  const refusal = encodeResponse(textResponse(503, "Too many connections: try again later"), {
    keepAlive: false,
    server: shared.server,
    nowMs: Date.now(),
  });
  for (const bytes of refusal) raw.write(bytes);
  raw.end();
}

interface Peer {
  /** The TCP socket: the served one itself when plain, the one under it with TLS. */
  readonly raw: net.Socket;
  /** The client's address ({@link peerAddress}): loopback as it is, not `localhost`. */
  readonly remoteIp: string;
  readonly remotePort: number;
  readonly tls: boolean;
  /** Called when the socket goes to the receiver. */
  readonly handOver: () => void;
}

/** Serves HTTP on `socket` with the routes of `bind`: `STREAM` to the receiver, `GET` to the API. */
function serve(shared: Shared, bind: BindAddress, socket: net.Socket, peer: Peer): void {
  const { log, onStream } = shared.options;
  const { remoteIp, remotePort, tls, handOver } = peer;
  const allowed = (acl: string) => bind.acl.length === 0 || bind.acl.includes(acl);
  let firstRequest = true;
  const route = (head: RequestHead, text: string): Route => {
    if (firstRequest) {
      firstRequest = false;
      peer.raw.setTimeout(shared.limits.idleTimeoutMs);
    }
    switch (head.method) {
      case "STREAM":
        if (!allowed("streaming")) {
          log.error(
            `STREAM request from ${
              peerName(remoteIp)
            }:${remotePort} on '${bind.text}', which does not serve streaming: closed`,
          );
          return { close: true };
        }
        return {
          takeOver: (extra) => {
            handOver();
            onStream({ socket, head: text, extra, remoteIp, remotePort, tls });
          },
        };
      case "GET":
        if (!allowed("dashboard")) return { response: textResponse(403, REFUSAL_NOT_ALLOWED), keepAlive: false };
        return { response: shared.api.handle(head.target, peerName(remoteIp)), keepAlive: wantsKeepAlive(head) };
      case "OPTIONS":
        return { response: CORS_PREFLIGHT, keepAlive: wantsKeepAlive(head) };
      default:
        return {
          response: textResponse(405, `Method ${head.method} is not supported: use GET (or STREAM to stream metrics)`),
          keepAlive: false,
        };
    }
  };
  const connection = serveHttp(socket, {
    limits: shared.limits,
    server: shared.server,
    log,
    peer: `${peerName(remoteIp)}:${remotePort}`,
    route,
  });
  shared.open.set(peer.raw, connection.close);
}
