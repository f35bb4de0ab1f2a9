import { describe, expect, it } from 'vitest';
import {
  type Alert,
  type AlertState,
  type AuditEvent,
  emptyOpenCounts,
  type SnapshotManifest,
  type Transition,
  type TransitionSource,
} from '../../../functions/core/model.ts';
import { lastPeriods, parsePeriodId } from '../../../functions/core/periods.ts';
import {
  auditEventTarget,
  computeReport,
  impliedTransitions,
  periodFigures,
  type ReportInput,
  staleIssuedFigures,
} from '../../../functions/core/report.ts';
import { DEFAULT_SLA_POLICY } from '../../../functions/core/report-model.ts';

// ---------------------------------------------------------------------------------------------
// The scenario: org acme, week 2026-W47 = [2026-11-16T00:00:00Z, 2026-11-23T00:00:00Z), UTC.
//
// alert                      created            what happens                                  W47 figures
// D1 dependabot api#1 crit   11-02 00:00        dismissed 11-17 10:00 (tolerable_risk), seen   openAtStart, dismissed,
//                                               by webhook (mona) + snapshot + audit log       MTTR 15.4167 d
// D2 dependabot web#2 high   11-18 08:00        auto-dismissed 11-19 00:00 (snapshot only;     opened, dismissed,
//                                               audit log names dependabot[bot])               MTTR 0.6667 d
// S3 secret api#3            11-16 09:00        push protection bypass by dev1; revoked        opened, fixed, MTTR 1 d
//                                               (fixed) 11-17 09:00 by sec-lead
// S4 secret web#4            10-20 00:00        resolved used_in_tests (dismissed) 11-20 12:00 openAtStart, dismissed,
//                                                                                              MTTR 31.5 d
// S5 secret web#5            11-21 00:00        push protection bypass (actor from audit log)  opened, openAtEnd
// C6 code scanning api#6 hi  09-01 00:00        fixed 11-10, reopened 11-18 12:00 (snapshot)   reopened, openAtEnd,
//                                                                                              SLA breach 53 d
// C7 code scanning api#7 med 11-16 00:00 exact  fixed 11-22 23:59:59.999                       opened, fixed,
//                                                                                              MTTR 6.99999998843 d
// D8 dependabot api#8 low    10-01 00:00        fixed 11-05, no stored transitions             (trend only)
// ---------------------------------------------------------------------------------------------

function alert(
  a: Pick<Alert, 'alertType' | 'repository' | 'number' | 'severity' | 'createdAt' | 'state'> & Partial<Alert>,
): Alert {
  return {
    title: `${a.alertType} ${a.repository}#${a.number}`,
    ruleId: 'rule',
    htmlUrl: `https://github.com/${a.repository}/security/${a.number}`,
    updatedAt: a.createdAt,
    closedAt: null,
    closedBy: null,
    reason: null,
    comment: null,
    ...a,
  };
}

function tr(
  a: Alert,
  at: string,
  from: AlertState | null,
  to: AlertState,
  source: TransitionSource,
  details: Partial<Pick<Transition, 'actor' | 'reason' | 'comment'>> = {},
): Transition {
  const { alertType, repository, number } = a;
  return {
    alertType,
    repository,
    number,
    from,
    to,
    at,
    source,
    actor: null,
    reason: null,
    comment: null,
    ...details,
  };
}

function audit(
  id: string,
  action: string,
  at: string,
  e: Partial<Omit<AuditEvent, 'id' | 'action' | 'at'>> = {},
): AuditEvent {
  return {
    id,
    action,
    at,
    actor: null,
    repository: null,
    alertNumber: null,
    reason: null,
    secretType: null,
    ...e,
  };
}

function manifest(
  snapshotId: string,
  takenAt: string,
  mode: 'full' | 'incremental',
  complete: boolean,
  failedStream?: { stream: 'code_scanning'; message: string },
): SnapshotManifest {
  return {
    org: 'acme',
    snapshotId,
    takenAt,
    mode,
    complete,
    streams: failedStream
      ? [
          {
            stream: failedStream.stream,
            status: 'failed',
            items: 0,
            pages: 1,
            skipped: 0,
            message: failedStream.message,
          },
        ]
      : [],
    alertsSeen: 8,
    alertsWritten: 1,
    transitionsWritten: 1,
    auditEventsWritten: 0,
    openBySeverity: emptyOpenCounts(),
    openByRepository: {},
  };
}

