// One HTTP connection on real sockets: replies in request order with an async API, backpressure and the
// cut-off of a client that does not read, the whole-request deadline, request bodies, half-close.
import { test } from "node:test";
import assert from "node:assert/strict";
import { type HttpResponse, textResponse } from "../../../src/parent/web/http.ts";
import type { ApiHandler } from "../../../src/parent/web/listener.ts";
import { Logger } from "../../../src/runtime/log.ts";
import { until } from "../../_until.ts";
import { plain, readAll, start, statuses } from "./_listener.ts";

/** An API that answers each target with itself as the body and remembers what it was asked. */
function echoApi(answer: (target: string) => HttpResponse | Promise<HttpResponse> = (t) => textResponse(200, t)) {
  const targets: string[] = [];
  const api: ApiHandler = {
    handle: (target) => {
      targets.push(target);
      return answer(target);
    },
  };
  return { api, targets };
}

function bodies(text: string): string[] {
  return text.split(/(?=HTTP\/1\.1 )/).map((r) => r.slice(r.indexOf("\r\n\r\n") + 4));
}

const get = (target: string, headers = "") => `GET ${target} HTTP/1.1\r\n${headers}\r\n`;

test("pipelined requests are answered in request order, one at a time, whether answers are promises or not", async () => {
  let inFlight = 0;
  let mostInFlight = 0;
  const { api } = echoApi((target) => {
    const n = Number(target.slice(1));
    if (n % 2 === 0) return textResponse(200, target);
    inFlight++;
    mostInFlight = Math.max(mostInFlight, inFlight);
    // Later requests finish sooner: only one-at-a-time handling keeps the order.
    return new Promise((resolve) =>
      setTimeout(() => {
        inFlight--;
        resolve(textResponse(200, target));
      }, (10 - n) * 5)
    );
  });
  const web = await start({ api });
  try {
    const s = await plain(web);
    const all = readAll(s, 10_000);
    const targets = Array.from({ length: 10 }, (_, n) => `/${n}`);
    s.write(targets.map((t, n) => get(t, n === 9 ? "Connection: close\r\n" : "")).join(""));
    const text = await all;
    assert.deepEqual(bodies(text), targets);
    assert.deepEqual(statuses(text), targets.map(() => "200"));
    assert.equal(mostInFlight, 1);
  } finally {
    await web.close();
  }
});

test("a client gone while its answer is computed breaks nothing; the port serves on", async () => {
  let release: (r: HttpResponse) => void = () => {};
  const { api, targets } = echoApi((target) =>
    target === "/slow" ? new Promise((resolve) => (release = resolve)) : textResponse(200, target)
  );
  const web = await start({ api });
  try {
    const gone = await plain(web);
    gone.write(get("/slow"));
    await until("the slow request to reach the API", () => targets.includes("/slow"));
    const closed = readAll(gone);
    gone.destroy();
    await closed;
    const next = await plain(web);
    const answered = readAll(next);
    next.write(get("/next", "Connection: close\r\n"));
    assert.deepEqual(bodies(await answered), ["/next"]);
    release(textResponse(200, "too late"));
    const last = await plain(web);
    const lastAnswer = readAll(last);
    last.write(get("/last", "Connection: close\r\n"));
    assert.deepEqual(bodies(await lastAnswer), ["/last"]);
  } finally {
    await web.close();
  }
});

