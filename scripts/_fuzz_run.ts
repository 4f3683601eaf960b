/**
 * A fuzz run against the compiled rill-parent: the hardening harness (tests/e2e/_hardening.ts: the parent,
 * a well-behaved real-time child, the watcher) and, one after the other, sessions built from their seeds —
 * stream, handshake or HTTP (scripts/_fuzz_stream.ts, scripts/_fuzz_http.ts) — each on one connection,
 * bounded in bytes and time. After each session the parent must answer `/api/v1/info` within the hang
 * deadline; a parent that exited or did not answer is a crash: it is counted with the session's seed, killed
 * and started again with a new harness. The CLI is scripts/fuzz_parent.ts; tests/e2e/parent_fuzz_test.ts
 * runs a short fixed-seed run.
 *
 * @example
 * ```ts
 * import { formatFuzzReport, runFuzz } from "./scripts/_fuzz_run.ts";
 *
 * const report = await runFuzz({ sessions: 50, seed: 1 });
 * console.log(formatFuzzReport(report));
 * ```
 *
 * @module
 */
import { type Hardening, type HardeningFigures, startHardening, WELL_BEHAVED_CHILD } from "../tests/e2e/_hardening.ts";
import type { FuzzTargets } from "./_fuzz_handshake.ts";
import { FuzzPlanner, type FuzzPlanOptions, type SessionKind, showPlan } from "./_fuzz_plan.ts";
import { runSession } from "./_fuzz_session.ts";

/**
 * What to run.
 *
 * @example
 * ```ts
 * const options: FuzzOptions = { sessions: 200, seed: 42, kinds: ["http"], sessionSeconds: 3 };
 * ```
 */
export interface FuzzOptions extends FuzzPlanOptions {
  /** Sessions to run (ignored with `replay`). */
  readonly sessions: number;
  /** A parent that does not answer `/api/v1/info` within this long after a session is hung (default 20). */
  readonly hangSeconds?: number;
  /** Run exactly these session seeds (from an earlier report) instead of `sessions` drawn from `seed`. */
  readonly replay?: readonly number[];
  /** Progress lines (default none). */
  readonly log?: (line: string) => void;
  /** Also log every session's description. */
  readonly verbose?: boolean;
}

/**
 * A session after which the parent had exited or did not answer.
 *
 * @example
 * ```ts
 * const c: FuzzCrash = report.crashes[0];
 * console.log(`replay: --replay ${c.seed}`);
 * ```
 */
export interface FuzzCrash {
  readonly index: number;
  readonly seed: number;
  readonly description: string;
  readonly how: "exited" | "hung";
  /** Exit code or signal, or how long it was given; and the parent's last output lines. */
  readonly detail: string;
}

/**
 * A session that took long: its slowest answer, an answer still due when it ended, or the health probe after it.
 *
 * @example
 * ```ts
 * report.slowest.map((s) => `${s.seed}: ${s.ms} ms`);
 * ```
 */
export interface SlowSession {
  readonly index: number;
  readonly seed: number;
  readonly description: string;
  readonly ms: number;
  readonly what: string;
}

/**
 * What a run found.
 *
 * @example
 * ```ts
 * assert.equal(report.crashes.length, 0);
 * ```
 */
export interface FuzzReport {
  readonly seed: number;
  readonly sessions: number;
  readonly byKind: Readonly<Record<SessionKind, number>>;
  readonly crashes: readonly FuzzCrash[];
  /** Largest VmRSS of the parent (KiB), over every parent of the run. */
  readonly maxRssKiB: number;
  /** Longest stall of the well-behaved child under parents that did not crash (ms). */
  readonly longestStallMs: number;
  /** The same counting the crashed parents up to their kill (ms). */
  readonly longestStallWithCrashesMs: number;
  /** Longest answer the watcher got, under parents that did not crash (ms). */
  readonly longestWatcherAnswerMs: number;
  /** Longest answer a fuzz request got (ms). */
  readonly longestSessionAnswerMs: number;
  /** Sessions that ended with requests unanswered on an open connection. */
  readonly sessionsWithUnanswered: number;
  /** The slowest sessions, slowest first (at most 10, each over 1 s). */
  readonly slowest: readonly SlowSession[];
  /** The child's data advanced after the last session (under the last parent). */
  readonly childAdvancing: boolean;
  /**
   * When it was not: the first sessions (at most 5) after which its data never advanced again, under the last
   * parent. The watcher looks once a second, so the culprit is among the first few.
   */
  readonly stalledSince: readonly { readonly index: number; readonly seed: number; readonly description: string }[];
  /** When it was not: why the child stopped, or what the watcher last got instead of data. */
  readonly stallReason: string | undefined;
  readonly elapsedMs: number;
}

