/**
 * Runs the compiled `rill-collector` (built by scripts/build.sh into dist/) with a private config folder,
 * optionally under qemu for the arm64 build, and stops it by its own PID.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const dist = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "dist");

/** The compiled binaries. */
export const COLLECTOR_X64 = join(dist, "rill-collector-linux-x64");
export const COLLECTOR_ARM64 = join(dist, "rill-collector-linux-arm64");
export const QEMU_AARCH64 = ["/usr/bin/qemu-aarch64-static", "/usr/bin/qemu-aarch64"].find(existsSync);
export const ARM64_SYSROOT = "/usr/aarch64-linux-gnu";

/** Why the x64 binary cannot be run, or `undefined`. */
export const X64_SKIP: string | undefined = existsSync(COLLECTOR_X64)
  ? undefined
  : `${COLLECTOR_X64} is missing: run scripts/build.sh (the test command does)`;

/** Why the arm64 binary cannot be run, or `undefined`. */
export const ARM64_SKIP: string | undefined = !existsSync(COLLECTOR_ARM64)
  ? `${COLLECTOR_ARM64} is missing: run scripts/build.sh (the test command does)`
  : QEMU_AARCH64 === undefined || !existsSync(ARM64_SYSROOT)
  ? "qemu-user-static and libc6-arm64-cross are not installed (the test command installs them as root)"
  : undefined;

/** A running collector. */
export interface RunningCollector {
  readonly process: ChildProcess;
  readonly dir: string;
  readonly hostname: string;
  /** Everything it wrote to stderr and stdout so far. */
  output(): string;
  /** SIGTERM, wait for the exit; resolves with the exit code (SIGKILL after 10 s gives null). */
  stop(): Promise<number | null>;
}

export interface CollectorOptions {
  /** `stream.conf` contents. */
  streamConf: string;
  /** Extra `netdata.conf` lines after the generated `[global]`/`[directories]` ones. */
  netdataConf?: string;
  hostname: string;
  /** Run the arm64 build under qemu. */
  arm64?: boolean;
  /** External plugins to install: file name (`x.plugin`) → script. None by default, so that an installed
   * Netdata's own plugins are never started by tests. */
  plugins?: Record<string, string>;
}

/** Starts the compiled collector with a config folder of its own. */
export function startCollector(options: CollectorOptions): RunningCollector {
  const dir = mkdtempSync(join(tmpdir(), "rill-collector-"));
  mkdirSync(join(dir, "lib"));
  mkdirSync(join(dir, "plugins.d"));
  for (const [name, script] of Object.entries(options.plugins ?? {})) {
    writeFileSync(join(dir, "plugins.d", name), script);
    chmodSync(join(dir, "plugins.d", name), 0o755);
  }
  writeFileSync(join(dir, "stream.conf"), options.streamConf);
  writeFileSync(
    join(dir, "netdata.conf"),
    `[global]\n    hostname = ${options.hostname}\n[directories]\n    lib = ${dir}/lib\n    plugins = ${dir}/plugins.d\n${
      options.netdataConf ?? ""
    }`,
  );
  const [command, args] = options.arm64
    ? [QEMU_AARCH64!, ["-L", ARM64_SYSROOT, COLLECTOR_ARM64, "-c", dir]]
    : [COLLECTOR_X64, ["-c", dir]];
  const child = spawn(command, args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (c: Buffer) => output += c.toString());
  child.stderr!.on("data", (c: Buffer) => output += c.toString());
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    process: child,
    dir,
    hostname: options.hostname,
    output: () => output,
    async stop() {
      // process.kill, not child.kill: after child.kill Deno reports the signal even when the child exits 0.
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, "SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      const code = await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}
