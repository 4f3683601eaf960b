// The compiled parent's command line: help, version, bad options, config errors that name file and line,
// `[web] mode = none`, and SIGTERM (exit 0, and in save mode the save files under the cache folder).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RILL_VERSION } from "../../src/cli/_version.ts";
import { ACCEPTING_STREAM_CONF, freePort } from "../interop/_netdata.ts";
import { until } from "../_until.ts";
import { binaryPath, runBinary } from "./_binaries.ts";
import { PARENT_SKIP, startParent } from "./_parent.ts";

const PARENT_X64 = binaryPath("parent");
const skip = PARENT_SKIP ?? false;

function run(...args: string[]) {
  const r = spawnSync(PARENT_X64, args, { encoding: "utf8", timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A config folder with `lib`, `cache` and an empty `plugins.d` inside, `files` written into it. */
function configDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "rill-parent-cli-"));
  for (const sub of ["lib", "cache", "plugins.d"]) mkdirSync(join(dir, sub));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text.replaceAll("$DIR", dir));
  return dir;
}

/**
 * Runs the parent on a config folder of `files` (see {@link configDir}), expects exit 1, and hands the run's
 * stderr, stdout and the folder to `check`; the folder is removed after.
 */
async function refusedConfig(
  files: Record<string, string>,
  check: (r: { stderr: string; stdout: string }, dir: string) => void | Promise<void>,
): Promise<void> {
  const dir = configDir(files);
  try {
    const r = run("-c", dir);
    assert.equal(r.code, 1, r.stderr);
    await check(r, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

// An empty plugins folder: an installed Netdata's own plugins are never started by tests.
const DIRECTORIES = "[directories]\n    lib = $DIR/lib\n    cache = $DIR/cache\n    plugins = $DIR/plugins.d\n";

test("parent cli: --version and --help", { skip }, () => {
  const version = run("--version");
  assert.equal(version.code, 0);
  assert.equal(version.stdout, `rill-parent ${RILL_VERSION}\n`);
  assert.equal(run("-v").stdout, version.stdout);
  const help = run("--help");
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: rill-parent \[-c <config dir> \| --embedded\]/);
  assert.match(help.stdout, /-c, --config <dir>/);
  assert.match(help.stdout, /SIGTERM or SIGINT closes every stream, saves \(in save mode\) and exits 0\./);
  assert.equal(run("-h").stdout, help.stdout);
});

test("parent cli: an unknown option is refused with a pointer to --help", { skip }, () => {
  const r = run("--bogus");
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Unknown option '--bogus' \(see --help\)/);
  assert.equal(r.stdout, "");
});

test("parent cli: a bad netdata.conf value is reported with file and line, and the parent does not start", {
  skip,
}, async () => {
  const port = await freePort();
  await refusedConfig({
    "netdata.conf":
      `[global]\n    hostname = x\n${DIRECTORIES}[db]\n    mode = banana\n[web]\n    bind to = 127.0.0.1:${port}\n`,
    "stream.conf": ACCEPTING_STREAM_CONF,
  }, (r, dir) => {
    assert.match(
      r.stderr,
      new RegExp(
        `${dir}/netdata.conf:8: \\[db\\] mode = banana: expected one of dbengine, ram, save, map, none, alloc`,
      ),
    );
    assert.match(r.stderr, /rill-parent: fix the errors above and start again/);
    assert.doesNotMatch(r.stderr + r.stdout, /web server listening/);
  });
});

test("parent cli: a bad ^SSL mode in [web] bind to is reported with file and line", { skip }, async () => {
  const port = await freePort();
  await refusedConfig({
    "netdata.conf": `${DIRECTORIES}[web]\n    bind to = 127.0.0.1:${port}=streaming^SSL=maybe\n`,
    "stream.conf": ACCEPTING_STREAM_CONF,
  }, async (r, dir) => {
    assert.match(
      r.stderr,
      new RegExp(`${dir}/netdata.conf:6: \\[web\\] bind to: invalid bind address .*found '\\^SSL=maybe'`),
    );
    assert.equal(await listening(port), false);
  });
});

test("parent cli: a bad stream.conf value is reported with file and line, and the parent does not start", {
  skip,
}, async () => {
  await refusedConfig({
    "netdata.conf": `${DIRECTORIES}[db]\n    mode = ram\n`,
    "stream.conf": "[11111111-2222-3333-4444-555555555555]\n    type = api\n    enabled = perhaps\n",
  }, (r, dir) => {
    assert.match(
      r.stderr,
      new RegExp(
        `${dir}/stream.conf:3: \\[11111111-2222-3333-4444-555555555555\\] enabled = perhaps: expected yes or no`,
      ),
    );
    assert.match(r.stderr, /rill-parent: fix the errors above and start again/);
  });
});

test(
  "parent cli: [web] mode = none runs without a port and exits 0 on SIGTERM",
  { skip, timeout: 60_000 },
  async () => {
    const port = await freePort();
    const dir = configDir({
      "netdata.conf": `[global]\n    hostname = no-web\n${DIRECTORIES}[db]\n    mode = ram\n[web]\n    mode = none\n` +
        `    bind to = 127.0.0.1:${port}\n`,
      "stream.conf": ACCEPTING_STREAM_CONF,
    });
    const parent = runBinary("parent", dir, ["-c", dir]);
    let code: number | null | undefined;
    try {
      await until(
        "the parent to say it serves no port",
        () => parent.output().includes("[web] mode = none: no API and no streams are received"),
        20_000,
      ).catch((e) => assert.fail(`${e}\n${parent.output()}`));
      // Still running a second later, and nothing listens on the port it was given.
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(parent.process.exitCode, null, parent.output());
      assert.equal(await listening(port), false);
      code = await parent.stop();
      assert.equal(code, 0, parent.output());
      assert.match(parent.output(), /SIGTERM received: closing the streams, saving and exiting/);
    } finally {
      if (code === undefined) await parent.stop();
    }
  },
);

test("parent cli: SIGTERM ends a running parent with exit 0", { skip, timeout: 60_000 }, async () => {
  const parent = await startParent({ streamConf: ACCEPTING_STREAM_CONF });
  let code: number | null | undefined;
  try {
    assert.ok(await listening(parent.port));
    code = await parent.stop({ signal: "SIGTERM" });
    assert.equal(code, 0, parent.output());
    assert.equal(parent.process.signalCode, null);
    assert.equal(await listening(parent.port), false);
  } finally {
    if (code === undefined) await parent.stop();
  }
});

test("parent cli: in save mode SIGTERM writes the save files under <cache>/<machine guid>/", {
  skip,
  timeout: 60_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "rill-parent-save-"));
  try {
    const parent = await startParent({ streamConf: ACCEPTING_STREAM_CONF, mode: "save", dir });
    let code: number | null | undefined;
    try {
      const guid = readFileSync(join(dir, "lib", "registry", "netdata.public.unique.id"), "utf8").trim();
      assert.match(guid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      // Its own host collects every second: wait for points of system.cpu before stopping.
      await until("points of system.cpu", async () => {
        const reply = await parent.json("/api/v1/data?chart=system.cpu&after=-30&format=json") as {
          data: (number | null)[][];
        };
        return reply.data.filter((row) => row.slice(1).some((v) => typeof v === "number")).length >= 2;
      }, 30_000);
      const saved = join(dir, "cache", guid);
      assert.equal(existsSync(saved), false, "nothing is saved before SIGTERM");
      code = await parent.stop({ keepDir: true });
      assert.equal(code, 0, parent.output());
      const files = readdirSync(saved);
      assert.ok(files.includes("system.cpu.rill"), `${saved}: ${files.join(" ")}`);
      assert.ok(files.every((f) => f.endsWith(".rill")), files.join(" "));
      assert.ok(statSync(join(saved, "system.cpu.rill")).size > 0);
    } finally {
      if (code === undefined) await parent.stop({ keepDir: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
