/**
 * The configuration checks a 1.37 parent makes on a stream request, in its order (protocol reference §4,
 * rows 1–4): `[web] allow streaming from`, the request's own fields, the API key's section, the machine
 * GUID's section. The checks that depend on other connections (rate limit, already streaming, own GUID)
 * are the receiver's.
 *
 * @module
 */

import type { NetdataConf } from "../../config/netdata_conf.ts";
import type { StreamConf } from "../../config/stream_conf.ts";
import { allowsPeer, peerName } from "../../protocol/allow_from.ts";
import {
  parseStreamRequest,
  type StreamRequestDefect,
  validateStreamRequest,
  type ValidStreamRequest,
} from "../../protocol/handshake.ts";
import { REFUSAL_NOT_ALLOWED, REFUSAL_NOT_PERMITTED } from "../../protocol/replies.ts";
import type { SimplePattern } from "../../protocol/simple_pattern.ts";
import {
  type ReceiverDefaults,
  receiverDefaultsFrom,
  type ReceiverDenial,
  type ReceiverPolicy,
  receiverPolicy,
} from "./admission.ts";
import {
  ACCESS_DENIED_API_KEY_GIVEN_IS_NOT_API_KEY,
  ACCESS_DENIED_INVALID_KEY,
  ACCESS_DENIED_INVALID_MACHINE_GUID,
  ACCESS_DENIED_KEY_NOT_ALLOWED_FROM_THIS_IP,
  ACCESS_DENIED_KEY_NOT_ENABLED,
  ACCESS_DENIED_MACHINE_GUID_NOT_ALLOWED_FROM_THIS_IP,
  ACCESS_DENIED_MACHINE_GUID_NOT_ENABLED,
  ACCESS_DENIED_MACHINE_GUID_NOT_MACHINE_GUID,
  ACCESS_DENIED_NO_HOSTNAME,
  ACCESS_DENIED_NO_KEY,
  ACCESS_DENIED_NO_MACHINE_GUID,
  type AccessLogStatus,
  FORBID_NO_HOSTNAME,
  FORBID_NO_KEY,
  FORBID_NO_MACHINE_GUID,
  forbiddingAccessLogLine,
  forbidInvalidKey,
  forbidInvalidMachineGuid,
  forbidKeyNotAllowed,
  forbidKeyNotFromThisIp,
  forbidMachineGuidNotAllowed,
  forbidMachineGuidNotFromThisIp,
  NOT_A_STREAM_REQUEST,
  type Requester,
  STREAMING_NOT_ALLOWED_FROM_THIS_IP,
} from "./access_log.ts";

/**
 * The netdata.conf settings the receiver applies.
 *
 * @example
 * ```ts
 * const s: ReceiverSettings = { allowStreamingFrom: SimplePattern.parse("*"), acceptStreamingRequestEverySeconds: 0, defaultUpdateEvery: 1, defaults: {} };
 * ```
 */
export interface ReceiverSettings {
  /** `[web] allow streaming from`. */
  readonly allowStreamingFrom: SimplePattern;
  /** `[web] accept a streaming request every seconds` (0 = no limit). */
  readonly acceptStreamingRequestEverySeconds: number;
  /** `[db] update every`: a child's interval when its request has none. */
  readonly defaultUpdateEvery: number;
  /** The parent's own `[db]` values per-host settings fall back to (`receiverDefaultsFrom(netdataConf)`). */
  readonly defaults: Partial<ReceiverDefaults>;
}

/**
 * The receiver's settings from a parsed `netdata.conf`.
 *
 * @example
 * ```ts
 * const settings = receiverSettingsFrom(readConfigDir("/etc/netdata").netdata);
 * ```
 */
export function receiverSettingsFrom(netdata: NetdataConf): ReceiverSettings {
  return {
    allowStreamingFrom: netdata.web.allowStreamingFrom,
    acceptStreamingRequestEverySeconds: netdata.web.acceptStreamingRequestEverySeconds,
    defaultUpdateEvery: netdata.db.updateEvery,
    defaults: receiverDefaultsFrom(netdata),
  };
}

/**
 * A refused request: the bare string the child gets, the access-log status, and the whole error-log line,
 * if the refusal writes one.
 *
 * @example
 * ```ts
 * const r: Refusal = {
 *   reply: REFUSAL_NOT_PERMITTED, status: "ACCESS DENIED - NO KEY",
 *   errorLog: "STREAM [receive from [127.0.0.1]:40000]: request without an API key. Forbidding access.",
 * };
 * ```
 */
export interface Refusal {
  readonly reply: string;
  readonly status: AccessLogStatus;
  readonly errorLog: string | undefined;
}

/**
 * Outcome of {@link checkAccess}.
 *
 * @example
 * ```ts
 * const a: AccessCheck = checkAccess(head, who, conf, settings);
 * if (!a.ok) socket.end(a.refusal.reply);
 * ```
 */
