import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CoreError } from '../../../functions/core/errors.ts';
import {
  ALERT_STATES,
  type AlertState,
  TRANSITION_SOURCES,
  type Transition,
  type TransitionSource,
} from '../../../functions/core/model.ts';
import { buildTimeline, DUPLICATE_WINDOW_MS, stateAt } from '../../../functions/core/timeline.ts';

const ALERT = { alertType: 'dependabot', repository: 'acme/api', number: 7 } as const;

/** A transition of alert acme/api#7; only what a test cares about is given. */
function tr(
  at: string,
  from: AlertState | null,
  to: AlertState,
  source: TransitionSource,
  details: Partial<Pick<Transition, 'actor' | 'reason' | 'comment'>> = {},
): Transition {
  return { ...ALERT, from, to, at, source, actor: null, reason: null, comment: null, ...details };
}

/** The shape of a timeline as [at, from, to, source]. */
function shape(timeline: readonly Transition[]): [string, AlertState | null, AlertState, TransitionSource][] {
  return timeline.map((t) => [t.at, t.from, t.to, t.source]);
}

describe('buildTimeline', () => {
  it('returns nothing for nothing', () => {
    expect(buildTimeline([])).toEqual([]);
  });

  it('sorts by time whatever the input order', () => {
    const timeline = buildTimeline([
      tr('2026-11-20T09:00:00Z', 'dismissed', 'open', 'webhook'),
      tr('2026-11-01T09:00:00Z', null, 'open', 'snapshot'),
      tr('2026-11-10T09:00:00Z', 'open', 'dismissed', 'webhook'),
    ]);
    expect(shape(timeline)).toEqual([
      ['2026-11-01T09:00:00Z', null, 'open', 'snapshot'],
      ['2026-11-10T09:00:00Z', 'open', 'dismissed', 'webhook'],
      ['2026-11-20T09:00:00Z', 'dismissed', 'open', 'webhook'],
    ]);
  });

  it('merges one dismissal seen by webhook, snapshot and audit log, keeping the earliest time and the best details', () => {
    const timeline = buildTimeline([
      tr('2026-11-17T10:00:02Z', 'open', 'dismissed', 'snapshot', {
        reason: 'tolerable_risk',
        comment: 'vendored',
      }),
      tr('2026-11-17T10:00:30Z', null, 'dismissed', 'audit_log', { actor: 'mona' }),
      tr('2026-11-17T10:00:00Z', 'open', 'dismissed', 'webhook', {
        actor: 'mona-bot',
        comment: 'see ticket 12',
      }),
    ]);
    expect(timeline).toEqual([
      {
        ...ALERT,
        from: 'open',
        to: 'dismissed',
        at: '2026-11-17T10:00:00Z',
        source: 'webhook',
        // audit log first (it names the person), then webhook, then snapshot
        actor: 'mona',
        reason: 'tolerable_risk',
        comment: 'see ticket 12',
      },
    ]);
  });

  it('merges a change with an unknown from into one with a known from', () => {
    const timeline = buildTimeline([
      tr('2026-11-17T10:00:00Z', null, 'fixed', 'audit_log'),
      tr('2026-11-17T10:00:10Z', 'open', 'fixed', 'snapshot'),
    ]);
    expect(shape(timeline)).toEqual([['2026-11-17T10:00:00Z', 'open', 'fixed', 'audit_log']]);
  });

  it.each([
    // second observation after the first, merged?
    [DUPLICATE_WINDOW_MS, 1],
    [DUPLICATE_WINDOW_MS + 1, 2],
  ])('observations %i ms apart give %i transition(s)', (gapMs, count) => {
    const first = Date.parse('2026-11-17T10:00:00Z');
    const timeline = buildTimeline([
      tr(new Date(first).toISOString(), 'open', 'fixed', 'webhook'),
      tr(new Date(first + gapMs).toISOString(), 'open', 'fixed', 'snapshot'),
    ]);
    expect(timeline).toHaveLength(count);
  });

  it('keeps changes to the same state from different states apart', () => {
    const timeline = buildTimeline([
      tr('2026-11-17T10:00:00Z', 'open', 'dismissed', 'webhook'),
      tr('2026-11-17T10:00:10Z', 'fixed', 'dismissed', 'snapshot'),
    ]);
    expect(shape(timeline)).toEqual([
      ['2026-11-17T10:00:00Z', 'open', 'dismissed', 'webhook'],
      ['2026-11-17T10:00:10Z', 'fixed', 'dismissed', 'snapshot'],
    ]);
  });

  it('keeps a quick dismiss, reopen, dismiss as three changes (the state changed in between)', () => {
    const timeline = buildTimeline([
      tr('2026-11-17T10:00:00Z', 'open', 'dismissed', 'webhook'),
      tr('2026-11-17T10:00:20Z', 'dismissed', 'open', 'webhook'),
      tr('2026-11-17T10:00:40Z', 'open', 'dismissed', 'webhook'),
      tr('2026-11-17T10:00:40Z', 'open', 'dismissed', 'snapshot'),
    ]);
    expect(shape(timeline)).toEqual([
      ['2026-11-17T10:00:00Z', 'open', 'dismissed', 'webhook'],
      ['2026-11-17T10:00:20Z', 'dismissed', 'open', 'webhook'],
      ['2026-11-17T10:00:40Z', 'open', 'dismissed', 'webhook'],
    ]);
    expect(stateAt(timeline, '2026-11-17T10:01:00Z')).toBe('dismissed');
  });

  it('puts a creation before a change at the same instant', () => {
    // Dependabot can auto-dismiss an alert the moment it creates it.
    const timeline = buildTimeline([
      tr('2026-11-17T10:00:00Z', 'open', 'dismissed', 'webhook', { reason: 'auto_dismissed' }),
      tr('2026-11-17T10:00:00Z', null, 'open', 'snapshot'),
    ]);
    expect(shape(timeline)).toEqual([
      ['2026-11-17T10:00:00Z', null, 'open', 'snapshot'],
      ['2026-11-17T10:00:00Z', 'open', 'dismissed', 'webhook'],
    ]);
    expect(stateAt(timeline, '2026-11-17T10:00:00.001Z')).toBe('dismissed');
  });

  it('merges a webhook redelivery (identical transition)', () => {
    const t = tr('2026-11-17T10:00:00Z', 'open', 'fixed', 'webhook', { actor: 'mona' });
    expect(buildTimeline([t, { ...t }, { ...t }])).toEqual([t]);
  });

  it('compares instants, not strings: Z, milliseconds and offsets of one instant coincide', () => {
    const timeline = buildTimeline([
      tr('2026-11-17T11:00:00+01:00', 'open', 'fixed', 'snapshot'),
      tr('2026-11-17T10:00:00.000Z', 'open', 'fixed', 'webhook'),
    ]);
    expect(shape(timeline)).toEqual([['2026-11-17T10:00:00.000Z', 'open', 'fixed', 'webhook']]);
  });

  it("treats a snapshot's late reopen (dated by updated_at) as the reopen a webhook already saw", () => {
    const timeline = buildTimeline([
      tr('2026-11-17T10:00:00Z', 'fixed', 'open', 'webhook', { actor: 'mona' }),
      tr('2026-11-17T14:30:00Z', 'fixed', 'open', 'snapshot'),
    ]);
    expect(timeline).toEqual([tr('2026-11-17T10:00:00Z', 'fixed', 'open', 'webhook', { actor: 'mona' })]);
  });

  it('keeps a late webhook reopen apart (webhooks are timed exactly)', () => {
    const timeline = buildTimeline([
      tr('2026-11-17T10:00:00Z', 'fixed', 'open', 'webhook'),
      tr('2026-11-17T14:30:00Z', 'fixed', 'open', 'webhook'),
    ]);
    expect(timeline).toHaveLength(2);
  });

  it('refuses transitions of several alerts', () => {
    const other = { ...tr('2026-11-17T10:00:00Z', null, 'open', 'webhook'), number: 8 };
    expect(() => buildTimeline([tr('2026-11-17T10:00:00Z', null, 'open', 'webhook'), other])).toThrow(
      CoreError,
    );
    expect(() => buildTimeline([tr('2026-11-17T10:00:00Z', null, 'open', 'webhook'), other])).toThrow(
      /got dependabot#acme\/api#7 and dependabot#acme\/api#8/,
    );
  });
});

