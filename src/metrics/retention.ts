/**
 * Where a database's retention of a chart begins, as a node tells the next parent in `CHART_DEFINITION_END`
 * and `REND`.
 *
 * @module
 */

/**
 * The first entry of a chart whose oldest point ends at `oldestPointS`: the start of that point's interval,
 * one `update every` earlier, as a 1.37 ram database reckons it (0 when nothing is held). A parent asks for
 * the points after the first entry it is told, so a retention that began at the oldest point itself would
 * never have that point replayed (each hop of a chain lost its child's first second).
 *
 * @example
 * ```ts
 * retentionStart(1795420001, 1); // 1795420000
 * retentionStart(0, 1); // 0
 * ```
 */
export function retentionStart(oldestPointS: number, updateEvery: number): number {
  return oldestPointS === 0 ? 0 : oldestPointS - updateEvery;
}
