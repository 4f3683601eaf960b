import { test } from "node:test";
import assert from "node:assert/strict";
import { GarbageHint } from "../../src/runtime/gc.ts";

test("a collection runs once per `everyBytes` read, however the reads are cut", () => {
  let collections = 0;
  const hint = new GarbageHint(1000, () => collections++);
  for (let i = 0; i < 30; i++) hint.read(99);
  assert.equal(collections, 2); // at 1,089 and 2,178 bytes; the count restarts at each collection
  hint.read(30);
  assert.equal(collections, 2); // 792 + 30 since the last
  hint.read(5000);
  assert.equal(collections, 3);
});

test("the default collection is the runtime's own and does not throw on either runtime", () => {
  const hint = new GarbageHint(1);
  hint.read(1);
});
