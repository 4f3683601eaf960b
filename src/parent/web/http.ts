/**
 * The little HTTP/1.1 the parent's web port speaks: reading one request head (request line and headers;
 * the API takes no request bodies, a `Content-Length` one is only measured to be skipped) and writing one response with the headers Netdata's web
 * server sends (CORS open to every origin, no caching).
 *
 * @module
 */

import { Buffer } from "node:buffer";

/**
 * A request that cannot be served, with the status and plain-text message to answer it with.
 *
 * @example
 * ```ts
 * throw new HttpError(400, "Which format? 'shell', 'prometheus', 'prometheus_all_hosts' and 'json' are currently supported.");
 * ```
 */
export class HttpError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/**
 * One parsed request head.
 *
 * @example
 * ```ts
 * const head: RequestHead = parseRequestHead("GET /api/v1/info HTTP/1.1\r\nHost: x\r\n");
 * head.headers.get("host"); // "x"
 * ```
 */
export interface RequestHead {
  /** As sent (`GET`, `STREAM`, …); methods are case-sensitive in HTTP. */
  readonly method: string;
  /** The request target as sent: path and query string, still URL-encoded. */
  readonly target: string;
  /** `HTTP/1.1`, `HTTP/1.0`. */
  readonly version: string;
  /** Header values by lower-case name; a repeated header keeps its last value. */
  readonly headers: ReadonlyMap<string, string>;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Parses a request head: the request line and the header lines, CRLF- (or LF-) separated, without the
 * blank line that ends it. Throws an {@link HttpError} (400) saying what is wrong.
 *
 * @example
 * ```ts
 * parseRequestHead("GET /api/v1/info HTTP/1.1\r\n").target; // "/api/v1/info"
 * parseRequestHead("garbage"); // throws HttpError 400
 * ```
 */
export function parseRequestHead(text: string): RequestHead {
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  // The target runs to the last space: a 1.37 child sends raw values with spaces in it (`os_name=Debian GNU/Linux`).
  const line = lines[0];
  const first = line.indexOf(" ");
  const last = line.lastIndexOf(" ");
  const method = line.slice(0, Math.max(0, first));
  const target = line.slice(first + 1, last);
  const version = line.slice(last + 1);
  if (first <= 0 || last <= first + 1 || !TOKEN.test(method) || target.startsWith(" ")) {
    throw new HttpError(400, `Bad request line: expected 'METHOD /path HTTP/1.1', found '${line.slice(0, 200)}'`);
  }
  if (!/^HTTP\/1\.[01]$/.test(version)) {
    throw new HttpError(400, `Unsupported protocol '${version.slice(0, 20)}': expected HTTP/1.1 or HTTP/1.0`);
  }
  const headers = new Map<string, string>();
  for (let i = 1; i < lines.length; i++) {
    const colon = lines[i].indexOf(":");
    const name = colon > 0 ? lines[i].slice(0, colon) : "";
    if (!TOKEN.test(name)) throw new HttpError(400, `Bad header line: '${lines[i].slice(0, 200)}'`);
    const key = name.toLowerCase();
    const value = lines[i].slice(colon + 1).trim();
    // Two lengths would let a proxy in front and this parser frame the body differently (request smuggling).
    if (key === "content-length" && headers.has(key) && headers.get(key) !== value) {
      throw new HttpError(400, `Conflicting Content-Length headers: '${headers.get(key)}' and '${value.slice(0, 20)}'`);
    }
    headers.set(key, value);
  }
  return { method, target, version, headers };
}

/**
 * How many body bytes follow `head`, to be read and dropped (the API takes no request bodies); throws an
 * {@link HttpError} when the body cannot be skipped safely: `Transfer-Encoding` (501; with `Content-Length`
 * too, 400: the framing is ambiguous), a malformed `Content-Length` (400) or one above `maxBytes` (413).
 * After any of these the connection must be closed: where the next request starts is unknown.
 *
 * @example
 * ```ts
 * requestBodyLength(parseRequestHead("GET / HTTP/1.1\r\nContent-Length: 5\r\n"), 16384); // 5
 * requestBodyLength(parseRequestHead("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"), 16384); // throws 501
 * ```
 */
export function requestBodyLength(head: RequestHead, maxBytes: number): number {
  const encoding = head.headers.get("transfer-encoding");
  const length = head.headers.get("content-length");
  if (encoding !== undefined && length !== undefined) {
    throw new HttpError(400, "Both Transfer-Encoding and Content-Length: the length of the body is ambiguous");
  }
  if (encoding !== undefined) {
    throw new HttpError(501, `Transfer-Encoding '${encoding.slice(0, 50)}' is not supported: send no request body`);
  }
  if (length === undefined) return 0;
  if (!/^\d{1,15}$/.test(length)) {
    throw new HttpError(400, `Bad Content-Length: expected a number of bytes, found '${length.slice(0, 20)}'`);
  }
  const bytes = Number(length);
  if (bytes > maxBytes) {
    throw new HttpError(413, `Request body of ${bytes} bytes is larger than the ${maxBytes} accepted (and ignored)`);
  }
  return bytes;
}

/**
 * Whether the connection stays open after answering `head`: HTTP/1.1 unless `Connection: close`,
 * HTTP/1.0 only with `Connection: keep-alive`.
 *
 * @example
 * ```ts
 * wantsKeepAlive(parseRequestHead("GET / HTTP/1.1\r\nConnection: close\r\n")); // false
 * ```
 */
export function wantsKeepAlive(head: RequestHead): boolean {
  const connection = head.headers.get("connection")?.toLowerCase() ?? "";
  return head.version === "HTTP/1.1" ? !/\bclose\b/.test(connection) : /\bkeep-alive\b/.test(connection);
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  200: "OK",
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  409: "Conflict",
  413: "Content Too Large",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  501: "Not Implemented",
  503: "Service Unavailable",
};

/**
 * A response to write: status, content type and body, plus any extra headers. A large body is given as
 * UTF-8 byte slices (see ./body.ts `BodyBuilder`), written one after the other without being joined.
 *
 * @example
 * ```ts
 * const r: HttpResponse = { status: 404, contentType: "text/plain; charset=utf-8", body: "not found" };
 * ```
 */
export interface HttpResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string | readonly Uint8Array[];
  readonly headers?: readonly (readonly [string, string])[];
}

