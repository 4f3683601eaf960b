// The API's /host/<name>/ routing (finding 8 of the hardening issue): a GUID in any case first, the parent's
// own names, then a hostname held by one streaming child, then by one disconnected child; a shared name is a
// 409 listing the GUIDs to ask for instead. And hosts that share a hostname stay apart in every answer.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { HostRegistry } from "../../../../src/parent/receiver/registry.ts";
import { WebApi } from "../../../../src/parent/web/api/mod.ts";
import { conf, entry, makeRegistry, ndHost, NOW_MS } from "../_hosts.ts";

const PARENT_GUID = "16323fac-e719-11f1-a295-02fc00000001";
const CHILD_GUID = "82be38ca-e718-11f1-8984-02fc00000001";

function guid(n: number): string {
  return `00000000-e718-11f1-8984-${String(n).padStart(12, "0")}`;
}

/** Adds a child with stored points; `reachable` false makes it a disconnected (archived) one. */
function addChild(registry: HostRegistry, hostname: string, machineGuid: string, reachable = true): void {
  const child = entry(ndHost(hostname, machineGuid), false, 1);
  child.status.reachable = reachable;
  registry.add(child);
}

/** The machine GUID whose info `/host/<name>/` answers with, or the status and text of the refusal. */
function whoAnswers(api: WebApi, name: string): string | [number, string] {
  const r = api.handle(`/host/${encodeURIComponent(name)}/api/v1/info`, "localhost");
  return r.status === 200 ? JSON.parse(r.body).uid : [r.status, r.body];
}

function apiOver(registry: HostRegistry): WebApi {
  return new WebApi({ registry, conf, nowMs: () => NOW_MS });
}

test("/host/<GUID>/ in any case comes first: no hostname can take a GUID's URL", () => {
  const registry = makeRegistry();
  addChild(registry, CHILD_GUID.toUpperCase(), guid(1));
  addChild(registry, PARENT_GUID, guid(2));
  const api = apiOver(registry);
  assert.equal(whoAnswers(api, CHILD_GUID), CHILD_GUID);
  assert.equal(whoAnswers(api, CHILD_GUID.toUpperCase()), CHILD_GUID);
  assert.equal(whoAnswers(api, PARENT_GUID.toUpperCase()), PARENT_GUID);
  assert.equal(whoAnswers(api, guid(2).toUpperCase()), guid(2));
});

test("/host/<the parent's hostname>/ and /host/localhost/ are the parent's, whoever else uses them", () => {
  const registry = makeRegistry();
  addChild(registry, "nd-parent", guid(1));
  addChild(registry, "localhost", guid(2));
  const api = apiOver(registry);
  assert.equal(whoAnswers(api, "nd-parent"), PARENT_GUID);
  assert.equal(whoAnswers(api, "localhost"), PARENT_GUID);
  assert.equal(whoAnswers(api, guid(1)), guid(1));
});

test("/host/<hostname>/: one streaming holder wins over disconnected ones; two streaming are a 409", () => {
  const registry = makeRegistry();
  const api = apiOver(registry);
  // nd-child streams; a newcomer named nd-child must not take its URL, neither now nor after it leaves.
  addChild(registry, "nd-child", guid(1));
  const conflict: [number, string] = [
    409,
    `Host name 'nd-child' is used by 2 connected hosts; ask for one of them by machine GUID: /host/${CHILD_GUID}/, /host/${
      guid(1)
    }/`,
  ];
  assert.deepEqual(whoAnswers(api, "nd-child"), conflict);
  const newcomer = registry.byGuid(guid(1))!;
  newcomer.status.reachable = false;
  assert.equal(whoAnswers(api, "nd-child"), CHILD_GUID);
  registry.byGuid(CHILD_GUID)!.status.reachable = false;
  assert.deepEqual(whoAnswers(api, "nd-child"), [
    409,
    `Host name 'nd-child' is used by 2 disconnected hosts; ask for one of them by machine GUID: /host/${CHILD_GUID}/, /host/${
      guid(1)
    }/`,
  ]);
  // A name only disconnected hosts ever had: the one holder answers; an unknown name is still Netdata's 404.
  addChild(registry, "gone", guid(3), false);
  assert.equal(whoAnswers(api, "gone"), guid(3));
  assert.deepEqual(whoAnswers(api, "zzz"), [404, "This netdata does not maintain a database for host: zzz"]);
  const raw = api.handle("/host/nd-child/api/v1/info", "localhost");
  assert.equal(raw.contentType, "text/plain; charset=utf-8");
});

test("/host/<hostname>/ shared by many: the 409 lists ten GUIDs and points to /api/v1/info for the rest", () => {
  const registry = makeRegistry();
  for (let i = 1; i <= 24; i++) addChild(registry, "swarm", guid(i));
  const answer = whoAnswers(apiOver(registry), "swarm");
  assert.ok(Array.isArray(answer));
  assert.equal(answer[0], 409);
  assert.match(answer[1], /^Host name 'swarm' is used by 24 connected hosts; ask for one of them by machine GUID: /);
  assert.equal(answer[1].match(/\/host\/[0-9a-f-]{36}\//g)?.length, 10);
  assert.ok(answer[1].endsWith(`/host/${guid(10)}/ and 14 more (see mirrored_hosts_status in /api/v1/info)`));
});

test("info and prometheus_all_hosts keep two hosts with one hostname apart", () => {
  const registry = makeRegistry();
  addChild(registry, "nd-child", guid(1));
  const api = apiOver(registry);
  const info = JSON.parse(api.handle("/api/v1/info", "localhost").body);
  assert.deepEqual(info.mirrored_hosts, ["nd-parent", "nd-child", "nd-child"]);
  assert.deepEqual(
    info.mirrored_hosts_status.map((s: { guid: string; hostname: string }) => [s.hostname, s.guid]),
    [["nd-parent", PARENT_GUID], ["nd-child", CHILD_GUID], ["nd-child", guid(1)]],
  );

  const prom = api.handle("/api/v1/allmetrics?format=prometheus_all_hosts&timestamps=no", "localhost").body;
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
