/**
 * The hardening harness: a parent (rill-parent, compiled or from source: see `fromSource`; or, for
 * comparisons, Debian's real Netdata 1.37: see `parent`; ram mode, a stream.conf accepting the tests' key, no
 * health), one well-behaved simulated 1.37 child streaming in real time (tests/_sim_child.ts), and a watcher
 * that shows whether the parent stays fair to that child while something else hits it.
 *
 * Every `intervalMs` the watcher asks `/host/<child>/api/v1/data?chart=<chart>&after=-5&format=json` on a new
 * connection of its own (one request at a time, each with a deadline) and records:
 * - how often the child's newest stored point advanced, and the longest wall-clock interval in which it did
 *   not (the *stall*; a stall still going on counts up to now). A row is a stored point when it holds a value;
 *   a 1.37 ram parent answers 0, not null, for slots before a dimension's first point, so against Netdata a
 *   row of zeros does not count;
 * - the longest time an answer took (a request without an answer counts its whole deadline);
 * - the parent's VmRSS from `/proc/<pid>/status`, sampled on its own timer (so a hung parent is sampled too).
 *
 * Tests assert only bounds a broken parent breaks by far: the data advanced at least N times, the watcher got
 * answers, RSS stayed under a generous cap, the parent is alive; never tight timings.
 *
 * @example
 * ```ts
 * import { startHardening } from "./tests/e2e/_hardening.ts";
 *
 * const h = await startHardening({ keyOptions: "max charts per host = 100" });
 * try {
 *   await h.get("/api/v1/data?chart=system.cpu&after=-100000000", 30_000); // the attack under test
 *   const figures = await h.waitForAdvances(3);
 *   console.log(figures.longestStallMs, figures.maxRssKiB);
 * } finally {
 *   await h.stop();
 * }
 * ```
 *
 * @module
 */
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { type HttpAnswer, httpGet } from "../_http_client.ts";
import { type SimLoad, simLoad, SimulatedChild } from "../_sim_child.ts";
import { ACCEPTING_STREAM_CONF, NETDATA_SKIP_REASON, startNetdataParent } from "../interop/_netdata.ts";
import { TEST_RUNTIME } from "./_binaries.ts";
import { PARENT_SKIP, startParent } from "./_parent.ts";

/**
 * The `fromSource` that runs the parent on the runtime running the test, so that a suite run under each
 * runtime proves the hardening there: under Bun the compiled binary (a Bun build, what users run), under
 * Deno `src/cli/parent.ts` on Deno.
 */
export const PARENT_ON_TEST_RUNTIME: boolean = TEST_RUNTIME === "deno";

/** Why the harness cannot run here (the compiled parent is missing), or `undefined`. */
export const HARDENING_SKIP: string | undefined = PARENT_SKIP;

/**
 * Which parent the harness runs: `rill` (rill-parent) or `netdata` (Debian's Netdata 1.37, to compare with).
 *
 * @example
 * ```ts
 * const kind: HardeningParentKind = "netdata";
 * ```
 */
export type HardeningParentKind = "rill" | "netdata";

/**
 * Why the harness cannot run a kind of parent here, or `undefined`.
 *
 * @example
 * ```ts
 * const skip = hardeningSkip("netdata"); // the netdata package is not installed, or undefined
 * ```
 */
export function hardeningSkip(kind: HardeningParentKind): string | undefined {
  return kind === "netdata" ? NETDATA_SKIP_REASON : HARDENING_SKIP;
}

/**
 * The parent under watch, rill's or Netdata's: its port, its process, what it logged so far, how to stop it.
 *
 * @example
 * ```ts
 * const parent: WatchedParent = h.parent;
 * console.log(parent.process.pid, parent.output().slice(-200));
 * ```
 */
export interface WatchedParent {
  readonly port: number;
  readonly process: ChildProcess;
  /** rill-parent's standard output and error, Netdata's error.log. */
  output(): string;
  stop(options?: { signal?: NodeJS.Signals }): Promise<unknown>;
}

/** Hostname of the well-behaved child unless a test names another. */
export const WELL_BEHAVED_CHILD = "well-behaved-child";

/**
 * How to set up the parent, the child and the watcher; every field is optional.
 *
 * @example
 * ```ts
 * const options: HardeningOptions = {
 *   keyOptions: "max dimensions per chart = 50",
 *   netdataConf: "[web]\n    web server max connections = 20\n",
 *   childCharts: 20,
 * };
 * ```
 */
