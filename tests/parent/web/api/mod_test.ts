// WebApi.handle on real Hosts and ram-mode HostStores.
//
// Slices and budget: large answers are produced in slices with turns of the event loop in between (other
// work runs meanwhile), and a request over its budget is a 503. The work clock is stepped by the test: 1 ms
// at every look.
//
// /host/<name>/ routing (finding 8 of the hardening issue): a GUID in any case first, the parent's own names,
// then a hostname held by one streaming child, then by one disconnected child; a shared name is a 409 listing
// the GUIDs to ask for instead. And hosts that share a hostname stay apart in every answer.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { HostCatalogue } from "../../../../src/parent/storage/catalogue.ts";
import type { HostSeries } from "../../../../src/parent/storage/series.ts";
import { WebApi } from "../../../../src/parent/web/api/mod.ts";
import { testHost } from "../../../_hosts.ts";
import { answerText } from "../_body.ts";
import { conf, entry, makeCatalogue, ndHost, NOW_MS } from "../_hosts.ts";

/** A stepped clock: every look advances it by 1 ms. */
function steppedClock(): () => number {
  let ms = 0;
  return () => ms++;
}

/** The reply, and how many turns of the event loop other work got while it was produced. */
async function withTurns<T>(reply: Promise<T>): Promise<{ r: T; turns: number }> {
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
    catalogue: makeCatalogue(),
    conf,
    nowMs: () => NOW_MS,
    clockMs: steppedClock(),
    requestBudgetMs: 1_000_000,
  });
  const { r, turns } = await withTurns(
    answerText(api.handle("/host/nd-child/api/v1/data?chart=system.cpu&after=-94608000&points=86400", "x")),
  );
  assert.equal(r.status, 200);
  assert.equal(JSON.parse(r.body).data.length, 86400);
  // A row per look at the clock, a turn every 5 looks.
  assert.ok(turns >= 86400 / 5 - 10, String(turns));
});

test("info and charts over 3,000 hosts answer, in slices", async () => {
  const catalogue = makeCatalogue();
  for (let i = 0; i < 3000; i++) {
    const machineGuid = `00000000-0000-0000-0000-${String(i).padStart(12, "0")}`;
    catalogue.add({
      host: testHost({ hostname: `h${i}`, machineGuid }),
      series: NO_SERIES,
      local: false,
      status: { reachable: true, hops: 1, sinceS: 0, peer: "", capabilities: 0 },
    });
  }
  const api = new WebApi({ catalogue, conf, nowMs: () => NOW_MS, clockMs: steppedClock() });
  const info = await withTurns(answerText(api.handle("/api/v1/info", "x")));
  assert.equal(info.r.status, 200);
  assert.equal(JSON.parse(info.r.body).mirrored_hosts.length, 3002);
  assert.ok(info.turns >= 3000 / 5 - 10, String(info.turns));
  const charts = await answerText(api.handle("/api/v1/charts", "x"));
  assert.equal(JSON.parse(charts.body).hosts_count, 3002);
});

test("charts: the text built member by member is exactly JSON.stringify's", async () => {
  const catalogue = makeCatalogue();
  const api = new WebApi({ catalogue, conf, nowMs: () => NOW_MS });
  const body = (await answerText(api.handle("/host/nd-child/api/v1/charts", "x"))).body;
  assert.equal(body, JSON.stringify(JSON.parse(body), null, "\t"));
  assert.equal(JSON.parse(body).charts_count, 3);
});

test("a request whose work exceeds requestBudgetMs is abandoned with a 503 that says so", async () => {
  const api = new WebApi({
    catalogue: makeCatalogue(),
    conf,
    nowMs: () => NOW_MS,
    clockMs: steppedClock(),
    requestBudgetMs: 1000,
  });
  const r = await answerText(
    api.handle("/host/nd-child/api/v1/data?chart=system.cpu&after=-94608000&points=86400", "x"),
  );
  assert.equal(r.status, 503);
  assert.equal(r.contentType, "text/plain; charset=utf-8");
  assert.match(r.body, /^Query timeout exceeded: the request needed more than 1000 ms of work/);
  // Small requests still fit.
  assert.equal(
    (await answerText(api.handle("/host/nd-child/api/v1/data?chart=system.cpu&after=-10", "x"))).status,
    200,
  );
});

const PARENT_GUID = "16323fac-e719-11f1-a295-02fc00000001";
const CHILD_GUID = "82be38ca-e718-11f1-8984-02fc00000001";

function guid(n: number): string {
  return `00000000-e718-11f1-8984-${String(n).padStart(12, "0")}`;
}

/** Adds a child with stored points; `reachable` false makes it a disconnected (archived) one. */
function addChild(catalogue: HostCatalogue, hostname: string, machineGuid: string, reachable = true): void {
  const child = entry(ndHost(hostname, machineGuid), false, 1);
  child.status.reachable = reachable;
  catalogue.add(child);
}

/** The machine GUID whose info `/host/<name>/` answers with, or the status and text of the refusal. */
async function whoAnswers(api: WebApi, name: string): Promise<string | [number, string]> {
  const r = await answerText(api.handle(`/host/${encodeURIComponent(name)}/api/v1/info`, "localhost"));
  return r.status === 200 ? JSON.parse(r.body).uid : [r.status, r.body];
}

function apiOver(catalogue: HostCatalogue): WebApi {
  return new WebApi({ catalogue, conf, nowMs: () => NOW_MS });
}

