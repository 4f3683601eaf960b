// Answers to a burst of replication requests are built a turn of the event loop at a time, so the collection
// loop keeps ticking while a compiled collector (whose code is interpreted) works through megabytes of them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CAP_REPLICATION, CAP_VCAPS } from "../../src/protocol/capabilities.ts";
import { SimplePattern } from "../../src/protocol/simple_pattern.ts";
import { Logger } from "../../src/runtime/log.ts";
import { ParentAnswers, TURN_BYTES } from "../../src/stream/answers.ts";
import { ChartEncoder } from "../../src/stream/chart_encoder.ts";
import { testHost } from "../_hosts.ts";
import { observingRing } from "./_ring.ts";

const T = 1_795_420_000;
const CHARTS = 20;
const DIMENSIONS = 250;
const SECONDS = 100;

/** 20 charts of 250 dimensions with 100 s in the ring, defined on a connection; answers' text goes to `sent`. */
function answering() {
  const host = testHost();
  const ring = observingRing(host);
  const spec = { title: "t", units: "u", family: "f", chartType: "line", priority: 1, updateEvery: 1 } as const;
  const charts = Array.from({ length: CHARTS }, (_, c) => {
    const chart = host.chart({ ...spec, id: `flood.c${c}`, context: "flood", plugin: "p", module: "m" });
    for (let d = 0; d < DIMENSIONS; d++) {
      chart.dimension({ id: `dimension_number_${d}`, algorithm: "absolute", multiplier: 1, divisor: 1 });
    }
    return chart;
  });
  for (let s = 0; s < SECONDS; s++) {
    for (const chart of charts) {
      for (const d of chart.dimensions) d.set(1_234_567 + s);
      const nowUs = (T + s) * 1e6 + 300_000;
      chart.reportedSinceLastUs = chart.lastCollectedUs === 0 ? 0 : nowUs - chart.lastCollectedUs;
      host.collected(chart, nowUs);
    }
  }
  const sent: string[] = [];
  const send = (text: string) => (sent.push(text), true);
  const caps = CAP_VCAPS | CAP_REPLICATION;
  const encoder = new ChartEncoder({
    host,
    caps,
    sendChartsMatching: SimplePattern.parse("*"),
    initialClockResyncIterations: 60,
    send: () => true,
    retention: ring.retention.bind(ring),
    missedSinceS: 0,
  });
  encoder.defineCollected();
  const answers = new ParentAnswers({
    replay: ring,
    encoder,
    caps,
    log: new Logger("test", "ANSWERS", () => {}),
    prefix: "STREAM test",
    send,
    roomBytes: () => 1 << 30,
    waitForRoom: () => {},
  });
  const askAll = () => {
    for (const chart of charts) {
      answers.answer({ kind: "REPLAY_CHART", chart: chart.id, startStreaming: true, after: T, before: T + SECONDS });
    }
  };
  return { answers, sent, askAll };
}

const bytes = (texts: readonly string[]) => texts.reduce((n, t) => n + t.length, 0);
const nextTurn = () => new Promise((resolve) => setTimeout(resolve, 0));

test("a burst of replication requests: about TURN_BYTES answered at once, the rest in later turns, all of them", async () => {
  const { answers, sent, askAll } = answering();
  askAll();
  const firstTurn = bytes(sent);
  // Each answer is cut at 256 KiB of points, so one turn ends within an answer of the turn's budget.
  assert.ok(firstTurn >= TURN_BYTES && firstTurn < TURN_BYTES + 300 * 1024, `${firstTurn} bytes in the first turn`);
  assert.ok(answers.waiting > 0, "nothing left for later turns");
  for (let turn = 0; turn < 100 && answers.waiting > 0; turn++) await nextTurn();
  assert.equal(answers.waiting, 0);
  assert.equal(sent.join("").split("\n").filter((l) => l.startsWith("REND ")).length, CHARTS);
});

test("close(): the answers waiting for a later turn are dropped with the connection", async () => {
  const { answers, sent, askAll } = answering();
  askAll();
  const firstTurn = sent.length;
  answers.close();
  await nextTurn();
  await nextTurn();
  assert.equal(sent.length, firstTurn);
  assert.equal(answers.waiting, 0);
});