export interface HardeningOptions {
  /**
   * The parent (default `rill`). `netdata` runs Debian's 1.37 in ram mode with every plugin off and health off
   * (interop/_netdata.ts `startNetdataParent`, no access log); `netdataConf` and `fromSource` are rill's only.
   */
  readonly parent?: HardeningParentKind;
  /** Lines added to the accepted key's section of stream.conf (`key = value`, one a line). */
  readonly keyOptions?: string;
  /** The whole stream.conf instead of the accepting one (`keyOptions` is then ignored). */
  readonly streamConf?: string;
  /** Extra netdata.conf sections (a section may be re-opened, e.g. `[web]`). */
  readonly netdataConf?: string;
  /** Charts of the well-behaved child (default: all the capture holds, 308 with the full one). */
  readonly childCharts?: number;
  /** Hostname of the well-behaved child (default {@link WELL_BEHAVED_CHILD}). */
  readonly childHostname?: string;
  /** Its machine GUID (a random one by default). */
  readonly childGuid?: string;
  /** The chart the watcher reads (default `system.cpu`; the child always streams it). */
  readonly watchChart?: string;
  /** Deadline of each watcher request (default 30 000 ms). */
  readonly requestTimeoutMs?: number;
  /** How often the watcher asks and RSS is sampled (default 1000 ms). */
  readonly intervalMs?: number;
  /** How long to wait for the child's first stored point (default 30 000 ms). */
  readonly startTimeoutMs?: number;
  /** Run `src/cli/parent.ts` on this process's runtime instead of the compiled binary (see {@link PARENT_ON_TEST_RUNTIME}). */
  readonly fromSource?: boolean;
}

/**
 * What the watcher saw so far.
 *
 * @example
 * ```ts
 * const f: HardeningFigures = h.figures();
 * assert.ok(f.advances >= 3 && f.parentAlive);
 * ```
 */
export interface HardeningFigures {
  /** Times the child's newest stored point moved forward. */
  readonly advances: number;
  /** Watcher requests answered with a 200 that parsed. */
  readonly answers: number;
  /** Watcher requests without an answer, or with another status, or that did not parse. */
  readonly failures: number;
  /** The last failure's reason. */
  readonly lastFailure: string | undefined;
  /** Longest interval without an advance, counting one still going on (ms). */
  readonly longestStallMs: number;
  /** Longest time a watcher request took, answered or not (ms). */
  readonly longestAnswerMs: number;
  /** Largest VmRSS sampled (KiB). */
  readonly maxRssKiB: number;
  /** Latest VmRSS sampled (KiB); 0 once the process is gone. */
  readonly rssKiB: number;
  /** Epoch seconds of the child's newest stored point, as last seen. */
  readonly newestPointS: number | undefined;
  /** The parent process has not exited. */
  readonly parentAlive: boolean;
  /** Why the well-behaved child stopped, if it did. */
  readonly childFailure: string | undefined;
}

/**
 * A running harness.
 *
 * @example
 * ```ts
 * const h: Hardening = await startHardening();
 * const answer = await h.get("/api/v1/info");
 * await h.stop();
 * ```
 */
export interface Hardening {
  readonly parent: WatchedParent;
  /** What the parent is, for messages: `rill-parent` or `netdata 1.37`. */
  readonly label: string;
  readonly port: number;
  readonly pid: number;
  readonly child: SimulatedChild;
  /** The figures now. */
  figures(): HardeningFigures;
  /**
   * Starts the peaks (longest stall, longest answer, largest RSS) afresh, to measure one phase of a test or a
   * benchmark; counters and the newest point go on. A stall going on keeps counting from its start.
   */
  resetPeaks(): void;
  /** Resolves once the newest point advanced `count` more times; throws after `ms` (default 30 s) with the figures. */
  waitForAdvances(count: number, ms?: number): Promise<HardeningFigures>;
  /** `GET target` on a new connection, with a deadline (default 30 s); never rejects. */
  get(target: string, timeoutMs?: number): Promise<HttpAnswer>;
  /** The parent process has not exited. */
  alive(): boolean;
  /** Stops the watcher, the child and the parent (`kill`: SIGKILL at once, for a hung parent); the figures just before. */
  stop(options?: { kill?: boolean }): Promise<HardeningFigures>;
}

