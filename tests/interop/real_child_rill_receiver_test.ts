// A real Netdata 1.37 child (headless, RAM database) streaming to rill's Receiver: it negotiates VCAPS with
// REPLICATION, every chart it defines gets a REPLAY_CHART and ends its replication with REND true, data
// flows, and it never reconnects.
import { test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { CAP_COMPRESSION, CAP_REPLICATION, CAP_VCAPS } from "../../src/protocol/capabilities.ts";
import { until } from "../_until.ts";
import { startParent } from "../parent/receiver/_harness.ts";
import { NETDATA_BINARY, NETDATA_SKIP_REASON, TEST_API_KEY } from "./_netdata.ts";

// Plugins that only slow the child down here; proc, diskspace and the internal charts stay.
const PLUGINS_OFF = ["apps", "python.d", "charts.d", "go.d", "ebpf", "cgroups", "tc", "slabinfo", "perf", "nfacct"]
  .concat(["cups", "fping", "ioping", "freeipmi", "statsd"])
  .map((p) => `    ${p} = no`).join("\n");

/** A headless real child streaming to 127.0.0.1:`port`; stopped by its own PID. */
function startChild(port: number): { stop(): Promise<void>; log(): string } {
  const dir = mkdtempSync(join(tmpdir(), "rill-nd-child-"));
  for (const sub of ["etc", "log", "cache", "lib", "lock", "run"]) mkdirSync(join(dir, sub));
  writeFileSync(join(dir, "etc", ".opt-out-from-anonymous-statistics"), "");
  writeFileSync(
    join(dir, "etc", "netdata.conf"),
    `[global]
    run as user = root
    hostname = nd-real-child
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
    access = ${dir}/log/access.log
    health = ${dir}/log/health.log
[db]
    mode = ram
[web]
    mode = none
[registry]
    enabled = no
[health]
    enabled = no
[ml]
    enabled = no
[plugins]
${PLUGINS_OFF}
`,
  );
  writeFileSync(
    join(dir, "etc", "stream.conf"),
    `[stream]\n    enabled = yes\n    destination = tcp:127.0.0.1:${port}\n    api key = ${TEST_API_KEY}\n`,
  );
  const child: ChildProcess = spawn(
    NETDATA_BINARY!,
    ["-c", join(dir, "etc", "netdata.conf"), "-D", "-P", join(dir, "run", "netdata.pid")],
    { env: { ...process.env, DO_NOT_TRACK: "1" }, stdio: "ignore" },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    log: () => {
      try {
        return readFileSync(join(dir, "log", "error.log"), "utf8");
      } catch {
        return "";
      }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test("a real 1.37 child: VCAPS with REPLICATION, every chart replicated (REND true), data, no reconnect", {
  skip: NETDATA_SKIP_REASON ?? false,
  timeout: 120_000,
}, async () => {
  const parent = await startParent();
  const child = startChild(parent.port);
  try {
    const conn = await until("the real child connects", () => parent.receiver.connections()[0], 60_000);
    assert.ok(conn.caps & CAP_VCAPS, `caps ${conn.caps}`);
    assert.ok(conn.caps & CAP_REPLICATION, `caps ${conn.caps}`);
    assert.equal(conn.caps & CAP_COMPRESSION, 0);
    const host = conn.entry.host;
    await until("charts arrive", () => host.charts.size >= 20, 60_000);
    await until(
      "every chart defined so far finished replication",
      () => [...host.charts.keys()].every((id) => conn.session.replayFinished.has(id)),
      60_000,
    );
    for (const id of host.charts.keys()) assert.ok(conn.session.replayRequested.has(id), id);
    const updates = conn.session.updates;
    await until("live data keeps flowing", () => conn.session.updates > updates + 20, 30_000);
    // Still the first and only connection, and nothing the receiver had to refuse.
    assert.equal(parent.access.filter((l) => l.includes("'CONNECTED'")).length, 1, parent.access.join("\n"));
    assert.equal(parent.receiver.connections()[0], conn);
    assert.deepEqual(parent.log.filter((l) => l.includes(" ERROR ")), []);
    assert.equal(host.identity.hostname, "nd-real-child");
    assert.equal(host.identity.programName, "netdata");
    assert.equal(conn.entry.status.hops, 1);
  } catch (e) {
    console.error(child.log().split("\n").filter((l) => l.includes("STREAM")).slice(-20).join("\n"));
    throw e;
  } finally {
    await child.stop();
    await parent.close();
  }
});
