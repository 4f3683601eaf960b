/**
 * The sending side of streaming, as a 1.37 child does it: destinations tried in order with failover, the
 * handshake and its reply, definitions once per connection, `BEGIN`/`SET`/`END` per collected chart,
 * answers to `REPLAY_CHART` for a node without a database, a bounded send buffer, a send timeout, and
 * reconnection with Netdata's delays and log lines.
 *
 * @module
 */

import type { Socket } from "node:net";
import type { Chart } from "../metrics/chart.ts";
import type { Host, HostObserver } from "../metrics/host.ts";
import { gaugeValue } from "../metrics/calculation.ts";
import { definitionCommandsOf } from "../metrics/definitions.ts";
import {
  CAP_BINARY,
  CAP_CLABELS,
  CAP_CLAIM,
  CAP_COMPRESSION,
  CAP_FUNCTIONS,
  CAP_HLABELS,
  CAP_REPLICATION,
  type Capabilities,
  capabilityNames,
  CAPS_1_37_NO_COMPRESSION,
} from "../protocol/capabilities.ts";
import type { ChildCommand, ParentCommand } from "../protocol/commands.ts";
import type { Destination } from "../protocol/destination.ts";
import { encodeChildCommand, quote } from "../protocol/encode.ts";
import { buildStreamRequest, STREAMING_PROTOCOL_VERSION } from "../protocol/handshake.ts";
import { type ParentReplyReading, readParentReply, REPLY_VERSION_PREFIX } from "../protocol/replies.ts";
import { chartMatches } from "../protocol/simple_pattern.ts";
import { ParentStreamDecoder } from "../protocol/stream_decoder.ts";
import type { StreamSenderConfig } from "../config/stream_conf.ts";
import type { Logger } from "../runtime/log.ts";
import { ConnectError, connectTo } from "../runtime/socket.ts";
import { type Overflow, SendQueue } from "./send_queue.ts";

/**
 * Options of {@link StreamSender}.
 *
 * @example
 * ```ts
 * const options: SenderOptions = { host, config: readConfigDir("/etc/netdata").stream.stream, log };
 * ```
 */
export interface SenderOptions {
  readonly host: Host;
  readonly config: StreamSenderConfig;
  readonly log: Logger;
  /**
   * Capabilities offered in `ver=`; default {@link CAPS_1_37_NO_COMPRESSION}: rill has no LZ4 compressor
   * yet, and frames plain literals only when a parent forces compression (`version=5`).
   */
  readonly offer?: Capabilities;
}

/** Why a session ended, for the log and for tests. */
type SessionEnd = "closed by parent" | "overflow" | "timeout" | "stopped" | "error";

// Log texts of a 1.37 child for each refusal (the postponement comes from the protocol core).
const REFUSAL_TEXT: Readonly<Record<string, string>> = {
  "denied": "remote server denied access, probably we don't have the right API key?",
  "already-streaming": "remote server rejected this stream, the host we are trying to stream is already streamed to it",
  "own-localhost": "remote server rejected this stream, the host we are trying to stream is its localhost",
  "busy": "remote server is currently busy, we should try later",
  "internal-error": "remote server encountered an internal error, we should try later",
  "initializing": "remote server is initializing, we should try later",
};

const FUNCTION_NOT_FOUND = '{"status":404,"error_message":"No function with this name is available on this node."}\n';

/** What a connection knows of one chart. */
interface ChartState {
  /** The chart's version when its definition was last sent; -1 before. */
  sentVersion: number;
  /** `send charts matching` for its id or name, evaluated once. */
  readonly matches: boolean;
  /** False between a definition and the parent's `REPLAY_CHART` (REPLICATION), when no data may flow. */
  streaming: boolean;
  /** Iterations sent on this connection (for `initial clock resync iterations`). */
  iterations: number;
  /** `BEGIN "<id>" ` */
  readonly begin: string;
  /** `SET "<dim>" = ` per dimension, in the chart's order; rebuilt with each definition. */
  sets: string[];
}

/** One established connection. */
interface Session {
  readonly socket: Socket;
  readonly destination: Destination;
  readonly caps: Capabilities;
  readonly queue: SendQueue;
  readonly charts: Map<Chart, ChartState>;
  readonly ended: Promise<SessionEnd>;
  end(reason: SessionEnd): void;
}

