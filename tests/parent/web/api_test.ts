// The HTTP API against real Hosts and real ram-mode HostStores: info, charts, chart, data (window rules,
// grouping, options, formats), allmetrics, and the error replies.
import { test } from "node:test";
import assert from "node:assert/strict";
import { WebApi } from "../../../src/parent/web/api/mod.ts";
import { formatValue } from "../../../src/parent/web/api/data_formats.ts";
import { queryWindow } from "../../../src/parent/web/api/window.ts";
import { fixtureText } from "../../_fixtures.ts";
import { conf, cpuValue, LAST_S, makeCatalogue, NOW_MS, STORED } from "./_hosts.ts";
import { answerText } from "./_body.ts";

function api(nowMs = NOW_MS): WebApi {
  return new WebApi({ catalogue: makeCatalogue(), conf, nowMs: () => nowMs });
}

function get(target: string, nowMs = NOW_MS) {
  return answerText(api(nowMs).handle(target, "localhost"));
}

async function json(target: string): Promise<Record<string, unknown>> {
  const r = await get(target);
  assert.equal(r.status, 200, r.body);
  return JSON.parse(r.body);
}

test("info has the keys of a real 1.37 parent's reply, with the child's facts under /host/", async () => {
  const info = await json("/host/nd-child/api/v1/info");
  const real = JSON.parse(fixtureText("api/parent-api-v1-info.json"));
  const missing = Object.keys(real).filter((k) => !(k in info));
  // Analytics counters and dbengine sizes rill does not have.
  assert.deepEqual(
    missing.filter((k) =>
      !/-used$|^(charts|metrics)-count$|^(multidb-disk-quota|page-cache-size|stream-enabled|stream-compression|hosts-available|buildinfo|notification-methods|exporting-enabled|exporting-connectors)$/
        .test(k)
    ),
    [],
  );
  assert.equal(info.uid, "82be38ca-e718-11f1-8984-02fc00000001");
  assert.equal(info.version, "v1.37.1");
  assert.deepEqual(info.mirrored_hosts, ["nd-parent", "nd-child"]);
  assert.deepEqual((info.mirrored_hosts_status as unknown[])[1], {
    guid: "82be38ca-e718-11f1-8984-02fc00000001",
    hostname: "nd-child",
    reachable: true,
    hops: 1,
    claim_id: null,
    node_id: null,
  });
  assert.equal(info.os_name, "Debian GNU/Linux");
  assert.equal(info.cores_total, "2");
  assert.equal(info.kernel_name, "unknown");
  assert.deepEqual(info.host_labels, { _is_parent: "false", room: 'lab "A"' });
  assert.deepEqual(info.collectors, [
    { plugin: "proc.plugin", module: "/proc/stat" },
    { plugin: "proc.plugin", module: "/proc/loadavg" },
    { plugin: "proc.plugin", module: "/proc/net/dev" },
  ]);
  assert.equal(info["memory-mode"], "ram");
  assert.equal((await json("/api/v1/info")).uid, "16323fac-e719-11f1-a295-02fc00000001");
  // By machine GUID too.
  assert.equal((await json("/host/82be38ca-e718-11f1-8984-02fc00000001/api/v1/info")).uid, info.uid);
});

