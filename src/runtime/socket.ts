/**
 * Outgoing stream connections: TCP, unix sockets and TLS over TCP, with a connect timeout, and errors
 * worded as Netdata logs them (`errno 111, Connection refused`).
 *
 * @module
 */

import { readdirSync, readFileSync } from "node:fs";
import { isIP, type Socket } from "node:net";
import * as net from "node:net";
import { join } from "node:path";
import type * as Tls from "node:tls";

// node:tls is loaded on the first `:SSL` connect only: importing it costs a compiled Bun binary ≈ 0.3 MB of
// VmRSS (its JS and the code it pages in) that plain-TCP collectors never need.
let tlsModule: Promise<typeof Tls> | undefined;
function loadTls(): Promise<typeof Tls> {
  return tlsModule ??= import("node:tls");
}

/**
 * Where to connect; the protocol core's `Destination` has this shape (runtime imports nothing of rill).
 *
 * @example
 * ```ts
 * const target: SocketTarget = { protocol: "tcp", host: "127.0.0.1", port: 19999, ssl: false };
 * ```
 */
export interface SocketTarget {
  readonly protocol: string;
  /** Host name or IP, or the socket path for `unix`. */
  readonly host: string;
  readonly port: number;
  /** IPv6 scope interface. */
  readonly interface?: string;
  readonly ssl: boolean;
}

/**
 * How to check a parent's certificate.
 *
 * @example
 * ```ts
 * const trust: TlsTrust = { verify: true, caFile: "/etc/ssl/certs/parent_cert.pem", caPath: undefined };
 * ```
 */
export interface TlsTrust {
  /** False with `ssl skip certificate verification = yes`. */
  readonly verify: boolean;
  /** `CAfile`: certificates trusted in addition to the system's. */
  readonly caFile: string | undefined;
  /** `CApath`: a folder of certificates trusted in addition to the system's. */
  readonly caPath: string | undefined;
}

/**
 * Why a connection could not be made, with the errno and text Netdata's log line shows.
 *
 * @example
 * ```ts
 * new ConnectError("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:1").errnoText; // "errno 111, Connection refused"
 * ```
 */
export class ConnectError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = "ConnectError";
    this.code = code;
  }

  /** `errno N, text` for the codes a connect usually fails with, else the code and message. */
  get errnoText(): string {
    const known = ERRNO[this.code];
    return known === undefined ? `${this.code}, ${this.message}` : `errno ${known[0]}, ${known[1]}`;
  }
}

// Linux errno numbers and strerror texts, so that log lines read as Netdata's do.
const ERRNO: Readonly<Record<string, readonly [number, string]>> = {
  ENOENT: [2, "No such file or directory"],
  EACCES: [13, "Permission denied"],
  ENETUNREACH: [101, "Network is unreachable"],
  ECONNRESET: [104, "Connection reset by peer"],
  ETIMEDOUT: [110, "Connection timed out"],
  ECONNREFUSED: [111, "Connection refused"],
  EHOSTUNREACH: [113, "No route to host"],
  EAI_AGAIN: [-3, "Temporary failure in name resolution"],
  ENOTFOUND: [-2, "Name or service not known"],
};

function certificatesIn(tls: typeof Tls, trust: TlsTrust): string[] | undefined {
  const extra: string[] = [];
  if (trust.caFile !== undefined) extra.push(readFileSync(trust.caFile, "utf8"));
  if (trust.caPath !== undefined) {
    for (const name of readdirSync(trust.caPath)) {
      try {
        const text = readFileSync(join(trust.caPath, name), "utf8");
        if (text.includes("-----BEGIN CERTIFICATE-----")) extra.push(text);
      } catch {
        // Sub-folders and unreadable entries are not certificates; OpenSSL skips them too.
      }
    }
  }
  // Like OpenSSL's load_verify_locations, the given certificates add to the default trust store.
  return extra.length === 0 ? undefined : [...tls.rootCertificates, ...extra];
}

/**
 * Connects to a destination within `timeoutMs`. With `:SSL` the TLS handshake is part of the connect.
 * Verification checks the certificate chain only, as Netdata 1.37 does (a certificate for another name
 * that chains to a trusted CA is accepted, so setups that work with Netdata keep working).
 *
 * @example
 * ```ts
 * const trust = { verify: true, caFile: undefined, caPath: undefined };
 * const target = { protocol: "tcp", host: "127.0.0.1", port: 19999, ssl: false };
 * const socket = await connectTo(target, 5000, trust, AbortSignal.timeout(10_000));
 * ```
 */
export function connectTo(
  dest: SocketTarget,
  timeoutMs: number,
  trust: TlsTrust,
  signal?: AbortSignal,
): Promise<Socket> {
  if (!dest.ssl) return connectWith(undefined, dest, timeoutMs, trust, signal);
  return loadTls().then((tls) => connectWith(tls, dest, timeoutMs, trust, signal));
}

function connectWith(
  tls: typeof Tls | undefined,
  dest: SocketTarget,
  timeoutMs: number,
  trust: TlsTrust,
  signal?: AbortSignal,
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    let socket: Socket;
    try {
      if (dest.protocol === "unix") {
        socket = net.connect({ path: dest.host });
      } else {
        const host = dest.interface !== undefined && isIP(dest.host) === 6
          ? `${dest.host}%${dest.interface}`
          : dest.host;
        socket = dest.ssl && tls !== undefined
          ? tls.connect({
            host,
            port: dest.port,
            servername: isIP(dest.host) === 0 ? dest.host : undefined,
            rejectUnauthorized: trust.verify,
            ca: certificatesIn(tls, trust),
            checkServerIdentity: () => undefined,
          })
          : net.connect({ host, port: dest.port });
      }
    } catch (e) {
      reject(new ConnectError("EINVAL", e instanceof Error ? e.message : String(e)));
      return;
    }
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ConnectError("ETIMEDOUT", `no connection within ${timeoutMs} ms`));
    }, timeoutMs);
    const abort = () => {
      clearTimeout(timer);
      socket.destroy();
      reject(new ConnectError("ECANCELED", "connection attempt cancelled"));
    };
    if (signal?.aborted) return abort();
    signal?.addEventListener("abort", abort, { once: true });
    const ready = dest.ssl ? "secureConnect" : "connect";
    socket.once(ready, () => {
      signal?.removeEventListener("abort", abort);
      clearTimeout(timer);
      socket.removeAllListeners("error");
      resolve(socket);
    });
    socket.once("error", (e: NodeJS.ErrnoException) => {
      signal?.removeEventListener("abort", abort);
      clearTimeout(timer);
      socket.destroy();
      reject(new ConnectError(e.code ?? "EIO", e.message));
    });
  });
}
