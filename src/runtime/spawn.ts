/**
 * Child processes for external collectors, over `node:child_process` (which Deno and Bun both provide).
 * Everything runtime-specific about starting, signalling and reaping a plugin lives here, so that the
 * plugins.d runner stays plain logic.
 *
 * Each child runs as the leader of its own process group, and signals go to the whole group: a shell
 * plugin's `sleep` (or any helper it forks) dies with it instead of living on holding our pipe open.
 * What children print is counted towards a garbage collection (./gc.ts): their output is most of what a
 * collector allocates.
 *
 * @module
 */

import type * as ChildProcess from "node:child_process";
import { readFileSync } from "node:fs";
import process from "node:process";
import { GarbageHint } from "./gc.ts";

/**
 * `node:child_process`, loaded with the first plugin: importing it costs a compiled collector 2.6 MB of anonymous
 * memory (and 6 MB of code paged in), which a collector without external plugins never needs.
 */
let childProcess: typeof ChildProcess | undefined;
function spawn(...args: Parameters<typeof ChildProcess.spawn>): ReturnType<typeof ChildProcess.spawn> {
  childProcess ??= process.getBuiltinModule("node:child_process") as typeof ChildProcess;
  return childProcess.spawn(...args);
}

/**
 * How a child ended: an exit code, or the signal that killed it, or the reason it never started.
 *
 * @example
 * ```ts
 * const exit: ChildExit = { code: null, signal: "SIGTERM" };
 * ```
 */
export interface ChildExit {
  /** Exit status when it exited by itself; `null` when a signal ended it or it never ran. */
  readonly code: number | null;
  /** The signal's name (`SIGKILL`) when one ended it, else `null`. */
  readonly signal: string | null;
  /** Why the process could not be started (`ENOENT`, `EACCES`, …), when it could not. */
  readonly error?: string;
}

/**
 * What to start and where its output goes.
 *
 * @example
 * ```ts
 * const options: SpawnOptions = {
 *   env: { PATH: "/usr/bin:/bin" },
 *   onStdout: (chunk) => console.log(chunk.length),
 *   onStderr: () => {},
 * };
 * ```
 */
export interface SpawnOptions {
  /** The complete environment of the child (nothing is inherited beyond it). */
  readonly env: Readonly<Record<string, string>>;
  /** Working directory; ours when left out. */
  readonly cwd?: string;
  /** Receives standard output as it arrives, in arbitrary chunks. */
  readonly onStdout: (chunk: Uint8Array) => void;
  /** Receives standard error as it arrives, in arbitrary chunks. */
  readonly onStderr: (chunk: Uint8Array) => void;
}

/**
 * A running (or finished) child process.
 *
 * @example
 * ```ts
 * const child = spawnProcess("/bin/sh", ["-c", "echo hi"], { env: {}, onStdout() {}, onStderr() {} });
 * const exit = await child.exited; // { code: 0, signal: null }
 * ```
 */
export interface ChildHandle {
  /** The process id (also its process group id); `undefined` when it could not be started. */
  readonly pid: number | undefined;
  /** Settles once the child has ended and its output has been delivered. Never rejects. */
  readonly exited: Promise<ChildExit>;
  /** True until {@link exited} settles. */
  readonly running: boolean;
  /** Sends a signal to the child's whole process group; false when there was nobody left to receive it. */
  kill(signal: "SIGTERM" | "SIGKILL"): boolean;
}

// After the leader exits, how long to wait for its pipes to close before giving up on the rest of its
// output: a grandchild that left our process group may hold them open forever.
const CLOSE_GRACE_MS = 2000;

/** Children's output read, over all children: a collection is asked for after every 4 MiB (./gc.ts). */
const outputGarbage = new GarbageHint(4 * 1024 * 1024);

/**
 * Starts `path` with `args`: standard input is `/dev/null`, standard output and error are piped to the
 * callbacks. A child that cannot be started (missing, not executable) still yields a handle, whose
 * {@link ChildHandle.exited} reports the error.
 *
 * @example
 * ```ts
 * const child = spawnProcess("/usr/libexec/netdata/plugins.d/example.plugin", ["1"], {
 *   env: { NETDATA_UPDATE_EVERY: "1" },
 *   onStdout: (chunk) => parser.push(chunk),
 *   onStderr: (chunk) => process.stderr.write(chunk),
 * });
 * child.kill("SIGTERM");
 * await child.exited;
 * ```
 */
export function spawnProcess(path: string, args: readonly string[], options: SpawnOptions): ChildHandle {
  let running = true;
  let settle: (exit: ChildExit) => void = () => {};
  const exited = new Promise<ChildExit>((resolve) => {
    settle = (exit) => {
      if (!running) return;
      running = false;
      resolve(exit);
    };
  });

  const child = spawn(path, [...args], {
    cwd: options.cwd,
    env: { ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
    // Own process group, so that one signal reaches the plugin and everything it started.
    detached: true,
  });
  const pid = child.pid;

  child.stdout?.on("data", (chunk: Uint8Array) => {
    options.onStdout(chunk);
    outputGarbage.read(chunk.length);
  });
  child.stderr?.on("data", (chunk: Uint8Array) => options.onStderr(chunk));

  let exit: ChildExit | undefined;
  let graceTimer: ReturnType<typeof setTimeout> | undefined;
  child.on("error", (error: NodeJS.ErrnoException) => {
    // Only a failed start ends the child here; errors on a running child are followed by "exit".
    if (pid === undefined) settle({ code: null, signal: null, error: error.code ?? error.message });
  });
  child.on("exit", (code: number | null, signal: NodeJS.Signals | null) => {
    exit = { code, signal };
    // Helpers the plugin left behind in its group would keep our pipes open: they go with it.
    if (pid !== undefined) signalGroup(pid, "SIGKILL");
    graceTimer = setTimeout(() => settle(exit!), CLOSE_GRACE_MS);
  });
  child.on("close", (code: number | null, signal: NodeJS.Signals | null) => {
    if (graceTimer !== undefined) clearTimeout(graceTimer);
    if (pid === undefined && exit === undefined) return; // a failed start, settled by "error"
    settle(exit ?? { code, signal });
  });

  return {
    pid,
    exited,
    get running() {
      return running;
    },
    kill(signal) {
      if (pid === undefined || !running) return false;
      return signalGroup(pid, signal);
    },
  };
}

function signalGroup(pgid: number, signal: "SIGTERM" | "SIGKILL"): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false; // ESRCH: the group is already gone
  }
}

/**
 * Whether a process with this id still exists and is not a zombie waiting to be reaped (a zombie holds
 * no resources; in a container without an init it may never be reaped).
 *
 * @example
 * ```ts
 * processExists(process.pid); // true
 * ```
 */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    // /proc/<pid>/stat: "pid (comm) S …"; the comm may hold spaces and parentheses, so read after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true; // no /proc here: kill(0) said it exists
  }
}