const SLOW_MS = 1000;
/** The parent's GUID where it is not known (it did not answer, or sessions are only shown). */
const PLACEHOLDER_GUID = "00000000-0000-0000-0000-000000000000";

/** A line cut for a terminal. */
function cut(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function mergeFigures(into: { stall: number; answer: number; rss: number }, f: HardeningFigures): void {
  into.stall = Math.max(into.stall, f.longestStallMs);
  into.answer = Math.max(into.answer, f.longestAnswerMs);
  into.rss = Math.max(into.rss, f.maxRssKiB);
}

/** Runs the fuzz (see the module comment); resolves with what it found. */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const hangMs = (options.hangSeconds ?? 20) * 1000;
  const planner = new FuzzPlanner(options);
  const seeds = options.replay ?? planner.seeds(options.sessions);

  const healthy = { stall: 0, answer: 0, rss: 0 };
  const all = { stall: 0, answer: 0, rss: 0 };
  const crashes: FuzzCrash[] = [];
  const slowest: SlowSession[] = [];
  const byKind: Record<SessionKind, number> = { stream: 0, handshake: 0, http: 0 };
  let longestSessionAnswerMs = 0, sessionsWithUnanswered = 0;
  // The first sessions since the child's data last advanced: where a stall began.
  let quietSince: { index: number; seed: number; description: string }[] = [];

  const start = async (): Promise<{ h: Hardening; targets: FuzzTargets }> => {
    const h = await startHardening({ childGuid: planner.childGuid, childCharts: options.childCharts });
    const info = await h.get("/api/v1/info", hangMs);
    const uid = info.status === 200 ? (JSON.parse(info.body.toString("utf8")) as { uid?: string }).uid : undefined;
    return { h, targets: planner.targets(h.child.hostname, uid ?? PLACEHOLDER_GUID) };
  };
  let { h, targets } = await start();

  for (let index = 0; index < seeds.length; index++) {
    const seed = seeds[index];
    const plan = planner.plan(seed, targets);
    byKind[plan.kind]++;
    if (options.verbose) log(`#${index} ${seed}: ${cut(plan.description)}`);
    const advancesBefore = h.figures().advances;
    const result = await runSession(h.port, plan, planner.sessionMs);
    longestSessionAnswerMs = Math.max(longestSessionAnswerMs, result.longestAnswerMs);
    if (result.unanswered > 0) sessionsWithUnanswered++;
    if ((index + 1) % 50 === 0) {
      const f = h.figures();
      log(`${index + 1}/${seeds.length} sessions, ${crashes.length} crashes, RSS ${(f.rssKiB / 1024).toFixed(0)} MiB`);
    }

    const probe = h.alive() ? await h.get("/api/v1/info", hangMs) : undefined;
    const slow = [
      { ms: result.longestAnswerMs, what: "its slowest answer" },
      { ms: result.unansweredForMs, what: `${result.unanswered} requests unanswered when it ended` },
      { ms: probe?.ms ?? 0, what: "the parent's next answer (/api/v1/info)" },
    ].reduce((a, b) => b.ms > a.ms ? b : a);
    if (slow.ms > SLOW_MS) {
      slowest.push({ index, seed, description: plan.description, ...slow });
      slowest.sort((a, b) => b.ms - a.ms).splice(10);
    }
    if (h.figures().advances > advancesBefore) quietSince = [];
    else if (quietSince.length < 5) quietSince.push({ index, seed, description: plan.description });
    if (h.alive() && probe?.status !== undefined) continue;
    if (!h.alive() || !probe?.timedOut) {
      // Gone, or refusing connections: wait a moment for the exit to be reported.
      await new Promise((r) => setTimeout(r, 200));
    }
    const exit = h.parent.process;
    const how = h.alive() ? "hung" : "exited";
    // What a parent printed last tells why it exited; a hung one's log is about earlier sessions.
    const output = h.parent.output().trim().split("\n").slice(-12).map((l) => cut(l)).join("\n    ");
    const detail = how === "hung"
      ? `no answer to /api/v1/info within ${hangMs / 1000} s`
      : `exit code ${exit.exitCode}, signal ${exit.signalCode}; its last output:\n    ${output}`;
    crashes.push({ index, seed, description: plan.description, how, detail });
    log(`#${index} seed ${seed}: parent ${how} after: ${cut(plan.description)}`);
    mergeFigures(all, await h.stop({ kill: true }));
    ({ h, targets } = await start());
    quietSince = [];
  }

  let childAdvancing = true;
  try {
    await h.waitForAdvances(2, 15_000);
  } catch {
    childAdvancing = false;
  }
  const final = await h.stop();
  const stallReason = childAdvancing ? undefined : final.childFailure ?? final.lastFailure ?? "no new point stored";
  mergeFigures(healthy, final);
  mergeFigures(all, final);
  return {
    seed: options.seed,
    sessions: seeds.length,
    byKind,
    crashes,
    maxRssKiB: all.rss,
    longestStallMs: healthy.stall,
    longestStallWithCrashesMs: all.stall,
    longestWatcherAnswerMs: healthy.answer,
    longestSessionAnswerMs,
    sessionsWithUnanswered,
    slowest,
    childAdvancing,
    stalledSince: childAdvancing ? [] : quietSince,
    stallReason,
    elapsedMs: performance.now() - started,
  };
}

