/**
 * What the receiver writes to its logs about a child's admission, gathered in one place: every access-log
 * status (1.37's own texts, and rill's for the refusals 1.37 leaves to its web server's HTTP status), the
 * access-log line, and the "Forbidding access" messages of the error log. The child never sees any of
 * these; it gets the reply strings of src/protocol/replies.ts.
 *
 * Operators grep logs for these texts: the 1.37 ones must stay byte-exact.
 *
 * @module
 */

import process from "node:process";
import { escapeControls } from "../../runtime/log.ts";

// ---------------------------------------------------------------------------------------------------
// Access-log statuses of a connection's life.

/** Access log: the child was accepted and streams. @example `accessLogLine(who, CONNECTED)` */
export const CONNECTED = "CONNECTED";
/** Access log: an accepted child's connection ended. @example `accessLogLine(who, DISCONNECTED)` */
export const DISCONNECTED = "DISCONNECTED";

// ---------------------------------------------------------------------------------------------------
// Access-log statuses of a 1.37 parent's refusals (the peer only ever sees the generic refusal).

/** Access log: request without `key=`. @example `ACCESS_DENIED_NO_KEY === "ACCESS DENIED - NO KEY"` */
export const ACCESS_DENIED_NO_KEY = "ACCESS DENIED - NO KEY";
/** Access log: request without `hostname=`. @example `ACCESS_DENIED_NO_HOSTNAME` */
export const ACCESS_DENIED_NO_HOSTNAME = "ACCESS DENIED - NO HOSTNAME";
/** Access log: request without `machine_guid=`. @example `ACCESS_DENIED_NO_MACHINE_GUID` */
export const ACCESS_DENIED_NO_MACHINE_GUID = "ACCESS DENIED - NO MACHINE GUID";
/** Access log: the key is not a GUID. @example `ACCESS_DENIED_INVALID_KEY` */
export const ACCESS_DENIED_INVALID_KEY = "ACCESS DENIED - INVALID KEY";
/** Access log: the machine GUID is not a GUID. @example `ACCESS_DENIED_INVALID_MACHINE_GUID` */
export const ACCESS_DENIED_INVALID_MACHINE_GUID = "ACCESS DENIED - INVALID MACHINE GUID";
/** Access log: the key has no section, or `enabled = no`. @example `ACCESS_DENIED_KEY_NOT_ENABLED` */
export const ACCESS_DENIED_KEY_NOT_ENABLED = "ACCESS DENIED - KEY NOT ENABLED";
/** Access log: the key section's `allow from` does not match the client. @example `ACCESS_DENIED_KEY_NOT_ALLOWED_FROM_THIS_IP` */
export const ACCESS_DENIED_KEY_NOT_ALLOWED_FROM_THIS_IP = "ACCESS DENIED - KEY NOT ALLOWED FROM THIS IP";
/** Access log: the key's section has a `type` other than `api`. @example `ACCESS_DENIED_API_KEY_GIVEN_IS_NOT_API_KEY` */
export const ACCESS_DENIED_API_KEY_GIVEN_IS_NOT_API_KEY = "ACCESS DENIED - API KEY GIVEN IS NOT API KEY";
/** Access log: the machine GUID's section has `enabled = no`. @example `ACCESS_DENIED_MACHINE_GUID_NOT_ENABLED` */
export const ACCESS_DENIED_MACHINE_GUID_NOT_ENABLED = "ACCESS DENIED - MACHINE GUID NOT ENABLED";
/** Access log: the machine GUID section's `allow from` does not match. @example `ACCESS_DENIED_MACHINE_GUID_NOT_ALLOWED_FROM_THIS_IP` */
export const ACCESS_DENIED_MACHINE_GUID_NOT_ALLOWED_FROM_THIS_IP =
  "ACCESS DENIED - MACHINE GUID NOT ALLOWED FROM THIS IP";
/** Access log: the GUID is already streaming. @example `REJECTED_ALREADY_CONNECTED` */
export const REJECTED_ALREADY_CONNECTED = "REJECTED - ALREADY CONNECTED";
/** Access log: the child claims the parent's own GUID. @example `DENIED_MACHINE_GUID_IDENTICAL_TO_PARENT` */
export const DENIED_MACHINE_GUID_IDENTICAL_TO_PARENT =
  "DENIED - ATTEMPT TO RECEIVE METRICS FROM MACHINE_GUID IDENTICAL TO PARENT";

