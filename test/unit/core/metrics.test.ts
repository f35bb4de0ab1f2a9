import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AlertHistory, alertStateAt, computeCounts, roundTo } from '../../../functions/core/metrics.ts';
import {
  ALERT_STATES,
  type Alert,
  type AlertState,
  type AlertType,
  type Transition,
} from '../../../functions/core/model.ts';
import { type Period, parsePeriodId } from '../../../functions/core/periods.ts';
import type { Counts } from '../../../functions/core/report-model.ts';
import { buildTimeline } from '../../../functions/core/timeline.ts';

/** [at, new state, reason] after creation; `from` follows from the previous row. */
type Event = [at: string, to: AlertState, reason?: string];

let nextNumber = 1;

/**
 * An alert created open at `createdAt` with the given changes, as the ledger would hold it: one
 * snapshot transition for the creation and one webhook transition per change.
 */
function history(alertType: AlertType, createdAt: string, events: Event[] = []): AlertHistory {
  const number = nextNumber++;
  const key = { alertType, repository: 'acme/api', number };
  const transitions: Transition[] = [
    {
      ...key,
      from: null,
      to: 'open',
      at: createdAt,
      actor: null,
      reason: null,
      comment: null,
      source: 'snapshot',
    },
  ];
  let state: AlertState = 'open';
  for (const [at, to, reason] of events) {
    transitions.push({
      ...key,
      from: state,
      to,
      at,
      actor: 'mona',
      reason: reason ?? null,
      comment: null,
      source: 'webhook',
    });
    state = to;
  }
  const last = events.at(-1);
  const alert: Alert = {
    ...key,
    state,
    severity: 'high',
    title: `alert ${number}`,
    ruleId: 'GHSA-xxxx',
    htmlUrl: `https://github.com/acme/api/security/${number}`,
    createdAt,
    updatedAt: last?.[0] ?? createdAt,
    closedAt: state === 'open' ? null : (last?.[0] ?? null),
    closedBy: state === 'open' ? null : 'mona',
    reason: state === 'open' ? null : (last?.[2] ?? null),
    comment: null,
  };
  return { alert, timeline: buildTimeline(transitions) };
}

const ZERO: Counts = {
  openAtStart: 0,
  openAtEnd: 0,
  opened: 0,
  fixed: 0,
  dismissed: 0,
  reopened: 0,
  mttrDays: null,
  netResolveRate: null,
};

// 2026-W47: [2026-11-16T00:00:00Z, 2026-11-23T00:00:00Z)
const W47 = parsePeriodId('2026-W47');

/**
 * The fixture: one row per case, with the alert's history and what it alone contributes to W47.
 * Columns of `expected`: openAtStart, openAtEnd, opened, fixed, dismissed, reopened, mttrDays.
 */
