/**
 * The parent's web port: one listener per `[web] bind to` entry serving both the streaming handshake and
 * the HTTP API, as Netdata's web server does.
 *
 * Built on `node:net`/`node:tls` rather than a runtime's HTTP server because a `STREAM` request's socket
 * must be handed over raw to the receiver. When `ssl key`/`ssl certificate` are configured, a port takes
 * TLS and plain connections alike, told apart by the first byte (0x16 starts a TLS handshake), except a
 * `^SSL=force` port, which closes plain connections. The first request head decides: `STREAM` goes to the
 * {@link StreamHandler} (paused, with nothing of ours attached), `GET` to the API with HTTP/1.1 keep-alive,
 * `OPTIONS` gets Netdata's CORS answer, anything else a 405.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { readFileSync } from "node:fs";
import * as net from "node:net";
import * as tls from "node:tls";
import type { BindAddress, NetdataConf } from "../../config/netdata_conf.ts";
import { findRequestEnd, MAX_REQUEST_HEAD_BYTES } from "../../protocol/handshake.ts";
import { REFUSAL_NOT_ALLOWED } from "../../protocol/replies.ts";
import type { Logger } from "../../runtime/log.ts";
import type { StreamHandler } from "../receiver/incoming.ts";
import type { HostRegistry } from "../receiver/registry.ts";
import { WebApi } from "./api/mod.ts";
import {
  CORS_PREFLIGHT,
  encodeResponse,
  HttpError,
  type HttpResponse,
  parseRequestHead,
  type RequestHead,
  textResponse,
  wantsKeepAlive,
} from "./http.ts";

/**
 * Per-connection limits.
 *
 * @example
 * ```ts
 * const limits: WebLimits = { headBytes: 16384, idleTimeoutMs: 60_000, requestsPerSecond: 100 };
 * ```
 */
export interface WebLimits {
  /** Largest request head; a longer one is answered 431 and the connection closed. */
  readonly headBytes: number;
  /** A connection silent this long (before its first request or between requests) is closed. */
  readonly idleTimeoutMs: number;
  /** More requests than this within one second on one connection are answered 429 and it is closed. */
  readonly requestsPerSecond: number;
}

const DEFAULT_LIMITS: WebLimits = {
  headBytes: MAX_REQUEST_HEAD_BYTES,
  idleTimeoutMs: 60_000,
  requestsPerSecond: 100,
};

/**
 * What {@link startWebListener} needs.
 *
 * @example
 * ```ts
 * const options: WebListenerOptions = { conf, registry, onStream: (s) => receiver.accept(s), log };
 * ```
 */
export interface WebListenerOptions {
  /** `[web]` gives mode, `bind to` (port 0 picks a free port), TLS files and `allow connections from`. */
  readonly conf: NetdataConf;
  readonly registry: HostRegistry;
  readonly onStream: StreamHandler;
  readonly log: Logger;
  readonly limits?: Partial<WebLimits>;
  /** The API's clock, epoch ms; `Date.now` by default. */
  readonly nowMs?: () => number;
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

/**
 * The client address as Netdata's `allow from` patterns see it: `localhost` for loopback, IPv4 without
 * the `::ffff:` of a dual-stack socket.
 *
 * @example
 * ```ts
 * clientAddress("::ffff:127.0.0.1"); // "localhost"
 * clientAddress("::ffff:10.1.2.3"); // "10.1.2.3"
 * ```
 */
export function clientAddress(address: string | undefined): string {
  const ip = (address ?? "").startsWith("::ffff:") && (address ?? "").includes(".") ? address!.slice(7) : address ?? "";
  return ip === "::1" || ip.startsWith("127.") ? "localhost" : ip;
}

/** The shared state of all ports of one listener. */
interface Shared {
  readonly options: WebListenerOptions;
  readonly limits: WebLimits;
  readonly api: WebApi;
  readonly secure: tls.SecureContext | undefined;
  readonly server: string;
  /** Open connections that are still HTTP (not handed to the receiver), with how to end each. */
  readonly open: Map<net.Socket, () => void>;
}

/**
 * Starts listening on every `[web] bind to` entry (none with `[web] mode = none`). Rejects when a port
 * cannot be bound.
 *
 * @example
 * ```ts
 * const web = await startWebListener({ conf, registry, onStream: (stream) => receiver.accept(stream), log });
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
  const identity = options.registry.localhost.host.identity;
  const shared: Shared = {
    options,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    api: new WebApi({ registry: options.registry, conf: options.conf, nowMs: options.nowMs }),
    secure,
    server: `${identity.programName}/${identity.programVersion}`,
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
      const server = net.createServer((socket) => accept(shared, bind, socket));
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

/** A new connection: checks `allow connections from`, then tells TLS from plain by the first byte. */
function accept(shared: Shared, bind: BindAddress, raw: net.Socket): void {
  const { log } = shared.options;
  const remoteIp = clientAddress(raw.remoteAddress);
  const remotePort = raw.remotePort ?? 0;
  const peer = `${remoteIp}:${remotePort}`;
  const onError = () => raw.destroy();
  const onClose = () => shared.open.delete(raw);
  raw.on("error", onError);
  if (!shared.options.conf.web.allowConnectionsFrom.matches(remoteIp)) {
    log.error(`web connection from ${peer} refused: not in [web] allow connections from`);
    raw.destroy();
    return;
  }
  shared.open.set(raw, () => raw.destroy());
  raw.once("close", onClose);
  // Covers the TLS layer too: its traffic is this socket's.
  raw.setTimeout(shared.limits.idleTimeoutMs, () => raw.destroy());
  const release = () => {
    raw.off("error", onError);
    raw.off("close", onClose);
    raw.setTimeout(0);
    shared.open.delete(raw);
  };
  const secure = shared.secure;
  if (secure === undefined) {
    serveHttp(shared, bind, { socket: raw, raw, release }, { remoteIp, remotePort, tls: false });
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
      serveHttp(shared, bind, { socket: raw, raw, release }, { remoteIp, remotePort, tls: false });
      raw.resume();
      return;
    }
    const secured = new tls.TLSSocket(raw, { isServer: true, secureContext: secure });
    const onTlsError = (e: Error) => {
      log.error(`TLS connection from ${peer} failed: ${e.message}`);
      secured.destroy();
    };
    secured.on("error", onTlsError);
    const releaseTls = () => {
      secured.off("error", onTlsError);
      release();
    };
    serveHttp(shared, bind, { socket: secured, raw, release: releaseTls }, { remoteIp, remotePort, tls: true });
  });
}

