/**
 * The timeline of one alert: its transitions from every source, ordered and de-duplicated.
 *
 * The same change is usually seen more than once: the webhook delivers it, the next snapshot
 * notices the new state (dated with the alert's own `dismissed_at`, so both carry nearly the same
 * instant), and the audit log records it again. Reports must count it once.
 */
import { CoreError } from './errors.ts';
import { type AlertState, alertKey, type Transition, type TransitionSource } from './model.ts';
import { instantMs } from './periods.ts';

/** Observations of one change closer than this are merged into one transition. */
export const DUPLICATE_WINDOW_MS = 60_000;

/**
 * Whose details win when sources disagree: the audit log names the person who acted, a webhook
 * names its sender, a snapshot only knows what the alert API says.
 */
const DETAIL_PRIORITY: Readonly<Record<TransitionSource, number>> = { audit_log: 0, webhook: 1, snapshot: 2 };

/** Which source a merged transition is credited to when several saw it at the same instant. */
const SOURCE_ORDER: Readonly<Record<TransitionSource, number>> = { webhook: 0, audit_log: 1, snapshot: 2 };

/**
 * Orders and merges the transitions of ONE alert (any order, any sources).
 *
 * A transition is a duplicate of the one before it in time when it goes to the same state, its
 * `from` agrees (equal, or unknown on either side) and it is at most 60 s after the first
 * observation of that change. A snapshot's reopen (dated by `updated_at`, so possibly late) that
 * follows a known reopen from the same state is a duplicate at any distance. The merged transition keeps the earliest `at`, its source, and the
 * best non-null actor, reason and comment any observation had. The result does not depend on the
 * order of the input.
 *
 * @example
 * buildTimeline([
 *   { ...base, from: 'open', to: 'dismissed', at: '2026-11-17T10:00:05Z', source: 'snapshot', actor: null },
 *   { ...base, from: 'open', to: 'dismissed', at: '2026-11-17T10:00:00Z', source: 'webhook', actor: 'octocat' },
 * ]);
 * // [{ ...base, from: 'open', to: 'dismissed', at: '2026-11-17T10:00:00Z', source: 'webhook', actor: 'octocat' }]
 */
export function buildTimeline(transitions: readonly Transition[]): Transition[] {
  const { timeline, times } = buildTimelineWithTimes(transitions);
  timelineTimes.set(timeline, times);
  return timeline;
}

/** `buildTimeline`, with the parsed instants of the merged transitions. */
export function buildTimelineWithTimes(transitions: readonly Transition[]): {
  timeline: Transition[];
  times: TimelineTimes;
} {
  const first = transitions[0];
  if (first === undefined) return { timeline: [], times: { ats: [], ms: [] } };
  if (transitions.length === 1) {
    // What the general path gives for one transition (a group of one is copied), without its arrays.
    const ms = instantMs(first.at);
    return { timeline: [{ ...first }], times: { ats: [first.at], ms: [ms] } };
  }
  const key = alertKey(first);
  const keyed = transitions.map((t) => {
    // Same fields, same key; only other fields need the key built to compare.
    const sameFields =
      t.alertType === first.alertType && t.repository === first.repository && t.number === first.number;
    if (!sameFields && alertKey(t) !== key) {
      throw new CoreError(
        `buildTimeline takes the transitions of one alert, got ${key} and ${alertKey(t)}: group them by alertKey first`,
      );
    }
    return { t, ms: instantMs(t.at) };
  });
  // A total order over every field makes the greedy merge below independent of the input order.
  keyed.sort((a, b) => a.ms - b.ms || compareTransitions(a.t, b.t));

  const groups: { ms: number; members: Transition[] }[] = [];
  for (const { t, ms } of keyed) {
    const last = groups.at(-1);
    // Only the latest change can be duplicated: once another state came in between, the same
    // change again is a new event (dismissed, reopened, dismissed again within a minute).
    if (last !== undefined && isSameChange(last, t, ms)) {
      last.members.push(t);
    } else {
      groups.push({ ms, members: [t] });
    }
  }
  const timeline = groups.map((g) => mergeGroup(g.members));
  // A merged transition keeps its first observation's `at`, whose instant is the group's.
  return { timeline, times: { ats: timeline.map((t) => t.at), ms: groups.map((g) => g.ms) } };
}

