import { describe, expect, it } from 'vitest';
import type { ReportJson } from '../../functions/core/report-model.ts';
import {
  REPORT_TABLES,
  renderTableCsv,
  renderTableCsvs,
  renderTransitionsCsv,
  TABLE_CSV_COLUMNS,
  TRANSITION_CSV_COLUMNS,
} from '../../functions/render/csv.ts';
import { SAMPLE_FORMULA_COMMENT, SAMPLE_SCRIPT_COMMENT, sampleReport } from '../fixtures/report-sample.ts';
import { parseCsv } from '../support/csv.ts';

/** The rows of a table as objects, by header. */
function records(csv: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(csv);
  return rows.map((r) => Object.fromEntries((header ?? []).map((h, i) => [h, r[i] ?? ''])));
}

const tables = renderTableCsvs(sampleReport);

describe('render: one CSV per table', () => {
  it('writes every table with its header row and rectangular rows', () => {
    expect(Object.keys(tables)).toEqual([...REPORT_TABLES]);
    for (const table of REPORT_TABLES) {
      const rows = parseCsv(tables[table]);
      expect(rows[0], table).toEqual([...TABLE_CSV_COLUMNS[table]]);
      expect(
        rows.every((r) => r.length === TABLE_CSV_COLUMNS[table].length),
        table,
      ).toBe(true);
    }
  });

  it('sla-breaches: one row per breach, most overdue first', () => {
    const rows = records(tables['sla-breaches']);
    expect(rows).toHaveLength(sampleReport.slaBreaches.length);
    const overdue = rows.map((r) => Number(r.daysOverdue));
    expect(overdue).toEqual([...overdue].sort((a, b) => b - a));
    const top = sampleReport.slaBreaches.reduce((a, b) => (b.daysOverdue > a.daysOverdue ? b : a));
    expect(rows[0]).toMatchObject({
      repository: top.repository,
      number: String(top.number),
      dueAt: top.dueAt,
      url: top.htmlUrl,
    });
  });

  it('dismissals: every resolution of the period with actor, reason, comment and a no_comment flag', () => {
    const rows = records(tables.dismissals);
    const resolutions = sampleReport.transitions.filter((t) => t.to === 'fixed' || t.to === 'dismissed');
    expect(rows).toHaveLength(resolutions.length);
    expect(rows.map((r) => r.to)).toEqual(resolutions.map((t) => t.to));
    const dismissed = rows.filter((r) => r.to === 'dismissed');
    expect(dismissed).toHaveLength(4);
    // The same rows the PDF flags: dismissals without a comment; a fix needs none.
    expect(dismissed.filter((r) => r.no_comment === 'true').map((r) => r.comment)).toEqual(['']);
    expect(rows.filter((r) => r.to === 'fixed').every((r) => r.no_comment === 'false')).toBe(true);
    // Typed by GitHub users: a formula is neutralised, markup kept as text.
    expect(dismissed.map((r) => r.comment)).toContain(`'${SAMPLE_FORMULA_COMMENT}`);
    expect(dismissed.map((r) => r.comment)).toContain(SAMPLE_SCRIPT_COMMENT);
    const first = resolutions[0];
    expect(rows[0]).toMatchObject({
      at: first?.at,
      repository: first?.repository,
      actor: first?.actor ?? '',
      reason: first?.reason ?? '',
    });
  });

  it('reopened, push-protection-bypasses and notable-events: one row each', () => {
    const reopened = sampleReport.transitions.filter(
      (t) => t.to === 'open' && t.from !== null && t.from !== 'open',
    );
    expect(records(tables.reopened).map((r) => `${r.repository}#${r.number}:${r.from}`)).toEqual(
      reopened.map((t) => `${t.repository}#${t.number}:${t.from}`),
    );
    expect(records(tables['push-protection-bypasses'])).toEqual(
      sampleReport.pushProtectionBypasses.map((b) => ({
        at: b.at,
        repository: b.repository,
        number: String(b.number),
        secretType: b.secretType,
        actor: b.actor ?? '',
        reason: b.reason ?? '',
        resolved: String(b.resolved),
        url: b.htmlUrl,
      })),
    );
    expect(records(tables['notable-events']).map((r) => [r.kind, r.repository, r.number])).toEqual(
      sampleReport.notableEvents.map((n) => [n.kind, n.repository, String(n.number)]),
    );
  });

  it('repositories and teams: the breakdowns with every count, null as empty', () => {
    expect(records(tables.repositories)[0]).toEqual({
      repository: 'octo-demo/api',
      openAtStart: '18',
      opened: '3',
      reopened: '1',
      fixed: '2',
      dismissed: '2',
      openAtEnd: '18',
      mttrDays: '25.1',
      netResolveRate: String(sampleReport.breakdowns.byRepository[0]?.counts.netResolveRate ?? ''),
    });
    const teams = records(tables.teams);
    expect(teams.map((t) => [t.team, t.repositories])).toEqual([
      ['checkout', 'octo-demo/payments octo-demo/web'],
      ['platform', 'octo-demo/api'],
    ]);
    const none: ReportJson = {
      ...sampleReport,
      breakdowns: {
        ...sampleReport.breakdowns,
        byRepository: [
          {
            repository: 'octo-demo/quiet',
            counts: { ...sampleReport.summary.total, mttrDays: null, netResolveRate: null },
          },
        ],
      },
    };
    expect(records(renderTableCsv(none, 'repositories'))[0]).toMatchObject({
      mttrDays: '',
      netResolveRate: '',
    });
  });

  it('writes the header alone for an empty table', () => {
    const empty: ReportJson = { ...sampleReport, slaBreaches: [], pushProtectionBypasses: [] };
    expect(renderTableCsv(empty, 'sla-breaches')).toBe(`${TABLE_CSV_COLUMNS['sla-breaches'].join(',')}\r\n`);
    expect(parseCsv(renderTableCsv(empty, 'push-protection-bypasses'))).toHaveLength(1);
  });

  it('neutralises formulas in every text cell, repository and team names included, but not figures', () => {
    const hostile: ReportJson = {
      ...sampleReport,
      pushProtectionBypasses: [
        {
          ...(sampleReport.pushProtectionBypasses[0] as ReportJson['pushProtectionBypasses'][number]),
          actor: '@evil',
          reason: '+cmd|calc',
          secretType: '-1+1',
        },
      ],
      breakdowns: {
        ...sampleReport.breakdowns,
        byTeam: [{ team: '=1+1', repositories: ['=x/y'], counts: sampleReport.summary.total }],
      },
    };
    expect(records(renderTableCsv(hostile, 'push-protection-bypasses'))[0]).toMatchObject({
      actor: "'@evil",
      reason: "'+cmd|calc",
      secretType: "'-1+1",
    });
    expect(records(renderTableCsv(hostile, 'teams'))[0]).toMatchObject({
      team: "'=1+1",
      repositories: "'=x/y",
      openAtEnd: String(sampleReport.summary.total.openAtEnd),
    });
  });

  it('quotes a line break inside a cell (RFC 4180), in the tables and in report.csv', () => {
    const multiline = 'first line\nsecond, "quoted" line\r\nthird';
    const report: ReportJson = {
      ...sampleReport,
      transitions: sampleReport.transitions.map((t) =>
        t.to === 'dismissed' ? { ...t, comment: multiline } : t,
      ),
    };
    const dismissed = records(renderTableCsv(report, 'dismissals')).filter((r) => r.to === 'dismissed');
    expect(dismissed.map((r) => r.comment)).toEqual(dismissed.map(() => multiline));
    const all = parseCsv(renderTransitionsCsv(report));
    expect(all).toHaveLength(1 + report.transitions.length);
    expect(all.filter((r) => r[8] === multiline)).toHaveLength(4);
    expect(all[0]).toEqual([...TRANSITION_CSV_COLUMNS]);
  });
});
