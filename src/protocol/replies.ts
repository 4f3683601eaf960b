/**
 * The parent's one-shot handshake answer: the exact strings, how a parent picks one and how a 1.37 child
 * reads one. What a parent writes to its own logs when it refuses is the receiver's
 * (src/parent/receiver/access_log.ts).
 *
 * Every string here is a wire string and must stay byte-exact: a 1.37 child compares replies with `strcmp`.
 *
 * @module
 */

import {
  CAP_COMPRESSION,
  CAP_V2,
  CAP_VCAPS,
  CAP_VN,
  CAP_ZSTD,
  type Capabilities,
  capabilitiesToOldVersion,
  CAPS_1_37_ALL,
  COMPRESSION_CAPS,
  convertVersionToCapabilities,
  normalizeCapabilities,
} from "./capabilities.ts";

// ---------------------------------------------------------------------------------------------------
// Acceptances (parent → child, no CR/LF, no HTTP status line).

/**
 * Acceptance for a child that only speaks the oldest protocol.
 *
 * @example
 * ```ts
 * parentReplyFor(CAP_V1) === REPLY_V1; // true
 * ```
 */
export const REPLY_V1 = "Hit me baby, push them over...";

/**
 * Acceptance for a version-2 child (host labels).
 *
 * @example
 * ```ts
 * parentReplyFor(CAP_V2 | CAP_HLABELS) === REPLY_V2; // true
 * ```
 */
export const REPLY_V2 = "Hit me baby, push them over and bring the host labels...";

/**
 * Start of every numbered acceptance; a decimal version (3–5) or capability bitmask follows directly.
 *
 * @example
 * ```ts
 * `${REPLY_VERSION_PREFIX}15296`; // "Hit me baby, push them over with the version=15296"
 * ```
 */
export const REPLY_VERSION_PREFIX = "Hit me baby, push them over with the version=";

// ---------------------------------------------------------------------------------------------------
// Refusals (parent → child, then the parent closes the socket).

/**
 * Refusal for a missing or invalid key, host name or machine GUID, and for every `stream.conf` denial;
 * deliberately the same text for all of them.
 *
 * @example
 * ```ts
 * readParentReply(REFUSAL_NOT_PERMITTED, CAPS_1_37_ALL); // { kind: "refused", reason: "denied", retryAfterSeconds: 60 }
 * ```
 */
export const REFUSAL_NOT_PERMITTED = "You are not permitted to access this. Check the logs for more info.";

/**
 * Refusal when a receiver for the same machine GUID got data within the last 30 s.
 *
 * @example
 * ```ts
 * readParentReply(REFUSAL_ALREADY_STREAMING, CAPS_1_37_ALL).kind; // "refused"
 * ```
 */
export const REFUSAL_ALREADY_STREAMING = "This GUID is already streaming to this server";

/**
 * Refusal when the child's machine GUID is the parent's own.
 *
 * @example
 * ```ts
 * readParentReply(REFUSAL_SAME_LOCALHOST, CAPS_1_37_ALL); // { kind: "refused", reason: "own-localhost", retryAfterSeconds: 3600 }
 * ```
 */
export const REFUSAL_SAME_LOCALHOST = "Don't hit me baby, you are trying to stream my localhost back";

/**
 * Refusal from the rate limit (`[web] accept a streaming request every seconds`). A 1.37 parent sends it,
 * but a 1.37 child does not recognise it (it reads it as "not understood").
 *
 * @example
 * ```ts
 * readParentReply(REFUSAL_BUSY, CAPS_1_37_ALL).kind; // "not-understood"
 * ```
 */
export const REFUSAL_BUSY = "The server is too busy now to accept this request. Try later.";

/**
 * Web-server level refusal (`[web] allow streaming from` does not match the client); sent before the
 * request reaches the streaming code. Not recognised by any child.
 *
 * @example
 * ```ts
 * readParentReply(REFUSAL_NOT_ALLOWED, CAPS_1_37_ALL).kind; // "not-understood"
 * ```
 */