test("charts and chart have the shape of the real replies; hidden dimensions are not listed", async () => {
  const charts = await json("/host/nd-child/api/v1/charts");
  const real = JSON.parse(fixtureText("api/child-api-v1-charts-sample.json"));
  assert.deepEqual(Object.keys(charts), Object.keys(real));
  assert.equal(charts.charts_count, 3);
  assert.equal(charts.dimensions_count, 5);
  assert.deepEqual(charts.hosts, [{ hostname: "nd-parent" }, { hostname: "nd-child" }]);
  const cpu = await json("/host/nd-child/api/v1/chart?chart=system.cpu");
  const realCpu = JSON.parse(fixtureText("api/child-api-v1-chart-system.cpu.json").replace(/^\s*\{/, "{"));
  assert.deepEqual(Object.keys(cpu), Object.keys(realCpu));
  assert.equal(cpu.title, "Total CPU utilization (system.cpu)");
  assert.equal(cpu.type, "system");
  assert.deepEqual(cpu.dimensions, { user: { name: "user" }, system: { name: "system" } });
  assert.equal(cpu.first_entry, LAST_S - STORED + 1);
  assert.equal(cpu.last_entry, LAST_S);
  assert.equal(cpu.duration, STORED);
  assert.deepEqual(cpu.chart_labels, { _collect_plugin: "proc.plugin" });
  assert.deepEqual((charts.charts as Record<string, unknown>)["system.cpu"], cpu);
});

test("the query window follows 1.37's rules (checked against a live 1.37)", () => {
  const T = 1796049000;
  /** queryWindow of an aligned request (before = 0 unless given) on `[first, last, updateEvery]` at `nowS`. */
  const window = (
    request: { after: number; before?: number; points: number },
    [first, last, updateEvery]: [number, number, number],
    nowS: number,
  ) => queryWindow({ before: 0, aligned: true, ...request }, { first, last, updateEvery }, nowS);
  // after=-10&points=5 at now = last + 1: before = now - 1, groups of 2.
  assert.deepEqual(
    window({ after: -10, points: 5 }, [T + 631, T + 643, 1], T + 643),
    { after: T + 633, before: T + 642, points: 5, group: 2, granularity: 1 },
  );
  assert.deepEqual(
    window({ after: -10, points: 3 }, [T + 631, T + 643, 1], T + 643),
    { after: T + 634, before: T + 642, points: 3, group: 3, granularity: 1 },
  );
  assert.equal(window({ after: -10, points: 0 }, [0, 0, 1], T), undefined);
  // update_every 5, one point.
  assert.deepEqual(
    window({ after: -3, points: 0 }, [T + 630, T + 635, 5], T + 637),
    { after: T + 635, before: T + 635, points: 1, group: 1, granularity: 5 },
  );
  // Absolute times stay; a window in the future is shifted back to now - 1.
  assert.deepEqual(
    window({ after: T + 600, before: T + 700, points: 0 }, [T, T + 643, 1], T + 644),
    { after: T + 543, before: T + 643, points: 101, group: 1, granularity: 1 },
  );
});

test("values print as 1.37's print_netdata_double: fraction × 10⁷ rounded half to even on the double", () => {
  // Averages a real 1.37 parent printed for two stored values (0.4950495 and 1.0050251 are 4950495 × 1e-7
  // and 10050251 × 1e-7 as read back from storage_number words): ties of the double product go to even.
  assert.equal(formatValue(4950495 * 1e-7 / 2), "0.2475248");
  assert.equal(formatValue((10050251 * 1e-7 + 2525253 * 1e-6) / 2), "1.765139");
  assert.equal(formatValue((2 + 15075377 * 1e-7) / 2), "1.7537688");
  assert.equal(formatValue(0.49504950495), "0.4950495");
  assert.equal(formatValue(2.538071), "2.538071");
  assert.equal(formatValue(0.99999999), "1");
  assert.equal(formatValue(-12.5), "-12.5");
  assert.equal(formatValue(0), "0");
  assert.equal(formatValue(-0), "0");
  // 1.37 writes the sign before rounding: a tiny negative average prints as -0.
  assert.equal(formatValue(-0.00000001), "-0");
  assert.equal(formatValue(123456790000000), "123456790000000");
  assert.equal(formatValue(1e7 * 1e-5), "100");
});

test("data: json rows newest first, exactly like 1.37 prints them; hidden idle left out", async () => {
  const r = await get("/host/nd-child/api/v1/data?chart=system.cpu&after=-3&format=json");
  assert.equal(r.status, 200);
  assert.equal(r.contentType, "application/json; charset=utf-8");
  const t = LAST_S;
  assert.equal(
    r.body,
    '{\n "labels": ["time","user","system"],\n    "data":\n [\n' +
      ` [ ${t},${formatValue(cpuValue("user", t))},1],\n` +
      ` [ ${t - 1},${formatValue(cpuValue("user", t - 1))},1],\n` +
      ` [ ${t - 2},${formatValue(cpuValue("user", t - 2))},1]\n]\n}`,
  );
  // Same layout as the real capture.
  const real = fixtureText("api/child-api-v1-data-system.load.json");
  const load = (await get("/host/nd-child/api/v1/data?chart=system.load&after=-1")).body;
  assert.equal(
    load.replace(/\[ \d+,[^\]]*\]/, "ROW"),
    real.replace(/\[ \d+,[^\]]*\]/, "ROW").replace(/"load5","load15"/, "").replace(",]", "]"),
  );
});

