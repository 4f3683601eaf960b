/**
 * The child's one handshake request (`STREAM key=…&… HTTP/1.1`): building it byte-exact as a 1.37 child
 * does, and reading and validating it as a 1.37 parent does.
 *
 * @module
 */

import type { Capabilities } from "./capabilities.ts";
import { canonicalGuid, isGuid } from "./guid.ts";
import { REFUSAL_NOT_PERMITTED } from "./replies.ts";

/**
 * The literal a 1.37 child sends as `NETDATA_PROTOCOL_VERSION`.
 *
 * @example
 * ```ts
 * STREAMING_PROTOCOL_VERSION; // "1.1"
 * ```
 */
export const STREAMING_PROTOCOL_VERSION = "1.1";

/**
 * Size of the buffer a 1.37 child formats its request in (and reads the reply into): a longer request
 * would be cut at 8191 bytes, so {@link buildStreamRequest} refuses to produce one.
 *
 * @example
 * ```ts
 * buildStreamRequest(req).length < CHILD_REQUEST_BUFFER_BYTES; // always
 * ```
 */
export const CHILD_REQUEST_BUFFER_BYTES = 8192;

/**
 * Largest request head (request line + headers + blank line) a listener should buffer before giving up:
 * twice what a 1.37 child can produce, leaving room for newer children that URL-encode every value.
 *
 * @example
 * ```ts
 * if (findRequestEnd(buffered) < 0 && buffered.length >= MAX_REQUEST_HEAD_BYTES) socket.destroy();
 * ```
 */
export const MAX_REQUEST_HEAD_BYTES = 16384;

/**
 * The system-info parameters a 1.37 child sends after `ver=`, in its order.
 *
 * @example
 * ```ts
 * SYSTEM_INFO_NAMES[0]; // "NETDATA_INSTANCE_CLOUD_TYPE"
 * ```
 */
export const SYSTEM_INFO_NAMES = [
  "NETDATA_INSTANCE_CLOUD_TYPE",
  "NETDATA_INSTANCE_CLOUD_INSTANCE_TYPE",
  "NETDATA_INSTANCE_CLOUD_INSTANCE_REGION",
  "NETDATA_SYSTEM_OS_NAME",
  "NETDATA_SYSTEM_OS_ID",
  "NETDATA_SYSTEM_OS_ID_LIKE",
  "NETDATA_SYSTEM_OS_VERSION",
  "NETDATA_SYSTEM_OS_VERSION_ID",
  "NETDATA_SYSTEM_OS_DETECTION",
  "NETDATA_HOST_IS_K8S_NODE",
  "NETDATA_SYSTEM_KERNEL_NAME",
  "NETDATA_SYSTEM_KERNEL_VERSION",
  "NETDATA_SYSTEM_ARCHITECTURE",
  "NETDATA_SYSTEM_VIRTUALIZATION",
  "NETDATA_SYSTEM_VIRT_DETECTION",
  "NETDATA_SYSTEM_CONTAINER",
  "NETDATA_SYSTEM_CONTAINER_DETECTION",
  "NETDATA_CONTAINER_OS_NAME",
  "NETDATA_CONTAINER_OS_ID",
  "NETDATA_CONTAINER_OS_ID_LIKE",
  "NETDATA_CONTAINER_OS_VERSION",
  "NETDATA_CONTAINER_OS_VERSION_ID",
  "NETDATA_CONTAINER_OS_DETECTION",
  "NETDATA_SYSTEM_CPU_LOGICAL_CPU_COUNT",
  "NETDATA_SYSTEM_CPU_FREQ",
  "NETDATA_SYSTEM_TOTAL_RAM",
  "NETDATA_SYSTEM_TOTAL_DISK_SIZE",
] as const;

/**
 * One of {@link SYSTEM_INFO_NAMES}.
 *
 * @example
 * ```ts
 * const name: SystemInfoName = "NETDATA_SYSTEM_KERNEL_NAME";
 * ```
 */
export type SystemInfoName = (typeof SYSTEM_INFO_NAMES)[number];

/**
 * System info by parameter name; a missing name is sent as an empty value (and the parent then skips it).
 *
 * @example
 * ```ts
 * const info: SystemInfo = { NETDATA_SYSTEM_KERNEL_NAME: "Linux", NETDATA_SYSTEM_ARCHITECTURE: "x86_64" };
 * ```
 */
export type SystemInfo = Partial<Record<SystemInfoName, string>>;

