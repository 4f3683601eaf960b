import { test } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseStreamConf } from "../../src/config/stream_conf.ts";
import type { ChildCommand } from "../../src/protocol/commands.ts";
import { ChildStreamDecoder } from "../../src/protocol/stream_decoder.ts";
import { Logger } from "../../src/runtime/log.ts";
import type { ReplicationRequest } from "../../src/metrics/replication_answer.ts";
import type { ReplaySource } from "../../src/stream/replay_source.ts";
import { observingRing } from "./_ring.ts";
import { StreamSender } from "../../src/stream/sender.ts";
import { SHARED_FIXTURES } from "../_fixtures.ts";
import { CPU_CHART, LOAD_CHART, testHost } from "../_hosts.ts";
import { until } from "../_until.ts";
import { fakeParent } from "./_fake_parent.ts";

const KEY = "11111111-2222-3333-4444-555555555555";
const GUID = "82be38ca-e718-11f1-8984-000000000042";

function streamConfig(destination: string, extra = "") {
  return parseStreamConf(
    `[stream]\n    enabled = yes\n    destination = ${destination}\n    api key = ${KEY}\n    reconnect delay seconds = 1\n${extra}`,
  ).stream;
}

/** A host with two charts, and a function that collects one iteration of both. */
function collectingHost() {
  const host = testHost({
    machineGuid: GUID,
    systemInfo: { NETDATA_SYSTEM_KERNEL_NAME: "Linux" },
    programVersion: "vtest",
  });
  host.labels.set("_is_parent", { value: "false", source: 1 });
  const load = host.chart(LOAD_CHART);
  load.label("_collect_plugin", "proc.plugin", 536870913);
  const load1 = load.dimension({ id: "load1", algorithm: "absolute", multiplier: 1, divisor: 1000 });
  const cpu = host.chart(CPU_CHART);
  const user = cpu.dimension({ id: "user", algorithm: "percentage-of-incremental-row", multiplier: 1, divisor: 1 });
  let tick = 0;
  const collect = () => {
    tick++;
    const now = (1_795_423_000 + tick) * 1e6;
    load1.set(500 + tick);
    host.collected(load, now);
    user.set(1000 * tick);
    host.collected(cpu, now);
  };
  return { host, collect };
}

/**
 * A sender whose parent takes the handshake and never reads after it; its host has one chart of `n` absolute
 * dimensions, to make big iterations, and `collect(i)` collects iteration `i` of it.
 */
async function stalledSender(n: number, extraConfig: string) {
  const parent = await fakeParent({ reply: "Hit me baby, push them over with the version=4", read: "never" });
  const { host } = collectingHost();
  const wide = host.chart({
    id: "test.wide",
    title: "wide",
    units: "x",
    family: "x",
    context: "test.wide",
    chartType: "line",
    priority: 1,
    updateEvery: 1,
    plugin: "test",
    module: "",
  });
  const dims = Array.from(
    { length: n },
    (_, i) => wide.dimension({ id: `dimension_${i}`, algorithm: "absolute", multiplier: 1, divisor: 1 }),
  );
  const collect = (i: number) => {
    for (const d of dims) d.set(1_000_000_000 + i);
    host.collected(wide, (1_795_423_000 + i) * 1e6);
  };
  const { lines, log } = logger();
  const sender = new StreamSender({
    host,
    replay: observingRing(host),
    config: streamConfig(`127.0.0.1:${parent.port}`, extraConfig),
    log,
  });
  return { parent, sender, lines, collect };
}

function logger() {
  const lines: string[] = [];
  return { lines, log: new Logger("rill-test", "TEST", (l) => lines.push(l)) };
}

const kinds = (commands: ChildCommand[]) => commands.map((c) => c.kind);

