/**
 * Starts and stops Debian's real Netdata 1.37 for interop tests: private config and data directories under
 * the system temp dir, bound to 127.0.0.1 on a port picked here, stopped by its own PID only.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";

/** The API key the test parents accept. */
export const TEST_API_KEY = "11111111-2222-3333-4444-555555555555";

/** A parent `stream.conf` that accepts {@link TEST_API_KEY} from anywhere, keeps children in RAM, no health. */
export const ACCEPTING_STREAM_CONF = `[stream]
    enabled = no
[${TEST_API_KEY}]
    type = api
    enabled = yes
    allow from = *
    default memory mode = ram
    health enabled by default = no
`;

/** Path of the `netdata` binary, when Debian's package is installed. */
export const NETDATA_BINARY: string | undefined = ["/usr/sbin/netdata", "/usr/bin/netdata"].find(existsSync);

/** Why interop tests cannot run here, or `undefined` when they can. */
export const NETDATA_SKIP_REASON: string | undefined = NETDATA_BINARY === undefined
  ? "Debian's netdata package is not installed (scripts/test.sh installs it when run as root with apt-get)"
  : undefined;

/** Asks the kernel for a free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => typeof address === "object" && address !== null ? resolve(address.port) : reject());
    });
  });
}

/** A running real Netdata. */
export interface RealNetdata {
  readonly port: number;
  readonly dir: string;
  /** Its process (the daemon; its spawn server is a child of it). */
  readonly process: ChildProcess;
  /** GETs a path of its API and parses the JSON. */
  json(path: string): Promise<unknown>;
  /** Its error.log so far (Netdata logs there, not on its standard output). */
  output(): string;
  /** Stops it (`signal`, SIGTERM by default, then SIGKILL after 10 s) and removes its directory. */
  stop(options?: { signal?: NodeJS.Signals }): Promise<void>;
}

/**
 * `[plugins]` lines that turn every plugin off (proc, statsd and the internal ones too): a parent under test or
 * under a benchmark only ingests what its children send, and starts faster.
 */
export const PARENT_PLUGINS_OFF = [
  "apps",
  "python.d",
  "charts.d",
  "cgroups",
  "tc",
  "slabinfo",
  "perf",
  "nfacct",
  "cups",
]
  .concat(["fping", "ioping", "ebpf", "go.d", "proc", "diskspace", "timex", "idlejitter", "statsd"])
  .map((p) => `    ${p} = no`).join("\n");

/** Extra settings of a real parent. */
export interface NetdataParentOptions {
  /** The port to bind (default: a free one). */
  port?: number;
  /** TLS on the port: `[web] ssl key`/`ssl certificate` and `^SSL=optional` (plain HTTP keeps working for the API). */
  tls?: { key: string; certificate: string };
  /** `[logs] access`: a file under `<dir>/log` (default), or `none` (what a benchmark wants). */
  accessLog?: "file" | "none";
  /** `[db] mode`: `ram` (default); `none` makes a headless proxy, which keeps no history of its own either. */
  dbMode?: "ram" | "none";
}

// Netdata reads `^SSL=` only after an access list, so the list of every use is spelled out.
const ALL_USES_SSL_OPTIONAL = "=dashboard|registry|badges|management|streaming|netdata.conf^SSL=optional";

/** Choices of {@link privateNetdata}. */
export interface PrivateNetdataOptions {
  /** Prefix of the folder's name under the system temp dir (default `rill-netdata-`). */
  prefix?: string;
  /** `[logs] access`: a file under `<dir>/log` (default), or `none` (what a benchmark wants). */
  accessLog?: "file" | "none";
  /** Leave `[ml]` at Netdata's default instead of turning it off. */
  mlDefault?: boolean;
}

