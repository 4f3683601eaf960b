/**
 * Runs the compiled `rill-parent` (dist/) with a private config folder on a loopback port picked here, and
 * reads its API.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../interop/_netdata.ts";
import { binarySkip, runBinary, type RunningBinary, runSource } from "./_binaries.ts";

/** Why the x64 parent cannot be run, or `undefined`. */
export const PARENT_SKIP: string | undefined = binarySkip("parent");

/** Why the arm64 parent cannot be run under qemu, or `undefined`. */
export const PARENT_ARM64_SKIP: string | undefined = binarySkip("parent", "arm64");

/** A running parent. */
export interface RunningParent extends RunningBinary {
  readonly port: number;
  /** GETs a path of its API and parses the JSON (throws on a non-2xx answer). */
  json(path: string): Promise<unknown>;
}

/** What the parent's config folder holds. */
export interface ParentOptions {
  /** `stream.conf` contents. */
  streamConf: string;
  /** Extra `netdata.conf` sections, after the generated `[global]`, `[directories]`, `[db]` and `[web]`. */
  netdataConf?: string;
  /** `[global] hostname` (default `rill-parent-under-test`). */
  hostname?: string;
  /** `[db] mode` (default `ram`). */
  mode?: string;
  /** Reuse a folder (and so its machine GUID and saved data), e.g. for a restart; a new one by default. */
  dir?: string;
  /** Reuse a port; a free one by default. */
  port?: number;
  /** Extra text after `bind to = 127.0.0.1:<port>`, e.g. `^SSL=force`. */
  bindSuffix?: string;
  /** Run the arm64 build under qemu. */
  arm64?: boolean;
  /** Run `src/cli/parent.ts` on the test's own runtime instead of the compiled (Bun) binary. */
  fromSource?: boolean;
}

/** Starts the compiled parent; resolves once its API answers. */
export async function startParent(options: ParentOptions): Promise<RunningParent> {
  const port = options.port ?? await freePort();
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "rill-parent-"));
  for (const sub of ["lib", "cache", "plugins.d"]) mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, "stream.conf"), options.streamConf);
  writeFileSync(
    join(dir, "netdata.conf"),
    `[global]
    hostname = ${options.hostname ?? "rill-parent-under-test"}
[directories]
    lib = ${dir}/lib
    cache = ${dir}/cache
    plugins = ${dir}/plugins.d
[db]
    mode = ${options.mode ?? "ram"}
[web]
    bind to = 127.0.0.1:${port}${options.bindSuffix ?? ""}
${options.netdataConf ?? ""}`,
  );
  const running = options.fromSource
    ? runSource("parent", dir, ["-c", dir])
    : runBinary("parent", dir, ["-c", dir], options.arm64 ? "arm64" : "x64");
  const json = async (path: string): Promise<unknown> => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`);
    if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status} ${await response.text()}`);
    return response.json();
  };
  // qemu takes a while to start the arm64 runtime.
  const deadline = Date.now() + (options.arm64 ? 60_000 : 20_000);
  while (Date.now() < deadline && running.process.exitCode === null) {
    try {
      await json("/api/v1/info");
      return { ...running, port, json };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await running.stop();
  throw new Error(`rill-parent did not answer on 127.0.0.1:${port}: ${running.output()}`);
}
