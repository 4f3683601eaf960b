// The request budget: slices of 5 ms with a turn of the event loop between them, and a 503 once the
// work adds up to more than the budget. The clock is stepped by the test.
import { test } from "node:test";
import assert from "node:assert/strict";
import { RequestBudget, yieldToEventLoop } from "../../../../src/parent/web/api/budget.ts";
import { HttpError } from "../../../../src/parent/web/http.ts";

test("yieldToEventLoop lets callbacks already waiting on the event loop run first", async () => {
  let ran = false;
  setImmediate(() => (ran = true));
  await Promise.resolve();
  assert.equal(ran, false);
  await yieldToEventLoop();
  assert.equal(ran, true);
});

test("a slice is due after 5 ms of work; the time spent waiting for the event loop does not count", async () => {
  let now = 0;
  const budget = new RequestBudget(12, () => now);
  now = 4;
  assert.equal(budget.due(), false);
  now = 5;
  assert.equal(budget.due(), true);
  const paused = budget.pause(); // 5 ms of work so far
  now = 1000; // the event loop ran other work meanwhile
  await paused;
  now = 1004;
  assert.equal(budget.due(), false);
  now = 1005;
  await budget.pause(); // 10 ms of work
  now = 1008;
  await assert.rejects(budget.pause(), (e) => e instanceof HttpError && e.status === 503); // 13 ms
});

test("the work is abandoned with a 503 that says why once it exceeds the budget", async () => {
  let now = 0;
  const budget = new RequestBudget(10, () => now);
  for (let slice = 1; slice <= 2; slice++) {
    now += 5;
    await budget.pause();
  }
  now += 1;
  await assert.rejects(budget.pause(), {
    name: "Error",
    message: /^Query timeout exceeded: the request needed more than 10 ms of work and was abandoned/,
  });
});
