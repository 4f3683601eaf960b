// A child's input in slices: a huge chunk is handed over across turns of the event loop, each bounded in
// work and bytes, with the socket paused meanwhile; nothing is lost or reordered, pieces ending mid-line
// decode as the whole would.
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect, createServer } from "node:net";
import { SLICE_BYTES, SLICE_WORK, SlicedIntake } from "../../../src/parent/receiver/intake.ts";
import type { ChildLineSink } from "../../../src/protocol/decode.ts";
import { ChildStreamDecoder } from "../../../src/protocol/stream_decoder.ts";
import type { ReceiverConnection } from "../../../src/parent/receiver/child_connection.ts";
import { until } from "../../_until.ts";
import { ACCEPTING, ramStores, rawChild, request, steppingClock, type TestParent, withParent } from "./_harness.ts";

function guid(n: number): string {
  return `00000000-e718-11f1-8984-${String(n).padStart(12, "0")}`;
}

function connection(parent: TestParent, hostname: string): ReceiverConnection | undefined {
  return parent.receiver.connections().find((c) => c.entry.host.identity.hostname === hostname);
}

/** A socket that only records whether it is paused. */
class FakeSocket {
  paused = false;
  pause() {
    this.paused = true;
  }
  resume() {
    this.paused = false;
  }
}

/** A decoder and a sink whose END costs `widest` work, recording the values SET in order. */
function recorder(widest: number) {
  const progress = { work: 0, widestChart: widest };
  const values: number[] = [];
  const applied: number[] = [];
  const lines: ChildLineSink = {
    begin() {},
    set: (_dimension, value) => values.push(value),
    end: () => progress.work += widest,
    command() {},
  };
  const decoder = new ChildStreamDecoder("test");
  return {
    progress,
    values,
    applied,
    sink: {
      apply: (bytes: Uint8Array) => {
        applied.push(bytes.length);
        decoder.push(bytes, lines);
      },
      progress,
    },
  };
}

function iterations(from: number, to: number): Uint8Array {
  let text = "";
  for (let i = from; i < to; i++) text += `BEGIN "c.x" ${i}\nSET "d" = ${i}\nEND\n`;
  return new TextEncoder().encode(text);
}

/** A scheduler the test turns by hand: `later` keeps the next slice, `turn()` runs it. */
function manualTurns() {
  let next: (() => void) | undefined;
  return {
    later: (slice: () => void) => {
      assert.equal(next, undefined, "two slices waiting at once");
      next = slice;
    },
    /** Runs the waiting slice; false when none waits. */
    turn(): boolean {
      const slice = next;
      next = undefined;
      slice?.();
      return slice !== undefined;
    },
  };
}

test("a chunk of costly iterations is handed over across many turns, each bounded, in order", () => {
  const widest = 10_000;
  const r = recorder(widest);
  const socket = new FakeSocket();
  const turns = manualTurns();
  const intake = new SlicedIntake(socket, r.sink, (e) => assert.fail(String(e)), turns.later);
  const total = 2000;
  intake.push(iterations(0, total));
  // One turn's slice: the work budget, give or take the piece in hand (64 bytes: at most two iterations here).
  const perTurnBound = SLICE_WORK / widest + 2;
  assert.ok(r.values.length <= perTurnBound, `${r.values.length} iterations in the first turn`);
  assert.equal(socket.paused, true);
  let count = 1;
  let most = r.values.length;
  for (let before = r.values.length; turns.turn(); before = r.values.length) {
    count++;
    most = Math.max(most, r.values.length - before);
  }
  assert.ok(most <= perTurnBound, `${most} iterations in one turn`);
  assert.ok(count >= total / perTurnBound, `${count} turns`);
  assert.deepEqual(r.values, Array.from({ length: total }, (_, i) => i));
  assert.equal(socket.paused, false);
  assert.equal(intake.pendingBytes, 0);
});

