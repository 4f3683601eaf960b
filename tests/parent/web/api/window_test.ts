// The query window by 1.37's rules: relative and absolute ends, and the clamps that keep any window within
// ten years back and one year ahead, so that the rows it yields are bounded however far its ends lie.
import { test } from "node:test";
import assert from "node:assert/strict";
import { absoluteWindow, MAX_POINTS, queryWindow, windowMeetsStored } from "../../../../src/parent/web/api/window.ts";

const NOW = 1795423106;
const TEN_YEARS = 10 * 365 * 86400;
const ONE_YEAR = 365 * 86400;

test("absoluteWindow: relative ends against now - 1, after=0 as -600, flipped, shifted back, clamped", () => {
  assert.deepEqual(absoluteWindow(-10, 0, NOW), { after: NOW - 10, before: NOW - 1 });
  assert.deepEqual(absoluteWindow(10, 5, NOW), { after: NOW - 15, before: NOW - 6 });
  assert.deepEqual(absoluteWindow(0, 0, NOW), { after: NOW - 600, before: NOW - 1 });
  // -100000000 is more than three years: an absolute time in 1973, kept to ten years back.
  assert.deepEqual(absoluteWindow(-100000000, 0, NOW), { after: NOW - 1 - TEN_YEARS, before: NOW - 1 });
  // Far in the future: flipped, then shifted back to now.
  assert.deepEqual(absoluteWindow(99999999999999, 0, NOW), { after: NOW - 1 - TEN_YEARS, before: NOW - 1 });
  assert.deepEqual(absoluteWindow(-999999999999999, -99999999999, NOW), {
    after: NOW - 1 - TEN_YEARS,
    before: NOW - 1 - TEN_YEARS,
  });
  // An absolute window a little ahead is shifted back whole, not clamped.
  assert.deepEqual(absoluteWindow(NOW + 100, NOW + 200, NOW), { after: NOW - 101, before: NOW - 1 });
  assert.ok(absoluteWindow(NOW + 2 * ONE_YEAR, NOW + 3 * ONE_YEAR, NOW).before <= NOW + ONE_YEAR);
});

test("queryWindow: any request yields at most MAX_POINTS rows (a little more after 1.37's rounding)", () => {
  const db = { first: NOW - 3600, last: NOW - 1, updateEvery: 1 };
  for (
    const [after, before, points] of [
      [-100000000, 0, 0],
      [99999999999999, 0, 0],
      [-94608000, 0, 86400],
      [-999999999999999, 999999999999999, 999999999999999],
      [1, 0, 0],
    ]
  ) {
    const w = queryWindow({ after, before, points, aligned: true }, db, NOW)!;
    assert.ok(w.points >= 1 && w.points <= 2 * MAX_POINTS, `${after} ${before} ${points}: ${w.points}`);
    assert.ok(w.after >= NOW - 1 - TEN_YEARS - w.group * w.granularity, `${after}: ${w.after}`);
    assert.equal(w.before - w.after + w.granularity, w.points * w.group * w.granularity);
  }
  assert.equal(
    queryWindow({ after: -10, before: 0, points: 0, aligned: true }, { ...db, first: 0, last: 0 }, NOW),
    undefined,
  );
});

test("windowMeetsStored: the stored range widened by two updates must meet the window", () => {
  const T = 1795420000;
  const db = { first: T + 1000, last: T + 2000, updateEvery: 5 };
  assert.equal(windowMeetsStored(-600, 0, db, T + 2001), true);
  assert.equal(windowMeetsStored(T + 500, T + 990, db, T + 2001), true);
  assert.equal(windowMeetsStored(T + 500, T + 989, db, T + 2001), false);
  assert.equal(windowMeetsStored(T + 2010, T + 3000, db, T + 3001), true);
  assert.equal(windowMeetsStored(T + 2011, T + 3000, db, T + 3001), false);
  assert.equal(windowMeetsStored(-600, -99999999999, db, T + 2001), false);
  assert.equal(windowMeetsStored(-600, 0, { first: 0, last: 0, updateEvery: 1 }, T + 2001), false);
});