export type AccessCheck =
  | {
    readonly ok: true;
    readonly request: ValidStreamRequest;
    readonly policy: ReceiverPolicy;
    readonly who: Requester;
  }
  | { readonly ok: false; readonly refusal: Refusal; readonly who: Requester };

/**
 * Checks rows 1–4 of the refusal table for the request `head` from `ip:port`.
 *
 * @example
 * ```ts
 * const a = checkAccess("STREAM hostname=h HTTP/1.1\r\n", "127.0.0.1", 40000, conf, settings);
 * a.ok; // false: ACCESS DENIED - NO KEY
 * ```
 */
export function checkAccess(
  head: string,
  ip: string,
  port: number,
  conf: StreamConf,
  settings: ReceiverSettings,
): AccessCheck {
  const parsed = parseStreamRequest(head, { defaultUpdateEvery: settings.defaultUpdateEvery });
  const raw = parsed.ok ? parsed.request : undefined;
  // Log lines name the child as 1.37's do (`localhost` for loopback); the checks use the address.
  const who: Requester = {
    ip: peerName(ip),
    port,
    hostname: raw?.hostname ?? "",
    key: raw?.key ?? "",
    machineGuid: raw?.machineGuid ?? "",
  };
  const refuse = (reply: string, status: AccessLogStatus, message: string | undefined): AccessCheck => ({
    ok: false,
    refusal: { reply, status, errorLog: message && forbiddingAccessLogLine(who.ip, String(port), message) },
    who,
  });

  if (!allowsPeer(settings.allowStreamingFrom, ip)) {
    return refuse(REFUSAL_NOT_ALLOWED, STREAMING_NOT_ALLOWED_FROM_THIS_IP, undefined);
  }
  if (!parsed.ok) return refuse(REFUSAL_NOT_PERMITTED, NOT_A_STREAM_REQUEST, parsed.error.message);
  const valid = validateStreamRequest(parsed.request);
  if (!valid.ok) {
    const defect = requestDefect(parsed.request, valid.defect);
    return refuse(valid.reply, defect.status, defect.message);
  }

  const request = valid.request;
  const policy = receiverPolicy(conf, request.key, request.machineGuid, { clientIp: ip, defaults: settings.defaults });
  if (policy.access.allowed) return { ok: true, request, policy, who };
  const denial = sectionDenial(policy, policy.access.denial);
  return refuse(REFUSAL_NOT_PERMITTED, denial.status, denial.message);
}

// The access log's 1.37 status and the error log's message for each defect of the request itself.
function requestDefect(
  request: { readonly key?: string; readonly machineGuid?: string },
  defect: StreamRequestDefect,
): { status: AccessLogStatus; message: string } {
  switch (defect) {
    case "no-key":
      return { status: ACCESS_DENIED_NO_KEY, message: FORBID_NO_KEY };
    case "no-hostname":
      return { status: ACCESS_DENIED_NO_HOSTNAME, message: FORBID_NO_HOSTNAME };
    case "no-machine-guid":
      return { status: ACCESS_DENIED_NO_MACHINE_GUID, message: FORBID_NO_MACHINE_GUID };
    case "invalid-key":
      return { status: ACCESS_DENIED_INVALID_KEY, message: forbidInvalidKey(request.key ?? "") };
    case "invalid-machine-guid":
      return {
        status: ACCESS_DENIED_INVALID_MACHINE_GUID,
        message: forbidInvalidMachineGuid(request.machineGuid ?? ""),
      };
  }
}

// The access log's 1.37 status and the error log's message for each refusing check of receiverPolicy().
function sectionDenial(policy: ReceiverPolicy, denial: ReceiverDenial): { status: AccessLogStatus; message: string } {
  const { apiKey: key, machineGuid: guid } = policy;
  switch (denial) {
    case "key-is-machine":
      return {
        status: ACCESS_DENIED_API_KEY_GIVEN_IS_NOT_API_KEY,
        message: `API key '${key}' is a ${policy.keySection?.declaredType} GUID`,
      };
    case "key-not-from-ip":
      return { status: ACCESS_DENIED_KEY_NOT_ALLOWED_FROM_THIS_IP, message: forbidKeyNotFromThisIp(key) };
    case "machine-is-key":
      return {
        status: ACCESS_DENIED_MACHINE_GUID_NOT_MACHINE_GUID,
        message: `machine GUID '${guid}' is a ${policy.machineSection?.declaredType} GUID`,
      };
    case "machine-not-enabled":
      return { status: ACCESS_DENIED_MACHINE_GUID_NOT_ENABLED, message: forbidMachineGuidNotAllowed(guid) };
    case "machine-not-from-ip":
      return {
        status: ACCESS_DENIED_MACHINE_GUID_NOT_ALLOWED_FROM_THIS_IP,
        message: forbidMachineGuidNotFromThisIp(guid),
      };
    default: // key-not-enabled (section missing or enabled = no); the GUID checks ran before receiverPolicy()
      return { status: ACCESS_DENIED_KEY_NOT_ENABLED, message: forbidKeyNotAllowed(key) };
  }
}
