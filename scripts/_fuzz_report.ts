/**
 * What a fuzz run of rill-parent found (scripts/_fuzz_run.ts runs it), and the report as
 * scripts/fuzz_parent.ts prints it. With sessions run in parallel, a crash or a stall cannot be pinned on one
 * session: a crash lists every session that was in flight on the parent, a slow session the sessions that ran
 * alongside it, a stall the sessions in flight when the data last advanced and the first ones after.
 *
 * @example
 * ```ts
 * import { formatFuzzReport } from "./scripts/_fuzz_report.ts";
 * import { runFuzz } from "./scripts/_fuzz_run.ts";
 *
 * console.log(formatFuzzReport(await runFuzz({ sessions: 50, seed: 1, parallel: 4 })));
 * ```
 *
 * @module
 */
import type { SessionKind } from "./_fuzz_plan.ts";

/**
 * One session of a run: its place in the run, its seed (what `--replay` takes) and what it does.
 *
 * @example
 * ```ts
 * const s: SessionRef = { index: 12, seed: 2340955040, description: "http single: GET /api/v1/info" };
 * ```
 */
export interface SessionRef {
  readonly index: number;
  readonly seed: number;
  readonly description: string;
}

/**
 * A parent found exited or not answering after a session.
 *
 * @example
 * ```ts
 * const c: FuzzCrash = report.crashes[0];
 * console.log(`replay: --replay ${c.sessions.map((s) => s.seed).join(",")}`);
 * ```
 */
export interface FuzzCrash {
  readonly how: "exited" | "hung";
  /** Exit code or signal and the parent's last output lines, or what the probe got instead of an answer. */
  readonly detail: string;
  /**
   * The sessions in flight on that parent (started on it, their own probe not yet answered), by index: any of
   * them may be the culprit. One when sessions run one at a time.
   */
  readonly sessions: readonly SessionRef[];
}

/**
 * A session that took long: its slowest answer, an answer still due when it ended, or the health probe after it.
 *
 * @example
 * ```ts
 * report.slowest.map((s) => `${s.seed}: ${s.ms} ms, alongside ${s.alongside.length} others`);
 * ```
 */
export interface SlowSession extends SessionRef {
  readonly ms: number;
  readonly what: string;
  /** Seeds of the sessions that ran at the same time as it for a while (none when one at a time). */
  readonly alongside: readonly number[];
}

/**
 * A parent under which the well-behaved child's data no longer advanced once its share of the sessions was
 * done.
 *
 * @example
 * ```ts
 * for (const s of report.stalls) console.log(s.reason, s.since.map((x) => x.seed));
 * ```
 */
export interface ChildStall {
  /** The first and the last session that parent took. */
  readonly firstIndex: number;
  readonly lastIndex: number;
  /**
   * The sessions in flight when the child's data was last seen advancing under it, then the first (at most 5)
   * started after. The watcher looks once a second, so the culprit is among them.
   */
  readonly since: readonly SessionRef[];
  /** Why the child stopped, or what the watcher last got instead of data. */
  readonly reason: string;
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
  /** Sessions run at the same time. */
  readonly parallel: number;
  /** Sessions each parent takes before a fresh one replaces it. */
  readonly sessionsPerParent: number;
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
  /** The child's data advanced after the last session of every parent that did not crash. */
  readonly childAdvancing: boolean;
  /** When it did not: the parents under which it had stopped. */
  readonly stalls: readonly ChildStall[];
  /** From the first session's start to the last one's probe, fresh parents between included (what sessions/s counts). */
  readonly sessionsMs: number;
  /** The whole run, starting and stopping parents included. */
  readonly elapsedMs: number;
}

/**
 * A line cut for a terminal.
 *
 * @example
 * ```ts
 * cut("x".repeat(500)).length; // 201
 * ```
 */
export function cut(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Seeds listed at most for the sessions alongside a slow one. */
const ALONGSIDE_LISTED = 40;

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
  const session = (x: SessionRef, max = 200) => `#${x.index} seed ${x.seed}: ${cut(x.description, max)}`;
  const lines = [
    `sessions: ${r.sessions} (stream ${r.byKind.stream}, handshake ${r.byKind.handshake}, http ${r.byKind.http}), ` +
    `seed ${r.seed}, ${r.parallel} at a time` +
    (r.sessions > r.sessionsPerParent ? `, a fresh parent every ${r.sessionsPerParent}` : "") +
    `, ${s(r.elapsedMs)} ` +
    `(${(r.sessions / Math.max(r.sessionsMs / 1000, 0.001)).toFixed(1)} sessions/s)`,
    `crashes: ${r.crashes.length} (${r.crashes.filter((c) => c.how === "hung").length} hung, ` +
    `${r.crashes.filter((c) => c.how === "exited").length} exited)`,
  ];
  for (const c of r.crashes) {
    const inFlight = c.sessions.length === 1 ? "after" : `with ${c.sessions.length} sessions in flight:`;
    lines.push(`  ${c.how} ${inFlight}`, ...c.sessions.map((x) => `    ${session(x)}`), `    ${c.detail}`);
  }
  lines.push(
    `largest RSS: ${(r.maxRssKiB / 1024).toFixed(0)} MiB`,
    `longest stall of the well-behaved child: ${s(r.longestStallMs)}` +
      (r.crashes.length > 0 ? ` (${s(r.longestStallWithCrashesMs)} counting the crashed parents)` : ""),
    `longest API answer: watcher ${s(r.longestWatcherAnswerMs)}, fuzz requests ${s(r.longestSessionAnswerMs)}; ` +
      `${r.sessionsWithUnanswered} sessions ended with requests unanswered`,
    `the well-behaved child's data still advancing after each parent's sessions: ${r.childAdvancing ? "yes" : "NO"}`,
  );
  for (const stall of r.stalls) {
    lines.push(`  under the parent of sessions #${stall.firstIndex} to #${stall.lastIndex}: ${cut(stall.reason)}`);
    lines.push("  its data never advanced again after one of these sessions:");
    for (const q of stall.since) lines.push(`    ${session(q, 600)}`);
  }
  if (r.slowest.length > 0) {
    lines.push("slowest sessions:");
    for (const x of r.slowest) {
      lines.push(`  #${x.index} seed ${x.seed}: ${s(x.ms)} (${x.what}): ${cut(x.description)}`);
      if (x.alongside.length === 0) continue;
      const listed = x.alongside.slice(0, ALONGSIDE_LISTED).join(",");
      lines.push(
        `    alongside ${x.alongside.length} sessions: ${listed}${x.alongside.length > ALONGSIDE_LISTED ? ",…" : ""}`,
      );
    }
  }
  if (r.crashes.length > 0) {
    const seeds = r.crashes.flatMap((c) => c.sessions.map((x) => x.seed));
    lines.push(
      `crashing seeds: ${seeds.join(",")} (run them again one at a time with --replay <seeds>` +
        (r.parallel > 1 ? `; a crash's seeds together with --replay <its seeds> --parallel <as many>)` : ")"),
    );
  }
  return lines.join("\n");
}
