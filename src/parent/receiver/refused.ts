/**
 * The error a child's line raises when the parent will not take it: the receiver logs its message and cuts
 * that child off.
 *
 * @module
 */

/**
 * A line the parent does not accept; the message is what the error log gets before the child is cut off.
 *
 * @example
 * ```ts
 * throw new StreamRefused("PLUGINSD: plugin called DISABLE. Disabling it.");
 * ```
 */
export class StreamRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StreamRefused";
  }
}

/**
 * 1.37's message for a line that needs a chart and has none (`SET` before any `BEGIN`, `RSET` before any
 * `RBEGIN`, …).
 *
 * @example
 * ```ts
 * throw new StreamRefused(requiresChart("END", "BEGIN"));
 * ```
 */
export function requiresChart(keyword: string, definedBy: string): string {
  return `PLUGINSD: command ${keyword} requires a chart defined via command ${definedBy}, but is not set.`;
}
