/**
 * Netdata's `allow … from` lists applied to a connecting peer: `[web] allow connections from`,
 * `[web] allow streaming from` and `allow from` of stream.conf's sections all go through
 * {@link allowsPeer}.
 *
 * A 1.37 parent knows a loopback peer only as `localhost`, so there `allow from = 127.* !*` refuses a child
 * on the same machine. Here a loopback peer answers to both names: its numeric address and `localhost`.
 * The list's entries are tried left to right as always, each against both names, and the first entry that
 * matches either decides. So `127.*` and `localhost` both admit a local peer, `!127.0.0.1 *` and
 * `!localhost *` both refuse it, and a list that never names a loopback address behaves exactly as on 1.37.
 *
 * @module
 */

import type { SimplePattern } from "./simple_pattern.ts";

/**
 * The name a 1.37 parent gives every loopback peer.
 *
 * @example
 * ```ts
 * LOOPBACK_NAME; // "localhost"
 * ```
 */
export const LOOPBACK_NAME = "localhost";

const IPV4_MAPPED = "::ffff:";

/**
 * A socket's remote address as text patterns see it: an IPv4 peer of a dual-stack socket without its
 * `::ffff:` prefix; anything else unchanged (an unknown address is the empty string, which no pattern
 * matches).
 *
 * @example
 * ```ts
 * peerAddress("::ffff:10.1.2.3"); // "10.1.2.3"
 * peerAddress("fe80::1"); // "fe80::1"
 * peerAddress(undefined); // ""
 * ```
 */
export function peerAddress(address: string | undefined): string {
  if (address === undefined) return "";
  const mapped = address.toLowerCase().startsWith(IPV4_MAPPED) && address.includes(".");
  return mapped ? address.slice(IPV4_MAPPED.length) : address;
}

/**
 * Whether a 1.37 parent calls the peer `localhost`: its listener renames exactly `127.0.0.1` and `::1` (here
 * also in their IPv4-mapped form); another 127.x address keeps its number.
 *
 * @example
 * ```ts
 * isLoopback("127.0.0.1"); // true
 * isLoopback("::ffff:127.0.0.1"); // true
 * isLoopback("::1"); // true
 * isLoopback("127.0.0.2"); // false
 * ```
 */
export function isLoopback(address: string): boolean {
  const ip = peerAddress(address);
  return ip === "127.0.0.1" || ip === "::1";
}

/**
 * The peer as 1.37's log lines and the API name it: {@link LOOPBACK_NAME} for a loopback peer, else its
 * address (without the IPv4-mapped prefix).
 *
 * @example
 * ```ts
 * peerName("::ffff:127.0.0.1"); // "localhost"
 * peerName("::ffff:10.1.2.3"); // "10.1.2.3"
 * ```
 */
export function peerName(address: string | undefined): string {
  const ip = peerAddress(address);
  return isLoopback(ip) ? LOOPBACK_NAME : ip;
}

/**
 * Whether an `allow … from` list admits the peer at `address` (as the socket reports it). A non-loopback
 * peer is tested by its address alone; a loopback peer by its address and {@link LOOPBACK_NAME}, the first
 * entry matching either deciding. A list that matches neither refuses, as every Netdata list does.
 *
 * @example
 * ```ts
 * allowsPeer(SimplePattern.parse("127.* !*"), "127.0.0.1"); // true (a 1.37 parent refuses)
 * allowsPeer(SimplePattern.parse("!127.0.0.1 *"), "::ffff:127.0.0.1"); // false
 * allowsPeer(SimplePattern.parse("localhost"), "::1"); // true
 * allowsPeer(SimplePattern.parse("localhost"), "10.0.0.1"); // false
 * ```
 */
export function allowsPeer(pattern: SimplePattern, address: string): boolean {
  const ip = peerAddress(address);
  const names = isLoopback(ip) ? [ip, LOOPBACK_NAME] : [ip];
  return pattern.verdict(...names) ?? false;
}