export const REFUSAL_NOT_ALLOWED = "You are not allowed to access this resource.";

/**
 * Post-1.37 refusal: the parent failed internally. Understood by newer children only.
 *
 * @example
 * ```ts
 * readParentReply(REFUSAL_INTERNAL_ERROR, 0, { understandNewerRefusals: true }).kind; // "refused"
 * ```
 */
export const REFUSAL_INTERNAL_ERROR = "The server encountered an internal error. Try later.";

/**
 * Post-1.37 refusal: the parent is still starting up. Understood by newer children only.
 *
 * @example
 * ```ts
 * readParentReply(REFUSAL_INITIALIZING, 0, { understandNewerRefusals: true }).kind; // "refused"
 * ```
 */
export const REFUSAL_INITIALIZING = "The server is initializing. Try later.";

/**
 * Post-1.37 refusal: the machine GUID is one of the parent's own virtual nodes. Not in any child's
 * list of known replies, so even newer children read it as "not understood".
 *
 * @example
 * ```ts
 * readParentReply(REFUSAL_LOCAL_VNODE, 0, { understandNewerRefusals: true }).kind; // "not-understood"
 * ```
 */
export const REFUSAL_LOCAL_VNODE = "Don't hit me baby, you are trying to stream my vnode back";

// ---------------------------------------------------------------------------------------------------
// Parent side.

/**
 * The acceptance a parent writes for an already negotiated set: VCAPS → the bitmask; VN → 5, 4 or 3;
 * V2 → the host-labels string; anything else → the V1 string.
 *
 * @example
 * ```ts
 * parentReplyFor(15296); // "Hit me baby, push them over with the version=15296"
 * parentReplyFor(CAP_VN | CAP_HLABELS | CAP_CLAIM); // "Hit me baby, push them over with the version=3"
 * ```
 */
export function parentReplyFor(negotiated: Capabilities): string {
  if (negotiated & CAP_VCAPS) return `${REPLY_VERSION_PREFIX}${negotiated >>> 0}`;
  if (negotiated & CAP_VN) return `${REPLY_VERSION_PREFIX}${capabilitiesToOldVersion(negotiated)}`;
  if (negotiated & CAP_V2) return REPLY_V2;
  return REPLY_V1;
}

/** Input of {@link negotiateAsParent}. */
export interface ParentNegotiationInput {
  /** The child's `ver=` as the parent parsed it, `undefined` when absent. */
  childVer: number | undefined;
  /** Whether the request carried `NETDATA_PROTOCOL_VERSION` (an absent `ver` then means 1). */
  hasProtocolVersionParam: boolean;
  /** What this parent supports (a 1.37 parent: {@link CAPS_1_37_ALL}). */
  ours: Capabilities;
  /**
   * Whether this child may compress: `[stream] enable compression` and the key's and the machine
   * GUID's `enable compression` all allow it (and we can decompress).
   */
  compressionAllowed: boolean;
}

/**
 * What a parent settles on, and the one string it writes.
 *
 * @example
 * ```ts
 * const n: ParentNegotiation = { caps: 15296, reply: "Hit me baby, push them over with the version=15296" };
 * ```
 */
export interface ParentNegotiation {
  /** The capabilities both sides will use. */
  caps: Capabilities;
  /** The reply to send in one write. */
  reply: string;
}

/**
 * Negotiates like a 1.37 parent: convert the child's `ver`, normalise, AND with our capabilities, drop
 * compression unless allowed, keep zstd rather than LZ4 when both are left (as 1.44 does), and answer with
 * {@link parentReplyFor}.
 *
 * @example
 * ```ts
 * negotiateAsParent({ childVer: 16376, hasProtocolVersionParam: true, ours: CAPS_1_37_ALL, compressionAllowed: true });
 * // { caps: 16320, reply: "Hit me baby, push them over with the version=16320" }
 * ```
 */
