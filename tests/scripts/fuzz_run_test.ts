// The fuzz's parents under --parallel, against the compiled parent: a fresh parent after each run of
// sessionsPerParent sessions; a parent killed from outside in the middle of a run (as a crash would end it)
// is one crash listing the sessions then in flight and one new parent; every planned session still runs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import process from "node:process";
import { formatFuzzReport } from "../../scripts/_fuzz_report.ts";
import { runFuzz } from "../../scripts/_fuzz_run.ts";
import { descendants } from "../../scripts/rss.ts";
import { HARDENING_SKIP } from "../e2e/_hardening.ts";

const SESSIONS = 60;
const PER_PARENT = 30;
const PARALLEL = 4;
const KILL_AT = 45;

/** The rill-parent this process runs (one at a time), if any: none between a kill and the restart. */
function parentPid(): number | undefined {
  const pids = descendants(process.pid).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "latin1").includes("rill-parent");
    } catch {
      return false;
    }
  });
  assert.ok(pids.length <= 1, `expected one rill-parent process at most, found ${pids}`);
  return pids[0];
}

test("a fresh parent every sessionsPerParent; a killed one is one crash naming the sessions in flight", {
  skip: HARDENING_SKIP ?? false,
  timeout: 300_000,
}, async () => {
  let killed: number | undefined;
  // The parent running when each session started, by index.
  const parentOf: (number | undefined)[] = [];
  const report = await runFuzz({
    sessions: SESSIONS,
    seed: 7,
    parallel: PARALLEL,
    sessionsPerParent: PER_PARENT,
    sessionSeconds: 1,
    hangSeconds: 10,
    childCharts: 20,
    verbose: true,
    // Verbose logs each session just before it starts: the kill lands with session KILL_AT about to run.
    log: (line) => {
      const index = Number(/^#(\d+) /.exec(line)?.[1] ?? NaN);
      if (Number.isNaN(index)) return;
      parentOf[index] = parentPid();
      if (index !== KILL_AT || parentOf[index] === undefined) return;
      killed = parentOf[index];
      process.kill(killed, "SIGKILL");
    },
  });
  const text = formatFuzzReport(report);
  assert.notEqual(killed, undefined, `no parent killed at session #${KILL_AT}:\n${text}`);
  assert.equal(report.sessions, SESSIONS);
  assert.equal(report.byKind.stream + report.byKind.handshake + report.byKind.http, SESSIONS, text);
  assert.equal(report.crashes.length, 1, text);
  const [crash] = report.crashes;
  assert.equal(crash.how, "exited", text);
  const indices = crash.sessions.map((s) => s.index);
  assert.ok(indices.includes(KILL_AT), `session #${KILL_AT} not among those in flight: ${indices}`);
  assert.ok(indices.length <= PARALLEL, `more sessions in flight than run at a time: ${indices}`);
  assert.deepEqual(indices, [...new Set(indices)].sort((a, b) => a - b), "each session once, by index");
  assert.ok(report.childAdvancing, `a child does not advance:\n${text}`);

  const [first, second, last] = [parentOf[0], parentOf[PER_PARENT], parentOf[SESSIONS - 1]];
  assert.ok(parentOf.slice(0, PER_PARENT).every((pid) => pid === first), `one parent at first: ${parentOf}`);
  assert.equal(second, killed, "the fresh parent is the one killed");
  assert.ok(first !== undefined && last !== undefined, `parents ${parentOf}`);
  assert.equal(new Set([first, second, last]).size, 3, `a fresh parent, then a restarted one: ${parentOf}`);
});
