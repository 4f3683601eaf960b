/**
 * Compares our charts' definitions with what a real Netdata 1.37 child sent: the fixture's `CHART`,
 * `CLABEL`, `DIMENSION` and `VARIABLE CHART` lines of a chart against the same lines written from our
 * Chart, so a match means the definitions are identical on the wire.
 */
import assert from "node:assert/strict";
import type { Chart } from "../../../src/metrics/chart.ts";
import type { Host } from "../../../src/metrics/host.ts";
import { definitionCommandsOf } from "../../../src/metrics/definitions.ts";
import { encodeChildCommand } from "../../../src/protocol/encode.ts";
import { fixtureText } from "../../_fixtures.ts";

let definitions: Map<string, string[]> | undefined;

/** Every chart definition of the fixture stream (its first one), by chart id. */
function fixtureDefinitions(): Map<string, string[]> {
  if (definitions !== undefined) return definitions;
  definitions = new Map();
  const lines = fixtureText("netdata-1.37-child-stream.txt").split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith("CHART ")) continue;
    const id = lines[i].slice(7, lines[i].indexOf('"', 7));
    const block = [lines[i]];
    for (let j = i + 1; j < lines.length && !lines[j].startsWith("CHART_DEFINITION_END"); j++) {
      if (lines[j].startsWith("CHART ")) break;
      block.push(lines[j]);
    }
    if (!definitions.has(id)) definitions.set(id, block);
  }
  return definitions;
}

/** The fixture's definition lines of chart `id` (without `CHART_DEFINITION_END`), if it has that chart. */
export function fixtureChart(id: string): string[] | undefined {
  return fixtureDefinitions().get(id);
}

/** Our chart's definition, written as a 1.37 child writes it (the sender's mapping). */
export function ourDefinition(chart: Chart): string[] {
  return definitionCommandsOf(chart, { labels: true }).map((cmd) => encodeChildCommand(cmd).slice(0, -1));
}

/**
 * Asserts that our chart `id` is defined exactly as the fixture defines it. With `sameDimensions` false
 * only the chart line, labels and the dimensions both sides have are compared (for charts whose
 * dimensions depend on the machine, like interrupts).
 */
export function assertLikeFixture(host: Host, id: string, sameDimensions = true): void {
  const chart = host.charts.get(id);
  assert.ok(chart, `we have no chart ${id}`);
  const theirs = fixtureChart(id);
  assert.ok(theirs, `the fixture has no chart ${id}`);
  const ours = ourDefinition(chart);
  if (sameDimensions) {
    assert.deepEqual(ours, theirs, `definition of ${id}`);
    return;
  }
  const head = (lines: string[]) => lines.filter((l) => !l.startsWith("DIMENSION "));
  assert.deepEqual(head(ours), head(theirs), `definition of ${id}`);
  const theirDims = new Map<string, string>();
  for (const line of theirs) {
    if (line.startsWith("DIMENSION ")) theirDims.set(line.slice(0, line.indexOf('" ') + 1), line);
  }
  for (const line of ours) {
    if (!line.startsWith("DIMENSION ")) continue;
    const their = theirDims.get(line.slice(0, line.indexOf('" ') + 1));
    if (their !== undefined) assert.equal(line, their, `a dimension of ${id}`);
  }
}
