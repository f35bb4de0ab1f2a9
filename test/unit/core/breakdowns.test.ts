import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  countsByRepository,
  countsBySeverity,
  countsByTeam,
  finerCounts,
  OPEN_AGE_BUCKETS,
  openAge,
  topRepositories,
  topRules,
} from '../../../functions/core/breakdowns.ts';
import { CoreError } from '../../../functions/core/errors.ts';
import { type AlertHistory, computeCounts } from '../../../functions/core/metrics.ts';
import {
  ALERT_STATES,
  ALERT_TYPES,
  type AlertState,
  type AlertType,
  SEVERITIES,
  type Severity,
  type Transition,
} from '../../../functions/core/model.ts';
import { type Period, parsePeriodId } from '../../../functions/core/periods.ts';
import type { Counts, OpenAge } from '../../../functions/core/report-model.ts';
import { buildTimeline } from '../../../functions/core/timeline.ts';
import { makeAlert } from '../../support/alerts.ts';

// 2026-W47: [2026-11-16T00:00:00Z, 2026-11-23T00:00:00Z)
const W47 = parsePeriodId('2026-W47');

/** [at, new state, reason] after creation; `from` follows from the previous row. */
type Event = [at: string, to: AlertState, reason?: string];

interface Spec {
  type?: AlertType;
  repo?: string;
  severity?: Severity;
  ruleId?: string;
  title?: string;
  created: string;
  events?: Event[];
  /** The alert's own (current) reason; default: the reason of the last event when it closed the alert. */
  ownReason?: string | null;
}

let nextNumber = 1;

/**
 * An alert created open at `created` with the given changes, as the ledger holds it: a snapshot
 * transition for the creation, a webhook transition per change, and the alert in its current state
 * (the state after the last event, even one after the period).
 */
