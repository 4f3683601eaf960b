// Per-child limits through the real Receiver and HostStore: the reproducers (a child defining 100,000
// charts, 200,000 dimensions) end with the counts at their limits, one log line per limit naming the child,
// the child cut off once it has too many refused ids, and another child's data still flowing. Refused
// definitions' later lines are ignored, not protocol errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MAX_REFUSED_IDS } from "../../../src/parent/receiver/limits.ts";
import type { ReceiverConnection } from "../../../src/parent/receiver/child_connection.ts";
import { until } from "../../_until.ts";
import { ACCEPTING, CHILD_GUID, KEY, ramStores, rawChild, request, type TestParent, withParent } from "./_harness.ts";

function guid(n: number): string {
  return `00000000-e718-11f1-8984-${String(n).padStart(12, "0")}`;
}

function chartLine(id: string): string {
  return `CHART "${id}" "" "t" "u" "f" "${id}" "line" 1 1 "" "p" "m"\n`;
}

function dimensionLine(id: string): string {
  return `DIMENSION "${id}" "" "absolute" 1 1 ""\n`;
}

/** A child streaming one chart, an iteration per `tick()`; `updates()` counts what the parent completed. */
async function goodChild(parent: TestParent) {
  const child = await rawChild(parent.port, request({ hostname: "good", machine_guid: guid(99) }));
  child.write(`${chartLine("good.x")}${dimensionLine("a")}`);
  const connection = await until("the good child", () => connectionOf(parent, "good"));
  let sent = 0;
  return {
    child,
    tick: () => child.write(`BEGIN "good.x" 1000000\nSET "a" = ${++sent}\nEND\n`),
    updates: () => connection.session.updates,
  };
}

function connectionOf(parent: TestParent, hostname: string): ReceiverConnection | undefined {
  return parent.receiver.connections().find((c) => c.entry.host.identity.hostname === hostname);
}

function lineWith(parent: TestParent, text: string): string | undefined {
  return parent.log.find((l) => l.includes(text));
}

test("a child defining 100,000 charts gets 10,000, one log line, and is cut off past the refused-id bound", {
  timeout: 60_000,
}, async () => {
  await withParent({ receiver: { createStore: ramStores(5) } }, async (parent) => {
    const good = await goodChild(parent);
    good.tick();
    await until("the good child's first iteration", () => good.updates() === 1);
    const bad = await rawChild(parent.port, request({ hostname: "bad", machine_guid: guid(1) }));
    const lines: string[] = [];
    for (let i = 0; i < 100_000; i++) lines.push(chartLine(`c.c${i}`));
    bad.write(lines.join(""));
    const port = bad.socket.localPort;
    await bad.closed;
    const host = parent.catalogue.byGuid(guid(1))!.host;
    assert.equal(host.charts.size, 10_000);
    const prefix = `STREAM bad [receive from [localhost]:${port}]`;
    assert.ok(
      lineWith(
        parent,
        `${prefix}: reached 'max charts per host' (10000): further charts refused, starting with 'c.c10000'.`,
      ),
      parent.log.slice(-5).join("\n"),
    );
    assert.equal(parent.log.filter((l) => l.includes("reached 'max charts per host'")).length, 1);
    assert.ok(
      lineWith(parent, `${prefix}: ${MAX_REFUSED_IDS + 1} charts and dimensions refused for the host's limits`),
      parent.log.slice(-5).join("\n"),
    );
    good.tick();
    await until("the good child's data still flows", () => good.updates() === 2);
    good.child.socket.destroy();
  });
});

