/**
 * The web tests' catalogue with nd-child's storage wrapped to count the values its reads return, so that
 * a test can assert that a query's work is bounded by what is stored.
 */
import type { HostCatalogue } from "../../../../src/parent/storage/catalogue.ts";
import type { ChartSeries, HostSeries, PointWindow } from "../../../../src/parent/storage/series.ts";
import { makeCatalogue, ND_CHILD_GUID } from "../_hosts.ts";

/** Values (slots × dimensions) returned by reads so far. */
export interface ReadCounter {
  values: number;
}

function countingSeries(series: ChartSeries, counter: ReadCounter): ChartSeries {
  return {
    chart: series.chart,
    updateEvery: series.updateEvery,
    firstTimeS: () => series.firstTimeS(),
    lastTimeS: () => series.lastTimeS(),
    read(ids: readonly string[], afterS: number, beforeS: number): PointWindow {
      const w = series.read(ids, afterS, beforeS);
      counter.values += w.times.length * w.columns.length;
      return w;
    },
  };
}

/** A fresh catalogue (see ../_hosts.ts) whose nd-child reads are counted in `counter`. */
export function countingCatalogue(counter: ReadCounter): HostCatalogue {
  const catalogue = makeCatalogue();
  const child = catalogue.byGuid(ND_CHILD_GUID)!;
  const store = child.series;
  const series: HostSeries = {
    series: (id) => {
      const s = store.series(id);
      return s === undefined ? undefined : countingSeries(s, counter);
    },
    firstTimeS: () => store.firstTimeS(),
    lastTimeS: () => store.lastTimeS(),
  };
  catalogue.add({ ...child, series });
  return catalogue;
}
