/**
 * The report's view model (functions/render/view-model.ts): the choices the templates only lay
 * out. Changes against the previous period, the team a report is about, the open-alert
 * breakdowns, coverage gaps in words, and how long tables are split.
 */
import { describe, expect, it } from 'vitest';
import { emptyCounts } from '../../../functions/core/metrics.ts';
import type { ReportJson } from '../../../functions/core/report-model.ts';
import { formatPercent, shortPeriodLabel } from '../../../functions/render/format.ts';
import {
  buildReportView,
  changeOf,
  LEDGER_ABOVE_ROWS,
  LONG_TABLE_GROUP_ROWS,
  reportTeam,
} from '../../../functions/render/view-model.ts';
import { reportWithTransitions } from '../../bench/pdf-data.ts';
import { sampleReport } from '../../fixtures/report-sample.ts';

describe('view model: changes against the previous period', () => {
  it('says up, down, no change, new, or nothing to compare', () => {
    expect(changeOf(7, 2, 250)).toEqual({ kind: 'up', text: '↑ 250%' });
    expect(changeOf(41, 42, -2.4)).toEqual({ kind: 'down', text: '↓ 2.4%' });
    expect(changeOf(5, 5, 0)).toEqual({ kind: 'same', text: 'no change' });
    // report.json gives null when the previous figure was 0: "new".
    expect(changeOf(2, 0, null)).toEqual({ kind: 'new', text: 'new' });
    expect(changeOf(0, 0, null)).toEqual({ kind: 'same', text: 'no change' });
    // No previous period at all, or no value on one side (an MTTR of nothing).
    expect(changeOf(3, undefined, undefined)).toEqual({ kind: 'none', text: '' });
    expect(changeOf(null, 19.6, null)).toEqual({ kind: 'none', text: '—' });
    // Worked out the same way when report.json has no percentage: 10 against 5.
    expect(changeOf(10, 5, undefined)).toEqual({ kind: 'up', text: '↑ 100%' });
    expect(changeOf(1, 3, undefined)).toEqual({ kind: 'down', text: '↓ 66.7%' });
    expect(changeOf(2500, 100, undefined).text).toBe('↑ 2,400%');
  });

  it('compares every figure of every alert type, and the closed total', () => {
    const view = buildReportView(sampleReport);
    const total = view.summaryRows.find((r) => r.isTotal);
    expect(total?.change.openAtEnd.text).toBe('↓ 2.4%');
    expect(total?.change.closed.text).toBe('↑ 100%');
    expect(total?.change.mttrDays.text).toBe('↑ 10.7%');
    const secrets = view.summaryRows.find((r) => r.label === 'Secret scanning');
    expect(secrets?.change.opened).toEqual({ kind: 'new', text: 'new' });
    expect(view.comparedWith).toEqual({
      id: '2026-W45',
      label: 'W45',
      startDay: 'Mon 2 Nov 2026',
      lastDay: 'Sun 8 Nov 2026',
    });
    const [period, attention] = view.summaryFigureGroups;
    expect(period?.title).toBe('The period, compared with W45');
    expect(period?.figures.map((f) => f.change)).toEqual([
      '↓ 2.4% vs W45',
      '↑ 250% vs W45',
      '↑ 100% vs W45',
      '↑ 10.7% vs W45',
    ]);
    expect(attention?.figures.map((f) => [f.label, f.value, f.alert])).toEqual([
      ['SLA compliance', '42.9%', true],
      ['Past SLA', '5', true],
      ['Push-protection bypasses', '1', true],
      ['Notable events', '7', true],
    ]);
  });

  it('says "new" in a key figure that was 0 before, and compares nothing without a previous period', () => {
    const before = sampleReport.previousPeriod;
    if (!before) throw new Error('the sample has a previous period');
    const view = buildReportView({
      ...sampleReport,
      previousPeriod: {
        ...before,
        summary: { ...before.summary, total: { ...before.summary.total, opened: 0 } },
      },
      change: null,
    });
    expect(view.summaryFigureGroups[0]?.figures[1]?.change).toBe('new: none in W45');
    const first = buildReportView({ ...sampleReport, previousPeriod: null, change: null });
    expect(first.comparedWith).toBeNull();
    expect(first.summaryFigureGroups[0]?.figures.every((f) => f.change === null)).toBe(true);
    expect(first.summaryRows.every((r) => Object.values(r.change).every((c) => c.text === ''))).toBe(true);
    expect(first.paragraphs.join(' ')).not.toContain('Compared with');
  });

  it('shortens period ids for "vs W45", and writes percentages with at most one decimal', () => {
    expect(['2026-W45', '2026-10', '2026-Q3', '2026-10-01..2026-10-15'].map(shortPeriodLabel)).toEqual([
      'W45',
      'Oct 2026',
      'Q3 2026',
      '1–15 Oct',
    ]);
    expect([42.9, 250, 1250, 0, null].map(formatPercent)).toEqual(['42.9%', '250%', '1,250%', '0%', '—']);
  });
});

