/**
 * Compares our charts with the definitions a real Netdata 1.37 child streamed (the fixture capture): a
 * chart's `CHART`, `CLABEL` and `DIMENSION` lines, rendered from our model the same way.
 */
import assert from "node:assert/strict";
import type { Chart } from "../../../src/metrics/chart.ts";
import { definitionCommandsOf } from "../../../src/metrics/definitions.ts";
import { encodeChildCommand } from "../../../src/protocol/encode.ts";
import { fixtureText } from "../../_fixtures.ts";

let lines: string[] | undefined;

/** The `CHART`, `CLABEL` and `DIMENSION` lines of chart `id` in the fixture child stream. */
export function fixtureDefinition(id: string): string[] {
  lines ??= fixtureText("netdata-1.37-child-stream.txt").split("\n");
  const start = lines.findIndex((l) => l.startsWith(`CHART "${id}" `));
  if (start < 0) throw new Error(`chart ${id} is not defined in the fixture`);
  const out = [lines[start]];
  for (let i = start + 1; i < lines.length; i++) {
    const l = lines[i];
    if (l.startsWith("CLABEL ") || l.startsWith("DIMENSION ")) out.push(l);
    else if (l !== "CLABEL_COMMIT") break;
  }
  return out;
}

/** Our chart rendered as the `CHART`, `CLABEL` and `DIMENSION` lines a 1.37 child sends (the sender's mapping). */
export function ourDefinition(c: Chart): string[] {
  return definitionCommandsOf(c, { labels: true })
    .filter((cmd) => cmd.kind === "CHART" || cmd.kind === "CLABEL" || cmd.kind === "DIMENSION")
    .map((cmd) => encodeChildCommand(cmd).slice(0, -1));
}

/** Asserts that our chart `id` is defined exactly as in the fixture. */
export function assertSameAsFixture(charts: ReadonlyMap<string, Chart>, id: string): void {
  const chart = charts.get(id);
  assert.ok(chart !== undefined, `we did not make ${id}`);
  assert.deepEqual(ourDefinition(chart), fixtureDefinition(id));
}
