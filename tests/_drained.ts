/**
 * Writing in tests with backpressure honoured: resolves once the socket's buffer drained (or it closed).
 */
import type { Socket } from "node:net";

/** Resolves at the socket's next `drain`, or when it closes. */
export function drained(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off("drain", done);
      socket.off("close", done);
      resolve();
    };
    socket.on("drain", done);
    socket.on("close", done);
  });
}

/** Writes `text` (or bytes), then waits until the socket took it (or closed) when its buffer is full. */
export async function writeDrained(socket: Socket, text: string | Uint8Array): Promise<void> {
  if (socket.destroyed || socket.write(text)) return;
  await drained(socket);
}
