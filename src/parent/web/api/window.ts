/**
 * The time window of a `/api/v1/data` query, by Netdata 1.37's rules (`rrdr_relative_window_to_absolute`
 * and `query_target_calculate_window` in its `web/api/queries/query.c`):
 *
 * - `after`/`before` up to three years in magnitude are relative: `before` to now (the clock minus a
 *   second), `after` to `before`, one second added so that `after=-10` gives 10 points;
 * - a reversed window is put right, a window in the future is shifted back to now, and both ends are then
 *   kept within ten years before and one year after now;
 * - `before=0` means the chart's last entry, `after=0` its first;
 * - `points` is at most the slots the window holds and at most 86,400; the rows group the slots evenly
 *   and (unless `unaligned`) sit on a grid of `group × update_every` seconds, a row carrying the time of
 *   its last slot.
 *
 * So a window reaches at most 11 years back and yields at most 86,400 rows, however far its ends lie.
 *
 * @module
 */

// 1.37's API_RELATIVE_TIME_MAX: values up to three years are relative.
const RELATIVE_TIME_MAX = 3 * 365 * 86400;
// How far from now 1.37 lets a window's ends lie.
const OLDEST_FROM_NOW_S = 10 * 365 * 86400;
const NEWEST_FROM_NOW_S = 365 * 86400;

/**
 * The most rows a query yields (1.37's absolute maximum of points).
 *
 * @example
 * ```ts
 * Math.min(requestedPoints, MAX_POINTS);
 * ```
 */
export const MAX_POINTS = 86400;

/**
 * The rows a query produces: `points` rows of `group` slots each, `granularity` seconds per slot.
 *
 * @example
 * ```ts
 * const w: QueryWindow = { after: 1795423095, before: 1795423104, points: 10, group: 1, granularity: 1 };
 * ```
 */
export interface QueryWindow {
  /** First slot, epoch seconds. */
  readonly after: number;
  /** Last slot (the time of the newest row), epoch seconds. */
  readonly before: number;
  readonly points: number;
  readonly group: number;
  readonly granularity: number;
}

/**
 * The stored range of a chart, as a query sees it.
 *
 * @example
 * ```ts
 * const db: StoredRange = { first: 1795420000, last: 1795423600, updateEvery: 1 };
 * ```
 */
export interface StoredRange {
  /** Oldest stored slot, epoch seconds; 0 when nothing is stored. */
  readonly first: number;
  /** Newest stored slot, epoch seconds; 0 when nothing is stored. */
  readonly last: number;
  readonly updateEvery: number;
}

/**
 * A requested window made absolute, as 1.37's `rrdr_relative_window_to_absolute()` does: relative ends
 * resolved against `nowS - 1` (an `after` of 0 reads as -600), the ends put in order, a future window
 * shifted back to now, and both ends kept within [now - 10 years, now + 1 year].
 *
 * @example
 * ```ts
 * absoluteWindow(-10, 0, 1000); // { after: 990, before: 999 }
 * absoluteWindow(-100000000, 0, 1795423106).after; // 1795423105 - 10 years
 * ```
 */
export function absoluteWindow(after: number, before: number, nowS: number): { after: number; before: number } {
  const now = nowS - 1;
  if (Math.abs(before) <= RELATIVE_TIME_MAX) before = now - Math.abs(before);
  if (Math.abs(after) <= RELATIVE_TIME_MAX) after = before - Math.abs(after === 0 ? 600 : after) + 1;
  if (after > before) [after, before] = [before, after];
  if (before > now) {
    after -= before - now;
    before = now;
  }
  const oldest = now - OLDEST_FROM_NOW_S;
  const newest = now + NEWEST_FROM_NOW_S;
  return {
    after: Math.min(Math.max(after, oldest), newest),
    before: Math.min(Math.max(before, oldest), newest),
  };
}

/**
 * Whether a request's window touches the stored range, as 1.37 decides whether a dimension takes part in
 * a query at all (its retention, widened by two updates, must meet the window made absolute). A chart
 * none of whose data meets the window answers 404, "No metrics where matched to query.".
 *
 * @example
 * ```ts
 * windowMeetsStored(-600, 0, { first: 1795420000, last: 1795423600, updateEvery: 1 }, 1795423601); // true
 * windowMeetsStored(-600, -99999999999, { first: 1795420000, last: 1795423600, updateEvery: 1 }, 1795423601); // false
 * ```
 */
export function windowMeetsStored(after: number, before: number, db: StoredRange, nowS: number): boolean {
  if (db.first === 0 || db.last === 0) return false;
  const window = absoluteWindow(after, before, nowS);
  const margin = 2 * db.updateEvery;
  return db.first - margin <= window.before && db.last + margin >= window.after;
}

/**
 * Resolves the requested `after`/`before`/`points` against the stored range and the clock into the rows
 * to produce, by 1.37's rules (see the module text); `undefined` when nothing is stored.
 *
 * @example
 * ```ts
 * const db = { first: 1795420000, last: 1795420100, updateEvery: 1 };
 * queryWindow({ after: -10, before: 0, points: 5, aligned: true }, db, 1795420101);
 * // { after: 1795420091, before: 1795420100, points: 5, group: 2, granularity: 1 }
 * ```
 */
export function queryWindow(
  request: { readonly after: number; readonly before: number; readonly points: number; readonly aligned: boolean },
  db: StoredRange,
  nowS: number,
): QueryWindow | undefined {
  if (db.first === 0 || db.last === 0) return undefined;
  const automaticPoints = request.points === 0;
  const granularity = Math.max(1, db.updateEvery);
  const beforeIsDbEnd = request.before === 0;
  let { after, before } = absoluteWindow(
    request.after === 0 ? db.first : request.after,
    beforeIsDbEnd ? db.last : request.before,
    nowS,
  );

  before -= before % granularity;
  after -= after % granularity;
  let points = automaticPoints ? Math.max(1, Math.floor((before - after + 1) / granularity)) : request.points;
  const duration = before - after;
  const available = Math.max(1, Math.floor((duration + 1) / granularity));
  points = Math.min(points, available, MAX_POINTS);
  let group = Math.max(1, Math.floor(available / points));
  if (available % points > Math.floor(points / 2)) group++;
  if (points * group * granularity < duration) {
    points = Math.max(1, Math.ceil(available / group));
  }
  const span = group * granularity;
  if (request.aligned && before % span !== 0) before += beforeIsDbEnd ? -(before % span) : span - (before % span);
  return { after: before - points * span + granularity, before, points, group, granularity };
}