test("a client that pipelines requests and reads no replies is held at the output bound, then cut off with one log line", async () => {
  const lines: string[] = [];
  const log = new Logger("rill-test", "WEB", (l) => lines.push(l));
  const reply = textResponse(200, "x".repeat(64 * 1024));
  const { api, targets } = echoApi(() => reply);
  const sent = 3000;
  const web = await start({
    api,
    log,
    limits: { outputBytes: 64 * 1024, stallTimeoutMs: 300, requestsPerSecond: 1e9 },
  });
  try {
    const s = await plain(web);
    s.pause();
    s.write(get("/api/v1/charts").repeat(sent));
    const cutOff = await until(
      "the cut-off line",
      () => lines.find((l) => l.includes("does not read its replies")),
      30_000,
    );
    assert.match(
      cutOff,
      new RegExp(`web client localhost:${s.localPort} does not read its replies: \\d+ bytes unsent`),
    );
    // Answered: what the kernel's socket buffers took, plus the bound; without backpressure all of them.
    assert.ok(targets.length < sent / 3, `${targets.length} of ${sent} pipelined requests were answered`);
    const rest = readAll(s, 30_000);
    s.resume();
    await rest;
    assert.equal(s.destroyed || s.readableEnded, true);
    assert.equal(lines.filter((l) => l.includes("does not read")).length, 1);
  } finally {
    await web.close();
  }
});

test("a request trickled in byte by byte is answered 408 at the deadline from its first byte", async () => {
  const web = await start({ limits: { headTimeoutMs: 300, idleTimeoutMs: 60_000 } });
  try {
    const s = await plain(web);
    const all = readAll(s, 20_000);
    s.write("GET /api/v1/info HTTP/1.1\r\n");
    // Each byte is activity, so the idle timer alone never ends this.
    const trickle = setInterval(() => s.writable && s.write("X"), 50);
    try {
      const text = await all;
      assert.deepEqual(statuses(text), ["408"]);
      assert.match(text, /The request was not complete 0\.3 s after its first byte$/);
    } finally {
      clearInterval(trickle);
    }
  } finally {
    await web.close();
  }
});

test("a Content-Length body is skipped, never read as a request", async () => {
  const { api, targets } = echoApi();
  const web = await start({ api });
  try {
    const s = await plain(web);
    const all = readAll(s);
    const smuggled = get("/smuggled");
    s.write(get("/a", `Content-Length: ${smuggled.length}\r\n`) + smuggled.slice(0, 10));
    s.write(smuggled.slice(10) + get("/b", "Connection: close\r\n"));
    assert.deepEqual(bodies(await all), ["/a", "/b"]);
    assert.deepEqual(targets, ["/a", "/b"]);
  } finally {
    await web.close();
  }
});

test("bodies that cannot be skipped safely are refused and the connection closed", async () => {
  const { api, targets } = echoApi();
  const web = await start({ api, limits: { bodyBytes: 100 } });
  try {
    const cases: [string, string, RegExp][] = [
      ["Transfer-Encoding: chunked\r\n", "501", /Transfer-Encoding 'chunked' is not supported/],
      ["Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", "400", /ambiguous/],
      ["Content-Length: 101\r\n", "413", /101 bytes is larger than the 100/],
    ];
    for (const [headers, status, message] of cases) {
      const s = await plain(web);
      const all = readAll(s);
      s.write(get("/with-body", headers) + "5\r\nhello\r\n0\r\n\r\n" + get("/after"));
      const text = await all;
      assert.deepEqual(statuses(text), [status], headers);
      assert.match(text, message);
    }
    assert.deepEqual(targets, []);
  } finally {
    await web.close();
  }
});

test("a client that sends its requests and then its FIN still gets every answer", async () => {
  const { api } = echoApi((target) => Promise.resolve(textResponse(200, target)));
  const web = await start({ api });
  try {
    const s = await plain(web);
    const all = readAll(s);
    s.end(get("/1") + get("/2"));
    assert.deepEqual(bodies(await all), ["/1", "/2"]);
  } finally {
    await web.close();
  }
});

test("LF-only request heads are answered like CRLF ones", async () => {
  const { api, targets } = echoApi();
  const web = await start({ api });
  try {
    const s = await plain(web);
    const all = readAll(s);
    s.write(
      "GET /lf HTTP/1.1\nHost: x\n\nGET /mixed HTTP/1.1\r\nHost: x\n\r\nGET /last HTTP/1.1\nConnection: close\n\n",
    );
    assert.deepEqual(bodies(await all), ["/lf", "/mixed", "/last"]);
    assert.deepEqual(targets, ["/lf", "/mixed", "/last"]);
  } finally {
    await web.close();
  }
});
