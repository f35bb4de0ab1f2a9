import { createHash } from 'node:crypto';

/** The files of one issued report, by SHA-256 (hex). */
export interface ReportHashes {
  pdf: string;
  html: string;
  json: string;
  csv: string;
}

/**
 * Every file hash a record has: the four files every report has, and any further ones (one CSV
 * per table since those were added; older records have only the four).
 */
export type FileHashes = ReportHashes & { readonly [file: string]: string | undefined };

export interface ChainLink {
  org: string;
  scope: string;
  periodId: string;
  reportId: string;
  sha256: FileHashes;
  previousChainHash: string | null;
}

const CORE_FILES: ReadonlySet<string> = new Set(['pdf', 'html', 'json', 'csv']);

export const sha256Hex = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/**
 * The hash that links a report to its predecessor: over the previous chain hash, every file's
 * hash and the report's identity. Changing any file, or any earlier report, changes it. A record
 * of the four core files hashes as it always did; further files are chained after, as
 * `name=hash` in name order, so older records still verify.
 *
 * @example
 * chainHash({ org: 'octo', scope: 'org', periodId: '2026-W46', reportId: 'r1', sha256, previousChainHash: null });
 */
export function chainHash(link: ChainLink): string {
  const { sha256 } = link;
  const base = sha256Hex(
    [
      link.previousChainHash ?? '',
      sha256.pdf,
      sha256.html,
      sha256.json,
      sha256.csv,
      link.org,
      link.scope,
      link.periodId,
      link.reportId,
    ].join('\n'),
  );
  const more = Object.entries(sha256)
    .filter((e): e is [string, string] => !CORE_FILES.has(e[0]) && typeof e[1] === 'string')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (more.length === 0) return base;
  return sha256Hex([base, ...more.map(([file, hash]) => `${file}=${hash}`)].join('\n'));
}

export interface ChainProblem {
  reportId: string;
  problem: string;
}

/**
 * Checks a scope's records in issue order: each links to the one before and its chain hash
 * recomputes. Returns the problems found (none when intact).
 */
export function checkChain(records: readonly (ChainLink & { chainHash: string })[]): ChainProblem[] {
  const problems: ChainProblem[] = [];
  let previous: string | null = null;
  for (const r of records) {
    if (r.previousChainHash !== previous) {
      problems.push({ reportId: r.reportId, problem: 'does not link to the report issued before it' });
    }
    if (chainHash(r) !== r.chainHash) {
      problems.push({
        reportId: r.reportId,
        problem: 'its recorded hashes were changed after it was issued',
      });
    }
    previous = r.chainHash;
  }
  return problems;
}
