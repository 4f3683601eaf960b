/**
 * The parents of a fuzz run, one at a time: the current one (a hardening harness, tests/e2e/_hardening.ts,
 * and who the sessions aim at under it), replaced once per crash however many sessions notice it, or by a
 * fresh one between runs of sessions (every fuzz stream with a new GUID leaves a host behind, so a parent's
 * memory grows with the sessions it took), and the watcher's figures over all of them. Sessions running in
 * parallel share the current parent; the first to find it gone or hung calls {@link FuzzedParents.replace},
 * the others wait on {@link FuzzedParents.restarting} before they start a session.
 *
 * @example
 * ```ts
 * import { FuzzedParents } from "./scripts/_fuzz_parents.ts";
 *
 * const parents = await FuzzedParents.start(planner, { hangMs: 20_000 });
 * while (parents.restarting !== undefined) await parents.restarting;
 * const life = parents.current; // run a session against life.h.port with life.targets
 * ```
 *
 * @module
 */
import { type Hardening, type HardeningFigures, startHardening } from "../tests/e2e/_hardening.ts";
import type { FuzzTargets } from "./_fuzz_handshake.ts";
import type { FuzzPlanner } from "./_fuzz_plan.ts";

/** The parent's GUID where it is not known (it did not answer, or sessions are only shown). */
export const PLACEHOLDER_GUID = "00000000-0000-0000-0000-000000000000";

/**
 * One parent of the run, from its start to its kill.
 *
 * @example
 * ```ts
 * if (!life.crashed) await life.h.get("/api/v1/info");
 * ```
 */
export interface ParentLife {
  readonly h: Hardening;
  readonly targets: FuzzTargets;
  /** Set, with the restart, as soon as a session found this parent gone or hung: later findings are the same crash. */
  readonly crashed: boolean;
}

/**
 * How to start each parent.
 *
 * @example
 * ```ts
 * const options: ParentsOptions = { hangMs: 20_000, childCharts: 40 };
 * ```
 */
export interface ParentsOptions {
  /** How long `/api/v1/info` may take to answer the first time. */
  readonly hangMs: number;
  /** Charts of the well-behaved child (default all the capture holds). */
  readonly childCharts?: number;
}

/** The longest stall, longest watcher answer and largest RSS over several parents. */
interface Peaks {
  stall: number;
  answer: number;
  rss: number;
}

/** A parent as this module holds it: its `crashed` flag settable. */
type MutableLife = { -readonly [K in keyof ParentLife]: ParentLife[K] };

function mergeFigures(into: Peaks, f: HardeningFigures): void {
  into.stall = Math.max(into.stall, f.longestStallMs);
  into.answer = Math.max(into.answer, f.longestAnswerMs);
  into.rss = Math.max(into.rss, f.maxRssKiB);
}

/**
 * The current parent of a run and its replacements.
 *
 * @example
 * ```ts
 * const parents = await FuzzedParents.start(planner, { hangMs: 20_000 });
 * const { healthy, all } = await parents.stop();
 * ```
 */
export class FuzzedParents {
  readonly #planner: FuzzPlanner;
  readonly #options: ParentsOptions;
  /** Peaks over the parents stopped after their share of the sessions (not crashed). */
  readonly #healthy: Peaks = { stall: 0, answer: 0, rss: 0 };
  /** Peaks over every parent stopped, crashed or not. */
  readonly #all: Peaks = { stall: 0, answer: 0, rss: 0 };
  #current: MutableLife;
  #restarting: Promise<void> | undefined;

  private constructor(planner: FuzzPlanner, options: ParentsOptions, first: MutableLife) {
    this.#planner = planner;
    this.#options = options;
    this.#current = first;
  }

  /** Starts the first parent (harness, child, watcher) and asks it its GUID. */
  static async start(planner: FuzzPlanner, options: ParentsOptions): Promise<FuzzedParents> {
    return new FuzzedParents(planner, options, await FuzzedParents.#startLife(planner, options));
  }

  static async #startLife(planner: FuzzPlanner, options: ParentsOptions): Promise<MutableLife> {
    const h = await startHardening({ childGuid: planner.childGuid, childCharts: options.childCharts });
    const info = await h.get("/api/v1/info", options.hangMs);
    const uid = info.status === 200 ? (JSON.parse(info.body.toString("utf8")) as { uid?: string }).uid : undefined;
    return { h, targets: planner.targets(h.child.hostname, uid ?? PLACEHOLDER_GUID), crashed: false };
  }

  /** The parent sessions start against (one being replaced while {@link restarting} is set). */
  get current(): ParentLife {
    return this.#current;
  }

  /** While a crashed parent is being replaced: settles once the new one is up (rejects if it could not start). */
  get restarting(): Promise<void> | undefined {
    return this.#restarting;
  }

  /**
   * Marks `life` crashed at once (so that no new session starts on it and no other session reports it again),
   * then runs `record` (which may wait for the exit to be reported and reads the parent's output), kills the
   * parent and starts the next. Returns undefined, doing nothing, when `life` was already marked.
   */
  replace(life: ParentLife, record: () => Promise<void>): Promise<void> | undefined {
    if (life !== this.#current || this.#current.crashed) return undefined;
    this.#current.crashed = true;
    this.#restarting = (async () => {
      await record();
      mergeFigures(this.#all, await life.h.stop({ kill: true }));
      this.#current = await FuzzedParents.#startLife(this.#planner, this.#options);
      this.#restarting = undefined;
    })();
    return this.#restarting;
  }

  /** Stops the current parent (no session may be running on it) and starts a fresh one. */
  async fresh(): Promise<void> {
    await this.#stopCurrent();
    this.#current = await FuzzedParents.#startLife(this.#planner, this.#options);
  }

  /**
   * Stops the current parent (no session may be running on it); the peaks over the parents that did not crash
   * (`healthy`) and over all of them (`all`).
   */
  async stop(): Promise<{ healthy: Peaks; all: Peaks }> {
    await this.#stopCurrent();
    return { healthy: { ...this.#healthy }, all: { ...this.#all } };
  }

  async #stopCurrent(): Promise<void> {
    const figures = await this.#current.h.stop();
    mergeFigures(this.#healthy, figures);
    mergeFigures(this.#all, figures);
  }
}
