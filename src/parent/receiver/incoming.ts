/**
 * A streaming connection as the web listener hands it to the receiver: the socket, after the listener has
 * read the request head (`STREAM key=… HTTP/1.1`) and stopped reading.
 *
 * @module
 */

import type { Socket } from "node:net";

/**
 * A connection whose first request used the `STREAM` method.
 *
 * @example
 * ```ts
 * const handle = (stream: IncomingStream) => console.log(stream.remoteIp, stream.head.split("\r\n")[0]);
 * ```
 */
export interface IncomingStream {
  /** The socket (a `TLSSocket` when {@link tls}); paused, with no `data` listener attached. */
  readonly socket: Socket;
  /** The request head as received: request line and headers, without the blank line that ends it. */
  readonly head: string;
  /** Bytes that came after the blank line in the same reads (a 1.37 child sends none). */
  readonly extra: Uint8Array;
  /**
   * The client's address, IPv4 without the `::ffff:` of a dual-stack socket; loopback as it is (`allow from`
   * lists also know it as `localhost`: src/protocol/allow_from.ts).
   */
  readonly remoteIp: string;
  readonly remotePort: number;
  /** The connection is TLS. */
  readonly tls: boolean;
}

/**
 * What the listener calls for each streaming connection; the receiver owns the socket from then on.
 *
 * @example
 * ```ts
 * const handler: StreamHandler = (stream) => stream.socket.end();
 * ```
 */
export type StreamHandler = (stream: IncomingStream) => void;
