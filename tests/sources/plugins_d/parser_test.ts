import { test } from "node:test";
import assert from "node:assert/strict";
import { PluginParser } from "../../../src/sources/plugins_d/parser.ts";
import { ProtocolError } from "../../../src/protocol/errors.ts";
import { LABEL_SOURCE } from "../../../src/protocol/commands.ts";
import { fakeMachine } from "../_fake_root.ts";

const NOW = 1_795_423_040_000_000;

function parserFor(m: ReturnType<typeof fakeMachine>, updateEvery = 1): PluginParser {
  let now = NOW;
  return new PluginParser({
    host: m.host,
    plugin: "example.plugin",
    updateEvery,
    log: m.context.log,
    nowUs: () => (now += 1_000_000),
  });
}

function failure(fn: () => void): ProtocolError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ProtocolError) return e;
    throw e;
  }
  assert.fail("expected a ProtocolError");
}

test("parser: charts, dimensions and values reach the host with 1.37's defaults", () => {
  const m = fakeMachine();
  try {
    const p = parserFor(m, 2);
    p.push("CHART example.random '' 'A random number' 'value'\n");
    p.push("DIMENSION random1 '' incremental 1 1000\nDIMENSION random2 second absolute -1\n");
    p.push('BEGIN "example.random" 0\nSET random1 = 10\nSET "random2" = 0x10\nEND\n');
    p.push("BEGIN example.random 2000000\nSET random1 = 20\nSET random2 =\nEND\n");
    assert.deepEqual(m.collected, [
      { chart: "example.random", values: { random1: 10, random2: 16 } },
      { chart: "example.random", values: { random1: 20 } },
    ]);
    assert.equal(p.collections, 2);
    const chart = m.host.charts.get("example.random")!;
    assert.equal(chart.name, "example.random");
    assert.equal(chart.title, "A random number");
    assert.equal(chart.units, "value");
    assert.equal(chart.family, "example"); // empty family: the type
    assert.equal(chart.context, "example.random"); // empty context: the id
    assert.equal(chart.chartType, "line");
    assert.equal(chart.priority, 1000);
    assert.equal(chart.updateEvery, 2); // the plugin's own interval
    assert.equal(chart.plugin, "example.plugin");
    assert.equal(chart.module, "");
    assert.deepEqual(chart.labels.get("_collect_plugin"), {
      value: "example.plugin",
      source: LABEL_SOURCE.AUTO | LABEL_SOURCE.PERMANENT,
    });
    assert.equal(chart.labels.has("_collect_module"), false);
    assert.equal(chart.lastCollectedUs - chart.sinceLastUs, NOW + 1_000_000);
    const [d1, d2] = chart.dimensions;
    assert.deepEqual([d1.name, d1.algorithm, d1.multiplier, d1.divisor], ["random1", "incremental", 1, 1000]);
    assert.deepEqual([d2.name, d2.algorithm, d2.multiplier, d2.divisor], ["second", "absolute", -1, 1]);
  } finally {
    m.dispose();
  }
});

test("parser: a full CHART line: name after the type, options, plugin and module", () => {
  const m = fakeMachine();
  try {
    const p = parserFor(m);
    p.push(
      'CHART app.cpu_usage "app.cpu" "CPU" "%" "cpu" "app.cpu" stacked 20001 5 "detail hidden" "apps.plugin" "cpu"\n',
    );
    p.push("CHART app.mem NULL Memory MiB\nCHART app.io io\n");
    const cpu = m.host.charts.get("app.cpu_usage")!;
    assert.equal(cpu.name, "app.cpu");
    assert.deepEqual([cpu.chartType, cpu.priority, cpu.updateEvery], ["stacked", 20001, 5]);
    assert.deepEqual([cpu.detail, cpu.hidden, cpu.storeFirst], [true, true, false]);
    assert.deepEqual([cpu.plugin, cpu.module], ["apps.plugin", "cpu"]);
    assert.equal(cpu.labels.get("_collect_module")?.value, "cpu");
    assert.equal(m.host.charts.get("app.mem")!.name, "app.mem"); // NULL: no name
    assert.equal(m.host.charts.get("app.io")!.name, "app.io"); // the id part: no name
    assert.equal(p.slowestUpdateEvery, 5);
  } finally {
    m.dispose();
  }
});

test("parser: lines split across chunks (even inside UTF-8) parse whole", () => {
  const m = fakeMachine();
  try {
    const p = parserFor(m);
    const text = "CHART a.b '' 'Température' °C\nDIMENSION x\nBEGIN a.b\nSET x = 123456\nEND\n";
    const bytes = new TextEncoder().encode(text);
    for (let i = 0; i < bytes.length; i++) p.push(bytes.subarray(i, i + 1));
    assert.deepEqual(m.collected, [{ chart: "a.b", values: { x: 123456 } }]);
    assert.equal(m.host.charts.get("a.b")!.title, "Température");
    assert.equal(m.host.charts.get("a.b")!.units, "°C");
  } finally {
    m.dispose();
  }
});

