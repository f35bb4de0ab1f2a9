import { describe, expect, it } from 'vitest';
import { type ChainLink, chainHash, checkChain, sha256Hex } from '../../../functions/core/chain.ts';
import { REPORT_TABLES } from '../../../functions/render/csv.ts';
import { type FileHashes, REPORT_FILES } from '../../../functions/use-cases/report-files.ts';

const core = { pdf: sha256Hex('p'), html: sha256Hex('h'), json: sha256Hex('j'), csv: sha256Hex('c') };
const tables = Object.fromEntries(REPORT_TABLES.map((t) => [t, sha256Hex(t)])) as Required<FileHashes>;

function link(
  reportId: string,
  previousChainHash: string | null,
  sha256: FileHashes,
): Omit<ChainLink, 'sha256'> & { sha256: FileHashes; chainHash: string } {
  const l = { org: 'octo', scope: 'team-web', periodId: '2026-W46', reportId, sha256, previousChainHash };
  return { ...l, chainHash: chainHash(l) };
}

describe('report files and the hash chain over them', () => {
  it('names every file once: the four of old reports, then one CSV per table', () => {
    expect(REPORT_FILES.map((f) => f.name)).toEqual([
      'report.pdf',
      'report.html',
      'report.json',
      'report.csv',
      'sla-breaches.csv',
      'dismissals.csv',
      'reopened.csv',
      'push-protection-bypasses.csv',
      'notable-events.csv',
      'repositories.csv',
      'teams.csv',
    ]);
  });

  it('hashes a record of the four core files exactly as chainHash did: old records still verify', () => {
    const old = {
      org: 'octo',
      scope: 'org',
      periodId: '2026-W40',
      reportId: 'r0',
      sha256: core,
      previousChainHash: null,
    };
    // The chain hash of the first version, written out: SHA-256 over these lines.
    const firstVersion = sha256Hex(
      ['', core.pdf, core.html, core.json, core.csv, 'octo', 'org', '2026-W40', 'r0'].join('\n'),
    );
    expect(chainHash(old)).toBe(firstVersion);
    expect(checkChain([{ ...old, chainHash: firstVersion }])).toEqual([]);
  });

  it('covers every table hash: changing, removing or adding one breaks the record', () => {
    const full = link('r1', null, { ...core, ...tables });
    expect(full.chainHash).not.toBe(chainHash({ ...full, sha256: core }));
    expect(checkChain([full])).toEqual([]);
    for (const table of REPORT_TABLES) {
      const edited = { ...full, sha256: { ...full.sha256, [table]: sha256Hex('edited') } };
      expect(checkChain([edited]), table).toEqual([
        { reportId: 'r1', problem: 'its recorded hashes were changed after it was issued' },
      ]);
      const { [table]: _dropped, ...rest } = full.sha256;
      expect(checkChain([{ ...full, sha256: rest }]), table).toHaveLength(1);
    }
    // Key order does not matter, only the set of kinds and their hashes.
    const reversed = Object.fromEntries(Object.entries(full.sha256).reverse()) as FileHashes;
    expect(chainHash({ ...full, sha256: reversed })).toBe(full.chainHash);
  });

  it('chains old and new records together, and names a broken link', () => {
    const old = {
      org: 'octo',
      scope: 'team-web',
      periodId: '2026-W45',
      reportId: 'r0',
      sha256: core,
      previousChainHash: null,
    };
    const first = { ...old, chainHash: chainHash(old) };
    const second = link('r1', first.chainHash, { ...core, ...tables });
    const third = link('r2', second.chainHash, { ...core, ...tables, dismissals: sha256Hex('d2') });
    expect(checkChain([first, second, third])).toEqual([]);
    expect(checkChain([first, third])).toEqual([
      { reportId: 'r2', problem: 'does not link to the report issued before it' },
    ]);
  });
});
