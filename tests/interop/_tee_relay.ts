/**
 * A transparent tee for streaming tests: a child connects to it; every byte the child sends goes to two
 * parents; only the primary parent's bytes go back to the child. Both parents thus receive the very same
 * stream, and the child speaks with the primary alone.
 */
import { connect, createServer, type Server, type Socket } from "node:net";

/** A running tee. */
export interface TeeRelay {
  /** The loopback port children connect to. */
  readonly port: number;
  /** What the secondary parent sent back, per connection (its replies are not forwarded). */
  readonly secondaryReplies: string[];
  /** What the child sent, per connection (latin1 text). */
  readonly childStreams: string[];
  /** Closes the listener and every connection. */
  stop(): Promise<void>;
}

/**
 * Starts a tee in front of a primary and (optionally) a secondary parent, both on 127.0.0.1; without a
 * secondary it only records what the child sends.
 */
export function startTeeRelay(primaryPort: number, secondaryPort?: number): Promise<TeeRelay> {
  const sockets = new Set<Socket>();
  const secondaryReplies: string[] = [];
  const childStreams: string[] = [];
  const track = (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => s.destroy());
    return s;
  };
  const server: Server = createServer((child) => {
    track(child);
    const primary = track(connect(primaryPort, "127.0.0.1"));
    const secondary = secondaryPort === undefined ? undefined : track(connect(secondaryPort, "127.0.0.1"));
    const index = secondaryReplies.push("") - 1;
    childStreams.push("");
    child.on("data", (chunk) => {
      childStreams[index] += chunk.toString("latin1");
      primary.write(chunk);
      if (secondary !== undefined && !secondary.destroyed) secondary.write(chunk);
    });
    primary.on("data", (chunk) => child.write(chunk));
    secondary?.on("data", (chunk) => secondaryReplies[index] += chunk.toString("latin1"));
    // The child's session is the primary's: when either of them goes, the whole tee connection goes.
    child.on("close", () => {
      primary.destroy();
      secondary?.destroy();
    });
    primary.on("close", () => child.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (typeof address !== "object" || address === null) return reject(new Error("no address"));
      resolve({
        port: address.port,
        secondaryReplies,
        childStreams,
        stop: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