const D1 = alert({
  alertType: 'dependabot',
  repository: 'acme/api',
  number: 1,
  severity: 'critical',
  createdAt: '2026-11-02T00:00:00Z',
  state: 'dismissed',
  closedAt: '2026-11-17T10:00:00Z',
  reason: 'tolerable_risk',
});
const D2 = alert({
  alertType: 'dependabot',
  repository: 'acme/web',
  number: 2,
  severity: 'high',
  createdAt: '2026-11-18T08:00:00Z',
  state: 'dismissed',
  closedAt: '2026-11-19T00:00:00Z',
  reason: 'auto_dismissed',
});
const S3 = alert({
  alertType: 'secret_scanning',
  repository: 'acme/api',
  number: 3,
  severity: 'critical',
  createdAt: '2026-11-16T09:00:00Z',
  state: 'fixed',
  closedAt: '2026-11-17T09:00:00Z',
  reason: 'revoked',
  secretType: 'github_personal_access_token',
  pushProtectionBypassed: true,
  pushProtectionBypassedBy: 'dev1',
  pushProtectionBypassedAt: '2026-11-16T09:00:00Z',
});
const S4 = alert({
  alertType: 'secret_scanning',
  repository: 'acme/web',
  number: 4,
  severity: 'critical',
  createdAt: '2026-10-20T00:00:00Z',
  state: 'dismissed',
  closedAt: '2026-11-20T12:00:00Z',
  reason: 'used_in_tests',
  secretType: 'aws_access_key_id',
});
const S5 = alert({
  alertType: 'secret_scanning',
  repository: 'acme/web',
  number: 5,
  severity: 'critical',
  createdAt: '2026-11-21T00:00:00Z',
  state: 'open',
  secretType: 'slack_api_token',
  pushProtectionBypassed: true,
  pushProtectionBypassedBy: null,
  pushProtectionBypassedAt: '2026-11-21T00:00:00Z',
});
const C6 = alert({
  alertType: 'code_scanning',
  repository: 'acme/api',
  number: 6,
  severity: 'high',
  createdAt: '2026-09-01T00:00:00Z',
  state: 'open',
});
const C7 = alert({
  alertType: 'code_scanning',
  repository: 'acme/api',
  number: 7,
  severity: 'medium',
  createdAt: '2026-11-16T00:00:00Z',
  state: 'fixed',
  closedAt: '2026-11-22T23:59:59.999Z',
});
const D8 = alert({
  alertType: 'dependabot',
  repository: 'acme/api',
  number: 8,
  severity: 'low',
  createdAt: '2026-10-01T00:00:00Z',
  state: 'fixed',
  closedAt: '2026-11-05T00:00:00Z',
});

const TRANSITIONS: Transition[] = [
  tr(D1, '2026-11-02T00:00:00Z', null, 'open', 'snapshot'),
  tr(D1, '2026-11-17T10:00:00Z', 'open', 'dismissed', 'snapshot', { reason: 'tolerable_risk' }),
  tr(D1, '2026-11-17T10:00:00Z', 'open', 'dismissed', 'webhook', { actor: 'mona', comment: 'vendored copy' }),
  tr(D2, '2026-11-18T08:00:00Z', null, 'open', 'snapshot'),
  tr(D2, '2026-11-19T00:00:00Z', 'open', 'dismissed', 'snapshot', { reason: 'auto_dismissed' }),
  tr(S3, '2026-11-16T09:00:00Z', null, 'open', 'webhook'),
  tr(S3, '2026-11-16T09:00:00Z', null, 'open', 'snapshot'),
  tr(S3, '2026-11-17T09:00:00Z', 'open', 'fixed', 'webhook', { actor: 'sec-lead', reason: 'revoked' }),
  tr(S4, '2026-10-20T00:00:00Z', null, 'open', 'snapshot'),
  tr(S4, '2026-11-20T12:00:00Z', 'open', 'dismissed', 'snapshot', { reason: 'used_in_tests' }),
  tr(S4, '2026-11-20T12:00:00Z', 'open', 'dismissed', 'webhook', { actor: 'mona', reason: 'used_in_tests' }),
  tr(S5, '2026-11-21T00:00:00Z', null, 'open', 'snapshot'),
  tr(C6, '2026-09-01T00:00:00Z', null, 'open', 'snapshot'),
  tr(C6, '2026-11-10T00:00:00Z', 'open', 'fixed', 'snapshot'),
  tr(C6, '2026-11-18T12:00:00Z', 'fixed', 'open', 'snapshot'),
  tr(C7, '2026-11-16T00:00:00Z', null, 'open', 'snapshot'),
  tr(C7, '2026-11-22T23:59:59.999Z', 'open', 'fixed', 'snapshot'),
].reverse(); // the store gives no order