export function negotiateAsParent(input: ParentNegotiationInput): ParentNegotiation {
  let caps = normalizeCapabilities(convertVersionToCapabilities(input.childVer, input.hasProtocolVersionParam));
  caps = (caps & input.ours) >>> 0;
  if (!input.compressionAllowed) caps = (caps & ~COMPRESSION_CAPS) >>> 0;
  // One compression at most: zstd before LZ4, as Netdata 1.44's receiver chooses.
  if (caps & CAP_ZSTD) caps = (caps & ~CAP_COMPRESSION) >>> 0;
  return { caps, reply: parentReplyFor(caps) };
}

// ---------------------------------------------------------------------------------------------------
// Child side.

/**
 * Why a parent refused. A 1.37 child knows only the first three; the others are recognised only with
 * {@link ReadParentReplyOptions.understandNewerRefusals}.
 */
export type RefusalReason =
  | "denied"
  | "already-streaming"
  | "own-localhost"
  | "busy"
  | "internal-error"
  | "initializing";

/**
 * How long a child postpones a destination after each outcome, in seconds. The 1.37 values are those of
 * `streaming/sender.c`; `busy`, `internal-error` and `initializing` are those of current Netdata (a 1.37
 * child treats them as `not-understood`).
 *
 * @example
 * ```ts
 * CHILD_RETRY_SECONDS["own-localhost"]; // 3600
 * ```
 */
export const CHILD_RETRY_SECONDS: Readonly<Record<RefusalReason | "not-understood", number>> = {
  "denied": 60,
  "already-streaming": 120,
  "own-localhost": 3600,
  "busy": 120,
  "internal-error": 300,
  "initializing": 30,
  "not-understood": 60,
};

/**
 * A child's reading of the parent's reply.
 *
 * @example
 * ```ts
 * const r: ParentReplyReading = { kind: "not-understood", retryAfterSeconds: 60 };
 * ```
 */
export type ParentReplyReading =
  | {
    kind: "accepted";
    /** The capabilities the child now uses: what the parent said, not intersected with the offer. */
    caps: Capabilities;
    /** The number the parent sent (1 for the V1 string, 2 for the V2 string). */
    version: number;
    /** Bits in `caps` the child did not offer (the parent's word wins; see {@link readParentReply}). */
    beyondOffered: Capabilities;
  }
  | { kind: "refused"; reason: RefusalReason; retryAfterSeconds: number }
  | { kind: "not-understood"; retryAfterSeconds: 60 };

/** Options of {@link readParentReply}. */
export interface ReadParentReplyOptions {
  /**
   * What the child's build supports; accepted capabilities are AND-ed with it, as 1.37 does with its
   * compile-time set. Default {@link CAPS_1_37_ALL} (a 1.37 build with LZ4, whatever its config says).
   */
  supported?: Capabilities;
  /** Recognise the post-1.37 refusals (busy, internal error, initializing) as newer children do. Default false. */
  understandNewerRefusals?: boolean;
}

/** The dynamic reply must be shorter than prefix + this many bytes, or the child does not read it. */
const MAX_VERSION_SUFFIX_BYTES = 30;

const FIXED_REPLIES_1_37: readonly (readonly [string, number | RefusalReason])[] = [
  [REPLY_V2, 2],
  [REPLY_V1, 1],
  [REFUSAL_SAME_LOCALHOST, "own-localhost"],
  [REFUSAL_ALREADY_STREAMING, "already-streaming"],
  [REFUSAL_NOT_PERMITTED, "denied"],
];

const FIXED_REPLIES_NEWER: readonly (readonly [string, RefusalReason])[] = [
  [REFUSAL_BUSY, "busy"],
  [REFUSAL_INTERNAL_ERROR, "internal-error"],
  [REFUSAL_INITIALIZING, "initializing"],
];

