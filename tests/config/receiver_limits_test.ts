// Per-child limits in stream.conf: defaults, a key section's values, a machine section overriding them, and
// bad values reported with their line and left to the next level.
import { test } from "node:test";
import assert from "node:assert/strict";
import { RECEIVER_LIMITS, receiverLimits } from "../../src/config/receiver_limits.ts";
import { parseStreamConf, receiverPolicy } from "../../src/config/stream_conf.ts";

const KEY = "11111111-2222-3333-4444-555555555555";
const M1 = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
const M2 = "bbbbbbbb-bbbb-cccc-dddd-eeeeeeeeeeee";

test("defaults: 10000 charts, 2000 dimensions per chart, 50000 per host, 1000 labels, 10 iterations", () => {
  const p = receiverPolicy(parseStreamConf(`[${KEY}]\nenabled = yes\n`), KEY, M1);
  assert.deepEqual(p.limits, {
    maxChartsPerHost: 10000,
    maxDimensionsPerChart: 2000,
    maxDimensionsPerHost: 50000,
    maxLabelsPerHost: 1000,
    maxIterationsPerUpdateEvery: 10,
  });
  assert.deepEqual(p.limits, RECEIVER_LIMITS);
});

test("a machine-GUID section overrides its key section, which overrides the defaults, limit by limit", () => {
  const conf = parseStreamConf(
    `[${KEY}]\nenabled = yes\nmax charts per host = 300\nmax dimensions per chart = 40\n` +
      `[${M1}]\ntype = machine\nmax charts per host = 500\nmax labels per host = 7\n` +
      `max iterations per update every = 0\n`,
  );
  assert.equal(conf.diagnostics.length, 0, JSON.stringify(conf.diagnostics));
  assert.deepEqual(receiverPolicy(conf, KEY, M1).limits, {
    maxChartsPerHost: 500,
    maxDimensionsPerChart: 40,
    maxDimensionsPerHost: 50000,
    maxLabelsPerHost: 7,
    maxIterationsPerUpdateEvery: 0,
  });
  assert.equal(receiverPolicy(conf, KEY, M2).limits.maxChartsPerHost, 300);
});

test("a value that is not a whole number of at least 1 is an error with its line, and the next level applies", () => {
  const conf = parseStreamConf(`[${KEY}]\nenabled = yes\nmax charts per host = 0\nmax dimensions per host = lots\n`);
  assert.deepEqual(conf.diagnostics.map((d) => [d.line, d.severity]), [[3, "error"], [4, "error"]]);
  assert.match(conf.diagnostics[0].message, /max charts per host = 0: expected a whole number of at least 1/);
  const limits = receiverPolicy(conf, KEY, M1).limits;
  assert.equal(limits.maxChartsPerHost, 10000);
  assert.equal(limits.maxDimensionsPerHost, 50000);
});

test("receiverLimits without sections gives the defaults", () => {
  assert.deepEqual(receiverLimits(undefined, undefined), RECEIVER_LIMITS);
  assert.equal(receiverLimits({ maxLabelsPerHost: 3 }, {}).maxLabelsPerHost, 3);
});
