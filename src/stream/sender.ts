/**
 * The sending side of streaming, as a 1.37 child does it: it connects to the first destination that
 * accepts (./failover.ts) after the handshake (./handshake.ts), sends the host over that connection
 * (./chart_encoder.ts) through its bounded queue (./connection.ts), answers the parent (./answers.ts,
 * replication from the injected ./replay_source.ts), and reconnects with Netdata's delays when the
 * connection ends. At the buffer's bound it keeps the connection and holds charts back; once the parent
 * has read half the buffer, the waiting replication answers go first, then the held charts are defined
 * again, and the parent asks for what it missed (what the replay source no longer holds is logged).
 *
 * @module
 */

import type { StreamSenderConfig } from "../config/stream_conf.ts";
import type { Chart } from "../metrics/chart.ts";
import type { Host, HostObserver } from "../metrics/host.ts";
import { type Capabilities, CAPS_1_37_NO_COMPRESSION, CAPS_RILL } from "../protocol/capabilities.ts";
import type { Destination } from "../protocol/destination.ts";
import type { Logger } from "../runtime/log.ts";
import { ParentAnswers } from "./answers.ts";
import { ChartEncoder } from "./chart_encoder.ts";
import { Connection } from "./connection.ts";
import { Failover, type Link } from "./failover.ts";
import { handshakeAsChild } from "./handshake.ts";
import type { ReplaySource } from "./replay_source.ts";
import { SenderStats } from "./sender_stats.ts";

/**
 * Options of {@link StreamSender}.
 *
 * @example
 * ```ts
 * const options: SenderOptions = {
 *   host, config: readConfigDir("/etc/netdata").stream.stream, log, replay: ring,
 * };
 * ```
 */
export interface SenderOptions {
  readonly host: Host;
  readonly config: StreamSenderConfig;
  readonly log: Logger;
  /** Answers the parent's `REPLAY_CHART`s. */
  readonly replay: ReplaySource;
  /**
   * Capabilities offered in `ver=`; by default what a 1.37 child offers and zstd ({@link CAPS_RILL}) when
   * `[stream] enable compression` is yes, else {@link CAPS_1_37_NO_COMPRESSION} (15352).
   */
  readonly offer?: Capabilities;
  /**
   * `hops=` of the handshake: 1 for the node's own host (default), and for a host received from a child
   * (a proxy) the hops it came with plus one, as 1.37 sends them.
   */
  readonly hops?: number;
}

/** One established connection and what it sends. */
interface Session {
  readonly connection: Connection;
  readonly encoder: ChartEncoder;
  readonly answers: ParentAnswers;
}

/**
 * Streams a host to the first parent of `[stream] destination` that accepts it.
 *
 * @example
 * ```ts
 * const sender = new StreamSender({ host, config: cfg.stream.stream, log, replay: ring });
 * sender.start();
 * // … on SIGTERM:
 * await sender.stop();
 * ```
 */
export class StreamSender implements HostObserver {
  readonly host: Host;
  readonly config: StreamSenderConfig;
  readonly offer: Capabilities;
  readonly hops: number;
  /** Bytes sent over all connections. */
  bytesSentTotal = 0;
  /** The destination of the current connection, if any. */
  connectedTo: Destination | undefined;
  /** Connections, disconnects, bytes and buffer, for self-monitoring. */
  readonly stats: SenderStats;
  readonly #log: Logger;
  readonly #replay: ReplaySource;
  readonly #failover: Failover;
  #session: Session | undefined;
  #running = false;
  /** Aborts a connection attempt or handshake in flight when the sender stops. */
  #stopping = new AbortController();
  #loop: Promise<void> | undefined;
  #unobserve: (() => void) | undefined;
  /** Epoch seconds when the last connection ended (the parent has had nothing since); 0 before one. */
  #missedSinceS = 0;

  constructor(options: SenderOptions) {
    this.host = options.host;
    this.config = options.config;
    this.offer = options.offer ??
      (options.config.enableCompression ? CAPS_RILL : CAPS_1_37_NO_COMPRESSION);
    this.hops = options.hops ?? 1;
    this.#log = options.log;
    this.#replay = options.replay;
    this.#failover = new Failover(options.config, options.log, (dest) => this.#prefix(dest));
    this.stats = new SenderStats(options.config.bufferSizeBytes);
  }

  /** Bytes waiting to be sent on the current connection (never more than `buffer size bytes`). */
  get pendingBytes(): number {
    return this.stats.pendingBytes;
  }

