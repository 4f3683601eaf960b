/**
 * Runs the compiled `rill-collector` (built by scripts/build.sh into dist/) with a private config folder,
 * optionally under qemu for the arm64 build, and stops it by its own PID.
 */
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { binaryPath, binarySkip, runBinary, type RunningBinary } from "./_binaries.ts";

export { ARM64_SYSROOT, QEMU_AARCH64 } from "./_binaries.ts";

/** The compiled binaries. */
export const COLLECTOR_X64 = binaryPath("collector");
export const COLLECTOR_ARM64 = binaryPath("collector", "arm64");

/** Why the x64 binary cannot be run, or `undefined`. */
export const X64_SKIP: string | undefined = binarySkip("collector");

/** Why the arm64 binary cannot be run, or `undefined`. */
export const ARM64_SKIP: string | undefined = binarySkip("collector", "arm64");

/** A running collector. */
export interface RunningCollector extends RunningBinary {
  readonly hostname: string;
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
  return { ...runBinary("collector", dir, ["-c", dir], options.arm64 ? "arm64" : "x64"), hostname: options.hostname };
}
