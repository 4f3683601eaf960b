// The bounded memory of Prometheus servers' scrapes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ScrapeMemory } from "../../../../src/parent/web/api/prometheus.ts";

test("a server remembers at most as many hosts as the parent holds, the least recently scraped going first", () => {
  const memory = new ScrapeMemory();
  memory.record("prom", [["g1", 1], ["g2", 2], ["g3", 3]], 2);
  assert.deepEqual(["g1", "g2", "g3"].map((g) => memory.lastScrape("prom", g)), [undefined, 2, 3]);
  memory.record("prom", [["g2", 4]], 2);
  memory.record("prom", [["g4", 5]], 2);
  assert.deepEqual(["g2", "g3", "g4"].map((g) => memory.lastScrape("prom", g)), [4, undefined, 5]);
});

test("at most 64 servers: the one seen longest ago is forgotten first; a name is cut at 256 characters", () => {
  const memory = new ScrapeMemory();
  for (let i = 0; i < 100; i++) memory.record(`s${i}`, [["g", i]], 1);
  assert.equal(memory.size, 64);
  assert.equal(memory.lastScrape("s35", "g"), undefined);
  assert.equal(memory.lastScrape("s36", "g"), 36);
  // Seeing s36 again makes it the newest: the next new server pushes out s37 instead.
  memory.record("s36", [["g", 136]], 1);
  memory.record("s100", [["g", 100]], 1);
  assert.equal(memory.lastScrape("s36", "g"), 136);
  assert.equal(memory.lastScrape("s37", "g"), undefined);
  memory.record(`${"x".repeat(256)}tail-1`, [["g", 7]], 1);
  assert.equal(memory.lastScrape(`${"x".repeat(256)}tail-2`, "g"), 7);
});