// ---------------------------------------------------------------------------------------------------
// Access-log statuses rill names itself.

/**
 * Access-log status of a machine-GUID section whose `type` is not `machine` (a 1.37 parent refuses it too;
 * this is rill's name for it).
 *
 * @example
 * ```ts
 * ACCESS_DENIED_MACHINE_GUID_NOT_MACHINE_GUID; // "ACCESS DENIED - MACHINE GUID GIVEN IS NOT A MACHINE GUID"
 * ```
 */
export const ACCESS_DENIED_MACHINE_GUID_NOT_MACHINE_GUID = "ACCESS DENIED - MACHINE GUID GIVEN IS NOT A MACHINE GUID";

/**
 * rill's access-log status for row 1 of the refusal table. A 1.37 parent refuses it in its web server, which
 * writes only an HTTP 403 to the access log; rill names it like the other stream refusals.
 *
 * @example
 * ```ts
 * STREAMING_NOT_ALLOWED_FROM_THIS_IP; // "ACCESS DENIED - STREAMING NOT ALLOWED FROM THIS IP"
 * ```
 */
export const STREAMING_NOT_ALLOWED_FROM_THIS_IP = "ACCESS DENIED - STREAMING NOT ALLOWED FROM THIS IP";

/**
 * rill's access-log status for row 5 (`[web] accept a streaming request every seconds`); 1.37 writes only an
 * HTTP 503 there.
 *
 * @example
 * ```ts
 * REJECTED_TOO_BUSY; // "REJECTED - TOO BUSY"
 * ```
 */
export const REJECTED_TOO_BUSY = "REJECTED - TOO BUSY";

/**
 * rill's access-log status for a head that is not a complete stream request (no ` HTTP/`); the listener
 * hands over only `STREAM` requests, so this is the one way such a head can fail here.
 *
 * @example
 * ```ts
 * NOT_A_STREAM_REQUEST; // "ACCESS DENIED - NOT A STREAM REQUEST"
 * ```
 */
export const NOT_A_STREAM_REQUEST = "ACCESS DENIED - NOT A STREAM REQUEST";

/**
 * Every status the parent writes in its access log for a stream connection.
 *
 * @example
 * ```ts
 * const status: AccessLogStatus = ACCESS_DENIED_NO_KEY;
 * ```
 */
export type AccessLogStatus =
  | typeof CONNECTED
  | typeof DISCONNECTED
  | typeof ACCESS_DENIED_MACHINE_GUID_NOT_MACHINE_GUID
  | typeof STREAMING_NOT_ALLOWED_FROM_THIS_IP
  | typeof NOT_A_STREAM_REQUEST
  | typeof REJECTED_TOO_BUSY
  | typeof ACCESS_DENIED_NO_KEY
  | typeof ACCESS_DENIED_NO_HOSTNAME
  | typeof ACCESS_DENIED_NO_MACHINE_GUID
  | typeof ACCESS_DENIED_INVALID_KEY
  | typeof ACCESS_DENIED_INVALID_MACHINE_GUID
  | typeof ACCESS_DENIED_KEY_NOT_ENABLED
  | typeof ACCESS_DENIED_KEY_NOT_ALLOWED_FROM_THIS_IP
  | typeof ACCESS_DENIED_API_KEY_GIVEN_IS_NOT_API_KEY
  | typeof ACCESS_DENIED_MACHINE_GUID_NOT_ENABLED
  | typeof ACCESS_DENIED_MACHINE_GUID_NOT_ALLOWED_FROM_THIS_IP
  | typeof REJECTED_ALREADY_CONNECTED
  | typeof DENIED_MACHINE_GUID_IDENTICAL_TO_PARENT;

// ---------------------------------------------------------------------------------------------------
// "Forbidding access" messages of the parent's error log: `STREAM [receive from [<ip>]:<port>]: <message>.
// Forbidding access.` The functions give <message>; forbiddingAccessLogLine() wraps it.

