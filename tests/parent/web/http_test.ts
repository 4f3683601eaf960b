// The request-head parser and keep-alive rules.
import { test } from "node:test";
import assert from "node:assert/strict";
import { HttpError, parseRequestHead, wantsKeepAlive } from "../../../src/parent/web/http.ts";
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
