import { test } from "node:test";
import assert from "node:assert/strict";
import type { Chart } from "../../src/metrics/chart.ts";
import {
  chartCommandOf,
  chartSpecFrom,
  defineChart,
  defineDimension,
  definitionCommandsOf,
  dimensionCommandsOf,
  dimensionSpecFrom,
} from "../../src/metrics/definitions.ts";
import type { ChartCommand, ChildCommand, DimensionCommand } from "../../src/protocol/commands.ts";
import { decodeChildWords } from "../../src/protocol/decode.ts";
import { encodeChildCommand } from "../../src/protocol/encode.ts";
import { MAX_WORDS, splitWords } from "../../src/protocol/words.ts";
import { fixtureText } from "../_fixtures.ts";
import { LOAD_CHART, testHost } from "../_hosts.ts";

const PLUGIN_DEFAULTS = { updateEvery: 5, plugin: "example.plugin" };

function decode(line: string): ChildCommand {
  const words: string[] = new Array(MAX_WORDS);
  return decodeChildWords(words, splitWords(line, 0, line.length, words));
}

function chartLine(line: string): ChartCommand {
  const cmd = decode(line);
  assert.equal(cmd.kind, "CHART");
  return cmd as ChartCommand;
}

function dimensionLine(line: string): DimensionCommand {
  const cmd = decode(line);
  assert.equal(cmd.kind, "DIMENSION");
  return cmd as DimensionCommand;
}

/** Each chart's first definition block in a 1.37 capture: CHART up to (not including) CHART_DEFINITION_END. */
function fixtureBlocks(name: string): string[][] {
  const blocks = new Map<string, string[]>();
  let block: string[] | undefined;
  for (const line of fixtureText(name).split("\n")) {
    if (line.startsWith("CHART ")) {
      const id = (chartLine(line)).id;
      block = blocks.has(id) ? undefined : [line];
      if (block !== undefined) blocks.set(id, block);
    } else if (/^(CLABEL|DIMENSION|VARIABLE CHART|FUNCTION) /.test(line) || line === "CLABEL_COMMIT") {
      block?.push(line);
    } else {
      block = undefined;
    }
  }
  return [...blocks.values()];
}

/** Applies a definition block to a fresh host, as a parser does. */
function modelOf(block: readonly string[]): Chart {
  const host = testHost();
  let chart: Chart | undefined;
  for (const line of block) {
    const cmd = decode(line);
    if (cmd.kind === "CHART") chart = defineChart(host, cmd, PLUGIN_DEFAULTS);
    else if (cmd.kind === "DIMENSION") defineDimension(chart!, cmd);
    else if (cmd.kind === "CLABEL") chart!.label(cmd.name, cmd.value, cmd.source);
    else if (cmd.kind === "VARIABLE") chart!.variable(cmd.name, cmd.value);
  }
  assert.ok(chart !== undefined);
  return chart;
}

for (const capture of ["netdata-1.37-child-stream.txt", "netdata-1.37-proxy-stream.txt"]) {
  test(`round trip: every definition of ${capture} → model → the same lines`, () => {
    const blocks = fixtureBlocks(capture);
    assert.ok(blocks.length > 10, `found only ${blocks.length} definitions`);
    for (const block of blocks) {
      const ours = definitionCommandsOf(modelOf(block), { labels: true }).map((c) => encodeChildCommand(c));
      // Functions are no part of the model.
      const theirs = block.filter((l) => !l.startsWith("FUNCTION ")).map((l) => `${l}\n`);
      assert.deepEqual(ours, theirs);
    }
  });
}

test("chart: name defaulting as 1.37 does it for plugins and children alike", () => {
  const line = (name: string) => chartLine(`CHART disk.sda ${name} 'Disk' KiB/s`);
  const named = (name: string) => chartSpecFrom(line(name), PLUGIN_DEFAULTS).name;
  assert.equal(named("'root'"), "disk.root", "a plugin's name after the type");
  assert.equal(named("disk.root"), "disk.root", "a streamed name with its type");
  for (const none of ["''", "sda", "disk.sda", "NULL", "'(null)'"]) assert.equal(named(none), undefined, none);
  assert.equal(chartCommandOf(testHost().chart(chartSpecFrom(line("disk.root"), PLUGIN_DEFAULTS))).name, "root");
});

