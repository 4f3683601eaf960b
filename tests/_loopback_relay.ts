/**
 * The listener under the tests' relays (tests/interop/_tee_relay.ts, tests/e2e/_throttle_relay.ts): it
 * listens on 127.0.0.1 on a port the kernel picks, hands each child that connects to `onChild` with a
 * `track` for the sockets opened on its behalf, and on `stop` closes the listener and every tracked socket.
 */
import { createServer, type Socket } from "node:net";

/** A running listener. */
export interface LoopbackRelay {
  /** The loopback port children connect to. */
  readonly port: number;
  /** Closes the listener and every connection. */
  stop(): Promise<void>;
}

/**
 * Listens for children; `onChild` wires each one (its socket is tracked already), and `track` adds a socket
 * it opens (a socket that errs is destroyed).
 */
export function listenRelay(
  onChild: (child: Socket, track: (socket: Socket) => Socket) => void,
): Promise<LoopbackRelay> {
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => s.destroy());
    return s;
  };
  const server = createServer((child) => onChild(track(child), track));
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (typeof address !== "object" || address === null) return reject(new Error("no address"));
      resolve({
        port: address.port,
        stop: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
