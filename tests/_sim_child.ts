/**
 * A simulated, well-behaved Netdata 1.37 child: one TCP connection to a parent on 127.0.0.1 with its own
 * hostname and machine GUID. It sends the 1.37 handshake (`ver=15352`, no compression) built by the protocol
 * core, the definitions of its charts (tests/_sim_charts.ts) with `CHART_DEFINITION_END 0 0 <now>`, answers
 * every `REPLAY_CHART` with `RBEGIN` + `REND … true` as a database-less child does, and once every chart was
 * answered sends iterations: `BEGIN "<chart>" 1000000`, one `SET` per dimension, `END`, for every chart.
 *
 * Two paces: {@link SimulatedChild.streamRealTime} sends one iteration a second, as real children stream, and
 * gives up like 1.37 does when more than its buffer is pending; {@link SimulatedChild.pump} compresses time
 * (each iteration is one collected second for the parent) and sends as fast as the socket drains, optionally
 * at a rate.
 *
 * @example
 * ```ts
 * import { SimulatedChild, simLoad } from "./tests/_sim_child.ts";
 *
 * const child = new SimulatedChild({ hostname: "edge-1", load: simLoad() });
 * await child.start(port);
 * if (!child.streaming) throw new Error(`edge-1 did not get to stream: ${child.failure}`);
 * const streaming = child.streamRealTime();
 * // … later
 * child.stop(true);
 * await streaming;
 * ```
 *
 * @module
 */
import type { Buffer } from "node:buffer";
import { randomUUID } from "node:crypto";
import { connect, type Socket } from "node:net";
import {
  buildStreamRequest,
  CAP_REPLICATION,
  type ParentCommand,
  ParentStreamDecoder,
  quote,
  readParentReply,
  STREAMING_PROTOCOL_VERSION,
} from "../mod.ts";
import { drained } from "./_drained.ts";
import { IterationTemplate, loadSimCharts, type SimChart, type SimChartsOptions } from "./_sim_charts.ts";
import { TEST_API_KEY } from "./interop/_netdata.ts";
import { ND_CHILD_REQUEST } from "./protocol/_nd_child.ts";

// A 1.37 child with compression disabled offers this; no LZ4, so bytes on the wire are the text we count.
const OFFERED_CAPS = 15352;
/** 1.37's default `[stream] buffer size bytes`: a real-time child with more pending gives up. */
const DEFAULT_BUFFER_BYTES = 10 * 1024 * 1024;

/**
 * The charts and the iteration template several children share (built once: the template is large).
 *
 * @example
 * ```ts
 * const load: SimLoad = simLoad({ count: 20 });
 * load.template.samples; // SET lines per iteration
 * ```
 */
export interface SimLoad {
  readonly charts: readonly SimChart[];
  readonly template: IterationTemplate;
}

/**
 * Loads the charts of a real child's capture and builds their iteration template.
 *
 * @example
 * ```ts
 * const load = simLoad({ count: 50 }); // system.cpu and system.load among them
 * ```
 */
export function simLoad(options: SimChartsOptions = {}): SimLoad {
  const charts = loadSimCharts(options);
  return { charts, template: new IterationTemplate(charts) };
}

/**
 * Who a simulated child is and what it streams.
 *
 * @example
 * ```ts
 * const options: SimChildOptions = { hostname: "edge-1", guid: crypto.randomUUID(), load: simLoad() };
 * ```
 */
export interface SimChildOptions {
  readonly hostname: string;
  /** Machine GUID (a new random one by default). */
  readonly guid?: string;
  /** API key (default: the tests' accepted key). */
  readonly key?: string;
  readonly load: SimLoad;
  /** Real-time pace: pending bytes past which the child gives up (default 10 MiB, 1.37's buffer size bytes). */
  readonly bufferBytes?: number;
}

/**
 * One simulated child: its connection, its values and what it managed to hand to the kernel.
 *
 * @example
 * ```ts
 * const child = new SimulatedChild({ hostname: "bench-child-0", load });
 * await child.start(port);
 * const pumping = child.pump(0); // as fast as the parent reads
 * ```
 */
export class SimulatedChild {
  readonly hostname: string;
  readonly guid: string;
  socket: Socket | undefined;
  /** Why it stopped, when it did. */
  failure: string | undefined;
  /** The capabilities the parent agreed to. */
  caps = 0;
  /** True once the parent may get iterations (handshake and replication round done). */
  streaming = false;
  /** Data bytes (iterations) whose write completed, i.e. that reached the kernel. */
  flushedDataBytes = 0;
  /** Iterations written so far. */
  iterations = 0;
  readonly #key: string;
  readonly #load: SimLoad;
  readonly #bufferBytes: number;
  readonly #values: Float64Array;
  readonly #answered = new Set<string>();
  #stopped = false;
  #onStreaming: () => void = () => {};
  #wake: () => void = () => {};

  constructor(options: SimChildOptions) {
    this.hostname = options.hostname;
    this.guid = options.guid ?? randomUUID();
    this.#key = options.key ?? TEST_API_KEY;
    this.#load = options.load;
    this.#bufferBytes = options.bufferBytes ?? DEFAULT_BUFFER_BYTES;
    this.#values = options.load.template.initialValues();
  }

