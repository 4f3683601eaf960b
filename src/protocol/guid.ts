/**
 * GUID syntax as Netdata checks it for API keys and machine GUIDs.
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
