/**
 * The report's figures broken down (by severity, repository, team, rule) and the finer figures
 * DESIGN.md puts beside `Counts` under their own names: every reopen, opened-and-closed, dismissals
 * by reason, and the age of what is still open.
 *
 * Pure and deterministic: the same alerts give the same figures whatever their order (histories are
 * put in a canonical order before anything is summed, so that even floating-point sums such as
 * `mttrDays` do not depend on the input order). Strings are compared by code unit, never by locale.
 */

import { CoreError } from './errors.ts';
import { groupBy } from './group-by.ts';
import {
  type AlertHistory,
  alertStateAt,
  computeCounts,
  computeCountsForPeriods,
  createdMsIn,
  historyTimes,
  roundTo,
  stateIn,
} from './metrics.ts';
import { type AlertState, compareAlerts, SEVERITIES, type Severity, type Transition } from './model.ts';
import { instantMs, MS_PER_DAY, type Period } from './periods.ts';
import type {
  Counts,
  FinerCounts,
  OpenAge,
  RepositoryCounts,
  TeamCounts,
  TopRepository,
  TopRule,
} from './report-model.ts';
import { transitionMs } from './timeline.ts';

/** The reason recorded for a dismissal whose reason no source gave. */
export const UNKNOWN_REASON = 'unknown';

/** The fixed age buckets of `OpenAge`, in days: [minDays, maxDays). */
export const OPEN_AGE_BUCKETS: readonly { label: string; minDays: number; maxDays: number | null }[] = [
  { label: '< 7 days', minDays: 0, maxDays: 7 },
  { label: '7–29 days', minDays: 7, maxDays: 30 },
  { label: '30–89 days', minDays: 30, maxDays: 90 },
  { label: '90–179 days', minDays: 90, maxDays: 180 },
  { label: '180 days or more', minDays: 180, maxDays: null },
];

/**
 * `computeCounts` over the alerts of each severity; all four severities are always present.
 *
 * @example
 * countsBySeverity(histories, parsePeriodId('2026-W47')).critical;
 * // { openAtStart: 2, openAtEnd: 1, opened: 0, fixed: 1, dismissed: 0, reopened: 0, mttrDays: 20, netResolveRate: null }
 */
export function countsBySeverity(
  histories: readonly AlertHistory[],
  period: Period,
): Record<Severity, Counts> {
  const groups = groupBy(canonical(histories), (h) => h.alert.severity);
  const result = {} as Record<Severity, Counts>;
  for (const severity of SEVERITIES) result[severity] = computeCounts(groups.get(severity) ?? [], period);
  return result;
}

/**
 * `countsBySeverity` of several periods at once (one walk of each timeline for all of them): the
 * same figures as `periods.map((p) => countsBySeverity(histories, p))`.
 *
 * @example
 * countsBySeverityForPeriods(histories, lastPeriods(parsePeriodId('2026-W47'), 12))[11].critical.openAtEnd; // 3
 */
export function countsBySeverityForPeriods(
  histories: readonly AlertHistory[],
  periods: readonly Period[],
): Record<Severity, Counts>[] {
  const counts = computeCountsForPeriods(canonical(histories), periods, SEVERITIES, (h) => [
    h.alert.severity,
  ]);
  return periods.map((_, k) => {
    const result = {} as Record<Severity, Counts>;
    for (const severity of SEVERITIES) result[severity] = counts.get(severity)?.[k] as Counts;
    return result;
  });
}

/**
 * `computeCounts` per repository, leaving out repositories where every figure (openAtStart,
 * openAtEnd, opened, fixed, dismissed, reopened) is 0. Sorted by openAtEnd descending, then opened
 * descending, then repository name.
 *
 * @example
 * countsByRepository(histories, parsePeriodId('2026-W47'));
 * // [{ repository: 'acme/api', counts: { openAtStart: 3, openAtEnd: 2, ... } },
 * //  { repository: 'acme/web', counts: { openAtStart: 1, openAtEnd: 0, ... } }]
 */