test("pieces end at a line end where they can; a line longer than a piece is cut and still decodes whole", () => {
  const r = recorder(10_000);
  const turns = manualTurns();
  const pieces: string[] = [];
  const sink = {
    apply: (bytes: Uint8Array) => {
      pieces.push(new TextDecoder().decode(bytes));
      r.sink.apply(bytes);
    },
    progress: r.progress,
  };
  const intake = new SlicedIntake(new FakeSocket(), sink, (e) => assert.fail(String(e)), turns.later);
  const long = `SET "${"d".repeat(300)}" = 7\n`;
  const text = `BEGIN "c.x" 1\n${long}SET "d" = 8\nEND\n`.repeat(20);
  intake.push(new TextEncoder().encode(text));
  while (turns.turn());
  assert.equal(pieces.join(""), text);
  assert.deepEqual(r.values, Array.from({ length: 20 }, () => [7, 8]).flat());
  // The long lines had to be cut; a piece that holds a line end ends with one.
  assert.ok(pieces.some((p) => !p.endsWith("\n")));
  assert.ok(pieces.every((p) => p.endsWith("\n") || !p.includes("\n")), JSON.stringify(pieces));
});

test("cheap lines go by bytes: a 200 KiB chunk takes several turns of at most 64 KiB", () => {
  const r = recorder(0);
  const turns = manualTurns();
  const intake = new SlicedIntake(new FakeSocket(), r.sink, (e) => assert.fail(String(e)), turns.later);
  const chunk = iterations(0, 6000);
  assert.ok(chunk.length > 3 * SLICE_BYTES);
  intake.push(chunk);
  const handed = () => r.applied.reduce((a, b) => a + b, 0);
  const perTurn = [handed()];
  while (turns.turn()) perTurn.push(handed() - perTurn.reduce((a, b) => a + b, 0));
  assert.equal(intake.pendingBytes, 0);
  assert.equal(perTurn.length, Math.ceil(chunk.length / SLICE_BYTES));
  assert.ok(perTurn.every((n) => n <= SLICE_BYTES), perTurn.join(" "));
  assert.deepEqual(r.values, Array.from({ length: 6000 }, (_, i) => i));
});

test("a chunk that arrives while a slice waits for its turn goes behind it", () => {
  const r = recorder(10_000);
  const turns = manualTurns();
  const intake = new SlicedIntake(new FakeSocket(), r.sink, (e) => assert.fail(String(e)), turns.later);
  intake.push(iterations(0, 50));
  intake.push(iterations(50, 100));
  while (turns.turn());
  assert.deepEqual(r.values, Array.from({ length: 100 }, (_, i) => i));
});

test("the socket reads again only when neither input nor replies hold it", () => {
  const r = recorder(10_000);
  const socket = new FakeSocket();
  const turns = manualTurns();
  const intake = new SlicedIntake(socket, r.sink, (e) => assert.fail(String(e)), turns.later);
  assert.equal(intake.hold("write"), true);
  assert.equal(intake.hold("write"), false);
  intake.push(iterations(0, 20));
  assert.equal(socket.paused, true);
  while (turns.turn());
  assert.equal(intake.pendingBytes, 0);
  assert.equal(socket.paused, true, "replies still wait");
  intake.release("write");
  assert.equal(socket.paused, false);
});

test("what apply throws goes to onError once; the rest is dropped and nothing more is taken", () => {
  const r = recorder(10_000);
  const errors: unknown[] = [];
  const turns = manualTurns();
  const intake = new SlicedIntake(new FakeSocket(), r.sink, (e) => errors.push(e), turns.later);
  intake.push(new TextEncoder().encode(`${new TextDecoder().decode(iterations(0, 10))}FOO\n`));
  intake.push(iterations(10, 20));
  while (turns.turn());
  assert.equal(errors.length, 1);
  assert.match(String(errors[0]), /FOO/);
  assert.deepEqual(r.values, Array.from({ length: 10 }, (_, i) => i));
  assert.equal(intake.pendingBytes, 0);
  intake.push(iterations(20, 30));
  assert.equal(r.values.length, 10);
});