describe('view model: the team a report is about', () => {
  it('takes the team given, else reads the scope label report-scopes.ts writes', () => {
    expect(reportTeam({ scopeLabel: 'team checkout (3 repositories)' })).toBe('checkout');
    expect(reportTeam({ scopeLabel: 'team Web Team (1 repository)' })).toBe('Web Team');
    expect(reportTeam({ scopeLabel: 'organisation-wide (every repository)' })).toBeNull();
    expect(reportTeam({})).toBeNull();
    expect(reportTeam({ scopeLabel: 'team checkout (3 repositories)', team: null })).toBeNull();
    expect(reportTeam({ team: 'platform' })).toBe('platform');
  });

  it('words the summary for the team', () => {
    const team = buildReportView(sampleReport, { team: 'checkout' });
    expect(team.team).toBe('checkout');
    expect(team.summary.activity).toMatch(/^During 2026-W46 in the repositories of team checkout, /);
    expect(team.summary.activity).toContain('The team closed more alerts than were opened');
    const org = buildReportView(sampleReport);
    expect(org.summary.activity).toContain('The organisation closed more alerts than were opened');
    expect(org.paragraphs[0]).toBe(org.summary.activity);
  });
});

describe('view model: where the open alerts are', () => {
  const view = buildReportView(sampleReport);

  it('ranks repositories and rules with their share of the open alerts', () => {
    expect(view.openAlerts.topRepositories.map((r) => [r.rank, r.repository, r.open, r.share])).toEqual([
      [1, 'octo-demo/api', 18, '44%'],
      [2, 'octo-demo/payments', 14, '34%'],
      [3, 'octo-demo/web', 9, '22%'],
    ]);
    expect(view.openAlerts.otherRepositories).toBeNull();
    expect(view.openAlerts.topRules[1]).toEqual({
      rank: 2,
      typeLabel: 'Code scanning',
      ruleId: 'js/sql-injection',
      title: 'Database query built from user-controlled sources',
      open: 4,
    });
  });

  it('says what the top repositories leave out', () => {
    const [first] = sampleReport.top.repositories;
    if (!first) throw new Error('the sample has top repositories');
    const out = buildReportView({ ...sampleReport, top: { ...sampleReport.top, repositories: [first] } });
    expect(out.openAlerts.otherRepositories).toBe('2 more repositories hold the other 23 open alerts.');
  });

  it('puts dismissal reasons side by side per alert type, most first', () => {
    expect(view.openAlerts.dismissals.typeLabels).toEqual(['Dependabot', 'Secret scanning', 'Code scanning']);
    expect(view.openAlerts.dismissals.rows).toEqual([
      { reason: 'Auto dismissed', byType: [1, 0, 0], total: 1 },
      { reason: 'False positive', byType: [0, 1, 0], total: 1 },
      { reason: 'Not used', byType: [0, 0, 1], total: 1 },
      { reason: 'Tolerable risk', byType: [1, 0, 0], total: 1 },
    ]);
    expect(view.openAlerts.dismissals.total).toBe(4);
  });

  it('gives the age of the open alerts in words and buckets', () => {
    expect(view.openAlerts.age.buckets.map((b) => [b.label, b.count, b.share])).toEqual([
      ['< 7 days', 5, '12%'],
      ['7–29 days', 8, '20%'],
      ['30–89 days', 10, '24%'],
      ['90–179 days', 9, '22%'],
      ['180 days or more', 9, '22%'],
    ]);
    const none = buildReportView({
      ...sampleReport,
      openAge: { count: 0, meanDays: null, medianDays: null, oldestDays: null, buckets: [] },
    });
    expect(none.openAlerts.age.summary).toBe('No alert was open at the end of the period.');
  });

  it('says what each coverage gap leaves out', () => {
    const gaps = buildReportView({
      ...sampleReport,
      coverageGaps: [
        { stream: 'secret_scanning', lane: 'secret_scanning:non_provider', message: '404' },
        { stream: 'audit_log', lane: 'audit_log', message: '403' },
      ],
    }).coverageGaps;
    expect(gaps.map((g) => g.label)).toEqual(['Secret scanning (non-provider patterns)', 'Audit log']);
    expect(gaps[0]?.effect).toBe(
      'Secrets of non-provider patterns (passwords, private keys, connection strings) count only as the ledger last knew them, if it ever listed them: what changed on GitHub since is in no figure or table of this report.',
    );
    expect(gaps[1]?.effect).toContain('the figures are complete');
    // The sample counts code scanning alerts an earlier snapshot listed: they are in the figures.
    expect(sampleReport.summary.code_scanning.openAtEnd).toBeGreaterThan(0);
    expect(view.coverageGaps[0]?.effect).toBe(
      'Code scanning alerts count as the ledger last knew them (earlier snapshots, webhooks): what changed on GitHub since is in no figure or table of this report.',
    );
  });

  it('says a stream GitHub never listed is in no figure, and words the summary by what each gap leaves out', () => {
    const none = emptyCounts();
    const gaps = (coverageGaps: typeof sampleReport.coverageGaps, codeScanning = none) =>
      buildReportView({
        ...sampleReport,
        summary: { ...sampleReport.summary, code_scanning: codeScanning },
        coverageGaps,
      });
    const code = { stream: 'code_scanning', lane: 'code_scanning', message: '403' };
    const audit = { stream: 'audit_log', lane: 'audit_log', message: '403' };
    const secrets = { stream: 'secret_scanning', lane: 'secret_scanning:non_provider', message: '404' };
    const never = gaps([code]);
    expect(never.coverageGaps[0]?.effect).toBe(
      'No Code scanning alert is in any figure or table of this report.',
    );
    expect(never.summary.caveats).toContain(
      'GitHub would not list Code scanning when the period ended, so it is missing from every figure (see Coverage gaps).',
    );
    expect(gaps([code, secrets]).summary.caveats).toContain(
      'GitHub would not list Code scanning and Secret scanning (non-provider patterns) when the period ended: Code scanning is missing from every figure, and Secret scanning (non-provider patterns) counts as the ledger last knew it, without what changed on GitHub since (see Coverage gaps).',
    );
    // Secret scanning off entirely: neither its gap nor the non-provider one is in any figure.
    const noSecrets = buildReportView({
      ...sampleReport,
      summary: { ...sampleReport.summary, secret_scanning: none },
      coverageGaps: [{ stream: 'secret_scanning', lane: 'secret_scanning', message: '404' }, secrets],
    });
    expect(noSecrets.coverageGaps.map((g) => g.effect)).toEqual([
      'No Secret scanning alert is in any figure or table of this report.',
      'Secrets of non-provider patterns (passwords, private keys, connection strings) are in no figure or table of this report.',
    ]);
    expect(noSecrets.summary.caveats).toContain(
      'GitHub would not list Secret scanning and Secret scanning (non-provider patterns) when the period ended, so they are missing from every figure (see Coverage gaps).',
    );
    // The audit log is in no figure: its gap is about who changed what.
    const auditOnly = gaps([audit]).summary.caveats;
    expect(auditOnly).toContain(
      'GitHub would not list the audit log when the period ended, so who changed an alert and why is known only where a webhook or the alert itself says so (see Coverage gaps).',
    );
    expect(auditOnly).not.toContain('missing from every figure');
  });
});

