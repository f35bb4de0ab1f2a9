/**
 * The period counts of report.json (DESIGN.md, "The counts are net movements..."): computed from
 * the state of each alert just before the period's start and just before its (exclusive) end, so
 * that `openAtEnd = openAtStart + opened + reopened - fixed - dismissed` always holds.
 */
import { type Alert, type AlertState, FALSE_POSITIVE_REASONS, type Transition } from './model.ts';
import { instantMs, MS_PER_DAY, type Period } from './periods.ts';
import type { Counts } from './report-model.ts';
import { type TimelineTimes, timesOf, transitionMs } from './timeline.ts';

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
  return stateBeforeMs(history, instantMs(instant));
}

/** `alertStateAt` with the instant already in milliseconds. */
export function stateBeforeMs(history: AlertHistory, limit: number): AlertState | 'absent' {
  return stateIn(historyTimes(history), limit);
}

/** `stateBeforeMs` of a history's remembered times. */
export function stateIn(known: HistoryTimes, limit: number): AlertState | 'absent' {
  if (createdMsIn(known) >= limit) return 'absent';
  const { timeline, times } = known;
  let state: AlertState | null = null;
  for (let i = 0; i < timeline.length; i++) {
    const t = timeline[i] as Transition;
    if (transitionMs(times, t, i) < limit) {
      state = t.to;
    } else {
      return state ?? t.from ?? 'open';
    }
  }
  return state ?? 'open';
}

/** What is remembered of one history: its timeline's times and its alert's creation (lazily). */
export interface HistoryTimes {
  alert: Alert;
  createdAt: string;
  /** NaN until read. */
  createdMs: number;
  timeline: readonly Transition[];
  times: TimelineTimes;
}

const historyTimesCache = new WeakMap<AlertHistory, HistoryTimes>();

/** Where the histories `newHistory` makes carry what is remembered of them: a hidden property. */
const TIMES: unique symbol = Symbol('alert-ledger.historyTimes');
type WithTimes = AlertHistory & { [TIMES]?: HistoryTimes };

/**
 * What is remembered of a history (its timeline's parsed times, its alert's creation), renewed when
 * its alert, timeline or createdAt changed: a report asks for the state of every alert at dozens of
 * instants (each trend period, each breakdown), and parsing the same strings each time dominated
 * its cost. Histories made by `newHistory` carry it; others are looked up in a WeakMap.
 */
export function historyTimes(history: AlertHistory): HistoryTimes {
  const { alert, timeline } = history;
  const own = (history as WithTimes)[TIMES];
  const known = own ?? historyTimesCache.get(history);
  if (
    known !== undefined &&
    known.alert === alert &&
    known.timeline === timeline &&
    known.createdAt === alert.createdAt &&
    known.times.ats.length === timeline.length
  ) {
    return known;
  }
  const fresh = {
    alert,
    createdAt: alert.createdAt,
    createdMs: Number.NaN,
    timeline,
    times: timesOf(timeline),
  };
  if (own !== undefined) (history as WithTimes)[TIMES] = fresh;
  else historyTimesCache.set(history, fresh);
  return fresh;
}

/**
 * `{ alert, timeline }` carrying the timeline's parsed instants in a hidden property (a symbol, not
 * enumerable: equality, spreading and JSON see the two fields only), so that the figures computed
 * over it find them without a lookup.
 */
export function newHistory(alert: Alert, timeline: Transition[], times: TimelineTimes): AlertHistory {
  const history: AlertHistory = { alert, timeline };
  Object.defineProperty(history, TIMES, {
    value: { alert, createdAt: alert.createdAt, createdMs: Number.NaN, timeline, times },
    writable: true,
    enumerable: false,
    configurable: true,
  });
  return history;
}

/** `instantMs(known.createdAt)`, remembered. */
export function createdMsIn(known: HistoryTimes): number {
  if (Number.isNaN(known.createdMs)) known.createdMs = instantMs(known.createdAt);
  return known.createdMs;
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
  const tally = newTally();
  for (const history of alerts) {
    const known = historyTimes(history);
    addToTally(tally, history, known, stateIn(known, startMs), stateIn(known, endMs), startMs, endMs);
  }
  return tallyCounts(tally);
}

/**
 * `computeCounts` of several periods and groups of alerts at once, with one walk of each timeline
 * for all the periods' boundaries: `result.get(g)[k]` is `computeCounts` over the alerts `groupsOf`
 * puts in group `g` (in the order of `alerts`) for `periods[k]`, the same figures from the same sums
 * in the same order. Every group of `groups` is in the result, counted over no alerts when none
 * belongs to it.
 *
 * @example
 * computeCountsForPeriods(histories, lastPeriods(p, 12), ['total'], () => ['total']).get('total');
 * // the 12 periods' Counts, as lastPeriods(p, 12).map((x) => computeCounts(histories, x))
 */