export function countsByRepository(histories: readonly AlertHistory[], period: Period): RepositoryCounts[] {
  const rows: RepositoryCounts[] = [];
  for (const [repository, group] of groupBy(canonical(histories), (h) => h.alert.repository)) {
    const counts = computeCounts(group, period);
    if (hasMovement(counts)) rows.push({ repository, counts });
  }
  return rows.sort(
    (a, b) =>
      b.counts.openAtEnd - a.counts.openAtEnd ||
      b.counts.opened - a.counts.opened ||
      compareStrings(a.repository, b.repository),
  );
}

/**
 * `computeCounts` per team. A team's repositories come from configuration (team name to "org/repo"
 * full names) and are matched case-insensitively, as GitHub matches them. Every configured team is
 * listed, even with nothing to count; sorted by team name. `repositories` is the configured list,
 * without case-insensitive duplicates (the first spelling in code-unit order is kept), sorted. A
 * repository may belong to several teams.
 *
 * @example
 * countsByTeam(histories, parsePeriodId('2026-W47'), { payments: ['Acme/API', 'acme/billing'] });
 * // [{ team: 'payments', repositories: ['Acme/API', 'acme/billing'], counts: { openAtStart: 3, ... } }]
 */
export function countsByTeam(
  histories: readonly AlertHistory[],
  period: Period,
  teams: Readonly<Record<string, readonly string[]>>,
): TeamCounts[] {
  if (Object.keys(teams).length === 0) return [];
  const byRepository = groupBy(canonical(histories), (h) => h.alert.repository.toLowerCase());
  const rows: TeamCounts[] = [];
  for (const [team, configured] of Object.entries(teams)) {
    const spellings = new Map<string, string>();
    for (const repository of [...configured].sort(compareStrings)) {
      const key = repository.toLowerCase();
      if (!spellings.has(key)) spellings.set(key, repository);
    }
    const members = [...spellings.keys()].flatMap((key) => byRepository.get(key) ?? []);
    rows.push({
      team,
      repositories: [...spellings.values()].sort(compareStrings),
      counts: computeCounts(canonical(members), period),
    });
  }
  return rows.sort((a, b) => compareStrings(a.team, b.team));
}

/**
 * The finer figures of the period:
 * - `reopenEvents`: every transition of the merged timelines from fixed or dismissed to open with
 *   `at` in [start, end) (an alert reopened twice counts 2);
 * - `openedAndClosed`: alerts created in the period and fixed or dismissed at its end;
 * - `dismissedByReason`: the alerts counted in `dismissed` by `computeCounts`, by the reason of the
 *   dismissal in force at the end (that of the last transition to dismissed before the end; when
 *   it has none and nothing changed after the end, the alert's own reason; else `'unknown'`),
 *   most first, then by reason.
 *
 * @example
 * finerCounts(histories, parsePeriodId('2026-W47'));
 * // { reopenEvents: 2, openedAndClosed: 1,
 * //   dismissedByReason: [{ reason: 'tolerable_risk', count: 2 }, { reason: 'auto_dismissed', count: 1 }] }
 */
