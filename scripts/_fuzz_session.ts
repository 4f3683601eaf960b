/**
 * One fuzz session: a plan (what to write, in which pieces, at which pace, and whether to read the replies)
 * played on one new connection to 127.0.0.1 (from a loopback address of the caller's choice), bounded by a
 * deadline, and what came of it: bytes each way, HTTP answers counted and timed, requests left without an
 * answer while the connection stayed open.
 *
 * @example
 * ```ts
 * import { type FuzzPlan, runSession } from "./scripts/_fuzz_session.ts";
 *
 * const plan: FuzzPlan = {
 *   kind: "http",
 *   description: "GET /api/v1/info",
 *   steps: [{ kind: "write", bytes: new TextEncoder().encode("GET /api/v1/info HTTP/1.1\r\n\r\n"), requests: 1 }],
 *   lingerMs: 0,
 * };
 * const result = await runSession(port, plan, 5000, "127.0.0.2");
 * console.log(result.responses, result.longestAnswerMs);
 * ```
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { connect } from "node:net";
import { HttpResponseReader } from "../tests/_http_client.ts";

/**
 * One step of a plan.
 *
 * - `write`: the bytes, in pieces of at most `chunkBytes` (default: at once) with `gapMs` between pieces
 *   (default none), each piece after the socket drained; `requests` counts the HTTP requests they hold, whose
 *   answers are then timed from the last piece.
 * - `await-reply`: until the parent sent anything (or closed), at most `ms`.
 * - `wait`: `ms` whatever happens.
 *
 * @example
 * ```ts
 * const slowLoris: FuzzStep = { kind: "write", bytes, chunkBytes: 1, gapMs: 200 };
 * ```
 */
export type FuzzStep =
  | {
    readonly kind: "write";
    readonly bytes: Uint8Array;
    readonly chunkBytes?: number;
    readonly gapMs?: number;
    readonly requests?: number;
  }
  | { readonly kind: "await-reply"; readonly ms: number }
  | { readonly kind: "wait"; readonly ms: number };

/**
 * What a session does on its connection.
 *
 * @example
 * ```ts
 * const plan: FuzzPlan = { kind: "stream", description: "bytes flipped", steps, lingerMs: 200 };
 * ```
 */
export interface FuzzPlan {
  readonly kind: "stream" | "handshake" | "http";
  /** What it does, in a line, for the report. */
  readonly description: string;
  readonly steps: readonly FuzzStep[];
  /** A client that never reads: the socket stays paused, replies pile up on the parent's side. */
  readonly noRead?: boolean;
  /** After the steps: wait this long for answers still due (HTTP) or for the parent to work (streams). */
  readonly lingerMs: number;
}

/**
 * What came of a session.
 *
 * @example
 * ```ts
 * if (result.unanswered > 0 && !result.closedByParent) console.log("requests left hanging");
 * ```
 */
export interface SessionResult {
  readonly bytesSent: number;
  readonly bytesReceived: number;
  /** HTTP responses read in full. */
  readonly responses: number;
  /** Longest time from a request's last byte to its answer, over the answered requests. */
  readonly longestAnswerMs: number;
  /** Requests without an answer when the session ended while the connection was still open. */
  readonly unanswered: number;
  /** How long the oldest of them had waited then (0 when none). */
  readonly unansweredForMs: number;
  /** The parent closed (or reset) the connection. */
  readonly closedByParent: boolean;
  /** The session's own duration. */
  readonly ms: number;
}

/**
 * Plays `plan` on a new connection from `localAddress` (e.g. 127.0.0.7: every 127.x.y.z is the loopback on
 * Linux) to 127.0.0.1:`port`; ends it after `deadlineMs` at the latest. Never rejects.
 */
export async function runSession(
  port: number,
  plan: FuzzPlan,
  deadlineMs: number,
  localAddress = "127.0.0.1",
): Promise<SessionResult> {
  const started = performance.now();
  const deadline = started + deadlineMs;
  const socket = connect({ host: "127.0.0.1", port, localAddress });
  const reader = new HttpResponseReader(false);
  const sentAt: number[] = [];
  let bytesSent = 0, bytesReceived = 0, responses = 0, longestAnswerMs = 0;
  // Answers that came before their request was fully written (an early 400): not timed.
  let early = 0;
  let closed = false;
  let wake = () => {};
  socket.on("error", () => {});
  socket.on("close", () => {
    closed = true;
    wake();
  });
  socket.on("data", (chunk: Buffer) => {
    bytesReceived += chunk.length;
    if (plan.kind === "http") {
      for (const _ of reader.push(chunk)) {
        responses++;
        const at = sentAt.shift();
        if (at === undefined) early++;
        else longestAnswerMs = Math.max(longestAnswerMs, performance.now() - at);
      }
    }
    wake();
  });
  if (plan.noRead) socket.pause();

  /** Resolves when `ready()` holds, on close, or after `ms` (never past the deadline). */
  const waitFor = (ms: number, ready: () => boolean = () => false): Promise<void> =>
    new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wake = () => {};
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, Math.min(ms, deadline - performance.now())));
      wake = () => {
        if (closed || ready()) done();
      };
      wake();
    });

  await new Promise<void>((resolve) => {
    socket.once("connect", resolve);
    socket.once("close", resolve);
  });
  for (const step of plan.steps) {
    if (closed || performance.now() >= deadline) break;
    if (step.kind === "wait") await waitFor(step.ms);
    else if (step.kind === "await-reply") {
      const before = bytesReceived;
      await waitFor(step.ms, () => bytesReceived > before);
    } else {
      const size = Math.max(1, step.chunkBytes ?? step.bytes.length);
      for (let at = 0; at < step.bytes.length && !closed && performance.now() < deadline; at += size) {
        const piece = step.bytes.subarray(at, at + size);
        bytesSent += piece.length;
        if (!socket.write(piece)) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, Math.max(0, deadline - performance.now()));
            socket.once("drain", () => {
              clearTimeout(timer);
              resolve();
            });
          });
        }
        if (step.gapMs) await waitFor(step.gapMs);
      }
      const now = performance.now();
      for (let i = 0; i < (step.requests ?? 0); i++) {
        if (early > 0) early--;
        else sentAt.push(now);
      }
    }
  }
  await waitFor(plan.lingerMs, () => plan.kind === "http" && !plan.noRead && sentAt.length === 0);
  const ended = performance.now();
  const unanswered = closed || plan.noRead ? 0 : sentAt.length;
  const closedByParent = closed;
  socket.destroy();
  return {
    bytesSent,
    bytesReceived,
    responses,
    longestAnswerMs,
    unanswered,
    unansweredForMs: unanswered > 0 ? ended - sentAt[0] : 0,
    closedByParent,
    ms: ended - started,
  };
}

/** Bytes of text as the wire carries them (UTF-8). */
export function utf8(text: string): Uint8Array {
  return Buffer.from(text, "utf8");
}