const AUDIT: AuditEvent[] = [
  audit('a1', 'repository_vulnerability_alert.dismiss', '2026-11-17T10:00:01Z', {
    actor: 'mona',
    repository: 'acme/api',
    alertNumber: 1,
  }),
  audit('a2', 'repository_vulnerability_alert.auto_dismiss', '2026-11-19T00:00:30Z', {
    actor: 'dependabot[bot]',
    repository: 'acme/web',
    alertNumber: 2,
  }),
  // Bypass of S3: the event names the repository, not the alert.
  audit('a3', 'secret_scanning_push_protection.bypass', '2026-11-16T09:00:02Z', {
    actor: 'dev1',
    repository: 'acme/api',
    reason: 'will_fix_later',
    secretType: 'github_personal_access_token',
  }),
  // Same moment, other repository: not S3's.
  audit('a4', 'secret_scanning_push_protection.bypass', '2026-11-16T09:00:00Z', {
    actor: 'dev9',
    repository: 'acme/other',
    reason: 'false_positive',
  }),
  // Bypass of S5, naming the alert.
  audit('a5', 'secret_scanning_push_protection.bypass', '2026-11-20T23:59:00Z', {
    actor: 'dev2',
    repository: 'acme/web',
    alertNumber: 5,
    reason: 'used_in_tests',
    secretType: 'slack_api_token',
  }),
];

const W47 = parsePeriodId('2026-W47');

function input(overrides: Partial<ReportInput> = {}): ReportInput {
  return {
    org: 'acme',
    period: W47,
    generatedAt: '2026-11-23T06:05:00Z',
    alerts: [D1, D2, S3, S4, S5, C6, C7, D8],
    transitions: TRANSITIONS,
    auditEvents: AUDIT,
    manifests: [
      manifest('snap-1', '2026-11-16T00:00:00Z', 'full', true),
      manifest('snap-2', '2026-11-19T00:00:00Z', 'incremental', false, {
        stream: 'code_scanning',
        message: 'HTTP 502',
      }),
      manifest('snap-3', '2026-11-23T06:00:00Z', 'full', true),
    ],
    slaPolicy: DEFAULT_SLA_POLICY,
    trendPeriods: lastPeriods(W47, 3),
    ...overrides,
  };
}