export function finerCounts(histories: readonly AlertHistory[], period: Period): FinerCounts {
  const startMs = instantMs(period.start);
  const endMs = instantMs(period.end);
  let reopenEvents = 0;
  let openedAndClosed = 0;
  const reasons = new Map<string, number>();
  for (const history of histories) {
    const known = historyTimes(history);
    const { timeline, times } = known;
    for (let i = 0; i < timeline.length; i++) {
      const t = timeline[i] as Transition;
      const ms = transitionMs(times, t, i);
      if (ms >= startMs && ms < endMs && isClosed(t.from) && t.to === 'open') reopenEvents++;
    }
    const atStart = stateIn(known, startMs);
    const atEnd = stateIn(known, endMs);
    const createdMs = createdMsIn(known);
    const createdInPeriod = createdMs >= startMs && createdMs < endMs;
    if (createdInPeriod && isClosed(atEnd)) openedAndClosed++;
    // The same condition as `dismissed` in computeCounts.
    if ((atStart === 'open' || createdInPeriod) && atEnd === 'dismissed') {
      const reason = dismissalReasonAt(history, endMs);
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
  }
  const dismissedByReason = [...reasons]
    .map(([reason, count]) => ({ reason, count }))
    .sort((a, b) => b.count - a.count || compareStrings(a.reason, b.reason));
  return { reopenEvents, openedAndClosed, dismissedByReason };
}

/**
 * How old the alerts open at the period's end are: age = end - createdAt, in (fractional) days.
 * Mean, median (of an even count: the mean of the two middle ages) and oldest with 1 decimal, null
 * when nothing is open; counts in the fixed buckets of `OPEN_AGE_BUCKETS` (an alert exactly 7 days
 * old is in '7–29 days').
 *
 * @example
 * openAge(histories, parsePeriodId('2026-W47'));
 * // { count: 4, meanDays: 41.3, medianDays: 12.5, oldestDays: 140,
 * //   buckets: [{ label: '< 7 days', minDays: 0, maxDays: 7, count: 1 }, ...] }
 */
export function openAge(histories: readonly AlertHistory[], period: Period): OpenAge {
  const endMs = instantMs(period.end);
  // Ages in whole milliseconds: integer sums and comparisons, exact and independent of order.
  const agesMs: number[] = [];
  for (const history of histories) {
    const known = historyTimes(history);
    if (stateIn(known, endMs) !== 'open') continue;
    agesMs.push(Math.max(0, endMs - createdMsIn(known)));
  }
  agesMs.sort((a, b) => a - b);
  const buckets = OPEN_AGE_BUCKETS.map((b) => ({ ...b, count: 0 }));
  for (const ageMs of agesMs) {
    const bucket = buckets.find((b) => b.maxDays === null || ageMs < b.maxDays * MS_PER_DAY);
    if (bucket !== undefined) bucket.count++;
  }
  const count = agesMs.length;
  if (count === 0) return { count, meanDays: null, medianDays: null, oldestDays: null, buckets };
  const days = (ms: number) => roundTo(ms / MS_PER_DAY, 1);
  const totalMs = agesMs.reduce((sum, ms) => sum + ms, 0);
  const middle = Math.floor(count / 2);
  const medianMs =
    count % 2 === 1
      ? (agesMs[middle] as number)
      : ((agesMs[middle - 1] as number) + (agesMs[middle] as number)) / 2;
  return {
    count,
    meanDays: days(totalMs / count),
    medianDays: days(medianMs),
    oldestDays: days(agesMs[count - 1] as number),
    buckets,
  };
}

/**
 * The repositories with the most alerts open at the period's end (at most `limit`), most first,
 * ties by repository name; `bySeverity` has all four severities. Repositories with nothing open
 * are left out.
 *
 * @example
 * topRepositories(histories, parsePeriodId('2026-W47'), 3);
 * // [{ repository: 'acme/api', open: 5, bySeverity: { critical: 1, high: 2, medium: 2, low: 0 } }, ...]
 */
export function topRepositories(
  histories: readonly AlertHistory[],
  period: Period,
  limit = 10,
): TopRepository[] {
  checkLimit(limit);
  const rows = new Map<string, TopRepository>();
  for (const history of histories) {
    if (alertStateAt(history, period.end) !== 'open') continue;
    const { repository, severity } = history.alert;
    let row = rows.get(repository);
    if (row === undefined) {
      row = { repository, open: 0, bySeverity: { critical: 0, high: 0, medium: 0, low: 0 } };
      rows.set(repository, row);
    }
    row.open++;
    row.bySeverity[severity]++;
  }
  return [...rows.values()]
    .sort((a, b) => b.open - a.open || compareStrings(a.repository, b.repository))
    .slice(0, limit);
}

/**
 * The rules with the most alerts open at the period's end (at most `limit`), grouped by alert
 * type and `ruleId` (the advisory for Dependabot, the rule for code scanning, the secret type for
 * secret scanning). The title is the smallest of the group's titles (code-unit order), so that it
 * does not depend on the input order. Most first, ties by alert type then rule id.
 *
 * @example
 * topRules(histories, parsePeriodId('2026-W47'), 5);
 * // [{ alertType: 'dependabot', ruleId: 'GHSA-p6mc-m468-83gw', title: 'Prototype pollution in lodash', open: 4 }, ...]
 */
export function topRules(histories: readonly AlertHistory[], period: Period, limit = 10): TopRule[] {
  checkLimit(limit);
  const rows = new Map<string, TopRule>();
  for (const history of histories) {
    if (alertStateAt(history, period.end) !== 'open') continue;
    const { alertType, ruleId, title } = history.alert;
    const key = JSON.stringify([alertType, ruleId]);
    const row = rows.get(key);
    if (row === undefined) {
      rows.set(key, { alertType, ruleId, title, open: 1 });
    } else {
      row.open++;
      if (compareStrings(title, row.title) < 0) row.title = title;
    }
  }
  return [...rows.values()]
    .sort(
      (a, b) =>
        b.open - a.open || compareStrings(a.alertType, b.alertType) || compareStrings(a.ruleId, b.ruleId),
    )
    .slice(0, limit);
}

/**
 * The reason of the dismissal in force just before `endMs`. Mirrors the false-positive test of
 * `computeCounts` (metrics.ts), so that the false positives counted here are the ones MTTR leaves out.
 */
function dismissalReasonAt(history: AlertHistory, endMs: number): string {
  let reason: string | null = null;
  let laterTransitions = false;
  const { timeline, times } = historyTimes(history);
  for (let i = 0; i < timeline.length; i++) {
    const t = timeline[i] as Transition;
    if (transitionMs(times, t, i) >= endMs) {
      laterTransitions = true;
      break;
    }
    if (t.to === 'dismissed') reason = t.reason;
  }
  // The alert's own reason is that of its current dismissal: the one at the end only when nothing
  // changed after the end.
  if (reason === null && !laterTransitions && history.alert.state === 'dismissed') {
    reason = history.alert.reason;
  }
  return reason ?? UNKNOWN_REASON;
}

function hasMovement(c: Counts): boolean {
  return (
    c.openAtStart !== 0 ||
    c.openAtEnd !== 0 ||
    c.opened !== 0 ||
    c.fixed !== 0 ||
    c.dismissed !== 0 ||
    c.reopened !== 0
  );
}

function isClosed(state: AlertState | 'absent' | null): state is 'fixed' | 'dismissed' {
  return state === 'fixed' || state === 'dismissed';
}

function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 0) {
    throw new CoreError(`invalid limit ${limit}: expected a whole number, 0 or more`);
  }
}

/**
 * Histories in alert order (`compareAlerts`; stable for equal keys), so that sums do not depend on
 * input order. A report's histories come in that order already (`buildHistories`), and so do the
 * subsets filtered from them: a pass over adjacent pairs finds that, and only other input is
 * sorted (a copy).
 */
function canonical(histories: readonly AlertHistory[]): readonly AlertHistory[] {
  for (let i = 1; i < histories.length; i++) {
    if (compareAlerts((histories[i - 1] as AlertHistory).alert, (histories[i] as AlertHistory).alert) > 0) {
      return [...histories].sort((a, b) => compareAlerts(a.alert, b.alert));
    }
  }
  return histories;
}

/** Code-unit order: the same on every machine, unlike `localeCompare`. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
