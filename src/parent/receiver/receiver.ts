/**
 * The parent's receiving side: takes the streaming connections the web listener hands over, answers the
 * handshake as a 1.37 parent does (refusals in the order of protocol reference §4), finds or creates the
 * child's host with its store, and feeds the child's lines to it until the child leaves or breaks the
 * protocol. A bad line cuts off that child only.
 *
 * @module
 */

import type { Socket } from "node:net";
import type { StreamConf } from "../../config/stream_conf.ts";
import { Host, type HostIdentity } from "../../metrics/host.ts";
import { type Capabilities, CAPS_RILL } from "../../protocol/capabilities.ts";
import { canonicalGuid } from "../../protocol/guid.ts";
import type { ValidStreamRequest } from "../../protocol/handshake.ts";
import {
  negotiateAsParent,
  REFUSAL_ALREADY_STREAMING,
  REFUSAL_BUSY,
  REFUSAL_SAME_LOCALHOST,
} from "../../protocol/replies.ts";
import type { Logger, LogSink } from "../../runtime/log.ts";
import { checkAccess, type ReceiverSettings, type Refusal } from "./access.ts";
import {
  accessLogLine,
  type AccessLogStatus,
  CONNECTED,
  DENIED_MACHINE_GUID_IDENTICAL_TO_PARENT,
  REJECTED_ALREADY_CONNECTED,
  REJECTED_TOO_BUSY,
  type Requester,
} from "./access_log.ts";
import type { ReceiverPolicy } from "./admission.ts";
import type { ChildStreamObserver } from "./child_streams.ts";
import type { IncomingStream } from "./incoming.ts";
import { ChildConnection, type ReceiverConnection } from "./child_connection.ts";
import type { HostCatalogue, ParentHost } from "../storage/catalogue.ts";
import type { CreateStore, ReceiverStore } from "./store.ts";

/** What rill can take from a child: everything 1.37 speaks, LZ4 compression included. */
const OUR_CAPABILITIES: Capabilities = CAPS_RILL;

/** A receiver that got data this recently is alive: a second connection for its GUID is refused. */
const ALIVE_WINDOW_MS = 30_000;

/** How long a refused or closing socket may linger before it is destroyed. */
const LINGER_MS = 5_000;

/**
 * Options of {@link Receiver}.
 *
 * @example
 * ```ts
 * const options: ReceiverOptions = {
 *   catalogue, streamConf: cfg.stream, settings: receiverSettingsFrom(cfg.netdata), log,
 *   createStore: (policy, host) => new HostStore(host, { mode: policy.memoryMode, history: policy.history, log }),
 * };
 * ```
 */
export interface ReceiverOptions {
  /** The parent's hosts; its `localhost` GUID is the one children may not use. */
  readonly catalogue: HostCatalogue;
  readonly streamConf: StreamConf;
  /** The netdata.conf side (`receiverSettingsFrom(netdataConf)`). */
  readonly settings: ReceiverSettings;
  /** The error log; each connection logs under the tag `STREAM_RECEIVER[<host>,[<ip>]:<port>]`. */
  readonly log: Logger;
  /** The access log (one line per connect, refusal and disconnect); default: none. */
  readonly accessLog?: LogSink;
  /** Makes the store of a child seen for the first time. */
  readonly createStore: CreateStore;
  /** Seconds without data after which a child is cut off; default 600, as 1.37. */
  readonly timeoutSeconds?: number;
  /** The wall clock children's iterations are timed and rated by, epoch ms; default `Date.now`. */
  readonly now?: () => number;
  /** Hears children start and stop streaming (a proxy's cli streams their hosts onward); default: none. */
  readonly childStreams?: ChildStreamObserver;
}

/**
 * Receives children's streams. {@link handle} is the listener's `StreamHandler`.
 *
 * @example
 * ```ts
 * const receiver = new Receiver({ catalogue, streamConf, settings, log, createStore });
 * const listener = startListener({ onStream: receiver.handle });
 * // … on shutdown:
 * await receiver.close();
 * ```
 */
export class Receiver {
  readonly #options: ReceiverOptions;
  readonly #ownGuid: string;
  readonly #timeoutMs: number;
  readonly #byGuid = new Map<string, ChildConnection>();
  /** Each child host's store, for as long as the catalogue keeps the host. */
  readonly #stores = new WeakMap<Host, ReceiverStore>();
  /** Sockets being refused or closed, so {@link close} can finish them. */
  readonly #lingering = new Set<Socket>();
  #lastAcceptedMs: number | undefined;
  #closing = false;

