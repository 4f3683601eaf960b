/**
 * The error every decoder of the stream throws.
 *
 * @module
 */

/** What went wrong, so a receiver can log the matching Netdata message and cut off only that peer. */
export type ProtocolErrorCode =
  | "line-too-long"
  | "unknown-keyword"
  | "bad-arguments"
  | "payload-too-large";

/**
 * A stream that broke the line language. The message names the peer, the line number on that
 * connection and what was expected and found.
 *
 * @example
 * ```ts
 * const e = new ProtocolError("unknown-keyword", "nd-child [127.0.0.1]:40000", 17, "unknown keyword 'FOOBAR'");
 * e.message; // "nd-child [127.0.0.1]:40000 line 17: unknown keyword 'FOOBAR'"
 * ```
 */
export class ProtocolError extends Error {
  /** Kind of failure. */
  readonly code: ProtocolErrorCode;
  /** The peer as given to the decoder. */
  readonly peer: string;
  /** 1-based line number on this connection (0 for the handshake). */
  readonly line: number;
  /** First word of the failing line, when there is one (Netdata logs it for unknown commands). */
  readonly keyword: string;

  constructor(code: ProtocolErrorCode, peer: string, line: number, detail: string, keyword = "") {
    super(`${peer} line ${line}: ${detail}`);
    this.name = "ProtocolError";
    this.code = code;
    this.peer = peer;
    this.line = line;
    this.keyword = keyword;
  }
}