describe('view model: long tables', () => {
  it('keeps a short period in one table without a heading', () => {
    const view = buildReportView(sampleReport);
    expect(view.transitionGroups).toEqual([{ heading: null, rows: view.transitions }]);
    expect(view.resolutionGroups).toEqual([{ heading: null, rows: view.resolutions }]);
  });

  it('splits a long one by day, and a day with too many rows in parts, every row once and in order', () => {
    const report: ReportJson = reportWithTransitions(1500);
    const view = buildReportView(report);
    expect(view.transitionGroups.map((g) => g.heading)).toEqual([
      'Mon 9 Nov 2026, 214 changes',
      'Tue 10 Nov 2026, 215 changes',
      'Wed 11 Nov 2026, 214 changes',
      'Thu 12 Nov 2026, 214 changes',
      'Fri 13 Nov 2026, 214 changes',
      'Sat 14 Nov 2026, 215 changes',
      'Sun 15 Nov 2026, 214 changes',
    ]);
    expect(view.transitionGroups.flatMap((g) => g.rows)).toEqual(view.transitions);
    // All on one day: parts of at most LONG_TABLE_GROUP_ROWS.
    const oneDay = buildReportView({
      ...report,
      transitions: report.transitions.map((t, i) => ({
        ...t,
        at: new Date(Date.parse('2026-11-10T00:00:00Z') + i * 1000).toISOString(),
      })),
    });
    expect(oneDay.transitionGroups.map((g) => [g.heading, g.rows.length])).toEqual([
      ['Tue 10 Nov 2026, 1,500 changes (part 1 of 2)', LONG_TABLE_GROUP_ROWS],
      ['Tue 10 Nov 2026, 1,500 changes (part 2 of 2)', 500],
    ]);
  });
});

