/**
 * Netdata's plugins.d for rill: finds the executable `*.plugin` files of the plugins directories, runs
 * each as `<path> <update_every>` with Netdata's environment, feeds its standard output to a
 * {@link PluginParser} (so its charts become the host's charts, and are streamed like any other), passes
 * its standard error to our log, and keeps it running.
 *
 * Supervision rules (Netdata-like, but a misbehaving plugin is retried with backoff instead of being
 * given up on, except when it asks to be):
 *
 * - **Exit** (any code or signal): logged with its code or signal and the number of iterations it
 *   completed, its charts are marked obsolete, and it is started again after a delay. The delay starts at
 *   the plugin's `update_every` and doubles with every consecutive failed run, up to 10 minutes. A run
 *   that lasted at least 60 s counts as healthy and resets the delay to the start.
 * - **Garbage** (a line 1.37 would disable the plugin for: unknown keyword, `SET` for an unknown
 *   dimension, `BEGIN` for an unknown chart, a line over 15 KiB, malformed arguments): logged with the
 *   plugin's name, the line number and the line, then the plugin is stopped (SIGTERM, SIGKILL 5 s later)
 *   and restarted by the exit rule.
 * - **Silence**: a plugin that prints nothing on standard output for `max(60 s, 10 × update_every)` (the
 *   largest `update_every` among the plugin's and its charts') is considered hung, logged, stopped and
 *   restarted by the exit rule. Netdata's own plugins print every iteration, so ten missed iterations
 *   leave no doubt; the 60 s floor spares slow starters.
 * - **`DISABLE`**: the plugin is stopped and not started again (until rill restarts).
 * - A plugin disabled in `[plugins]` is never started; the directories are scanned again every
 *   `check for new plugins every` seconds for new files. A plugin whose file disappears is forgotten.
 * - **Shutdown** ({@link PluginsRunner.stop}): every plugin gets SIGTERM, SIGKILL 5 s later, and stop
 *   resolves once all have exited. Signals go to the plugin's process group, so helpers it started
 *   (a shell plugin's `sleep`) go with it.
 *
 * How the collector wires it: plugins push data whenever they print, so they are not polled. Create one
 * runner for the local host, call {@link PluginsRunner.start} once the host exists (and its observers,
 * e.g. the stream sender, are attached), and `await runner.stop()` on shutdown. The runner also
 * implements {@link Source} (`collect` does nothing, `close` begins the shutdown) so it can sit in the
 * collection loop's source list if that is more convenient.
 *
 * @module
 */

