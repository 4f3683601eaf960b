// The fuzz's crash handling under --parallel, against the compiled parent: a parent killed from outside in
// the middle of a run (as a crash would end it) is one crash listing the sessions then in flight, one new
// parent, and every planned session still runs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import process from "node:process";
import { formatFuzzReport } from "../../scripts/_fuzz_report.ts";
import { runFuzz } from "../../scripts/_fuzz_run.ts";
import { descendants } from "../../scripts/rss.ts";
import { HARDENING_SKIP } from "../e2e/_hardening.ts";

const SESSIONS = 60;
const PARALLEL = 4;
const KILL_AT = 25;

/** The rill-parent this process runs (there is one at a time). */
function parentPid(): number {
  const pids = descendants(process.pid).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "latin1").includes("rill-parent");
    } catch {
      return false;
    }
  });
  assert.equal(pids.length, 1, `expected one rill-parent process, found ${pids.length}`);
  return pids[0];
}

test("a parent killed during a parallel run is one crash naming the sessions in flight, then one restart", {
  skip: HARDENING_SKIP ?? false,
  timeout: 300_000,
}, async () => {
  let killed: number | undefined;
  const report = await runFuzz({
    sessions: SESSIONS,
    seed: 7,
    parallel: PARALLEL,
    sessionSeconds: 1,
    hangSeconds: 10,
    childCharts: 20,
    verbose: true,
    // Verbose logs each session just before it starts: the kill lands with session KILL_AT about to run.
    log: (line) => {
      if (killed !== undefined || !line.startsWith(`#${KILL_AT} `)) return;
      killed = parentPid();
      process.kill(killed, "SIGKILL");
    },
  });
  const text = formatFuzzReport(report);
  assert.notEqual(killed, undefined, `session #${KILL_AT} was never logged:\n${text}`);
  assert.equal(report.sessions, SESSIONS);
  assert.equal(report.byKind.stream + report.byKind.handshake + report.byKind.http, SESSIONS, text);
  assert.equal(report.crashes.length, 1, text);
  const [crash] = report.crashes;
  assert.equal(crash.how, "exited", text);
  const indices = crash.sessions.map((s) => s.index);
  assert.ok(indices.includes(KILL_AT), `session #${KILL_AT} not among those in flight: ${indices}`);
  assert.ok(indices.length <= PARALLEL, `more sessions in flight than run at a time: ${indices}`);
  assert.deepEqual(indices, [...new Set(indices)].sort((a, b) => a - b), "each session once, by index");
  assert.ok(report.childAdvancing, `the restarted parent's child does not advance:\n${text}`);
});
