/**
 * Incremental decoders for the two directions of a streaming connection.
 *
 * @module
 */

import type { ChildCommand, FunctionResultCommand, ParentCommand } from "./commands.ts";
import {
  type ChildLineSink,
  decodeChildWords,
  decodeHotBytes,
  decodeParentWords,
  HotIds,
  type LineOrigin,
} from "./decode.ts";
import { ProtocolError } from "./errors.ts";
import { ByteLineSplitter, LineSplitter } from "./line_splitter.ts";
import { MAX_WORDS, splitWords } from "./words.ts";

/** Cap on a function result's payload (Netdata's is 10 MB). */
export const MAX_FUNCTION_RESULT_BYTES = 10 * 1024 * 1024;

const FUNCTION_RESULT_END = "FUNCTION_RESULT_END";

/** Where decoded commands go. */
export type CommandSink<C> = (command: C) => void;

// Holds the decoder's position so error messages can name the line without allocating per line.
class Origin implements LineOrigin {
  constructor(readonly peer: string, public line: number) {}
}

// Shared by both directions: the reused word array, where errors point, and refusing input after a failure.
abstract class CommandDecoder<S> {
  protected readonly words: string[] = new Array(MAX_WORDS);
  protected readonly origin: Origin;
  protected abstract sink: S;
  #failed: unknown;

  constructor(peer: string) {
    this.origin = new Origin(peer, 0);
  }

  /** Lines read so far. */
  abstract get lineNumber(): number;

  /** Feeds a chunk of the stream; every complete line goes to `sink` in order. */
  push(chunk: Uint8Array | string, sink: S): void {
    if (this.#failed !== undefined) throw this.#failed;
    this.sink = sink;
    try {
      this.feed(chunk);
    } catch (error) {
      this.#failed = error;
      throw error;
    }
  }

  /** Splits the chunk into lines and decodes them. */
  protected abstract feed(chunk: Uint8Array | string): void;
}

// The live lines made commands again, for a sink that takes commands only.
function commandLines(sink: CommandSink<ChildCommand>): ChildLineSink {
  return {
    begin: (chart, microseconds) => sink({ kind: "BEGIN", chart, microseconds }),
    set: (dimension, value) => sink({ kind: "SET", dimension, value }),
    end: () => sink({ kind: "END" }),
    command: sink,
  };
}

const NO_LINES: ChildLineSink = commandLines(() => {});

/**
 * Decodes what a child (or a proxy) sends after the handshake, chunk by chunk. Empty lines are skipped;
 * the payload of `FUNCTION_RESULT_BEGIN` is collected verbatim up to `FUNCTION_RESULT_END`. The first bad
 * line throws a {@link ProtocolError} naming the peer and the line; commands decoded before it have
 * already reached the sink, and the decoder refuses further input. The sink is either a function taking
 * commands or a {@link ChildLineSink}, which gets the live lines without a command object each.
 *
 * @example
 * ```ts
 * const decoder = new ChildStreamDecoder("nd-child [127.0.0.1]:40000");
 * const got: ChildCommand[] = [];
 * decoder.push(new TextEncoder().encode('BEGIN "system.cpu" 1000057\nSET "user" = 5\nEND\n'), (c) => got.push(c));
 * got.map((c) => c.kind); // ["BEGIN", "SET", "END"]
 * ```
 */
export class ChildStreamDecoder extends CommandDecoder<ChildLineSink> {
  protected sink: ChildLineSink = NO_LINES;
  /** The last function sink given to {@link push}, and its {@link ChildLineSink}. */
  #commands: CommandSink<ChildCommand> | undefined;
  #commandLines: ChildLineSink = NO_LINES;
  #result: FunctionResultCommand | undefined;
  #payload: string[] = [];
  #payloadBytes = 0;
  readonly #ids = new HotIds();
  // Lines stay bytes: the live lines are decoded from them, only the others are made text.
  readonly #splitter: ByteLineSplitter;
  readonly #encoder = new TextEncoder();
  readonly #onLine = (bytes: Uint8Array, start: number, end: number, line: number) =>
    this.#line(bytes, start, end, line);

  constructor(peer: string) {
    super(peer);
    this.#splitter = new ByteLineSplitter(peer);
  }

  get lineNumber(): number {
    return this.#splitter.lineNumber;
  }

  /** Feeds a chunk of the stream; every complete line goes to `sink` in order. */
  override push(chunk: Uint8Array | string, sink: ChildLineSink | CommandSink<ChildCommand>): void {
    if (typeof sink !== "function") return super.push(chunk, sink);
    if (sink !== this.#commands) {
      this.#commands = sink;
      this.#commandLines = commandLines(sink);
    }
    super.push(chunk, this.#commandLines);
  }

  protected feed(chunk: Uint8Array | string): void {
    this.#splitter.push(typeof chunk === "string" ? this.#encoder.encode(chunk) : chunk, this.#onLine);
  }

  #line(bytes: Uint8Array, start: number, end: number, line: number): void {
    if (this.#result === undefined) {
      if (decodeHotBytes(bytes, start, end, this.#ids, this.sink)) return;
    }
    const text = this.#splitter.text(bytes, start, end);
    if (this.#result !== undefined) {
      this.#payloadLine(text, line);
      return;
    }
    const count = splitWords(text, 0, text.length, this.words);
    if (count === 0) return;
    this.origin.line = line;
    const command = decodeChildWords(this.words, count, this.origin);
    if (command.kind === "FUNCTION_RESULT") {
      this.#result = command;
      return;
    }
    this.sink.command(command);
  }

  #payloadLine(text: string, line: number): void {
    if (text.startsWith(FUNCTION_RESULT_END)) {
      const result = { ...this.#result!, payload: this.#payload.join("") };
      this.#result = undefined;
      this.#payload = [];
      this.#payloadBytes = 0;
      this.sink.command(result);
      return;
    }
    const piece = `${text}\n`;
    this.#payloadBytes += piece.length;
    if (this.#payloadBytes > MAX_FUNCTION_RESULT_BYTES) {
      throw new ProtocolError(
        "payload-too-large",
        this.origin.peer,
        line,
        `function result '${this.#result!.transaction}' is larger than ${MAX_FUNCTION_RESULT_BYTES} bytes`,
        "FUNCTION_RESULT_BEGIN",
      );
    }
    this.#payload.push(piece);
  }
}

/**
 * Decodes what a parent sends to a child after its handshake reply (`REPLAY_CHART`, `FUNCTION` calls).
 *
 * @example
 * ```ts
 * const decoder = new ParentStreamDecoder("parent 127.0.0.1:19999");
 * decoder.push('REPLAY_CHART "system.cpu" "true" 0 0\n', (c) => console.log(c.kind)); // REPLAY_CHART
 * ```
 */
export class ParentStreamDecoder extends CommandDecoder<CommandSink<ParentCommand>> {
  protected sink: CommandSink<ParentCommand> = () => {};
  readonly #splitter: LineSplitter;
  readonly #onLine = (text: string, start: number, end: number, line: number) => this.#line(text, start, end, line);

  constructor(peer: string) {
    super(peer);
    this.#splitter = new LineSplitter(peer);
  }

  get lineNumber(): number {
    return this.#splitter.lineNumber;
  }

  protected feed(chunk: Uint8Array | string): void {
    this.#splitter.push(chunk, this.#onLine);
  }

  #line(text: string, start: number, end: number, line: number): void {
    const count = splitWords(text, start, end, this.words);
    if (count === 0) return;
    this.origin.line = line;
    this.sink(decodeParentWords(this.words, count, this.origin));
  }
}