test("sender: VCAPS handshake, definitions, REPLAY_CHART answered as a database-less 1.37 child, then data", {
  timeout: 30_000,
}, async () => {
  const parent = await fakeParent({ reply: "Hit me baby, push them over with the version=15296" });
  const { host, collect } = collectingHost();
  const { lines, log } = logger();
  const sender = new StreamSender({
    host,
    replay: observingRing(host),
    config: streamConfig(`127.0.0.1:${parent.port}`),
    log,
  });
  try {
    collect();
    sender.start();
    await until("a connection", () => sender.connectedTo);
    // A chart's iterations go out only once its replication round is answered: collect after both were,
    // or a slow machine collects all three while the round is still on the wire and none is sent.
    await until(
      "both charts' replication answered",
      () => parent.commands.filter((c) => c.kind === "REND").length >= 2,
    );
    for (let i = 0; i < 3; i++) collect();
    await until("data", () => parent.commands.filter((c) => c.kind === "END").length >= 4);

    assert.match(parent.requests[0], /^STREAM key=11111111-2222-3333-4444-555555555555&hostname=rill-test&/);
    // What a 1.37 child offers with compression on (the default); this parent answers without it.
    // What a 1.37 child offers (16376), and zstd.
    assert.match(parent.requests[0], /&ver=540664&/);
    assert.match(parent.requests[0], /User-Agent: rill\/vtest\r\n/);
    const seq = kinds(parent.commands);
    assert.deepEqual(seq.slice(0, 3), ["CLAIMED_ID", "LABEL", "OVERWRITE"]);
    // No data for a chart before its replication round was answered.
    const firstBegin = seq.indexOf("BEGIN");
    assert.ok(seq.indexOf("REND") < firstBegin, seq.join(" "));
    const rend = parent.commands.find((c) => c.kind === "REND");
    assert.ok(rend?.kind === "REND" && rend.startStreaming && rend.firstEntry === 0, JSON.stringify(rend));
    const rdstate = parent.commands.find((c) => c.kind === "RDSTATE" && c.dimension === "load1");
    assert.ok(rdstate?.kind === "RDSTATE" && rdstate.lastCollected === 501, JSON.stringify(rdstate));
    const chart = parent.commands.find((c) => c.kind === "CHART" && c.id === "system.load");
    // The definition as it was made: proc.plugin's system.load, no name, no options.
    assert.deepEqual(chart, { kind: "CHART", ...LOAD_CHART, name: "", options: "   " });
    const sets = parent.commands.filter((c) => c.kind === "SET" && c.dimension === "load1").map((c) =>
      c.kind === "SET" ? c.value : undefined
    );
    assert.ok(sets.length >= 3 && sets.every((v, i, all) => i === 0 || Number(v) === Number(all[i - 1]) + 1));
    const begins = parent.commands.filter((c) => c.kind === "BEGIN");
    // With REPLICATION the real interval goes out from the first BEGIN on.
    assert.ok(begins.every((b) => b.kind === "BEGIN" && b.microseconds === 1_000_000), JSON.stringify(begins));
    assert.ok(lines.some((l) => l.includes("[send to 127.0.0.1:") && l.endsWith("connecting...")));
    assert.ok(lines.some((l) => l.includes("initializing communication...")));
    assert.ok(lines.some((l) => l.includes("waiting response from remote netdata...")));
    assert.ok(lines.some((l) => l.includes("established communication - sending metrics...")));
  } finally {
    await sender.stop();
    await parent.close();
  }
});

test(
  "sender: REPLAY_CHART is answered from the injected ReplaySource; data flows only after an answer that starts it",
  {
    timeout: 30_000,
  },
  async () => {
    const parent = await fakeParent({ reply: "Hit me baby, push them over with the version=15296" });
    const { host, collect } = collectingHost();
    const { lines, log } = logger();
    const ring = observingRing(host);
    const requests: ReplicationRequest[] = [];
    // system.cpu has "no history"; system.load's answer is the ring's with streaming held back.
    const replay: ReplaySource = {
      replay(request) {
        requests.push(request);
        if (request.chartId === "system.cpu") return undefined;
        return ring.replay(request)?.map((c) => c.kind === "REND" ? { ...c, startStreaming: false } : c);
      },
    };
    const sender = new StreamSender({ host, replay, config: streamConfig(`127.0.0.1:${parent.port}`), log });
    try {
      collect();
      sender.start();
      await until("both charts asked for", () => requests.length >= 2);
      await until("the load chart's answer", () => parent.commands.some((c) => c.kind === "REND"));
      await until("the cpu chart refused", () => lines.find((l) => l.includes("has no history to replay")));
      for (let i = 0; i < 3; i++) collect();
      // A later iteration carries a host variable change, which is sent at once: it shows the iterations
      // above were handled and held back.
      host.variable("marker", 1);
      await until("the marker", () => parent.commands.some((c) => c.kind === "VARIABLE" && c.name === "marker"));
      assert.deepEqual(requests.map((r) => [r.chartId, r.startStreaming]).sort(), [
        ["system.cpu", true],
        ["system.load", true],
      ]);
      assert.equal(parent.commands.filter((c) => c.kind === "BEGIN").length, 0);
      const rend = parent.commands.find((c) => c.kind === "REND");
      assert.ok(rend?.kind === "REND" && !rend.startStreaming, JSON.stringify(rend));
    } finally {
      await sender.stop();
      await parent.close();
    }
  },
);

