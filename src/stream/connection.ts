/**
 * One established connection to a parent: the bounded send queue (framed when compression was
 * negotiated) and what happens at its bound (logged; the connection stays), the send timeout, the
 * parent's commands decoded from what it sends back, and how the connection ends, with a 1.37 child's log
 * line for each reason.
 *
 * @module
 */

import type { StreamSenderConfig } from "../config/stream_conf.ts";
import { CAP_BINARY, CAP_COMPRESSION, CAP_ZSTD, type Capabilities } from "../protocol/capabilities.ts";
import type { ParentCommand } from "../protocol/commands.ts";
import type { Destination } from "../protocol/destination.ts";
import { Lz4FrameEncoder } from "../protocol/lz4_frame.ts";
import { ParentStreamDecoder } from "../protocol/stream_decoder.ts";
import type { Logger } from "../runtime/log.ts";
import type { Link } from "./failover.ts";
import { type Overflow, SendQueue } from "./send_queue.ts";
import { ZstdFraming } from "./zstd_framing.ts";

/** Why a connection ended, for the log and for tests. */
export type ConnectionEnd = "closed by parent" | "timeout" | "stopped" | "error";

/**
 * What a {@link Connection} runs on.
 *
 * @example
 * ```ts
 * const options: ConnectionOptions = {
 *   link, config, log, prefix: "STREAM edge-1 [send to 10.0.0.1:19999]", sentBefore: 0, onRoom: () => encoder.resume(),
 * };
 * ```
 */
export interface ConnectionOptions {
  readonly link: Link;
  readonly config: StreamSenderConfig;
  readonly log: Logger;
  /** `STREAM <host> [send to <destination>]` */
  readonly prefix: string;
  /** Bytes the sender sent on earlier connections (for the overflow log line). */
  readonly sentBefore: number;
  /** After the buffer was full, the parent has read half of it: what was held back may go now. */
  readonly onRoom: () => void;
}

/**
 * A connection a parent accepted.
 *
 * @example
 * ```ts
 * const conn = new Connection({ link, config, log, prefix, sentBefore: 0 });
 * conn.start((command) => answers.answer(command));
 * conn.send("BEGIN \"system.load\" 0\nSET \"load1\" = 520\nEND\n"); // false at the bound
 * await conn.ended; // "closed by parent", "timeout", …
 * ```
 */
export class Connection {
  readonly destination: Destination;
  readonly caps: Capabilities;
  readonly queue: SendQueue;
  readonly ended: Promise<ConnectionEnd>;
  readonly #options: ConnectionOptions;
  readonly #watchdog: ReturnType<typeof setInterval>;
  #resolveEnded!: (reason: ConnectionEnd) => void;
  #over = false;

  constructor(options: ConnectionOptions) {
    const { link, config, log, prefix } = options;
    this.#options = options;
    this.destination = link.destination;
    this.caps = link.caps;
    this.ended = new Promise<ConnectionEnd>((resolve) => this.#resolveEnded = resolve);
    // Where 1.37 closes the connection and loses the buffer, rill keeps both and holds new data back.
    const full = (o: Overflow) => {
      const sent = this.queue.bytesSent;
      log.error(
        `${prefix}: too many data pending - buffer is ${config.bufferSizeBytes} bytes long, ${o.pending} unsent - we have sent ${
          options.sentBefore + sent
        } bytes in total, ${sent} on this connection. Keeping the connection: new samples wait in the replay ring until the parent reads.`,
      );
    };
    const room = () => {
      log.info(`${prefix}: the parent read half of the buffer: sending what was held back.`);
      options.onRoom();
    };
    // A new encoder per connection: the parent's decoder starts each connection with an empty history.
    const mayCutLines = (link.caps & CAP_BINARY) !== 0;
    const framing = link.caps & CAP_ZSTD
      ? new ZstdFraming(mayCutLines)
      : link.caps & CAP_COMPRESSION
      ? new Lz4FrameEncoder(mayCutLines)
      : undefined;
    this.queue = new SendQueue(link.socket, config.bufferSizeBytes, framing, { full, room });
    this.#watchdog = setInterval(() => {
      const stalledMs = Date.now() - this.queue.lastProgressMs;
      if (this.queue.pendingBytes > 0 && stalledMs > config.timeoutSeconds * 1000) {
        log.error(
          `${prefix}: could not send metrics for ${config.timeoutSeconds} seconds - closing connection - we have sent ${this.queue.bytesSent} bytes on this connection.`,
        );
        this.end("timeout");
      }
    }, 1000);
  }

  /**
   * Starts reading the parent: each command it sends goes to `onCommand`, beginning with those that came
   * with the handshake reply. A 1.37 child logs what it does not understand from its parent and goes on.
   */
  start(onCommand: (command: ParentCommand) => void): void {
    const { link, log, prefix } = this.#options;
    const socket = link.socket;
    let decoder = new ParentStreamDecoder(link.destination.text);
    const onData = (chunk: Uint8Array | string) => {
      try {
        decoder.push(chunk, onCommand);
      } catch (e) {
        log.error(`${prefix}: ${e instanceof Error ? e.message : String(e)}; ignoring it.`);
        decoder = new ParentStreamDecoder(link.destination.text);
      }
    };
    socket.on("data", onData);
    socket.on("error", (e) => {
      if (!this.#over) log.error(`${prefix}: connection error: ${e.message}`);
      this.end("error");
    });
    socket.on("close", () => {
      if (!this.#over) log.error(`${prefix}: the parent closed the connection.`);
      this.end("closed by parent");
    });
    if (link.rest !== "") onData(link.rest);
    socket.resume();
  }

  /** Queues text for the parent; false when refused at the bound (see {@link SendQueue.send}). */
  send(text: string): boolean {
    return this.queue.send(text);
  }

  /** Ends the connection: cleanly when stopped (the parent sees an orderly disconnect), else at once. */
  end(reason: ConnectionEnd): void {
    if (this.#over) return;
    this.#over = true;
    clearInterval(this.#watchdog);
    this.queue.close();
    if (reason === "stopped") this.#options.link.socket.end();
    else this.#options.link.socket.destroy();
    this.#resolveEnded(reason);
  }
}
