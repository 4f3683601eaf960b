// The request-head parser and keep-alive rules.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import {
  encodeResponse,
  HttpError,
  parseRequestHead,
  requestBodyLength,
  textResponse,
  wantsKeepAlive,
} from "../../../src/parent/web/http.ts";
import { fixtureText } from "../../_fixtures.ts";

test("parses a request line and headers (names lower-cased, values trimmed)", () => {
  const head = parseRequestHead("GET /api/v1/info?x=1 HTTP/1.1\r\nHost: a\r\nX-Thing:  b \r\n");
  assert.equal(head.method, "GET");
  assert.equal(head.target, "/api/v1/info?x=1");
  assert.equal(head.version, "HTTP/1.1");
  assert.deepEqual([...head.headers], [["host", "a"], ["x-thing", "b"]]);
});

test("parses the real 1.37 child's STREAM request", () => {
  const text = fixtureText("netdata-1.37-child-handshake.txt");
  const head = parseRequestHead(text.slice(0, text.indexOf("\r\n\r\n") + 2));
  assert.equal(head.method, "STREAM");
  assert.match(head.headers.get("user-agent") ?? "", /^netdata\/v1\.37/);
});

test("rejects bad request lines and headers with 400", () => {
  for (const bad of ["garbage", "GET /x", "GET /x HTTP/2.0", "G(T /x HTTP/1.1", "GET /x HTTP/1.1\r\nno colon"]) {
    assert.throws(() => parseRequestHead(bad), (e) => e instanceof HttpError && e.status === 400, bad);
  }
});

test("keep-alive: HTTP/1.1 unless Connection: close, HTTP/1.0 only when asked", () => {
  assert.equal(wantsKeepAlive(parseRequestHead("GET / HTTP/1.1\r\n")), true);
  assert.equal(wantsKeepAlive(parseRequestHead("GET / HTTP/1.1\r\nConnection: Close\r\n")), false);
  assert.equal(wantsKeepAlive(parseRequestHead("GET / HTTP/1.0\r\n")), false);
  assert.equal(wantsKeepAlive(parseRequestHead("GET / HTTP/1.0\r\nConnection: keep-alive\r\n")), true);
});

test("requestBodyLength: the Content-Length to skip, or why the body cannot be skipped safely", () => {
  const length = (headers: string) => requestBodyLength(parseRequestHead(`GET / HTTP/1.1\r\n${headers}`), 100);
  assert.equal(length(""), 0);
  assert.equal(length("Content-Length: 0\r\n"), 0);
  assert.equal(length("Content-Length: 100\r\n"), 100);
  assert.equal(length("Content-Length: 7\r\nContent-Length: 7\r\n"), 7);
  const fails = (headers: string, status: number, message: RegExp) =>
    assert.throws(
      () => length(headers),
      (e) => e instanceof HttpError && e.status === status && message.test(e.message),
      headers,
    );
  fails("Content-Length: 101\r\n", 413, /101 bytes is larger than the 100/);
  fails("Content-Length: -1\r\n", 400, /Bad Content-Length: expected a number of bytes, found '-1'/);
  fails("Content-Length: 1e3\r\n", 400, /found '1e3'/);
  fails("Content-Length: 5\r\nContent-Length: 6\r\n", 400, /Conflicting Content-Length headers: '5' and '6'/);
  fails("Transfer-Encoding: chunked\r\n", 501, /Transfer-Encoding 'chunked' is not supported/);
  fails("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", 400, /ambiguous/);
});

const ENCODING = { keepAlive: true, server: "rill/test", nowMs: Date.UTC(2026, 0, 2, 3, 4, 5) };

/** The head of encoded bytes as text and the body bytes after it. */
function split(bytes: readonly Uint8Array[]): { head: string; body: Buffer } {
  const all = Buffer.concat(bytes);
  const end = all.indexOf("\r\n\r\n") + 4;
  return { head: all.subarray(0, end).toString("latin1"), body: all.subarray(end) };
}

test("encodeResponse: a small answer is one buffer with its UTF-8 length", () => {
  const bytes = encodeResponse(textResponse(404, "Chart is not found: é"), ENCODING);
  assert.equal(bytes.length, 1);
  const { head, body } = split(bytes);
  assert.match(head, /^HTTP\/1\.1 404 Not Found\r\nConnection: keep-alive\r\nServer: rill\/test\r\n/);
  assert.match(head, /\r\nDate: Fri, 02 Jan 2026 03:04:05 GMT\r\n/);
  assert.match(head, /\r\nContent-Length: 22\r\n\r\n$/);
  assert.equal(body.toString("utf8"), "Chart is not found: é");
});

test("encodeResponse: a large body's slices follow the head as they are, Content-Length their sum", () => {
  const slices = [Buffer.alloc(40_000, "a"), Buffer.alloc(30_000, "b"), Buffer.from("é")];
  const bytes = encodeResponse({ status: 200, contentType: "text/plain; charset=utf-8", body: slices }, ENCODING);
  assert.equal(bytes.length, 4);
  // The same buffers, not copies: no second copy of a large answer is made.
  for (let i = 0; i < slices.length; i++) assert.equal(bytes[i + 1], slices[i]);
  const { head, body } = split(bytes);
  assert.match(head, /\r\nContent-Length: 70002\r\n\r\n$/);
  assert.equal(body.length, 70_002);
});
