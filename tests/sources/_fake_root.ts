/**
 * Test helpers for sources: a host that records every completed iteration, and a throw-away root folder
 * holding the /proc and /sys files a test writes.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Chart } from "../../src/metrics/chart.ts";
import type { Host } from "../../src/metrics/host.ts";
import { Logger } from "../../src/runtime/log.ts";
import type { SourceContext } from "../../src/sources/source.ts";
import { testHost } from "../_hosts.ts";

/** One completed chart iteration: the chart id and the values of its updated dimensions. */
export interface Collected {
  readonly chart: string;
  readonly values: Record<string, number | bigint>;
}

/** A root folder for fake kernel files, a host, and what the host saw. */
export interface FakeMachine {
  readonly root: string;
  readonly host: Host;
  readonly context: SourceContext;
  readonly collected: Collected[];
  readonly obsoleted: string[];
  readonly logs: string[];
  /** Writes (or rewrites) a file under the root, e.g. `write("/proc/loadavg", "…")`. */
  write(path: string, text: string): void;
  /** Removes a file or folder under the root. */
  remove(path: string): void;
  /** The last values collected for a chart. */
  last(chart: string): Record<string, number | bigint> | undefined;
  dispose(): void;
}

export function fakeMachine(updateEvery = 1): FakeMachine {
  const root = mkdtempSync(join(tmpdir(), "rill-fake-root-"));
  const host = testHost({ hostname: "fake", updateEvery });
  const collected: Collected[] = [];
  const obsoleted: string[] = [];
  const logs: string[] = [];
  host.observe({
    collected(chart: Chart) {
      const values: Record<string, number | bigint> = {};
      for (const d of chart.dimensions) if (d.updated) values[d.id] = d.value;
      collected.push({ chart: chart.id, values });
    },
    changed(chart: Chart) {
      if (chart.obsolete) obsoleted.push(chart.id);
    },
    variableChanged() {},
  });
  const log = new Logger("rill-test", "TEST", (line) => logs.push(line));
  return {
    root,
    host,
    context: { host, root, updateEvery, log },
    collected,
    obsoleted,
    logs,
    write(path, text) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    },
    remove(path) {
      rmSync(join(root, path), { recursive: true, force: true });
    },
    last(chart) {
      for (let i = collected.length - 1; i >= 0; i--) if (collected[i].chart === chart) return collected[i].values;
      return undefined;
    },
    dispose() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}
