// HostCatalogue: machine GUIDs in any case, and what a /host/<name>/ URL names (finding 8 of the hardening
// issue): GUID first, the parent's own names, then a hostname held by one streaming child, then by one
// disconnected child; a name shared at the deciding tier is ambiguous, never "the latest comer".
import { test } from "node:test";
import assert from "node:assert/strict";
import { HostCatalogue, hostState, type ParentHost } from "../../../src/parent/storage/catalogue.ts";
import { Logger } from "../../../src/runtime/log.ts";
import { testHost } from "../../_hosts.ts";

const PARENT_GUID = "16323fac-e719-11f1-a295-02fc00000001";
const A = "aaaaaaaa-e718-11f1-8984-02fc00000001";
const B = "bbbbbbbb-e718-11f1-8984-02fc00000001";
const C = "cccccccc-e718-11f1-8984-02fc00000001";

function entry(hostname: string, machineGuid: string, reachable: boolean, sinceS = 0): ParentHost {
  return {
    host: testHost({ hostname, machineGuid }),
    series: { series: () => undefined, firstTimeS: () => 0, lastTimeS: () => 0 },
    local: false,
    status: { reachable, hops: 1, sinceS, peer: "", capabilities: 0 },
  };
}

function catalogue(...children: ParentHost[]): HostCatalogue {
  const r = new HostCatalogue({ ...entry("nd-parent", PARENT_GUID, true), local: true });
  for (const child of children) r.add(child);
  return r;
}

/** What find() says, in a form assert.deepEqual can compare: the GUID found, the ambiguous list, or none. */
function resolve(r: HostCatalogue, name: string): string | { connected: boolean; guids: readonly string[] } {
  const lookup = r.find(name);
  if (lookup.kind === "found") return lookup.entry.host.identity.machineGuid;
  if (lookup.kind === "ambiguous") return { connected: lookup.connected, guids: lookup.guids };
  return "none";
}

test("byGuid and add: a machine GUID in any case is one host", () => {
  const a = entry("edge", A, true);
  const r = catalogue(a);
  assert.equal(r.byGuid(A.toUpperCase()), a);
  assert.equal(r.byGuid(PARENT_GUID.toUpperCase()), r.localhost);
  const again = entry("edge", A.toUpperCase(), true);
  r.add(again);
  assert.equal(r.all().length, 2);
  assert.equal(r.byGuid(A), again);
});

test("find: a GUID in any case names its host before any hostname does", () => {
  // B and C are named after the GUIDs of A and of the parent: the GUIDs still lead to their owners.
  const r = catalogue(entry("edge", A, false), entry(A, B, true), entry(PARENT_GUID.toUpperCase(), C, true));
  assert.equal(resolve(r, A), A);
  assert.equal(resolve(r, A.toUpperCase()), A);
  assert.equal(resolve(r, PARENT_GUID), PARENT_GUID);
  assert.equal(resolve(r, PARENT_GUID.toUpperCase()), PARENT_GUID);
  assert.equal(resolve(r, B.toUpperCase()), B);
});

test("find: the parent's hostname and 'localhost' are the parent's, whoever else uses them", () => {
  const r = catalogue(entry("nd-parent", A, true, 100), entry("localhost", B, true, 200));
  assert.equal(resolve(r, "nd-parent"), PARENT_GUID);
  assert.equal(resolve(r, "localhost"), PARENT_GUID);
});

test("find: a hostname held by one streaming child is that child, even when disconnected ones share it", () => {
  const old = entry("edge", A, false, 100);
  const live = entry("edge", B, true, 50);
  assert.equal(resolve(catalogue(old, live), "edge"), B);
  assert.equal(resolve(catalogue(old), "edge"), A);
  // Hostnames compare exactly, as in 1.37.
  assert.equal(resolve(catalogue(live), "EDGE"), "none");
  assert.equal(resolve(catalogue(live), "nowhere"), "none");
});

test("find: two streaming children with one hostname are ambiguous; the latest comer does not win", () => {
  const a = entry("edge", A, true, 100);
  const b = entry("edge", B, true, 200);
  const r = catalogue(a, b, entry("edge", C, false, 300));
  assert.deepEqual(resolve(r, "edge"), { connected: true, guids: [A, B] });
  const lookup = r.find("edge");
  assert.ok(lookup.kind === "ambiguous" && lookup.hostname === "edge");

  // One leaves: the other is the one streaming child with that name.
  a.status.reachable = false;
  assert.equal(resolve(r, "edge"), B);
  // Both gone: three disconnected hosts share it, none of them wins for having come last.
  b.status.reachable = false;
  assert.deepEqual(resolve(r, "edge"), { connected: false, guids: [A, B, C] });
});

/** A catalogue forgetting orphans on an injected clock, recording what it retires. */
function forgetting(policy: { forgetAfterS?: number; deleteFiles?: boolean; maxOrphans?: number }) {
  let nowS = 1000;
  const retired: string[] = [];
  const log: string[] = [];
  const r = new HostCatalogue({ ...entry("nd-parent", PARENT_GUID, true), local: true }, {
    orphans: { forgetAfterS: 60, deleteFiles: true, maxOrphans: 100, ...policy },
    retire: (e, how) => {
      retired.push(`${e.host.identity.hostname} ${how}`);
      return Promise.resolve();
    },
    log: new Logger("rill-parent", "DB", (line) => log.push(line)),
    nowS: () => nowS,
  });
  return { r, retired, log, advance: (s: number) => nowS += s, now: () => nowS };
}

