/**
 * A fuzz run against the compiled rill-parent: the hardening harness (tests/e2e/_hardening.ts: the parent,
 * a well-behaved real-time child, the watcher) and sessions built from their seeds — stream, handshake or
 * HTTP (scripts/_fuzz_stream.ts, scripts/_fuzz_http.ts) — each on one connection, bounded in bytes and time,
 * `parallel` of them at a time (a pool of workers over the seeds in order; the seeds and their plans do not
 * depend on it). Sessions connect from 127.0.0.2 to 127.0.0.250 in turn, so that the parent's cap on
 * connections per address never refuses the watcher or the health probes, which come from 127.0.0.1.
 *
 * After each session its worker asks `/api/v1/info` within the hang deadline; a parent that exited or did not
 * answer is a crash, recorded once with every session then in flight on it (any of them may be the culprit),
 * and the parent is killed and started again with a new harness (scripts/_fuzz_parents.ts) while the other
 * workers wait. When asked, every `sessionsPerParent` sessions the run lets the sessions in flight end, checks
 * that the well-behaved child's data still advances and goes on with a fresh parent. The CLI is scripts/fuzz_parent.ts;
 * tests/e2e/parent_fuzz_test.ts runs a short fixed-seed run, tests/scripts/fuzz_run_test.ts a crash under
 * `parallel`.
 *
 * @example
 * ```ts
 * import { runFuzz } from "./scripts/_fuzz_run.ts";
 * import { formatFuzzReport } from "./scripts/_fuzz_report.ts";
 *
 * const report = await runFuzz({ sessions: 50, seed: 1, parallel: 4 });
 * console.log(formatFuzzReport(report));
 * ```
 *
 * @module
 */
import { WELL_BEHAVED_CHILD } from "../tests/e2e/_hardening.ts";
import { FuzzedParents, type ParentLife, PLACEHOLDER_GUID } from "./_fuzz_parents.ts";
import { FuzzPlanner, type FuzzPlanOptions, type SessionKind, showPlan } from "./_fuzz_plan.ts";
import {
  type ChildStall,
  cut,
  type FuzzCrash,
  type FuzzReport,
  type SessionRef,
  type SlowSession,
} from "./_fuzz_report.ts";
import { runSession } from "./_fuzz_session.ts";

/**
 * What to run.
 *
 * @example
 * ```ts
 * const options: FuzzOptions = { sessions: 200, seed: 42, kinds: ["http"], sessionSeconds: 3, parallel: 8 };
 * ```
 */
export interface FuzzOptions extends FuzzPlanOptions {
  /** Sessions to run (ignored with `replay`). */
  readonly sessions: number;
  /** Sessions run at the same time against the parent (default 1: one after the other). */
  readonly parallel?: number;
  /**
   * A fresh parent after this many sessions (default: one parent for the whole run; the run waits for the
   * sessions in flight and checks that the child still advances first).
   */
  readonly sessionsPerParent?: number;
  /** A parent that does not answer `/api/v1/info` within this long after a session is hung (default 20). */
  readonly hangSeconds?: number;
  /** Run exactly these session seeds (from an earlier report) instead of `sessions` drawn from `seed`. */
  readonly replay?: readonly number[];
  /** Progress lines (default none): every 1,000 sessions done, every 50 in runs of fewer than 2,000. */
  readonly log?: (line: string) => void;
  /** Also log every session's description as it starts. */
  readonly verbose?: boolean;
}

const SLOW_MS = 1000;
const SLOWEST_KEPT = 10;
/** Sessions started after the child's data was last seen advancing that are kept as suspects of a stall. */
const STALL_SUSPECTS_AFTER = 5;
/** Sessions connect from 127.0.0.2 … 127.0.0.(1 + this), all on the loopback interface on Linux. */
const SESSION_ADDRESSES = 249;

/** A session from its start to the end of the probe after it. */
interface Running extends SessionRef {
  readonly life: ParentLife;
  /** Seeds of the sessions that ran at the same time for a while. */
  readonly alongside: number[];
}

/**
 * The suspects of a stall under the current parent: the sessions in flight when the well-behaved child's data
 * was last seen advancing (its watcher looks once a second, so the damage may have begun after that look), then
 * the first few started after; and which sessions that parent took. Told the watcher's count at each session's
 * start and end.
 */
