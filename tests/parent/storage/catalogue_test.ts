// HostCatalogue: machine GUIDs in any case, and what a /host/<name>/ URL names (finding 8 of the hardening
// issue): GUID first, the parent's own names, then a hostname held by one streaming child, then by one
// disconnected child; a name shared at the deciding tier is ambiguous, never "the latest comer".
import { test } from "node:test";
import assert from "node:assert/strict";
import { HostCatalogue, type ParentHost } from "../../../src/parent/storage/catalogue.ts";
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