test("parser: garbage throws with the plugin, the line number and the line", () => {
  const m = fakeMachine();
  try {
    const defs = "CHART a.b '' t u\nDIMENSION x\n";
    const cases: [string, RegExp][] = [
      ["FOOBAR 1 2\n", /^example\.plugin line 3: unknown keyword 'FOOBAR' \(the line: 'FOOBAR 1 2'\)$/],
      [
        "BEGIN a.b\nSET y = 1\n",
        /^example\.plugin line 4: SET: chart 'a\.b' has no dimension 'y' \(the line: 'SET y = 1'\)/,
      ],
      ["BEGIN a.c\n", /line 3: BEGIN: chart 'a\.c' does not exist \(the line: 'BEGIN a\.c'\)/],
      ["FLUSH\nEND\n", /line 4: END: no chart is open/],
      ["BEGIN a.b\nEND\nSET x = 1\n", /line 5: SET: no chart is open/],
      ["BEGIN a.b\nSET x = 12abc\n", /line 4: SET: expected a value as an integer in word 3, found '12abc'/],
      ["CHART nodot\n", /line 3: CHART: expected a chart id of the form 'type\.id', found 'nodot'/],
    ];
    for (const [input, expected] of cases) {
      const p = parserFor(m);
      const e = failure(() => p.push(defs + input));
      assert.match(e.message, expected, input);
      assert.equal(e.peer, "example.plugin");
    }
    const p = parserFor(m);
    const long = failure(() => p.push(`${defs}SET x = ${"9".repeat(20_000)}`));
    assert.equal(long.code, "line-too-long");
    assert.match(long.message, /^example\.plugin line 3: line is longer than 15360 bytes/);
  } finally {
    m.dispose();
  }
});

test("parser: obsolete option, obsolete on finish, revival on redefinition", () => {
  const m = fakeMachine();
  try {
    const p = parserFor(m);
    p.push("CHART a.gone '' t u '' '' line 1 1 obsolete\nCHART a.live '' t u\nDIMENSION x '' absolute 1 1 obsolete\n");
    assert.deepEqual(m.obsoleted, ["a.gone"]);
    assert.equal(m.host.charts.get("a.live")!.find("x")!.obsolete, true);
    p.push("BEGIN a.live\nSET x = 1\n");
    p.finish(); // the process died mid-iteration
    assert.deepEqual(m.obsoleted.sort(), ["a.gone", "a.live"]);
    assert.equal(m.host.charts.get("a.live")!.find("x")!.updated, false);
    const again = parserFor(m);
    again.push("CHART a.live '' t u\nDIMENSION x\nBEGIN a.live\nSET x = 2\nEND\n");
    const live = m.host.charts.get("a.live")!;
    assert.equal(live.obsolete, false);
    assert.equal(live.find("x")!.obsolete, false);
    assert.deepEqual(m.last("a.live"), { x: 2 });
    // On shutdown the charts are left alone.
    again.finish(false);
    assert.equal(live.obsolete, false);
  } finally {
    m.dispose();
  }
});

test("parser: VARIABLE scopes, CLABEL/CLABEL_COMMIT, FLUSH", () => {
  const m = fakeMachine();
  try {
    const p = parserFor(m);
    p.push("VARIABLE HOST hv = 1.5\nVARIABLE plain = 2\nCHART a.b '' t u\nVARIABLE cv = 3\nVARIABLE LOCAL lv = 4\n");
    p.push("VARIABLE GLOBAL gv = 5\nCLABEL k1 v1 1\nCLABEL k2 'v 2' 2\nCLABEL_COMMIT\n");
    const chart = m.host.charts.get("a.b")!;
    assert.deepEqual([...m.host.variables], [["hv", 1.5], ["plain", 2], ["gv", 5]]);
    assert.deepEqual([...chart.variables], [["cv", 3], ["lv", 4]]);
    assert.deepEqual(chart.labels.get("k2"), { value: "v 2", source: 2 });
    p.push("CLABEL k2 w 1\nCLABEL_COMMIT\n");
    assert.deepEqual([...chart.labels.keys()].sort(), ["_collect_plugin", "k2"]);
    p.push("FLUSH\nVARIABLE after = 6\n");
    assert.equal(m.host.variables.get("after"), 6);
    assert.match(failure(() => p.push("VARIABLE CHART x = 1\n")).message, /VARIABLE: no chart is open/);
  } finally {
    m.dispose();
  }
});

test("parser: DISABLE stops reading; FUNCTION is ignored, a FUNCTION_RESULT payload skipped", () => {
  const m = fakeMachine();
  try {
    const p = parserFor(m);
    p.push('FUNCTION GLOBAL "processes" 10 "Detailed information on the processes"\n');
    p.push("FUNCTION_RESULT_BEGIN t1 200 application/json 0\n{ not: a command }\nFUNCTION_RESULT_END\n");
    p.push("CHART a.b '' t u\nDISABLE\nFOOBAR\n");
    assert.equal(p.disabled, true);
    p.push("MORE GARBAGE\n");
    assert.ok(m.logs.some((l) => /example\.plugin: ignoring FUNCTION: /.test(l)));
  } finally {
    m.dispose();
  }
});