/**
 * The only values a 1.37 child URL-encodes; it sends every other value raw, spaces and slashes included.
 *
 * @example
 * ```ts
 * URL_ENCODED_SYSTEM_INFO.has("NETDATA_SYSTEM_OS_NAME"); // true
 * URL_ENCODED_SYSTEM_INFO.has("NETDATA_CONTAINER_OS_NAME"); // false
 * ```
 */
export const URL_ENCODED_SYSTEM_INFO: ReadonlySet<SystemInfoName> = new Set<SystemInfoName>([
  "NETDATA_SYSTEM_OS_NAME",
  "NETDATA_SYSTEM_OS_ID",
  "NETDATA_SYSTEM_OS_VERSION",
  "NETDATA_SYSTEM_KERNEL_NAME",
  "NETDATA_SYSTEM_KERNEL_VERSION",
]);

/**
 * Program name and version, sent as `User-Agent: <name>/<version>`.
 *
 * @example
 * ```ts
 * const ua: UserAgent = { programName: "netdata", programVersion: "v1.37.1" };
 * ```
 */
export interface UserAgent {
  programName: string;
  programVersion: string;
}

/**
 * Everything a child puts in its handshake request.
 *
 * @example
 * ```ts
 * const req: StreamRequest = {
 *   key: "11111111-2222-3333-4444-555555555555", hostname: "edge-1", registryHostname: "edge-1",
 *   machineGuid: "82be38ca-e718-11f1-8984-02fc00000001", updateEvery: 1, os: "linux", timezone: "Etc/UTC",
 *   abbrevTimezone: "UTC", utcOffset: 0, hops: 1, mlCapable: 0, mlEnabled: 0, mcVersion: 1, tags: "",
 *   ver: 15352, systemInfo: {}, protocolVersion: "1.1", userAgent: { programName: "rill", programVersion: "0.1.0" },
 * };
 * ```
 */
export interface StreamRequest {
  /** `key`: the API key (`[stream] api key`). */
  key: string;
  /** `hostname`: the host's name on the parent (`/host/<hostname>/`). */
  hostname: string;
  /** `registry_hostname`: usually the same as `hostname`. */
  registryHostname: string;
  /** `machine_guid`: the node's identity on the parent. */
  machineGuid: string;
  /** `update_every`: global collection interval, seconds. */
  updateEvery: number;
  /** `os`: e.g. `linux`. */
  os: string;
  /** `timezone`: e.g. `Etc/UTC` (sent raw). */
  timezone: string;
  /** `abbrev_timezone`: e.g. `UTC`. */
  abbrevTimezone: string;
  /** `utc_offset`: seconds east of UTC. */
  utcOffset: number;
  /** `hops`: the sender's own hops + 1 (a direct child sends 1). */
  hops: number;
  /** `ml_capable`: 0 or 1. */
  mlCapable: number;
  /** `ml_enabled`: 0 or 1. */
  mlEnabled: number;
  /** `mc_version`: metric-correlations version (1). */
  mcVersion: number;
  /** `tags`: host tags, usually empty. */
  tags: string;
  /** `ver`: the offered capability bitmask; `undefined` leaves `ver=` out (as pre-capability children did). */
  ver: Capabilities | undefined;
  /** The `NETDATA_*` system-info parameters. */
  systemInfo: SystemInfo;
  /** `NETDATA_PROTOCOL_VERSION`, normally {@link STREAMING_PROTOCOL_VERSION}; `undefined` leaves it out. */
  protocolVersion: string | undefined;
  /** The `User-Agent` header. */
  userAgent: UserAgent;
}

/**
 * Builds the request exactly as a 1.37 child sends it, in one piece: the parameters in the 1.37 order,
 * only the five values of {@link URL_ENCODED_SYSTEM_INFO} URL-encoded (like Netdata: letters, digits and
 * `-_.~` kept, space → `+`, every other UTF-8 byte → `%xx` in lower case), CRLF line ends,
 * `User-Agent`, `Accept: *\/*` and the blank line.
 *
 * Raw values are not escaped, so a value holding `&` or ` HTTP/` confuses the parent exactly as it would
 * with 1.37. Values with CR or LF (which would inject headers) and requests of 8192 bytes or more (which
 * a 1.37 child would truncate) throw a `RangeError`.
 *
 * @example
 * ```ts
 * buildStreamRequest(req).startsWith("STREAM key=11111111-2222-3333-4444-555555555555&hostname=edge-1&"); // true
 * ```
 */