describe('computeReport on the scenario', () => {
  const report = computeReport(input());

  it('identifies the report', () => {
    expect(report.schemaVersion).toBe(1);
    expect(report.org).toBe('acme');
    expect(report.generatedAt).toBe('2026-11-23T06:05:00Z');
    expect(report.period).toEqual({
      id: '2026-W47',
      start: '2026-11-16T00:00:00Z',
      end: '2026-11-23T00:00:00Z',
    });
    expect(report.slaPolicy).toEqual(DEFAULT_SLA_POLICY);
    expect(report.noLongerReported).toBe(0);
  });

  it('is complete: the incomplete snapshot in the period was repaired by a later full one', () => {
    expect(report.incompleteReasons).toEqual([]);
    expect(report.complete).toBe(true);
  });

  it('counts the period', () => {
    expect(report.summary).toEqual({
      // (15.4166667 + 0.6666667 + 1 + 31.5 + 6.99999998843) / 5 = 11.1166667
      total: {
        openAtStart: 2,
        openAtEnd: 2,
        opened: 4,
        fixed: 2,
        dismissed: 3,
        reopened: 1,
        mttrDays: 11.12,
        netResolveRate: 1.25,
      },
      dependabot: {
        openAtStart: 1,
        openAtEnd: 0,
        opened: 1,
        fixed: 0,
        dismissed: 2,
        reopened: 0,
        mttrDays: 8.04,
        netResolveRate: 2,
      },
      secret_scanning: {
        openAtStart: 1,
        openAtEnd: 1,
        opened: 2,
        fixed: 1,
        dismissed: 1,
        reopened: 0,
        mttrDays: 16.25,
        netResolveRate: 1,
      },
      code_scanning: {
        openAtStart: 0,
        openAtEnd: 1,
        opened: 1,
        fixed: 1,
        dismissed: 0,
        reopened: 1,
        mttrDays: 7,
        netResolveRate: 1,
      },
    });
  });

  it('lists every merged transition of the period in time order, with actors from the audit log', () => {
    // [alert, at, from, to, source, actor, reason]
    expect(
      report.transitions.map((t) => [
        `${t.alertType}:${t.repository}#${t.number}`,
        t.at,
        t.from,
        t.to,
        t.source,
        t.actor,
        t.reason,
      ]),
    ).toEqual([
      ['code_scanning:acme/api#7', '2026-11-16T00:00:00Z', null, 'open', 'snapshot', null, null],
      ['secret_scanning:acme/api#3', '2026-11-16T09:00:00Z', null, 'open', 'webhook', null, null],
      [
        'secret_scanning:acme/api#3',
        '2026-11-17T09:00:00Z',
        'open',
        'fixed',
        'webhook',
        'sec-lead',
        'revoked',
      ],
      [
        'dependabot:acme/api#1',
        '2026-11-17T10:00:00Z',
        'open',
        'dismissed',
        'webhook',
        'mona',
        'tolerable_risk',
      ],
      ['dependabot:acme/web#2', '2026-11-18T08:00:00Z', null, 'open', 'snapshot', null, null],
      ['code_scanning:acme/api#6', '2026-11-18T12:00:00Z', 'fixed', 'open', 'snapshot', null, null],
      [
        'dependabot:acme/web#2',
        '2026-11-19T00:00:00Z',
        'open',
        'dismissed',
        'snapshot',
        'dependabot[bot]',
        'auto_dismissed',
      ],
      [
        'secret_scanning:acme/web#4',
        '2026-11-20T12:00:00Z',
        'open',
        'dismissed',
        'webhook',
        'mona',
        'used_in_tests',
      ],
      ['secret_scanning:acme/web#5', '2026-11-21T00:00:00Z', null, 'open', 'snapshot', null, null],
      ['code_scanning:acme/api#7', '2026-11-22T23:59:59.999Z', 'open', 'fixed', 'snapshot', null, null],
    ]);
  });

  it('describes each transition with its alert', () => {
    const dismissal = report.transitions.find((t) => t.number === 1);
    expect(dismissal).toEqual({
      alertType: 'dependabot',
      repository: 'acme/api',
      number: 1,
      from: 'open',
      to: 'dismissed',
      at: '2026-11-17T10:00:00Z',
      actor: 'mona',
      reason: 'tolerable_risk',
      comment: 'vendored copy',
      source: 'webhook',
      severity: 'critical',
      title: 'dependabot acme/api#1',
      htmlUrl: 'https://github.com/acme/api/security/1',
    });
  });

  it('lists the SLA breaches', () => {
    expect(report.slaBreaches).toEqual([
      {
        alertType: 'code_scanning',
        repository: 'acme/api',
        number: 6,
        severity: 'high',
        openedAt: '2026-09-01T00:00:00Z',
        dueAt: '2026-10-01T00:00:00Z',
        daysOverdue: 53,
        title: 'code_scanning acme/api#6',
        htmlUrl: 'https://github.com/acme/api/security/6',
      },
    ]);
  });

  it('lists push protection bypasses with the reason from the audit log', () => {
    expect(report.pushProtectionBypasses).toEqual([
      {
        repository: 'acme/api',
        number: 3,
        secretType: 'github_personal_access_token',
        actor: 'dev1',
        at: '2026-11-16T09:00:00Z',
        reason: 'will_fix_later',
        resolved: true,
        htmlUrl: 'https://github.com/acme/api/security/3',
      },
      {
        repository: 'acme/web',
        number: 5,
        secretType: 'slack_api_token',
        actor: 'dev2',
        at: '2026-11-21T00:00:00Z',
        reason: 'used_in_tests',
        resolved: false,
        htmlUrl: 'https://github.com/acme/web/security/5',
      },
    ]);
  });

  it('gives the trend of the last three weeks', () => {
    // W45 [11-02, 11-09): D1 created; D8 fixed 11-05; open at end D1, S4, C6.
    // W46 [11-09, 11-16): C6 fixed 11-10; open at end D1, S4.
    expect(
      report.trend.map(({ periodId, openAtEnd, opened, closed }) => [periodId, openAtEnd, opened, closed]),
    ).toEqual([
      ['2026-W45', 3, 1, 1],
      ['2026-W46', 2, 0, 1],
      ['2026-W47', 2, 4, 5],
    ]);
    // By severity: D1 and S4 critical, C6 high, D8 low.
    const zero = { openAtEnd: 0, opened: 0, closed: 0 };
    expect(report.trend[0]?.bySeverity).toEqual({
      critical: { openAtEnd: 2, opened: 1, closed: 0 },
      high: { openAtEnd: 1, opened: 0, closed: 0 },
      medium: zero,
      low: { openAtEnd: 0, opened: 0, closed: 1 },
    });
    expect(report.trend[1]?.bySeverity).toEqual({
      critical: { openAtEnd: 2, opened: 0, closed: 0 },
      high: { openAtEnd: 0, opened: 0, closed: 1 },
      medium: zero,
      low: zero,
    });
    // The last point is the period itself.
    expect(report.trend[2]?.mttrDays).toBe(report.summary.total.mttrDays);
    expect(report.previousPeriod?.id).toBe('2026-W46');
    expect(report.previousPeriod?.summary.total).toMatchObject({ openAtEnd: 2, opened: 0, fixed: 1 });
  });

  it('gives the same report whatever the order of its inputs', () => {
    const shuffled = computeReport(
      input({
        alerts: [C7, D8, S5, D1, C6, S3, D2, S4],
        transitions: [...TRANSITIONS].sort((a, b) =>
          a.source < b.source ? -1 : a.source > b.source ? 1 : 0,
        ),
        auditEvents: [...AUDIT].reverse(),
      }),
    );
    expect(shuffled).toEqual(report);
  });
});