const loads = new Map<number | undefined, SimLoad>();

function loadFor(charts: number | undefined): SimLoad {
  let load = loads.get(charts);
  if (load === undefined) loads.set(charts, load = simLoad({ count: charts }));
  return load;
}

/** VmRSS of a process in KiB, 0 when it is gone. */
export function vmRssKiB(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match === null ? 0 : Number(match[1]);
  } catch {
    return 0;
  }
}

interface DataAnswer {
  data?: unknown[][];
}

/**
 * Epoch seconds of the newest row holding a value in a `format=json` data answer, or why it has none;
 * `zerosAreEmpty`: a row whose values are all 0 holds none (Netdata's ram mode, see the module doc).
 */
function newestPoint(body: string, zerosAreEmpty: boolean): number | string {
  let parsed: DataAnswer;
  try {
    parsed = JSON.parse(body) as DataAnswer;
  } catch {
    return `expected a JSON data answer, found '${body.slice(0, 80)}'`;
  }
  let newest = 0;
  for (const row of parsed.data ?? []) {
    const t = row[0];
    const values = row.slice(1).filter((v) => typeof v === "number");
    const holds = values.length > 0 && (!zerosAreEmpty || values.some((v) => v !== 0));
    if (typeof t === "number" && holds && t > newest) newest = t;
  }
  return newest;
}

