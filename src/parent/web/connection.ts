/**
 * One HTTP connection of the web port: reads request heads, skips any `Content-Length` body, asks the
 * router what to do with each request and writes the replies in request order, until the connection
 * closes or leaves HTTP (a `STREAM` request hands its socket to the receiver).
 *
 * Every resource a client can make it hold is bounded: requests are handled one at a time (an answer may
 * be a promise; the next request is read only when it is written), unparsed input stops being read at the
 * head limit while a request is being answered or output is backed up, a request must arrive whole within
 * a deadline from its first byte, and output that the client does not read stops further requests at
 * {@link WebLimits.outputBytes} and cuts the connection off when it makes no progress for
 * {@link WebLimits.stallTimeoutMs}.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import type { Socket } from "node:net";
import { findRequestEnd } from "../../protocol/handshake.ts";
import type { Logger } from "../../runtime/log.ts";
import {
  encodeResponse,
  HttpError,
  type HttpResponse,
  parseRequestHead,
  requestBodyLength,
  type RequestHead,
  textResponse,
} from "./http.ts";
import type { WebLimits } from "./limits.ts";
import { OutputQueue } from "./output_queue.ts";

/**
 * What to do with one request: answer it (now or when a promise settles) and keep the connection open
 * or not, hand the socket over (`takeOver` gets the bytes read after the request, the socket paused and
 * with nothing of ours attached), or close the connection without a word.
 *
 * @example
 * ```ts
 * const route = (head: RequestHead): Route =>
 *   head.method === "GET" ? { response: api.handle(head.target, ip), keepAlive: true } : { close: true };
 * ```
 */
export type Route =
  | { readonly response: HttpResponse | Promise<HttpResponse>; readonly keepAlive: boolean }
  | { readonly takeOver: (extra: Uint8Array) => void }
  | { readonly close: true };

/**
 * What {@link serveHttp} needs.
 *
 * @example
 * ```ts
 * serveHttp(socket, { limits, server: "rill/0.1.0", log, peer: "10.1.2.3:40000", route });
 * ```
 */
export interface HttpConnectionOptions {
  readonly limits: WebLimits;
  /** The `Server` header. */
  readonly server: string;
  readonly log: Logger;
  /** `address:port` of the client, for log lines. */
  readonly peer: string;
  /** Decides about each whole request; `text` is its head as received, without the blank line. */
  readonly route: (head: RequestHead, text: string) => Route;
}

/**
 * A served connection.
 *
 * @example
 * ```ts
 * const connection = serveHttp(socket, options);
 * connection.close(); // at shutdown
 * ```
 */
export interface HttpConnection {
  /** Ends the connection: gracefully between requests, at once in the middle of one. */
  close(): void;
}

/**
 * Serves HTTP on `socket` (plain or TLS). Expects the listener to have attached an `error` handler and
 * to count the connection until `close`.
 *
 * @example
 * ```ts
 * net.createServer({ allowHalfOpen: true }, (socket) => serveHttp(socket, options));
 * ```
 */
