// The receiver after the handshake: a real rill StreamSender, the real 1.37 child capture, scripted children
// that break the protocol, reconnects and the older dialects.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseStreamConf } from "../../../src/config/stream_conf.ts";
import type { Host } from "../../../src/metrics/host.ts";
import { CAP_REPLICATION, CAP_VCAPS, CAP_ZSTD, COMPRESSION_CAPS } from "../../../src/protocol/capabilities.ts";
import { Logger } from "../../../src/runtime/log.ts";
import { HostStore } from "../../../src/parent/storage/host_store.ts";
import { observingRing } from "../../stream/_ring.ts";
import { StreamSender } from "../../../src/stream/sender.ts";
import { fixtureBytes, fixtureText } from "../../_fixtures.ts";
import { testHost } from "../../_hosts.ts";
import { until } from "../../_until.ts";
import {
  ACCEPTING,
  CHILD_GUID,
  KEY,
  rawChild,
  request,
  steppingClock,
  type TestParent,
  withParent,
} from "./_harness.ts";

const DEFINITION = `CHART "test.x" "" "X" "units" "fam" "test.x" "line" 1 1 "" "test.plugin" "mod"\n` +
  `DIMENSION "a" "" "absolute" 1 1 ""\nDIMENSION "b" "B name" "incremental" 1 1 "hidden"\n`;

function guid(n: number): string {
  return `00000000-e718-11f1-8984-${String(n).padStart(12, "0")}`;
}

test("a rill StreamSender: VCAPS with REPLICATION and zstd, one REPLAY_CHART per chart, REND true, then data", {
  timeout: 30_000,
}, async () => {
  await withParent({}, async (parent) => {
    const host = testHost({
      hostname: "rill-child",
      machineGuid: CHILD_GUID,
      systemInfo: { NETDATA_SYSTEM_KERNEL_NAME: "Linux" },
      programVersion: "vtest",
    });
    host.labels.set("_is_parent", { value: "false", source: 1 });
    const spec = { title: "t", units: "u", family: "f", chartType: "line", priority: 1, updateEvery: 1 } as const;
    const load = host.chart({ ...spec, id: "system.load", context: "system.load", plugin: "p", module: "m" });
    load.label("_collect_plugin", "proc.plugin", 536870913);
    const load1 = load.dimension({ id: "load1", algorithm: "absolute", multiplier: 1, divisor: 1000 });
    const cpu = host.chart({ ...spec, id: "system.cpu", context: "system.cpu", plugin: "p", module: "m" });
    const user = cpu.dimension({ id: "user", algorithm: "incremental", multiplier: 1, divisor: 1 });
    const config = parseStreamConf(
      `[stream]\n    enabled = yes\n    destination = tcp:127.0.0.1:${parent.port}\n    api key = ${KEY}\n`,
    ).stream;
    const sender = new StreamSender({
      host,
      replay: observingRing(host),
      config,
      log: new Logger("rill-child", "SENDER", () => {}),
    });
    sender.start();
    try {
      let tick = 0;
      const collect = () => {
        tick++;
        load1.set(500 + tick);
        host.collected(load, Date.now() * 1000);
        user.set(1000 * tick);
        host.collected(cpu, Date.now() * 1000);
      };
      const conn = await until("the sender connects", () => parent.receiver.connections()[0]);
      assert.ok(conn.caps & CAP_VCAPS && conn.caps & CAP_REPLICATION);
      // Both sides compress by default, as 1.37 does; between rill nodes with zstd, as 1.44 chooses.
      assert.equal(conn.caps & COMPRESSION_CAPS, CAP_ZSTD);
      const ticker = setInterval(collect, 50);
      try {
        await until("both charts finish replication", () => conn.session.replayFinished.size === 2);
        await until("data arrives for both charts", () => conn.session.updates >= 4);
      } finally {
        clearInterval(ticker);
      }
      assert.deepEqual([...conn.session.replayRequested].sort(), ["system.cpu", "system.load"]);
      const entry = parent.catalogue.byGuid(CHILD_GUID)!;
      const mirror = entry.host;
      assert.equal(mirror.identity.hostname, "rill-child");
      assert.equal(mirror.identity.programName, "rill");
      assert.equal(mirror.identity.systemInfo.NETDATA_SYSTEM_KERNEL_NAME, "Linux");
      assert.equal(mirror.labels.get("_is_parent")?.value, "false");
      assert.equal(mirror.charts.get("system.load")?.labels.get("_collect_plugin")?.value, "proc.plugin");
      assert.deepEqual(mirror.charts.get("system.load")?.dimensions.map((d) => [d.id, d.divisor]), [["load1", 1000]]);
      assert.ok(mirror.charts.get("system.cpu")!.lastCollectedUs > 0);
      assert.deepEqual(
        { ...entry.status },
        {
          reachable: true,
          hops: 1,
          sinceS: entry.status.sinceS,
          peer: conn.peer,
          capabilities: conn.caps,
          claimId: null,
        },
      );
      const store = parent.stores.get(CHILD_GUID)!;
      assert.ok(store.collections.includes("system.load") && store.collections.includes("system.cpu"));
      assert.deepEqual(store.ended.map(([, start]) => start), [true, true]);
      const prefix = `STREAM rill-child [receive from [localhost]:${conn.peer.split(":")[1]}]`;
      const infos = parent.log.filter((l) => l.includes(prefix)).map((l) => l.split(`${prefix}: `)[1]);
      assert.deepEqual(infos.slice(1), [
        "initializing communication...",
        "established link with negotiated capabilities: VCAPS HLABELS CLAIM CLABELS FUNCTIONS REPLICATION BINARY ZSTD",
        "receiving metrics...",
      ]);
      assert.match(
        infos[0],
        /^client willing to stream metrics for host 'rill-child' with machine_guid '.*': update every = 1, history = 3600, memory mode = ram, health auto, tags ''$/,
      );
    } finally {
      await sender.stop();
    }
    await until("the disconnect is seen", () => parent.receiver.connections().length === 0);
    assert.equal(parent.catalogue.byGuid(CHILD_GUID)?.status.reachable, false);
    assert.match(parent.log.at(-1) ?? "", /: disconnected \(completed \d+ updates\)\.$/);
    assert.match(parent.access.at(-1) ?? "", / 'DISCONNECTED' host 'rill-child' /);
  });
});