const sleep = (ms: number, wake: { wake?: () => void }) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      wake.wake = undefined;
      resolve();
    }
    wake.wake = done;
  });

/**
 * Streams a host to the first parent of `[stream] destination` that accepts it.
 *
 * @example
 * ```ts
 * const sender = new StreamSender({ host, config: cfg.stream.stream, log });
 * sender.start();
 * // … on SIGTERM:
 * await sender.stop();
 * ```
 */
export class StreamSender implements HostObserver {
  readonly host: Host;
  readonly config: StreamSenderConfig;
  readonly offer: Capabilities;
  /** Bytes sent over all connections. */
  bytesSentTotal = 0;
  /** The destination of the current connection, if any. */
  connectedTo: Destination | undefined;
  readonly #log: Logger;
  readonly #hostname: string;
  readonly #order: Destination[];
  readonly #postponedUntil = new Map<Destination, number>();
  readonly #sleeper: { wake?: () => void } = {};
  #session: Session | undefined;
  #running = false;
  /** Aborts a connection attempt or handshake in flight when the sender stops. */
  #stopping = new AbortController();
  #loop: Promise<void> | undefined;
  #unobserve: (() => void) | undefined;

  constructor(options: SenderOptions) {
    this.host = options.host;
    this.config = options.config;
    this.offer = options.offer ?? CAPS_1_37_NO_COMPRESSION;
    this.#hostname = options.host.identity.hostname;
    this.#log = options.log;
    this.#order = [...options.config.destination];
  }

  /** Bytes waiting to be sent on the current connection (never more than `buffer size bytes`). */
  get pendingBytes(): number {
    return this.#session?.queue.pendingBytes ?? 0;
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
    this.#sleeper.wake?.();
    const session = this.#session;
    if (session !== undefined) {
      await session.queue.drain(graceMs);
      session.end("stopped");
    }
    await this.#loop;
  }

  /** Host observer: a chart finished an iteration. */
  collected(chart: Chart): void {
    const session = this.#session;
    if (session === undefined) return;
    const state = this.#state(session, chart);
    if (!state.matches) return;
    if (state.sentVersion !== chart.version) this.#define(session, chart, state);
    if (!state.streaming) return;
    const resync = !(session.caps & CAP_REPLICATION) && state.iterations < this.config.initialClockResyncIterations;
    state.iterations++;
    let text = `${state.begin}${resync ? 0 : chart.sinceLastUs}\n`;
    const dims = chart.dimensions;
    for (let i = 0; i < dims.length; i++) {
      const dim = dims[i];
      if (dim.updated && !dim.obsolete) text += `${state.sets[i]}${dim.value}\n`;
    }
    session.queue.send(`${text}END\n`);
  }

  /** Host observer: a chart changed between iterations (e.g. it became obsolete). */
  changed(chart: Chart): void {
    const session = this.#session;
    if (session === undefined) return;
    const state = this.#state(session, chart);
    if (state.matches && state.sentVersion !== -1 && state.sentVersion !== chart.version) {
      this.#define(session, chart, state);
    }
  }

  /** Host observer: a host variable changed; a 1.37 child sends it at once. */
  variableChanged(name: string, value: number): void {
    this.#session?.queue.send(encodeChildCommand({ kind: "VARIABLE", scope: "HOST", name, value }));
  }