const CASES: { name: string; h: AlertHistory; expected: Partial<Counts> }[] = [
  {
    name: 'dismissed before, reopened within the period',
    h: history('dependabot', '2026-11-01T00:00:00Z', [
      ['2026-11-05T00:00:00Z', 'dismissed', 'tolerable_risk'],
      ['2026-11-18T00:00:00Z', 'open'],
    ]),
    expected: { openAtEnd: 1, reopened: 1 },
  },
  {
    name: 'fixed, reopened, fixed again within the period (MTTR to the last fix: 10.5 days)',
    h: history('dependabot', '2026-11-10T00:00:00Z', [
      ['2026-11-17T10:00:00Z', 'fixed'],
      ['2026-11-18T10:00:00Z', 'open'],
      ['2026-11-20T12:00:00Z', 'fixed'],
    ]),
    expected: { openAtStart: 1, fixed: 1, mttrDays: 10.5 },
  },
  {
    name: 'code scanning false positive: dismissed, left out of MTTR',
    h: history('code_scanning', '2026-11-02T00:00:00Z', [
      ['2026-11-19T00:00:00Z', 'dismissed', 'false positive'],
    ]),
    expected: { openAtStart: 1, dismissed: 1, mttrDays: null },
  },
  {
    name: 'Dependabot auto-dismissal (dismissed, reason auto_dismissed): 5 days',
    h: history('dependabot', '2026-11-12T00:00:00Z', [
      ['2026-11-17T00:00:00Z', 'dismissed', 'auto_dismissed'],
    ]),
    expected: { openAtStart: 1, dismissed: 1, mttrDays: 5 },
  },
  {
    name: 'secret revoked (fixed), created before the period: 1 day',
    h: history('secret_scanning', '2026-11-15T12:00:00Z', [['2026-11-16T12:00:00Z', 'fixed', 'revoked']]),
    expected: { openAtStart: 1, fixed: 1, mttrDays: 1 },
  },
  {
    name: 'secret resolved as used_in_tests (dismissed), created and closed in the period: 0.5 days',
    h: history('secret_scanning', '2026-11-16T06:00:00Z', [
      ['2026-11-16T18:00:00Z', 'dismissed', 'used_in_tests'],
    ]),
    expected: { opened: 1, dismissed: 1, mttrDays: 0.5, netResolveRate: 1 },
  },
  {
    name: 'fixed exactly at the period start: belongs to the period (15 days)',
    h: history('code_scanning', '2026-11-01T00:00:00Z', [['2026-11-16T00:00:00Z', 'fixed']]),
    expected: { openAtStart: 1, fixed: 1, mttrDays: 15 },
  },
  {
    name: 'created in the period and fixed a millisecond before its end (2.99999998843 days: 3)',
    h: history('dependabot', '2026-11-20T00:00:00Z', [['2026-11-22T23:59:59.999Z', 'fixed']]),
    expected: { opened: 1, fixed: 1, mttrDays: 3, netResolveRate: 1 },
  },
  {
    name: 'created exactly at the period end: not yet there',
    h: history('dependabot', '2026-11-23T00:00:00Z'),
    expected: {},
  },
  {
    name: 'created exactly at the period start, still open',
    h: history('dependabot', '2026-11-16T00:00:00Z'),
    expected: { opened: 1, openAtEnd: 1, netResolveRate: 0 },
  },
  {
    name: 'open all along',
    h: history('code_scanning', '2026-10-01T00:00:00Z'),
    expected: { openAtStart: 1, openAtEnd: 1 },
  },
  {
    name: 'fixed before the period',
    h: history('code_scanning', '2026-10-01T00:00:00Z', [['2026-10-10T00:00:00Z', 'fixed']]),
    expected: {},
  },
  {
    name: 'closed before, reopened and closed again inside: ignored, as security overview does',
    h: history('dependabot', '2026-10-01T00:00:00Z', [
      ['2026-10-10T00:00:00Z', 'fixed'],
      ['2026-11-17T00:00:00Z', 'open'],
      ['2026-11-19T00:00:00Z', 'fixed'],
    ]),
    expected: {},
  },
  {
    name: 'fixed in the period and reopened in it: no net movement',
    h: history('dependabot', '2026-11-01T00:00:00Z', [
      ['2026-11-17T00:00:00Z', 'fixed'],
      ['2026-11-20T00:00:00Z', 'open'],
    ]),
    expected: { openAtStart: 1, openAtEnd: 1 },
  },
  {
    name: 'dismissed after the period: open at its end',
    h: history('dependabot', '2026-11-01T00:00:00Z', [
      ['2026-11-23T00:00:00Z', 'dismissed', 'tolerable_risk'],
    ]),
    expected: { openAtStart: 1, openAtEnd: 1 },
  },
];

describe('computeCounts, case by case (2026-W47)', () => {
  it.each(CASES)('$name', ({ h, expected }) => {
    expect(computeCounts([h], W47)).toEqual({ ...ZERO, ...expected });
  });
});

describe('computeCounts, all cases together', () => {
  it('adds up the rows', () => {
    const counts = computeCounts(
      CASES.map((c) => c.h),
      W47,
    );
    expect(counts).toEqual({
      openAtStart: 8,
      openAtEnd: 5,
      opened: 3,
      fixed: 4,
      dismissed: 3,
      reopened: 1,
      // (10.5 + 5 + 1 + 0.5 + 15 + 2.99999998843) / 6 = 5.8333333314
      mttrDays: 5.83,
      // 7 / 3
      netResolveRate: 2.3333,
    });
    expect(counts.openAtEnd).toBe(
      counts.openAtStart + counts.opened + counts.reopened - counts.fixed - counts.dismissed,
    );
  });

  it('counts nothing for no alerts', () => {
    expect(computeCounts([], W47)).toEqual(ZERO);
  });
});

