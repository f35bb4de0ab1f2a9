/**
 * report.csv (one row per transition) and one CSV per table an auditor filters in a spreadsheet:
 * SLA breaches, dismissals and resolutions, reopened alerts, push-protection bypasses, notable
 * events, and the figures by repository and by team. RFC 4180 (csv-stringify: fields with a comma,
 * quote or line break quoted, quotes doubled, CRLF between records), a header row, UTF-8.
 *
 * Actors, reasons, comments and titles are typed by GitHub users. A cell starting with
 * = + - @ (or a tab / carriage return that a spreadsheet strips) is run as a formula by Excel,
 * LibreOffice and Google Sheets (CSV injection), so such cells get a leading apostrophe, which
 * spreadsheets show as text and hide.
 */
import { stringify } from 'csv-stringify/sync';
import type { Counts, ReportJson, ReportTransition } from '../core/report-model.ts';

export const TRANSITION_CSV_COLUMNS = [
  'alertType',
  'repository',
  'number',
  'from',
  'to',
  'at',
  'actor',
  'reason',
  'comment',
  'source',
  'severity',
  'title',
  'url',
] as const;

const FORMULA_START = /^[=+\-@\t\r]/;

/** Neutralises a cell a spreadsheet would evaluate as a formula. */
export function neutralizeFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** A cell as a table gives it: text (from GitHub or configuration) is neutralised, figures are not. */
type Cell = string | number | boolean | null;

function cellText(value: Cell): string {
  if (value === null) return '';
  if (typeof value === 'string') return neutralizeFormula(value);
  return String(value);
}

/**
 * RFC 4180: CRLF between records, and every field holding a line break quoted. csv-stringify
 * quotes a field only when it holds the record delimiter itself, so a comment with a bare "\n"
 * (common in GitHub dismissal comments) would split its row in a spreadsheet without
 * `quoted_match`.
 */
const CSV_OPTIONS = { header: true, record_delimiter: '\r\n', quoted_match: /[\r\n]/ } as const;

function toCsv(columns: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return stringify(
    rows.map((row) => row.map(cellText)),
    { ...CSV_OPTIONS, columns: [...columns] },
  );
}

export function renderTransitionsCsv(report: ReportJson): string {
  const rows = report.transitions.map((t) =>
    [
      t.alertType,
      t.repository,
      String(t.number),
      t.from ?? '',
      t.to,
      t.at,
      t.actor ?? '',
      t.reason ?? '',
      t.comment ?? '',
      t.source,
      t.severity,
      t.title,
      t.htmlUrl,
    ].map(neutralizeFormula),
  );
  return stringify(rows, { ...CSV_OPTIONS, columns: [...TRANSITION_CSV_COLUMNS] });
}

/** The tables issued as CSV files beside report.csv; each is `<name>.csv`. */
export const REPORT_TABLES = [
  'sla-breaches',
  'dismissals',
  'reopened',
  'push-protection-bypasses',
  'notable-events',
  'repositories',
  'teams',
] as const;
export type ReportTable = (typeof REPORT_TABLES)[number];

const COUNT_COLUMNS = [
  'openAtStart',
  'opened',
  'reopened',
  'fixed',
  'dismissed',
  'openAtEnd',
  'mttrDays',
  'netResolveRate',
] as const;

function countCells(c: Counts): Cell[] {
  return [
    c.openAtStart,
    c.opened,
    c.reopened,
    c.fixed,
    c.dismissed,
    c.openAtEnd,
    c.mttrDays,
    c.netResolveRate,
  ];
}