  #state(session: Session, chart: Chart): ChartState {
    let state = session.charts.get(chart);
    if (state === undefined) {
      state = {
        sentVersion: -1,
        matches: chartMatches(this.config.sendChartsMatching, chart.id, chart.name),
        streaming: false,
        iterations: 0,
        begin: `BEGIN ${quote(chart.id)} `,
        sets: [],
      };
      session.charts.set(chart, state);
    }
    return state;
  }

  /** Sends a chart's definition block; with REPLICATION, data waits for the parent's `REPLAY_CHART`. */
  #define(session: Session, chart: Chart, state: ChartState): void {
    const caps = session.caps;
    const lines = definitionCommandsOf(chart, { labels: (caps & CAP_CLABELS) !== 0 });
    const replication = (caps & CAP_REPLICATION) !== 0;
    if (replication) {
      lines.push({ kind: "CHART_DEFINITION_END", firstEntry: 0, lastEntry: 0, childNow: nowSeconds() });
    }
    session.queue.send(lines.map(encodeChildCommand).join(""));
    state.sentVersion = chart.version;
    state.sets = chart.dimensions.map((d) => `SET ${quote(d.id)} = `);
    state.streaming = !replication;
  }

  /** Answers `REPLAY_CHART` as a node without a database: no points, the collection state, start streaming. */
  #replay(session: Session, chartId: string, after: number, before: number): void {
    const chart = this.host.charts.get(chartId);
    const state = chart === undefined ? undefined : session.charts.get(chart);
    if (chart === undefined || state === undefined || state.sentVersion === -1) {
      this.#log.error(
        `${this.#prefix(session)}: the parent asked to replicate chart '${chartId}', which was not sent.`,
      );
      return;
    }
    const now = nowSeconds();
    const lines: ChildCommand[] = [{ kind: "RBEGIN", chart: chart.id, range: null }];
    const rowTotal = chart.dimensions.reduce((sum, d) => d.obsolete ? sum : sum + Number(d.value), 0);
    for (const dim of chart.dimensions) {
      if (dim.obsolete) continue;
      const calculated = gaugeValue(dim, rowTotal);
      lines.push({
        kind: "RDSTATE",
        dimension: dim.id,
        lastCollectedUs: chart.lastCollectedUs,
        lastCollected: dim.value,
        lastCalculated: calculated,
        lastStored: calculated,
      });
    }
    // The last point a database-less 1.37 child "stored" is its last collection, floored to the grid.
    const everyUs = chart.updateEvery * 1e6;
    lines.push({
      kind: "RSSTATE",
      lastCollectedUs: chart.lastCollectedUs,
      lastUpdatedUs: Math.floor(chart.lastCollectedUs / everyUs) * everyUs,
    });
    lines.push({
      kind: "REND",
      updateEvery: chart.updateEvery,
      firstEntry: 0,
      lastEntry: now,
      startStreaming: true,
      after,
      before,
      childNow: now,
    });
    session.queue.send(lines.map(encodeChildCommand).join(""));
    state.streaming = true;
  }

  #parentCommand(session: Session, command: ParentCommand): void {
    if (command.kind === "REPLAY_CHART") {
      this.#replay(session, command.chart, command.after, command.before);
    } else if (session.caps & CAP_FUNCTIONS) {
      session.queue.send(encodeChildCommand({
        kind: "FUNCTION_RESULT",
        transaction: command.transaction,
        httpCode: 404,
        contentType: "application/json",
        expires: nowSeconds(),
        payload: FUNCTION_NOT_FOUND,
      }));
    }
  }

  #prefix(session: { destination: Destination } | undefined): string {
    return `STREAM ${this.#hostname} [send to ${session?.destination.text ?? this.config.destinationText}]`;
  }

  async #run(): Promise<void> {
    while (this.#running) {
      const session = await this.#connect();
      if (session === undefined) {
        if (this.#running) await sleep(this.#nextAttemptDelayMs(), this.#sleeper);
        continue;
      }
      this.#session = session;
      this.connectedTo = session.destination;
      this.#greet(session);
      for (const chart of this.host.charts.values()) {
        const state = this.#state(session, chart);
        if (state.matches && chart.lastCollectedUs > 0) this.#define(session, chart, state);
      }
      const reason = await session.ended;
      this.#session = undefined;
      this.connectedTo = undefined;
      this.bytesSentTotal += session.queue.bytesSent;
      if (reason !== "stopped" && this.#running) {
        await sleep(this.config.reconnectDelaySeconds * 1000, this.#sleeper);
      }
    }
  }

  /** Host-level lines sent first on every connection: claim id, host labels, host variables. */
  #greet(session: Session): void {
    const lines: ChildCommand[] = [];
    if (session.caps & CAP_CLAIM) {
      lines.push({ kind: "CLAIMED_ID", machineGuid: this.host.identity.machineGuid, claimId: null });
    }
    if (session.caps & CAP_HLABELS) {
      for (const [name, label] of this.host.labels) lines.push({ kind: "LABEL", name, ...label });
      lines.push({ kind: "OVERWRITE", what: "labels" });
    }
    for (const [name, value] of this.host.variables) lines.push({ kind: "VARIABLE", scope: "HOST", name, value });
    if (lines.length > 0) session.queue.send(lines.map(encodeChildCommand).join(""));
  }

  #nextAttemptDelayMs(): number {
    const now = Date.now();
    const reconnect = this.config.reconnectDelaySeconds * 1000;
    let earliest = Infinity;
    for (const dest of this.#order) {
      const until = this.#postponedUntil.get(dest) ?? 0;
      if (until <= now) return reconnect;
      earliest = Math.min(earliest, until - now);
    }
    return Math.max(reconnect, earliest);
  }

  /** One round over the destinations, in order; the one that connects goes to the end of the list. */
  async #connect(): Promise<Session | undefined> {
    const timeoutMs = this.config.timeoutSeconds * 1000;
    this.#log.info(`${this.#prefix(undefined)}: connecting...`);
    for (const dest of [...this.#order]) {
      if (!this.#running) return undefined;
      if ((this.#postponedUntil.get(dest) ?? 0) > Date.now()) continue;
      let socket: Socket;
      try {
        socket = await connectTo(dest, timeoutMs, {
          verify: !this.config.sslSkipCertificateVerification,
          caFile: this.config.caFile,
          caPath: this.config.caPath,
        }, this.#stopping.signal);
      } catch (e) {
        if (!this.#running) return undefined;
        const detail = e instanceof ConnectError ? e.errnoText : String(e);
        const where = dest.protocol === "unix" ? `'${dest.host}'` : `'${dest.host}', port '${dest.port}'`;
        this.#log.error(`Failed to connect to ${where} (${detail})${dest.ssl ? " over TLS" : ""}`);
        continue;
      }
      const session = await this.#handshake(socket, dest, timeoutMs);
      if (session !== undefined) {
        this.#order.splice(this.#order.indexOf(dest), 1);
        this.#order.push(dest);
        return session;
      }
    }
    if (this.#running && !this.#order.some((d) => (this.#postponedUntil.get(d) ?? 0) > Date.now())) {
      this.#log.error(`${this.#prefix(undefined)}: failed to connect`);
    }
    return undefined;
  }

  async #handshake(socket: Socket, dest: Destination, timeoutMs: number): Promise<Session | undefined> {
    const prefix = this.#prefix({ destination: dest });
    this.#log.info(`${prefix}: initializing communication${dest.ssl ? " (SSL)" : ""}...`);
    const id = this.host.identity;
    socket.write(buildStreamRequest({
      key: this.config.apiKey,
      hostname: id.hostname,
      registryHostname: id.registryHostname ?? id.hostname,
      machineGuid: id.machineGuid,
      updateEvery: id.updateEvery,
      os: id.os,
      timezone: id.timezone,
      abbrevTimezone: id.abbrevTimezone,
      utcOffset: id.utcOffset,
      hops: 1,
      mlCapable: 0,
      mlEnabled: 0,
      mcVersion: 1,
      tags: id.tags,
      ver: this.offer,
      systemInfo: id.systemInfo,
      protocolVersion: STREAMING_PROTOCOL_VERSION,
      userAgent: { programName: id.programName, programVersion: id.programVersion },
    }));
    this.#log.info(`${prefix}: waiting response from remote netdata...`);

    const first = await firstChunk(socket, timeoutMs, this.#stopping.signal);
    if (first === undefined) {
      if (this.#running) this.#log.error(`${prefix}: remote netdata does not respond.`);
      socket.destroy();
      return undefined;
    }
    const { reply, rest } = splitReply(first);
    const reading: ParentReplyReading = readParentReply(reply, this.offer, { understandNewerRefusals: true });
    if (reading.kind !== "accepted") {
      this.#postponedUntil.set(dest, Date.now() + reading.retryAfterSeconds * 1000);
      const why = reading.kind === "refused"
        ? REFUSAL_TEXT[reading.reason]
        : "server is not replying properly (is it a netdata?).";
      this.#log.error(`${prefix}: ${why} - will retry in ${reading.retryAfterSeconds} secs.`);
      socket.destroy();
      return undefined;
    }
    const caps = reading.caps;
    this.#log.info(
      `${prefix}: established communication - sending metrics... (negotiated capabilities: ${capabilityNames(caps)})`,
    );
    return this.#open(socket, dest, caps, rest);
  }

  #open(socket: Socket, dest: Destination, caps: Capabilities, rest: string): Session {
    const prefix = this.#prefix({ destination: dest });
    let resolveEnded!: (reason: SessionEnd) => void;
    const ended = new Promise<SessionEnd>((resolve) => resolveEnded = resolve);
    let over = false;
    const onOverflow = (o: Overflow) => {
      this.#log.error(
        `${prefix}: too many data pending - buffer is ${this.config.bufferSizeBytes} bytes long, ${o.pending} unsent - we have sent ${
          this.bytesSentTotal + queue.bytesSent
        } bytes in total, ${queue.bytesSent} on this connection. Closing connection to flush the data.`,
      );
      session.end("overflow");
    };
    const compression = caps & CAP_COMPRESSION ? { mayCutLines: (caps & CAP_BINARY) !== 0 } : undefined;
    const queue = new SendQueue(socket, this.config.bufferSizeBytes, compression, onOverflow);
    const watchdog = setInterval(() => {
      const stalledMs = Date.now() - queue.lastProgressMs;
      if (queue.pendingBytes > 0 && stalledMs > this.config.timeoutSeconds * 1000) {
        this.#log.error(
          `${prefix}: could not send metrics for ${this.config.timeoutSeconds} seconds - closing connection - we have sent ${queue.bytesSent} bytes on this connection.`,
        );
        session.end("timeout");
      }
    }, 1000);
    const session: Session = {
      socket,
      destination: dest,
      caps,
      queue,
      charts: new Map(),
      ended,
      end: (reason) => {
        if (over) return;
        over = true;
        clearInterval(watchdog);
        queue.close();
        if (reason === "stopped") socket.end();
        else socket.destroy();
        resolveEnded(reason);
      },
    };
    let decoder = new ParentStreamDecoder(dest.text);
    const onData = (chunk: Uint8Array | string) => {
      try {
        decoder.push(chunk, (command) => this.#parentCommand(session, command));
      } catch (e) {
        // A 1.37 child logs what it does not understand from its parent and goes on.
        this.#log.error(`${prefix}: ${e instanceof Error ? e.message : String(e)}; ignoring it.`);
        decoder = new ParentStreamDecoder(dest.text);
      }
    };
    socket.on("data", onData);
    socket.on("error", (e) => {
      if (!over) this.#log.error(`${prefix}: connection error: ${e.message}`);
      session.end("error");
    });
    socket.on("close", () => {
      if (!over) this.#log.error(`${prefix}: the parent closed the connection.`);
      session.end("closed by parent");
    });
    if (rest !== "") onData(rest);
    socket.resume();
    return session;
  }
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** The first bytes the parent sends, or `undefined` when it closes or stays silent for `timeoutMs`. */
function firstChunk(socket: Socket, timeoutMs: number, signal: AbortSignal): Promise<string | undefined> {
  return new Promise((resolve) => {
    const done = (value: string | undefined) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onClose);
      socket.off("data", onData);
      socket.off("close", onClose);
      socket.off("error", onClose);
      socket.pause();
      resolve(value);
    };
    const onData = (chunk: Uint8Array) => done(new TextDecoder().decode(chunk));
    const onClose = () => done(undefined);
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.on("data", onData);
    socket.once("close", onClose);
    socket.once("error", onClose);
    if (signal.aborted) onClose();
    else signal.addEventListener("abort", onClose, { once: true });
  });
}

/**
 * Separates the handshake reply from parent commands that arrived in the same read (a 1.37 child would
 * lose them; they are kept here).
 */
function splitReply(chunk: string): { reply: string; rest: string } {
  if (!chunk.startsWith(REPLY_VERSION_PREFIX)) return { reply: chunk, rest: "" };
  let end = REPLY_VERSION_PREFIX.length;
  while (end < chunk.length && chunk.charCodeAt(end) >= 48 && chunk.charCodeAt(end) <= 57) end++;
  return { reply: chunk.slice(0, end), rest: chunk.slice(end) };
}
