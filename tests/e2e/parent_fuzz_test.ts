// A short fixed-seed fuzz run against the compiled parent (scripts/fuzz_parent.ts has the long one): 200
// stream, handshake and HTTP sessions next to a well-behaved real-time child. No session may make the parent
// exit or stop answering, and the child's data must still advance at the end. The bounds are generous: only a
// broken parent breaks them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatFuzzReport } from "../../scripts/_fuzz_report.ts";
import { runFuzz } from "../../scripts/_fuzz_run.ts";
import { HARDENING_SKIP } from "./_hardening.ts";

const SEED = 20251202;
const RSS_CAP_KIB = 1536 * 1024;

test("200 fuzz sessions neither crash nor hang the parent, and the well-behaved child keeps streaming", {
  skip: HARDENING_SKIP ?? false,
  timeout: 600_000,
}, async () => {
  const report = await runFuzz({ sessions: 200, seed: SEED, sessionSeconds: 2, childCharts: 40 });
  const text = formatFuzzReport(report);
  assert.equal(report.sessions, 200);
  assert.deepEqual(report.crashes.map((c) => `${c.how}: ${c.sessions.map((s) => s.seed)}`), [], text);
  assert.ok(report.childAdvancing, `the well-behaved child's data stopped advancing:\n${text}`);
  assert.ok(report.maxRssKiB > 0 && report.maxRssKiB < RSS_CAP_KIB, `RSS over ${RSS_CAP_KIB} KiB:\n${text}`);
});