/**
 * Makes the private folders of a real Netdata (`etc`, `log`, `cache`, `lib`, `lock`, `run` under a new temp
 * folder, statistics opted out) and returns them with the sections every such Netdata gets: `[global]` (runs
 * as root, `hostname`, keeps OOM score and scheduling), `[directories]` and `[logs]` inside the folder,
 * `[registry]` off and `[ml]` off. The caller appends its own sections and writes `etc/netdata.conf`.
 *
 * @example
 * ```ts
 * const { dir, common } = privateNetdata("nd-child");
 * writeFileSync(join(dir, "etc", "netdata.conf"), `${common}[web]\n    mode = none\n`);
 * const netdata = spawnNetdata(dir);
 * ```
 */
export function privateNetdata(
  hostname: string,
  options: PrivateNetdataOptions = {},
): { dir: string; common: string } {
  const dir = mkdtempSync(join(tmpdir(), options.prefix ?? "rill-netdata-"));
  for (const sub of ["etc", "log", "cache", "lib", "lock", "run"]) mkdirSync(join(dir, sub));
  writeFileSync(join(dir, "etc", ".opt-out-from-anonymous-statistics"), "");
  const common = `[global]
    run as user = root
    hostname = ${hostname}
    OOM score = keep
    process scheduling policy = keep
[directories]
    config = ${dir}/etc
    log = ${dir}/log
    cache = ${dir}/cache
    lib = ${dir}/lib
    lock = ${dir}/lock
    home = ${dir}
    registry = ${dir}/lib/registry
[logs]
    debug = ${dir}/log/debug.log
    error = ${dir}/log/error.log
    access = ${options.accessLog === "none" ? "none" : `${dir}/log/access.log`}
    health = ${dir}/log/health.log
[registry]
    enabled = no
${options.mlDefault ? "" : "[ml]\n    enabled = no\n"}`;
  return { dir, common };
}

/**
 * The error.log of a Netdata made with {@link privateNetdata} (where it logs), empty when there is none yet.
 *
 * @example
 * ```ts
 * if (netdataLog(dir).includes("STREAM")) console.log("a child connected");
 * ```
 */
export function netdataLog(dir: string): string {
  try {
    return readFileSync(join(dir, "log", "error.log"), "utf8");
  } catch {
    return "";
  }
}

/**
 * Runs `netdata -D` on `<dir>/etc/netdata.conf` (made with {@link privateNetdata}), output ignored.
 * `stop()` ends it by its own PID (`signal`, SIGTERM by default, then SIGKILL after `killAfterMs`) and
 * removes `dir`.
 *
 * @example
 * ```ts
 * const { child, stop } = spawnNetdata(dir);
 * console.log(`netdata runs as ${child.pid}`);
 * await stop();
 * ```
 */
