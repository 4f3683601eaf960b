/**
 * A relay that makes a real parent read slowly: children connect to it, every byte goes on to the parent,
 * but what a child sends is read at most at the rate set (the child's data piles up in its own buffer, as
 * with a parent that reads slowly); what the parent sends back passes at once and is recorded. The lines
 * of one watched chart, both ways, are kept with the time they passed, to explain a gap when a test fails.
 */
import { connect, type Socket } from "node:net";
import { listenRelay } from "../_loopback_relay.ts";

/** A line of the watched chart and when it passed the relay. */
export interface WatchedLine {
  /** Epoch ms. */
  readonly ms: number;
  /** `>` child to parent, `<` parent to child. */
  readonly way: ">" | "<";
  readonly line: string;
}

/** A running relay. */
export interface ThrottleRelay {
  /** The loopback port children connect to. */
  readonly port: number;
  /** Connections children made so far. */
  connections(): number;
  /** What the parent sent back, per connection (latin1 text). */
  readonly replies: string[];
  /** Bytes forwarded from children so far. */
  forwarded(): number;
  /** Reads children at most `bytesPerSecond` from now on; `undefined` reads them as fast as they send. */
  throttle(bytesPerSecond: number | undefined): void;
  /** The watched chart's lines so far (uncompressed streams only). */
  readonly watched: WatchedLine[];
  /** Closes the listener and every connection. */
  stop(): Promise<void>;
}

/** Slices of a second in which the rate is enforced. */
const TICKS_PER_SECOND = 10;

/**
 * Keeps the lines about `chartId` of a stream read in chunks: its `BEGIN`, `RBEGIN` and following range
 * lines, `REND`, its definition and `CHART_DEFINITION_END`, and the parent's `REPLAY_CHART` for it.
 */
function lineWatcher(chartId: string, way: ">" | "<", into: WatchedLine[]): (chunk: Buffer) => void {
  const quoted = `"${chartId}"`;
  let carry = "";
  let inChart = false;
  return (chunk) => {
    const lines = (carry + chunk.toString("latin1")).split("\n");
    carry = lines.pop()!;
    const ms = Date.now();
    for (const line of lines) {
      const head = line.slice(0, line.indexOf(" ") >>> 0);
      if (head === "BEGIN" || head === "RBEGIN" || head === "CHART" || head === "REPLAY_CHART") {
        inChart = line.includes(quoted) || (head === "RBEGIN" && inChart && /^RBEGIN (''|"") /.test(line));
        if (inChart) into.push({ ms, way, line });
      } else if (inChart && (head === "REND" || head === "CHART_DEFINITION_END" || head === "RSSTATE")) {
        into.push({ ms, way, line });
      }
    }
  };
}

/**
 * Starts a relay in front of the parent at `127.0.0.1:<parentPort>`, keeping the lines of `watchChart`.
 */
export async function startThrottleRelay(parentPort: number, watchChart = "system.cpu"): Promise<ThrottleRelay> {
  const watched: WatchedLine[] = [];
  const children = new Set<Socket>();
  const replies: string[] = [];
  let rate: number | undefined;
  let allowance = 0;
  let forwarded = 0;
  const tick = setInterval(() => {
    if (rate === undefined) return;
    allowance = Math.min(allowance + rate / TICKS_PER_SECOND, rate / TICKS_PER_SECOND);
    if (allowance > 0) { for (const child of children) child.resume(); }
  }, 1000 / TICKS_PER_SECOND);
  const relay = await listenRelay((child, track) => {
    children.add(child);
    child.on("close", () => children.delete(child));
    const parent = track(connect(parentPort, "127.0.0.1"));
    const index = replies.push("") - 1;
    const fromChild = lineWatcher(watchChart, ">", watched);
    const fromParent = lineWatcher(watchChart, "<", watched);
    child.on("data", (chunk) => {
      fromChild(chunk);
      forwarded += chunk.length;
      parent.write(chunk);
      if (rate === undefined) return;
      allowance -= chunk.length;
      if (allowance <= 0) child.pause();
    });
    parent.on("data", (chunk) => {
      fromParent(chunk);
      replies[index] += chunk.toString("latin1");
      child.write(chunk);
    });
    child.on("close", () => parent.destroy());
    parent.on("close", () => child.destroy());
  });
  return {
    port: relay.port,
    connections: () => replies.length,
    replies,
    watched,
    forwarded: () => forwarded,
    throttle: (bytesPerSecond) => {
      rate = bytesPerSecond;
      allowance = 0;
      if (rate === undefined) { for (const child of children) child.resume(); }
    },
    stop: () => {
      clearInterval(tick);
      return relay.stop();
    },
  };
}