  /** Connects, does the handshake and the replication round; resolves once data may flow (or it failed). */
  start(port: number): Promise<void> {
    const ready = new Promise<void>((resolve) => this.#onStreaming = resolve);
    const socket = connect({ host: "127.0.0.1", port });
    this.socket = socket;
    socket.on("error", (e) => this.#fail(e.message));
    socket.on(
      "close",
      () => this.#fail(this.streaming ? "the parent closed the connection" : "closed before streaming"),
    );
    socket.once("connect", () => {
      // The real 1.37 child's request (linux, Etc/UTC, one hop, no ML, every system-info field filled), under
      // this child's name and GUID. The fields matter: a 1.37 proxy forwarding a child that left them empty
      // aborts in the sender thread it starts for that child (`munmap_chunk(): invalid pointer`); a real child
      // fills them all.
      socket.write(buildStreamRequest({
        ...ND_CHILD_REQUEST,
        key: this.#key,
        hostname: this.hostname,
        registryHostname: this.hostname,
        machineGuid: this.guid,
        ver: OFFERED_CAPS,
        protocolVersion: STREAMING_PROTOCOL_VERSION,
        userAgent: { programName: "rill-sim-child", programVersion: "0.1.0" },
      }));
    });
    const decoder = new ParentStreamDecoder(`parent of ${this.hostname}`);
    let handshaken = false;
    socket.on("data", (chunk: Buffer) => {
      if (!handshaken) {
        // The parent answers in one write and says nothing more until it has our definitions.
        handshaken = true;
        this.#handshakeReply(socket, chunk.toString("utf8"));
        return;
      }
      let answers = "";
      try {
        decoder.push(chunk, (cmd: ParentCommand) => {
          if (cmd.kind !== "REPLAY_CHART") return;
          // A database-less child's answer: nothing to replay, start streaming now.
          answers += `RBEGIN ${quote(cmd.chart)}\nREND 1 0 0 true 0 0 ${Math.floor(Date.now() / 1000)}\n`;
          this.#answered.add(cmd.chart);
        });
      } catch (e) {
        this.#fail(`parent sent: ${e instanceof Error ? e.message : e}`);
      }
      if (answers !== "") socket.write(answers);
      if (!this.streaming && this.#answered.size >= this.#load.charts.length) this.#startStreaming();
    });
    return ready;
  }

  #handshakeReply(socket: Socket, text: string): void {
    const reply = readParentReply(text, OFFERED_CAPS);
    if (reply.kind !== "accepted") {
      this.#fail(`handshake: ${reply.kind} '${text.slice(0, 80)}'`);
      socket.destroy();
      return;
    }
    this.caps = reply.caps;
    const now = Math.floor(Date.now() / 1000);
    const replication = (this.caps & CAP_REPLICATION) !== 0;
    socket.write(
      this.#load.charts.map((c) => c.definition + (replication ? `CHART_DEFINITION_END 0 0 ${now}\n` : "")).join(""),
    );
    if (!replication) this.#startStreaming();
  }

  #fail(why: string): void {
    if (this.failure === undefined && !this.#stopped) this.failure = why;
    this.#onStreaming();
    this.#wake();
  }

  #startStreaming(): void {
    this.streaming = true;
    this.#onStreaming();
  }

  #running(): boolean {
    return !this.#stopped && this.failure === undefined;
  }

  /** Writes the next iteration; `true` when the socket took it without filling its buffer. */
  #writeIteration(socket: Socket): boolean {
    const buf = this.#load.template.fill(this.#values);
    this.iterations++;
    return socket.write(buf, (error) => {
      if (!error) this.flushedDataBytes += buf.length;
    });
  }

  /** Resolves after `ms`, or at once when the child stops or fails. */
  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }

  /**
   * Compressed time: sends iterations until {@link stop}, waiting for `drain` after each write; `perSecond` > 0
   * paces them.
   */
  async pump(perSecond: number): Promise<void> {
    const socket = this.socket!;
    const started = Date.now();
    while (this.#running()) {
      if (perSecond > 0) await this.#pause(started + (this.iterations / perSecond) * 1000 - Date.now());
      if (!this.#running()) break;
      if (!this.#writeIteration(socket)) await drained(socket);
      // Yield even when the write did not fill the buffer, so the other children and the timers get their turn.
      else await new Promise((r) => setImmediate(r));
    }
  }

  /**
   * Real time: one iteration a second until {@link stop}, whether or not the parent keeps up, as a real child
   * collects; with more than its buffer pending it gives up and closes (`failure` says so), as 1.37 does.
   */
  async streamRealTime(): Promise<void> {
    const socket = this.socket!;
    const started = Date.now();
    while (this.#running()) {
      if (socket.writableLength > this.#bufferBytes) {
        this.#fail(`too many data pending: ${socket.writableLength} bytes, more than ${this.#bufferBytes}`);
        socket.destroy();
        break;
      }
      this.#writeIteration(socket);
      await this.#pause(started + this.iterations * 1000 - Date.now());
    }
  }

  /** Stops sending; `close` also ends the connection. */
  stop(close: boolean): void {
    this.#stopped = true;
    this.#wake();
    if (close) this.socket?.destroy();
  }
}
