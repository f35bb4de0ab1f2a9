import { type ChainProblem, checkChain, type ReportHashes, sha256Hex } from '../core/chain.ts';
import type { DynamoStore, ReportRecord } from '../store/dynamo-store.ts';

export type ReportFileKind = keyof ReportHashes;

export interface VerifyResult {
  /** The issued report the files belong to, or null when no record has any of their hashes. */
  record: ReportRecord | null;
  /** Files given whose bytes equal what the record holds. */
  matching: ReportFileKind[];
  /** Files given whose bytes differ: changed after issue. */
  changed: ReportFileKind[];
  /** Problems in the scope's hash chain itself (edited or removed records). */
  chainProblems: ChainProblem[];
  chainLength: number;
  ok: boolean;
}

/**
 * Checks report files against the recorded hash chain of their organisation and scope: finds the
 * issued report whose hashes the files carry, names any file that changed, and checks that every
 * record of the chain still links to the one before it.
 *
 * @example
 * const result = await verifyReport(store, { org: 'octo', files: { pdf: readFileSync('report.pdf') } });
 */
export async function verifyReport(
  store: DynamoStore,
  request: { org: string; scope?: string; files: Partial<Record<ReportFileKind, Buffer>> },
): Promise<VerifyResult> {
  const records = await store.listReportRecords(request.org, request.scope ?? 'org');
  const chainProblems = checkChain(records);
  const given = Object.entries(request.files) as [ReportFileKind, Buffer][];
  const hashes = new Map(given.map(([kind, body]) => [kind, sha256Hex(body)]));
  let best: { record: ReportRecord; matching: ReportFileKind[] } | null = null;
  for (const record of records) {
    const matching = given.map(([kind]) => kind).filter((kind) => record.sha256[kind] === hashes.get(kind));
    if (matching.length > 0 && (!best || matching.length > best.matching.length)) best = { record, matching };
  }
  const matching = best?.matching ?? [];
  const changed = given.map(([kind]) => kind).filter((kind) => !matching.includes(kind));
  return {
    record: best?.record ?? null,
    matching,
    changed,
    chainProblems,
    chainLength: records.length,
    ok: best !== null && changed.length === 0 && chainProblems.length === 0,
  };
}
