// The hardening harness (tests/e2e/_hardening.ts) against the compiled parent, and against the real Netdata
// 1.37 parent the API benchmark compares with: a healthy parent shows the well-behaved child's data advancing
// and answers the watcher; a parent frozen with SIGSTOP shows as a stall and a slow answer at least as long as
// the freeze, so the figures the hardening tests bound (and the benchmark reports) can fail.
import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { type Hardening, hardeningSkip, startHardening } from "./_hardening.ts";

const FREEZE_MS = 3000;

/** Waits for the child's points and checks the figures of a healthy parent. */
async function assertHealthy(h: Hardening): Promise<void> {
  const healthy = await h.waitForAdvances(3);
  assert.ok(healthy.answers >= 3, `expected the watcher's answers, found ${JSON.stringify(healthy)}`);
  assert.ok(healthy.parentAlive && healthy.childFailure === undefined, JSON.stringify(healthy));
  assert.ok(healthy.maxRssKiB > 0 && healthy.maxRssKiB < 1024 * 1024, `RSS ${healthy.maxRssKiB} KiB`);
  assert.ok(healthy.newestPointS !== undefined && Math.abs(healthy.newestPointS - Date.now() / 1000) < 30);
}

test("the harness sees a healthy parent store the child's points, and a frozen one stall", {
  skip: hardeningSkip("rill") ?? false,
  timeout: 120_000,
}, async () => {
  const h = await startHardening({ childCharts: 40 });
  try {
    await assertHealthy(h);
    // The freeze is what is simulated here, so it is a fixed time, not a condition to wait for.
    process.kill(h.pid, "SIGSTOP");
    await new Promise((r) => setTimeout(r, FREEZE_MS));
    process.kill(h.pid, "SIGCONT");
    const after = await h.waitForAdvances(2);
    assert.ok(
      after.longestStallMs >= FREEZE_MS - 500,
      `expected a stall of the freeze, found ${JSON.stringify(after)}`,
    );
    assert.ok(after.longestAnswerMs >= FREEZE_MS / 2, `expected a slow answer, found ${JSON.stringify(after)}`);
    assert.ok(after.parentAlive);
  } finally {
    const final = await h.stop();
    assert.equal(final.parentAlive, true, "the parent was alive until stopped");
  }
});

// Netdata is not frozen: 1.37's receiver takes the EINTR of SIGSTOP/SIGCONT for a failed read and drops the child.
test("the harness reads a real Netdata 1.37 parent's answers: the child's points advance", {
  skip: hardeningSkip("netdata") ?? false,
  timeout: 120_000,
}, async () => {
  const h = await startHardening({ childCharts: 40, parent: "netdata" });
  try {
    assert.equal(h.label, "netdata 1.37");
    await assertHealthy(h);
  } finally {
    const final = await h.stop();
    assert.equal(final.parentAlive, true, "the parent was alive until stopped");
  }
});