  /** Charts held back on the current connection (the buffer was full), waiting to be defined again. */
  get heldCharts(): number {
    return this.#session?.encoder.heldCharts ?? 0;
  }

  /** Starts connecting; returns at once. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#stopping = new AbortController();
    this.#unobserve = this.host.observe(this);
    this.#loop = this.#run();
  }

  /**
   * Stops: what is queued is written (for up to `graceMs`), the connection is closed cleanly so the parent
   * sees an orderly disconnect, and no reconnection follows.
   */
  async stop(graceMs = 2000): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#stopping.abort();
    this.#unobserve?.();
    this.#failover.wake();
    const connection = this.#session?.connection;
    if (connection !== undefined) {
      await connection.queue.drain(graceMs);
      connection.end("stopped");
    }
    await this.#loop;
  }

  /** Host observer: a chart finished an iteration. */
  collected(chart: Chart): void {
    this.#session?.encoder.collected(chart);
  }

  /** Host observer: a chart changed between iterations (e.g. it became obsolete). */
  changed(chart: Chart): void {
    this.#session?.encoder.changed(chart);
  }

  /** Host observer: a host variable changed; a 1.37 child sends it at once. */
  variableChanged(name: string, value: number): void {
    this.#session?.encoder.variableChanged(name, value);
  }

  #prefix(destination: Destination | undefined): string {
    return `STREAM ${this.host.identity.hostname} [send to ${destination?.text ?? this.config.destinationText}]`;
  }

  async #run(): Promise<void> {
    while (this.#running) {
      const signal = this.#stopping.signal;
      this.stats.connecting();
      const link = await this.#failover.connect(signal, (socket, destination) =>
        handshakeAsChild(socket, {
          identity: this.host.identity,
          apiKey: this.config.apiKey,
          offer: this.offer,
          hops: this.hops,
          timeoutMs: this.config.timeoutSeconds * 1000,
          signal,
          log: this.#log,
          prefix: this.#prefix(destination),
          tls: destination.ssl,
        }).then((outcome) => this.stats.handshakeEnded(outcome)));
      if (link === undefined) {
        if (this.#running) await this.#failover.pause(this.#failover.nextAttemptDelayMs());
        continue;
      }
      const session = this.#open(link);
      this.#session = session;
      this.connectedTo = link.destination;
      this.stats.connected(session.connection.queue);
      session.encoder.greet();
      session.encoder.defineCollected();
      this.#reportLost(session);
      const reason = await session.connection.ended;
      session.answers.close();
      this.stats.ended(reason);
      this.#session = undefined;
      this.connectedTo = undefined;
      this.#missedSinceS = Math.floor(Date.now() / 1000);
      this.bytesSentTotal += session.connection.queue.bytesSent;
      if (reason !== "stopped" && this.#running) await this.#failover.pause(this.config.reconnectDelaySeconds * 1000);
    }
  }

  /** Wires a new connection: its queue, the encoder writing into it, and the answers to its parent. */
  #open(link: Link): Session {
    const prefix = this.#prefix(link.destination);
    const connection: Connection = new Connection({
      link,
      config: this.config,
      log: this.#log,
      prefix,
      sentBefore: this.bytesSentTotal,
      onRoom: () => {
        // Finish the replication rounds under way before opening new ones.
        answers.resume();
        encoder.resume();
        this.#reportLost(session);
      },
    });
    const send = (text: string) => connection.send(text);
    const encoder = new ChartEncoder({
      host: this.host,
      caps: link.caps,
      sendChartsMatching: this.config.sendChartsMatching,
      initialClockResyncIterations: this.config.initialClockResyncIterations,
      send,
      retention: this.#replay.retention?.bind(this.#replay),
      missedSinceS: this.#missedSinceS,
    });
    const answers = new ParentAnswers({
      replay: this.#replay,
      encoder,
      caps: link.caps,
      log: this.#log,
      prefix,
      send,
      roomBytes: () => connection.queue.roomBytes,
      waitForRoom: () => connection.queue.waitForRoom(),
    });
    const session = { connection, encoder, answers };
    connection.start((command) => answers.answer(command));
    return session;
  }

  /** Logs the data the parent missed that the replay source no longer held when the charts were defined. */
  #reportLost(session: Session): void {
    const lost = session.encoder.takeLost();
    if (lost.charts === 0) return;
    this.#log.error(
      `${
        this.#prefix(session.connection.destination)
      }: the parent missed more than this node keeps to replay: the oldest ${lost.seconds} seconds of ${lost.charts} charts are lost.`,
    );
  }
}