test("a child defining 200,000 dimensions: 2,000 per chart and 50,000 per host at most, its iterations still stored", {
  timeout: 60_000,
}, async () => {
  await withParent({ receiver: { createStore: ramStores(5) } }, async (parent) => {
    const good = await goodChild(parent);
    const bad = await rawChild(parent.port, request({ hostname: "bad", machine_guid: guid(1) }));
    // One chart past the per-chart limit, with a SET for every dimension asked for: the refused ones are ignored.
    let wide = chartLine("wide.x");
    let sets = 'BEGIN "wide.x" 1000000\n';
    for (let d = 0; d < 2100; d++) {
      wide += dimensionLine(`d${d}`);
      sets += `SET "d${d}" = ${d}\n`;
    }
    bad.write(`${wide}${sets}END\n`);
    const store = await until("the bad child's store", () => parent.catalogue.byGuid(guid(1))?.series);
    await until("the wide chart's iteration", () => connectionOf(parent, "bad")?.session.updates === 1);
    assert.equal(store.series("wide.x")?.chart.dimensions.length, 2000);
    assert.ok(
      lineWith(
        parent,
        "reached 'max dimensions per chart' (2000): further dimensions refused, starting with 'd2000' of chart 'wide.x'.",
      ),
    );
    // Then 100 charts of 2,000 dimensions each: the host fills up at 50,000.
    for (let c = 0; c < 100; c++) {
      const lines = [chartLine(`many.c${c}`)];
      for (let d = 0; d < 2000; d++) lines.push(dimensionLine(`d${d}`));
      bad.write(lines.join(""));
    }
    await bad.closed;
    const host = parent.catalogue.byGuid(guid(1))!.host;
    let total = 0;
    for (const chart of host.charts.values()) {
      assert.ok(chart.dimensions.length <= 2000, chart.id);
      total += chart.dimensions.length;
    }
    assert.equal(total, 50_000);
    assert.ok(
      lineWith(
        parent,
        "reached 'max dimensions per host' (50000): further dimensions refused, starting with 'd0' of chart 'many.c24'.",
      ),
    );
    assert.ok(lineWith(parent, `${MAX_REFUSED_IDS + 1} charts and dimensions refused for the host's limits`));
    good.tick();
    await until("the good child's data still flows", () => good.updates() === 1);
    good.child.socket.destroy();
  });
});

test("a refused chart's lines are ignored and the child's other charts keep flowing", { timeout: 30_000 }, async () => {
  const conf = `${ACCEPTING}    max charts per host = 1\n`;
  await withParent({ streamConf: conf, receiver: { createStore: ramStores(5) } }, async (parent) => {
    const child = await rawChild(parent.port, request());
    const now = Math.floor(Date.now() / 1000);
    child.write(
      `${chartLine("kept.x")}${dimensionLine("a")}` +
        `${chartLine("over.y")}${dimensionLine("b")}CLABEL "k" "v" 1\nCLABEL_COMMIT\nVARIABLE CHART v = 1\n` +
        `VARIABLE v2 = 2\nCHART_DEFINITION_END ${now - 10} ${now} ${now}\n` +
        `BEGIN "over.y" 1000000\nSET "b" = 1\nEND\n` +
        `RBEGIN "over.y"\nRBEGIN '' ${now - 2} ${now - 1} ${now}\nRSET "b" 1 ""\nRDSTATE "b" 1 1 1 1\n` +
        `RSSTATE 1 1\nREND 1 ${now - 10} ${now} true 0 0 ${now}\n` +
        `BEGIN "kept.x" 1000000\nSET "a" = 1\nEND\nBEGIN "over.y" 1000000\nSET "b" = 2\nEND\n` +
        `BEGIN "kept.x" 1000000\nSET "a" = 2\nEND\n`,
    );
    const connection = await until("the connection", () => parent.receiver.connections()[0]);
    await until("both iterations of the kept chart", () => connection.session.updates === 2);
    const host = connection.entry.host;
    assert.deepEqual([...host.charts.keys()], ["kept.x"]);
    assert.equal(host.variables.size, 0);
    assert.equal(parent.log.filter((l) => l.includes(" ERROR ")).length, 1, parent.log.join("\n"));
    assert.ok(lineWith(parent, "reached 'max charts per host' (1): further charts refused, starting with 'over.y'."));
    // Nothing asked of the refused chart: no REPLAY_CHART went out for it.
    assert.equal(child.received().includes("over.y"), false);
    // A chart never defined is still a protocol error.
    child.write('BEGIN "never.z" 1000000\n');
    await child.closed;
    assert.match(parent.log.at(-2) ?? "", /'host:nd-child\/chart:never\.z' got a BEGIN but chart does not exist\.$/);
  });
});

