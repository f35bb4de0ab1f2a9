import type { ChainProblem } from '../core/chain.ts';
import { checkChain, sha256Hex } from '../core/chain.ts';
import { readDocumentInfo } from '../render/pdf-info.ts';
import type { DynamoStore, ReportRecord } from '../store/dynamo-store.ts';
import type { ReportFileKind } from './report-files.ts';
import { ORG_SCOPE } from './report-scopes.ts';

export type { ReportFileKind } from './report-files.ts';

export interface VerifyResult {
  /** The issued report the files belong to, or null when no record has any of their hashes. */
  record: ReportRecord | null;
  /**
   * When no record has the files' hashes: the issued report the PDF says it is (its document
   * information names the report id), found in the chains looked in; null otherwise. The PDF
   * was then changed after that report was issued.
   */
  claimed: ReportRecord | null;
  /** The scope whose chain was checked: the record's, or the first one asked about. */
  scope: string;
  /** Files given whose bytes equal what the record holds. */
  matching: ReportFileKind[];
  /** Files given whose bytes differ (or that the record does not list): changed after issue. */
  changed: ReportFileKind[];
  /** Problems in the scope's hash chain itself (edited or removed records). */
  chainProblems: ChainProblem[];
  chainLength: number;
  ok: boolean;
}

/**
 * Checks report files (the PDF, HTML, JSON, report.csv and the table CSVs, any of them) against
 * the recorded hash chain of their organisation and scope: finds the issued report whose hashes
 * the files carry, names any file that changed, and checks that every record of the chain still
 * links to the one before it and recomputes over every file hash it holds. With `scopes`, looks
 * in each (the organisation's, the teams') and takes the one holding the files' report.
 *
 * @example
 * const result = await verifyReport(store, { org: 'octo', files: { pdf: readFileSync('report.pdf') } });
 */
export async function verifyReport(
  store: DynamoStore,
  request: {
    org: string;
    scope?: string;
    /** Scopes to look in, in order of preference; default `[scope ?? 'org']`. */
    scopes?: readonly string[];
    files: Partial<Record<ReportFileKind, Buffer>>;
  },
): Promise<VerifyResult> {
  const scopes = [...new Set(request.scopes ?? [request.scope ?? ORG_SCOPE])];
  const given = Object.entries(request.files) as [ReportFileKind, Buffer][];
  const hashes = new Map(given.map(([kind, body]) => [kind, sha256Hex(body)]));
  const kinds = given.map(([kind]) => kind);

  let best: {
    scope: string;
    records: ReportRecord[];
    record: ReportRecord;
    matching: ReportFileKind[];
  } | null = null;
  let first: { scope: string; records: ReportRecord[] } | null = null;
  const everyRecord: { scope: string; records: ReportRecord[] }[] = [];
  for (const scope of scopes) {
    const records = await store.listReportRecords(request.org, scope);
    first ??= { scope, records };
    everyRecord.push({ scope, records });
    for (const record of records) {
      const recorded = record.sha256 as unknown as Readonly<Record<string, string | undefined>>;
      const matching = kinds.filter((kind) => recorded[kind] === hashes.get(kind));
      if (matching.length > 0 && (!best || matching.length > best.matching.length)) {
        best = { scope, records, record, matching };
      }
    }
  }
  // Bytes that match nothing: the PDF may still say which report it was issued as.
  const claimedId =
    !best && request.files.pdf ? readDocumentInfo(request.files.pdf)?.AlertLedgerReportId : undefined;
  const claimedIn = claimedId
    ? everyRecord.find(({ records }) => records.some((r) => r.reportId === claimedId))
    : undefined;
  const claimed = claimedIn?.records.find((r) => r.reportId === claimedId) ?? null;
  const checked = best ?? claimedIn ?? first ?? { scope: ORG_SCOPE, records: [] };
  const chainProblems = checkChain(checked.records);
  const matching = best?.matching ?? [];
  const changed = kinds.filter((kind) => !matching.includes(kind));
  return {
    record: best?.record ?? null,
    claimed,
    scope: checked.scope,
    matching,
    changed,
    chainProblems,
    chainLength: checked.records.length,
    ok: best !== null && changed.length === 0 && chainProblems.length === 0,
  };
}
