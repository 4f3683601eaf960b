/**
 * JSON text in the layout of `JSON.stringify(value, null, "\t")`, built from parts: a large object (the
 * charts of a host with thousands of them) is rendered member by member, with pauses in between, and
 * reads exactly as if it had been stringified at once.
 *
 * @module
 */

function tabs(depth: number): string {
  return "\t".repeat(depth);
}

/**
 * `value` as `JSON.stringify(value, null, "\t")` prints it at nesting `depth` (its inner lines indented
 * `depth` tabs further).
 *
 * @example
 * ```ts
 * jsonText({ a: 1 }, 1); // '{\n\t\t"a": 1\n\t}'
 * ```
 */
export function jsonText(value: unknown, depth: number): string {
  return JSON.stringify(value, null, "\t").replaceAll("\n", `\n${tabs(depth)}`);
}

/**
 * One member of an object at nesting `depth`: its key and its value's text, rendered at `depth + 1`.
 *
 * @example
 * ```ts
 * jsonMember("a", jsonText(1, 1), 0); // '\t"a": 1'
 * ```
 */
export function jsonMember(key: string, valueText: string, depth: number): string {
  return `${tabs(depth + 1)}${JSON.stringify(key)}: ${valueText}`;
}

/**
 * An object at nesting `depth` made of its members' texts, in order.
 *
 * @example
 * ```ts
 * jsonObject([jsonMember("a", jsonText({ b: 1 }, 1), 0)], 0) === JSON.stringify({ a: { b: 1 } }, null, "\t"); // true
 * ```
 */
export function jsonObject(members: readonly string[], depth: number): string {
  return members.length === 0 ? "{}" : `{\n${members.join(",\n")}\n${tabs(depth)}}`;
}