class StallSuspects {
  #advances = 0;
  #suspects: SessionRef[] = [];
  #cap = STALL_SUSPECTS_AFTER;
  /** The first and the last session started on the current parent. */
  firstIndex: number | undefined;
  lastIndex: number | undefined;

  /** `advances` is the current parent's count; `inFlight` the sessions running on it now. */
  note(advances: number, inFlight: readonly SessionRef[]): void {
    if (advances === this.#advances) return;
    this.#advances = advances;
    this.#suspects = [...inFlight];
    this.#cap = inFlight.length + STALL_SUSPECTS_AFTER;
  }

  started(session: SessionRef): void {
    if (this.#suspects.length < this.#cap) this.#suspects.push(session);
    this.firstIndex ??= session.index;
    this.lastIndex = session.index;
  }

  /** A new parent: its watcher counts from 0 again. */
  restarted(): void {
    this.note(0, []);
    this.firstIndex = this.lastIndex = undefined;
  }

  get suspects(): SessionRef[] {
    return this.#suspects.map(({ index, seed, description }) => ({ index, seed, description }));
  }
}

/** Seconds as a progress line shows them. */
function duration(seconds: number): string {
  return seconds < 120 ? `${seconds.toFixed(0)} s` : `${(seconds / 60).toFixed(0)} min`;
}

/** Runs the fuzz (see the module comment); resolves with what it found. */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const hangMs = (options.hangSeconds ?? 20) * 1000;
  const planner = new FuzzPlanner(options);
  const seeds = options.replay ?? planner.seeds(options.sessions);
  const parallel = Math.max(1, Math.min(options.parallel ?? 1, seeds.length));
  const progressEvery = seeds.length < 2000 ? 50 : 1000;
  const sessionsPerParent = options.sessionsPerParent ?? Number.MAX_SAFE_INTEGER;

  const crashes: FuzzCrash[] = [];
  const stalls: ChildStall[] = [];
  const slowest: SlowSession[] = [];
  const byKind: Record<SessionKind, number> = { stream: 0, handshake: 0, http: 0 };
  let longestSessionAnswerMs = 0, sessionsWithUnanswered = 0, next = 0, end = 0, done = 0;
  const running = new Map<number, Running>();
  const stall = new StallSuspects();
  const parents = await FuzzedParents.start(planner, { hangMs, childCharts: options.childCharts });
  const inFlightOn = (life: ParentLife) => [...running.values()].filter((r) => r.life === life);
  const noteAdvances = () => {
    const life = parents.current;
    if (!life.crashed) stall.note(life.h.figures().advances, inFlightOn(life));
  };

  const sessionsStarted = performance.now();
  const progress = () => {
    const s = (performance.now() - sessionsStarted) / 1000;
    const rate = done / s;
    const rss = parents.current.h.figures().rssKiB;
    log(
      `${done}/${seeds.length} sessions, ${crashes.length} crashes, RSS ${(rss / 1024).toFixed(0)} MiB, ` +
        `${duration(s)}, ${rate.toFixed(1)} sessions/s, about ${duration((seeds.length - done) / rate)} left`,
    );
  };

  /** The parent of `life` exited or did not answer `probe` after `session`: one crash, one restart. */
  const crashed = (life: ParentLife, session: Running, probe: { timedOut: boolean; error?: string } | undefined) => {
    const suspects = inFlightOn(life).sort((a, b) => a.index - b.index);
    return parents.replace(life, async () => {
      const h = life.h;
      // Gone, or refusing connections: wait a moment for the exit to be reported.
      if (!h.alive() || !probe?.timedOut) await new Promise((r) => setTimeout(r, 200));
      const exit = h.parent.process;
      const how = h.alive() ? "hung" : "exited";
      // What a parent printed last tells why it exited; a hung one's log is about earlier sessions.
      const output = h.parent.output().trim().split("\n").slice(-12).map((l) => cut(l)).join("\n    ");
      const detail = how === "exited"
        ? `exit code ${exit.exitCode}, signal ${exit.signalCode}; its last output:\n    ${output}`
        : probe?.timedOut
        ? `no answer to /api/v1/info within ${hangMs / 1000} s`
        : `/api/v1/info got no answer: ${probe?.error}`;
      const sessions = suspects.map(({ index, seed, description }) => ({ index, seed, description }));
      crashes.push({ how, detail, sessions });
      const others = sessions.length > 1 ? ` (${sessions.length - 1} more sessions in flight)` : "";
      log(`#${session.index} seed ${session.seed}: parent ${how} after: ${cut(session.description)}${others}`);
      stall.restarted();
    });
  };

  const worker = async () => {
    for (;;) {
      while (parents.restarting !== undefined) await parents.restarting;
      const index = next++;
      if (index >= end) return;
      const life = parents.current;
      const seed = seeds[index];
      const plan = planner.plan(seed, life.targets);
      byKind[plan.kind]++;
      if (options.verbose) log(`#${index} ${seed}: ${cut(plan.description)}`);
      noteAdvances();
      const session: Running = { index, seed, description: plan.description, life, alongside: [] };
      for (const other of running.values()) {
        other.alongside.push(seed);
        session.alongside.push(other.seed);
      }
      running.set(index, session);
      stall.started(session);

      const address = `127.0.0.${2 + index % SESSION_ADDRESSES}`;
      const result = await runSession(life.h.port, plan, planner.sessionMs, address);
      longestSessionAnswerMs = Math.max(longestSessionAnswerMs, result.longestAnswerMs);
      if (result.unanswered > 0) sessionsWithUnanswered++;
      const probe = life.h.alive() ? await life.h.get("/api/v1/info", hangMs) : undefined;
      const slow = [
        { ms: result.longestAnswerMs, what: "its slowest answer" },
        { ms: result.unansweredForMs, what: `${result.unanswered} requests unanswered when it ended` },
        // A probe without an answer is a crash, reported as such.
        { ms: probe?.status === undefined ? 0 : probe.ms, what: "the parent's next answer (/api/v1/info)" },
      ].reduce((a, b) => b.ms > a.ms ? b : a);
      if (slow.ms > SLOW_MS) {
        slowest.push({ index, seed, description: plan.description, ...slow, alongside: session.alongside });
        slowest.sort((a, b) => b.ms - a.ms).splice(SLOWEST_KEPT);
      }
      noteAdvances();
      if (!(life.h.alive() && probe?.status !== undefined)) await crashed(life, session, probe);
      running.delete(index);
      if (++done % progressEvery === 0) progress();
    }
  };
  /** After a parent's share of the sessions: its child's data must still advance. */
  const checkChild = async () => {
    const h = parents.current.h;
    if (parents.current.crashed || stall.firstIndex === undefined) return;
    try {
      await h.waitForAdvances(2, 15_000);
    } catch {
      const f = h.figures();
      const reason = f.childFailure ?? f.lastFailure ?? "no new point stored";
      stalls.push({ firstIndex: stall.firstIndex, lastIndex: stall.lastIndex!, since: stall.suspects, reason });
      log(`the well-behaved child's data stopped advancing under the parent of sessions #${stall.firstIndex} on`);
    }
  };

  // Sessions in runs of sessionsPerParent, each run on a fresh parent once the previous run's sessions are done.
  for (let from = 0; from < seeds.length; from += sessionsPerParent) {
    if (from > 0) {
      await checkChild();
      await parents.fresh();
      stall.restarted();
    }
    next = from;
    end = Math.min(from + sessionsPerParent, seeds.length);
    await Promise.all(Array.from({ length: Math.min(parallel, end - from) }, worker));
  }
  const sessionsMs = performance.now() - sessionsStarted;
  await checkChild();
  const { healthy, all } = await parents.stop();
  return {
    seed: options.seed,
    sessions: seeds.length,
    parallel,
    sessionsPerParent,
    byKind,
    crashes,
    maxRssKiB: all.rss,
    longestStallMs: healthy.stall,
    longestStallWithCrashesMs: all.stall,
    longestWatcherAnswerMs: healthy.answer,
    longestSessionAnswerMs,
    sessionsWithUnanswered,
    slowest,
    childAdvancing: stalls.length === 0,
    stalls,
    sessionsMs,
    elapsedMs: performance.now() - started,
  };
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
