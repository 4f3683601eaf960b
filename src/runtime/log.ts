/**
 * Log lines in the shape of Netdata's `error.log` (`<date> <time>: <program> <LEVEL> : <tag> : <message>`),
 * written to standard error, so that users' greps for Netdata's messages keep working.
 *
 * @module
 */

import process from "node:process";

/** Severity of a log line. */
export type LogLevel = "INFO" | "ERROR";

/**
 * Where log lines go; tests pass an array-backed one.
 *
 * @example
 * ```ts
 * const lines: string[] = [];
 * const log = new Logger("rill-collector", "MAIN", (line) => lines.push(line));
 * ```
 */
export type LogSink = (line: string) => void;

const toStderr: LogSink = (line) => process.stderr.write(`${line}\n`);

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function timestamp(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${
    pad(date.getMinutes())
  }:${pad(date.getSeconds())}`;
}

/**
 * A tagged logger (the tag is Netdata's thread tag, e.g. `STREAM_SENDER[edge-1]`).
 *
 * @example
 * ```ts
 * const log = new Logger("rill-collector", "MAIN");
 * log.child("STREAM_SENDER[edge-1]").info("STREAM edge-1 [send to parent:19999]: connecting...");
 * ```
 */
export class Logger {
  readonly program: string;
  readonly tag: string;
  readonly sink: LogSink;

  constructor(program: string, tag: string, sink: LogSink = toStderr) {
    this.program = program;
    this.tag = tag;
    this.sink = sink;
  }

  /** The same program and sink under another tag. */
  child(tag: string): Logger {
    return new Logger(this.program, tag, this.sink);
  }

  info(message: string): void {
    this.write("INFO", message);
  }

  error(message: string): void {
    this.write("ERROR", message);
  }

  write(level: LogLevel, message: string): void {
    this.sink(`${timestamp(new Date())}: ${this.program} ${level.padEnd(5)} : ${this.tag} : ${message}`);
  }
}
