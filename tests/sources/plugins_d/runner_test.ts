import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PluginsRunner, type PluginsRunnerOptions } from "../../../src/sources/plugins_d/runner.ts";
import { processExists } from "../../../src/runtime/spawn.ts";
import { fakeMachine } from "../_fake_root.ts";
import { until } from "../../_until.ts";

// Real `#!/bin/sh` plugins in a throw-away directory, a runner with short supervision intervals, and
// polling until what a test waits for has happened (or a deadline passes).

const FAST = { restartInitialMs: 100, restartMaxMs: 400, healthyRunMs: 60_000, killGraceMs: 500, rescanMs: 60_000 };

// A plugin that defines `<type>.chart` with one dimension and then counts up every `pause` seconds.
function counting(type: string, pause = "0.05", extra = ""): string {
  return `${extra}
echo "CHART ${type}.chart '' 'Counting' 'n'"
echo "DIMENSION n"
i=0
while true; do
  i=$((i + 1))
  echo "BEGIN ${type}.chart"
  echo "SET n = $i"
  echo "END"
  sleep ${pause}
done
`;
}

interface Lab {
  readonly dir: string;
  readonly m: ReturnType<typeof fakeMachine>;
  plugin(name: string, body: string, mode?: number): string;
  runner(options?: Partial<PluginsRunnerOptions>): PluginsRunner;
  collectedOf(chart: string): number;
  dispose(): Promise<void>;
}