test("sweep: a child disconnected longer than 'cleanup orphan hosts after secs' is forgotten, its files deleted", async () => {
  const { r, retired, log, advance, now } = forgetting({});
  const gone = entry("gone", A, false, now());
  const streaming = entry("streaming", B, true, now() - 3600);
  r.add(gone);
  r.add(streaming);
  advance(60);
  r.sweep();
  assert.equal(r.byGuid(A), gone, "60 s is not more than 60 s");
  advance(1);
  r.sweep();
  assert.equal(r.byGuid(A), undefined);
  assert.equal(r.find("gone").kind, "none");
  assert.equal(r.byGuid(B), streaming, "a child streaming now is never an orphan");
  assert.ok(r.byGuid(PARENT_GUID) !== undefined, "nor is the parent");
  await r.stop();
  assert.deepEqual(retired, ["gone delete"]);
  assert.match(
    log.join("\n"),
    /forgetting host 'gone' \(machine GUID aaaaaaaa-.*\): disconnected for 61 s, more than 60 s/,
  );
});

test("sweep: with 'delete orphan hosts files = no' a forgotten child's data is saved", async () => {
  const { r, retired, advance, now } = forgetting({ deleteFiles: false });
  r.add(entry("gone", A, false, now()));
  advance(61);
  r.sweep();
  await r.stop();
  assert.deepEqual(retired, ["gone save"]);
});

test("add: a new host beyond 'max orphan hosts' makes the orphans disconnected longest be forgotten, saved", async () => {
  const { r, retired, advance, now } = forgetting({ maxOrphans: 2 });
  for (const [name, guid] of [["first", A], ["second", B], ["third", C]]) {
    r.add(entry(name, guid, false, now()));
    advance(1);
  }
  // Each was added as a newcomer (not yet streaming: its status is set once its stream is accepted), and a
  // newcomer is never the one to go: two orphans besides it are within the bound.
  assert.deepEqual(retired, []);
  const newcomer = entry("newcomer", "dddddddd-e718-11f1-8984-02fc00000001", false, 0);
  r.add(newcomer);
  assert.deepEqual(retired, ["first save"], "three orphans besides the newcomer, two kept: the oldest goes");
  assert.equal(r.byGuid(newcomer.host.identity.machineGuid), newcomer);
  Object.assign(newcomer.status, { reachable: true, sinceS: now() }); // its stream was accepted
  Object.assign(newcomer.status, { reachable: false, sinceS: now() }); // and went away: three orphans again
  assert.deepEqual(retired, ["first save"], "only a new host makes room");
  r.add(entry("fifth", "eeeeeeee-e718-11f1-8984-02fc00000001", true, now()));
  assert.deepEqual(retired, ["first save", "second save"]);
  // A known host coming back (same GUID) is not new: nothing more is forgotten.
  r.add(entry("third", C, false, now()));
  assert.deepEqual(retired, ["first save", "second save"]);
  assert.deepEqual(r.all().map((e) => e.host.identity.hostname), ["nd-parent", "third", "newcomer", "fifth"]);
  await r.stop();
});

test("stop waits until every forgotten host's data is saved or deleted, and reports a failure", async () => {
  let finish!: () => void;
  const log: string[] = [];
  const r = new HostCatalogue({ ...entry("nd-parent", PARENT_GUID, true), local: true }, {
    orphans: { forgetAfterS: 1, deleteFiles: true, maxOrphans: 0 },
    retire: (e) =>
      e.host.identity.hostname === "slow"
        ? new Promise<void>((resolve) => finish = resolve)
        : Promise.reject(new Error("disk full")),
    log: new Logger("rill-parent", "DB", (line) => log.push(line)),
  });
  r.add(entry("slow", A, false, 1));
  r.add(entry("broken", B, false, 2));
  r.add(entry("new", C, true, 3));
  let stopped = false;
  const stopping = r.stop().then(() => stopped = true);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(stopped, false);
  finish();
  await stopping;
  assert.match(log.join("\n"), /cannot save forgotten host 'broken': disk full/);
});

test("connected and disconnected: the catalogue keeps each host's state, hops, the peer it came by and since when", () => {
  let nowS = 1795420000;
  const r = new HostCatalogue({ ...entry("nd-parent", PARENT_GUID, true), local: true }, { nowS: () => nowS });
  const a = entry("edge", A, false);
  r.add(a);
  assert.equal(hostState(r.localhost), "local");
  assert.equal(hostState(a), "stale");
  r.connected(a, { hops: 3, peer: "10.0.0.5:40522", capabilities: 15296 });
  assert.equal(hostState(a), "streaming");
  assert.deepEqual(a.status, {
    reachable: true,
    hops: 3,
    sinceS: 1795420000,
    peer: "10.0.0.5:40522",
    capabilities: 15296,
  });
  nowS += 42.7;
  r.disconnected(a);
  assert.equal(hostState(a), "stale");
  // What it came by stays known while it is away.
  assert.deepEqual(a.status, {
    reachable: false,
    hops: 3,
    sinceS: 1795420042,
    peer: "10.0.0.5:40522",
    capabilities: 15296,
  });
});
