/**
 * One accepted child's connection: its bytes go through a {@link SlicedIntake} to the decoder and the
 * child's {@link ChildSession}, its replies back to the socket with regard for backpressure, and its end
 * (the child leaving, an error, a protocol violation, the receive timeout) is logged as 1.37 logs it. The
 * {@link Receiver} decides whether a child may stream; this file only runs the stream it admitted.
 *
 * @module
 */

import type { Socket } from "node:net";
import type { ReceiverPolicy } from "./admission.ts";
import { CAP_COMPRESSION, CAP_ZSTD, type Capabilities, capabilityNames } from "../../protocol/capabilities.ts";
import { ProtocolError } from "../../protocol/errors.ts";
import { ChildStreamDecoder } from "../../protocol/stream_decoder.ts";
import type { Logger } from "../../runtime/log.ts";
import type { ParentHost } from "../storage/catalogue.ts";
import { type AccessLogStatus, DISCONNECTED, type Requester } from "./access_log.ts";
import { lz4Input, zstdInput } from "./compressed_input.ts";
import { SlicedIntake } from "./intake.ts";
import { StreamRefused } from "./refused.ts";
import { ChildSession } from "./session.ts";
import type { ReceiverStore } from "./store.ts";

/**
 * A connected child, as tests and the API may look at it.
 *
 * @example
 * ```ts
 * for (const c of receiver.connections()) console.log(c.entry.host.identity.hostname, c.session.updates);
 * ```
 */
export interface ReceiverConnection {
  readonly entry: ParentHost;
  /** `ip:port` of the child. */
  readonly peer: string;
  /** The negotiated capabilities. */
  readonly caps: Capabilities;
  /** What the child's stream did so far (iterations, replication requests and answers). */
  readonly session: ChildSession;
  /** When data last arrived (epoch ms). */
  readonly lastDataMs: number;
}

/**
 * What a {@link ChildConnection} runs on.
 *
 * @example
 * ```ts
 * const options: ChildConnectionOptions = {
 *   socket, extra, entry, store, policy, caps, who, log, prefix, timeoutMs: 600_000,
 *   closing: () => false, onClose: (conn) => {}, access: (status) => {},
 * };
 * ```
 */
export interface ChildConnectionOptions {
  readonly socket: Socket;
  /** Bytes that came with the request head (the stream's start). */
  readonly extra: Uint8Array;
  readonly entry: ParentHost;
  readonly store: ReceiverStore;
  readonly policy: ReceiverPolicy;
  readonly caps: Capabilities;
  readonly who: Requester;
  /** The connection's error log (tagged `STREAM_RECEIVER[…]`). */
  readonly log: Logger;
  /** `STREAM <host> [receive from [<ip>]:<port>]` */
  readonly prefix: string;
  /** Without data this long, the child is cut off. */
  readonly timeoutMs: number;
  /** The wall clock iterations are timed and rated by, epoch ms. */
  readonly now?: () => number;
  /** True while the parent shuts down: the child's end of file is then no error. */
  readonly closing: () => boolean;
  /** One access-log status (`DISCONNECTED`). */
  readonly access: (status: AccessLogStatus) => void;
  /** The socket closed (after the session's last line was applied). */
  readonly onClose: (conn: ChildConnection) => void;
}

/**
 * A child streaming to this parent.
 *
 * @example
 * ```ts
 * const conn = new ChildConnection(options);
 * conn.start(reply); // the handshake reply, then the child's lines flow
 * await conn.closed;
 * ```
 */
export class ChildConnection implements ReceiverConnection {
  readonly entry: ParentHost;
  readonly peer: string;
  readonly caps: Capabilities;
  readonly session: ChildSession;
  readonly socket: Socket;
  readonly closed: Promise<void>;
  lastDataMs: number = Date.now();
  readonly #options: ChildConnectionOptions;
  /** The child's input, in slices; also pauses the socket while replies wait for the child to read. */
  readonly #intake: SlicedIntake;
  /** Why the connection ends, once it does. */
  #reason: string | undefined;
  #markClosed!: () => void;

