import { describe, expect, it } from 'vitest';
import type { AlertHistory } from '../../../functions/core/metrics.ts';
import type { Alert, AlertState, AlertType, Severity, Transition } from '../../../functions/core/model.ts';
import { parsePeriodId } from '../../../functions/core/periods.ts';
import { DEFAULT_SLA_POLICY, type SlaPolicy } from '../../../functions/core/report-model.ts';
import { findSlaBreaches, slaDays } from '../../../functions/core/sla.ts';
import { buildTimeline } from '../../../functions/core/timeline.ts';

/** An alert created open at `createdAt`, then the given [at, state] changes. */
function history(
  alertType: AlertType,
  number: number,
  severity: Severity,
  createdAt: string,
  changes: [string, AlertState][] = [],
): AlertHistory {
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
  for (const [at, to] of changes) {
    transitions.push({
      ...key,
      from: state,
      to,
      at,
      actor: null,
      reason: null,
      comment: null,
      source: 'webhook',
    });
    state = to;
  }
  const alert: Alert = {
    ...key,
    state,
    severity,
    title: `${alertType} ${number}`,
    ruleId: 'rule',
    htmlUrl: `https://github.com/acme/api/security/${number}`,
    createdAt,
    updatedAt: createdAt,
    closedAt: null,
    closedBy: null,
    reason: null,
    comment: null,
  };
  return { alert, timeline: buildTimeline(transitions) };
}

// 2026-W47 ends (exclusive) at 2026-11-23T00:00:00Z.
const W47 = parsePeriodId('2026-W47');

describe('slaDays', () => {
  it.each([
    ['dependabot', 'critical', 15],
    ['dependabot', 'high', 30],
    ['code_scanning', 'medium', 90],
    ['code_scanning', 'low', 180],
    // Secrets get 7 days whatever their severity.
    ['secret_scanning', 'critical', 7],
    ['secret_scanning', 'low', 7],
  ] as const)('%s %s: %i days', (alertType, severity, days) => {
    expect(slaDays({ alertType, severity }, DEFAULT_SLA_POLICY)).toBe(days);
  });

  it('follows a configured policy', () => {
    const policy: SlaPolicy = { days: { critical: 2, high: 5, medium: 10, low: 20 }, secretScanningDays: 1 };
    expect(slaDays({ alertType: 'dependabot', severity: 'high' }, policy)).toBe(5);
    expect(slaDays({ alertType: 'secret_scanning', severity: 'high' }, policy)).toBe(1);
  });
});

describe('findSlaBreaches (2026-W47, default policy)', () => {
  // alert                                   created               SLA  due                   overdue at 11-23
  // #1 dependabot critical, open             2026-10-01T00:00Z     15   2026-10-16T00:00Z     38
  // #2 dependabot critical, fixed 11-01,     2026-10-01T00:00Z     15   2026-10-16T00:00Z     38 (open again)
  //    reopened 11-20
  // #3 code scanning medium, open            2026-08-01T00:00Z     90   2026-10-30T00:00Z     24
  // #4 secret (critical), open               2026-11-15T00:00Z      7   2026-11-22T00:00Z      1
  // #5 code scanning high, open              2026-10-23T23:59:59Z  30   2026-11-22T23:59:59Z   0 (1 s late)
  // #6 code scanning high, open              2026-10-24T00:00:00Z  30   2026-11-23T00:00Z     due exactly at end: no breach
  // #7 dependabot low, fixed in the period   2026-01-01T00:00Z    180   2026-06-30T00:00Z     closed: no breach
  // #8 dependabot high, fixed after the end  2026-09-01T00:00Z     30   2026-10-01T00:00Z     53 (open at the end)
  // #9 dependabot critical, created after    2026-11-23T00:00Z     15   -                     not there yet
  const histories = [
    history('dependabot', 1, 'critical', '2026-10-01T00:00:00Z'),
    history('dependabot', 2, 'critical', '2026-10-01T00:00:00Z', [
      ['2026-11-01T00:00:00Z', 'fixed'],
      ['2026-11-20T00:00:00Z', 'open'],
    ]),
    history('code_scanning', 3, 'medium', '2026-08-01T00:00:00Z'),
    history('secret_scanning', 4, 'critical', '2026-11-15T00:00:00Z'),
    history('code_scanning', 5, 'high', '2026-10-23T23:59:59Z'),
    history('code_scanning', 6, 'high', '2026-10-24T00:00:00Z'),
    history('dependabot', 7, 'low', '2026-01-01T00:00:00Z', [['2026-11-18T00:00:00Z', 'fixed']]),
    history('dependabot', 8, 'high', '2026-09-01T00:00:00Z', [['2026-11-25T00:00:00Z', 'fixed']]),
    history('dependabot', 9, 'critical', '2026-11-23T00:00:00Z'),
  ];

  it('lists open, overdue alerts, most overdue first', () => {
    const breaches = findSlaBreaches(histories, W47, DEFAULT_SLA_POLICY);
    expect(
      breaches.map((b) => [b.alertType, b.number, b.severity, b.openedAt, b.dueAt, b.daysOverdue]),
    ).toEqual([
      ['dependabot', 8, 'high', '2026-09-01T00:00:00Z', '2026-10-01T00:00:00Z', 53],
      ['dependabot', 1, 'critical', '2026-10-01T00:00:00Z', '2026-10-16T00:00:00Z', 38],
      ['dependabot', 2, 'critical', '2026-10-01T00:00:00Z', '2026-10-16T00:00:00Z', 38],
      ['code_scanning', 3, 'medium', '2026-08-01T00:00:00Z', '2026-10-30T00:00:00Z', 24],
      ['secret_scanning', 4, 'critical', '2026-11-15T00:00:00Z', '2026-11-22T00:00:00Z', 1],
      ['code_scanning', 5, 'high', '2026-10-23T23:59:59Z', '2026-11-22T23:59:59Z', 0],
    ]);
  });

  it('carries what the report shows', () => {
    const [first] = findSlaBreaches(histories, W47, DEFAULT_SLA_POLICY);
    expect(first).toEqual({
      alertType: 'dependabot',
      repository: 'acme/api',
      number: 8,
      severity: 'high',
      openedAt: '2026-09-01T00:00:00Z',
      dueAt: '2026-10-01T00:00:00Z',
      daysOverdue: 53,
      title: 'dependabot 8',
      htmlUrl: 'https://github.com/acme/api/security/8',
    });
  });

  it('sees fewer breaches at an earlier period end', () => {
    // 2026-W43 ends 2026-10-26T00:00Z: #7 (due 06-30) is still open then, 118 days late; #1 and
    // #2 (due 10-16) are 10 days late, #2 not yet fixed; #3 (due 10-30) is not due yet.
    const breaches = findSlaBreaches(histories, parsePeriodId('2026-W43'), DEFAULT_SLA_POLICY);
    expect(breaches.map((b) => [b.number, b.daysOverdue])).toEqual([
      [7, 118],
      [8, 25],
      [1, 10],
      [2, 10],
    ]);
  });

  it('follows a configured policy', () => {
    const strict: SlaPolicy = { days: { critical: 1, high: 1, medium: 1, low: 1 }, secretScanningDays: 1 };
    const breaches = findSlaBreaches([history('dependabot', 6, 'low', '2026-11-20T12:00:00Z')], W47, strict);
    expect(breaches.map((b) => [b.dueAt, b.daysOverdue])).toEqual([['2026-11-21T12:00:00Z', 1]]);
  });
});