/**
 * The parsed `at` of each transition of a timeline, remembered per timeline array (buildTimeline
 * fills them for the timelines it makes): reports read every timeline at dozens of instants.
 * Others are filled lazily (parsed only as far as they are read), and every use checks `at` against
 * the string parsed, so a timeline edited in place is never read stale.
 */
export interface TimelineTimes {
  ats: (string | undefined)[];
  ms: number[];
}

const timelineTimes = new WeakMap<readonly Transition[], TimelineTimes>();

export function timesOf(timeline: readonly Transition[]): TimelineTimes {
  let times = timelineTimes.get(timeline);
  if (times === undefined || times.ats.length !== timeline.length) {
    times = { ats: new Array<string | undefined>(timeline.length), ms: new Array<number>(timeline.length) };
    timelineTimes.set(timeline, times);
  }
  return times;
}

/** `instantMs(t.at)` for `t = timeline[i]`, from the timeline's remembered times. */
export function transitionMs(times: TimelineTimes, t: Transition, i: number): number {
  if (times.ats[i] === t.at) return times.ms[i] as number;
  const ms = instantMs(t.at);
  times.ats[i] = t.at;
  times.ms[i] = ms;
  return ms;
}

/**
 * The state of an alert just before `instant`: the `to` of the last transition strictly before it,
 * or `'absent'` when none is. Period ends are exclusive, so `stateAt(timeline, period.start)` is the
 * state at the start and a transition at exactly `period.start` belongs to the period.
 *
 * @example
 * stateAt(timeline, '2026-11-16T00:00:00Z'); // 'open'
 */
export function stateAt(timeline: readonly Transition[], instant: string | Date): AlertState | 'absent' {
  const limit = instantMs(instant);
  let state: AlertState | 'absent' = 'absent';
  for (const t of timeline) {
    if (instantMs(t.at) < limit) state = t.to;
  }
  return state;
}

function isSameChange(group: { ms: number; members: Transition[] }, t: Transition, ms: number): boolean {
  const head = group.members[0];
  if (head === undefined || head.to !== t.to) return false;
  const groupFrom = group.members.find((m) => m.from !== null)?.from ?? null;
  if (ms - group.ms <= DUPLICATE_WINDOW_MS) {
    return groupFrom === null || t.from === null || groupFrom === t.from;
  }
  // A snapshot dates a reopen with the alert's updated_at, which any later edit moves: a snapshot
  // reopen after an already known reopen from the same state is a late sighting of that reopen.
  return t.source === 'snapshot' && t.to === 'open' && groupFrom !== null && t.from === groupFrom;
}

function mergeGroup(members: readonly Transition[]): Transition {
  // members are in canonical order: the first is the earliest observation.
  const [head, ...rest] = members;
  if (head === undefined) throw new CoreError('empty transition group');
  if (rest.length === 0) return { ...head };
  const byDetail = [...members].sort(
    (a, b) => DETAIL_PRIORITY[a.source] - DETAIL_PRIORITY[b.source] || compareTransitions(a, b),
  );
  const best = <K extends 'actor' | 'reason' | 'comment'>(k: K): string | null =>
    byDetail.find((m) => m[k] !== null)?.[k] ?? null;
  return {
    ...head,
    from: members.find((m) => m.from !== null)?.from ?? null,
    actor: best('actor'),
    reason: best('reason'),
    comment: best('comment'),
  };
}

/** Tie-break for transitions at the same instant; total over every field. */
function compareTransitions(a: Transition, b: Transition): number {
  return (
    // A creation at the same instant as a change comes first: the other order would undo the change.
    Number(a.from !== null) - Number(b.from !== null) ||
    SOURCE_ORDER[a.source] - SOURCE_ORDER[b.source] ||
    compareText(a.from, b.from) ||
    compareText(a.to, b.to) ||
    compareText(a.at, b.at) ||
    compareText(a.actor, b.actor) ||
    compareText(a.reason, b.reason) ||
    compareText(a.comment, b.comment)
  );
}

function compareText(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}
