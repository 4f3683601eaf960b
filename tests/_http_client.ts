/**
 * A raw HTTP/1.1 client for probing a parent under stress: every request on its own new TCP connection (no
 * pool that a stuck connection could block), a deadline after which it gives up instead of waiting on a hung
 * server, a bound on what it reads, and a reader of `Content-Length` responses that counts pipelined answers.
 *
 * @example
 * ```ts
 * import { httpGet } from "./tests/_http_client.ts";
 *
 * const answer = await httpGet(port, "/api/v1/info", { timeoutMs: 5000 });
 * if (answer.timedOut) console.log(`no answer in ${answer.ms} ms`);
 * else console.log(answer.status, answer.body.toString());
 * ```
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { connect } from "node:net";

/**
 * One response read off a connection.
 *
 * @example
 * ```ts
 * const r: HttpResponseRead = { status: 200, head: "HTTP/1.1 200 OK\r\n…", body: Buffer.from("{}") };
 * ```
 */
export interface HttpResponseRead {
  readonly status: number;
  /** The status line and headers, without the blank line. */
  readonly head: string;
  /** The body, or an empty buffer when the reader was told not to keep bodies. */
  readonly body: Buffer;
}

/**
 * Splits a stream of HTTP responses (as rill's and Netdata's web servers send them: `Content-Length`, no
 * chunking) into responses; bodies are kept only when asked, so counting the answers of a long pipeline
 * costs no memory.
 *
 * @example
 * ```ts
 * const reader = new HttpResponseReader(false);
 * socket.on("data", (chunk) => answered += reader.push(chunk).length);
 * ```
 */
export class HttpResponseReader {
  readonly #keepBodies: boolean;
  #buffer: Buffer = Buffer.alloc(0);
  #pending: { status: number; head: string; left: number; parts: Buffer[] } | undefined;
  /** Why the stream stopped making sense (no status line, no length), once it did; later bytes are ignored. */
  malformed: string | undefined;

  constructor(keepBodies: boolean) {
    this.#keepBodies = keepBodies;
  }

  /** Takes the next bytes; returns the responses they complete. */
  push(chunk: Buffer): HttpResponseRead[] {
    const done: HttpResponseRead[] = [];
    if (this.malformed !== undefined) return done;
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      if (this.#pending === undefined) {
        const end = this.#buffer.indexOf("\r\n\r\n");
        if (end < 0) {
          if (this.#buffer.length > 65536) this.malformed = "a response head longer than 64 KiB";
          return done;
        }
        const head = this.#buffer.subarray(0, end).toString("latin1");
        this.#buffer = this.#buffer.subarray(end + 4);
        const status = /^HTTP\/1\.[01] (\d{3})/.exec(head);
        const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        if (status === null || length === null) {
          this.malformed = `expected a status line and a Content-Length, found '${head.slice(0, 120)}'`;
          return done;
        }
        this.#pending = { status: Number(status[1]), head, left: Number(length[1]), parts: [] };
      }
      const take = Math.min(this.#pending.left, this.#buffer.length);
      if (this.#keepBodies && take > 0) this.#pending.parts.push(this.#buffer.subarray(0, take));
      this.#pending.left -= take;
      this.#buffer = this.#buffer.subarray(take);
      if (this.#pending.left > 0) return done;
      const { status, head, parts } = this.#pending;
      done.push({ status, head, body: Buffer.concat(parts) });
      this.#pending = undefined;
    }
  }
}

/**
 * What {@link httpGet} got: a response, or why there is none.
 *
 * @example
 * ```ts
 * const a: HttpAnswer = await httpGet(port, "/api/v1/info");
 * if (a.status === 200) JSON.parse(a.body.toString());
 * ```
 */
export interface HttpAnswer {
  /** The response's status, `undefined` when none came. */
  readonly status: number | undefined;
  readonly body: Buffer;
  /** Milliseconds from connecting to the full answer (or to giving up). */
  readonly ms: number;
  /** True when the deadline passed first. */
  readonly timedOut: boolean;
  /** Why there is no answer, when there is none. */
  readonly error: string | undefined;
}

/**
 * Choices of {@link httpGet}.
 *
 * @example
 * ```ts
 * const options: HttpGetOptions = { timeoutMs: 10_000, maxBytes: 1 << 20 };
 * ```
 */
export interface HttpGetOptions {
  /** Give up after this many milliseconds (default 30 000). */
  readonly timeoutMs?: number;
  /** Give up once the answer passes this many bytes (default 256 MiB). */
  readonly maxBytes?: number;
  /** Give up when this aborts (the answer then says `aborted`). */
  readonly signal?: AbortSignal;
}

/**
 * `GET target` on a new connection to 127.0.0.1:`port` with `Connection: close`; never rejects.
 *
 * @example
 * ```ts
 * const a = await httpGet(port, "/host/edge-1/api/v1/data?chart=system.cpu&after=-5", { timeoutMs: 5000 });
 * ```
 */
export function httpGet(port: number, target: string, options: HttpGetOptions = {}): Promise<HttpAnswer> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    const reader = new HttpResponseReader(true);
    let received = 0;
    let settled = false;
    const finish = (answer: Omit<HttpAnswer, "ms">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...answer, ms: performance.now() - started });
    };
    const none = (error: string, timedOut = false) =>
      finish({ status: undefined, body: Buffer.alloc(0), timedOut, error });
    const timer = setTimeout(() => none(`no answer within ${timeoutMs} ms`, true), timeoutMs);
    if (options.signal?.aborted) return none("aborted");
    options.signal?.addEventListener("abort", () => none("aborted"), { once: true });
    socket.once("connect", () => {
      socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
    });
    socket.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) return none(`the answer passed ${maxBytes} bytes`);
      const [response] = reader.push(chunk);
      if (response !== undefined) {
        finish({ status: response.status, body: response.body, timedOut: false, error: undefined });
      } else if (reader.malformed !== undefined) none(reader.malformed);
    });
    socket.on("error", (e: Error) => none(e.message));
    socket.on("close", () => none("the server closed the connection before a full answer"));
  });
}
