/**
 * A scripted parent for sender tests: it answers the handshake with a chosen string and then behaves as
 * told (decode and answer with REPLAY_CHART like a 1.37 parent, or stop reading, for good or until told to
 * read again). It stands in only where a real Netdata cannot be made to misbehave on purpose;
 * tests/interop/ uses the real one.
 */
import { createServer, type Server, type Socket } from "node:net";
import type { ChildCommand } from "../../src/protocol/commands.ts";
import { ChildStreamDecoder } from "../../src/protocol/stream_decoder.ts";

export interface FakeParentOptions {
  /** The handshake reply; `undefined` = never reply. */
  reply: string | undefined;
  /**
   * After the reply: decode lines (default), read and keep nothing (`"discard"`: a parent that keeps up with a
   * flood without holding it), or stop reading entirely.
   */
  read?: "decode" | "discard" | "never";
  /**
   * Answer each CHART_DEFINITION_END with `REPLAY_CHART "<id>" "true" 0 0` (true, the default), or ask for
   * all the child announced (`"all"`: `"true" <first> <last>`, continued from `before` after a `REND`
   * without streaming, as 1.37 continues).
   */
  replay?: boolean | "all";
  /** Port to listen on (default: one the kernel picks). */
  port?: number;
  /** Listen on this unix socket path instead of TCP. */
  path?: string;
}

export interface FakeParent {
  readonly port: number;
  /** Requests received (the handshake heads). */
  readonly requests: string[];
  /** Commands decoded, over all connections. */
  readonly commands: ChildCommand[];
  /** Raw bytes received after the handshake, per connection. */
  readonly raw: Uint8Array[][];
  /** How each connection ended: "end" (clean FIN), "reset" or "open". */
  readonly endings: string[];
  connections(): number;
  /** Stops reading every connection (the child's data piles up in the kernel, then in its buffer). */
  pause(): void;
  /** Reads again. */
  resume(): void;
  close(): Promise<void>;
}

export async function fakeParent(options: FakeParentOptions): Promise<FakeParent> {
  const requests: string[] = [];
  const commands: ChildCommand[] = [];
  const raw: Uint8Array[][] = [];
  const endings: string[] = [];
  const sockets = new Set<Socket>();
  let paused = false;
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    const index = endings.length;
    endings.push("open");
    const mine: Uint8Array[] = [];
    raw.push(mine);
    let head = "";
    let handshaken = false;
    const decoder = new ChildStreamDecoder("child under test");
    socket.on("data", (chunk: Buffer) => {
      if (!handshaken) {
        head += chunk.toString("latin1");
        const end = head.indexOf("\r\n\r\n");
        if (end < 0) return;
        handshaken = true;
        requests.push(head.slice(0, end + 4));
        if (options.reply !== undefined) socket.write(options.reply);
        if (options.read === "never" || paused) socket.pause();
        return;
      }
      if (options.read === "discard") return;
      mine.push(new Uint8Array(chunk));
      if (options.reply?.includes("version=5") || options.read === "never") return;
      decoder.push(chunk, (command) => {
        commands.push(command);
        if (command.kind === "CHART" || command.kind === "RBEGIN" && command.range === null) {
          lastChart = command.kind === "CHART" ? command.id : command.chart;
        }
        const replay = options.replay ?? true;
        if (command.kind === "CHART_DEFINITION_END" && replay === "all" && command.lastEntry !== 0) {
          socket.write(`REPLAY_CHART "${lastChart}" "true" ${command.firstEntry} ${command.lastEntry}\n`);
        } else if (command.kind === "CHART_DEFINITION_END" && replay) {
          socket.write(`REPLAY_CHART "${lastChart}" "true" 0 0\n`);
        } else if (command.kind === "REND" && replay === "all" && !command.startStreaming) {
          socket.write(`REPLAY_CHART "${lastChart}" "true" ${command.before} ${command.lastEntry}\n`);
        }
      });
    });
    let lastChart = "";
    socket.on("end", () => {
      if (endings[index] === "open") endings[index] = "end";
      socket.end();
    });
    socket.on("error", () => endings[index] = "reset");
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) =>
    options.path === undefined
      ? server.listen(options.port ?? 0, "127.0.0.1", resolve)
      : server.listen(options.path, resolve)
  );
  const address = server.address();
  if (address === null) throw new Error("no address");
  let count = 0;
  server.on("connection", () => count++);
  return {
    port: typeof address === "object" ? address.port : 0,
    requests,
    commands,
    raw,
    endings,
    connections: () => count,
    pause: () => {
      paused = true;
      for (const s of sockets) s.pause();
    },
    resume: () => {
      paused = false;
      if (options.read !== "never") { for (const s of sockets) s.resume(); }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        if (!server.listening) return resolve();
        server.close(() => resolve());
      }),
  };
}