export function serveHttp(socket: Socket, options: HttpConnectionOptions): HttpConnection {
  const { limits, log, peer } = options;
  let input: Buffer = Buffer.alloc(0);
  let searchFrom = 0;
  // A parsed request whose body is still being skipped.
  let pending: { readonly head: RequestHead; readonly text: string; bodyLeft: number } | undefined;
  let answering = false;
  let finished = false;
  let peerEnded = false;
  let second = 0;
  let requestsInSecond = 0;
  let requestTimer: ReturnType<typeof setTimeout> | undefined;

  const output = new OutputQueue(socket, limits.stallTimeoutMs, {
    onProgress: () => {
      if (output.pendingBytes <= limits.outputBytes) serve();
    },
    onStall: (unsent) => {
      log.error(
        `web client ${peer} does not read its replies: ${unsent} bytes unsent, none taken for ${
          limits.stallTimeoutMs / 1000
        } s; connection closed`,
      );
      stopReading();
      socket.destroy();
    },
  });

  const send = (response: HttpResponse, keepAlive: boolean) => {
    for (const bytes of encodeResponse(response, { keepAlive, server: options.server, nowMs: Date.now() })) {
      output.write(bytes);
    }
  };

  function stopReading(): void {
    finished = true;
    clearTimeout(requestTimer);
    socket.off("data", onData);
  }
  /** The last reply: nothing more is read, the socket ends once it is written. */
  function finish(response: HttpResponse | undefined): void {
    stopReading();
    if (response !== undefined) send(response, false);
    output.end();
  }
  function reply(response: HttpResponse, keepAlive: boolean): void {
    if (keepAlive) send(response, true);
    else finish(response);
  }

  const startRequestClock = () => {
    if (requestTimer !== undefined) return;
    requestTimer = setTimeout(() => {
      log.error(`web client ${peer} did not send a whole request within ${limits.headTimeoutMs / 1000} s; closed`);
      finish(textResponse(408, `The request was not complete ${limits.headTimeoutMs / 1000} s after its first byte`));
    }, limits.headTimeoutMs);
    requestTimer.unref?.();
  };
  const stopRequestClock = () => {
    clearTimeout(requestTimer);
    requestTimer = undefined;
  };

  /** Takes the next whole request off the input, or undefined when it is not all there (yet). */
  const nextRequest = (): { head: RequestHead; text: string } | undefined => {
    if (pending === undefined) {
      const end = findRequestEnd(input, searchFrom);
      if (end < 0 ? input.length > limits.headBytes : end > limits.headBytes) {
        finish(textResponse(431, `Request head longer than ${limits.headBytes} bytes`));
        return undefined;
      }
      if (end < 0) {
        searchFrom = Math.max(0, input.length - 3);
        if (input.length > 0) startRequestClock();
        return undefined;
      }
      // The head without the blank line that ends it: request line and headers, each (CR)LF-terminated.
      const text = input.subarray(0, end).toString("utf8").replace(/\r?\n$/, "");
      input = input.subarray(end);
      searchFrom = 0;
      const now = Math.floor(Date.now() / 1000);
      if (now !== second) [second, requestsInSecond] = [now, 0];
      if (++requestsInSecond > limits.requestsPerSecond) {
        finish(textResponse(429, `More than ${limits.requestsPerSecond} requests per second on one connection`));
        return undefined;
      }
      try {
        const head = parseRequestHead(text);
        pending = { head, text, bodyLeft: requestBodyLength(head, limits.bodyBytes) };
      } catch (e) {
        if (!(e instanceof HttpError)) throw e;
        finish(textResponse(e.status, e.message));
        return undefined;
      }
    }
    const skip = Math.min(pending.bodyLeft, input.length);
    input = input.subarray(skip);
    pending.bodyLeft -= skip;
    if (pending.bodyLeft > 0) {
      startRequestClock();
      return undefined;
    }
    const request = pending;
    pending = undefined;
    stopRequestClock();
    return request;
  };

  /** Answers whole requests while nothing holds them back, then reads on only if input is within bounds. */
  function serve(): void {
    while (!finished && !answering && !socket.destroyed && output.pendingBytes <= limits.outputBytes) {
      const request = nextRequest();
      if (request === undefined) break;
      dispatch(request.head, request.text);
    }
    if (finished || socket.destroyed) return;
    if (peerEnded && !answering && output.pendingBytes <= limits.outputBytes) {
      // The client sent all it will and every whole request is answered: what is left is none.
      finish(undefined);
      return;
    }
    // Bounds unparsed input while a request is being answered or output is backed up: the head limit
    // is all one request may need.
    const wantInput = input.length < limits.headBytes;
    if (wantInput && socket.isPaused()) socket.resume();
    else if (!wantInput && !socket.isPaused()) socket.pause();
  }

  function dispatch(head: RequestHead, text: string): void {
    let route: Route;
    try {
      route = options.route(head, text);
    } catch (e) {
      route = { response: internalError(e), keepAlive: false };
    }
    if ("takeOver" in route) {
      stopReading();
      socket.off("end", onEnd);
      socket.off("close", onClose);
      output.dispose();
      socket.pause();
      route.takeOver(new Uint8Array(input));
      return;
    }
    if ("close" in route) {
      stopReading();
      socket.destroy();
      return;
    }
    const { response, keepAlive } = route;
    if (!(response instanceof Promise)) {
      reply(response, keepAlive);
      return;
    }
    answering = true;
    response.catch(internalError).then((answer) => {
      answering = false;
      // A client gone while its answer was computed leaves nothing to do.
      if (finished || socket.destroyed) return;
      reply(answer, keepAlive);
      serve();
    });
  }

  function internalError(e: unknown): HttpResponse {
    const message = e instanceof Error ? e.message : String(e);
    log.error(`web client ${peer}: internal error while answering: ${message}`);
    return textResponse(500, `Internal error: ${message}`);
  }

  function onData(chunk: Buffer): void {
    input = input.length === 0 ? chunk : Buffer.concat([input, chunk]);
    serve();
  }
  function onEnd(): void {
    peerEnded = true;
    serve();
  }
  function onClose(): void {
    stopReading();
    output.dispose();
  }
  socket.on("data", onData);
  socket.on("end", onEnd);
  socket.once("close", onClose);
  serve();

  return {
    close: () => {
      if (input.length === 0 && pending === undefined && !answering) finish(undefined);
      else socket.destroy();
    },
  };
}
