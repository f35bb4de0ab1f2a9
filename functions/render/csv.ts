/**
 * report.csv: one row per transition, for auditors' spreadsheets.
 *
 * Actors, reasons, comments and titles are typed by GitHub users. A cell starting with
 * = + - @ (or a tab / carriage return that a spreadsheet strips) is run as a formula by Excel,
 * LibreOffice and Google Sheets (CSV injection), so such cells get a leading apostrophe, which
 * spreadsheets show as text and hide.
 */
import { stringify } from 'csv-stringify/sync';
import type { ReportJson } from '../core/report-model.ts';

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
  return stringify(rows, { header: true, columns: [...TRANSITION_CSV_COLUMNS], record_delimiter: '\r\n' });
}
