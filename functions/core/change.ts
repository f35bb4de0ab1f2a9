/**
 * Figures against the previous period: how much each one moved, in percent of the previous value.
 */
import { roundTo } from './metrics.ts';
import type { Counts, CountsChange, PercentChange } from './report-model.ts';

/**
 * `100 * (current - previous) / previous`, 1 decimal (half away from zero); null when either
 * figure is null or the previous one is 0 (no base to compare with: "new", not "+infinity").
 *
 * @example
 * percentChange(12, 10); // 20
 * percentChange(5, 15); // -66.7
 * percentChange(3, 0); // null
 */
export function percentChange(current: number | null, previous: number | null): PercentChange {
  if (current === null || previous === null || previous === 0) return null;
  return roundTo((100 * (current - previous)) / previous, 1);
}

/**
 * `percentChange` of each `Counts` figure a reader compares between periods (openAtStart is the
 * previous period's openAtEnd, and netResolveRate is already a ratio, so neither is here).
 *
 * @example
 * countsChange(w47.summary.total, w46.summary.total);
 * // { openAtEnd: -10, opened: 50, fixed: null, dismissed: 0, reopened: null, mttrDays: 12.3 }
 */
export function countsChange(current: Counts, previous: Counts): CountsChange {
  return {
    openAtEnd: percentChange(current.openAtEnd, previous.openAtEnd),
    opened: percentChange(current.opened, previous.opened),
    fixed: percentChange(current.fixed, previous.fixed),
    dismissed: percentChange(current.dismissed, previous.dismissed),
    reopened: percentChange(current.reopened, previous.reopened),
    mttrDays: percentChange(current.mttrDays, previous.mttrDays),
  };
}
