// Per-child limits in stream.conf as parsed: defaults, the values each section sets, and bad values reported
// with their line and left unset (which level applies to a child is the receiver's: tests/parent/receiver/
// admission_test.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { limitOptionName, RECEIVER_LIMIT_KEYS, RECEIVER_LIMITS } from "../../src/config/receiver_limits.ts";
import { parseStreamConf } from "../../src/config/stream_conf.ts";

const KEY = "11111111-2222-3333-4444-555555555555";
const M1 = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

test("defaults: 10000 charts, 2000 dimensions per chart, 50000 per host, 1000 labels, 10 iterations", () => {
  assert.deepEqual(RECEIVER_LIMITS, {
    maxChartsPerHost: 10000,
    maxDimensionsPerChart: 2000,
    maxDimensionsPerHost: 50000,
    maxLabelsPerHost: 1000,
    maxIterationsPerUpdateEvery: 10,
  });
  assert.equal(limitOptionName("maxDimensionsPerHost"), "max dimensions per host");
  assert.equal(RECEIVER_LIMIT_KEYS.length, 5);
});

test("each section keeps the limits it sets, under both its roles, and nothing else", () => {
  const conf = parseStreamConf(
    `[${KEY}]\nenabled = yes\nmax charts per host = 300\nmax dimensions per chart = 40\n` +
      `[${M1}]\ntype = machine\nmax charts per host = 500\nmax labels per host = 7\n` +
      `max iterations per update every = 0\n`,
  );
  assert.equal(conf.diagnostics.length, 0, JSON.stringify(conf.diagnostics));
  assert.deepEqual(conf.apiKeys.get(KEY)?.keyDefaults.limits, { maxChartsPerHost: 300, maxDimensionsPerChart: 40 });
  assert.deepEqual(conf.machines.get(M1)?.host.limits, {
    maxChartsPerHost: 500,
    maxLabelsPerHost: 7,
    maxIterationsPerUpdateEvery: 0,
  });
});

test("a value that is not a whole number of at least 1 is an error with its line, and stays unset", () => {
  const conf = parseStreamConf(`[${KEY}]\nenabled = yes\nmax charts per host = 0\nmax dimensions per host = lots\n`);
  assert.deepEqual(conf.diagnostics.map((d) => [d.line, d.severity]), [[3, "error"], [4, "error"]]);
  assert.match(conf.diagnostics[0].message, /max charts per host = 0: expected a whole number of at least 1/);
  assert.deepEqual(conf.apiKeys.get(KEY)?.keyDefaults.limits, {});
});