/** Column names of each table, in order. */
export const TABLE_CSV_COLUMNS: Readonly<Record<ReportTable, readonly string[]>> = {
  'sla-breaches': [
    'alertType',
    'repository',
    'number',
    'severity',
    'openedAt',
    'dueAt',
    'daysOverdue',
    'title',
    'url',
  ],
  dismissals: [
    'at',
    'alertType',
    'repository',
    'number',
    'severity',
    'from',
    'to',
    'actor',
    'reason',
    'comment',
    'no_comment',
    'source',
    'title',
    'url',
  ],
  reopened: [
    'at',
    'alertType',
    'repository',
    'number',
    'severity',
    'from',
    'actor',
    'reason',
    'comment',
    'source',
    'title',
    'url',
  ],
  'push-protection-bypasses': [
    'at',
    'repository',
    'number',
    'secretType',
    'actor',
    'reason',
    'resolved',
    'url',
  ],
  'notable-events': ['at', 'kind', 'alertType', 'repository', 'number', 'severity', 'actor', 'title', 'url'],
  repositories: ['repository', ...COUNT_COLUMNS],
  teams: ['team', 'repositories', ...COUNT_COLUMNS],
};

/** A dismissal without a comment: the PDF flags the same rows ("no comment"). */
function withoutComment(t: ReportTransition): boolean {
  return t.to === 'dismissed' && (t.comment === null || t.comment.trim() === '');
}

function tableRows(report: ReportJson, table: ReportTable): Cell[][] {
  switch (table) {
    case 'sla-breaches':
      return [...report.slaBreaches]
        .sort((a, b) => b.daysOverdue - a.daysOverdue || compareAlert(a, b))
        .map((b) => [
          b.alertType,
          b.repository,
          b.number,
          b.severity,
          b.openedAt,
          b.dueAt,
          b.daysOverdue,
          b.title,
          b.htmlUrl,
        ]);
    case 'dismissals':
      // Every resolution of the period, fixes included, as the PDF's "Dismissals and resolutions".
      return report.transitions
        .filter((t) => t.to === 'fixed' || t.to === 'dismissed')
        .map((t) => [
          t.at,
          t.alertType,
          t.repository,
          t.number,
          t.severity,
          t.from,
          t.to,
          t.actor,
          t.reason,
          t.comment,
          withoutComment(t),
          t.source,
          t.title,
          t.htmlUrl,
        ]);
    case 'reopened':
      return report.transitions
        .filter((t) => t.to === 'open' && t.from !== null && t.from !== 'open')
        .map((t) => [
          t.at,
          t.alertType,
          t.repository,
          t.number,
          t.severity,
          t.from,
          t.actor,
          t.reason,
          t.comment,
          t.source,
          t.title,
          t.htmlUrl,
        ]);
    case 'push-protection-bypasses':
      return report.pushProtectionBypasses.map((b) => [
        b.at,
        b.repository,
        b.number,
        b.secretType,
        b.actor,
        b.reason,
        b.resolved,
        b.htmlUrl,
      ]);
    case 'notable-events':
      return report.notableEvents.map((n) => [
        n.at,
        n.kind,
        n.alertType,
        n.repository,
        n.number,
        n.severity,
        n.actor,
        n.title,
        n.htmlUrl,
      ]);
    case 'repositories':
      return report.breakdowns.byRepository.map((r) => [r.repository, ...countCells(r.counts)]);
    case 'teams':
      // One cell for the team's repositories, space-separated (a repository name has no space).
      return report.breakdowns.byTeam.map((t) => [t.team, t.repositories.join(' '), ...countCells(t.counts)]);
  }
}

function compareAlert(
  a: { alertType: string; repository: string; number: number },
  b: { alertType: string; repository: string; number: number },
): number {
  return (
    a.alertType.localeCompare(b.alertType) || a.repository.localeCompare(b.repository) || a.number - b.number
  );
}

/**
 * One table of the report as CSV.
 *
 * @example
 * renderTableCsv(report, 'dismissals'); // "at,alertType,...,no_comment,...\r\n2026-11-10T...,dependabot,..."
 */
export function renderTableCsv(report: ReportJson, table: ReportTable): string {
  return toCsv(TABLE_CSV_COLUMNS[table], tableRows(report, table));
}

/** Every table of the report as CSV, by table name. */
export function renderTableCsvs(report: ReportJson): Record<ReportTable, string> {
  return Object.fromEntries(REPORT_TABLES.map((t) => [t, renderTableCsv(report, t)])) as Record<
    ReportTable,
    string
  >;
}
