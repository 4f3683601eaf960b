// WebApi.handle on real Hosts and ram-mode HostStores: large answers are produced in slices with turns of
// the event loop in between (other work runs meanwhile), and a request over its budget is a 503. The
// work clock is stepped by the test: 1 ms at every look.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { HostSeries } from "../../../../src/parent/storage/series.ts";
import { WebApi } from "../../../../src/parent/web/api/mod.ts";
import type { HttpResponse } from "../../../../src/parent/web/http.ts";
import { testHost } from "../../../_hosts.ts";
import { conf, makeRegistry, NOW_MS } from "../_hosts.ts";

/** A stepped clock: every look advances it by 1 ms. */
function steppedClock(): () => number {
  let ms = 0;
  return () => ms++;
}

/** The reply, and how many turns of the event loop other work got while it was produced. */
async function withTurns(reply: Promise<HttpResponse>): Promise<{ r: HttpResponse; turns: number }> {
  let turns = 0;
  let running = true;
  const spin = () => {
    if (!running) return;
    turns++;
    setImmediate(spin);
  };
  setImmediate(spin);
  const r = await reply;
  running = false;
  return { r, turns };
}

const NO_SERIES: HostSeries = { series: () => undefined, firstTimeS: () => 0, lastTimeS: () => 0 };

test("a wide data answer is produced in slices: other work runs between them", async () => {
  const api = new WebApi({
    registry: makeRegistry(),
    conf,
    nowMs: () => NOW_MS,
    clockMs: steppedClock(),
    requestBudgetMs: 1_000_000,
  });
  const { r, turns } = await withTurns(
    api.handle("/host/nd-child/api/v1/data?chart=system.cpu&after=-94608000&points=86400", "x"),
  );
  assert.equal(r.status, 200);
  assert.equal(JSON.parse(r.body).data.length, 86400);
  // A row per look at the clock, a turn every 5 looks.
  assert.ok(turns >= 86400 / 5 - 10, String(turns));
});

test("info and charts over 3,000 hosts answer, in slices", async () => {
  const registry = makeRegistry();
  for (let i = 0; i < 3000; i++) {
    const machineGuid = `00000000-0000-0000-0000-${String(i).padStart(12, "0")}`;
    registry.add({
      host: testHost({ hostname: `h${i}`, machineGuid }),
      series: NO_SERIES,
      local: false,
      status: { reachable: true, hops: 1, sinceS: 0, peer: "", capabilities: 0 },
    });
  }
  const api = new WebApi({ registry, conf, nowMs: () => NOW_MS, clockMs: steppedClock() });
  const info = await withTurns(api.handle("/api/v1/info", "x"));
  assert.equal(info.r.status, 200);
  assert.equal(JSON.parse(info.r.body).mirrored_hosts.length, 3002);
  assert.ok(info.turns >= 3000 / 5 - 10, String(info.turns));
  const charts = await api.handle("/api/v1/charts", "x");
  assert.equal(JSON.parse(charts.body).hosts_count, 3002);
});

test("charts: the text built member by member is exactly JSON.stringify's", async () => {
  const registry = makeRegistry();
  const api = new WebApi({ registry, conf, nowMs: () => NOW_MS });
  const body = (await api.handle("/host/nd-child/api/v1/charts", "x")).body;
  assert.equal(body, JSON.stringify(JSON.parse(body), null, "\t"));
  assert.equal(JSON.parse(body).charts_count, 3);
});

test("a request whose work exceeds requestBudgetMs is abandoned with a 503 that says so", async () => {
  const api = new WebApi({
    registry: makeRegistry(),
    conf,
    nowMs: () => NOW_MS,
    clockMs: steppedClock(),
    requestBudgetMs: 1000,
  });
  const r = await api.handle("/host/nd-child/api/v1/data?chart=system.cpu&after=-94608000&points=86400", "x");
  assert.equal(r.status, 503);
  assert.equal(r.contentType, "text/plain; charset=utf-8");
  assert.match(r.body, /^Query timeout exceeded: the request needed more than 1000 ms of work/);
  // Small requests still fit.
  assert.equal((await api.handle("/host/nd-child/api/v1/data?chart=system.cpu&after=-10", "x")).status, 200);
});