export function buildStreamRequest(req: StreamRequest): string {
  const raw = (name: string, value: string): string => {
    if (/[\r\n]/.test(value)) throw new RangeError(`stream request: '${name}' contains a line break`);
    return value;
  };
  const int = (value: number): string => String(Math.trunc(value) | 0);

  const params: string[] = [
    `key=${raw("key", req.key)}`,
    `hostname=${raw("hostname", req.hostname)}`,
    `registry_hostname=${raw("registry_hostname", req.registryHostname)}`,
    `machine_guid=${raw("machine_guid", req.machineGuid)}`,
    `update_every=${int(req.updateEvery)}`,
    `os=${raw("os", req.os)}`,
    `timezone=${raw("timezone", req.timezone)}`,
    `abbrev_timezone=${raw("abbrev_timezone", req.abbrevTimezone)}`,
    `utc_offset=${int(req.utcOffset)}`,
    `hops=${int(req.hops)}`,
    `ml_capable=${int(req.mlCapable)}`,
    `ml_enabled=${int(req.mlEnabled)}`,
    `mc_version=${int(req.mcVersion)}`,
    `tags=${raw("tags", req.tags)}`,
  ];
  if (req.ver !== undefined) params.push(`ver=${req.ver >>> 0}`);
  for (const name of SYSTEM_INFO_NAMES) {
    const value = req.systemInfo[name] ?? "";
    params.push(`${name}=${URL_ENCODED_SYSTEM_INFO.has(name) ? netdataUrlEncode(value) : raw(name, value)}`);
  }
  if (req.protocolVersion !== undefined) {
    params.push(`NETDATA_PROTOCOL_VERSION=${raw("NETDATA_PROTOCOL_VERSION", req.protocolVersion)}`);
  }

  const ua = `${raw("User-Agent", req.userAgent.programName)}/${raw("User-Agent", req.userAgent.programVersion)}`;
  const text = `STREAM ${params.join("&")} HTTP/1.1\r\nUser-Agent: ${ua}\r\nAccept: */*\r\n\r\n`;
  const bytes = utf8Encoder.encode(text).length;
  if (bytes >= CHILD_REQUEST_BUFFER_BYTES) {
    throw new RangeError(`stream request is ${bytes} bytes; a 1.37 child cannot send more than 8191`);
  }
  return text;
}

/**
 * `User-Agent` as the parent splits it at the first `/`.
 *
 * @example
 * ```ts
 * const ua: ParsedUserAgent = { programName: "netdata", programVersion: "v1.37.1" };
 * ```
 */
export interface ParsedUserAgent {
  programName: string;
  /** `undefined` when there is no `/` or nothing after it. */
  programVersion: string | undefined;
}

/**
 * The request as a parent reads it. Absent optional fields carry the parent's defaults; `key`,
 * `hostname` and `machineGuid` stay `undefined` when absent ({@link validateStreamRequest} refuses them).
 * A parameter with an empty value counts as absent.
 *
 * @example
 * ```ts
 * const r = parseStreamRequest(head);
 * if (r.ok) r.request.hostname; // "nd-child"
 * ```
 */
export interface ParsedStreamRequest {
  key: string | undefined;
  hostname: string | undefined;
  /** Defaults to `hostname`. */
  registryHostname: string | undefined;
  machineGuid: string | undefined;
  /** Defaults to the parent's own interval ({@link ParseStreamRequestOptions.defaultUpdateEvery}). */
  updateEvery: number;
  /** Default `unknown`. */
  os: string;
  /** Default `unknown`. */
  timezone: string;
  /** Default `UTC`. */
  abbrevTimezone: string;
  /** Default 0. */
  utcOffset: number;
  /** Default 1. */
  hops: number;
  /** Default 0. */
  mlCapable: number;
  /** Default 0. */
  mlEnabled: number;
  /** Default 0. */
  mcVersion: number;
  tags: string | undefined;
  /** `ver=` read as the parent does (C `strtoul` with base 0, kept as a 32-bit signed int); `undefined` if absent. */
  ver: number | undefined;
  /** Whether `NETDATA_PROTOCOL_VERSION` was present (an absent `ver` then means version 1). */
  hasProtocolVersionParam: boolean;
  protocolVersion: string | undefined;
  /** The known system-info parameters present (wire names; the parent stores `NETDATA_SYSTEM_OS_*` as `NETDATA_HOST_OS_*`). */
  systemInfo: SystemInfo;
  userAgent: ParsedUserAgent | undefined;
  /** What follows ` HTTP/` on the request line, e.g. `1.1`. */
  httpVersion: string;
  /** Every non-empty parameter after decoding, in first-seen order (a repeated name keeps the last value). */
  raw: ReadonlyMap<string, string>;
}

