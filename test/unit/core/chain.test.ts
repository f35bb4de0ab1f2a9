import { describe, expect, it } from 'vitest';
import { type ChainLink, chainHash, checkChain, sha256Hex } from '../../../functions/core/chain.ts';

function link(
  reportId: string,
  previousChainHash: string | null,
  pdf = `pdf-${reportId}`,
): ChainLink & { chainHash: string } {
  const l: ChainLink = {
    org: 'octo-demo',
    scope: 'org',
    periodId: '2026-W46',
    reportId,
    sha256: { pdf: sha256Hex(pdf), html: sha256Hex('h'), json: sha256Hex('j'), csv: sha256Hex('c') },
    previousChainHash,
  };
  return { ...l, chainHash: chainHash(l) };
}

describe('report hash chain', () => {
  const first = link('r1', null);
  const second = link('r2', first.chainHash);
  const third = link('r3', second.chainHash);

  it('is intact when every record links to the one before and recomputes', () => {
    expect(checkChain([first, second, third])).toEqual([]);
    expect(sha256Hex('Hello, World!')).toBe(
      'dffd6021bb2bd5b0af676290809ec3a53191dd81c7f70a4b28688a362182986f',
    );
  });

  it('names the record whose hashes were edited, and the one whose predecessor vanished', () => {
    const edited = { ...second, sha256: { ...second.sha256, pdf: sha256Hex('other bytes') } };
    expect(checkChain([first, edited, third])).toEqual([
      { reportId: 'r2', problem: 'its recorded hashes were changed after it was issued' },
    ]);
    expect(checkChain([first, third])).toEqual([
      { reportId: 'r3', problem: 'does not link to the report issued before it' },
    ]);
  });

  it('changes when any file, the identity or the predecessor changes', () => {
    const base = link('r1', null);
    expect(link('r1', null, 'pdf-changed').chainHash).not.toBe(base.chainHash);
    expect(link('r1', 'x').chainHash).not.toBe(base.chainHash);
    expect(link('r9', null, 'pdf-r1').chainHash).not.toBe(base.chainHash);
  });
});