interface Peer {
  readonly remoteIp: string;
  readonly remotePort: number;
  readonly tls: boolean;
}

/**
 * Reads request heads off `socket` and answers them until it closes or is handed to the receiver;
 * `raw` is the TCP socket under it (itself when plain); `release` drops what the accepting code attached.
 */
function serveHttp(
  shared: Shared,
  bind: BindAddress,
  conn: { readonly socket: net.Socket; readonly raw: net.Socket; readonly release: () => void },
  peer: Peer,
): void {
  const { socket, raw, release } = conn;
  const { log, onStream } = shared.options;
  const limits = shared.limits;
  let buffered: Buffer = Buffer.alloc(0);
  let searchFrom = 0;
  let second = 0;
  let requestsInSecond = 0;
  let handedOver = false;

  const reply = (response: HttpResponse, keepAlive: boolean) => {
    const bytes = encodeResponse(response, { keepAlive, server: shared.server, nowMs: Date.now() });
    if (keepAlive) socket.write(bytes);
    else {
      socket.end(bytes);
      detach();
    }
  };
  // Ends an idle connection at close(); one in the middle of a request is cut.
  const endIdle = () => (buffered.length === 0 ? socket.end() : socket.destroy());
  shared.open.set(raw, endIdle);

  const onData = (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    while (!handedOver && !socket.destroyed && socket.writable) {
      const end = findRequestEnd(buffered, searchFrom);
      if (end < 0 ? buffered.length > limits.headBytes : end > limits.headBytes) {
        reply(textResponse(431, `Request head longer than ${limits.headBytes} bytes`), false);
        return;
      }
      if (end < 0) {
        searchFrom = Math.max(0, buffered.length - 3);
        return;
      }
      // The head without the blank line that ends it: request line and headers, each CRLF-terminated.
      const text = buffered.subarray(0, end - 2).toString("utf8");
      buffered = buffered.subarray(end);
      searchFrom = 0;
      const now = Math.floor(Date.now() / 1000);
      if (now !== second) [second, requestsInSecond] = [now, 0];
      if (++requestsInSecond > limits.requestsPerSecond) {
        reply(textResponse(429, `More than ${limits.requestsPerSecond} requests per second on one connection`), false);
        return;
      }
      let head: RequestHead;
      try {
        head = parseRequestHead(text);
      } catch (e) {
        if (!(e instanceof HttpError)) throw e;
        reply(textResponse(e.status, e.message), false);
        return;
      }
      handle(head, text);
    }
  };

  const handle = (head: RequestHead, text: string) => {
    const allowed = (acl: string) => bind.acl.length === 0 || bind.acl.includes(acl);
    switch (head.method) {
      case "STREAM":
        if (!allowed("streaming")) {
          log.error(
            `STREAM request from ${peer.remoteIp}:${peer.remotePort} on '${bind.text}', which does not serve streaming: closed`,
          );
          socket.destroy();
          return;
        }
        handedOver = true;
        detach();
        socket.pause();
        onStream({ socket, head: text, extra: new Uint8Array(buffered), ...peer });
        return;
      case "GET":
        if (!allowed("dashboard")) reply(textResponse(403, REFUSAL_NOT_ALLOWED), false);
        else {
          // Interim until the listener awaits replies in request order: answered whenever ready.
          void shared.api.handle(head.target, peer.remoteIp).then((r) => {
            if (!socket.destroyed) reply(r, wantsKeepAlive(head));
          });
        }
        return;
      case "OPTIONS":
        reply(CORS_PREFLIGHT, wantsKeepAlive(head));
        return;
      default:
        // Without knowing the body's framing the connection cannot go on.
        reply(
          textResponse(405, `Method ${head.method} is not supported: use GET (or STREAM to stream metrics)`),
          false,
        );
    }
  };

  const onEnd = () => socket.end();
  function detach(): void {
    socket.off("data", onData);
    socket.off("end", onEnd);
    release();
  }
  socket.on("data", onData);
  socket.on("end", onEnd);
}