describe('view model: the trend', () => {
  const withIssued = (ids: readonly string[]) =>
    buildReportView({
      ...sampleReport,
      trend: sampleReport.trend.map((p) =>
        ids.includes(p.periodId) ? { ...p, issuedIn: `r-${p.periodId}` } : p,
      ),
    }).trendTable.asIssued;

  it('names the periods shown as their issued reports stated them', () => {
    const ids = sampleReport.trend.map((p) => p.periodId);
    expect(ids.length).toBeGreaterThan(4);
    expect(withIssued([])).toBeNull();
    expect(withIssued(ids.slice(0, -1))).toBe(`${ids[0]} to ${ids.at(-2)}`);
    expect(withIssued([ids[0] as string, ids[1] as string, ids[3] as string])).toBe(
      `${ids[0]} and ${ids[1]}, ${ids[3]}`,
    );
  });
});

describe('view model: long sections', () => {
  it(`prints them as tables up to ${LEDGER_ABOVE_ROWS} rows together, as a ledger beyond`, () => {
    const opened = (n: number) => {
      const report = reportWithTransitions(n);
      // Creations only: no closure, no reopen, so the appendix alone counts.
      return {
        ...report,
        transitions: report.transitions.map((t) => ({ ...t, from: null, to: 'open' as const })),
      };
    };
    expect(buildReportView(sampleReport).ledger).toBe(false);
    expect(buildReportView(opened(LEDGER_ABOVE_ROWS)).ledger).toBe(false);
    expect(buildReportView(opened(LEDGER_ABOVE_ROWS + 1)).ledger).toBe(true);
    // Closures and reopens count too: 1,200 changes, 600 closures and 200 reopens.
    const mixed = buildReportView(reportWithTransitions(1200));
    expect([mixed.transitions.length, mixed.resolutions.length, mixed.reopened.length]).toEqual([
      1200, 600, 200,
    ]);
    expect(mixed.ledger).toBe(false);
    expect(buildReportView(reportWithTransitions(1300)).ledger).toBe(true);
  });
});
