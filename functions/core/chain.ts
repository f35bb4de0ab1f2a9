import { createHash } from 'node:crypto';

/** The files of one issued report, by SHA-256 (hex). */
export interface ReportHashes {
  pdf: string;
  html: string;
  json: string;
  csv: string;
}

export interface ChainLink {
  org: string;
  scope: string;
  periodId: string;
  reportId: string;
  sha256: ReportHashes;
  previousChainHash: string | null;
}

export const sha256Hex = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/**
 * The hash that links a report to its predecessor: over the previous chain hash, every file's
 * hash and the report's identity. Changing any file, or any earlier report, changes it.
 *
 * @example
 * chainHash({ org: 'octo', scope: 'org', periodId: '2026-W46', reportId: 'r1', sha256, previousChainHash: null });
 */
export function chainHash(link: ChainLink): string {
  const { sha256 } = link;
  return sha256Hex(
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