test("the real 1.37 child capture: 308 charts appear, REPLAY_CHART answers equal the real parent's", {
  timeout: 60_000,
}, async () => {
  await withParent({}, async (parent) => {
    const bytes = fixtureBytes("netdata-1.37-child-stream.txt");
    const text = new TextDecoder("latin1").decode(bytes.subarray(0, 4096));
    const headEnd = text.indexOf("\r\n\r\n") + 4;
    const child = await rawChild(parent.port, text.slice(0, headEnd));
    await until("the handshake", () => child.received().startsWith("Hit me baby"));
    for (let i = headEnd; i < bytes.length; i += 65536) child.socket.write(bytes.subarray(i, i + 65536));
    const ends = fixtureText("netdata-1.37-child-stream.txt").split("\nEND\n").length - 1;
    const store = parent.stores.get(CHILD_GUID)!;
    await until("every iteration is stored", () => store.collections.length === ends, 30_000);
    const replies = fixtureText("netdata-1.37-parent-replies.txt");
    await until("every REPLAY_CHART", () => child.received().length >= replies.length);
    assert.equal(child.received(), replies);
    const host = parent.catalogue.byGuid(CHILD_GUID)!.host;
    assert.equal(host.charts.size, 308);
    assert.equal([...host.charts.values()].reduce((n, c) => n + c.dimensions.length, 0) > 1200, true);
    assert.equal(host.labels.size, 21);
    assert.equal(host.charts.get("system.cpu")?.chartType, "stacked");
    // Label values are stored as 1.37 sanitizes them: the child's "[none]" reads "_none_", as on a real parent.
    assert.equal(host.charts.get("apps.cpu")?.labels.get("_collect_module")?.value, "_none_");
    assert.equal(
      host.charts.get("system.cpu")?.dimensions.find((d) => d.id === "user")?.algorithm,
      "percentage-of-incremental-row",
    );
    assert.equal(parent.catalogue.byGuid(CHILD_GUID)?.status.claimId, null);
    assert.equal(parent.receiver.connections()[0].session.replayFinished.size, 308);
    assert.equal(parent.log.filter((l) => l.includes(" ERROR ")).length, 0);
    child.socket.destroy();
  });
});

