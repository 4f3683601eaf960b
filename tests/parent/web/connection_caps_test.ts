// Connection caps: the counter itself, then on real sockets: 503 over a cap, one log line per interval,
// and streams that count while in the listener and stop counting, once, when handed to the receiver.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { IncomingStream } from "../../../src/parent/receiver/incoming.ts";
import { ConnectionCaps } from "../../../src/parent/web/connection_caps.ts";
import type { WebListener } from "../../../src/parent/web/listener.ts";
import { Logger } from "../../../src/runtime/log.ts";
import { until } from "../../_until.ts";
import { plain, readAll, start, statuses } from "./_listener.ts";

function capturingLog(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  return { log: new Logger("rill-test", "WEB", (l) => lines.push(l)), lines };
}

test("ConnectionCaps: per address and in total, released once, refusals logged once per interval", () => {
  const { log, lines } = capturingLog();
  let now = 0;
  const caps = new ConnectionCaps({ maxConnections: 3, maxConnectionsPerAddress: 2 }, log, () => now);
  const a1 = caps.admit("10.0.0.1", "10.0.0.1:1");
  const a2 = caps.admit("10.0.0.1", "10.0.0.1:2");
  assert.ok(a1 && a2);
  assert.equal(caps.admit("10.0.0.1", "10.0.0.1:3"), undefined);
  assert.match(
    lines[0],
    /web connection from 10\.0\.0\.1:3 refused: 2 connections from 10\.0\.0\.1 are open, \[web\] web server max sockets per address = 2$/,
  );
  const b1 = caps.admit("10.0.0.2", "10.0.0.2:1");
  assert.ok(b1);
  assert.equal(caps.admit("10.0.0.3", "10.0.0.3:1"), undefined);
  assert.equal(lines.length, 1, "a second refusal within the interval is not logged");
  now += 10_000;
  assert.equal(caps.admit("10.0.0.3", "10.0.0.3:2"), undefined);
  assert.match(
    lines[1],
    /10\.0\.0\.3:2 refused: 3 connections are open, \[web\] web server max sockets = 3; 1 more refused since the last such line$/,
  );
  a1();
  a1();
  assert.equal(caps.open, 2, "a release counts once");
  assert.ok(caps.admit("10.0.0.1", "10.0.0.1:4"));
  assert.equal(caps.admit("10.0.0.1", "10.0.0.1:5"), undefined);
  a2();
  b1();
  assert.equal(caps.open, 1);
});

/** The answer to a request on a new connection, or what an over-cap connection is told. */
async function ask(web: WebListener, localAddress?: string): Promise<string> {
  const s = await plain(web, 0, localAddress);
  const all = readAll(s);
  s.write("GET /api/v1/info HTTP/1.1\r\nConnection: close\r\n\r\n");
  return await all;
}

test("over the per-address cap a connection gets 503 at once and one log line; a freed slot serves again", async () => {
  const { log, lines } = capturingLog();
  const web = await start({ log, limits: { maxConnectionsPerAddress: 2 } });
  try {
    const held = [await plain(web), await plain(web)];
    const refused = await plain(web);
    const text = await readAll(refused);
    assert.deepEqual(statuses(text), ["503"]);
    assert.match(text, /Too many connections/);
    assert.deepEqual(statuses(await ask(web)), ["503"]);
    const refusals = lines.filter((l) => l.includes("refused"));
    assert.equal(refusals.length, 1);
    assert.match(refusals[0], /web connection from localhost:\d+ refused: 2 connections from 127\.0\.0\.1 are open/);
    // Another loopback address has slots of its own: `localhost` is a name for allow-from patterns only.
    assert.deepEqual(statuses(await ask(web, "127.0.0.2")), ["200"]);
    held[0].destroy();
    await until("a freed slot", async () => statuses(await ask(web))[0] === "200");
    held[1].destroy();
  } finally {
    await web.close();
  }
});

test("over the total cap a connection gets 503", async () => {
  const { log, lines } = capturingLog();
  const web = await start({ log, limits: { maxConnections: 1 } });
  try {
    const held = await plain(web);
    assert.deepEqual(statuses(await ask(web)), ["503"]);
    assert.match(lines.find((l) => l.includes("refused")) ?? "", /\[web\] web server max sockets = 1$/);
    held.destroy();
  } finally {
    await web.close();
  }
});

test("a stream counts until it is handed to the receiver, and its close is not counted again", async () => {
  const streams: IncomingStream[] = [];
  const web = await start({ streams, limits: { maxConnectionsPerAddress: 1 } });
  try {
    const child = await plain(web);
    child.write("STREAM key=k&hostname=h HTTP/1.1\r\n\r\n");
    const stream = await until("the handover", () => streams[0]);
    // The child's slot is free: an HTTP client is served.
    const browser = await plain(web);
    const answer = readAll(browser, 1000);
    browser.write("GET /api/v1/info HTTP/1.1\r\n\r\n");
    await until("the browser's answer", () => browser.bytesRead > 0);
    // The stream ends; the browser still holds the only slot.
    stream.socket.destroy();
    await readAll(child);
    assert.deepEqual(statuses(await ask(web)), ["503"]);
    browser.destroy();
    assert.deepEqual(statuses(await answer), ["200"]);
  } finally {
    await web.close();
  }
});