  constructor(options: ChildConnectionOptions) {
    this.#options = options;
    const { socket, entry, who, log, prefix } = options;
    this.entry = entry;
    this.socket = socket;
    this.caps = options.caps;
    this.peer = `${who.ip}:${who.port}`;
    this.closed = new Promise<void>((resolve) => this.#markClosed = resolve);
    const hostname = entry.host.identity.hostname;
    this.session = new ChildSession({
      host: entry.host,
      store: options.store,
      policy: options.policy,
      caps: options.caps,
      log,
      prefix,
      peer: this.peer,
      now: options.now,
      send: (line) => this.#send(line),
      claimed: (claimId) => entry.status.claimId = claimId,
    });
    const decoder = new ChildStreamDecoder(`${hostname} [${who.ip}]:${who.port}`);
    this.#intake = new SlicedIntake(
      socket,
      { apply: (bytes) => decoder.push(bytes, this.session), progress: this.session },
      (e) => {
        log.error(refusalMessage(e, hostname, prefix));
        this.#cutOff("protocol");
      },
      undefined,
      options.caps & CAP_ZSTD ? zstdInput() : options.caps & CAP_COMPRESSION ? lz4Input() : undefined,
    );
  }

  /** Writes the handshake reply, then reads the child's stream, starting with the bytes that came with the head. */
  start(reply: string): void {
    const { socket, log, prefix, timeoutMs } = this.#options;
    socket.write(reply);
    log.info(`${prefix}: established link with negotiated capabilities: ${capabilityNames(this.caps)}`);
    log.info(`${prefix}: receiving metrics...`);
    socket.on("data", this.#onData);
    socket.setTimeout(timeoutMs, () => {
      log.error(`${prefix}: read failed: no data for ${timeoutMs / 1000} seconds.`);
      this.#cutOff("timeout");
    });
    socket.on("end", () => {
      if (this.#reason === undefined && !this.#options.closing()) log.error("read failed: end of file");
      this.#reason ??= "end of file";
      socket.end();
    });
    socket.on("error", (e) => {
      if (this.#reason === undefined) log.error(`read failed: ${e.message}`);
      this.#cutOff("error");
    });
    socket.once("close", () => {
      this.#intake.stop();
      log.info(`${prefix}: disconnected (completed ${this.session.updates} updates).`);
      this.#options.access(DISCONNECTED);
      this.#options.onClose(this);
      this.#markClosed();
    });
    // Reading starts before the bytes that came with the head are taken: if they need more than this turn's
    // slice, the intake pauses the socket again until they are done.
    socket.resume();
    if (this.#options.extra.length > 0) this.#onData(this.#options.extra);
  }

  readonly #onData = (chunk: Uint8Array): void => {
    this.lastDataMs = Date.now();
    this.#intake.push(chunk);
  };

  #cutOff(why: string): void {
    this.#reason ??= why;
    this.socket.destroy();
  }

  /** Writes a parent → child line; while the socket's buffer is full the child's input waits. */
  #send(line: string): void {
    const socket = this.socket;
    if (socket.destroyed || socket.write(line)) return;
    if (this.#intake.hold("write")) socket.once("drain", () => this.#intake.release("write"));
  }
}

/** The error-log line for a stream that broke off: Netdata's wording where it has one. */
function refusalMessage(e: unknown, hostname: string, prefix: string): string {
  if (e instanceof StreamRefused) return e.message;
  if (e instanceof ProtocolError && e.code === "unknown-keyword") {
    return `sent command '${e.keyword}' which is not known by netdata, for host '${hostname}'. Disabling it.`;
  }
  if (e instanceof ProtocolError) return `${prefix}: ${e.message}. Disabling it.`;
  return `${prefix}: ${e instanceof Error ? e.message : String(e)}. Disabling it.`;
}