/**
 * The report as the CLI prints it.
 *
 * @example
 * ```ts
 * console.log(formatFuzzReport(await runFuzz({ sessions: 10, seed: 1 })));
 * ```
 */
export function formatFuzzReport(r: FuzzReport): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const lines = [
    `sessions: ${r.sessions} (stream ${r.byKind.stream}, handshake ${r.byKind.handshake}, http ${r.byKind.http}), ` +
    `seed ${r.seed}, ${s(r.elapsedMs)}`,
    `crashes: ${r.crashes.length} (${r.crashes.filter((c) => c.how === "hung").length} hung, ` +
    `${r.crashes.filter((c) => c.how === "exited").length} exited)`,
    ...r.crashes.map((c) => `  #${c.index} seed ${c.seed}: ${c.how}: ${c.description}\n    ${c.detail}`),
    `largest RSS: ${(r.maxRssKiB / 1024).toFixed(0)} MiB`,
    `longest stall of the well-behaved child: ${s(r.longestStallMs)}` +
    (r.crashes.length > 0 ? ` (${s(r.longestStallWithCrashesMs)} counting the crashed parents)` : ""),
    `longest API answer: watcher ${s(r.longestWatcherAnswerMs)}, fuzz requests ${s(r.longestSessionAnswerMs)}; ` +
    `${r.sessionsWithUnanswered} sessions ended with requests unanswered`,
    `the well-behaved child's data still advancing at the end: ${r.childAdvancing ? "yes" : "NO"}`,
  ];
  if (!r.childAdvancing) {
    lines.push(`  why: ${cut(r.stallReason ?? "")}`);
    lines.push("  its data never advanced again after one of these sessions:");
    for (const q of r.stalledSince) lines.push(`    #${q.index} seed ${q.seed}: ${cut(q.description, 600)}`);
  }
  if (r.slowest.length > 0) {
    lines.push("slowest sessions:");
    for (const x of r.slowest) {
      lines.push(`  #${x.index} seed ${x.seed}: ${s(x.ms)} (${x.what}): ${cut(x.description)}`);
    }
  }
  if (r.crashes.length > 0) {
    lines.push(`crashing seeds: ${r.crashes.map((c) => c.seed).join(",")} (run them again with --replay <seeds>)`);
  }
  return lines.join("\n");
}

/**
 * The sessions of a run as text, without running them: the parent's GUID is a placeholder (what a running
 * parent would get in its place), everything else is what the run would send.
 *
 * @example
 * ```ts
 * console.log(showSessions({ sessions: 0, seed: 1, replay: [2340955040] }));
 * ```
 */
export function showSessions(options: FuzzOptions): string {
  const planner = new FuzzPlanner(options);
  const targets = planner.targets(WELL_BEHAVED_CHILD, PLACEHOLDER_GUID);
  const seeds = options.replay ?? planner.seeds(options.sessions);
  return seeds.map((seed, i) => `#${i} seed ${seed}: ${showPlan(planner.plan(seed, targets))}`).join("\n");
}