test("the default turn is a timer: a huge chunk completes on its own", async () => {
  const r = recorder(10_000);
  const intake = new SlicedIntake(new FakeSocket(), r.sink, (e) => assert.fail(String(e)));
  intake.push(iterations(0, 100));
  assert.ok(r.values.length < 100);
  await until("the rest", () => r.values.length === 100);
});

test(
  "through the receiver: a 10,000-dimension chart's bare iterations take many turns; another child is served meanwhile",
  {
    timeout: 60_000,
  },
  async () => {
    const conf = `${ACCEPTING}    max dimensions per chart = 10000\n`;
    // A second per iteration: the rate limit stays out of the way.
    await withParent(
      { streamConf: conf, receiver: { createStore: ramStores(60), now: steppingClock(1000) } },
      async (parent) => {
        const good = await rawChild(parent.port, request({ hostname: "good", machine_guid: guid(2) }));
        good.write(
          'CHART "good.x" "" "t" "u" "f" "good.x" "line" 1 1 "" "p" "m"\nDIMENSION "a" "" "absolute" 1 1 ""\n',
        );
        const goodSession = (await until("the good child", () => connection(parent, "good"))).session;

        let text = 'CHART "wide.x" "" "t" "u" "f" "wide.x" "line" 1 1 "" "p" "m"\n';
        for (let d = 0; d < 10_000; d++) text += `DIMENSION "d${d}" "" "absolute" 1 1 ""\n`;
        const total = 500;
        text += 'BEGIN "wide.x" 1000000\nEND\n'.repeat(total);
        // The whole input comes with the request head, as one chunk: only the intake can spread it over turns.
        const server = createServer((socket) =>
          parent.receiver.handle({
            socket,
            head: request({ hostname: "wide", machine_guid: guid(1) }).slice(0, -4),
            extra: new TextEncoder().encode(text),
            remoteIp: "127.0.0.1",
            remotePort: socket.remotePort ?? 0,
            tls: false,
          })
        );
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const address = server.address();
        // Every turn of the event loop: what the wide child completed so far, and when
        // the good child's iteration (written as soon as the wide child is connected) was completed.
        const seen: number[] = [];
        let wideWhenGoodDone = -1;
        let observing = true;
        const observe = () => {
          const wide = connection(parent, "wide")?.session;
          if (wide !== undefined) {
            if (seen.length === 0) good.write('BEGIN "good.x" 1000000\nSET "a" = 1\nEND\n');
            seen.push(wide.updates);
            if (wideWhenGoodDone < 0 && goodSession.updates === 1) wideWhenGoodDone = wide.updates;
          }
          if (observing) setTimeout(observe, 0);
        };
        setTimeout(observe, 0);
        const wideChild = connect(typeof address === "object" && address !== null ? address.port : 0, "127.0.0.1");
        wideChild.on("data", () => {});
        try {
          await until("the wide child's iterations", () => seen.at(-1) === total && wideWhenGoodDone >= 0);
          observing = false;
          assert.ok(seen[0] < total, "all of it in one turn");
          assert.ok(wideWhenGoodDone < total / 2, `the good child waited for ${wideWhenGoodDone} wide iterations`);
          // 500 iterations of 10,000 dimensions is 5 M of work, 100 slices' worth: many distinct states were seen.
          assert.ok(new Set(seen).size >= 5_000_000 / SLICE_WORK / 4, `${new Set(seen).size} states`);
          const series = parent.catalogue.byGuid(guid(1))!.series.series("wide.x")!;
          assert.equal(series.chart.dimensions.length, 10_000);
          assert.ok(series.lastTimeS() > 0);
        } finally {
          wideChild.destroy();
          good.socket.destroy();
          await new Promise<void>((resolve) => server.close(() => resolve()));
        }
      },
    );
  },
);