/**
 * A plain-text response, the shape of every error Netdata's API answers with.
 *
 * @example
 * ```ts
 * textResponse(404, "Chart is not found: foo").contentType; // "text/plain; charset=utf-8"
 * ```
 */
export function textResponse(status: number, body: string): HttpResponse {
  return { status, contentType: "text/plain; charset=utf-8", body };
}

/** A body up to this size is copied behind the head, so that the whole response is one write. */
const SMALL_BODY_BYTES = 16 * 1024;

/**
 * The bytes of a full response, to be written in order: the head, then the body's slices as they are (a large
 * body is never copied into one buffer; `Content-Length` is the sum of the slices' lengths); a small response is
 * one buffer. `HEAD`-less, so the body is always sent.
 *
 * @example
 * ```ts
 * const bytes = encodeResponse(textResponse(200, "OK"), { keepAlive: true, server: "rill/0.1.0", nowMs: Date.now() });
 * for (const slice of bytes) socket.write(slice);
 * ```
 */
export function encodeResponse(
  response: HttpResponse,
  options: { readonly keepAlive: boolean; readonly server: string; readonly nowMs: number },
): Uint8Array[] {
  const body = typeof response.body === "string" ? [Buffer.from(response.body, "utf8")] : response.body;
  let length = 0;
  for (const slice of body) length += slice.length;
  let head = `HTTP/1.1 ${response.status} ${STATUS_TEXT[response.status] ?? "Unknown"}\r\n` +
    `Connection: ${options.keepAlive ? "keep-alive" : "close"}\r\n` +
    `Server: ${options.server}\r\n` +
    "Access-Control-Allow-Origin: *\r\n" +
    "Access-Control-Allow-Credentials: true\r\n" +
    `Content-Type: ${response.contentType}\r\n` +
    `Date: ${new Date(options.nowMs).toUTCString()}\r\n` +
    "Cache-Control: no-cache, no-store, must-revalidate\r\n" +
    "Pragma: no-cache\r\n";
  for (const [name, value] of response.headers ?? []) head += `${name}: ${value}\r\n`;
  head += `Content-Length: ${length}\r\n\r\n`;
  const headBytes = Buffer.from(head, "latin1");
  // A small answer goes out in one write, as most do; a large one's slices are not copied.
  if (length <= SMALL_BODY_BYTES) return [Buffer.concat([headBytes, ...body])];
  return [headBytes, ...body];
}

/**
 * What Netdata answers a CORS preflight (`OPTIONS`) with.
 *
 * @example
 * ```ts
 * encodeResponse(CORS_PREFLIGHT, { keepAlive: true, server: "rill", nowMs: Date.now() });
 * ```
 */
export const CORS_PREFLIGHT: HttpResponse = {
  status: 200,
  contentType: "text/plain; charset=utf-8",
  body: "OK",
  headers: [
    ["Access-Control-Allow-Methods", "GET, OPTIONS"],
    [
      "Access-Control-Allow-Headers",
      "accept, x-requested-with, origin, content-type, cookie, pragma, cache-control, x-auth-token",
    ],
    ["Access-Control-Max-Age", "1209600"],
  ],
};