function history(spec: Spec): AlertHistory {
  const number = nextNumber++;
  const key = { alertType: spec.type ?? 'dependabot', repository: spec.repo ?? 'acme/api', number };
  const transitions: Transition[] = [
    {
      ...key,
      from: null,
      to: 'open',
      at: spec.created,
      actor: null,
      reason: null,
      comment: null,
      source: 'snapshot',
    },
  ];
  let state: AlertState = 'open';
  for (const [at, to, reason] of spec.events ?? []) {
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
  const last = spec.events?.at(-1);
  const alert = makeAlert({
    ...key,
    state,
    severity: spec.severity ?? 'high',
    ruleId: spec.ruleId ?? 'GHSA-p6mc-m468-83gw',
    title: spec.title ?? 'Prototype pollution in lodash',
    htmlUrl: `https://github.com/${key.repository}/security/${number}`,
    createdAt: spec.created,
    updatedAt: last?.[0] ?? spec.created,
    closedAt: state === 'open' ? null : (last?.[0] ?? null),
    closedBy: state === 'open' ? null : 'mona',
    reason: spec.ownReason !== undefined ? spec.ownReason : state === 'open' ? null : (last?.[2] ?? null),
  });
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

const FIGURES = ['openAtStart', 'openAtEnd', 'opened', 'fixed', 'dismissed', 'reopened'] as const;
type Figures = Pick<Counts, (typeof FIGURES)[number]>;

function figures(c: Counts): Figures {
  return {
    openAtStart: c.openAtStart,
    openAtEnd: c.openAtEnd,
    opened: c.opened,
    fixed: c.fixed,
    dismissed: c.dismissed,
    reopened: c.reopened,
  };
}

const NO_FIGURES: Figures = figures(ZERO);

/**
 * The finer figures, one alert per row. `counts`: what `computeCounts` gives the alert alone
 * (figures not named are 0); `reopens`: reopenEvents; `openedAndClosed`; `dismissedAs`: the reason it
 * is counted under in dismissedByReason (null: not counted in `dismissed`).
 */
const FINER: {
  name: string;
  h: AlertHistory;
  counts: Partial<Figures>;
  reopens: number;
  openedAndClosed: number;
  dismissedAs: string | null;
}[] = [
  {
    name: 'dismissed before, reopened within the period',
    h: history({
      created: '2026-11-01T00:00:00Z',
      events: [
        ['2026-11-05T00:00:00Z', 'dismissed', 'tolerable_risk'],
        ['2026-11-18T00:00:00Z', 'open'],
      ],
    }),
    counts: { openAtEnd: 1, reopened: 1 },
    reopens: 1,
    openedAndClosed: 0,
    dismissedAs: null,
  },
  {
    name: 'fixed, reopened, fixed again within the period: one reopen, counted once in fixed',
    h: history({
      created: '2026-11-10T00:00:00Z',
      events: [
        ['2026-11-17T10:00:00Z', 'fixed'],
        ['2026-11-18T10:00:00Z', 'open'],
        ['2026-11-20T12:00:00Z', 'fixed'],
      ],
    }),
    counts: { openAtStart: 1, fixed: 1 },
    reopens: 1,
    openedAndClosed: 0,
    dismissedAs: null,
  },
  {
    name: 'dismissed before, reopened, dismissed, reopened within: two reopen events, one reopened',
    h: history({
      created: '2026-11-01T00:00:00Z',
      events: [
        ['2026-11-05T00:00:00Z', 'dismissed', 'tolerable_risk'],
        ['2026-11-17T00:00:00Z', 'open'],
        ['2026-11-18T00:00:00Z', 'dismissed', 'tolerable_risk'],
        ['2026-11-19T00:00:00Z', 'open'],
      ],
    }),
    counts: { openAtEnd: 1, reopened: 1 },
    reopens: 2,
    openedAndClosed: 0,
    dismissedAs: null,
  },
  {
    name: 'fixed before, reopened and fixed again within: a reopen event, no net movement',
    h: history({
      created: '2026-10-01T00:00:00Z',
      events: [
        ['2026-10-10T00:00:00Z', 'fixed'],
        ['2026-11-17T00:00:00Z', 'open'],
        ['2026-11-19T00:00:00Z', 'fixed'],
      ],
    }),
    counts: {},
    reopens: 1,
    openedAndClosed: 0,
    dismissedAs: null,
  },
  {
    name: 'code scanning false positive',
    h: history({
      type: 'code_scanning',
      created: '2026-11-02T00:00:00Z',
      events: [['2026-11-19T00:00:00Z', 'dismissed', 'false positive']],
    }),
    counts: { openAtStart: 1, dismissed: 1 },
    reopens: 0,
    openedAndClosed: 0,
    dismissedAs: 'false positive',
  },
  {
    name: 'Dependabot auto-dismissal',
    h: history({
      created: '2026-11-12T00:00:00Z',
      events: [['2026-11-17T00:00:00Z', 'dismissed', 'auto_dismissed']],
    }),
    counts: { openAtStart: 1, dismissed: 1 },
    reopens: 0,
    openedAndClosed: 0,
    dismissedAs: 'auto_dismissed',
  },
  {
    name: 'secret revoked: fixed, no dismissal reason',
    h: history({
      type: 'secret_scanning',
      created: '2026-11-15T12:00:00Z',
      events: [['2026-11-16T12:00:00Z', 'fixed', 'revoked']],
    }),
    counts: { openAtStart: 1, fixed: 1 },
    reopens: 0,
    openedAndClosed: 0,
    dismissedAs: null,
  },
  {
    name: 'secret resolved as used_in_tests, created and closed in the period',
    h: history({
      type: 'secret_scanning',
      created: '2026-11-16T06:00:00Z',
      events: [['2026-11-16T18:00:00Z', 'dismissed', 'used_in_tests']],
    }),
    counts: { opened: 1, dismissed: 1 },
    reopens: 0,
    openedAndClosed: 1,
    dismissedAs: 'used_in_tests',
  },
  {
    name: 'created before the period, fixed in it',
    h: history({ created: '2026-11-01T00:00:00Z', events: [['2026-11-18T00:00:00Z', 'fixed']] }),
    counts: { openAtStart: 1, fixed: 1 },
    reopens: 0,
    openedAndClosed: 0,
    dismissedAs: null,
  },
  {
    name: 'created in the period, fixed at 2026-11-22T23:59:59Z: in the week',
    h: history({ created: '2026-11-20T00:00:00Z', events: [['2026-11-22T23:59:59Z', 'fixed']] }),
    counts: { opened: 1, fixed: 1 },
    reopens: 0,
    openedAndClosed: 1,
    dismissedAs: null,
  },
  {
    name: 'created in the period, fixed at 2026-11-23T00:00:00Z: next week, open at the end',
    h: history({ created: '2026-11-20T00:00:00Z', events: [['2026-11-23T00:00:00Z', 'fixed']] }),
    counts: { opened: 1, openAtEnd: 1 },
    reopens: 0,
    openedAndClosed: 0,
    dismissedAs: null,
  },
  {
    name: 'created exactly at the start, still open',
    h: history({ created: '2026-11-16T00:00:00Z' }),
    counts: { opened: 1, openAtEnd: 1 },
    reopens: 0,
    openedAndClosed: 0,
    dismissedAs: null,
  },
  {
    name: 'created exactly at the end: not yet there',
    h: history({ created: '2026-11-23T00:00:00Z' }),
    counts: {},
    reopens: 0,
    openedAndClosed: 0,
    dismissedAs: null,
  },
  {
    name: 'reopened exactly at the end: next week',
    h: history({
      created: '2026-11-01T00:00:00Z',
      events: [
        ['2026-11-05T00:00:00Z', 'fixed'],
        ['2026-11-23T00:00:00Z', 'open'],
      ],
    }),
    counts: {},
    reopens: 0,
    openedAndClosed: 0,
    dismissedAs: null,
  },
  {
    name: 'dismissed exactly at the start: in the period',
    h: history({
      created: '2026-11-01T00:00:00Z',
      events: [['2026-11-16T00:00:00Z', 'dismissed', 'tolerable_risk']],
    }),
    counts: { openAtStart: 1, dismissed: 1 },
    reopens: 0,
    openedAndClosed: 0,
    dismissedAs: 'tolerable_risk',
  },
  {
    name: "dismissal without a reason: the alert's own reason",
    h: history({
      created: '2026-11-02T00:00:00Z',
      events: [['2026-11-18T00:00:00Z', 'dismissed']],
      ownReason: 'inaccurate',
    }),
    counts: { openAtStart: 1, dismissed: 1 },
    reopens: 0,
    openedAndClosed: 0,
    dismissedAs: 'inaccurate',
  },
  {
    name: 'dismissal without a reason anywhere: unknown',
    h: history({
      created: '2026-11-02T00:00:00Z',
      events: [['2026-11-18T00:00:00Z', 'dismissed']],
      ownReason: null,
    }),
    counts: { openAtStart: 1, dismissed: 1 },
    reopens: 0,
    openedAndClosed: 0,
    dismissedAs: 'unknown',
  },
  {
    name: "dismissed without a reason, dismissed again after the end: unknown (the alert's reason is the later one's)",
    h: history({
      created: '2026-11-02T00:00:00Z',
      events: [
        ['2026-11-18T00:00:00Z', 'dismissed'],
        ['2026-11-25T00:00:00Z', 'open'],
        ['2026-11-26T00:00:00Z', 'dismissed', 'tolerable_risk'],
      ],
    }),
    counts: { openAtStart: 1, dismissed: 1 },
    reopens: 0,
    openedAndClosed: 0,
    dismissedAs: 'unknown',
  },
  {
    name: 'code scanning fixed, then dismissed within: dismissed as used in tests',
    h: history({
      type: 'code_scanning',
      created: '2026-11-14T00:00:00Z',
      events: [
        ['2026-11-16T00:00:00Z', 'fixed'],
        ['2026-11-18T00:00:00Z', 'dismissed', 'used in tests'],
      ],
    }),
    counts: { openAtStart: 1, dismissed: 1 },
    reopens: 0,
    openedAndClosed: 0,
    dismissedAs: 'used in tests',
  },
  {
    name: 'created, dismissed and reopened within the period: open at the end',
    h: history({
      created: '2026-11-17T00:00:00Z',
      events: [
        ['2026-11-18T00:00:00Z', 'dismissed', 'tolerable_risk'],
        ['2026-11-19T00:00:00Z', 'open'],
      ],
    }),
    counts: { opened: 1, openAtEnd: 1 },
    reopens: 1,
    openedAndClosed: 0,
    dismissedAs: null,
  },
];

describe('finerCounts, case by case (2026-W47)', () => {
  it.each(FINER)('$name', ({ h, counts, reopens, openedAndClosed, dismissedAs }) => {
    expect(figures(computeCounts([h], W47))).toEqual({ ...NO_FIGURES, ...counts });
    expect(finerCounts([h], W47)).toEqual({
      reopenEvents: reopens,
      openedAndClosed,
      dismissedByReason: dismissedAs === null ? [] : [{ reason: dismissedAs, count: 1 }],
    });
  });
});

describe('finerCounts, all cases together', () => {
  const all = FINER.map((c) => c.h);

  it('adds up the rows', () => {
    const counts = computeCounts(all, W47);
    expect(figures(counts)).toEqual({
      openAtStart: 10,
      openAtEnd: 5,
      opened: 5,
      fixed: 4,
      dismissed: 8,
      reopened: 2,
    });
    expect(finerCounts(all, W47)).toEqual({
      reopenEvents: 6,
      openedAndClosed: 2,
      // Most first, then by reason in code-unit order (' ' before '_').
      dismissedByReason: [
        { reason: 'unknown', count: 2 },
        { reason: 'auto_dismissed', count: 1 },
        { reason: 'false positive', count: 1 },
        { reason: 'inaccurate', count: 1 },
        { reason: 'tolerable_risk', count: 1 },
        { reason: 'used in tests', count: 1 },
        { reason: 'used_in_tests', count: 1 },
      ],
    });
  });

  it('ages the five alerts open at the end: 22, 22, 3, 7 and 6 days', () => {
    expect(openAge(all, W47)).toEqual({
      count: 5,
      meanDays: 12, // 60 / 5
      medianDays: 7, // 3, 6, [7], 22, 22
      oldestDays: 22,
      buckets: buckets([2, 3, 0, 0, 0]),
    });
  });

  it('does not depend on the order of the alerts', () => {
    expect(finerCounts([...all].reverse(), W47)).toEqual(finerCounts(all, W47));
  });
});

function buckets(counts: [number, number, number, number, number]): OpenAge['buckets'] {
  return OPEN_AGE_BUCKETS.map((b, i) => ({ ...b, count: counts[i] ?? 0 }));
}

/** Open at the end of W47 (2026-11-23T00:00:00Z), created at `created`: its age and bucket. */
const AGES: { created: string; days: number; bucket: string }[] = [
  { created: '2026-11-22T12:00:00Z', days: 0.5, bucket: '< 7 days' },
  { created: '2026-11-16T00:00:01Z', days: 7 - 1 / 86_400, bucket: '< 7 days' },
  { created: '2026-11-16T00:00:00Z', days: 7, bucket: '7–29 days' },
  { created: '2026-10-24T00:00:01Z', days: 30 - 1 / 86_400, bucket: '7–29 days' },
  { created: '2026-10-24T00:00:00Z', days: 30, bucket: '30–89 days' },
  { created: '2026-08-25T00:00:00Z', days: 90, bucket: '90–179 days' },
  { created: '2026-05-27T00:00:01Z', days: 180 - 1 / 86_400, bucket: '90–179 days' },
  { created: '2026-05-27T00:00:00Z', days: 180, bucket: '180 days or more' },
];

describe('openAge, bucket edges (end 2026-11-23T00:00:00Z)', () => {
  it.each(AGES)('created $created: $days days, in "$bucket"', ({ created, days, bucket }) => {
    const age = openAge([history({ created })], W47);
    expect(age.count).toBe(1);
    expect(age.oldestDays).toBe(Math.round(days * 10) / 10);
    expect(age.meanDays).toBe(age.oldestDays);
    expect(age.medianDays).toBe(age.oldestDays);
    expect(age.buckets.filter((b) => b.count > 0).map((b) => [b.label, b.count])).toEqual([[bucket, 1]]);
  });

  it('takes them all together (8 alerts: the median is the mean of the 4th and 5th)', () => {
    expect(
      openAge(
        AGES.map(({ created }) => history({ created })),
        W47,
      ),
    ).toEqual({
      count: 8,
      // (0.5 + 7 + 7 + 30 + 30 + 90 + 180 + 180 - 3 s) / 8 = 65.56249...
      meanDays: 65.6,
      // (29.99998843 + 30) / 2 = 29.99999421
      medianDays: 30,
      oldestDays: 180,
      buckets: buckets([2, 2, 1, 2, 1]),
    });
  });
});

describe('openAge, an even count', () => {
  const histories = [
    history({ created: '2026-11-21T00:00:00Z' }), // 2 days
    history({ created: '2026-11-18T00:00:00Z' }), // 5 days
    history({ created: '2026-11-13T00:00:00Z' }), // 10 days
    history({ created: '2026-10-14T00:00:00Z' }), // 40 days
    history({ created: '2026-10-01T00:00:00Z', events: [['2026-11-20T00:00:00Z', 'fixed']] }), // closed
    history({ created: '2026-11-23T00:00:00Z' }), // not yet created
  ];

  it('gives the mean of the two middle ages as the median', () => {
    expect(openAge(histories, W47)).toEqual({
      count: 4,
      meanDays: 14.3, // 57 / 4 = 14.25, rounded half away from zero
      medianDays: 7.5, // (5 + 10) / 2
      oldestDays: 40,
      buckets: buckets([2, 1, 1, 0, 0]),
    });
  });

  it('gives nulls when nothing is open', () => {
    expect(openAge([], W47)).toEqual({
      count: 0,
      meanDays: null,
      medianDays: null,
      oldestDays: null,
      buckets: buckets([0, 0, 0, 0, 0]),
    });
  });
});

/**
 * Repositories, teams and severities: one alert per row, and what it contributes in W47.
 * (Alert #3's repository is spelt 'Acme/Billing' by GitHub; the configuration says 'acme/billing'.)
 */
const ORG: { repo: string; severity: Severity; h: AlertHistory; contributes: string }[] = [
  {
    repo: 'acme/payments-api',
    severity: 'critical',
    h: history({ repo: 'acme/payments-api', severity: 'critical', created: '2026-10-01T00:00:00Z' }),
    contributes: 'openAtStart, openAtEnd',
  },
  {
    repo: 'acme/payments-api',
    severity: 'high',
    h: history({ repo: 'acme/payments-api', severity: 'high', created: '2026-11-17T00:00:00Z' }),
    contributes: 'opened, openAtEnd',
  },
  {
    repo: 'Acme/Billing',
    severity: 'medium',
    h: history({
      repo: 'Acme/Billing',
      severity: 'medium',
      created: '2026-11-01T00:00:00Z',
      events: [['2026-11-18T00:00:00Z', 'fixed']],
    }),
    contributes: 'openAtStart, fixed (17 days)',
  },
  {
    repo: 'acme/web',
    severity: 'low',
    h: history({
      repo: 'acme/web',
      severity: 'low',
      created: '2026-10-01T00:00:00Z',
      events: [['2026-10-05T00:00:00Z', 'fixed']],
    }),
    contributes: 'nothing (fixed before)',
  },
  {
    repo: 'acme/docs',
    severity: 'high',
    h: history({ repo: 'acme/docs', severity: 'high', created: '2026-11-01T00:00:00Z' }),
    contributes: 'openAtStart, openAtEnd',
  },
  {
    repo: 'acme/api',
    severity: 'high',
    h: history({ repo: 'acme/api', severity: 'high', created: '2026-11-18T00:00:00Z' }),
    contributes: 'opened, openAtEnd',
  },
  {
    repo: 'acme/cli',
    severity: 'low',
    h: history({ repo: 'acme/cli', severity: 'low', created: '2026-10-01T00:00:00Z' }),
    contributes: 'openAtStart, openAtEnd',
  },
];
const ORG_HISTORIES = ORG.map((r) => r.h);

describe('countsBySeverity', () => {
  it('splits the counts by severity, all four present', () => {
    expect(countsBySeverity(ORG_HISTORIES, W47)).toEqual({
      critical: { ...ZERO, openAtStart: 1, openAtEnd: 1 }, // #1
      high: { ...ZERO, openAtStart: 1, openAtEnd: 3, opened: 2, netResolveRate: 0 }, // #2, #5, #6
      medium: { ...ZERO, openAtStart: 1, fixed: 1, mttrDays: 17 }, // #3
      low: { ...ZERO, openAtStart: 1, openAtEnd: 1 }, // #4 (nothing), #7
    });
  });

  it('gives four zero rows for no alerts', () => {
    expect(countsBySeverity([], W47)).toEqual({ critical: ZERO, high: ZERO, medium: ZERO, low: ZERO });
  });
});

describe('countsByRepository', () => {
  it('leaves out acme/web (all zero) and sorts by openAtEnd, then opened, then name', () => {
    expect(countsByRepository(ORG_HISTORIES, W47)).toEqual([
      {
        repository: 'acme/payments-api',
        counts: { ...ZERO, openAtStart: 1, openAtEnd: 2, opened: 1, netResolveRate: 0 },
      },
      { repository: 'acme/api', counts: { ...ZERO, openAtEnd: 1, opened: 1, netResolveRate: 0 } },
      { repository: 'acme/cli', counts: { ...ZERO, openAtStart: 1, openAtEnd: 1 } },
      { repository: 'acme/docs', counts: { ...ZERO, openAtStart: 1, openAtEnd: 1 } },
      { repository: 'Acme/Billing', counts: { ...ZERO, openAtStart: 1, fixed: 1, mttrDays: 17 } },
    ]);
  });

  it('does not depend on the order of the alerts', () => {
    expect(countsByRepository([...ORG_HISTORIES].reverse(), W47)).toEqual(
      countsByRepository(ORG_HISTORIES, W47),
    );
  });
});

describe('countsByTeam', () => {
  const TEAMS = {
    web: ['acme/WEB'],
    platform: ['ACME/Payments-API', 'acme/billing'],
    docs: ['acme/docs', 'ACME/DOCS'],
    ghost: ['acme/nothing-here'],
  };

  /** Team, its repositories as listed, and the alerts (by ORG row) that fall in it. */
  const EXPECTED: { team: string; repositories: string[]; rows: string; counts: Counts }[] = [
    {
      team: 'docs',
      repositories: ['ACME/DOCS'],
      rows: '#5',
      counts: { ...ZERO, openAtStart: 1, openAtEnd: 1 },
    },
    { team: 'ghost', repositories: ['acme/nothing-here'], rows: 'none', counts: ZERO },
    {
      team: 'platform',
      repositories: ['ACME/Payments-API', 'acme/billing'],
      rows: '#1, #2, #3',
      counts: { ...ZERO, openAtStart: 2, openAtEnd: 2, opened: 1, fixed: 1, mttrDays: 17, netResolveRate: 1 },
    },
    { team: 'web', repositories: ['acme/WEB'], rows: '#4 (nothing to count)', counts: ZERO },
  ];

  it('matches repositories case-insensitively, lists every team by name, each team once', () => {
    expect(countsByTeam(ORG_HISTORIES, W47, TEAMS)).toEqual(
      EXPECTED.map(({ team, repositories, counts }) => ({ team, repositories, counts })),
    );
  });

  it('lists configured teams even without alerts, and nothing without teams', () => {
    expect(countsByTeam([], W47, { b: [], a: ['x/y'] })).toEqual([
      { team: 'a', repositories: ['x/y'], counts: ZERO },
      { team: 'b', repositories: [], counts: ZERO },
    ]);
    expect(countsByTeam(ORG_HISTORIES, W47, {})).toEqual([]);
  });
});

describe('topRepositories', () => {
  it('ranks by alerts open at the end, ties by name, with all four severities', () => {
    expect(topRepositories(ORG_HISTORIES, W47)).toEqual([
      { repository: 'acme/payments-api', open: 2, bySeverity: { critical: 1, high: 1, medium: 0, low: 0 } },
      { repository: 'acme/api', open: 1, bySeverity: { critical: 0, high: 1, medium: 0, low: 0 } },
      { repository: 'acme/cli', open: 1, bySeverity: { critical: 0, high: 0, medium: 0, low: 1 } },
      { repository: 'acme/docs', open: 1, bySeverity: { critical: 0, high: 1, medium: 0, low: 0 } },
    ]);
  });

  it('keeps at most `limit` rows', () => {
    expect(topRepositories(ORG_HISTORIES, W47, 2).map((r) => r.repository)).toEqual([
      'acme/payments-api',
      'acme/api',
    ]);
    expect(topRepositories(ORG_HISTORIES, W47, 0)).toEqual([]);
  });

  it.each([-1, 1.5, Number.NaN])('refuses limit %d', (limit) => {
    expect(() => topRepositories(ORG_HISTORIES, W47, limit)).toThrow(CoreError);
    expect(() => topRules(ORG_HISTORIES, W47, limit)).toThrow(CoreError);
  });
});

/** Rules: one alert per row, with its state at the end of W47. */
const RULES: { h: AlertHistory; openAtEnd: boolean }[] = [
  {
    h: history({
      ruleId: 'GHSA-aaaa',
      title: 'lodash: prototype pollution',
      created: '2026-11-01T00:00:00Z',
    }),
    openAtEnd: true,
  },
  {
    h: history({
      ruleId: 'GHSA-aaaa',
      title: 'Prototype pollution in lodash',
      created: '2026-11-02T00:00:00Z',
    }),
    openAtEnd: true,
  },
  {
    h: history({ ruleId: 'GHSA-bbbb', title: 'ReDoS in minimatch', created: '2026-11-03T00:00:00Z' }),
    openAtEnd: true,
  },
  {
    h: history({
      type: 'code_scanning',
      ruleId: 'js/sql-injection',
      title: 'Database query built from user-controlled sources',
      created: '2026-11-04T00:00:00Z',
    }),
    openAtEnd: true,
  },
  {
    h: history({
      type: 'code_scanning',
      repo: 'acme/web',
      ruleId: 'js/sql-injection',
      title: 'Database query built from user-controlled sources',
      created: '2026-11-05T00:00:00Z',
    }),
    openAtEnd: true,
  },
  {
    h: history({
      type: 'secret_scanning',
      ruleId: 'github_personal_access_token',
      title: 'GitHub Personal Access Token',
      created: '2026-11-06T00:00:00Z',
    }),
    openAtEnd: true,
  },
  {
    h: history({
      type: 'secret_scanning',
      ruleId: 'github_personal_access_token',
      title: 'GitHub Personal Access Token',
      created: '2026-11-07T00:00:00Z',
      events: [['2026-11-17T00:00:00Z', 'fixed', 'revoked']],
    }),
    openAtEnd: false,
  },
  {
    h: history({
      type: 'secret_scanning',
      ruleId: 'aws_access_key_id',
      title: 'Amazon AWS Access Key ID',
      created: '2026-11-08T00:00:00Z',
    }),
    openAtEnd: true,
  },
];

describe('topRules', () => {
  const expected = [
    // Two each: ties by alert type ('code_scanning' before 'dependabot').
    {
      alertType: 'code_scanning',
      ruleId: 'js/sql-injection',
      title: 'Database query built from user-controlled sources',
      open: 2,
    },
    // The smallest title in code-unit order ('P' before 'l').
    { alertType: 'dependabot', ruleId: 'GHSA-aaaa', title: 'Prototype pollution in lodash', open: 2 },
    // One each: by alert type, then rule id. The revoked token is not open.
    { alertType: 'dependabot', ruleId: 'GHSA-bbbb', title: 'ReDoS in minimatch', open: 1 },
    { alertType: 'secret_scanning', ruleId: 'aws_access_key_id', title: 'Amazon AWS Access Key ID', open: 1 },
    {
      alertType: 'secret_scanning',
      ruleId: 'github_personal_access_token',
      title: 'GitHub Personal Access Token',
      open: 1,
    },
  ];

  it('ranks rules by alerts open at the end', () => {
    const histories = RULES.map((r) => r.h);
    expect(computeCounts(histories, W47).openAtEnd).toBe(RULES.filter((r) => r.openAtEnd).length);
    expect(topRules(histories, W47)).toEqual(expected);
    expect(topRules([...histories].reverse(), W47)).toEqual(expected);
    expect(topRules(histories, W47, 3)).toEqual(expected.slice(0, 3));
  });
});

describe('breakdown properties', () => {
  const base = Date.parse('2026-11-01T00:00:00Z');
  const DAY = 86_400_000;
  const iso = (ms: number) => new Date(ms).toISOString();
  // Case variants of the same repository on purpose: GitHub's names are case-insensitive.
  const REPOS = ['acme/api', 'Acme/API', 'acme/web', 'other/x'];
  const TEAMS = {
    a: ['ACME/api'],
    b: ['acme/web', 'other/X', 'other/x'],
    c: [],
    d: ['acme/api', 'acme/WEB'],
  };

  // A random alert: created somewhere in 60 days, then random changes (repeats and stray states
  // included), sometimes without the creation transition; numbered once the array is drawn.
  const specArb = fc.record({
    alertType: fc.constantFrom(...ALERT_TYPES),
    repository: fc.constantFrom(...REPOS),
    severity: fc.constantFrom(...SEVERITIES),
    ruleId: fc.constantFrom('r1', 'r2', 'r3'),
    title: fc.constantFrom('t1', 't2'),
    createdMs: fc.integer({ min: 0, max: 60 * DAY }),
    startsLate: fc.boolean(),
    ownReason: fc.constantFrom(null, 'inaccurate', 'tolerable_risk'),
    steps: fc.array(
      fc.record({
        afterMs: fc.integer({ min: 0, max: 10 * DAY }),
        to: fc.constantFrom(...ALERT_STATES),
        reason: fc.constantFrom(null, 'inaccurate', 'false positive', 'auto_dismissed', 'tolerable_risk'),
        source: fc.constantFrom('snapshot', 'webhook', 'audit_log' as const),
      }),
      { maxLength: 6 },
    ),
  });

  type SpecDraw = typeof specArb extends fc.Arbitrary<infer T> ? T : never;

  function build(s: SpecDraw, number: number): AlertHistory {
    const key = { alertType: s.alertType, repository: s.repository, number };
    const transitions: Transition[] = s.startsLate
      ? []
      : [
          {
            ...key,
            from: null,
            to: 'open',
            at: iso(base + s.createdMs),
            actor: null,
            reason: null,
            comment: null,
            source: 'snapshot',
          },
        ];
    let state: AlertState = 'open';
    let at = base + s.createdMs;
    for (const step of s.steps) {
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
    const alert = makeAlert({
      ...key,
      state,
      severity: s.severity,
      ruleId: s.ruleId,
      title: s.title,
      createdAt: iso(base + s.createdMs),
      updatedAt: iso(at),
      closedAt: state === 'open' ? null : iso(at),
      reason: state === 'dismissed' ? s.ownReason : null,
    });
    return { alert, timeline: buildTimeline(transitions) };
  }

  const historiesArb = fc
    .array(specArb, { maxLength: 14 })
    .map((specs) => specs.map((s, i) => build(s, i + 1)));

  const shuffledArb = historiesArb.chain((hs) =>
    fc.tuple(fc.constant(hs), fc.shuffledSubarray(hs, { minLength: hs.length, maxLength: hs.length })),
  );

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

  function sumOf(parts: readonly Counts[]): Figures {
    const sum = { ...NO_FIGURES };
    for (const p of parts) for (const k of FIGURES) sum[k] += p[k];
    return sum;
  }

  it('severities and repositories add up to the total', () => {
    fc.assert(
      fc.property(historiesArb, periodArb, (histories, period) => {
        const total = figures(computeCounts(histories, period));
        expect(sumOf(Object.values(countsBySeverity(histories, period)))).toEqual(total);
        expect(sumOf(countsByRepository(histories, period).map((r) => r.counts))).toEqual(total);
        // A team owning every repository (in another case) counts everything.
        const [all] = countsByTeam(histories, period, { all: REPOS.map((r) => r.toUpperCase()) });
        expect(all && figures(all.counts)).toEqual(total);
      }),
      { numRuns: 300 },
    );
  });

  it('finer figures and ages agree with computeCounts', () => {
    fc.assert(
      fc.property(historiesArb, periodArb, (histories, period) => {
        const counts = computeCounts(histories, period);
        const finer = finerCounts(histories, period);
        expect(finer.dismissedByReason.reduce((sum, r) => sum + r.count, 0)).toBe(counts.dismissed);
        expect(finer.openedAndClosed).toBeLessThanOrEqual(counts.opened);
        const age = openAge(histories, period);
        expect(age.count).toBe(counts.openAtEnd);
        expect(age.buckets.reduce((sum, b) => sum + b.count, 0)).toBe(age.count);
        const top = topRepositories(histories, period, 1000);
        expect(top.reduce((sum, r) => sum + r.open, 0)).toBe(counts.openAtEnd);
        for (const r of top) {
          expect(SEVERITIES.reduce((sum, s) => sum + r.bySeverity[s], 0)).toBe(r.open);
        }
        expect(topRules(histories, period, 1000).reduce((sum, r) => sum + r.open, 0)).toBe(counts.openAtEnd);
      }),
      { numRuns: 300 },
    );
  });

  it('never gives a negative figure', () => {
    fc.assert(
      fc.property(historiesArb, periodArb, (histories, period) => {
        const counts = [
          ...Object.values(countsBySeverity(histories, period)),
          ...countsByRepository(histories, period).map((r) => r.counts),
          ...countsByTeam(histories, period, TEAMS).map((t) => t.counts),
        ];
        const finer = finerCounts(histories, period);
        const age = openAge(histories, period);
        const numbers: (number | null)[] = [
          ...counts.flatMap((c) => Object.values(c)),
          finer.reopenEvents,
          finer.openedAndClosed,
          ...finer.dismissedByReason.map((r) => r.count),
          age.count,
          age.meanDays,
          age.medianDays,
          age.oldestDays,
          ...age.buckets.map((b) => b.count),
          ...topRepositories(histories, period).flatMap((r) => [r.open, ...Object.values(r.bySeverity)]),
          ...topRules(histories, period).map((r) => r.open),
        ];
        for (const n of numbers) expect(n === null || n >= 0).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('does not depend on the order of the alerts', () => {
    fc.assert(
      fc.property(shuffledArb, periodArb, ([histories, shuffled], period) => {
        const all = (hs: AlertHistory[]) => ({
          severity: countsBySeverity(hs, period),
          repository: countsByRepository(hs, period),
          team: countsByTeam(hs, period, TEAMS),
          finer: finerCounts(hs, period),
          age: openAge(hs, period),
          topRepositories: topRepositories(hs, period, 3),
          topRules: topRules(hs, period, 3),
        });
        expect(all(shuffled)).toEqual(all(histories));
      }),
      { numRuns: 300 },
    );
  });
});