test("data: grouping averages, min/max by magnitude, sum; gaps are null", async () => {
  const avg = JSON.parse(
    (await get("/host/nd-child/api/v1/data?chart=system.cpu&after=-4&points=2&options=flip")).body,
  );
  const u = (t: number) => cpuValue("user", t);
  // LAST_S is odd: the groups of 2 end on even seconds, the newest at LAST_S - 1.
  assert.deepEqual(avg.data, [
    [LAST_S - 3, Number(formatValue((u(LAST_S - 4) + u(LAST_S - 3)) / 2)), 1],
    [LAST_S - 1, Number(formatValue((u(LAST_S - 2) + u(LAST_S - 1)) / 2)), 1],
  ]);
  const sum = JSON.parse((await get("/host/nd-child/api/v1/data?chart=system.cpu&after=-4&points=2&group=sum")).body);
  assert.deepEqual(sum.data[0], [LAST_S - 1, Number(formatValue(u(LAST_S - 2) + u(LAST_S - 1))), 2]);
  const max = JSON.parse((await get("/host/nd-child/api/v1/data?chart=net.eth0&after=-2&points=1&group=max")).body);
  assert.deepEqual(max.data, [[LAST_S - 1, 100, -50]]);
  const gap = JSON.parse((await get("/host/nd-child/api/v1/data?chart=system.load&after=-6&options=flip")).body);
  assert.deepEqual(gap.data.map((row: unknown[]) => row[1]), [null, 0.25, 0.25, 0.25, 0.25, 0.25]);
  const zero = JSON.parse(
    (await get("/host/nd-child/api/v1/data?chart=system.load&after=-6&options=flip|null2zero")).body,
  );
  assert.equal(zero.data[0][1], 0);
});

test("data: dimensions= by id or name selects hidden ones; options abs, percentage, nonzero, ms, objectrows", async () => {
  const idle = JSON.parse(
    (await get("/host/nd-child/api/v1/data?chart=system.cpu&after=-1&dimensions=idle,user")).body,
  );
  assert.deepEqual(idle.labels, ["time", "user", "idle"]);
  const abs = JSON.parse((await get("/host/nd-child/api/v1/data?chart=net.eth0&after=-1&options=abs")).body);
  assert.deepEqual(abs.data, [[LAST_S, 100, 50]]);
  const pct = JSON.parse((await get("/host/nd-child/api/v1/data?chart=system.cpu&after=-1&options=percentage")).body);
  // Shares of the total over every dimension, the hidden idle included (total = 100).
  assert.deepEqual(pct.data, [[LAST_S, Number(formatValue(cpuValue("user", LAST_S))), 1]]);
  const first = JSON.parse(
    (await get("/host/nd-child/api/v1/data?chart=system.cpu&after=-1&dimensions=user&options=nonzero")).body,
  );
  assert.deepEqual(first.labels, ["time", "user"]);
  const obj = (await get("/host/nd-child/api/v1/data?chart=system.load&after=-1&options=objectrows|ms")).body;
  assert.match(obj, new RegExp(`\\{ "time": ${LAST_S}000,"load1": 0.25\\}`));
  const none = await get("/host/nd-child/api/v1/data?chart=system.cpu&dimensions=nope");
  assert.equal(none.status, 404);
});

test("data: csv, tsv, ssv, array and jsonwrap", async () => {
  const csv = (await get("/host/nd-child/api/v1/data?chart=system.cpu&after=-2&format=csv&options=seconds")).body;
  assert.equal(
    csv,
    `time,user,system\r\n${LAST_S},${formatValue(cpuValue("user", LAST_S))},1\r\n${LAST_S - 1},${
      formatValue(cpuValue("user", LAST_S - 1))
    },1\r\n`,
  );
  assert.match(
    (await get("/host/nd-child/api/v1/data?chart=system.cpu&after=-1&format=tsv")).body,
    /^time\tuser\tsystem\r\n\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\t/,
  );
  const sums = [LAST_S, LAST_S - 1].map((t) => formatValue(cpuValue("user", t) + 1));
  assert.equal(
    (await get("/host/nd-child/api/v1/data?chart=system.cpu&after=-2&format=array")).body,
    `[${sums.join(",")}]`,
  );
  assert.equal((await get("/host/nd-child/api/v1/data?chart=system.cpu&after=-2&format=ssv")).body, sums.join(" "));
  const wrap = JSON.parse(
    (await get("/host/nd-child/api/v1/data?chart=system.cpu&after=-2&format=csv&options=jsonwrap|seconds")).body,
  );
  assert.equal(wrap.result, csv.replaceAll("\r\n", "\n"));
  assert.equal(wrap.before, LAST_S);
  assert.equal(wrap.after, LAST_S - 1);
  assert.deepEqual(wrap.dimension_ids, ["user", "system"]);
  assert.deepEqual(wrap.latest_values, [Number(formatValue(cpuValue("user", LAST_S))), 1]);
  assert.equal(wrap.max, Number(formatValue(cpuValue("user", LAST_S))));
  const jw = JSON.parse((await get("/host/nd-child/api/v1/data?chart=system.load&after=-1&options=jsonwrap")).body);
  assert.deepEqual(jw.result.data, [[LAST_S, 0.25]]);
});

