/**
 * What a fuzz run's sessions are: the captures and the well-behaved child's chart and dimension ids loaded
 * once, the child's GUID drawn from the run's seed, and each session's plan built from its own seed alone
 * (so a reported seed plays the same bytes again, given the same parent GUID).
 *
 * @example
 * ```ts
 * import { FuzzPlanner } from "./scripts/_fuzz_plan.ts";
 *
 * const planner = new FuzzPlanner({ seed: 1 });
 * const targets = planner.targets("well-behaved-child", parentGuid);
 * for (const seed of planner.seeds(10)) console.log(planner.plan(seed, targets).description);
 * ```
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { loadSimCharts } from "../tests/_sim_charts.ts";
import type { FuzzTargets } from "./_fuzz_handshake.ts";
import { httpPlan } from "./_fuzz_http.ts";
import { Random, sessionSeed } from "./_fuzz_random.ts";
import type { FuzzPlan } from "./_fuzz_session.ts";
import { loadStreamCorpus, type StreamCorpus, streamPlan } from "./_fuzz_stream.ts";

/** The kinds of session, with how often each is drawn. */
export const SESSION_WEIGHTS = { stream: 40, handshake: 10, http: 50 } as const;

/** A kind of session. */
export type SessionKind = keyof typeof SESSION_WEIGHTS;

/**
 * What shapes the sessions.
 *
 * @example
 * ```ts
 * const options: FuzzPlanOptions = { seed: 7, kinds: ["http"], sessionSeconds: 3 };
 * ```
 */
export interface FuzzPlanOptions {
  readonly seed: number;
  /** Kinds to draw from (default all). */
  readonly kinds?: readonly SessionKind[];
  /** Each session ends after this long at the latest (default 5). */
  readonly sessionSeconds?: number;
  /** Bytes a session writes at the most (default 1 MiB). */
  readonly maxSessionBytes?: number;
  /** Charts of the well-behaved child (default all the capture holds). */
  readonly childCharts?: number;
}

/**
 * Builds the sessions of a run.
 *
 * @example
 * ```ts
 * const plan = new FuzzPlanner({ seed: 1 }).plan(123456, targets);
 * ```
 */
export class FuzzPlanner {
  /** The well-behaved child's machine GUID, drawn from the run's seed. */
  readonly childGuid: string;
  /** Each session's deadline. */
  readonly sessionMs: number;
  readonly #options: FuzzPlanOptions;
  readonly #corpus: StreamCorpus;
  readonly #chartIds: readonly string[];
  readonly #dimensionIds: readonly string[];
  readonly #weights: Record<SessionKind, number>;

  constructor(options: FuzzPlanOptions) {
    this.#options = options;
    this.childGuid = new Random(options.seed).uuid();
    this.sessionMs = (options.sessionSeconds ?? 5) * 1000;
    this.#corpus = loadStreamCorpus();
    const charts = loadSimCharts({ count: options.childCharts });
    this.#chartIds = charts.map((c) => c.id);
    this.#dimensionIds = [...new Set(charts.flatMap((c) => c.dimensions.map((d) => d.id)))];
    const kinds = options.kinds ?? (Object.keys(SESSION_WEIGHTS) as SessionKind[]);
    this.#weights = Object.fromEntries(kinds.map((k) => [k, SESSION_WEIGHTS[k]])) as Record<SessionKind, number>;
  }

  /** The seeds of the run's first `count` sessions. */
  seeds(count: number): number[] {
    return Array.from({ length: count }, (_, i) => sessionSeed(this.#options.seed, i));
  }

  /** Who the sessions aim at, once the parent's GUID is known. */
  targets(childHostname: string, parentGuid: string): FuzzTargets {
    return {
      childHostname,
      childGuid: this.childGuid,
      parentHostname: "rill-parent-under-test",
      parentGuid,
      chartIds: this.#chartIds,
      dimensionIds: this.#dimensionIds,
    };
  }

  /** The session of `seed`. */
  plan(seed: number, targets: FuzzTargets): FuzzPlan {
    const rng = new Random(seed);
    const kind = rng.weighted(this.#weights);
    const maxBytes = this.#options.maxSessionBytes ?? 1024 * 1024;
    if (kind === "http") return httpPlan(rng, targets, maxBytes, this.sessionMs);
    return streamPlan(rng, this.#corpus, targets, maxBytes, kind === "handshake");
  }
}

/**
 * A plan as text: its description, then each step, written bytes JSON-escaped and cut at `maxChars`.
 *
 * @example
 * ```ts
 * console.log(showPlan(planner.plan(seed, targets)));
 * ```
 */
export function showPlan(plan: FuzzPlan, maxChars = 4000): string {
  const lines = [plan.description, ...(plan.noRead ? ["  (never reads)"] : [])];
  for (const step of plan.steps) {
    if (step.kind !== "write") {
      lines.push(`  ${step.kind} ${step.ms} ms`);
      continue;
    }
    const text = Buffer.from(step.bytes).toString("latin1");
    const pace = step.chunkBytes === undefined ? "" : ` in pieces of ${step.chunkBytes}`;
    lines.push(
      `  write ${step.bytes.length} bytes${pace}${step.gapMs ? ` every ${step.gapMs} ms` : ""}: ` +
        JSON.stringify(text.slice(0, maxChars)) + (text.length > maxChars ? "…" : ""),
    );
  }
  return lines.join("\n");
}
