/**
 * Answers to what a parent sends its child: a `REPLAY_CHART` is answered from the sender's
 * {@link ReplaySource} (for a chart this connection defined), and the chart's data starts flowing when the
 * answer says so; a function call gets 1.37's "no such function" (rill's collectors offer none).
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
 * What {@link ParentAnswers} answers with.
 *
 * @example
 * ```ts
 * const options: ParentAnswersOptions = {
 *   replay: new CollectionStateReplay(host), encoder, caps, log, prefix, send: (t) => conn.send(t),
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
  /** Queues text for the parent. */
  send(text: string): void;
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

  constructor(options: ParentAnswersOptions) {
    this.#options = options;
  }

  /** Answers a command of the parent. */
  answer(command: ParentCommand): void {
    if (command.kind === "REPLAY_CHART") {
      this.#replay(command);
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

  #replay(command: ReplayChartCommand): void {
    const { encoder, replay, log, prefix } = this.#options;
    const chart = encoder.sentChart(command.chart);
    if (chart === undefined) {
      log.error(`${prefix}: the parent asked to replicate chart '${command.chart}', which was not sent.`);
      return;
    }
    const answer = replay.replay({
      chartId: chart.id,
      after: command.after,
      before: command.before,
      startStreaming: command.startStreaming,
    });
    if (answer === undefined) {
      log.error(`${prefix}: the parent asked to replicate chart '${chart.id}', which has no history to replay.`);
      return;
    }
    this.#options.send(answer.map(encodeChildCommand).join(""));
    const end = answer.at(-1);
    if (end?.kind === "REND" && end.startStreaming) encoder.startStreaming(chart);
  }
}