describe('stateAt', () => {
  const timeline = buildTimeline([
    tr('2026-11-10T00:00:00Z', null, 'open', 'snapshot'),
    tr('2026-11-16T00:00:00Z', 'open', 'fixed', 'webhook'),
    tr('2026-11-22T23:59:59.999Z', 'fixed', 'open', 'webhook'),
  ]);

  it.each([
    ['2026-11-09T00:00:00Z', 'absent'],
    // the creation instant itself: not yet (instants are exclusive ends)
    ['2026-11-10T00:00:00Z', 'absent'],
    ['2026-11-10T00:00:00.001Z', 'open'],
    // a transition exactly at a period's start belongs to the period: before it, still open
    ['2026-11-16T00:00:00Z', 'open'],
    ['2026-11-16T00:00:00.001Z', 'fixed'],
    ['2026-11-22T23:59:59.999Z', 'fixed'],
    ['2026-11-23T00:00:00Z', 'open'],
  ])('just before %s the alert is %s', (instant, state) => {
    expect(stateAt(timeline, instant)).toBe(state);
  });

  it('takes a Date', () => {
    expect(stateAt(timeline, new Date('2026-11-20T00:00:00Z'))).toBe('fixed');
  });
});

describe('buildTimeline properties', () => {
  const base = Date.parse('2026-11-16T00:00:00Z');
  // Small time range and few states, so that duplicates and ties are frequent.
  const transitionArb = fc
    .record({
      offsetS: fc.integer({ min: 0, max: 600 }),
      from: fc.constantFrom<AlertState | null>(null, ...ALERT_STATES),
      to: fc.constantFrom(...ALERT_STATES),
      source: fc.constantFrom(...TRANSITION_SOURCES),
      actor: fc.constantFrom(null, 'mona', 'hubot'),
      reason: fc.constantFrom(null, 'fix_started', 'inaccurate'),
      comment: fc.constantFrom(null, 'ok'),
    })
    .map(
      ({ offsetS, ...rest }): Transition => ({
        ...ALERT,
        ...rest,
        at: new Date(base + offsetS * 1000).toISOString(),
      }),
    );

  it('does not depend on the order of its input', () => {
    fc.assert(
      fc.property(
        fc.array(transitionArb, { maxLength: 25 }),
        fc.infiniteStream(fc.nat()),
        (transitions, seeds) => {
          const shuffled = [...transitions];
          // Fisher-Yates driven by fast-check, so that failures shrink and replay.
          for (let i = shuffled.length - 1; i > 0; i--) {
            const j = (seeds.next().value as number) % (i + 1);
            [shuffled[i], shuffled[j]] = [shuffled[j] as Transition, shuffled[i] as Transition];
          }
          expect(buildTimeline(shuffled)).toEqual(buildTimeline(transitions));
          expect(buildTimeline([...transitions].reverse())).toEqual(buildTimeline(transitions));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('is sorted, never grows, and keeps every state change', () => {
    fc.assert(
      fc.property(fc.array(transitionArb, { maxLength: 25 }), (transitions) => {
        const timeline = buildTimeline(transitions);
        expect(timeline.length).toBeLessThanOrEqual(transitions.length);
        for (let i = 1; i < timeline.length; i++) {
          expect(Date.parse(timeline[i]?.at ?? '')).toBeGreaterThanOrEqual(
            Date.parse(timeline[i - 1]?.at ?? ''),
          );
        }
        // Merging only drops repeated observations: the set of states reached stays the same.
        expect(new Set(timeline.map((t) => t.to))).toEqual(new Set(transitions.map((t) => t.to)));
      }),
      { numRuns: 500 },
    );
  });
});