test("/host/<GUID>/ in any case comes first: no hostname can take a GUID's URL", async () => {
  const catalogue = makeCatalogue();
  addChild(catalogue, CHILD_GUID.toUpperCase(), guid(1));
  addChild(catalogue, PARENT_GUID, guid(2));
  const api = apiOver(catalogue);
  assert.equal(await whoAnswers(api, CHILD_GUID), CHILD_GUID);
  assert.equal(await whoAnswers(api, CHILD_GUID.toUpperCase()), CHILD_GUID);
  assert.equal(await whoAnswers(api, PARENT_GUID.toUpperCase()), PARENT_GUID);
  assert.equal(await whoAnswers(api, guid(2).toUpperCase()), guid(2));
});

test("/host/<the parent's hostname>/ and /host/localhost/ are the parent's, whoever else uses them", async () => {
  const catalogue = makeCatalogue();
  addChild(catalogue, "nd-parent", guid(1));
  addChild(catalogue, "localhost", guid(2));
  const api = apiOver(catalogue);
  assert.equal(await whoAnswers(api, "nd-parent"), PARENT_GUID);
  assert.equal(await whoAnswers(api, "localhost"), PARENT_GUID);
  assert.equal(await whoAnswers(api, guid(1)), guid(1));
});

test("/host/<hostname>/: one streaming holder wins over disconnected ones; two streaming are a 409", async () => {
  const catalogue = makeCatalogue();
  const api = apiOver(catalogue);
  // nd-child streams; a newcomer named nd-child must not take its URL, neither now nor after it leaves.
  addChild(catalogue, "nd-child", guid(1));
  const conflict: [number, string] = [
    409,
    `Host name 'nd-child' is used by 2 connected hosts; ask for one of them by machine GUID: /host/${CHILD_GUID}/, /host/${
      guid(1)
    }/`,
  ];
  assert.deepEqual(await whoAnswers(api, "nd-child"), conflict);
  const newcomer = catalogue.byGuid(guid(1))!;
  newcomer.status.reachable = false;
  assert.equal(await whoAnswers(api, "nd-child"), CHILD_GUID);
  catalogue.byGuid(CHILD_GUID)!.status.reachable = false;
  assert.deepEqual(await whoAnswers(api, "nd-child"), [
    409,
    `Host name 'nd-child' is used by 2 disconnected hosts; ask for one of them by machine GUID: /host/${CHILD_GUID}/, /host/${
      guid(1)
    }/`,
  ]);
  // A name only disconnected hosts ever had: the one holder answers; an unknown name is still Netdata's 404.
  addChild(catalogue, "gone", guid(3), false);
  assert.equal(await whoAnswers(api, "gone"), guid(3));
  assert.deepEqual(await whoAnswers(api, "zzz"), [404, "This netdata does not maintain a database for host: zzz"]);
  const raw = await answerText(api.handle("/host/nd-child/api/v1/info", "localhost"));
  assert.equal(raw.contentType, "text/plain; charset=utf-8");
});

test("/host/<hostname>/ shared by many: the 409 lists ten GUIDs and points to /api/v1/info for the rest", async () => {
  const catalogue = makeCatalogue();
  for (let i = 1; i <= 24; i++) addChild(catalogue, "swarm", guid(i));
  const answer = await whoAnswers(apiOver(catalogue), "swarm");
  assert.ok(Array.isArray(answer));
  assert.equal(answer[0], 409);
  assert.match(answer[1], /^Host name 'swarm' is used by 24 connected hosts; ask for one of them by machine GUID: /);
  assert.equal(answer[1].match(/\/host\/[0-9a-f-]{36}\//g)?.length, 10);
  assert.ok(answer[1].endsWith(`/host/${guid(10)}/ and 14 more (see mirrored_hosts_status in /api/v1/info)`));
});

test("info and prometheus_all_hosts keep two hosts with one hostname apart", async () => {
  const catalogue = makeCatalogue();
  addChild(catalogue, "nd-child", guid(1));
  const api = apiOver(catalogue);
  const info = JSON.parse((await answerText(api.handle("/api/v1/info", "localhost"))).body);
  assert.deepEqual(info.mirrored_hosts, ["nd-parent", "nd-child", "nd-child"]);
  assert.deepEqual(
    info.mirrored_hosts_status.map((s: { guid: string; hostname: string }) => [s.hostname, s.guid]),
    [["nd-parent", PARENT_GUID], ["nd-child", CHILD_GUID], ["nd-child", guid(1)]],
  );

  const prom =
    (await answerText(api.handle("/api/v1/allmetrics?format=prometheus_all_hosts&timestamps=no", "localhost"))).body;
  const info1 = prom.split("\n").filter((l) => l.startsWith("netdata_info{"));
  assert.deepEqual(info1.map((l) => l.slice(0, l.indexOf(",application="))), [
    'netdata_info{instance="nd-parent"',
    `netdata_info{instance="nd-child",machine_guid="${CHILD_GUID}"`,
    `netdata_info{instance="nd-child",machine_guid="${guid(1)}"`,
  ]);
  const load = prom.split("\n").filter((l) => l.startsWith("netdata_system_load_load_average{"));
  assert.deepEqual(load.map((l) => l.slice(l.indexOf("instance="), l.indexOf("}"))), [
    'instance="nd-parent"',
    `instance="nd-child",machine_guid="${CHILD_GUID}"`,
    `instance="nd-child",machine_guid="${guid(1)}"`,
  ]);
  // Every series line is unique: nothing for Prometheus to merge.
  const series = prom.split("\n").filter((l) => l.length > 0 && !l.startsWith("#")).map((l) => l.split(" ")[0]);
  assert.equal(new Set(series).size, series.length);
});
