// The protocol core against a real Netdata 1.37 parent: our handshake request is accepted with the expected
// capabilities, our encoded definitions are answered with REPLAY_CHART (decoded by our parent-side decoder),
// and the values we send show up in the real parent's API.
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { randomUUID } from "node:crypto";
import process from "node:process";
import { CAPS_1_37_NO_COMPRESSION } from "../../src/protocol/capabilities.ts";
import type { ChildCommand, ParentCommand } from "../../src/protocol/commands.ts";
import { encodeChildCommand } from "../../src/protocol/encode.ts";
import { buildStreamRequest } from "../../src/protocol/handshake.ts";
import { readParentReply } from "../../src/protocol/replies.ts";
import { ParentStreamDecoder } from "../../src/protocol/stream_decoder.ts";
import { ND_CHILD_REQUEST } from "../protocol/_nd_child.ts";
import { until } from "../_until.ts";
import { ACCEPTING_STREAM_CONF, NETDATA_SKIP_REASON, startNetdataParent, TEST_API_KEY } from "./_netdata.ts";

// One iteration a second, as a child collects.
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Collects what the parent sends: the handshake reply first, then decoded commands.
function listen(socket: Socket) {
  let reply: string | undefined;
  const commands: ParentCommand[] = [];
  const decoder = new ParentStreamDecoder("real parent");
  socket.on("data", (chunk: Buffer) => {
    if (reply === undefined) {
      // A 1.37 parent writes the reply alone, in one write, before anything else.
      reply = chunk.toString("utf8");
      return;
    }
    decoder.push(chunk, (c) => commands.push(c));
  });
  return { reply: () => reply, commands };
}

test("a real 1.37 parent accepts our handshake, asks for replication and stores what we stream", {
  skip: NETDATA_SKIP_REASON ?? false,
  timeout: 90_000,
}, async () => {
  const parent = await startNetdataParent(ACCEPTING_STREAM_CONF);
  const socket = connect(parent.port, "127.0.0.1");
  try {
    await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
    const incoming = listen(socket);
    const hostname = `rill-interop-${process.pid}`;
    // The fixtures' real child, under a fresh identity so runs never collide.
    socket.write(buildStreamRequest({
      ...ND_CHILD_REQUEST,
      key: TEST_API_KEY,
      hostname,
      registryHostname: hostname,
      machineGuid: randomUUID(),
      ver: CAPS_1_37_NO_COMPRESSION,
      userAgent: { programName: "rill", programVersion: "test" },
    }));

    const reply = await until("the handshake reply", incoming.reply, 15_000);
    assert.equal(reply, "Hit me baby, push them over with the version=15296");
    const reading = readParentReply(reply, CAPS_1_37_NO_COMPRESSION);
    assert.ok(reading.kind === "accepted" && reading.caps === 15296, JSON.stringify(reading));

    const now = () => Math.floor(Date.now() / 1000);
    const send = (...commands: ChildCommand[]) => socket.write(commands.map(encodeChildCommand).join(""));
    send(
      { kind: "LABEL", name: "_rill_test", source: 2, value: "interop run" },
      { kind: "OVERWRITE", what: "labels" },
      {
        kind: "CHART",
        id: "rill.interop",
        name: "",
        title: "Interop test",
        units: "things",
        family: "rill",
        context: "rill.interop",
        chartType: "line",
        priority: 1000,
        updateEvery: 1,
        options: "",
        plugin: "rill",
        module: "test",
      },
      { kind: "CLABEL", name: "origin", value: "rill tests", source: 2 },
      { kind: "CLABEL_COMMIT" },
      { kind: "DIMENSION", id: "a", name: "a", algorithm: "absolute", multiplier: 1, divisor: 1, options: "" },
      { kind: "CHART_DEFINITION_END", firstEntry: 0, lastEntry: 0, childNow: now() },
    );

    const request = await until("REPLAY_CHART", () => incoming.commands.find((c) => c.kind === "REPLAY_CHART"), 15_000);
    assert.deepEqual(request, {
      kind: "REPLAY_CHART",
      chart: "rill.interop",
      startStreaming: true,
      after: 0,
      before: 0,
    });
    // What a database-less 1.37 child answers (protocol reference §14).
    send(
      { kind: "RBEGIN", chart: "rill.interop", range: null },
      {
        kind: "REND",
        updateEvery: 1,
        firstEntry: 0,
        lastEntry: 0,
        startStreaming: true,
        after: 0,
        before: 0,
        childNow: now(),
      },
    );
    for (let i = 0; i < 5; i++) {
      send(
        { kind: "BEGIN", chart: "rill.interop", microseconds: i === 0 ? 0 : 1_000_000 },
        { kind: "SET", dimension: "a", value: 42 },
        { kind: "END" },
      );
      await sleep(1000);
    }

    const info = await parent.json("/api/v1/info") as { mirrored_hosts: string[] };
    assert.ok(info.mirrored_hosts.includes(hostname), JSON.stringify(info.mirrored_hosts));
    const data = await parent.json(`/host/${hostname}/api/v1/data?chart=rill.interop&after=-10&format=json`) as {
      labels: string[];
      data: (number | null)[][];
    };
    assert.deepEqual(data.labels, ["time", "a"]);
    const values = data.data.map((row) => row[1]).filter((v) => v !== null);
    assert.ok(values.length >= 2 && values.every((v) => v === 42), JSON.stringify(data.data));
    assert.equal(socket.destroyed, false, "the parent kept the connection open");
  } finally {
    socket.destroy();
    await parent.stop();
  }
});
