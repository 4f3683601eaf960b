// The benchmarks' shared helpers (scripts/_bench_common.ts): the median and percentiles, the time stamp a chart
// value carries, the text table, the command line and the deadline.
import { test } from "node:test";
import assert from "node:assert/strict";
import { commandLine, formatTable, median, msWithinHour, percentile, within } from "../../scripts/_bench_common.ts";

test("median takes the lower middle of an even count and is NaN for none", () => {
  assert.equal(median([30, 10, 20, 40]), 20);
  assert.equal(median([5, 1, 3]), 3);
  assert.ok(Number.isNaN(median([])));
});

test("percentile takes the nearest rank: the smallest value with p % at or below it, NaN for none", () => {
  const values = [50, 10, 40, 20, 30];
  assert.equal(percentile(values, 95), 50);
  assert.equal(percentile(values, 40), 20);
  assert.equal(percentile(values, 41), 30);
  assert.equal(percentile(values, 0), 10);
  assert.equal(percentile(values, 100), 50);
  assert.equal(percentile([30, 10, 20, 40], 50), median([30, 10, 20, 40]));
  assert.ok(Number.isNaN(percentile([], 95)));
});

test("msWithinHour counts the ms since the UTC hour began, whole and under 3,600,000", () => {
  assert.equal(msWithinHour(Date.UTC(2024, 0, 1, 10, 2, 3, 456)), 123_456);
  assert.equal(msWithinHour(Date.UTC(2024, 0, 1, 10, 59, 59, 999) + 0.7), 3_599_999);
  assert.equal(msWithinHour(Date.UTC(2024, 0, 1, 11)), 0);
});

test("formatTable pads each column to its widest cell: names left, figures right", () => {
  assert.deepEqual(formatTable(["parent", "CPU s"], [["netdata", "1.20"], ["rill", "10.90"]]), [
    "parent   CPU s",
    "netdata   1.20",
    "rill     10.90",
  ]);
});

test("commandLine quotes only the words a shell would read differently", () => {
  assert.equal(
    commandLine(["bun", "scripts/bench_proxy.ts", "--children=10"]),
    "bun scripts/bench_proxy.ts --children=10",
  );
  assert.equal(commandLine(["--rill", "bun src/cli/parent.ts"]), "--rill 'bun src/cli/parent.ts'");
  assert.equal(commandLine(["it's", ""]), "'it'\\''s' ''");
});

test("within says whether a promise settled before its deadline, a rejection included", async () => {
  assert.equal(await within(Promise.resolve(1), 1000), true);
  assert.equal(await within(Promise.reject(new Error("refused")), 1000), true);
  assert.equal(await within(new Promise(() => {}), 20), false);
});