/** Error-log message for a request without `key=`. @example `forbiddingAccessLogLine("10.0.0.2", "40000", FORBID_NO_KEY)` */
export const FORBID_NO_KEY = "request without an API key";
/** Error-log message for a request without `hostname=`. @example `FORBID_NO_HOSTNAME` */
export const FORBID_NO_HOSTNAME = "request without a hostname";
/** Error-log message for a request without `machine_guid=`. @example `FORBID_NO_MACHINE_GUID` */
export const FORBID_NO_MACHINE_GUID = "request without a machine GUID";

/**
 * Error-log message for a key that is not a GUID.
 *
 * @example
 * ```ts
 * forbidInvalidKey("abc"); // "API key 'abc' is not valid GUID (use the command uuidgen to generate one)"
 * ```
 */
export function forbidInvalidKey(key: string): string {
  return `API key '${key}' is not valid GUID (use the command uuidgen to generate one)`;
}

/**
 * Error-log message for a machine GUID that is not a GUID.
 *
 * @example
 * ```ts
 * forbidInvalidMachineGuid("x"); // "machine GUID 'x' is not GUID"
 * ```
 */
export function forbidInvalidMachineGuid(machineGuid: string): string {
  return `machine GUID '${machineGuid}' is not GUID`;
}

/**
 * Error-log message for a key whose section is missing or disabled.
 *
 * @example
 * ```ts
 * forbidKeyNotAllowed("11111111-2222-3333-4444-555555555555"); // "API key '1111…' is not allowed"
 * ```
 */
export function forbidKeyNotAllowed(key: string): string {
  return `API key '${key}' is not allowed`;
}

/**
 * Error-log message for a key whose `allow from` does not match the client.
 *
 * @example
 * ```ts
 * forbidKeyNotFromThisIp("k"); // "API key 'k' is not permitted from this IP"
 * ```
 */
export function forbidKeyNotFromThisIp(key: string): string {
  return `API key '${key}' is not permitted from this IP`;
}

/**
 * Error-log message for a machine GUID whose section is disabled.
 *
 * @example
 * ```ts
 * forbidMachineGuidNotAllowed("g"); // "machine GUID 'g' is not allowed"
 * ```
 */
export function forbidMachineGuidNotAllowed(machineGuid: string): string {
  return `machine GUID '${machineGuid}' is not allowed`;
}

/**
 * Error-log message for a machine GUID whose `allow from` does not match (capital M, as Netdata has it).
 *
 * @example
 * ```ts
 * forbidMachineGuidNotFromThisIp("g"); // "Machine GUID 'g' is not permitted from this IP"
 * ```
 */
export function forbidMachineGuidNotFromThisIp(machineGuid: string): string {
  return `Machine GUID '${machineGuid}' is not permitted from this IP`;
}

/**
 * The whole error-log line a 1.37 parent writes for a "Forbidding access" refusal.
 *
 * @example
 * ```ts
 * forbiddingAccessLogLine("127.0.0.1", "51234", FORBID_NO_KEY);
 * // "STREAM [receive from [127.0.0.1]:51234]: request without an API key. Forbidding access."
 * ```
 */
export function forbiddingAccessLogLine(clientIp: string, clientPort: string, message: string): string {
  return `STREAM [receive from [${clientIp}]:${clientPort}]: ${message}. Forbidding access.`;
}

// ---------------------------------------------------------------------------------------------------
// The access-log line.

/**
 * Who asked, for log lines: the values of the request as far as it has them.
 *
 * @example
 * ```ts
 * const who: Requester = { ip: "127.0.0.1", port: 40000, hostname: "edge-1", key: "", machineGuid: "" };
 * ```
 */
export interface Requester {
  readonly ip: string;
  readonly port: number;
  readonly hostname: string;
  readonly key: string;
  readonly machineGuid: string;
}

/**
 * A line of the parent's access log for a stream connection, as 1.37 writes it (the number is the process
 * id here, the thread id there).
 *
 * @example
 * ```ts
 * accessLogLine(who, CONNECTED);
 * // "STREAM: 4242 '[127.0.0.1]:40000' 'CONNECTED' host 'edge-1' api key '1111…' machine guid '82be…'"
 * ```
 */
export function accessLogLine(who: Requester, status: AccessLogStatus): string {
  // The host name, key and GUID are the child's words: no control character of theirs splits the line.
  return escapeControls(
    `STREAM: ${process.pid} '[${who.ip}]:${who.port}' '${status}' host '${who.hostname}' api key '${who.key}' machine guid '${who.machineGuid}'`,
  );
}