  constructor(options: ReceiverOptions) {
    this.#options = options;
    // The request's GUID is canonical already (validateStreamRequest); the parent's own must be too.
    this.#ownGuid = canonicalGuid(options.catalogue.localhost.host.identity.machineGuid);
    this.#timeoutMs = (options.timeoutSeconds ?? 600) * 1000;
  }

  /** The children streaming now. */
  connections(): ReceiverConnection[] {
    return [...this.#byGuid.values()];
  }

  /** Takes over a streaming connection (the listener's `StreamHandler`). */
  readonly handle = (stream: IncomingStream): void => {
    const { socket } = stream;
    if (this.#closing) {
      socket.destroy();
      return;
    }
    const access = checkAccess(
      stream.head,
      stream.remoteIp,
      stream.remotePort,
      this.#options.streamConf,
      this.#options.settings,
    );
    if (!access.ok) return this.#refuse(socket, access.who, access.refusal);
    const { request, policy, who } = access;
    const hostPrefix = `STREAM ${request.hostname} [receive from [${who.ip}]:${who.port}]`;

    const now = Date.now();
    const everyMs = this.#options.settings.acceptStreamingRequestEverySeconds * 1000;
    if (everyMs > 0 && this.#lastAcceptedMs !== undefined && now - this.#lastAcceptedMs < everyMs) {
      const waitS = Math.ceil((this.#lastAcceptedMs + everyMs - now) / 1000);
      return this.#refuse(socket, who, {
        reply: REFUSAL_BUSY,
        status: REJECTED_TOO_BUSY,
        errorLog:
          `STREAM [receive from [${who.ip}]:${who.port}]: too busy to accept new streaming request. Will be allowed in ${waitS} secs.`,
      });
    }
    this.#lastAcceptedMs = now;

    const existing = this.#byGuid.get(request.machineGuid);
    if (existing !== undefined) {
      const silentS = Math.floor((now - existing.lastDataMs) / 1000);
      if (now - existing.lastDataMs <= ALIVE_WINDOW_MS) {
        return this.#refuse(socket, who, {
          reply: REFUSAL_ALREADY_STREAMING,
          status: REJECTED_ALREADY_CONNECTED,
          errorLog:
            `${hostPrefix}: multiple connections for same host detected - existing connection is active (within last ${silentS} sec), rejecting new connection.`,
        });
      }
      this.#options.log.info(
        `${hostPrefix}: multiple connections for same host detected - existing connection is dead (${silentS} sec), accepting new connection.`,
      );
      this.#byGuid.delete(request.machineGuid);
      existing.socket.destroy();
    }

    if (request.machineGuid === this.#ownGuid) {
      return this.#refuse(socket, who, {
        reply: REFUSAL_SAME_LOCALHOST,
        status: DENIED_MACHINE_GUID_IDENTICAL_TO_PARENT,
        errorLog:
          `STREAM ${request.hostname} [receive from ${who.ip}:${who.port}]: denied to receive metrics, machine GUID [${request.machineGuid}] is my own. Did you copy the parent/proxy machine GUID to a child, or is this an inter-agent loop?`,
      });
    }
    this.#accept(stream, request, policy, who, hostPrefix);
  };

  /**
   * Ends every child connection with a FIN and waits until they are closed (destroying those that do not
   * close within `graceMs`); new connections are refused from now on.
   */
  async close(graceMs = 2000): Promise<void> {
    this.#closing = true;
    const pending: Promise<void>[] = [];
    for (const conn of this.#byGuid.values()) {
      conn.socket.end();
      pending.push(conn.closed);
    }
    for (const socket of this.#lingering) {
      pending.push(new Promise((resolve) => socket.once("close", () => resolve())));
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((resolve) => timer = setTimeout(resolve, graceMs));
    await Promise.race([Promise.all(pending), late]);
    clearTimeout(timer);
    for (const conn of this.#byGuid.values()) conn.socket.destroy();
    for (const socket of this.#lingering) socket.destroy();
    await Promise.all(pending);
  }

  #access(who: Requester, status: AccessLogStatus): void {
    this.#options.accessLog?.(accessLogLine(who, status));
  }

  /** One write of the bare refusal, then a FIN; whatever the child still sends is read and dropped. */
  #refuse(socket: Socket, who: Requester, refusal: Refusal): void {
    this.#access(who, refusal.status);
    if (refusal.errorLog !== undefined) this.#options.log.error(refusal.errorLog);
    this.#linger(socket);
    socket.end(refusal.reply);
  }

  #linger(socket: Socket): void {
    this.#lingering.add(socket);
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    socket.on("error", () => socket.destroy());
    socket.once("close", () => {
      clearTimeout(timer);
      this.#lingering.delete(socket);
    });
    socket.resume();
  }

  #accept(
    stream: IncomingStream,
    request: ValidStreamRequest,
    policy: ReceiverPolicy,
    who: Requester,
    prefix: string,
  ): void {
    const entry = this.#entry(request, policy);
    const log = this.#options.log.child(`STREAM_RECEIVER[${request.hostname},[${who.ip}]:${who.port}]`);
    const { caps, reply } = negotiateAsParent({
      childVer: request.ver,
      hasProtocolVersionParam: request.hasProtocolVersionParam,
      ours: OUR_CAPABILITIES,
      compressionAllowed: policy.compression,
    });

    const identity = entry.host.identity;
    const health = policy.healthEnabled === "auto" ? "auto" : policy.healthEnabled ? "enabled" : "disabled";
    log.info(
      `${prefix}: client willing to stream metrics for host '${identity.hostname}' with machine_guid '${identity.machineGuid}': update every = ${identity.updateEvery}, history = ${policy.history}, memory mode = ${policy.memoryMode}, health ${health},${
        stream.tls ? " SSL," : ""
      } tags '${identity.tags}'`,
    );
    log.info(`${prefix}: initializing communication...`);

    const conn = new ChildConnection({
      socket: stream.socket,
      extra: stream.extra,
      entry,
      store: this.#stores.get(entry.host)!,
      policy,
      caps,
      who,
      log,
      prefix,
      timeoutMs: this.#timeoutMs,
      now: this.#options.now,
      closing: () => this.#closing,
      access: (status) => this.#access(who, status),
      onClose: () => {
        if (this.#byGuid.get(request.machineGuid) !== conn) return;
        this.#byGuid.delete(request.machineGuid);
        this.#options.catalogue.disconnected(entry);
        this.#options.childStreams?.ended(entry);
      },
    });
    this.#byGuid.set(request.machineGuid, conn);
    this.#options.catalogue.connected(entry, { hops: request.hops, peer: conn.peer, capabilities: caps });
    this.#access(who, CONNECTED);
    const clash = hostnameClash(this.#options.catalogue, entry);
    if (clash !== undefined) log.error(`${prefix}: ${clash}`);
    this.#options.childStreams?.started(entry, policy);
    conn.start(reply);
  }

  /** The child's catalogue entry: the known one (charts and stored data kept), or a new one with its store. */
  #entry(request: ValidStreamRequest, policy: ReceiverPolicy): ParentHost {
    const catalogue = this.#options.catalogue;
    const known = catalogue.byGuid(request.machineGuid);
    if (known !== undefined && this.#stores.has(known.host)) return known;
    const host = known?.host ?? new Host(identityOf(request, policy));
    const created = this.#options.createStore(policy, host);
    host.observe(created);
    this.#stores.set(host, created);
    const entry: ParentHost = {
      host,
      series: created,
      local: false,
      status: known?.status ?? { reachable: false, hops: request.hops, sinceS: 0, peer: "", capabilities: 0 },
    };
    catalogue.add(entry);
    return entry;
  }
}

function identityOf(request: ValidStreamRequest, policy: ReceiverPolicy): HostIdentity {
  const updateEvery = policy.updateEvery ?? request.updateEvery;
  return {
    hostname: request.hostname,
    registryHostname: request.registryHostname,
    machineGuid: request.machineGuid,
    os: request.os,
    timezone: request.timezone,
    abbrevTimezone: request.abbrevTimezone,
    utcOffset: request.utcOffset,
    tags: request.tags ?? "",
    updateEvery: updateEvery > 0 ? updateEvery : 1,
    systemInfo: request.systemInfo,
    programName: request.userAgent?.programName ?? "unknown",
    programVersion: request.userAgent?.programVersion ?? "unknown",
  };
}

/**
 * Why `/host/<hostname>/` does not lead to this newly connected child (its hostname is the parent's, a GUID
 * of another host, or shared by other streaming children), or `undefined` when it does.
 */
function hostnameClash(catalogue: HostCatalogue, entry: ParentHost): string | undefined {
  const { hostname, machineGuid } = entry.host.identity;
  const lookup = catalogue.find(hostname);
  const notHere = (why: string) => `/host/${hostname}/ does not lead to this host: ${why}; use /host/${machineGuid}/`;
  if (lookup.kind === "ambiguous") return notHere(`${lookup.guids.length} connected hosts use it`);
  if (lookup.kind !== "found" || lookup.entry === entry) return undefined;
  const owner = lookup.entry.local ? "this parent" : "the host";
  return notHere(`it names ${owner} with machine GUID ${lookup.entry.host.identity.machineGuid}`);
}