/**
 * Why a request head is not a stream request at all.
 *
 * @example
 * ```ts
 * const e: StreamRequestError = { code: "not-stream-request", message: "request line does not start with 'STREAM '" };
 * ```
 */
export interface StreamRequestError {
  code: "not-stream-request" | "missing-http-version";
  message: string;
}

/**
 * Result of {@link parseStreamRequest}.
 *
 * @example
 * ```ts
 * const r: StreamRequestParse = parseStreamRequest("GET / HTTP/1.1\r\n\r\n"); // { ok: false, error: … }
 * ```
 */
export type StreamRequestParse =
  | { ok: true; request: ParsedStreamRequest }
  | { ok: false; error: StreamRequestError };

/** Options of {@link parseStreamRequest}. */
export interface ParseStreamRequestOptions {
  /** Interval used when the child sends no `update_every` (the parent's own `update every`). Default 1. */
  defaultUpdateEvery?: number;
}

/**
 * Reads a request head (request line, headers, optionally the blank line; anything after the blank line
 * is ignored) as a 1.37 parent does:
 *
 * 1. the request line must start with `STREAM `; the target ends at the first ` HTTP/`;
 * 2. the **whole** target is URL-decoded first (`%xx` → byte, `+` → space; a `%xx` giving a control
 *    character becomes a space so nothing can be smuggled into logs; a `%` not followed by two hex
 *    digits is kept), then split on `&` and each part on its first `=`;
 * 3. empty names and empty values are skipped.
 *
 * Because of step 2, a `+` in a raw value reads as a space: the real 1.37 child's
 * `NETDATA_SYSTEM_CPU_FREQ=2.596e+09` arrives as `2.596e 09` on a 1.37 parent too.
 *
 * Missing `key`/`hostname`/`machine_guid` are not parse errors: see {@link validateStreamRequest}.
 *
 * @example
 * ```ts
 * const r = parseStreamRequest("STREAM key=k&hostname=h&machine_guid=g&ver=15352 HTTP/1.1\r\nUser-Agent: netdata/v1.37.1\r\n\r\n");
 * r.ok && r.request.ver; // 15352
 * r.ok && r.request.os; // "unknown"
 * ```
 */
export function parseStreamRequest(head: string, options: ParseStreamRequestOptions = {}): StreamRequestParse {
  const lines = head.split(/\r?\n/);
  const requestLine = lines[0];
  if (!requestLine.startsWith("STREAM ")) {
    return { ok: false, error: { code: "not-stream-request", message: "request line does not start with 'STREAM '" } };
  }
  const end = requestLine.indexOf(" HTTP/", "STREAM ".length - 1);
  if (end < 0) {
    return {
      ok: false,
      error: { code: "missing-http-version", message: "request line has no ' HTTP/' after the target" },
    };
  }
  const target = requestLine.slice("STREAM ".length, Math.max(end, "STREAM ".length));
  const httpVersion = requestLine.slice(end + " HTTP/".length);

  const raw = new Map<string, string>();
  for (const part of netdataUrlDecode(target).split("&")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const value = part.slice(eq + 1);
    if (value === "") continue;
    raw.set(part.slice(0, eq), value);
  }

  let userAgent: ParsedUserAgent | undefined;
  for (const line of lines.slice(1)) {
    if (line === "") break;
    const colon = line.indexOf(":");
    if (colon <= 0 || line.slice(0, colon).trim().toLowerCase() !== "user-agent") continue;
    const value = line.slice(colon + 1).trim();
    if (value === "") continue;
    const slash = value.indexOf("/");
    userAgent = slash < 0
      ? { programName: value, programVersion: undefined }
      : { programName: value.slice(0, slash), programVersion: value.slice(slash + 1) || undefined };
  }

  const text = (name: string): string | undefined => raw.get(name);
  const num = (name: string, fallback: number, convert: (v: bigint) => number, signed = false): number => {
    const value = raw.get(name);
    return value === undefined ? fallback : convert(cStrtol(value, !signed));
  };
  const int32 = (v: bigint): number => Number(BigInt.asIntN(32, v));
  const uint16 = (v: bigint): number => Number(BigInt.asUintN(16, v));

  const systemInfo: SystemInfo = {};
  for (const name of SYSTEM_INFO_NAMES) {
    const value = raw.get(name);
    if (value !== undefined) systemInfo[name] = value;
  }

  const hostname = text("hostname");
  const verText = text("ver");
  const protocolVersion = text("NETDATA_PROTOCOL_VERSION");
  return {
    ok: true,
    request: {
      key: text("key"),
      hostname,
      registryHostname: text("registry_hostname") ?? hostname,
      machineGuid: text("machine_guid"),
      updateEvery: num("update_every", options.defaultUpdateEvery ?? 1, int32),
      os: text("os") ?? "unknown",
      timezone: text("timezone") ?? "unknown",
      abbrevTimezone: text("abbrev_timezone") ?? "UTC",
      utcOffset: num("utc_offset", 0, int32, true),
      hops: num("hops", 1, uint16),
      mlCapable: num("ml_capable", 0, int32),
      mlEnabled: num("ml_enabled", 0, int32),
      mcVersion: num("mc_version", 0, int32),
      tags: text("tags"),
      ver: verText === undefined ? undefined : int32(cStrtol(verText, true)),
      hasProtocolVersionParam: protocolVersion !== undefined,
      protocolVersion,
      systemInfo,
      userAgent,
      httpVersion,
      raw,
    },
  };
}

