/**
 * The files of an issued report and what they are called. The hash chain over all of them is
 * `chainHash` in `core/chain.ts`.
 */
import type { ReportHashes } from '../core/chain.ts';
import { REPORT_TABLES, type ReportTable } from '../render/csv.ts';

export type ReportFileKind = keyof ReportHashes | ReportTable;

/** Every file of a report by kind: its name in S3 and in an output folder, and its type. */
export const REPORT_FILES: readonly { kind: ReportFileKind; name: string; contentType: string }[] = [
  { kind: 'pdf', name: 'report.pdf', contentType: 'application/pdf' },
  { kind: 'html', name: 'report.html', contentType: 'text/html; charset=utf-8' },
  { kind: 'json', name: 'report.json', contentType: 'application/json' },
  { kind: 'csv', name: 'report.csv', contentType: 'text/csv; charset=utf-8' },
  ...REPORT_TABLES.map((table) => ({
    kind: table,
    name: `${table}.csv`,
    contentType: 'text/csv; charset=utf-8',
  })),
];

export const REPORT_FILE_KINDS: readonly ReportFileKind[] = REPORT_FILES.map((f) => f.kind);

export function reportFileName(kind: ReportFileKind): string {
  return REPORT_FILES.find((f) => f.kind === kind)?.name ?? kind;
}

/** The four files every report has; the tables are optional (older reports lack them). */
export type { FileHashes } from '../core/chain.ts';