function lab(): Lab {
  const dir = mkdtempSync(join(tmpdir(), "rill-plugins-d-"));
  const m = fakeMachine();
  const runners: PluginsRunner[] = [];
  return {
    dir,
    m,
    plugin(name, body, mode = 0o755) {
      const path = join(dir, name);
      writeFileSync(path, `#!/bin/sh\n${body}`);
      chmodSync(path, mode);
      return path;
    },
    runner(options = {}) {
      const r = new PluginsRunner({
        host: m.host,
        log: m.context.log,
        updateEvery: 1,
        directories: [dir],
        timing: FAST,
        ...options,
      });
      runners.push(r);
      return r;
    },
    collectedOf(chart) {
      return m.collected.filter((c) => c.chart === chart).length;
    },
    async dispose() {
      await Promise.all(runners.map((r) => r.stop()));
      m.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function logged(l: Lab, re: RegExp): boolean {
  return l.m.logs.some((line) => re.test(line));
}

test("runner: a plugin's charts and values arrive; argument, environment and stderr as Netdata's", {
  timeout: 30_000,
}, async () => {
  const l = lab();
  try {
    l.plugin(
      "example.plugin",
      counting("example", "0.05", `echo "args: $*" >&2\nenv > "${l.dir}/env.txt"\n`),
    );
    const r = l.runner({ netdataDirectories: { config: "/etc/nd", log: "/var/log/nd" } });
    r.start();
    await until("three iterations", () => l.collectedOf("example.chart") >= 3);
    const chart = l.m.host.charts.get("example.chart")!;
    assert.equal(chart.plugin, "example.plugin");
    assert.equal(chart.updateEvery, 1);
    assert.deepEqual(l.m.collected.filter((c) => c.chart === "example.chart").slice(0, 3).map((c) => c.values.n), [
      1,
      2,
      3,
    ]);
    await until("the stderr line", () => logged(l, /PLUGINSD\[example\.plugin\] : args: 1$/));
    assert.ok(logged(l, /connected to '.*example\.plugin' running on pid \d+/));
    const env = Object.fromEntries(
      readFileSync(join(l.dir, "env.txt"), "utf8").trim().split("\n").map((line) => {
        const eq = line.indexOf("=");
        return [line.slice(0, eq), line.slice(eq + 1)];
      }),
    );
    assert.equal(env.NETDATA_UPDATE_EVERY, "1");
    assert.equal(env.NETDATA_PLUGINS_DIR, l.dir);
    assert.equal(env.NETDATA_CONFIG_DIR, "/etc/nd");
    assert.equal(env.NETDATA_USER_CONFIG_DIR, "/etc/nd");
    assert.equal(env.NETDATA_STOCK_CONFIG_DIR, "/usr/lib/netdata/conf.d");
    assert.equal(env.NETDATA_LOG_DIR, "/var/log/nd");
    assert.equal(env.NETDATA_CACHE_DIR, "/var/cache/netdata");
    assert.equal(env.NETDATA_LIB_DIR, "/var/lib/netdata");
    assert.equal(env.NETDATA_HOST_PREFIX, "");
    assert.equal(env.NETDATA_DEBUG_FLAGS, "0x0000000000000000");
    assert.equal(env.NETDATA_HOSTNAME, "fake");
    assert.equal(env.LC_ALL, "C");
    assert.equal(env.PYTHONUNBUFFERED, "1");
  } finally {
    await l.dispose();
  }
});

test("runner: lines the pipe delivers in pieces parse whole", { timeout: 30_000 }, async () => {
  const l = lab();
  try {
    l.plugin(
      "split.plugin",
      `printf "CHART split.c '' t u\\nDIMEN"
sleep 0.1
printf "SION d\\nBEGIN spl"
sleep 0.1
printf "it.c\\nSET d = 4"
sleep 0.1
printf "2\\nEND\\n"
sleep 30
`,
    );
    l.runner().start();
    await until("the split iteration", () => l.collectedOf("split.c") === 1);
    assert.deepEqual(l.m.last("split.c"), { d: 42 });
  } finally {
    await l.dispose();
  }
});

test("runner: a plugin that exits is restarted with a doubling delay; its charts go obsolete and come back", {
  timeout: 30_000,
}, async () => {
  const l = lab();
  try {
    const starts = join(l.dir, "starts.txt");
    l.plugin(
      "flaky.plugin",
      `date +%s%N >> "${starts}"
echo "CHART flaky.c '' t u"
echo "DIMENSION d"
echo "BEGIN flaky.c"
echo "SET d = 1"
echo "END"
exit 3
`,
    );
    // Whether the chart was obsolete each time an iteration completed: never, since every run redefines it.
    const obsoleteAtCollection: boolean[] = [];
    l.m.host.observe({
      collected: (chart) => chart.id === "flaky.c" && obsoleteAtCollection.push(chart.obsolete),
      changed: () => {},
      variableChanged: () => {},
    });
    const r = l.runner();
    r.start();
    // Delays 100, 200, 400, 400 ms: five starts within about 1.2 s.
    const startLines = () => existsSync(starts) ? readFileSync(starts, "utf8").trim().split("\n").length : 0;
    await until("five starts", () => startLines() >= 5);
    const times = readFileSync(starts, "utf8").trim().split("\n").map((t) => Number(BigInt(t) / 1_000_000n));
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    assert.ok(gaps[0] >= 90 && gaps[1] >= 190 && gaps[2] >= 390 && gaps[3] >= 390, `gaps ${gaps}`);
    assert.ok(gaps[3] < gaps[2] + 300, `capped: ${gaps}`);
    assert.ok(logged(l, /flaky\.plugin' \(pid \d+\) exited with code 3 after 1 successful data collections/));
    assert.ok(logged(l, /restarting '.*flaky\.plugin' in 0\.1 s/));
    assert.ok(logged(l, /restarting '.*flaky\.plugin' in 0\.4 s/));
    assert.ok(l.m.obsoleted.filter((id) => id === "flaky.c").length >= 2);
    assert.ok(obsoleteAtCollection.length >= 4);
    assert.ok(obsoleteAtCollection.every((o) => !o));
    assert.equal(r.plugins()[0].restarts >= 4, true);
  } finally {
    await l.dispose();
  }
});

test("runner: a plugin printing garbage is logged with its line, stopped and restarted; others keep going", {
  timeout: 30_000,
}, async () => {
  const l = lab();
  try {
    l.plugin(
      "bad.plugin",
      `echo "CHART bad.c '' t u"
echo "DIMENSION d"
echo "BEGIN bad.c"
echo "SET nosuchdim = 1"
sleep 30
`,
    );
    l.plugin("good.plugin", counting("good"));
    const r = l.runner();
    r.start();
    await until(
      "two runs of bad.plugin",
      () => (r.plugins().find((p) => p.name === "bad.plugin")?.pids.length ?? 0) >= 2,
    );
    assert.ok(
      logged(
        l,
        /ERROR : PLUGINSD\[bad\.plugin\] : bad\.plugin line 4: SET: chart 'bad\.c' has no dimension 'nosuchdim' \(the line: 'SET nosuchdim = 1'\); stopping/,
      ),
    );
    assert.ok(logged(l, /bad\.plugin' \(pid \d+\) was killed by SIGTERM after 0 successful data collections/));
    const good = r.plugins().find((p) => p.name === "good.plugin")!;
    const before = l.collectedOf("good.chart");
    await until("good.plugin still delivering", () => l.collectedOf("good.chart") >= before + 3);
    assert.deepEqual(r.plugins().find((p) => p.name === "good.plugin")!.pids, good.pids);
    assert.equal(good.pids.length, 1);
    // The killed run's sleep went with it.
    const firstBad = r.plugins().find((p) => p.name === "bad.plugin")!.pids[0];
    assert.equal(processExists(firstBad), false);
  } finally {
    await l.dispose();
  }
});

test("runner: a silent plugin is considered hung, killed and restarted", { timeout: 30_000 }, async () => {
  const l = lab();
  try {
    l.plugin("hang.plugin", `echo "CHART hang.c '' t u"\nsleep 60\n`);
    const r = l.runner({ timing: { ...FAST, silenceTimeoutMs: 300 } });
    r.start();
    await until("a second run", () => (r.plugins()[0]?.pids.length ?? 0) >= 2);
    assert.ok(logged(l, /hang\.plugin' \(pid \d+\) printed nothing for 0\.\d s \(limit 0\.3 s\): it looks hung/));
    assert.equal(processExists(r.plugins()[0].pids[0]), false);
    assert.ok(l.m.obsoleted.includes("hang.c"));
  } finally {
    await l.dispose();
  }
});

test("runner: DISABLE stops the plugin for good", { timeout: 30_000 }, async () => {
  const l = lab();
  try {
    l.plugin("off.plugin", `echo "DISABLE"\nsleep 60\n`);
    const r = l.runner();
    r.start();
    await until("the disabled state", () => r.plugins()[0]?.state === "disabled");
    assert.ok(logged(l, /off\.plugin' called DISABLE: stopping it, and it will not be started again/));
    await new Promise((resolve) => setTimeout(resolve, 600)); // longer than any restart delay
    assert.equal(r.plugins()[0].pids.length, 1);
    assert.equal(processExists(r.plugins()[0].pids[0]), false);
    r.scan(); // a rescan does not bring it back either
    assert.equal(r.plugins()[0].pids.length, 1);
  } finally {
    await l.dispose();
  }
});

test("runner: stop() leaves no process behind, SIGKILLing one that ignores SIGTERM", { timeout: 30_000 }, async () => {
  const l = lab();
  try {
    const pids = join(l.dir, "pids");
    l.plugin("polite.plugin", `sleep 60 &\necho $! >> "${pids}"\n${counting("polite", "0.1")}`);
    l.plugin("stubborn.plugin", `trap '' TERM\nsleep 60 &\necho $! >> "${pids}"\n${counting("stubborn", "0.1")}`);
    const r = l.runner();
    r.start();
    await until("both delivering", () => l.collectedOf("polite.chart") > 0 && l.collectedOf("stubborn.chart") > 0);
    const all = [
      ...r.plugins().flatMap((p) => p.pids),
      ...readFileSync(pids, "utf8").trim().split("\n").map(Number),
    ];
    assert.equal(all.length, 4);
    for (const pid of all) assert.equal(processExists(pid), true, `pid ${pid} before stop`);
    const started = Date.now();
    await r.stop();
    assert.ok(Date.now() - started >= 400, "waited for the SIGKILL grace");
    // SIGKILL is delivered at once but a killed process ends when the kernel next runs it: on a busy machine
    // the stubborn plugin's `sleep` may still be on its way out when stop() resolves.
    await until("every process gone", () => all.every((pid) => !processExists(pid)), 5_000);
    assert.ok(logged(l, /stubborn\.plugin' \(pid \d+\) did not exit on SIGTERM; sending SIGKILL/));
    assert.deepEqual(r.plugins().map((p) => p.state), ["stopped", "stopped"]);
    // Shutdown is not the plugins' charts going away.
    assert.equal(l.m.host.charts.get("polite.chart")!.obsolete, false);
  } finally {
    await l.dispose();
  }
});

test("runner: plugins disabled in [plugins], non-executables and other files are not started", {
  timeout: 30_000,
}, async () => {
  const l = lab();
  try {
    const ran = (name: string) => `touch "${join(l.dir, `${name}.ran`)}"\n${counting(name, "0.1")}`;
    l.plugin("on.plugin", ran("on"));
    l.plugin("off.plugin", ran("off"));
    l.plugin("noexec.plugin", ran("noexec"), 0o644);
    l.plugin("helper.sh", ran("helper"));
    const r = l.runner({
      settings: { enableRunningNewPlugins: true, checkForNewPluginsEvery: 60, flags: new Map([["off", false]]) },
    });
    r.start();
    await until("on.plugin delivering", () => l.collectedOf("on.chart") > 0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(r.plugins().map((p) => p.name), ["on.plugin"]);
    for (const name of ["off", "noexec", "helper"]) assert.equal(existsSync(join(l.dir, `${name}.ran`)), false, name);
    assert.ok(logged(l, /plugin '.*off\.plugin' is not enabled \(\[plugins\] off = no\)/));
    assert.ok(logged(l, /plugin '.*noexec\.plugin' is not executable; not running it/));
  } finally {
    await l.dispose();
  }
});

test("runner: 'enable running new plugins = no' runs only plugins enabled by name", { timeout: 30_000 }, async () => {
  const l = lab();
  try {
    l.plugin("listed.plugin", counting("listed", "0.1"));
    l.plugin("unlisted.plugin", counting("unlisted", "0.1"));
    const r = l.runner({
      settings: { enableRunningNewPlugins: false, checkForNewPluginsEvery: 60, flags: new Map([["listed", true]]) },
    });
    r.start();
    await until("listed.plugin delivering", () => l.collectedOf("listed.chart") > 0);
    assert.deepEqual(r.plugins().map((p) => p.name), ["listed.plugin"]);
  } finally {
    await l.dispose();
  }
});

test("runner: a plugin added later is found by the rescan", { timeout: 30_000 }, async () => {
  const l = lab();
  try {
    const r = l.runner({ timing: { ...FAST, rescanMs: 100 } });
    r.start();
    assert.deepEqual(r.plugins(), []);
    l.plugin("late.plugin", counting("late", "0.1"));
    await until("late.plugin delivering", () => l.collectedOf("late.chart") > 0);
  } finally {
    await l.dispose();
  }
});

test("runner: a plugin that cannot be started is retried; one whose file is removed is forgotten", {
  timeout: 30_000,
}, async () => {
  const l = lab();
  try {
    const path = join(l.dir, "broken.plugin");
    writeFileSync(path, "#!/nonexistent/interpreter\n");
    chmodSync(path, 0o755);
    const r = l.runner();
    r.start();
    await until("two failed starts", () => (r.plugins()[0]?.restarts ?? 0) >= 2);
    assert.ok(logged(l, /broken\.plugin' could not be started \(\w+\) after 0 successful data collections/));
    rmSync(path);
    await until("forgotten", () => r.plugins().length === 0);
    assert.ok(logged(l, /broken\.plugin' is gone or no longer executable; forgetting it/));
  } finally {
    await l.dispose();
  }
});