describe('computeReport with the figures of issued reports', () => {
  const full = computeReport(input());
  // What the reports issued for W45 and W46 would have stated, had they seen the same history.
  const W45 = lastPeriods(W47, 3)[0];
  const W46 = lastPeriods(W47, 3)[1];
  if (!W45 || !W46) throw new Error('no trend periods');
  const issuedFor = (p: typeof W45, id: string) => {
    const figures = periodFigures(computeReport(input({ period: p, trendPeriods: [p] })), id);
    if (!figures) throw new Error(`${p.id} incomplete`);
    return figures;
  };
  const w45 = issuedFor(W45, 'r-w45');
  const w46 = issuedFor(W46, 'r-w46');
  const figures = [w45, w46];
  const withoutIssuedIn = (r: ReturnType<typeof computeReport>) => ({
    ...r,
    trend: r.trend.map(({ issuedIn: _i, ...p }) => p),
  });

  it('takes earlier periods from them and says which report stated each', () => {
    const report = computeReport(input({ issuedFigures: figures }));
    expect(report.trend.map((p) => [p.periodId, p.issuedIn])).toEqual([
      ['2026-W45', 'r-w45'],
      ['2026-W46', 'r-w46'],
      ['2026-W47', undefined],
    ]);
    // The same history gives the same figures, whichever way they are obtained.
    expect(withoutIssuedIn(report)).toEqual(full);
  });

  it('needs no history before its own period when every earlier period has figures', () => {
    // Only what the W47 report itself needs: alerts open at its start or touched since, and
    // transitions from its start (D8 closed in W45 and C6's W45 fix are gone).
    const startMs = Date.parse(W47.start);
    const transitions = TRANSITIONS.filter((t) => Date.parse(t.at) >= startMs);
    const touched = new Set(transitions.map((t) => `${t.repository}#${t.number}`));
    const alerts = [D1, D2, S3, S4, S5, C6, C7, D8].filter(
      (a) => a.state === 'open' || touched.has(`${a.repository}#${a.number}`),
    );
    expect(alerts.map((a) => a.number)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const windowed = computeReport(input({ alerts, transitions, issuedFigures: figures }));
    expect(withoutIssuedIn(windowed)).toEqual(full);
    // Without the figures, the short history would give a different trend: that is what they replace.
    const alone = computeReport(input({ alerts, transitions }));
    expect(alone.trend[0]).not.toEqual(full.trend[0]);
  });

  it('states figures as issued even when the history has changed since', () => {
    const stated = {
      ...w46,
      summary: { ...w46.summary, total: { ...w46.summary.total, openAtEnd: 99, opened: 7 } },
    };
    const report = computeReport(input({ issuedFigures: [w45, stated] }));
    expect(report.trend[1]).toMatchObject({
      periodId: '2026-W46',
      openAtEnd: 99,
      opened: 7,
      issuedIn: 'r-w46',
    });
    expect(report.previousPeriod?.summary.total).toMatchObject({ openAtEnd: 99, opened: 7 });
    // The report can tell: W46's stated end is not W47's computed start.
    expect(staleIssuedFigures(report)).toBe(
      '2026-W46 as issued in r-w46 ended with 99 open alerts; the history now gives 2',
    );
    expect(staleIssuedFigures(computeReport(input({ issuedFigures: figures })))).toBeNull();
    expect(staleIssuedFigures(full)).toBeNull();
    // Against what was stated: W47 opened 4 and ended with 2 open.
    expect(report.change?.total).toMatchObject({ opened: -42.9, openAtEnd: -98 });
    expect(full.change?.total).toMatchObject({ opened: null, openAtEnd: 0 });
  });

  it('computes its own period always, and ignores figures of other bounds', () => {
    const own = issuedFor(W47, 'r-w47-earlier');
    const otherZone = { ...w46, start: '2026-11-08T23:00:00.000Z', end: '2026-11-15T23:00:00.000Z' };
    const report = computeReport(input({ issuedFigures: [own, otherZone] }));
    expect(report.trend.map((p) => p.issuedIn)).toEqual([undefined, undefined, undefined]);
    expect(report).toEqual(full);
  });

  it('gives no figures for an incomplete report', () => {
    const incomplete = computeReport(input({ manifests: [] }));
    expect(incomplete.complete).toBe(false);
    expect(periodFigures(incomplete, 'r')).toBeNull();
    // A stream GitHub would not list: its alerts may still arrive with past dates.
    const gap = { stream: 'code_scanning' as const, lane: null, message: 'Code scanning is not enabled' };
    expect(periodFigures({ ...full, coverageGaps: [gap] }, 'r')).toBeNull();
    expect(periodFigures(full, 'r-w47')).toEqual({
      periodId: '2026-W47',
      start: W47.start,
      end: W47.end,
      reportId: 'r-w47',
      summary: full.summary,
      bySeverity: full.breakdowns.bySeverity,
    });
  });
});

describe('computeReport, alerts the ledger saw before it recorded changes', () => {
  it('derives their transitions from their own timestamps', () => {
    const report = computeReport(
      input({
        alerts: [{ ...D8, closedAt: '2026-11-18T00:00:00Z', closedBy: 'mona' }],
        transitions: [],
        auditEvents: [],
      }),
    );
    expect(report.transitions.map((t) => [t.at, t.from, t.to, t.source, t.actor])).toEqual([
      ['2026-11-18T00:00:00Z', 'open', 'fixed', 'snapshot', 'mona'],
    ]);
    expect(report.summary.dependabot).toMatchObject({ openAtStart: 1, fixed: 1, mttrDays: 48 });
  });

  it('implies creation, then closing at closedAt or else updatedAt', () => {
    expect(impliedTransitions(C6).map((t) => [t.at, t.from, t.to])).toEqual([
      ['2026-09-01T00:00:00Z', null, 'open'],
    ]);
    const noClosedAt = { ...D8, closedAt: null, updatedAt: '2026-11-06T00:00:00Z' };
    expect(impliedTransitions(noClosedAt).map((t) => [t.at, t.from, t.to])).toEqual([
      ['2026-10-01T00:00:00Z', null, 'open'],
      ['2026-11-06T00:00:00Z', 'open', 'fixed'],
    ]);
  });
});

describe('computeReport, actors from the audit log', () => {
  const base = Date.parse('2026-11-19T00:00:00Z');
  const at = (offsetMs: number) => new Date(base + offsetMs).toISOString();
  const transitions = [
    tr(D2, '2026-11-18T08:00:00Z', null, 'open', 'snapshot'),
    tr(D2, '2026-11-19T00:00:00Z', 'open', 'dismissed', 'snapshot'),
  ];

  it.each([
    // event, offset from the transition, actor in the report
    ['repository_vulnerability_alert.auto_dismiss', 5 * 60_000, 'bot'],
    ['repository_vulnerability_alert.auto_dismiss', -5 * 60_000, 'bot'],
    ['repository_vulnerability_alert.auto_dismiss', 5 * 60_000 + 1, null],
    ['repository_vulnerability_alert.reopen', 0, null],
    ['secret_scanning_alert.resolve', 0, null],
  ])('%s %i ms away gives actor %j', (action, offset, actor) => {
    const report = computeReport(
      input({
        transitions,
        auditEvents: [
          audit('x', action, at(offset), { actor: 'bot', repository: 'acme/web', alertNumber: 2 }),
        ],
      }),
    );
    expect(report.transitions.find((t) => t.number === 2 && t.to === 'dismissed')?.actor).toBe(actor);
  });

  it('takes the nearest matching event', () => {
    const report = computeReport(
      input({
        transitions,
        auditEvents: [
          audit('far', 'repository_vulnerability_alert.dismiss', at(120_000), {
            actor: 'far',
            repository: 'acme/web',
            alertNumber: 2,
          }),
          audit('near', 'repository_vulnerability_alert.dismiss', at(-30_000), {
            actor: 'near',
            repository: 'acme/web',
            alertNumber: 2,
          }),
        ],
      }),
    );
    expect(report.transitions.find((t) => t.number === 2 && t.to === 'dismissed')?.actor).toBe('near');
  });

  it.each([
    ['repository_vulnerability_alert.dismiss', { alertType: 'dependabot', states: ['dismissed'] }],
    ['repository_vulnerability_alert.auto_reopen', { alertType: 'dependabot', states: ['open'] }],
    ['repository_vulnerability_alert.resolve', { alertType: 'dependabot', states: ['fixed'] }],
    ['secret_scanning_alert.resolve', { alertType: 'secret_scanning', states: ['fixed', 'dismissed'] }],
    ['secret_scanning_alert.reopen', { alertType: 'secret_scanning', states: ['open'] }],
    ['code_scanning.alert_dismissed', { alertType: 'code_scanning', states: ['dismissed'] }],
    ['secret_scanning_push_protection.bypass', null],
    ['org.add_member', null],
    ['secret_scanning_alert.validity_checked', null],
  ])('audit action %s targets %j', (action, target) => {
    expect(auditEventTarget(action)).toEqual(target);
  });
});

describe('computeReport completeness', () => {
  const snap1 = manifest('snap-1', '2026-11-16T00:00:00Z', 'full', true);
  const snap2 = manifest('snap-2', '2026-11-19T00:00:00Z', 'incremental', false, {
    stream: 'code_scanning',
    message: 'HTTP 502',
  });
  const snap2Reason =
    'snapshot snap-2 taken at 2026-11-19T00:00:00Z was incomplete (code_scanning failed: HTTP 502): ' +
    'run `alert-ledger snapshot --org acme --full` to reconcile';
  const noSnapshotAfterEnd =
    "no complete snapshot at or after 2026-11-23T00:00:00Z (the period's end): " +
    'run `alert-ledger snapshot --org acme` after the period has ended, then report again';

  it.each([
    [
      'a complete snapshot exactly at the end',
      [manifest('s', '2026-11-23T00:00:00Z', 'incremental', true)],
      [],
    ],
    ['no snapshot after the end', [snap1], [noSnapshotAfterEnd]],
    [
      'only an incomplete snapshot after the end',
      [snap1, manifest('late', '2026-11-24T00:00:00Z', 'full', false)],
      [noSnapshotAfterEnd],
    ],
    ['an unrepaired incomplete snapshot in the period', [snap1, snap2], [noSnapshotAfterEnd, snap2Reason]],
    [
      'an incremental complete snapshot after the end does not repair an incomplete one',
      [snap1, snap2, manifest('s4', '2026-11-23T06:00:00Z', 'incremental', true)],
      [snap2Reason],
    ],
    [
      'a full complete snapshot after the incomplete one repairs it',
      [
        snap1,
        snap2,
        manifest('s5', '2026-11-20T00:00:00Z', 'full', true),
        manifest('s6', '2026-11-23T06:00:00Z', 'incremental', true),
      ],
      [],
    ],
    [
      'an incomplete snapshot before the period does not matter',
      [
        manifest('old', '2026-11-10T00:00:00Z', 'incremental', false),
        manifest('s7', '2026-11-23T00:00:00Z', 'incremental', true),
      ],
      [],
    ],
  ])('%s', (_name, manifests, reasons) => {
    const report = computeReport(input({ manifests }));
    expect(report.incompleteReasons).toEqual(reasons);
    expect(report.complete).toBe(reasons.length === 0);
  });

  it('names what an incomplete snapshot skipped: unreadable pages, invalid alerts with the first reason, unfinished streams', () => {
    const skipping: SnapshotManifest = {
      ...manifest('snap-3', '2026-11-20T00:00:00Z', 'incremental', false),
      streams: [
        {
          stream: 'dependabot',
          lane: 'dependabot',
          status: 'finished',
          items: 90,
          pages: 2,
          skipped: 0,
          skippedPages: 1,
        },
        {
          stream: 'code_scanning',
          lane: 'code_scanning',
          status: 'finished',
          items: 40,
          pages: 1,
          skipped: 2,
          skippedPages: 0,
        },
        {
          stream: 'audit_log',
          lane: 'audit_log',
          status: 'running',
          items: 100,
          pages: 1,
          skipped: 1,
          skippedPages: 0,
        },
      ],
      skippedItems: [
        { stream: 'code_scanning', number: 7, reason: 'created_at: expected string, received undefined' },
        { stream: 'code_scanning', number: 9, reason: 'state: invalid option' },
        { stream: 'audit_log', number: null, reason: 'action: expected string' },
      ],
    };
    const report = computeReport(
      input({ manifests: [snap1, skipping, manifest('s', '2026-11-23T06:00:00Z', 'incremental', true)] }),
    );
    expect(report.complete).toBe(false);
    expect(report.incompleteReasons).toEqual([
      'snapshot snap-3 taken at 2026-11-20T00:00:00Z was incomplete (' +
        'dependabot: 1 page GitHub sent could not be read; ' +
        'code_scanning: 2 alerts skipped as invalid (#7: created_at: expected string, received undefined); ' +
        'audit_log did not finish; audit_log: 1 event skipped as invalid (action: expected string)' +
        '): run `alert-ledger snapshot --org acme --full` to reconcile',
    ]);
  });

  it('says so when there is no data at all', () => {
    const report = computeReport(input({ alerts: [], transitions: [], auditEvents: [], manifests: [] }));
    expect(report.complete).toBe(false);
    expect(report.incompleteReasons).toEqual([
      'no data for this period: nothing is stored for acme (no alerts, no snapshots): ' +
        'run `alert-ledger snapshot --org acme` first',
    ]);
    expect(report.summary.total).toEqual({
      openAtStart: 0,
      openAtEnd: 0,
      opened: 0,
      fixed: 0,
      dismissed: 0,
      reopened: 0,
      mttrDays: null,
      netResolveRate: null,
    });
    expect(report.trend.map((p) => [p.periodId, p.openAtEnd, p.opened, p.closed, p.mttrDays])).toEqual([
      ['2026-W45', 0, 0, 0, null],
      ['2026-W46', 0, 0, 0, null],
      ['2026-W47', 0, 0, 0, null],
    ]);
  });

  it('is complete with no alerts when a complete snapshot saw none', () => {
    const report = computeReport(
      input({
        alerts: [],
        transitions: [],
        manifests: [manifest('s', '2026-11-23T01:00:00Z', 'full', true)],
      }),
    );
    expect(report.complete).toBe(true);
    expect(report.transitions).toEqual([]);
  });

  it('names transitions of alerts missing from the alert store, and leaves them out', () => {
    const ghost = alert({
      alertType: 'dependabot',
      repository: 'acme/gone',
      number: 9,
      severity: 'low',
      createdAt: '2026-11-17T00:00:00Z',
      state: 'open',
    });
    const report = computeReport(
      input({ transitions: [...TRANSITIONS, tr(ghost, '2026-11-17T00:00:00Z', null, 'open', 'webhook')] }),
    );
    expect(report.complete).toBe(false);
    expect(report.incompleteReasons).toEqual([
      '1 stored transition(s) belong to alerts missing from the alert store (dependabot#acme/gone#9); ' +
        'they are left out: run `alert-ledger snapshot --org acme --full` to reconcile',
    ]);
    expect(report.transitions.some((t) => t.repository === 'acme/gone')).toBe(false);
  });
});

describe('computeReport input checks', () => {
  it('refuses a generatedAt that is not an instant', () => {
    expect(() => computeReport(input({ generatedAt: 'now' }))).toThrow(/invalid instant "now"/);
  });
});