/**
 * A request that passed {@link validateStreamRequest}: the identity fields are present and well formed.
 *
 * @example
 * ```ts
 * const v = validateStreamRequest(parsed);
 * if (v.ok) v.request.machineGuid; // "82be38ca-e718-11f1-8984-02fc00000001", whatever case the child sent
 * ```
 */
export type ValidStreamRequest = ParsedStreamRequest & {
  key: string;
  hostname: string;
  registryHostname: string;
  /** In its canonical lower-case form ({@link canonicalGuid}); the text as sent stays in `raw`. */
  machineGuid: string;
};

/**
 * What is wrong with a stream request on its own, in the order a 1.37 parent checks: a field missing, or
 * the key or machine GUID not a GUID.
 *
 * @example
 * ```ts
 * const d: StreamRequestDefect = "no-key";
 * ```
 */
export type StreamRequestDefect = "no-key" | "no-hostname" | "no-machine-guid" | "invalid-key" | "invalid-machine-guid";

/**
 * Outcome of {@link validateStreamRequest}. On refusal, `reply` is what the child gets and `defect` what
 * the parent's logs name.
 *
 * @example
 * ```ts
 * const v: StreamRequestValidation = validateStreamRequest(parsed);
 * if (!v.ok) socket.end(v.reply);
 * ```
 */
export type StreamRequestValidation =
  | { ok: true; request: ValidStreamRequest }
  | { ok: false; defect: StreamRequestDefect; reply: typeof REFUSAL_NOT_PERMITTED };

/**
 * The request-only checks a 1.37 parent makes before looking at `stream.conf`, in its order: key present,
 * hostname present, machine GUID present, key is a GUID, machine GUID is a GUID. Every refusal answers
 * the same "not permitted" string; only the logs tell them apart.
 *
 * @example
 * ```ts
 * const r = parseStreamRequest("STREAM hostname=h&machine_guid=g HTTP/1.1\r\n\r\n");
 * r.ok && validateStreamRequest(r.request);
 * // { ok: false, defect: "no-key", reply: "You are not permitted to access this. Check the logs for more info." }
 * ```
 */
export function validateStreamRequest(req: ParsedStreamRequest): StreamRequestValidation {
  const refuse = (defect: StreamRequestDefect): StreamRequestValidation => ({
    ok: false,
    defect,
    reply: REFUSAL_NOT_PERMITTED,
  });
  const { key, hostname, machineGuid } = req;
  if (key === undefined) return refuse("no-key");
  if (hostname === undefined) return refuse("no-hostname");
  if (machineGuid === undefined) return refuse("no-machine-guid");
  if (!isGuid(key)) return refuse("invalid-key");
  if (!isGuid(machineGuid)) return refuse("invalid-machine-guid");
  return {
    ok: true,
    request: {
      ...req,
      key,
      hostname,
      // Normalised once, here: the parent's every check and name for the host then agrees on one form.
      machineGuid: canonicalGuid(machineGuid),
      registryHostname: req.registryHostname ?? hostname,
    },
  };
}