test("a bad line cuts off that child only, with 1.37's log line; what came before it is kept", {
  timeout: 30_000,
}, async () => {
  const cases: [string, RegExp][] = [
    ["FOOBAR 1 2\n", /: sent command 'FOOBAR' which is not known by netdata, for host 'bad-1'\. Disabling it\.$/],
    ['BEGIN "nope.nope" 1000000\n', /PLUGINSD: 'host:bad-2\/chart:nope\.nope' got a BEGIN but chart does not exist\.$/],
    ["SET a = 1\n", /PLUGINSD: command SET requires a chart defined via command CHART, but is not set\.$/],
    [
      'BEGIN "test.x" 1000000\nSET "zz" = 1\n',
      /requested a SET on chart 'test\.x' of host 'bad-4', without a dimension\. Disabling it\.$/,
    ],
    ['BEGIN "test.x" 1000000\nSET "a" = 12abc\n', /STREAM bad-5 .*expected a value as an integer.*Disabling it\.$/],
    [`CHART "x.${"y".repeat(20000)}"\n`, /STREAM bad-6 .*Disabling it\.$/],
    ["DISABLE\n", /PLUGINSD: plugin called DISABLE\. Disabling it\.$/],
  ];
  await withParent({}, async (parent) => {
    const good = await rawChild(parent.port, request({ hostname: "good", machine_guid: guid(99) }));
    good.write(DEFINITION);
    let goodIterations = 0;
    const tick = () => good.write(`BEGIN "test.x" 1000000\nSET "a" = ${++goodIterations}\nEND\n`);
    for (const [i, [line, logged]] of cases.entries()) {
      const name = `bad-${i + 1}`;
      const bad = await rawChild(parent.port, request({ hostname: name, machine_guid: guid(i + 1) }));
      await until("the handshake", () => bad.received().startsWith("Hit me baby"));
      bad.write(
        `${DEFINITION}BEGIN "test.x" 1000000\nSET "a" = 7\nEND\n${line}BEGIN "test.x" 1000000\nSET "a" = 8\nEND\n`,
      );
      await bad.closed;
      tick();
      assert.ok(parent.log.some((l) => logged.test(l)), `${name}: ${parent.log.slice(-3).join("\n")}`);
      const store = parent.stores.get(guid(i + 1))!;
      assert.deepEqual(store.collections, ["test.x"], name);
      assert.equal(parent.catalogue.byGuid(guid(i + 1))?.status.reachable, false);
    }
    await until(
      "the good child's iterations all arrive",
      () => parent.stores.get(guid(99))!.collections.length === goodIterations,
    );
    assert.equal(parent.receiver.connections().length, 1);
    good.socket.destroy();
  });
});

/** The test child defines test.x, sends one iteration and leaves; its store and catalogue entry once it left. */
async function visitAndLeave(parent: TestParent) {
  const first = await rawChild(parent.port, request());
  first.write(`${DEFINITION}BEGIN "test.x" 1000000\nSET "a" = 1\nEND\n`);
  const store = await until("the store", () => parent.stores.get(CHILD_GUID));
  await until("the first iteration", () => store.collections.length === 1);
  const entry = parent.catalogue.byGuid(CHILD_GUID);
  first.socket.end();
  await until("the disconnect", () => entry?.status.reachable === false);
  return { store, entry };
}

test("a reconnecting GUID gets its catalogue entry, charts and store back", { timeout: 30_000 }, async () => {
  await withParent({}, async (parent) => {
    const { store, entry } = await visitAndLeave(parent);
    const second = await rawChild(parent.port, request({ hops: "2" }));
    await until("the second connection", () => parent.receiver.connections().length === 1);
    assert.equal(parent.catalogue.byGuid(CHILD_GUID), entry);
    assert.equal(parent.stores.get(CHILD_GUID), store);
    assert.equal(entry?.status.reachable, true);
    assert.equal(entry?.status.hops, 2);
    second.write('BEGIN "test.x" 1000000\nSET "a" = 2\nEND\n');
    await until("an iteration on the known chart", () => store.collections.length === 2);
    assert.equal(parent.catalogue.all().length, 2);
    second.socket.destroy();
  });
});

