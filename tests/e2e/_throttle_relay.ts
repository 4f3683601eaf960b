/**
 * A relay that makes a real parent read slowly: children connect to it, every byte goes on to the parent,
 * but what a child sends is read at most at the rate set (the child's data piles up in its own buffer, as
 * with a parent that reads slowly); what the parent sends back passes at once and is recorded.
 */
import { connect, createServer, type Server, type Socket } from "node:net";

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
  /** Closes the listener and every connection. */
  stop(): Promise<void>;
}

/** Slices of a second in which the rate is enforced. */
const TICKS_PER_SECOND = 10;

/** Starts a relay in front of the parent at `127.0.0.1:<parentPort>`. */
export function startThrottleRelay(parentPort: number): Promise<ThrottleRelay> {
  const sockets = new Set<Socket>();
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
  const track = (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => s.destroy());
    return s;
  };
  const server: Server = createServer((child) => {
    track(child);
    children.add(child);
    child.on("close", () => children.delete(child));
    const parent = track(connect(parentPort, "127.0.0.1"));
    const index = replies.push("") - 1;
    child.on("data", (chunk) => {
      forwarded += chunk.length;
      parent.write(chunk);
      if (rate === undefined) return;
      allowance -= chunk.length;
      if (allowance <= 0) child.pause();
    });
    parent.on("data", (chunk) => {
      replies[index] += chunk.toString("latin1");
      child.write(chunk);
    });
    child.on("close", () => parent.destroy());
    parent.on("close", () => child.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (typeof address !== "object" || address === null) return reject(new Error("no address"));
      resolve({
        port: address.port,
        connections: () => replies.length,
        replies,
        forwarded: () => forwarded,
        throttle: (bytesPerSecond) => {
          rate = bytesPerSecond;
          allowance = 0;
          if (rate === undefined) { for (const child of children) child.resume(); }
        },
        stop: () =>
          new Promise<void>((done) => {
            clearInterval(tick);
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