test("data: bad parameters are 400 with a message, unknown chart 404", async () => {
  const cases: [string, number, RegExp][] = [
    ["chart=nope", 404, /^Chart is not found: nope$/],
    ["", 400, /No chart id/],
    ["chart=system.cpu&after=abc", 400, /'after'.*'abc'/],
    ["chart=system.cpu&points=-1", 400, /'points'/],
    ["chart=system.cpu&group=median", 400, /group method 'median'/],
    ["chart=system.cpu&format=html", 400, /format 'html'/],
  ];
  for (const [query, status, message] of cases) {
    const r = await get(`/api/v1/data?${query}`);
    assert.equal(r.status, status, query);
    assert.match(r.body, message);
    assert.equal(r.contentType, "text/plain; charset=utf-8");
  }
});

test("allmetrics: shell, json and prometheus as 1.37 prints them", async () => {
  const a = api();
  const call = (q: string, ip = "localhost") => answerText(a.handle(`/host/nd-child/api/v1/allmetrics?${q}`, ip));
  const shell = (await call("format=shell")).body;
  assert.ok(
    shell.includes('\n# chart: system.cpu (name: system.cpu)\nNETDATA_SYSTEM_CPU_USER="2"      # percentage\n'),
  );
  assert.match(
    shell,
    /NETDATA_SYSTEM_CPU_IDLE="97" {6}# percentage\nNETDATA_SYSTEM_CPU_VISIBLETOTAL="3" {6}# percentage\n/,
  );
  assert.match(shell, /NETDATA_NET_ETH0_SENT="50"/);
  assert.ok(shell.endsWith("\n# NETDATA ALARMS RUNNING\n"));
  const all = JSON.parse((await call("format=json")).body);
  assert.deepEqual(all["system.load"], {
    name: "system.load",
    family: "load",
    context: "system.load",
    units: "load",
    last_updated: LAST_S,
    dimensions: { load1: { name: "load1", value: 0.25 } },
  });
  assert.match((await call("format=json")).body, /"value": 0\.2500000\n/);
  const prom = (await call("format=prometheus")).body;
  assert.match(
    prom,
    /^netdata_info\{instance="nd-child",application="netdata",version="v1\.37\.1",room="lab \\"A\\""\} 1 \d+\n/,
  );
  // First scrape: the slots of [now - 1 - 2, now - 2] minus the newest, i.e. LAST_S - 2.
  assert.match(
    prom,
    new RegExp(
      `\nnetdata_net_net_kilobits_persec_average\\{chart="net.eth0",family="eth0",dimension="sent"\\} -50.0000000 ${
        (LAST_S - 2) * 1000
      }\n`,
    ),
  );
  assert.match(prom, /netdata_system_cpu_percentage_average\{chart="system.cpu",family="cpu",dimension="idle"\}/);
  const hosts = (await call("format=prometheus_all_hosts&timestamps=no&source=sum", "10.0.0.9")).body;
  assert.match(
    hosts,
    /\nnetdata_system_load_sum\{chart="system.load",family="load",dimension="load1",instance="nd-parent"\} 0.2500000\n/,
  );
  assert.match(hosts, /instance="nd-child"\} /);
  assert.equal((await call("format=xml")).status, 400);
  assert.match((await call("format=xml")).body, /^Which format\?/);
});

test("unknown paths, commands and hosts are 404 with Netdata's words", async () => {
  assert.deepEqual([(await get("/api/v1/nope")).status, (await get("/api/v1/nope")).body], [
    404,
    "Unsupported v1 API command: nope",
  ]);
  assert.deepEqual([(await get("/host/zzz/api/v1/info")).status, (await get("/host/zzz/api/v1/info")).body], [
    404,
    "This netdata does not maintain a database for host: zzz",
  ]);
  assert.equal((await get("/index.html")).status, 404);
  assert.equal((await get("/api/v1/%zz")).status, 400);
});