test("sender: an old parent (version=4) gets chart labels, no replication, and 0 for the first resync iterations", {
  timeout: 30_000,
}, async () => {
  const parent = await fakeParent({ reply: "Hit me baby, push them over with the version=4" });
  const { host, collect } = collectingHost();
  const { log } = logger();
  const sender = new StreamSender({
    host,
    replay: observingRing(host),
    config: streamConfig(`127.0.0.1:${parent.port}`, "    initial clock resync iterations = 2\n"),
    log,
  });
  try {
    collect();
    sender.start();
    await until("a connection", () => sender.connectedTo);
    for (let i = 0; i < 4; i++) collect();
    await until(
      "data",
      () => parent.commands.filter((c) => c.kind === "BEGIN" && c.chart === "system.load").length >= 4,
    );
    const seq = kinds(parent.commands);
    // version=4 means VN + HLABELS + CLAIM + CLABELS: labels and claim id, but no replication.
    assert.ok(!seq.includes("CHART_DEFINITION_END") && !seq.includes("RBEGIN"), seq.join(" "));
    assert.ok(seq.includes("CLAIMED_ID") && seq.includes("CLABEL") && seq.includes("LABEL"));
    const micros = parent.commands.flatMap((c) =>
      c.kind === "BEGIN" && c.chart === "system.load" ? [c.microseconds] : []
    );
    assert.deepEqual(micros.slice(0, 4), [0, 0, 1_000_000, 1_000_000]);
  } finally {
    await sender.stop();
    await parent.close();
  }
});

test("sender: host variables go out on connect and again whenever they change", { timeout: 30_000 }, async () => {
  const parent = await fakeParent({ reply: "Hit me baby, push them over with the version=15296" });
  const { host, collect } = collectingHost();
  host.variable("active_processors", 2);
  const sender = new StreamSender({
    host,
    replay: observingRing(host),
    config: streamConfig(`127.0.0.1:${parent.port}`),
    log: logger().log,
  });
  try {
    collect();
    sender.start();
    await until("a connection", () => sender.connectedTo);
    host.variable("active_processors", 2);
    host.variable("active_processors", 4);
    const variables = () =>
      parent.commands.flatMap((c) => c.kind === "VARIABLE" ? [`${c.scope} ${c.name}=${c.value}`] : []);
    await until("the new value", () => variables().length >= 2);
    assert.deepEqual(variables(), ["HOST active_processors=2", "HOST active_processors=4"]);
  } finally {
    await sender.stop();
    await parent.close();
  }
});

test("sender: the V1 reply gets neither host nor chart labels", { timeout: 30_000 }, async () => {
  const parent = await fakeParent({ reply: "Hit me baby, push them over..." });
  const { host, collect } = collectingHost();
  const sender = new StreamSender({
    host,
    replay: observingRing(host),
    config: streamConfig(`127.0.0.1:${parent.port}`),
    log: logger().log,
  });
  try {
    collect();
    sender.start();
    await until("a connection", () => sender.connectedTo);
    collect();
    await until("data", () => parent.commands.some((c) => c.kind === "END"));
    const seq = kinds(parent.commands);
    assert.ok(!seq.includes("LABEL") && !seq.includes("CLABEL") && !seq.includes("OVERWRITE"), seq.join(" "));
  } finally {
    await sender.stop();
    await parent.close();
  }
});

test("sender: send charts matching is evaluated on the id or the name", { timeout: 30_000 }, async () => {
  const parent = await fakeParent({ reply: "Hit me baby, push them over with the version=15296" });
  const { host, collect } = collectingHost();
  const sender = new StreamSender({
    host,
    replay: observingRing(host),
    config: streamConfig(`127.0.0.1:${parent.port}`, "    send charts matching = !system.cpu system.*\n"),
    log: logger().log,
  });
  try {
    collect();
    sender.start();
    await until("a connection", () => sender.connectedTo);
    collect();
    collect();
    await until("data", () => parent.commands.some((c) => c.kind === "END"));
    const charts = parent.commands.flatMap((c) => c.kind === "CHART" ? [c.id] : []);
    assert.deepEqual(charts, ["system.load"]);
    assert.ok(!parent.commands.some((c) => c.kind === "BEGIN" && c.chart === "system.cpu"));
  } finally {
    await sender.stop();
    await parent.close();
  }
});