test("a child the catalogue forgot starts afresh when it comes back: new entry, new store", {
  timeout: 30_000,
}, async () => {
  // 'max orphan hosts = 0': the next new child makes every disconnected one be forgotten.
  await withParent({ orphans: { forgetAfterS: 3600, deleteFiles: true, maxOrphans: 0 } }, async (parent) => {
    const { store, entry } = await visitAndLeave(parent);
    const other = await rawChild(parent.port, request({ machine_guid: guid(1), hostname: "other" }));
    await until("the other child", () => parent.receiver.connections().length === 1);
    assert.equal(parent.catalogue.byGuid(CHILD_GUID), undefined);
    const back = await rawChild(parent.port, request());
    await until("the child back", () => parent.receiver.connections().length === 2);
    const fresh = parent.catalogue.byGuid(CHILD_GUID);
    assert.ok(fresh !== undefined && fresh !== entry && fresh.host !== entry?.host);
    assert.notEqual(parent.stores.get(CHILD_GUID), store);
    assert.equal(fresh.host.charts.size, 0, "the forgotten charts are not back");
    back.write(`${DEFINITION}BEGIN "test.x" 1000000\nSET "a" = 2\nEND\n`);
    await until("an iteration in the new store", () => parent.stores.get(CHILD_GUID)?.collections.length === 1);
    assert.equal(store.collections.length, 1, "the old store got nothing");
    other.socket.destroy();
    back.socket.destroy();
  });
});

test("older dialects get the older replies and no REPLAY_CHART; [stream] enable compression = no takes it away", {
  timeout: 30_000,
}, async () => {
  const cases: [Record<string, string | undefined>, string][] = [
    [{ ver: "16376" }, 'Hit me baby, push them over with the version=15296REPLAY_CHART "test.x" "true" 0 0\n'],
    [{ ver: "5" }, "Hit me baby, push them over with the version=4"],
    [{ ver: "4" }, "Hit me baby, push them over with the version=4"],
    [{ ver: "3" }, "Hit me baby, push them over with the version=3"],
    [{ ver: "2" }, "Hit me baby, push them over and bring the host labels..."],
    [{ ver: undefined }, "Hit me baby, push them over..."],
    [{ ver: undefined, NETDATA_PROTOCOL_VERSION: undefined }, "Hit me baby, push them over..."],
  ];
  await withParent({ streamConf: `${ACCEPTING}[stream]\n    enable compression = no\n` }, async (parent) => {
    for (const [i, [params, reply]] of cases.entries()) {
      const child = await rawChild(parent.port, request({ ...params, machine_guid: guid(i + 1) }));
      child.write(`${DEFINITION}CHART_DEFINITION_END 0 0 0\nBEGIN "test.x" 0\nSET "a" = 1\nEND\n`);
      await until("the iteration", () => parent.stores.get(guid(i + 1))?.collections.length === 1);
      await until(`the reply to ${JSON.stringify(params)}`, () => child.received().length >= reply.length);
      assert.equal(child.received(), reply);
      child.socket.destroy();
    }
  });
});

test(
  "a headless 1.37 proxy's retention 18446744073709551614 0 (-2: it stores nothing): logged as malformed, nothing asked, streaming goes on",
  {
    timeout: 30_000,
  },
  async () => {
    await withParent({}, async (parent) => {
      const child = await rawChild(parent.port, request());
      const now = Math.floor(Date.now() / 1000);
      // As a 1.37 proxy in memory mode none forwards a headless child's chart (captured).
      child.write(`${DEFINITION}CHART_DEFINITION_END 18446744073709551614 0 ${now}\n`);
      await until("the request", () => child.received().endsWith(`REPLAY_CHART "test.x" "true" 0 0\n`));
      child.write(
        `RBEGIN "test.x"\nREND 1 18446744073709551614 ${now} true 0 0 ${now}\nBEGIN "test.x" 0\nSET "a" = 1\nEND\n`,
      );
      await until("the iteration", () => parent.stores.get(CHILD_GUID)?.collections.length === 1);
      assert.match(
        parent.log.join("\n"),
        /'host:[^']+\/chart:test\.x' got a CHART_DEFINITION_END with malformed timings \(first time -2, last time 0/,
      );
      assert.doesNotMatch(parent.log.join("\n"), /refus|Disabling/i);
      child.socket.destroy();
    });
  },
);

