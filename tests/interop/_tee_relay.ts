/**
 * A transparent tee for streaming tests: a child connects to it; every byte the child sends goes to two
 * parents; only the primary parent's bytes go back to the child. Both parents thus receive the very same
 * stream, and the child speaks with the primary alone. It counts the child's bytes on the wire and reads
 * the child's stream as text, decoding LZ4 frames when the primary's reply granted compression.
 */
import { connect } from "node:net";
import { listenRelay } from "../_loopback_relay.ts";
import { CAP_COMPRESSION, convertVersionToCapabilities } from "../../src/protocol/capabilities.ts";
import { Lz4FrameDecoder } from "../../src/protocol/lz4_frame.ts";

/** A running tee. */
export interface TeeRelay {
  /** The loopback port children connect to. */
  readonly port: number;
  /** What the secondary parent sent back, per connection (its replies are not forwarded). */
  readonly secondaryReplies: string[];
  /** What the child sent, per connection, as it was on the wire (latin1 text: LZ4 frames stay frames). */
  readonly childStreams: string[];
  /** What the primary parent sent back, per connection. */
  readonly primaryReplies: string[];
  /**
   * What the child sent on connection `index` as text: the request head, then the stream, decoded from its
   * LZ4 frames when the primary's reply granted COMPRESSION (a whole trailing frame still in flight is left
   * out).
   */
  childText(index: number): string;
  /** Closes the listener and every connection. */
  stop(): Promise<void>;
}

/**
 * Starts a tee in front of a primary and (optionally) a secondary parent, both on 127.0.0.1; without a
 * secondary it only records what the child sends.
 */
export async function startTeeRelay(primaryPort: number, secondaryPort?: number): Promise<TeeRelay> {
  const secondaryReplies: string[] = [];
  const childStreams: string[] = [];
  const primaryReplies: string[] = [];
  const relay = await listenRelay((child, track) => {
    const primary = track(connect(primaryPort, "127.0.0.1"));
    const secondary = secondaryPort === undefined ? undefined : track(connect(secondaryPort, "127.0.0.1"));
    const index = secondaryReplies.push("") - 1;
    childStreams.push("");
    primaryReplies.push("");
    child.on("data", (chunk) => {
      childStreams[index] += chunk.toString("latin1");
      primary.write(chunk);
      if (secondary !== undefined && !secondary.destroyed) secondary.write(chunk);
    });
    primary.on("data", (chunk) => {
      primaryReplies[index] += chunk.toString("latin1");
      child.write(chunk);
    });
    secondary?.on("data", (chunk) => secondaryReplies[index] += chunk.toString("latin1"));
    // The child's session is the primary's: when either of them goes, the whole tee connection goes.
    child.on("close", () => {
      primary.destroy();
      secondary?.destroy();
    });
    primary.on("close", () => child.destroy());
  });
  return {
    port: relay.port,
    secondaryReplies,
    childStreams,
    primaryReplies,
    childText: (index) => streamText(childStreams[index] ?? "", primaryReplies[index] ?? ""),
    stop: relay.stop,
  };
}

const VERSION_REPLY = "Hit me baby, push them over with the version=";

/** A child's stream as text: plain as it came, or decoded from LZ4 frames if `reply` granted COMPRESSION. */
function streamText(stream: string, reply: string): string {
  const headEnd = stream.indexOf("\r\n\r\n") + 4;
  const version = reply.startsWith(VERSION_REPLY) ? Number.parseInt(reply.slice(VERSION_REPLY.length), 10) : 0;
  if (headEnd < 4 || (convertVersionToCapabilities(version, true) & CAP_COMPRESSION) === 0) return stream;
  const decoder = new Lz4FrameDecoder();
  decoder.push(Buffer.from(stream.slice(headEnd), "latin1"));
  let text = stream.slice(0, headEnd);
  const utf8 = new TextDecoder();
  for (let frame = decoder.next(); frame !== undefined; frame = decoder.next()) {
    text += utf8.decode(frame, { stream: true });
  }
  return text;
}