for (
  const [reply, logged, seconds] of [
    ["You are not permitted to access this. Check the logs for more info.", "remote server denied access", 60],
    ["This GUID is already streaming to this server", "is already streamed to it", 120],
    ["Don't hit me baby, you are trying to stream my localhost back", "is its localhost", 3600],
    ["The server is too busy now to accept this request. Try later.", "currently busy", 120],
    ["HTTP/1.1 404 Not Found\r\n\r\n", "server is not replying properly (is it a netdata?).", 60],
  ] as const
) {
  test(
    `sender: refusal '${reply.slice(0, 30)}…' is logged, that parent is postponed ${seconds} s and the next one used`,
    {
      timeout: 30_000,
    },
    async () => {
      const refusing = await fakeParent({ reply });
      const accepting = await fakeParent({ reply: "Hit me baby, push them over with the version=15296" });
      const { host, collect } = collectingHost();
      const { lines, log } = logger();
      const sender = new StreamSender({
        host,
        replay: observingRing(host),
        config: streamConfig(`127.0.0.1:${refusing.port} 127.0.0.1:${accepting.port}`),
        log,
      });
      try {
        collect();
        sender.start();
        await until("the second destination", () => sender.connectedTo?.port === accepting.port);
        assert.ok(
          lines.some((l) => l.includes(logged) && l.endsWith(`will retry in ${seconds} secs.`)),
          lines.join("\n"),
        );
        assert.equal(refusing.connections(), 1);
      } finally {
        await sender.stop();
        await refusing.close();
        await accepting.close();
      }
    },
  );
}

test("sender: failover keeps the working parent, and tries the first again after the second drops", {
  timeout: 30_000,
}, async () => {
  const second = await fakeParent({ reply: "Hit me baby, push them over with the version=15296" });
  // A port that is free now and nobody listens on: the first destination is down.
  const probe = await fakeParent({ reply: undefined });
  const firstPort = probe.port;
  await probe.close();
  const { host, collect } = collectingHost();
  const { lines, log } = logger();
  let first: Awaited<ReturnType<typeof fakeParent>> | undefined;
  const sender = new StreamSender({
    host,
    replay: observingRing(host),
    config: streamConfig(`127.0.0.1:${firstPort} 127.0.0.1:${second.port}`),
    log,
  });
  try {
    collect();
    sender.start();
    await until("the second destination", () => sender.connectedTo?.port === second.port);
    assert.ok(
      lines.some((l) =>
        l.includes(`Failed to connect to '127.0.0.1', port '${firstPort}' (errno 111, Connection refused)`)
      ),
      lines.join("\n"),
    );
    // The first comes back: the working connection is kept (no preemption)…
    first = await fakeParent({ reply: "Hit me baby, push them over with the version=15296", port: firstPort });
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(sender.connectedTo?.port, second.port);
    assert.equal(first.connections(), 0);
    // …until it breaks; then the list is tried again, the last used one moved to its end.
    await second.close();
    await until("the first destination", () => sender.connectedTo?.port === firstPort);
    assert.equal(first.connections(), 1);
  } finally {
    await sender.stop();
    await second.close();
    await first?.close();
  }
});

