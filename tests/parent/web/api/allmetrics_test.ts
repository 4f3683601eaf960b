// /api/v1/allmetrics on real Hosts and ram-mode HostStores: the memory of Prometheus servers stays bounded
// whatever server= says, and child strings cannot break a line of the shell or Prometheus text.
import { test } from "node:test";
import assert from "node:assert/strict";
import { LABEL_SOURCE } from "../../../../src/protocol/commands.ts";
import { AllMetrics } from "../../../../src/parent/web/api/allmetrics.ts";
import { RequestBudget } from "../../../../src/parent/web/api/budget.ts";
import type { ApiContext } from "../../../../src/parent/web/api/context.ts";
import type { HostStore } from "../../../../src/parent/storage/host_store.ts";
import { answerText } from "../_body.ts";
import { conf, LAST_S, makeCatalogue, ND_CHILD_GUID, NOW_MS } from "../_hosts.ts";

function setup() {
  const catalogue = makeCatalogue();
  const ctx: ApiContext = { catalogue, conf, nowMs: () => NOW_MS };
  const allmetrics = new AllMetrics();
  const get = (query: string, remoteIp = "10.0.0.1", budget = new RequestBudget(10_000)) =>
    answerText(allmetrics.reply(ctx, {
      entry: catalogue.byGuid(ND_CHILD_GUID)!,
      params: new URLSearchParams(query),
      remoteIp,
      budget,
    }));
  return { catalogue, allmetrics, get };
}

function randomText(length: number, seed: number): string {
  let text = "";
  for (let i = 0; i < length; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    text += String.fromCharCode(33 + (seed % 94));
  }
  return text;
}

test("200 scrapes with 8 KB random server= names keep at most 64 servers; each name is cut at 256", async () => {
  const { allmetrics, get } = setup();
  for (let i = 0; i < 200; i++) {
    const r = await get(`format=prometheus_all_hosts&server=${encodeURIComponent(randomText(8192, i))}`);
    assert.equal(r.status, 200);
    assert.ok(allmetrics.scrapes.size <= 64, `after ${i + 1}: ${allmetrics.scrapes.size}`);
  }
  assert.equal(allmetrics.scrapes.size, 64);
  // Two names that differ only after 256 characters are one server.
  const long = randomText(256, 7);
  await get(`format=prometheus&server=${encodeURIComponent(`${long}A`)}`);
  const guid = "82be38ca-e718-11f1-8984-02fc00000001";
  assert.equal(allmetrics.scrapes.lastScrape(`${long}B`, guid), Math.floor(NOW_MS / 1000));
});

test("a scrape is remembered per server= (else per address), and only when it was answered", async () => {
  const { allmetrics, get } = setup();
  const guid = "82be38ca-e718-11f1-8984-02fc00000001";
  assert.equal(allmetrics.scrapes.lastScrape("prom-a", guid), undefined);
  await get("format=prometheus&server=prom-a");
  assert.equal(allmetrics.scrapes.lastScrape("prom-a", guid), LAST_S + 1);
  // By address when there is no server=.
  await get("format=prometheus", "10.9.9.9");
  assert.equal(allmetrics.scrapes.lastScrape("10.9.9.9", guid), LAST_S + 1);
  // A scrape abandoned for its budget (a clock that says 10 ms pass at every look) leaves no trace.
  let ms = 0;
  const exhausted = new RequestBudget(1, () => (ms += 10));
  await assert.rejects(get("format=prometheus_all_hosts&server=prom-b", "x", exhausted), /Query timeout exceeded/);
  assert.equal(allmetrics.scrapes.lastScrape("prom-b", guid), undefined);
});

test("child strings with CR, LF, ESC, quotes and backslashes: escaped in Prometheus labels, one line per sample", async () => {
  const { catalogue, get } = setup();
  const child = catalogue.byGuid(ND_CHILD_GUID)!;
  const chart = child.host.chart({
    id: "odd.chart",
    name: "odd.\r\u001b[2Jname",
    title: "t",
    units: "u\r\nnits",
    family: 'fam"\n\\ily\u001b',
    context: "odd.ctx",
    chartType: "line",
    priority: 1,
    updateEvery: 1,
    plugin: "test",
    module: "",
  });
  chart.dimension({ id: "d", name: 'dim\r"x"', algorithm: "absolute", multiplier: 1, divisor: 1 });
  child.host.labels.set("evil", { value: "a\rb\u001bc\nd", source: LABEL_SOURCE.CONFIG });
  const store = (child.series as HostStore).series("odd.chart")!;
  for (let t = LAST_S - 5; t <= LAST_S; t++) store.append(t, Float64Array.of(7), false);

  const prom = (await get("format=prometheus")).body;
  // deno-lint-ignore no-control-regex
  assert.doesNotMatch(prom, /[\r\u001b]/);
  assert.match(prom, /,evil="a b c\\nd"\} 1 /);
  const sample = prom.split("\n").find((line) => line.startsWith("netdata_odd_ctx_"))!;
  assert.equal(
    sample,
    `netdata_odd_ctx_u__nits_average{chart="odd.  [2Jname",family="fam\\"\\n\\\\ily ",dimension="dim \\"x\\""} 7.0000000 ${
      (LAST_S - 2) * 1000
    }`,
  );
  // Every line is a sample or the info line.
  for (const line of prom.split("\n").filter((l) => l.length > 0)) assert.match(line, /^netdata_\w+\{.*\} \S+ \d+$/);

  const shell = (await get("format=shell")).body;
  // deno-lint-ignore no-control-regex
  assert.doesNotMatch(shell, /[\r\u001b]/);
  assert.ok(shell.includes("\n# chart: odd.chart (name: odd.  [2Jname)\n"));
  assert.ok(shell.includes('\nNETDATA_ODD____2JNAME_DIM__X_="7"      # u  nits\n'));
  for (const line of shell.split("\n").filter((l) => l.length > 0)) {
    assert.match(line, /^(#.*|NETDATA_\w+="-?\d*" +# .*)$/);
  }
});