export function computeCountsForPeriods<G>(
  alerts: readonly AlertHistory[],
  periods: readonly Period[],
  groups: readonly G[],
  groupsOf: (history: AlertHistory) => readonly G[],
): Map<G, Counts[]> {
  const bounds = periods.map((p) => ({ startMs: instantMs(p.start), endMs: instantMs(p.end) }));
  const limits = [...new Set(bounds.flatMap((b) => [b.startMs, b.endMs]))].sort((a, b) => a - b);
  const at = new Map(limits.map((ms, k) => [ms, k]));
  const slots = bounds.map((b) => ({
    ...b,
    start: at.get(b.startMs) as number,
    end: at.get(b.endMs) as number,
  }));
  const tallies = new Map<G, Tally[]>(groups.map((g) => [g, periods.map(() => newTally())]));
  const states: (AlertState | 'absent')[] = new Array(limits.length);
  for (const history of alerts) {
    const known = historyTimes(history);
    statesBefore(known, limits, states);
    for (const g of groupsOf(history)) {
      let perPeriod = tallies.get(g);
      if (perPeriod === undefined) {
        perPeriod = periods.map(() => newTally());
        tallies.set(g, perPeriod);
      }
      for (let k = 0; k < slots.length; k++) {
        const slot = slots[k] as (typeof slots)[number];
        addToTally(
          perPeriod[k] as Tally,
          history,
          known,
          states[slot.start] as AlertState | 'absent',
          states[slot.end] as AlertState | 'absent',
          slot.startMs,
          slot.endMs,
        );
      }
    }
  }
  return new Map([...tallies].map(([g, perPeriod]) => [g, perPeriod.map(tallyCounts)]));
}

/**
 * The state just before each of `limits` (ascending, distinct), as `stateBeforeMs` gives it for
 * each, from one walk of the timeline.
 */
function statesBefore(known: HistoryTimes, limits: readonly number[], out: (AlertState | 'absent')[]): void {
  const { timeline, times } = known;
  let i = 0;
  let state: AlertState | null = null;
  for (let k = 0; k < limits.length; k++) {
    const limit = limits[k] as number;
    if (createdMsIn(known) >= limit) {
      out[k] = 'absent';
      continue;
    }
    // The state before `limit` is that after the transitions before the first one at or after it.
    while (i < timeline.length && transitionMs(times, timeline[i] as Transition, i) < limit) {
      state = (timeline[i] as Transition).to;
      i++;
    }
    const next = timeline[i];
    out[k] = next === undefined ? (state ?? 'open') : (state ?? next.from ?? 'open');
  }
}

/** computeCounts' running sums. */
interface Tally {
  counts: Counts;
  remediationDaysTotal: number;
  remediated: number;
}

/** Counts of no alert: every figure 0, and the ratios null. */
export function emptyCounts(): Counts {
  return {
    openAtStart: 0,
    openAtEnd: 0,
    opened: 0,
    fixed: 0,
    dismissed: 0,
    reopened: 0,
    mttrDays: null,
    netResolveRate: null,
  };
}

function newTally(): Tally {
  return {
    counts: emptyCounts(),
    remediationDaysTotal: 0,
    remediated: 0,
  };
}

/** Counts one alert, given its states just before the period's start and end. */
function addToTally(
  tally: Tally,
  history: AlertHistory,
  known: HistoryTimes,
  atStart: AlertState | 'absent',
  atEnd: AlertState | 'absent',
  startMs: number,
  endMs: number,
): void {
  const { counts } = tally;
  const createdMs = createdMsIn(known);
  const createdInPeriod = createdMs >= startMs && createdMs < endMs;

  if (atStart === 'open') counts.openAtStart++;
  if (atEnd === 'open') counts.openAtEnd++;
  if (createdInPeriod) counts.opened++;
  if (isClosed(atStart) && atEnd === 'open') counts.reopened++;
  if ((atStart === 'open' || createdInPeriod) && isClosed(atEnd)) {
    if (atEnd === 'fixed') counts.fixed++;
    else counts.dismissed++;
    if (atEnd === 'dismissed' && isFalsePositive(history, endMs)) return;
    const closedMs = lastClosedIn(known.timeline, known.times, endMs);
    if (closedMs === null) return;
    // Clamped: a clock skew between sources must not make a remediation take negative time.
    tally.remediationDaysTotal += Math.max(0, closedMs - createdMs) / MS_PER_DAY;
    tally.remediated++;
  }
}

function tallyCounts({ counts, remediationDaysTotal, remediated }: Tally): Counts {
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
  return lastClosedIn(timeline, timesOf(timeline), endMs);
}

function lastClosedIn(timeline: readonly Transition[], times: TimelineTimes, endMs: number): number | null {
  let closedSince: number | null = null;
  for (let i = 0; i < timeline.length; i++) {
    const t = timeline[i] as Transition;
    const ms = transitionMs(times, t, i);
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
  const { timeline, times } = historyTimes(history);
  for (let i = 0; i < timeline.length; i++) {
    const t = timeline[i] as Transition;
    if (transitionMs(times, t, i) >= endMs) {
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
