// The benchmarks' shared helpers (scripts/_bench_common.ts): the median, the text table and the deadline.
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatTable, median, within } from "../../scripts/_bench_common.ts";

test("median takes the lower middle of an even count and is NaN for none", () => {
  assert.equal(median([30, 10, 20, 40]), 20);
  assert.equal(median([5, 1, 3]), 3);
  assert.ok(Number.isNaN(median([])));
});

test("formatTable pads each column to its widest cell: names left, figures right", () => {
  assert.deepEqual(formatTable(["parent", "CPU s"], [["netdata", "1.20"], ["rill", "10.90"]]), [
    "parent   CPU s",
    "netdata   1.20",
    "rill     10.90",
  ]);
});

test("within says whether a promise settled before its deadline, a rejection included", async () => {
  assert.equal(await within(Promise.resolve(1), 1000), true);
  assert.equal(await within(Promise.reject(new Error("refused")), 1000), true);
  assert.equal(await within(new Promise(() => {}), 20), false);
});