export function spawnNetdata(
  dir: string,
  killAfterMs = 10_000,
): { child: ChildProcess; stop(signal?: NodeJS.Signals): Promise<void> } {
  const child: ChildProcess = spawn(
    NETDATA_BINARY!,
    ["-c", join(dir, "etc", "netdata.conf"), "-D", "-P", join(dir, "run", "netdata.pid")],
    { env: { ...process.env, DO_NOT_TRACK: "1" }, stdio: "ignore" },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    child,
    async stop(signal: NodeJS.Signals = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        const timer = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A running real Netdata child. */
export interface RealNetdataChild {
  readonly dir: string;
  /** Its error.log so far. */
  log(): string;
  /** Stops it and removes its directory. */
  stop(): Promise<void>;
}

/** Settings of a real child. */
export interface NetdataChildOptions {
  /** The parent's port on 127.0.0.1. */
  port: number;
  hostname?: string;
  /** `[db] mode`: `ram` (default) keeps history a parent can ask for; `none` is the headless child. */
  dbMode?: "ram" | "none" | "dbengine";
  /** Append `:SSL` to the destination. */
  tls?: boolean;
  /** `ssl skip certificate verification`. */
  skipCertificateVerification?: boolean;
  /** A folder of external `*.plugin` programs the child runs besides Netdata's own folder (whose programs stay off). */
  pluginsDirectory?: string;
}

// Netdata's own helpers (system-info.sh, which the streaming handshake waits for) live here.
const NETDATA_PLUGINS_DIRECTORY = "/usr/lib/netdata/plugins.d";

// Plugins that only slow a child down here; proc, diskspace and the internal charts stay.
const CHILD_PLUGINS_OFF = ["apps", "python.d", "charts.d", "go.d", "ebpf", "cgroups", "tc", "slabinfo", "perf"]
  .concat(["nfacct", "cups", "fping", "ioping", "freeipmi", "statsd"])
  .map((p) => `    ${p} = no`).join("\n");

/** Starts a headless real Netdata 1.37 child that streams to 127.0.0.1:`port` with {@link TEST_API_KEY}. */
export function startNetdataChild(options: NetdataChildOptions): RealNetdataChild {
  if (NETDATA_BINARY === undefined) throw new Error(NETDATA_SKIP_REASON);
  const { dir, common } = privateNetdata(options.hostname ?? "nd-real-child");
  writeFileSync(
    join(dir, "etc", "netdata.conf"),
    `${common}[db]
    mode = ${options.dbMode ?? "ram"}
[web]
    mode = none
[health]
    enabled = no
[plugins]
${CHILD_PLUGINS_OFF}
${
      options.pluginsDirectory === undefined
        ? ""
        : `[directories]\n    plugins = "${NETDATA_PLUGINS_DIRECTORY}" "${options.pluginsDirectory}"\n`
    }`,
  );
  writeFileSync(
    join(dir, "etc", "stream.conf"),
    `[stream]
    enabled = yes
    destination = tcp:127.0.0.1:${options.port}${options.tls ? ":SSL" : ""}
    api key = ${TEST_API_KEY}
    reconnect delay seconds = 1
    ssl skip certificate verification = ${options.skipCertificateVerification ? "yes" : "no"}
`,
  );
  const running = spawnNetdata(dir);
  return {
    dir,
    log: () => netdataLog(dir),
    stop: () => running.stop(),
  };
}

/**
 * Starts a real Netdata parent with `streamConf` as its `stream.conf`; resolves when its API answers. It keeps
 * its children in RAM (`[db] mode = ram`, 1.37's default 3600 entries) and runs no health (`[health] enabled =
 * no`) and no plugin ({@link PARENT_PLUGINS_OFF}): it only ingests and answers.
 *
 * @example
 * ```ts
 * const parent = await startNetdataParent(ACCEPTING_STREAM_CONF, { accessLog: "none" });
 * console.log(await parent.json("/api/v1/info"));
 * await parent.stop();
 * ```
 */
export async function startNetdataParent(streamConf: string, options: NetdataParentOptions = {}): Promise<RealNetdata> {
  if (NETDATA_BINARY === undefined) throw new Error(NETDATA_SKIP_REASON);
  const port = options.port ?? await freePort();
  const tls = options.tls === undefined ? "" : `${ALL_USES_SSL_OPTIONAL}
    ssl key = ${options.tls.key}
    ssl certificate = ${options.tls.certificate}`;
  const { dir, common } = privateNetdata("nd-parent-under-test", { accessLog: options.accessLog });
  writeFileSync(
    join(dir, "etc", "netdata.conf"),
    `${common}[db]
    mode = ${options.dbMode ?? "ram"}
[web]
    bind to = 127.0.0.1:${port}${tls}
[health]
    enabled = no
[statsd]
    enabled = no
[plugins]
${PARENT_PLUGINS_OFF}
`,
  );
  writeFileSync(join(dir, "etc", "stream.conf"), streamConf);
  const { child, stop } = spawnNetdata(dir);
  const base = `http://127.0.0.1:${port}`;
  const parent: RealNetdata = {
    port,
    dir,
    process: child,
    async json(path: string): Promise<unknown> {
      const response = await fetch(`${base}${path}`);
      if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status} ${await response.text()}`);
      return response.json();
    },
    output: () => netdataLog(dir),
    stop: (stopOptions = {}) => stop(stopOptions.signal),
  };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      await parent.json("/api/v1/info");
      return parent;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  await parent.stop();
  throw new Error(`netdata did not answer on 127.0.0.1:${port} within 30 s (exit code ${child.exitCode})`);
}