describe('computeCounts across a DST change (2026-W43, Europe/Berlin, 169 hours)', () => {
  // Created Monday 00:30 in Berlin (still Sunday 22:30 in UTC), fixed Sunday 23:30 CET.
  const h = history('dependabot', '2026-10-18T22:30:00Z', [['2026-10-25T22:30:00Z', 'fixed']]);

  it('counts the alert as opened and fixed in the Berlin week', () => {
    const berlin = parsePeriodId('2026-W43', 'Europe/Berlin');
    expect(computeCounts([h], berlin)).toEqual({
      ...ZERO,
      opened: 1,
      fixed: 1,
      mttrDays: 7,
      netResolveRate: 1,
    });
  });

  it('splits it over two UTC weeks', () => {
    expect(computeCounts([h], parsePeriodId('2026-W42'))).toEqual({
      ...ZERO,
      opened: 1,
      openAtEnd: 1,
      netResolveRate: 0,
    });
    expect(computeCounts([h], parsePeriodId('2026-W43'))).toEqual({
      ...ZERO,
      openAtStart: 1,
      fixed: 1,
      mttrDays: 7,
    });
  });
});

describe('false positives and MTTR', () => {
  it.each([
    ['dependabot', 'inaccurate', null],
    ['dependabot', 'tolerable_risk', 4],
    ['code_scanning', 'false positive', null],
    ['code_scanning', "won't fix", 4],
    ['secret_scanning', 'false_positive', null],
    ['secret_scanning', 'wont_fix', 4],
  ] as const)('%s dismissed as %j: mttrDays %j', (type, reason, mttr) => {
    const h = history(type, '2026-11-14T00:00:00Z', [['2026-11-18T00:00:00Z', 'dismissed', reason]]);
    expect(computeCounts([h], W47)).toEqual({ ...ZERO, openAtStart: 1, dismissed: 1, mttrDays: mttr });
  });

  it("falls back to the alert's own reason when the dismissal transition has none", () => {
    const h = history('dependabot', '2026-11-14T00:00:00Z', [['2026-11-18T00:00:00Z', 'dismissed']]);
    const withReason: AlertHistory = { ...h, alert: { ...h.alert, reason: 'inaccurate' } };
    expect(computeCounts([withReason], W47).mttrDays).toBeNull();
    expect(computeCounts([h], W47).mttrDays).toBe(4);
  });

  it('dates a fix followed by a dismissal from the fix', () => {
    const h = history('code_scanning', '2026-11-14T00:00:00Z', [
      ['2026-11-16T00:00:00Z', 'fixed'],
      ['2026-11-18T00:00:00Z', 'dismissed', 'used in tests'],
    ]);
    expect(computeCounts([h], W47)).toEqual({ ...ZERO, openAtStart: 1, dismissed: 1, mttrDays: 2 });
  });
});

describe('alertStateAt', () => {
  it('uses createdAt for existence and the first known from when the history starts late', () => {
    const alert = history('dependabot', '2026-10-01T00:00:00Z').alert;
    // The ledger started after the alert was dismissed; all it saw was a reopen.
    const timeline: Transition[] = [
      {
        alertType: 'dependabot',
        repository: 'acme/api',
        number: alert.number,
        from: 'dismissed',
        to: 'open',
        at: '2026-11-18T00:00:00Z',
        actor: null,
        reason: null,
        comment: null,
        source: 'snapshot',
      },
    ];
    const h = { alert, timeline };
    expect(alertStateAt(h, '2026-10-01T00:00:00Z')).toBe('absent');
    expect(alertStateAt(h, '2026-11-16T00:00:00Z')).toBe('dismissed');
    expect(alertStateAt(h, '2026-11-23T00:00:00Z')).toBe('open');
    expect(computeCounts([h], W47)).toEqual({ ...ZERO, openAtEnd: 1, reopened: 1 });
  });

  it('takes an alert without transitions as open since its creation', () => {
    const h = { ...history('dependabot', '2026-10-01T00:00:00Z'), timeline: [] };
    expect(alertStateAt(h, '2026-10-01T00:00:00.001Z')).toBe('open');
  });
});

describe('roundTo', () => {
  it.each([
    [1.005, 2, 1.01],
    [5.833333, 2, 5.83],
    [2 / 3, 4, 0.6667],
    [0.00005, 4, 0.0001],
    [3, 2, 3],
  ])('roundTo(%d, %d) = %d', (value, decimals, rounded) => {
    expect(roundTo(value, decimals)).toBe(rounded);
  });
});