test("chart: empty family, context, update every and plugin take the defaults", () => {
  const spec = chartSpecFrom(chartLine("CHART app.cpu '' 'CPU' %"), PLUGIN_DEFAULTS);
  assert.deepEqual(
    [spec.family, spec.context, spec.updateEvery, spec.plugin, spec.priority, spec.chartType],
    ["app", "app.cpu", 5, "example.plugin", 1000, "line"],
  );
  const child = chartSpecFrom(chartLine("CHART app.cpu '' 'CPU' % f c area 7 2 '' p m"), {
    updateEvery: 1,
    plugin: "10.0.0.5:40000",
  });
  assert.deepEqual([child.family, child.context, child.updateEvery, child.plugin], ["f", "c", 2, "p"]);
  const unnamedPlugin = chartSpecFrom(chartLine("CHART app.cpu '' 'CPU' % f c area 7 0 ''"), {
    updateEvery: 1,
    plugin: "10.0.0.5:40000",
  });
  assert.deepEqual([unnamedPlugin.updateEvery, unnamedPlugin.plugin], [1, "10.0.0.5:40000"]);
});

test("options: each flag found anywhere in the word, as 1.37's strstr finds it", () => {
  const spec = chartSpecFrom(chartLine("CHART a.b '' t u f c line 1 1 'detail,hidden'"), PLUGIN_DEFAULTS);
  assert.deepEqual([spec.detail, spec.hidden, spec.storeFirst], [true, true, false]);
  const dim = dimensionSpecFrom(dimensionLine("DIMENSION d '' incremental 0 0 ' hidden noreset'"));
  assert.deepEqual([dim.name, dim.hidden, dim.noreset, dim.nooverflow, dim.multiplier], [
    undefined,
    true,
    true,
    false,
    1,
  ]);
});

test("obsolete in the options obsoletes; a redefinition without it revives", () => {
  const host = testHost();
  const chart = defineChart(host, chartLine("CHART a.b '' t u f c line 1 1 obsolete"), PLUGIN_DEFAULTS);
  assert.equal(chart.obsolete, true);
  defineChart(host, chartLine("CHART a.b '' t u f c line 1 1 ''"), PLUGIN_DEFAULTS);
  assert.equal(chart.obsolete, false);
  const dim = defineDimension(chart, dimensionLine("DIMENSION d d absolute 1 1 obsolete"));
  assert.equal(dim.obsolete, true);
  defineDimension(chart, dimensionLine("DIMENSION d d absolute 1 1"));
  assert.equal(dim.obsolete, false);
});

test("chart and dimension options are written in 1.37's slots", () => {
  const chart = testHost().chart({ ...LOAD_CHART, detail: true });
  assert.equal(chartCommandOf(chart).options, " detail  ");
  chart.dimension({ id: "idle", algorithm: "percentage-of-incremental-row", multiplier: 1, divisor: 1, hidden: true });
  chart.dimension({ id: "user", algorithm: "absolute", multiplier: 0, divisor: 0, nooverflow: true });
  assert.deepEqual(dimensionCommandsOf(chart).map((d) => d.options), [" hidden ", "   nooverflow"]);
  chart.obsoleteDimension("idle");
  assert.equal(dimensionCommandsOf(chart)[0].options, "obsolete hidden ");
  assert.deepEqual([dimensionCommandsOf(chart)[1].multiplier, dimensionCommandsOf(chart)[1].divisor], [1, 1]);
});

test("labels are left out for a peer without chart labels, and when there are none", () => {
  const chart = testHost().chart(LOAD_CHART);
  chart.variable("pidmax", 32768);
  const kinds = (labels: boolean) => definitionCommandsOf(chart, { labels }).map((c) => c.kind);
  assert.deepEqual(kinds(true), ["CHART", "VARIABLE"]);
  chart.label("_collect_plugin", "proc.plugin", 3);
  assert.deepEqual(kinds(true), ["CHART", "CLABEL", "CLABEL_COMMIT", "VARIABLE"]);
  assert.deepEqual(kinds(false), ["CHART", "VARIABLE"]);
});
