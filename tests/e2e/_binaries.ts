/**
 * Runs rill's compiled binaries (built by scripts/build.sh into dist/) in a private folder, optionally the
 * arm64 build under qemu, and stops them by their own PID.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const dist = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "dist");

/** A binary's path in dist/ for an architecture. */
export function binaryPath(name: "collector" | "parent", arch: "x64" | "arm64" = "x64"): string {
  return join(dist, `rill-${name}-linux-${arch}`);
}

export const QEMU_AARCH64 = ["/usr/bin/qemu-aarch64-static", "/usr/bin/qemu-aarch64"].find(existsSync);
export const ARM64_SYSROOT = "/usr/aarch64-linux-gnu";

/** Why a binary cannot be run here, or `undefined`. */
export function binarySkip(name: "collector" | "parent", arch: "x64" | "arm64" = "x64"): string | undefined {
  const path = binaryPath(name, arch);
  if (!existsSync(path)) return `${path} is missing: run scripts/build.sh (the test command does)`;
  if (arch === "arm64" && (QEMU_AARCH64 === undefined || !existsSync(ARM64_SYSROOT))) {
    return "qemu-user-static and libc6-arm64-cross are not installed (the test command installs them as root)";
  }
  return undefined;
}

/** A running binary. */
export interface RunningBinary {
  readonly process: ChildProcess;
  /** Its private folder (removed by {@link stop} unless kept). */
  readonly dir: string;
  /** Everything it wrote to stderr and stdout so far. */
  output(): string;
  /** Sends `signal` (SIGTERM by default) and waits for the exit code (SIGKILL after 10 s gives null). */
  stop(options?: { signal?: NodeJS.Signals; keepDir?: boolean }): Promise<number | null>;
}

/** Starts `dist/rill-<name>-linux-<arch>` with `args`, its working folder `dir`. */
export function runBinary(
  name: "collector" | "parent",
  dir: string,
  args: readonly string[],
  arch: "x64" | "arm64" = "x64",
): RunningBinary {
  const path = binaryPath(name, arch);
  const [command, argv] = arch === "arm64" ? [QEMU_AARCH64!, ["-L", ARM64_SYSROOT, path, ...args]] : [path, [...args]];
  return runCommand(command, argv, dir);
}

/** The runtime running this test: `deno` or `bun`. */
export const TEST_RUNTIME: "deno" | "bun" = process.versions.deno !== undefined ? "deno" : "bun";

/**
 * Starts `src/cli/<name>.ts` from source on the runtime running this test (`deno run -A` or `bun`), so that
 * a suite run under each runtime checks the binary's code on that runtime.
 */
export function runSource(name: "collector" | "parent", dir: string, args: readonly string[]): RunningBinary {
  const entry = join(dist, "..", "src", "cli", `${name}.ts`);
  const runtimeArgs = TEST_RUNTIME === "deno" ? ["run", "-A", "--quiet", entry] : [entry];
  return runCommand(process.execPath, [...runtimeArgs, ...args], dir);
}

function runCommand(command: string, argv: readonly string[], dir: string): RunningBinary {
  const child = spawn(command, argv, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (c: Buffer) => output += c.toString());
  child.stderr!.on("data", (c: Buffer) => output += c.toString());
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    process: child,
    dir,
    output: () => output,
    async stop(options = {}) {
      // process.kill, not child.kill: after child.kill Deno reports the signal even when the child exits 0.
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, options.signal ?? "SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      const code = await exited;
      clearTimeout(timer);
      if (!options.keepDir) rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}
