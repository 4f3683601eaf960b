/**
 * GUID syntax as Netdata checks it for API keys and machine GUIDs, and the one form rill compares them in.
 *
 * @module
 */

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * Tells whether `text` is a GUID in the 8-4-4-4-12 hex form (either case).
 *
 * @example
 * ```ts
 * isGuid("11111111-2222-3333-4444-555555555555"); // true
 * isGuid("netdata-api-key"); // false
 * ```
 */
export function isGuid(text: string): boolean {
  return GUID.test(text);
}

/**
 * The canonical text of a GUID: lower case, as Netdata's `uuid_unparse_lower` writes the UUID it parsed.
 * A GUID names the same 128 bits in either case, so every comparison, map key, config-section lookup, URL
 * and folder name uses this form; otherwise `82BE…` would be a different host from `82be…`.
 *
 * @example
 * ```ts
 * canonicalGuid("82BE38CA-E718-11F1-8984-02FC00000001"); // "82be38ca-e718-11f1-8984-02fc00000001"
 * ```
 */
export function canonicalGuid(guid: string): string {
  return guid.toLowerCase();
}
