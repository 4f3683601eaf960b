/**
 * rill's public library: the Netdata-compatible streaming protocol core and the config readers.
 *
 * @example
 * ```ts
 * import { negotiateAsParent, parseStreamConf } from "./mod.ts";
 * const conf = parseStreamConf("[stream]\n  enabled = yes\n  destination = parent:19999\n", "stream.conf");
 * ```
 *
 * @module
 */

export * from "./src/protocol/mod.ts";
export * from "./src/config/mod.ts";
