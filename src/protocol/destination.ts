/**
 * The destination syntax of `[stream] destination`: `[PROTOCOL:]HOST[%INTERFACE][:PORT][:SSL]`.
 *
 * @module
 */

/** Transport of a destination. Parents accept only `tcp` and `unix`. */
export type DestinationProtocol = "tcp" | "udp" | "unix";

/** One parsed destination. */
export interface Destination {
  /** `tcp` unless the entry starts with `udp:` or `unix:`. */
  readonly protocol: DestinationProtocol;
  /** Host name or IP (IPv6 without its brackets), or the socket path for `unix`. */
  readonly host: string;
  /** IPv6 scope interface given after `%`, if any. */
  readonly interface?: string;
  /** Port, the default port when the entry names none; 0 for `unix`. */
  readonly port: number;
  /** Whether `:SSL` asked for TLS. */
  readonly ssl: boolean;
  /** The entry as written, for log lines (`[send to <text>]`). */
  readonly text: string;
}

/** A destination entry that cannot be parsed; the message says what was expected and what was found. */
export class DestinationError extends Error {
  /** The entry that failed. */
  readonly entry: string;

  constructor(entry: string, expected: string) {
    super(`invalid destination '${entry}': expected ${expected}`);
    this.name = "DestinationError";
    this.entry = entry;
  }
}

const PROTOCOLS: readonly DestinationProtocol[] = ["tcp", "udp", "unix"];

/**
 * Parses one destination entry.
 *
 * @example
 * ```ts
 * parseDestination("tcp:203.0.113.0:20000:SSL", 19999);
 * // { protocol: "tcp", host: "203.0.113.0", port: 20000, ssl: true, text: "tcp:203.0.113.0:20000:SSL" }
 * parseDestination("[fe80::1%eth0]:19999", 19999).interface; // "eth0"
 * ```
 */
export function parseDestination(entry: string, defaultPort: number): Destination {
  let rest = entry;
  let ssl = false;
  if (rest.endsWith(":SSL")) {
    ssl = true;
    rest = rest.slice(0, -4);
  }
  let protocol: DestinationProtocol = "tcp";
  for (const p of PROTOCOLS) {
    if (rest.startsWith(`${p}:`)) {
      protocol = p;
      rest = rest.slice(p.length + 1);
      break;
    }
  }
  if (protocol === "unix") {
    if (!rest.startsWith("/")) {
      throw new DestinationError(entry, `an absolute socket path after 'unix:', found '${rest}'`);
    }
    return { protocol, host: rest, port: 0, ssl, text: entry };
  }

  let host: string;
  let iface: string | undefined;
  let at = 0;
  if (rest.startsWith("[")) {
    const close = rest.indexOf("]");
    if (close < 0) throw new DestinationError(entry, `']' to close the IPv6 address, found '${rest}'`);
    // Accept the interface inside the brackets too (`[fe80::1%eth0]`), as IPv6 literals usually carry it.
    [host, iface] = rest.slice(1, close).split("%", 2);
    at = close + 1;
  } else {
    while (at < rest.length && rest[at] !== ":" && rest[at] !== "%") at++;
    host = rest.slice(0, at);
  }
  if (rest[at] === "%") {
    const start = ++at;
    while (at < rest.length && rest[at] !== ":") at++;
    iface = rest.slice(start, at);
  }
  if (iface !== undefined && iface.length === 0) {
    throw new DestinationError(entry, "an interface name after '%', found nothing");
  }
  if (host.length === 0) throw new DestinationError(entry, "a host name or IP address, found nothing");

  let port = defaultPort;
  if (at < rest.length) {
    if (rest[at] !== ":") throw new DestinationError(entry, `':' before the port, found '${rest.slice(at)}'`);
    const portText = rest.slice(at + 1);
    if (!/^[0-9]{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
      throw new DestinationError(entry, `a port number from 1 to 65535 after the host, found '${portText}'`);
    }
    port = Number(portText);
  }
  return iface === undefined
    ? { protocol, host, port, ssl, text: entry }
    : { protocol, host, interface: iface, port, ssl, text: entry };
}

/**
 * Parses a space-separated destination list, in order (the order a child tries them in).
 * Throws {@link DestinationError} for the first bad entry.
 *
 * @example
 * ```ts
 * parseDestinations("10.11.12.1 tcp:parent2:20000", 19999).map((d) => d.port); // [19999, 20000]
 * ```
 */
export function parseDestinations(list: string, defaultPort: number): Destination[] {
  return list.split(/\s+/).filter((e) => e.length > 0).map((e) => parseDestination(e, defaultPort));
}
