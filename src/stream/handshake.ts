/**
 * The handshake as a child, on a connected socket: the `STREAM` request with the host's identity and the
 * offered capabilities, then the parent's reply read as a 1.37 child reads it, with 1.37's log lines. What
 * the parent sent after its reply in the same read is kept for the connection (a 1.37 child would lose it).
 *
 * @module
 */

import type { Socket } from "node:net";
import type { HostIdentity } from "../metrics/host.ts";
import { type Capabilities, capabilityNames, CAPS_RILL } from "../protocol/capabilities.ts";
import { buildStreamRequest, STREAMING_PROTOCOL_VERSION } from "../protocol/handshake.ts";
import { readParentReply, REPLY_VERSION_PREFIX } from "../protocol/replies.ts";
import type { Logger } from "../runtime/log.ts";

/**
 * What a handshake needs.
 *
 * @example
 * ```ts
 * const request: ChildHandshake = {
 *   identity: host.identity, apiKey: "11111111-2222-3333-4444-555555555555", offer: CAPS_1_37_NO_COMPRESSION, hops: 1,
 *   timeoutMs: 60_000, signal, log, prefix: "STREAM edge-1 [send to 10.0.0.1:19999]", tls: false,
 * };
 * ```
 */
export interface ChildHandshake {
  readonly identity: HostIdentity;
  readonly apiKey: string;
  /** Capabilities offered in `ver=`. */
  readonly offer: Capabilities;
  /** `hops=`: 1 for the node's own host; a proxy sends the hops a host came with plus one. */
  readonly hops: number;
  /** How long the parent may stay silent. */
  readonly timeoutMs: number;
  /** Aborts waiting for the reply (the sender stops); nothing is logged then. */
  readonly signal: AbortSignal;
  readonly log: Logger;
  /** `STREAM <host> [send to <destination>]` */
  readonly prefix: string;
  /** The connection is TLS (for the log). */
  readonly tls: boolean;
}

/**
 * How a handshake ended: accepted with the negotiated capabilities and the bytes after the reply, refused
 * (or not understood) with the delay the parent asked for, or no answer at all.
 */
export type HandshakeOutcome =
  | { readonly kind: "accepted"; readonly caps: Capabilities; readonly rest: string }
  | { readonly kind: "refused"; readonly retryAfterSeconds: number }
  | { readonly kind: "silent" };

// Log texts of a 1.37 child for each refusal (the postponement comes from the protocol core).
const REFUSAL_TEXT: Readonly<Record<string, string>> = {
  "denied": "remote server denied access, probably we don't have the right API key?",
  "already-streaming": "remote server rejected this stream, the host we are trying to stream is already streamed to it",
  "own-localhost": "remote server rejected this stream, the host we are trying to stream is its localhost",
  "busy": "remote server is currently busy, we should try later",
  "internal-error": "remote server encountered an internal error, we should try later",
  "initializing": "remote server is initializing, we should try later",
};

/**
 * Sends the `STREAM` request on `socket` and reads the reply. The socket is left paused on acceptance and
 * destroyed otherwise.
 *
 * @example
 * ```ts
 * const outcome = await handshakeAsChild(socket, request);
 * if (outcome.kind === "accepted") console.log(capabilityNames(outcome.caps));
 * ```
 */
export async function handshakeAsChild(socket: Socket, request: ChildHandshake): Promise<HandshakeOutcome> {
  const { identity: id, log, prefix } = request;
  log.info(`${prefix}: initializing communication${request.tls ? " (SSL)" : ""}...`);
  socket.write(buildStreamRequest({
    key: request.apiKey,
    hostname: id.hostname,
    registryHostname: id.registryHostname ?? id.hostname,
    machineGuid: id.machineGuid,
    updateEvery: id.updateEvery,
    os: id.os,
    timezone: id.timezone,
    abbrevTimezone: id.abbrevTimezone,
    utcOffset: id.utcOffset,
    hops: request.hops,
    mlCapable: 0,
    mlEnabled: 0,
    mcVersion: 1,
    tags: id.tags,
    ver: request.offer,
    systemInfo: id.systemInfo,
    protocolVersion: STREAMING_PROTOCOL_VERSION,
    userAgent: { programName: id.programName, programVersion: id.programVersion },
  }));
  log.info(`${prefix}: waiting response from remote netdata...`);

  const first = await firstChunk(socket, request.timeoutMs, request.signal);
  if (first === undefined) {
    if (!request.signal.aborted) log.error(`${prefix}: remote netdata does not respond.`);
    socket.destroy();
    return { kind: "silent" };
  }
  const { reply, rest } = splitReply(first);
  // rill's build has zstd besides what a 1.37 build has.
  const reading = readParentReply(reply, request.offer, { understandNewerRefusals: true, supported: CAPS_RILL });
  if (reading.kind !== "accepted") {
    const why = reading.kind === "refused"
      ? REFUSAL_TEXT[reading.reason]
      : "server is not replying properly (is it a netdata?).";
    log.error(`${prefix}: ${why} - will retry in ${reading.retryAfterSeconds} secs.`);
    socket.destroy();
    return { kind: "refused", retryAfterSeconds: reading.retryAfterSeconds };
  }
  log.info(
    `${prefix}: established communication - sending metrics... (negotiated capabilities: ${
      capabilityNames(reading.caps)
    })`,
  );
  return { kind: "accepted", caps: reading.caps, rest };
}

/** The first bytes the parent sends, or `undefined` when it closes or stays silent for `timeoutMs`. */
function firstChunk(socket: Socket, timeoutMs: number, signal: AbortSignal): Promise<string | undefined> {
  return new Promise((resolve) => {
    const done = (value: string | undefined) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onClose);
      socket.off("data", onData);
      socket.off("close", onClose);
      socket.off("error", onClose);
      socket.pause();
      resolve(value);
    };
    const onData = (chunk: Uint8Array) => done(new TextDecoder().decode(chunk));
    const onClose = () => done(undefined);
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.on("data", onData);
    socket.once("close", onClose);
    socket.once("error", onClose);
    if (signal.aborted) onClose();
    else signal.addEventListener("abort", onClose, { once: true });
  });
}

/** Separates the handshake reply from parent commands that arrived in the same read. */
function splitReply(chunk: string): { reply: string; rest: string } {
  if (!chunk.startsWith(REPLY_VERSION_PREFIX)) return { reply: chunk, rest: "" };
  let end = REPLY_VERSION_PREFIX.length;
  while (end < chunk.length && chunk.charCodeAt(end) >= 48 && chunk.charCodeAt(end) <= 57) end++;
  return { reply: chunk.slice(0, end), rest: chunk.slice(end) };
}