/**
 * Index just after the blank line that ends a request head in `bytes` (the first `\n` followed by `\r\n` or by
 * `\n`: CRLF heads and the LF-only heads of hand-written clients alike), or -1 while it has not arrived. `from`
 * lets a listener resume where the previous search stopped (pass `max(0, length - 3)`).
 *
 * @example
 * ```ts
 * findRequestEnd(new TextEncoder().encode("STREAM a=b HTTP/1.1\r\n\r\n")); // 25
 * findRequestEnd(new TextEncoder().encode("GET / HTTP/1.1\n\n")); // 16
 * findRequestEnd(new TextEncoder().encode("STREAM a=b HTTP/1.1\r\n")); // -1
 * ```
 */
export function findRequestEnd(bytes: Uint8Array, from = 0): number {
  for (let i = Math.max(0, from); i + 1 < bytes.length; i++) {
    if (bytes[i] !== 10) continue;
    if (bytes[i + 1] === 10) return i + 2;
    if (bytes[i + 1] === 13 && i + 2 < bytes.length && bytes[i + 2] === 10) return i + 3;
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------------

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** Netdata's `url_encode`: keeps ASCII letters, digits and `-_.~`, turns space into `+`, escapes the rest. */
function netdataUrlEncode(value: string): string {
  let out = "";
  for (const byte of utf8Encoder.encode(value)) {
    if (
      (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) ||
      byte === 45 || byte === 95 || byte === 46 || byte === 126
    ) {
      out += String.fromCharCode(byte);
    } else if (byte === 32) {
      out += "+";
    } else {
      out += `%${byte.toString(16).padStart(2, "0")}`;
    }
  }
  return out;
}

function hexValue(byte: number): number {
  if (byte >= 48 && byte <= 57) return byte - 48;
  if (byte >= 65 && byte <= 70) return byte - 55;
  if (byte >= 97 && byte <= 102) return byte - 87;
  return -1;
}

/** Decodes the whole target the way the parent's web server does before splitting it. */
function netdataUrlDecode(target: string): string {
  const src = utf8Encoder.encode(target);
  const out = new Uint8Array(src.length);
  let n = 0;
  for (let i = 0; i < src.length; i++) {
    const byte = src[i];
    if (byte === 37 && i + 2 < src.length && hexValue(src[i + 1]) >= 0 && hexValue(src[i + 2]) >= 0) {
      const decoded = hexValue(src[i + 1]) * 16 + hexValue(src[i + 2]);
      out[n++] = decoded < 32 || decoded === 127 ? 32 : decoded;
      i += 2;
    } else {
      out[n++] = byte === 43 ? 32 : byte;
    }
  }
  return utf8Decoder.decode(out.subarray(0, n));
}

const U64_MAX = (1n << 64n) - 1n;
const I64_MAX = (1n << 63n) - 1n;

/**
 * C `strtoul`/`strtol` with base 0 (leading blanks, sign, `0x` hex, `0` octal, decimal; stops at the first
 * invalid character; 0 when there are no digits), saturating as C does. `strtoul` wraps a negative result.
 */
function cStrtol(text: string, unsigned: boolean): bigint {
  let i = 0;
  while (i < text.length && " \t\n\v\f\r".includes(text[i])) i++;
  let negative = false;
  if (text[i] === "+" || text[i] === "-") {
    negative = text[i] === "-";
    i++;
  }
  let radix = 10;
  if (text[i] === "0" && (text[i + 1] === "x" || text[i + 1] === "X") && hexValue(text.charCodeAt(i + 2)) >= 0) {
    radix = 16;
    i += 2;
  } else if (text[i] === "0") {
    radix = 8;
  }
  let magnitude = 0n;
  let overflow = false;
  for (; i < text.length; i++) {
    const digit = hexValue(text.charCodeAt(i));
    if (digit < 0 || digit >= radix) break;
    if (!overflow) {
      magnitude = magnitude * BigInt(radix) + BigInt(digit);
      if (magnitude > U64_MAX) overflow = true;
    }
  }
  if (unsigned) {
    if (overflow) return U64_MAX;
    return negative ? BigInt.asUintN(64, -magnitude) : magnitude;
  }
  if (negative) return overflow || magnitude > I64_MAX + 1n ? -(I64_MAX + 1n) : -magnitude;
  return overflow || magnitude > I64_MAX ? I64_MAX : magnitude;
}