test("replication with history: RSETs stored at their slots, REND false asks again from its 'before'", {
  timeout: 30_000,
}, async () => {
  await withParent({}, async (parent) => {
    const child = await rawChild(parent.port, request());
    const now = Math.floor(Date.now() / 1000);
    const [first, last] = [now - 100, now - 1];
    child.write(`${DEFINITION}CHART_DEFINITION_END ${first} ${last} ${now}\n`);
    const ask1 = `REPLAY_CHART "test.x" "true" ${first} ${last}\n`;
    await until("the first request", () => child.received().endsWith(ask1));
    child.write(
      `RBEGIN "test.x"\nRBEGIN '' ${last - 1} ${last} ${now}\nRSET "a" 10 ""\nRSET "b" NAN "E"\n` +
        `RBEGIN '' ${now + 60} ${now + 61} ${now}\nRSET "a" 11 ""\n` +
        `RSSTATE ${last}000000 ${last}000000\nREND 1 ${first} ${last} false ${first} ${last} ${now}\n`,
    );
    const ask2 = `REPLAY_CHART "test.x" "true" ${last} ${last}\n`;
    await until("the continuation", () => child.received().endsWith(ask2));
    child.write(`RBEGIN "test.x"\nRDSTATE "a" ${last}000000 10 10.0 10.0\nREND 1 ${first} ${last} true 0 0 ${now}\n`);
    const store = parent.stores.get(CHILD_GUID)!;
    await until("the end of replication", () => store.ended.length === 2);
    assert.deepEqual(store.begun, [["test.x", last - 1, last]]);
    assert.equal(store.replayed.length, 2);
    assert.deepEqual(store.replayed[0], ["test.x", last, "a", 10, false]);
    assert.deepEqual(store.replayed[1].slice(0, 3), ["test.x", last, "b"]);
    assert.ok(Number.isNaN(store.replayed[1][3]));
    assert.deepEqual(store.restored, [["test.x", "a", 10]]);
    assert.deepEqual(store.ended, [["test.x", false], ["test.x", true]]);
    assert.ok(parent.log.some((l) => l.includes("got a RBEGIN from") && l.endsWith("Ignoring RSET")));
    assert.equal(parent.receiver.connections()[0].session.replayFinished.has("test.x"), true);
    child.socket.destroy();
  });
});

test("a silent child is cut off after the receive timeout; close() ends the others with a FIN", {
  timeout: 30_000,
}, async () => {
  await withParent({ receiver: { timeoutSeconds: 1 } }, async (parent) => {
    const silent = await rawChild(parent.port, request());
    await silent.closed;
    assert.ok(parent.log.some((l) => l.endsWith("read failed: no data for 1 seconds.")));
    const other = await rawChild(parent.port, request({ machine_guid: guid(1) }));
    await until("connected", () => parent.receiver.connections().length === 1);
    let ended = false;
    other.socket.once("end", () => ended = true);
    await parent.receiver.close();
    await other.closed;
    assert.equal(ended, true);
  });
});