test("custom variables: 1,000 per host, one log line", { timeout: 30_000 }, async () => {
  await withParent({ receiver: { createStore: ramStores(5) } }, async (parent) => {
    const child = await rawChild(parent.port, request());
    let variables = "";
    for (let i = 0; i < 1100; i++) variables += `VARIABLE HOST v${i} = ${i}\n`;
    child.write(variables);
    await until("the refusal", () => lineWith(parent, "reached 1000 custom variables"));
    const host = await until("the last variable line", () => {
      const h = parent.catalogue.byGuid(CHILD_GUID)?.host;
      return h?.variables.get("v999") === 999 && h;
    });
    assert.equal(host.variables.size, 1000);
    assert.equal(parent.log.filter((l) => l.includes("custom variables")).length, 1);
    child.socket.destroy();
  });
});

test("labels: at most 'max labels per host' host labels and per chart, names and values cut as 1.37 does", {
  timeout: 30_000,
}, async () => {
  const conf = `${ACCEPTING}[${guid(1)}]\n    type = machine\n    max labels per host = 3\n`;
  await withParent({ streamConf: conf, receiver: { createStore: ramStores(5) } }, async (parent) => {
    const child = await rawChild(parent.port, request({ machine_guid: guid(1) }));
    let labels = "";
    for (let i = 0; i < 5; i++) labels += `LABEL "l${i}" = 1 "${"v".repeat(1000)}"\n`;
    let clabels = "";
    for (let i = 0; i < 5; i++) clabels += `CLABEL "c${i}" "v" 1\n`;
    child.write(`${labels}OVERWRITE labels\n${chartLine("test.x")}${dimensionLine("a")}${clabels}CLABEL_COMMIT\n`);
    const host = await until("the host labels", () => {
      const h = parent.catalogue.byGuid(guid(1))?.host;
      return h !== undefined && h.labels.size > 0 && h.charts.get("test.x")?.labels.size === 3 && h;
    });
    assert.deepEqual([...host.labels.keys()], ["l0", "l1", "l2"]);
    assert.equal(host.labels.get("l0")?.value, "v".repeat(799));
    assert.deepEqual([...host.charts.get("test.x")!.labels.keys()], ["c0", "c1", "c2"]);
    assert.ok(lineWith(parent, "reached 'max labels per host' (3): further host labels refused, starting with 'l3'."));
    assert.ok(
      lineWith(
        parent,
        "reached 'max labels per host' (3): further labels of chart 'test.x' refused, starting with 'c3'.",
      ),
    );
    assert.equal(parent.log.filter((l) => l.includes("reached 'max labels per host'")).length, 2);
    child.socket.destroy();
  });
});

test("the key section's limits apply to every child using the key", { timeout: 30_000 }, async () => {
  const conf = `[${KEY}]\n    enabled = yes\n    default memory mode = ram\n    max dimensions per chart = 2\n`;
  await withParent({ streamConf: conf, receiver: { createStore: ramStores(5) } }, async (parent) => {
    const child = await rawChild(parent.port, request());
    child.write(`${chartLine("test.x")}${dimensionLine("a")}${dimensionLine("b")}${dimensionLine("c")}`);
    await until("the refusal", () => lineWith(parent, "reached 'max dimensions per chart' (2)"));
    assert.deepEqual(parent.catalogue.byGuid(CHILD_GUID)?.host.charts.get("test.x")?.dimensions.map((d) => d.id), [
      "a",
      "b",
    ]);
    child.socket.destroy();
  });
});
