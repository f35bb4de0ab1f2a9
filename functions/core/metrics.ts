/**
 * The period counts of report.json (DESIGN.md, "The counts are net movements..."): computed from
 * the state of each alert just before the period's start and just before its (exclusive) end, so
 * that `openAtEnd = openAtStart + opened + reopened - fixed - dismissed` always holds.
 */
import { type Alert, type AlertState, FALSE_POSITIVE_REASONS, type Transition } from './model.ts';
import { instantMs, MS_PER_DAY, type Period } from './periods.ts';
import type { Counts } from './report-model.ts';

/** One alert with its merged timeline (`buildTimeline`). */
export interface AlertHistory {
  alert: Alert;
  timeline: Transition[];
}

/**
 * The state of an alert just before `instant`.
 *
 * The alert's `createdAt` decides whether it existed (an alert created at or after `instant` is
 * `'absent'`), and the timeline decides its state. When the stored history starts after the alert
 * was created (the ledger began later), the state before the first known transition is that
 * transition's `from`, or `'open'`, the state every alert is created in.
 *
 * @example
 * alertStateAt({ alert, timeline }, '2026-11-16T00:00:00Z'); // 'open' | 'fixed' | 'dismissed' | 'absent'
 */
export function alertStateAt(history: AlertHistory, instant: string | Date): AlertState | 'absent' {
  const limit = instantMs(instant);
  if (instantMs(history.alert.createdAt) >= limit) return 'absent';
  let state: AlertState | null = null;
  for (const t of history.timeline) {
    if (instantMs(t.at) < limit) {
      state = t.to;
    } else {
      return state ?? t.from ?? 'open';
    }
  }
  return state ?? 'open';
}

/**
 * The counts of report.json for `period` over the given alerts (all of them, or those of one type).
 *
 * - `opened`: created in [start, end).
 * - `fixed` / `dismissed`: open at the start or created in the period, fixed / dismissed at the end.
 * - `reopened`: existed and was closed at the start, open at the end.
 * - `mttrDays`: mean days from creation to the last closing at or before the end, over the alerts
 *   in `fixed` and `dismissed` except false-positive dismissals; 2 decimals; null when none.
 * - `netResolveRate`: (fixed + dismissed) / opened, 4 decimals; null when nothing was opened.
 *
 * @example
 * computeCounts(histories, parsePeriodId('2026-W47'));
 * // { openAtStart: 3, openAtEnd: 2, opened: 1, fixed: 1, dismissed: 1, reopened: 0, mttrDays: 12.5, netResolveRate: 2 }
 */
export function computeCounts(alerts: readonly AlertHistory[], period: Period): Counts {
  const startMs = instantMs(period.start);
  const endMs = instantMs(period.end);
  const counts: Counts = {
    openAtStart: 0,
    openAtEnd: 0,
    opened: 0,
    fixed: 0,
    dismissed: 0,
    reopened: 0,
    mttrDays: null,
    netResolveRate: null,
  };
  let remediationDaysTotal = 0;
  let remediated = 0;
  for (const history of alerts) {
    const atStart = alertStateAt(history, period.start);
    const atEnd = alertStateAt(history, period.end);
    const createdMs = instantMs(history.alert.createdAt);
    const createdInPeriod = createdMs >= startMs && createdMs < endMs;

    if (atStart === 'open') counts.openAtStart++;
    if (atEnd === 'open') counts.openAtEnd++;
    if (createdInPeriod) counts.opened++;
    if (isClosed(atStart) && atEnd === 'open') counts.reopened++;
    if ((atStart === 'open' || createdInPeriod) && isClosed(atEnd)) {
      if (atEnd === 'fixed') counts.fixed++;
      else counts.dismissed++;
      if (atEnd === 'dismissed' && isFalsePositive(history, endMs)) continue;
      const closedMs = lastClosedMs(history.timeline, endMs);
      if (closedMs === null) continue;
      // Clamped: a clock skew between sources must not make a remediation take negative time.
      remediationDaysTotal += Math.max(0, closedMs - createdMs) / MS_PER_DAY;
      remediated++;
    }
  }
  counts.mttrDays = remediated === 0 ? null : roundTo(remediationDaysTotal / remediated, 2);
  counts.netResolveRate =
    counts.opened === 0 ? null : roundTo((counts.fixed + counts.dismissed) / counts.opened, 4);
  return counts;
}

/**
 * Rounds half away from zero to `decimals` places, robust to binary fractions like 1.005.
 *
 * @example
 * roundTo(1.005, 2); // 1.01
 */
export function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.sign(value) * (Math.round(Math.abs(value) * factor * (1 + Number.EPSILON)) / factor);
}

function isClosed(state: AlertState | 'absent'): state is 'fixed' | 'dismissed' {
  return state === 'fixed' || state === 'dismissed';
}

/**
 * When the alert last went from open to closed before `endMs` (fixed then dismissed keeps the
 * first); null when it is open at `endMs` or the timeline holds no closing. The closing time of
 * the MTTR and of SLA compliance.
 */
export function lastClosedMs(timeline: readonly Transition[], endMs: number): number | null {
  let closedSince: number | null = null;
  for (const t of timeline) {
    const ms = instantMs(t.at);
    if (ms >= endMs) break;
    if (t.to === 'open') closedSince = null;
    else if (closedSince === null) closedSince = ms;
  }
  return closedSince;
}

/**
 * Whether the dismissal in force just before `endMs` was a false positive (Dependabot
 * `inaccurate`, code scanning `false positive`, secret scanning `false_positive`): such alerts are
 * left out of the MTTR and of SLA compliance.
 */
export function isFalsePositive(history: AlertHistory, endMs: number): boolean {
  let reason: string | null = null;
  let laterTransitions = false;
  for (const t of history.timeline) {
    if (instantMs(t.at) >= endMs) {
      laterTransitions = true;
      break;
    }
    if (t.to === 'dismissed') reason = t.reason;
  }
  // The alert's own reason describes its current dismissal, which is the one at the end only
  // when nothing changed after the end.
  if (reason === null && !laterTransitions && history.alert.state === 'dismissed')
    reason = history.alert.reason;
  return reason !== null && FALSE_POSITIVE_REASONS[history.alert.alertType].includes(reason);
}