/** Starts the parent, the child and the watcher; resolves once the child's first point is stored and seen. */
export async function startHardening(options: HardeningOptions = {}): Promise<Hardening> {
  const intervalMs = options.intervalMs ?? 1000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  const streamConf = options.streamConf ?? `${ACCEPTING_STREAM_CONF}${options.keyOptions ?? ""}\n`;
  const netdata = options.parent === "netdata";
  const label = netdata ? "netdata 1.37" : "rill-parent";
  const parent: WatchedParent = netdata
    ? await startNetdataParent(streamConf, { accessLog: "none" })
    : await startParent({ streamConf, netdataConf: options.netdataConf, fromSource: options.fromSource });
  const port = parent.port;
  const pid = parent.process.pid!;
  const child = new SimulatedChild({
    hostname: options.childHostname ?? WELL_BEHAVED_CHILD,
    guid: options.childGuid,
    load: loadFor(options.childCharts),
  });
  const alive = () => parent.process.exitCode === null && parent.process.signalCode === null;

  let stopped = false;
  let advances = 0, answers = 0, failures = 0;
  let lastFailure: string | undefined;
  let longestStallMs = 0, longestAnswerMs = 0, maxRssKiB = 0, rssKiB = 0;
  let newestPointS: number | undefined;
  let lastAdvanceAt: number | undefined;
  const figures = (): HardeningFigures => ({
    advances,
    answers,
    failures,
    lastFailure,
    longestStallMs: Math.max(longestStallMs, lastAdvanceAt === undefined ? 0 : Date.now() - lastAdvanceAt),
    longestAnswerMs,
    maxRssKiB,
    rssKiB,
    newestPointS,
    parentAlive: alive(),
    childFailure: child.failure,
  });

  const sampleRss = () => {
    rssKiB = vmRssKiB(pid);
    maxRssKiB = Math.max(maxRssKiB, rssKiB);
  };
  sampleRss();
  const rssTimer = setInterval(sampleRss, intervalMs);

  const abort = new AbortController();
  let wakeWatcher = () => {};
  const path = `/host/${encodeURIComponent(child.hostname)}/api/v1/data?chart=${
    encodeURIComponent(options.watchChart ?? "system.cpu")
  }&after=-5&format=json`;
  const watch = async () => {
    while (!stopped) {
      const started = Date.now();
      const answer = await httpGet(port, path, { timeoutMs: requestTimeoutMs, signal: abort.signal });
      if (stopped) break;
      longestAnswerMs = Math.max(longestAnswerMs, answer.ms);
      const newest = answer.status === 200 ? newestPoint(answer.body.toString("utf8"), netdata) : undefined;
      if (typeof newest === "number") {
        answers++;
        if (newest > (newestPointS ?? 0)) {
          const now = Date.now();
          if (lastAdvanceAt !== undefined) longestStallMs = Math.max(longestStallMs, now - lastAdvanceAt);
          lastAdvanceAt = now;
          newestPointS = newest;
          advances++;
        }
      } else {
        failures++;
        lastFailure = newest ?? answer.error ?? `HTTP ${answer.status}: ${answer.body.toString("utf8").slice(0, 120)}`;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, started + intervalMs - Date.now()));
        wakeWatcher = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  };

  let streaming: Promise<void> = Promise.resolve();
  let watching: Promise<void> = Promise.resolve();
  const stop = async (stopOptions: { kill?: boolean } = {}): Promise<HardeningFigures> => {
    const final = figures();
    stopped = true;
    abort.abort();
    wakeWatcher();
    clearInterval(rssTimer);
    child.stop(true);
    await Promise.all([streaming, watching]);
    await parent.stop({ signal: stopOptions.kill ? "SIGKILL" : "SIGTERM" });
    return final;
  };

  try {
    await child.start(port);
    if (!child.streaming || child.failure !== undefined) {
      throw new Error(`the well-behaved child did not get to stream: ${child.failure ?? "no reason"}`);
    }
    streaming = child.streamRealTime();
    watching = watch();
    const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
    while (advances === 0) {
      if (Date.now() > deadline || !alive()) {
        throw new Error(`the well-behaved child's first point was not seen (${lastFailure ?? "no data yet"})`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (e) {
    const output = parent.output().slice(-2000);
    await stop({ kill: true });
    throw new Error(`${e instanceof Error ? e.message : e}; ${label} said:\n${output}`);
  }

  return {
    parent,
    label,
    port,
    pid,
    child,
    figures,
    resetPeaks() {
      longestStallMs = 0;
      longestAnswerMs = 0;
      maxRssKiB = rssKiB;
    },
    async waitForAdvances(count: number, ms = 30_000) {
      const target = advances + count;
      const deadline = Date.now() + ms;
      while (advances < target) {
        if (Date.now() > deadline) {
          throw new Error(
            `expected ${count} more advances of ${child.hostname}'s data within ${ms} ms, found ${
              count - (target - advances)
            }: ${JSON.stringify(figures())}`,
          );
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      return figures();
    },
    get: (target: string, timeoutMs = 30_000) => httpGet(port, target, { timeoutMs }),
    alive,
    stop,
  };
}

/**
 * {@link startHardening} with the parent on this test's runtime ({@link PARENT_ON_TEST_RUNTIME}).
 *
 * @example
 * ```ts
 * const h = await startOnTestRuntime({ keyOptions: "    max charts per host = 100\n" });
 * ```
 */
export function startOnTestRuntime(options: HardeningOptions = {}): Promise<Hardening> {
  return startHardening({ ...options, fromSource: PARENT_ON_TEST_RUNTIME });
}

/** The well-behaved child's newest point never stands still this long in a test (it streams once a second). */
export const STALL_CAP_MS = 10_000;

/** A parent with one child takes ~100 MB; under attack its RSS must stay below this in a test. */
export const RSS_CAP_KIB = 600 * 1024;

/**
 * The bounds every reproducer ends with: the well-behaved child's data advanced meanwhile (no stall of
 * {@link STALL_CAP_MS}) and advances still, the parent is up and its RSS stayed under {@link RSS_CAP_KIB}.
 *
 * @example
 * ```ts
 * await assertHeldUp(h);
 * ```
 */
export async function assertHeldUp(h: Hardening): Promise<void> {
  const f = await h.waitForAdvances(3);
  assert.ok(f.parentAlive, "the parent is alive");
  assert.equal(f.childFailure, undefined, "the well-behaved child kept streaming");
  assert.ok(f.longestStallMs < STALL_CAP_MS, `longest stall of the well-behaved child: ${f.longestStallMs} ms`);
  assert.ok(f.maxRssKiB < RSS_CAP_KIB, `the parent's RSS peaked at ${f.maxRssKiB} KiB`);
}

/**
 * Runs `body` with a harness whose parent is on this test's runtime ({@link startOnTestRuntime}), then checks
 * {@link assertHeldUp} and stops it.
 *
 * @example
 * ```ts
 * await withHardening({}, async (h) => {
 *   await h.get("/api/v1/data?chart=system.cpu&after=-100000000");
 * });
 * ```
 */
export async function withHardening(options: HardeningOptions, body: (h: Hardening) => Promise<void>): Promise<void> {
  const h = await startOnTestRuntime(options);
  try {
    await body(h);
    await assertHeldUp(h);
  } finally {
    await h.stop();
  }
}
