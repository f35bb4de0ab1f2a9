/**
 * The files of an issued report, what they are called, and the hash chain over all of them.
 *
 * A report issued before the table CSVs existed recorded the SHA-256 of four files (pdf, html,
 * json, csv); later ones record one per table as well. The chain hash of a record covers every
 * file hash the record has, so both kinds verify: a record of four files hashes exactly as
 * `chainHash` always did, and a record with tables chains that hash with the tables' hashes.
 */
import { type ChainLink, type ChainProblem, chainHash, type ReportHashes, sha256Hex } from '../core/chain.ts';
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
export type FileHashes = ReportHashes & Partial<Record<ReportTable, string>>;

const CORE_KINDS: ReadonlySet<string> = new Set(['pdf', 'html', 'json', 'csv']);

/**
 * The chain hash of a report over every file hash it records: `chainHash` over the four core
 * files and the report's identity, then, when the record has more files, SHA-256 over that and
 * each further `kind=hash`, in kind order.
 *
 * @example
 * reportChainHash({ org, scope: 'org', periodId, reportId, sha256: { pdf, html, json, csv }, previousChainHash });
 * // === chainHash(...) for a report without tables
 */
export function reportChainHash(link: Omit<ChainLink, 'sha256'> & { sha256: FileHashes }): string {
  const base = chainHash(link);
  const more = Object.entries(link.sha256)
    .filter((e): e is [string, string] => !CORE_KINDS.has(e[0]) && typeof e[1] === 'string')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (more.length === 0) return base;
  return sha256Hex([base, ...more.map(([kind, hash]) => `${kind}=${hash}`)].join('\n'));
}

/**
 * `checkChain` for records with any set of files: each record links to the one before and its
 * chain hash recomputes over every file hash it has.
 */
export function checkReportChain(
  records: readonly (Omit<ChainLink, 'sha256'> & { sha256: FileHashes; chainHash: string })[],
): ChainProblem[] {
  const problems: ChainProblem[] = [];
  let previous: string | null = null;
  for (const r of records) {
    if (r.previousChainHash !== previous) {
      problems.push({ reportId: r.reportId, problem: 'does not link to the report issued before it' });
    }
    if (reportChainHash(r) !== r.chainHash) {
      problems.push({
        reportId: r.reportId,
        problem: 'its recorded hashes were changed after it was issued',
      });
    }
    previous = r.chainHash;
  }
  return problems;
}