test("sender: a unix socket destination", { timeout: 30_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "rill-unix-"));
  const path = join(dir, "parent.sock");
  const parent = await fakeParent({ reply: "Hit me baby, push them over with the version=15296", path });
  const { host, collect } = collectingHost();
  const sender = new StreamSender({
    host,
    replay: observingRing(host),
    config: streamConfig(`unix:${path}`),
    log: logger().log,
  });
  try {
    collect();
    sender.start();
    await until("a connection", () => sender.connectedTo);
    collect();
    await until("data", () => parent.commands.some((c) => c.kind === "END"));
    assert.equal(sender.connectedTo?.protocol, "unix");
  } finally {
    await sender.stop();
    await parent.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("sender: stop() flushes and closes cleanly, and no reconnection follows", { timeout: 30_000 }, async () => {
  const parent = await fakeParent({ reply: "Hit me baby, push them over with the version=15296" });
  const { host, collect } = collectingHost();
  const sender = new StreamSender({
    host,
    replay: observingRing(host),
    config: streamConfig(`127.0.0.1:${parent.port}`),
    log: logger().log,
  });
  collect();
  sender.start();
  await until("a connection", () => sender.connectedTo);
  collect();
  await sender.stop();
  await until("the clean close", () => parent.endings[0] === "end");
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(parent.connections(), 1);
  await parent.close();
});

test("sender: at 'buffer size bytes' a parent that never reads keeps its connection; new data is held back", {
  timeout: 30_000,
}, async () => {
  const limit = 1_000_000;
  // One wide chart so that each iteration is about 30 kB of SET lines.
  const { parent, sender, lines, collect } = await stalledSender(1000, `    buffer size bytes = ${limit}\n`);
  try {
    sender.start();
    await until("a connection", () => sender.connectedTo);
    let maxPending = 0;
    for (let i = 0; i < 3000 && !lines.some((l) => l.includes("too many data pending")); i++) {
      collect(i);
      maxPending = Math.max(maxPending, sender.pendingBytes);
      await new Promise((r) => setImmediate(r));
    }
    // More iterations at the bound: refused, held back, and the buffer stays where it is.
    for (let i = 3000; i < 3100; i++) {
      collect(i);
      maxPending = Math.max(maxPending, sender.pendingBytes);
      await new Promise((r) => setImmediate(r));
    }
    const overflows = lines.filter((l) => l.includes("too many data pending"));
    assert.equal(overflows.length, 1, lines.join("\n"));
    assert.match(
      overflows[0],
      new RegExp(
        `buffer is ${limit} bytes long, \\d+ unsent - we have sent \\d+ bytes in total, \\d+ on this connection\\. Keeping the connection`,
      ),
    );
    assert.ok(maxPending <= limit, `pending reached ${maxPending}`);
    assert.equal(sender.heldCharts, 1);
    assert.ok(sender.connectedTo !== undefined && parent.connections() === 1);
    assert.equal(parent.endings[0], "open");
  } finally {
    await sender.stop(100);
    await parent.close();
  }
});

test("sender: once the parent reads again, held-back charts are defined again and their missed points replayed", {
  timeout: 60_000,
}, async () => {
  const parent = await fakeParent({ reply: "Hit me baby, push them over with the version=15296", replay: "all" });
  const { host } = collectingHost();
  const start = Math.floor(Date.now() / 1000) - 5000;
  const charts = Array.from({ length: 4 }, (_, c) => {
    const chart = host.chart({ ...LOAD_CHART, id: `test.wide${c}`, context: "test.wide" });
    for (let d = 0; d < 200; d++) chart.dimension({ id: `dim${d}`, algorithm: "absolute", multiplier: 1, divisor: 1 });
    return chart;
  });
  let collected = 0;
  const collect = () => {
    for (const chart of charts) {
      for (const dim of chart.dimensions) dim.set(1_000_000 + collected);
      host.collected(chart, (start + collected) * 1e6 + 300_000);
    }
    collected++;
  };
  const { lines, log } = logger();
  const limit = 200_000;
  const sender = new StreamSender({
    host,
    replay: observingRing(host),
    config: streamConfig(`127.0.0.1:${parent.port}`, `    buffer size bytes = ${limit}\n`),
    log,
  });
  const ends = (chartId: string) => {
    let current = "";
    return parent.commands.flatMap((c) => {
      if (c.kind === "RBEGIN" && c.range === null) current = c.chart;
      return c.kind === "RBEGIN" && c.range !== null && current === chartId ? [c.range.end] : [];
    });
  };
  try {
    collect();
    sender.start();
    await until("the first replication round", () => parent.commands.filter((c) => c.kind === "REND").length >= 4);
    parent.pause();
    let maxPending = 0;
    for (let i = 0; i < 3000 && sender.heldCharts < charts.length; i++) {
      collect();
      maxPending = Math.max(maxPending, sender.pendingBytes);
      await new Promise((r) => setImmediate(r));
    }
    assert.equal(sender.heldCharts, charts.length, lines.join("\n"));
    for (let i = 0; i < 30; i++) collect();
    const lastCollectedS = start + collected - 1;
    parent.resume();
    await until("every chart defined again and streaming", () => {
      collect();
      return sender.heldCharts === 0 &&
        parent.commands.filter((c) => c.kind === "REND" && c.startStreaming).length >= 2 * charts.length;
    }, 30_000);
    assert.ok(maxPending <= limit, `pending reached ${maxPending}`);
    assert.equal(parent.connections(), 1);
    assert.ok(lines.some((l) => l.includes("the parent read half of the buffer")), lines.join("\n"));
    assert.ok(!lines.some((l) => l.includes("are lost")), lines.join("\n"));
    for (const chart of charts) {
      // Live iterations 0…n-1 reached the parent, so its newest slot ends at start + n - 1 (each iteration
      // comes 0.3 s into its second); the replay must hold every slot after it up to the resume.
      let chartOf = "";
      const live = parent.commands.filter((c) => {
        if (c.kind === "BEGIN") chartOf = c.chart;
        return c.kind === "END" && chartOf === chart.id;
      }).length;
      const got = new Set(ends(chart.id));
      const missing = [];
      for (let t = start + live; t <= lastCollectedS; t++) if (!got.has(t)) missing.push(t - start);
      assert.deepEqual(missing, [], `${chart.id}: ${live} live iterations, replayed ${got.size} points`);
    }
  } finally {
    await sender.stop(100);
    await parent.close();
  }
});

test("sender: a parent that takes nothing for 'timeout seconds' is dropped with Netdata's message", {
  timeout: 30_000,
}, async () => {
  const { parent, sender, lines, collect } = await stalledSender(
    2000,
    "    timeout seconds = 1\n    buffer size bytes = 200000000\n",
  );
  try {
    sender.start();
    await until("a connection", () => sender.connectedTo);
    // Fill the kernel's buffers, so that the socket stops taking data.
    for (let i = 0; i < 1000 && sender.pendingBytes < 2_000_000; i++) {
      collect(i);
      await new Promise((r) => setImmediate(r));
    }
    assert.ok(sender.pendingBytes > 0, "the socket never stalled");
    await until("the timeout", () => lines.find((l) => l.includes("could not send metrics for 1 seconds")), 5000);
  } finally {
    await sender.stop(100);
    await parent.close();
  }
});

test("sender: a parent that forces compression (version=5) gets real 1.37 LZ4 frames, even with compression off", {
  timeout: 30_000,
  skip: SHARED_FIXTURES === undefined
    ? "needs ../shared/fixtures/tools/lz4-stream.mjs (an independent decoder)"
    : false,
}, async () => {
  const parent = await fakeParent({ reply: "Hit me baby, push them over with the version=5" });
  const { host, collect } = collectingHost();
  const sender = new StreamSender({
    host,
    replay: observingRing(host),
    config: streamConfig(`127.0.0.1:${parent.port}`, "    enable compression = no\n"),
    log: logger().log,
  });
  const tool = join(SHARED_FIXTURES!, "tools", "lz4-stream.mjs");
  const { Netdata137Deframer } = await import(tool) as {
    Netdata137Deframer: new () => { push(chunk: Uint8Array): Uint8Array[]; compressedBytes: number };
  };
  const deframer = new Netdata137Deframer();
  let taken = 0;
  let text = "";
  const decoded = () => {
    for (const chunk of (parent.raw[0] ?? []).slice(taken)) {
      text += deframer.push(Buffer.from(chunk)).map((b) => new TextDecoder().decode(b)).join("");
      taken++;
    }
    return text;
  };
  try {
    collect();
    sender.start();
    await until("a connection", () => sender.connectedTo);
    // 1.37 trusts the parent's number: a child that offered no compression (ver=15352) compresses anyway.
    assert.match(parent.requests[0], /&ver=15352&/);
    for (let i = 0; i < 3; i++) collect();
    await until("three iterations of both charts", () => decoded().split("\nEND\n").length > 6);
    const commands: ChildCommand[] = [];
    new ChildStreamDecoder("frames").push(text, (c) => commands.push(c));
    const seq = kinds(commands);
    assert.ok(seq.includes("CHART") && seq.includes("BEGIN") && seq.includes("END"), seq.join(" "));
    // Real LZ4, not literals: the repeated iterations copy from the ones before them.
    assert.ok(deframer.compressedBytes * 1.5 < text.length, `${text.length} bytes in ${deframer.compressedBytes}`);
  } finally {
    await sender.stop();
    await parent.close();
  }
});