const utf8 = new TextEncoder();

/**
 * Reads the parent's reply the way a 1.37 child does.
 *
 * - A reply that starts with {@link REPLY_VERSION_PREFIX} and is shorter than the prefix + 30 bytes is
 *   accepted with the digits after the prefix (read like C's `str2i`: no sign other than a leading `-`,
 *   stops at the first non-digit). The prefix alone, with nothing after it, counts as version 3.
 * - Every other reply must equal a known string exactly; anything else, HTTP responses included, is
 *   `not-understood` (retry in 60 s).
 * - The accepted capabilities are `normalise(convert(number)) & supported`, **not** intersected with what
 *   the child offered. This is 1.37's behaviour and has a visible consequence: a child with compression
 *   disabled (`ver=15352`) that is answered `version=5` (or a bitmask with bit 1024) gets COMPRESSION
 *   and must send LZ4 frames; a real 1.37 child does exactly that. `beyondOffered` shows such bits.
 * - A version below 1 after the prefix (`version=0`, `version=-3`, `version=x`) is not an acceptance. A
 *   1.37 child then drops the connection without postponing the destination; here it is reported as
 *   `not-understood` with the usual 60 s, which is the safer choice against a misbehaving parent.
 *
 * @example
 * ```ts
 * readParentReply("Hit me baby, push them over with the version=15296", 15352);
 * // { kind: "accepted", caps: 15296, version: 15296, beyondOffered: 0 }
 * readParentReply("Hit me baby, push them over with the version=5", 15352).caps; // 1952, COMPRESSION included
 * readParentReply("This GUID is already streaming to this server", 15352);
 * // { kind: "refused", reason: "already-streaming", retryAfterSeconds: 120 }
 * readParentReply("HTTP/1.1 200 OK\r\n\r\n", 15352); // { kind: "not-understood", retryAfterSeconds: 60 }
 * ```
 */
export function readParentReply(
  reply: string,
  offered: Capabilities,
  options: ReadParentReplyOptions = {},
): ParentReplyReading {
  const supported = options.supported ?? CAPS_1_37_ALL;
  const notUnderstood = { kind: "not-understood", retryAfterSeconds: 60 } as const;
  const length = utf8.encode(reply).length;

  let version: number | undefined;
  if (
    length > REPLY_VERSION_PREFIX.length && length < REPLY_VERSION_PREFIX.length + MAX_VERSION_SUFFIX_BYTES &&
    reply.startsWith(REPLY_VERSION_PREFIX)
  ) {
    version = cStr2i(reply.slice(REPLY_VERSION_PREFIX.length));
  } else if (reply === REPLY_VERSION_PREFIX) {
    version = 3;
  } else {
    const fixed = FIXED_REPLIES_1_37.find(([text]) => text === reply) ??
      (options.understandNewerRefusals ? FIXED_REPLIES_NEWER.find(([text]) => text === reply) : undefined);
    if (fixed === undefined) return notUnderstood;
    const outcome = fixed[1];
    if (typeof outcome !== "number") {
      return { kind: "refused", reason: outcome, retryAfterSeconds: CHILD_RETRY_SECONDS[outcome] };
    }
    version = outcome;
  }

  if (version < 1) return notUnderstood;
  const caps = (normalizeCapabilities(convertVersionToCapabilities(version, true)) & supported) >>> 0;
  return { kind: "accepted", caps, version, beyondOffered: (caps & ~offered) >>> 0 };
}

/** C `str2i` as Netdata writes it: optional leading `-`, decimal digits, wraps like a 32-bit int. */
function cStr2i(text: string): number {
  let i = 0;
  const negative = text.charCodeAt(0) === 45;
  if (negative) i = 1;
  let n = 0;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    n = (Math.imul(n, 10) + (c - 48)) | 0;
  }
  return negative ? -n | 0 : n;
}
