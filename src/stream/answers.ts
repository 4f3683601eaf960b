/**
 * Answers to what a parent sends its child: a `REPLAY_CHART` is answered from the sender's
 * {@link ReplaySource} (for a chart this connection defined), and the chart's data starts flowing when the
 * answer says so; a function call gets 1.37's "no such function" (rill's collectors offer none).
 *
 * An answer is never dropped (the parent would wait for it forever): it is cut to the room the buffer has,
 * and a request that finds no room waits, one per chart, until the parent has read enough
 * ({@link ParentAnswers.resume}). Answers are built a few at a time: after {@link TURN_BYTES} the rest wait
 * for the next turn of the event loop, so the collection loop keeps its once-a-second ticks while a backlog of
 * requests is answered (built in one go, 5 MB of answers held a compiled collector, which interprets rather
 * than compiles its code, for about 3 s: three seconds of every chart went uncollected).
 *
 * @module
 */

import { CAP_FUNCTIONS, type Capabilities } from "../protocol/capabilities.ts";
import type { ParentCommand, ReplayChartCommand } from "../protocol/commands.ts";
import { encodeChildCommand } from "../protocol/encode.ts";
import type { Logger } from "../runtime/log.ts";
import type { ChartEncoder } from "./chart_encoder.ts";
import type { ReplaySource } from "./replay_source.ts";

const FUNCTION_NOT_FOUND = '{"status":404,"error_message":"No function with this name is available on this node."}\n';

/**
 * The most text of points one answer carries: a long gap goes as several answers (the parent asks for each
 * next one), so that building one never holds more than a few MB of lines in memory at once.
 */
const ANSWER_POINTS_BYTES = 256 * 1024;
/** The most answer text built in one turn of the event loop before the rest wait for the next. */
export const TURN_BYTES = 512 * 1024;
/** Room an answer needs besides its points: its opening and closing lines. */
const ANSWER_FRAME_BYTES = 256;
/** Room per dimension for its `RDSTATE` line (the id apart). */
const STATE_LINE_BYTES = 100;

/**
 * What {@link ParentAnswers} answers with.
 *
 * @example
 * ```ts
 * const options: ParentAnswersOptions = {
 *   replay: ring, encoder, caps, log, prefix, send: (t) => conn.send(t), roomBytes: () => conn.queue.roomBytes,
 *   waitForRoom: () => conn.queue.waitForRoom(),
 * };
 * ```
 */
export interface ParentAnswersOptions {
  readonly replay: ReplaySource;
  /** The connection's encoder: which charts were defined, and whose data may flow. */
  readonly encoder: ChartEncoder;
  readonly caps: Capabilities;
  readonly log: Logger;
  /** `STREAM <host> [send to <destination>]` */
  readonly prefix: string;
  /** Queues text for the parent; false when the buffer refused it. */
  send(text: string): boolean;
  /** Bytes the buffer takes before its bound. */
  roomBytes(): number;
  /** Asks to be resumed once the parent has read half the buffer (as after a refused `send`). */
  waitForRoom(): void;
}

/**
 * Answers one connection's parent commands.
 *
 * @example
 * ```ts
 * const answers = new ParentAnswers(options);
 * conn.start((command) => answers.answer(command));
 * ```
 */
export class ParentAnswers {
  readonly #options: ParentAnswersOptions;
  /** Replication requests waiting for room, by chart (a newer request of a chart replaces the older). */
  readonly #waiting = new Map<string, ReplayChartCommand>();
  /** The next turn's continuation, while answers wait for it. */
  #nextTurn: ReturnType<typeof setTimeout> | undefined;
  /**
   * Answer text built since the last continuation (requests arrive one `answer()` at a time, so the count spans
   * calls; between bursts it only ever makes one answer wait a turn early).
   */
  #turnBytes = 0;

  constructor(options: ParentAnswersOptions) {
    this.#options = options;
  }

  /** Answers a command of the parent. */
  answer(command: ParentCommand): void {
    if (command.kind === "REPLAY_CHART") {
      this.#waiting.delete(command.chart);
      this.#waiting.set(command.chart, command);
      this.resume();
    } else if (this.#options.caps & CAP_FUNCTIONS) {
      this.#options.send(encodeChildCommand({
        kind: "FUNCTION_RESULT",
        transaction: command.transaction,
        httpCode: 404,
        contentType: "application/json",
        expires: Math.floor(Date.now() / 1000),
        payload: FUNCTION_NOT_FOUND,
      }));
    }
  }

  /** Replication requests waiting for room. */
  get waiting(): number {
    return this.#waiting.size;
  }

  /**
   * Answers the waiting replication requests, oldest first, for as long as the buffer has room, {@link TURN_BYTES}
   * in this turn and the rest in the next ones.
   */
  resume(): void {
    if (this.#nextTurn !== undefined) return;
    for (const command of this.#waiting.values()) {
      if (this.#turnBytes >= TURN_BYTES) {
        this.#nextTurn = setTimeout(() => {
          this.#nextTurn = undefined;
          this.#turnBytes = 0;
          this.resume();
        }, 0);
        return;
      }
      const sent = this.#replay(command);
      if (sent === false) return;
      this.#turnBytes += sent;
      this.#waiting.delete(command.chart);
    }
  }

  /** Stops answering (the connection ended): a turn scheduled is cancelled. */
  close(): void {
    if (this.#nextTurn !== undefined) clearTimeout(this.#nextTurn);
    this.#nextTurn = undefined;
    this.#waiting.clear();
  }

  /** Answers one request: the bytes sent, or false when the buffer has no room for it yet. */
  #replay(command: ReplayChartCommand): number | false {
    const { encoder, replay, log, prefix } = this.#options;
    const chart = encoder.sentChart(command.chart);
    if (chart === undefined) {
      log.error(`${prefix}: the parent asked to replicate chart '${command.chart}', which was not sent.`);
      return 0;
    }
    const stateBytes = chart.dimensions.reduce((sum, d) => sum + d.id.length + STATE_LINE_BYTES, ANSWER_FRAME_BYTES);
    const limitBytes = Math.min(this.#options.roomBytes() - stateBytes, ANSWER_POINTS_BYTES);
    if (limitBytes <= 0) {
      this.#options.waitForRoom();
      return false;
    }
    const answer = replay.replay({
      chartId: chart.id,
      after: command.after,
      before: command.before,
      startStreaming: command.startStreaming,
    }, limitBytes);
    if (answer === undefined) {
      log.error(`${prefix}: the parent asked to replicate chart '${chart.id}', which has no history to replay.`);
      return 0;
    }
    let text = "";
    for (const line of answer) text += encodeChildCommand(line);
    if (!this.#options.send(text)) return false;
    const end = answer.at(-1);
    if (end?.kind === "REND" && end.startStreaming) encoder.startStreaming(chart);
    return text.length;
  }
}
