// The request-head parser and keep-alive rules.
import { test } from "node:test";
import assert from "node:assert/strict";
import { HttpError, parseRequestHead, requestBodyLength, wantsKeepAlive } from "../../../src/parent/web/http.ts";
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