describe('computeCounts properties', () => {
  const base = Date.parse('2026-11-01T00:00:00Z');
  const DAY = 86_400_000;
  const iso = (ms: number) => new Date(ms).toISOString();

  // A random alert: created somewhere in 60 days, then random changes (repeats and stray states
  // included), observed by random sources, sometimes without the creation transition.
  const historyArb = fc
    .record({
      alertType: fc.constantFrom<AlertType>('dependabot', 'secret_scanning', 'code_scanning'),
      createdMs: fc.integer({ min: 0, max: 60 * DAY }),
      startsLate: fc.boolean(),
      steps: fc.array(
        fc.record({
          afterMs: fc.integer({ min: 0, max: 10 * DAY }),
          to: fc.constantFrom(...ALERT_STATES),
          reason: fc.constantFrom(null, 'inaccurate', 'false positive', 'false_positive', 'tolerable_risk'),
          source: fc.constantFrom('snapshot', 'webhook', 'audit_log' as const),
        }),
        { maxLength: 6 },
      ),
    })
    .map(({ alertType, createdMs, startsLate, steps }): AlertHistory => {
      const key = { alertType, repository: 'acme/api', number: 1 };
      const transitions: Transition[] = startsLate
        ? []
        : [
            {
              ...key,
              from: null,
              to: 'open',
              at: iso(base + createdMs),
              actor: null,
              reason: null,
              comment: null,
              source: 'snapshot',
            },
          ];
      let state: AlertState = 'open';
      let at = base + createdMs;
      for (const step of steps) {
        at += step.afterMs;
        transitions.push({
          ...key,
          from: state,
          to: step.to,
          at: iso(at),
          actor: null,
          reason: step.reason,
          comment: null,
          source: step.source,
        });
        state = step.to;
      }
      const alert: Alert = {
        ...key,
        state,
        severity: 'low',
        title: 't',
        ruleId: 'r',
        htmlUrl: 'https://github.com/acme/api',
        createdAt: iso(base + createdMs),
        updatedAt: iso(at),
        closedAt: state === 'open' ? null : iso(at),
        closedBy: null,
        reason: null,
        comment: null,
      };
      return { alert, timeline: buildTimeline(transitions) };
    });

  const periodArb = fc
    .record({
      startMs: fc.integer({ min: -10 * DAY, max: 80 * DAY }),
      lengthMs: fc.integer({ min: 1, max: 40 * DAY }),
    })
    .map(
      ({ startMs, lengthMs }): Period => ({
        id: 'random',
        kind: 'week',
        start: iso(base + startMs),
        end: iso(base + startMs + lengthMs),
      }),
    );

  it('always adds up: openAtEnd = openAtStart + opened + reopened - fixed - dismissed, nothing negative', () => {
    fc.assert(
      fc.property(fc.array(historyArb, { maxLength: 12 }), periodArb, (histories, period) => {
        const c = computeCounts(histories, period);
        expect(c.openAtEnd).toBe(c.openAtStart + c.opened + c.reopened - c.fixed - c.dismissed);
        for (const n of [c.openAtStart, c.openAtEnd, c.opened, c.fixed, c.dismissed, c.reopened]) {
          expect(n).toBeGreaterThanOrEqual(0);
        }
        expect(c.mttrDays === null || c.mttrDays >= 0).toBe(true);
        expect(c.netResolveRate === null ? c.opened === 0 : c.opened > 0 && c.netResolveRate >= 0).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('is the sum of the per-type counts', () => {
    fc.assert(
      fc.property(fc.array(historyArb, { maxLength: 12 }), periodArb, (histories, period) => {
        const total = computeCounts(histories, period);
        const parts = (['dependabot', 'secret_scanning', 'code_scanning'] as const).map((t) =>
          computeCounts(
            histories.filter((h) => h.alert.alertType === t),
            period,
          ),
        );
        for (const k of ['openAtStart', 'openAtEnd', 'opened', 'fixed', 'dismissed', 'reopened'] as const) {
          expect(total[k]).toBe(parts.reduce((sum, p) => sum + p[k], 0));
        }
      }),
      { numRuns: 300 },
    );
  });
});