test("with the real HostStore: replayed and live points land in the child's series", { timeout: 30_000 }, async () => {
  const log = new Logger("rill-parent", "STORE", () => {});
  const createStore = (policy: { history: number }, host: Host) =>
    new HostStore(host, { mode: "ram", history: policy.history, log });
  await withParent({ receiver: { createStore } }, async (parent) => {
    const child = await rawChild(parent.port, request());
    const now = Math.floor(Date.now() / 1000);
    child.write(`${DEFINITION}CHART_DEFINITION_END ${now - 3} ${now - 1} ${now}\n`);
    await until("the request", () => child.received().endsWith(`REPLAY_CHART "test.x" "true" ${now - 3} ${now - 1}\n`));
    let replay = 'RBEGIN "test.x"\n';
    for (let t = now - 3; t < now; t++) {
      replay += `RBEGIN '' ${t - 1} ${t} ${now}\nRSET "a" ${t % 100} ""\nRSET "b" 0 ""\n`;
    }
    child.write(`${replay}RSSTATE ${now - 1}000000 ${now - 1}000000\nREND 1 ${now - 3} ${now - 1} true 0 0 ${now}\n`);
    const series = await until("the series", () => parent.catalogue.byGuid(CHILD_GUID)?.series.series("test.x"));
    await until("the replayed points", () => series.lastTimeS() === now - 1);
    const window = series.read(["a"], now - 3, now - 1);
    // Stored words read back as 1.37 reads them (mantissa × 1e-n), which can be an ulp off the integer.
    const read = [...window.columns[0]].map((v) => Math.round(v * 1e7) / 1e7);
    assert.deepEqual(read, [(now - 3) % 100, (now - 2) % 100, (now - 1) % 100]);
    for (let i = 0; i < 3; i++) {
      child.write(`BEGIN "test.x" 1000000\nSET "a" = 5\nSET "b" = ${i}\nEND\n`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    await until("a live point", () => series.lastTimeS() >= now + 1, 5_000);
    child.socket.destroy();
  });
});

test("a child sending its GUID in upper case is kept under the lower-case GUID, CLAIMED_ID in any case", {
  timeout: 30_000,
}, async () => {
  await withParent({}, async (parent) => {
    const upper = CHILD_GUID.toUpperCase();
    const child = await rawChild(parent.port, request({ machine_guid: upper }));
    const claim = "33333333-4444-5555-6666-777777777777";
    child.write(`CLAIMED_ID ${upper} ${claim}\n`);
    const entry = await until("the claim", () => {
      const e = parent.catalogue.byGuid(upper);
      return e?.status.claimId === claim ? e : undefined;
    });
    assert.equal(entry.host.identity.machineGuid, CHILD_GUID);
    assert.equal(parent.catalogue.byGuid(CHILD_GUID), entry);
    assert.deepEqual([...parent.stores.keys()], [CHILD_GUID]);
    assert.ok(parent.log.some((l) => l.includes(`with machine_guid '${CHILD_GUID}'`)));
    child.socket.destroy();
  });
});

test("a child whose hostname leads elsewhere in /host/<hostname>/ is told which URL is its own", {
  timeout: 30_000,
}, async () => {
  await withParent({}, async (parent) => {
    const first = await rawChild(parent.port, request({ hostname: "nd-parent" }));
    await until("the child named like the parent", () => first.received().startsWith("Hit me baby"));
    assert.ok(
      parent.log.some((l) =>
        l.endsWith(
          `/host/nd-parent/ does not lead to this host: it names this parent with machine GUID 16323fac-e719-11f1-a295-02fc00000001; use /host/${CHILD_GUID}/`,
        )
      ),
      parent.log.join("\n"),
    );
    const twin = await rawChild(parent.port, request({ hostname: "edge", machine_guid: guid(1) }));
    await until("the first edge", () => twin.received().startsWith("Hit me baby"));
    assert.equal(parent.log.filter((l) => l.includes("does not lead to this host")).length, 1);
    const second = await rawChild(parent.port, request({ hostname: "edge", machine_guid: guid(2) }));
    await until("the second edge", () => second.received().startsWith("Hit me baby"));
    assert.ok(
      parent.log.some((l) =>
        l.endsWith(`/host/edge/ does not lead to this host: 2 connected hosts use it; use /host/${guid(2)}/`)
      ),
      parent.log.join("\n"),
    );
    for (const c of [first, twin, second]) c.socket.destroy();
  });
});

test(
  "alternating DIMENSION and bare BEGIN/END 3,000 times costs in proportion: a few dozen blocks of columns, none copied",
  {
    timeout: 60_000,
  },
  async () => {
    const conf = `${ACCEPTING}    max dimensions per chart = 3000\n`;
    const capacities = new Set<number>();
    const log = new Logger("rill-parent", "STORE", () => {});
    const createStore = (policy: { history: number }, host: Host) => {
      const store = new HostStore(host, { mode: "ram", history: policy.history, log });
      // Heard after the store (observers are called in order): the chart's room once it stored the iteration.
      host.observe({
        collected: (chart) => capacities.add(store.series(chart.id)!.capacity),
        changed() {},
        variableChanged() {},
      });
      return store;
    };
    await withParent({ streamConf: conf, receiver: { createStore, now: steppingClock(1000) } }, async (parent) => {
      const child = await rawChild(parent.port, request());
      let text = 'CHART "grow.x" "" "t" "u" "f" "grow.x" "line" 1 1 "" "p" "m"\n';
      for (let d = 0; d < 3000; d++) text += `DIMENSION "dimension-${d}" "" "absolute" 1 1 ""\nBEGIN "grow.x"\nEND\n`;
      child.write(text);
      const connection = await until("the connection", () => parent.receiver.connections()[0]);
      await until("every iteration", () => connection.session.updates === 3000, 50_000);
      const series = connection.entry.series.series("grow.x")!;
      assert.equal(series.chart.dimensions.length, 3000);
      // A block of columns with half as much room again each time (at most 256), nothing copied: 25 blocks.
      assert.ok(capacities.size <= 30, `${capacities.size} blocks: ${[...capacities].join(" ")}`);
      assert.ok(Math.max(...capacities) <= 3000 + 256);
      assert.ok(series.lastTimeS() > 0);
      child.socket.destroy();
    });
  },
);