import { accessSync, constants, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import type { NetdataConf, PluginsSettings } from "../../config/netdata_conf.ts";
import { pluginEnabled } from "../../config/netdata_conf.ts";
import type { Host } from "../../metrics/host.ts";
import { ProtocolError } from "../../protocol/errors.ts";
import type { Logger } from "../../runtime/log.ts";
import { type ChildExit, type ChildHandle, spawnProcess } from "../../runtime/spawn.ts";
import type { Source } from "../source.ts";
import { PluginParser } from "./parser.ts";

/**
 * Suffix of the files that are plugins.
 *
 * @example
 * ```ts
 * "apps.plugin".endsWith(PLUGIN_SUFFIX); // true
 * ```
 */
export const PLUGIN_SUFFIX = ".plugin";

/**
 * The knobs of supervision, in milliseconds. Defaults are the rules of the module documentation; tests
 * shorten them.
 *
 * @example
 * ```ts
 * const fast: Partial<SupervisionTiming> = { restartInitialMs: 100, silenceTimeoutMs: 1000 };
 * ```
 */
export interface SupervisionTiming {
  /** First restart delay; default the plugin's `update_every`. */
  readonly restartInitialMs: number;
  /** Cap of the doubling restart delay; default 10 minutes. */
  readonly restartMaxMs: number;
  /** A run at least this long resets the restart delay; default 60 s. */
  readonly healthyRunMs: number;
  /** No output for this long means hung; default `max(60 s, 10 × update_every)`. */
  readonly silenceTimeoutMs: number;
  /** Between SIGTERM and SIGKILL; default 5 s. */
  readonly killGraceMs: number;
  /** Between scans of the directories; default `check for new plugins every`. */
  readonly rescanMs: number;
}

/**
 * The directories Netdata tells its plugins about (`NETDATA_*_DIR`).
 *
 * @example
 * ```ts
 * const dirs: NetdataDirectories = { config: "/etc/netdata", log: "/var/log/netdata" };
 * ```
 */
export interface NetdataDirectories {
  /** User config, default `/etc/netdata`. */
  readonly config?: string;
  /** Stock config, default `/usr/lib/netdata/conf.d`. */
  readonly stockConfig?: string;
  /** Default `/var/log/netdata`. */
  readonly log?: string;
  /** Default `/var/cache/netdata`. */
  readonly cache?: string;
  /** Default `/var/lib/netdata`. */
  readonly lib?: string;
  /** Default `/var/lib/netdata/lock`. */
  readonly lock?: string;
  /** Default `/usr/share/netdata/web`. */
  readonly web?: string;
  /** `HOME` of the plugins; default ours, else the cache directory. */
  readonly home?: string;
}

/**
 * Everything a runner needs.
 *
 * @example
 * ```ts
 * const options: PluginsRunnerOptions = {
 *   host, log, updateEvery: 1, directories: ["/usr/libexec/netdata/plugins.d"],
 * };
 * ```
 */
export interface PluginsRunnerOptions {
  readonly host: Host;
  readonly log: Logger;
  /** Seconds: passed to every plugin as its argument and `NETDATA_UPDATE_EVERY`. */
  readonly updateEvery: number;
  /** Scanned in order; a file name found again in a later directory is not run twice (as in 1.37). */
  readonly directories: readonly string[];
  /** `[plugins]`; by default every plugin runs and directories are scanned every 60 s. */
  readonly settings?: PluginsSettings;
  readonly netdataDirectories?: NetdataDirectories;
  /** `NETDATA_HOST_PREFIX`, default empty. */
  readonly hostPrefix?: string;
  /** `NETDATA_LISTEN_PORT`, default 19999. */
  readonly listenPort?: number;
  /** Added last to every plugin's environment (overrides). */
  readonly environment?: Readonly<Record<string, string>>;
  readonly timing?: Partial<SupervisionTiming>;
}

/**
 * Options for a runner from a parsed `netdata.conf`: directories, `[plugins]` and the update interval.
 *
 * @example
 * ```ts
 * const runner = new PluginsRunner(pluginsRunnerOptions(readNetdataConf("/etc/netdata/netdata.conf"), host, log));
 * runner.start();
 * ```
 */
export function pluginsRunnerOptions(conf: NetdataConf, host: Host, log: Logger): PluginsRunnerOptions {
  return {
    host,
    log,
    updateEvery: conf.db.updateEvery,
    directories: conf.directories.plugins,
    settings: conf.plugins,
    netdataDirectories: {
      config: conf.directories.config,
      log: conf.directories.log,
      cache: conf.directories.cache,
      lib: conf.directories.lib,
      lock: `${conf.directories.lib}/lock`,
    },
    listenPort: conf.web.defaultPort,
  };
}

/**
 * Where a plugin is in its life: running, being stopped by us, waiting to be restarted, disabled by its
 * own `DISABLE`, or stopped for good (shutdown, or its file is gone).
 *
 * @example
 * ```ts
 * const waiting = runner.plugins().filter((p) => p.state === "waiting").length;
 * ```
 */
export type PluginState = "running" | "stopping" | "waiting" | "disabled" | "stopped";

/**
 * What the runner knows of one plugin (for logs, tests and a future status API).
 *
 * @example
 * ```ts
 * for (const p of runner.plugins()) console.log(p.name, p.state, p.pid, p.restarts);
 * ```
 */
export interface PluginStatus {
  /** File name, `example.plugin`. */
  readonly name: string;
  readonly path: string;
  readonly state: PluginState;
  /** The running process, if any. */
  readonly pid: number | undefined;
  /** The pids of its latest runs (up to 32), oldest first. */
  readonly pids: readonly number[];
  /** Times it was started again after an exit. */
  readonly restarts: number;
  /** Iterations (`END`s) of the current or last run. */
  readonly collections: number;
}

const SECOND = 1000;
const DEFAULT_STOCK_CONFIG = "/usr/lib/netdata/conf.d";
// Longest stderr line passed on; a plugin that writes endless lines must not grow our memory.
const MAX_STDERR_LINE = 4096;

// Pids remembered per plugin (a plugin restarted for months must not grow the list forever).
const MAX_PIDS_KEPT = 32;

// Why a run is being stopped by us, for the exit log line.
type StopReason = "garbage" | "silent" | "disabled" | "shutdown";

/**
 * Runs the plugins of the plugins directories for one host.
 *
 * @example
 * ```ts
 * const runner = new PluginsRunner({ host, log, updateEvery: 1, directories: ["/usr/libexec/netdata/plugins.d"] });
 * runner.start();
 * // … on shutdown:
 * await runner.stop();
 * ```
 */
export class PluginsRunner implements Source {
  readonly name = "plugins.d";
  readonly updateEvery: number;
  readonly host: Host;
  readonly log: Logger;
  readonly directories: readonly string[];
  readonly settings: PluginsSettings;
  readonly #options: PluginsRunnerOptions;
  readonly #workers = new Map<string, PluginWorker>();
  // Names already reported as disabled, missing or not executable, so rescans do not repeat themselves.
  readonly #reported = new Set<string>();
  #rescanTimer: ReturnType<typeof setInterval> | undefined;
  #started = false;
  #stopping: Promise<void> | undefined;
  #environment: Record<string, string> | undefined;

  constructor(options: PluginsRunnerOptions) {
    this.#options = options;
    this.host = options.host;
    this.log = options.log;
    this.updateEvery = Math.max(1, Math.trunc(options.updateEvery));
    this.directories = options.directories;
    this.settings = options.settings ??
      { enableRunningNewPlugins: true, checkForNewPluginsEvery: 60, flags: new Map() };
  }

  /** Scans the directories, starts what it finds, and rescans periodically. Calling it twice does nothing. */
  start(): void {
    if (this.#started || this.#stopping !== undefined) return;
    this.#started = true;
    this.scan();
    const every = this.#options.timing?.rescanMs ?? this.settings.checkForNewPluginsEvery * SECOND;
    this.#rescanTimer = setInterval(() => this.scan(), Math.max(10, every));
  }

  /**
   * Stops every plugin (SIGTERM, then SIGKILL after the grace period) and resolves once all have exited.
   * Their charts are left as they are: the host is going away, not the plugins' data.
   */
  stop(): Promise<void> {
    if (this.#stopping !== undefined) return this.#stopping;
    if (this.#rescanTimer !== undefined) clearInterval(this.#rescanTimer);
    this.#rescanTimer = undefined;
    this.#stopping = Promise.all([...this.#workers.values()].map((w) => w.shutdown())).then(() => {});
    return this.#stopping;
  }

  /** Nothing to do: plugins deliver their iterations themselves. Part of {@link Source}. */
  collect(_nowUs: number): void {}

  /** Begins {@link stop} without waiting for it. Part of {@link Source}. */
  close(): void {
    void this.stop();
  }

  /** What each known plugin is doing. */
  plugins(): PluginStatus[] {
    return [...this.#workers.values()].map((w) => w.status());
  }

  /** Looks for new plugins now (also run on the rescan interval). */
  scan(): void {
    if (this.#stopping !== undefined) return;
    for (const dir of this.directories) {
      let names: string[];
      try {
        names = readdirSync(dir).filter((n) => n.endsWith(PLUGIN_SUFFIX) && n.length > PLUGIN_SUFFIX.length);
      } catch (e) {
        this.#reportOnce(`dir:${dir}`, `cannot read plugins directory '${dir}': ${errorText(e)}`);
        continue;
      }
      this.#reported.delete(`dir:${dir}`);
      for (const file of names.sort()) {
        if (this.#workers.has(file)) continue;
        const path = join(dir, file);
        const short = file.slice(0, -PLUGIN_SUFFIX.length);
        if (!pluginEnabled(this.settings, short)) {
          this.#reportOnce(`off:${file}`, `plugin '${path}' is not enabled ([plugins] ${short} = no)`);
          continue;
        }
        const problem = notRunnable(path);
        if (problem !== undefined) {
          this.#reportOnce(`bad:${path}`, `plugin '${path}' ${problem}; not running it`);
          continue;
        }
        this.#reported.delete(`bad:${path}`);
        const worker = new PluginWorker(this, file, path, this.#timing(), () => this.#forget(file));
        this.#workers.set(file, worker);
        worker.launch();
      }
    }
  }

  /** The environment every plugin gets: ours, then Netdata 1.37's variables, then the configured extras. */
  environment(): Record<string, string> {
    if (this.#environment !== undefined) return this.#environment;
    const o = this.#options;
    const d = o.netdataDirectories ?? {};
    const inherited: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) inherited[k] = v;
    const cache = d.cache ?? "/var/cache/netdata";
    const lib = d.lib ?? "/var/lib/netdata";
    const config = d.config ?? "/etc/netdata";
    this.#environment = {
      ...inherited,
      NETDATA_UPDATE_EVERY: String(this.updateEvery),
      NETDATA_VERSION: this.host.identity.programVersion,
      NETDATA_HOSTNAME: this.host.identity.hostname,
      NETDATA_CONFIG_DIR: config,
      NETDATA_USER_CONFIG_DIR: config,
      NETDATA_STOCK_CONFIG_DIR: d.stockConfig ?? DEFAULT_STOCK_CONFIG,
      NETDATA_PLUGINS_DIR: this.directories[0] ?? "",
      NETDATA_USER_PLUGINS_DIRS: this.directories.slice(1).join(" "),
      NETDATA_WEB_DIR: d.web ?? "/usr/share/netdata/web",
      NETDATA_CACHE_DIR: cache,
      NETDATA_LIB_DIR: lib,
      NETDATA_LOCK_DIR: d.lock ?? `${lib}/lock`,
      NETDATA_LOG_DIR: d.log ?? "/var/log/netdata",
      NETDATA_HOST_PREFIX: o.hostPrefix ?? "",
      NETDATA_LISTEN_PORT: String(o.listenPort ?? 19999),
      NETDATA_DEBUG_FLAGS: "0x0000000000000000",
      NETDATA_ERRORS_THROTTLE_PERIOD: "1200",
      NETDATA_ERRORS_PER_PERIOD: "200",
      HOME: d.home ?? inherited.HOME ?? cache,
      PATH: `${inherited.PATH ?? "/bin:/usr/bin"}:/sbin:/usr/sbin:/usr/local/bin:/usr/local/sbin`,
      PYTHONPATH: inherited.PYTHONPATH ?? "",
      // Python plugins must not buffer their output, and every plugin speaks the C locale.
      PYTHONUNBUFFERED: "1",
      LC_ALL: "C",
      ...(o.environment ?? {}),
    };
    return this.#environment;
  }

  #timing(): Partial<SupervisionTiming> {
    return this.#options.timing ?? {};
  }

  #forget(file: string): void {
    this.#workers.delete(file);
  }

  #reportOnce(key: string, message: string): void {
    if (this.#reported.has(key)) return;
    this.#reported.add(key);
    this.log.info(message);
  }
}

// Why a path cannot be run, or undefined when it can.
function notRunnable(path: string): string | undefined {
  try {
    if (!statSync(path).isFile()) return "is not a regular file";
    accessSync(path, constants.X_OK);
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return "does not exist";
    if (code === "EACCES") return "is not executable";
    return `cannot be checked (${errorText(e)})`;
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function describeExit(exit: ChildExit): string {
  if (exit.error !== undefined) return `could not be started (${exit.error})`;
  if (exit.signal !== null) return `was killed by ${exit.signal}`;
  return `exited with code ${exit.code}`;
}

function seconds(ms: number): string {
  return ms % SECOND === 0 ? `${ms / SECOND} s` : `${(ms / SECOND).toFixed(1)} s`;
}

// One plugin file: its current process, parser and restart schedule.
class PluginWorker {
  readonly #runner: PluginsRunner;
  readonly name: string;
  readonly path: string;
  readonly #log: Logger;
  readonly #timing: Partial<SupervisionTiming>;
  readonly #forget: () => void;
  #state: PluginState = "waiting";
  #child: ChildHandle | undefined;
  #parser: PluginParser | undefined;
  readonly #pids: number[] = [];
  #restarts = 0;
  #failures = 0;
  #startedAt = 0;
  #lastOutputAt = 0;
  #stopReason: StopReason | undefined;
  #watchdog: ReturnType<typeof setInterval> | undefined;
  #restartTimer: ReturnType<typeof setTimeout> | undefined;
  #killTimer: ReturnType<typeof setTimeout> | undefined;
  #stderrPending = "";
  #stderrDecoder = new TextDecoder();
  #shutdown: Promise<void> | undefined;

  constructor(
    runner: PluginsRunner,
    name: string,
    path: string,
    timing: Partial<SupervisionTiming>,
    forget: () => void,
  ) {
    this.#runner = runner;
    this.name = name;
    this.path = path;
    this.#log = runner.log.child(`PLUGINSD[${name}]`);
    this.#timing = timing;
    this.#forget = forget;
  }

  status(): PluginStatus {
    return {
      name: this.name,
      path: this.path,
      state: this.#state,
      pid: this.#child?.running ? this.#child.pid : undefined,
      pids: [...this.#pids],
      restarts: this.#restarts,
      collections: this.#parser?.collections ?? 0,
    };
  }

  launch(): void {
    this.#restartTimer = undefined;
    if (this.#shutdown !== undefined) return;
    const runner = this.#runner;
    const parser = new PluginParser({
      host: runner.host,
      plugin: this.name,
      updateEvery: runner.updateEvery,
      log: this.#log,
    });
    this.#parser = parser;
    this.#stopReason = undefined;
    this.#stderrPending = "";
    this.#stderrDecoder = new TextDecoder();
    this.#startedAt = Date.now();
    this.#lastOutputAt = this.#startedAt;
    this.#state = "running";
    const child = spawnProcess(this.path, [String(runner.updateEvery)], {
      env: runner.environment(),
      onStdout: (chunk) => this.#stdout(parser, chunk),
      onStderr: (chunk) => this.#stderr(chunk),
    });
    this.#child = child;
    if (child.pid !== undefined) {
      if (this.#pids.length >= MAX_PIDS_KEPT) this.#pids.shift();
      this.#pids.push(child.pid);
      this.#log.info(`connected to '${this.path}' running on pid ${child.pid}`);
    }
    const check = Math.min(SECOND, Math.max(10, this.#silenceTimeoutMs() / 4));
    this.#watchdog = setInterval(() => this.#checkSilence(), check);
    void child.exited.then((exit) => this.#exited(child, parser, exit));
  }

  // The whole runner is shutting down: stop the process (if any) and never start it again.
  shutdown(): Promise<void> {
    if (this.#shutdown !== undefined) return this.#shutdown;
    if (this.#restartTimer !== undefined) clearTimeout(this.#restartTimer);
    this.#restartTimer = undefined;
    const child = this.#child;
    if (child === undefined || !child.running) {
      if (this.#state !== "disabled") this.#state = "stopped";
      this.#shutdown = Promise.resolve();
    } else {
      this.#stop("shutdown");
      this.#shutdown = child.exited.then(() => {});
    }
    return this.#shutdown;
  }

  #silenceTimeoutMs(): number {
    const every = this.#parser?.slowestUpdateEvery ?? this.#runner.updateEvery;
    return this.#timing.silenceTimeoutMs ?? Math.max(60 * SECOND, 10 * every * SECOND);
  }

  #stdout(parser: PluginParser, chunk: Uint8Array): void {
    this.#lastOutputAt = Date.now();
    // After a bad line the process is on its way out; what it still prints is not read.
    if (this.#stopReason !== undefined || parser !== this.#parser) return;
    try {
      parser.push(chunk);
    } catch (e) {
      if (e instanceof ProtocolError) {
        this.#log.error(`${e.message}; stopping '${this.path}' (it will be restarted)`);
      } else {
        this.#log.error(`failed to handle the output of '${this.path}': ${errorText(e)}; stopping it`);
      }
      this.#stop("garbage");
      return;
    }
    if (parser.disabled) {
      this.#log.info(`'${this.path}' called DISABLE: stopping it, and it will not be started again`);
      this.#stop("disabled");
    }
  }

  #stderr(chunk: Uint8Array): void {
    const text = this.#stderrPending + this.#stderrDecoder.decode(chunk, { stream: true });
    const lines = text.split("\n");
    let pending = lines.pop() ?? "";
    for (const line of lines) this.#stderrLine(line);
    if (pending.length > MAX_STDERR_LINE) {
      this.#stderrLine(pending);
      pending = "";
    }
    this.#stderrPending = pending;
  }

  #stderrLine(line: string): void {
    const text = line.endsWith("\r") ? line.slice(0, -1) : line;
    if (text.length === 0) return;
    this.#log.error(text.length > MAX_STDERR_LINE ? `${text.slice(0, MAX_STDERR_LINE)}…` : text);
  }

  #checkSilence(): void {
    const child = this.#child;
    if (child === undefined || !child.running || this.#stopReason !== undefined) return;
    const timeout = this.#silenceTimeoutMs();
    const silentFor = Date.now() - this.#lastOutputAt;
    if (silentFor < timeout) return;
    this.#log.error(
      `'${this.path}' (pid ${child.pid}) printed nothing for ${seconds(silentFor)} (limit ${
        seconds(timeout)
      }): it looks hung; stopping it (it will be restarted)`,
    );
    this.#stop("silent");
  }

  // SIGTERM now, SIGKILL after the grace period if it is still there.
  #stop(reason: StopReason): void {
    const child = this.#child;
    if (child === undefined || !child.running) return;
    if (this.#stopReason === undefined || reason === "shutdown") this.#stopReason = reason;
    if (this.#state === "running") this.#state = "stopping";
    if (this.#killTimer !== undefined) return;
    child.kill("SIGTERM");
    this.#killTimer = setTimeout(() => {
      if (!child.running) return;
      this.#log.error(`'${this.path}' (pid ${child.pid}) did not exit on SIGTERM; sending SIGKILL`);
      child.kill("SIGKILL");
    }, this.#timing.killGraceMs ?? 5 * SECOND);
  }

  #exited(child: ChildHandle, parser: PluginParser, exit: ChildExit): void {
    if (this.#watchdog !== undefined) clearInterval(this.#watchdog);
    if (this.#killTimer !== undefined) clearTimeout(this.#killTimer);
    this.#watchdog = undefined;
    this.#killTimer = undefined;
    if (this.#stderrPending.length > 0) this.#stderrLine(this.#stderrPending);
    this.#stderrPending = "";
    const reason = this.#stopReason;
    const shuttingDown = this.#shutdown !== undefined || reason === "shutdown";
    // On shutdown the charts stay as they are; otherwise the plugin's charts are gone with it.
    parser.finish(!shuttingDown);
    const who = child.pid === undefined ? `'${this.path}'` : `'${this.path}' (pid ${child.pid})`;
    this.#log.info(
      `${who} ${describeExit(exit)} after ${parser.collections} successful data collections (ENDs)`,
    );
    if (shuttingDown) {
      this.#state = reason === "disabled" ? "disabled" : "stopped";
      return;
    }
    if (reason === "disabled") {
      this.#state = "disabled";
      return;
    }
    if (notRunnable(this.path) !== undefined) {
      // Removed or made non-executable: forget it, so that a later scan may find it again.
      this.#log.info(`'${this.path}' is gone or no longer executable; forgetting it`);
      this.#state = "stopped";
      this.#forget();
      return;
    }
    const ranFor = Date.now() - this.#startedAt;
    if (ranFor >= (this.#timing.healthyRunMs ?? 60 * SECOND)) this.#failures = 0;
    const initial = this.#timing.restartInitialMs ?? this.#runner.updateEvery * SECOND;
    const max = this.#timing.restartMaxMs ?? 600 * SECOND;
    const delay = Math.min(max, initial * 2 ** Math.min(this.#failures, 30));
    this.#failures++;
    this.#state = "waiting";
    this.#log.info(`restarting '${this.path}' in ${seconds(delay)}`);
    this.#restartTimer = setTimeout(() => {
      this.#restarts++;
      this.launch();
    }, delay);
  }
}
