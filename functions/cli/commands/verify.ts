import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { InputError } from '../../runtime/inputs.ts';
import { type ReportFileKind, verifyReport } from '../../use-cases/verify-report.ts';
import type { GlobalOptions } from '../main.ts';
import { createProgress } from '../progress.ts';
import { withLocalRuntime } from './local-runtime.ts';

const KINDS: ReportFileKind[] = ['pdf', 'html', 'json', 'csv'];

function readReportFiles(path: string): Partial<Record<ReportFileKind, Buffer>> {
  if (!existsSync(path))
    throw new InputError(`${path} does not exist: give a report folder or one of its files.`);
  const files: Partial<Record<ReportFileKind, Buffer>> = {};
  if (statSync(path).isDirectory()) {
    for (const kind of KINDS) {
      const file = join(path, `report.${kind}`);
      if (existsSync(file)) files[kind] = readFileSync(file);
    }
  } else {
    const kind = KINDS.find((k) => path.endsWith(`.${k}`));
    if (!kind) throw new InputError(`${basename(path)} is not a report file (.pdf, .html, .json or .csv).`);
    files[kind] = readFileSync(path);
  }
  if (Object.keys(files).length === 0)
    throw new InputError(`${path} holds no report.pdf, .html, .json or .csv.`);
  return files;
}

function orgOf(files: Partial<Record<ReportFileKind, Buffer>>, explicit?: string): string {
  if (explicit) return explicit;
  const json = files.json;
  try {
    const org = (JSON.parse(json?.toString('utf8') ?? '') as { org?: unknown }).org;
    if (typeof org === 'string') return org;
  } catch {
    // fall through to the error below
  }
  throw new InputError('cannot tell the organisation from the files: pass --org ORG.');
}

/** `alert-ledger verify PATH [--org ORG]`: exit 0 when intact, 1 when anything changed. */
export async function runVerifyCommand(
  globals: GlobalOptions,
  path: string,
  opts: { org?: string },
): Promise<boolean> {
  const files = readReportFiles(path);
  const org = orgOf(files, opts.org);
  const progress = createProgress({ quiet: false });
  return await withLocalRuntime(globals.dataDir, progress.log, {}, async (rt) => {
    const result = await verifyReport(rt.store, { org, files });
    const names = (kinds: ReportFileKind[]) => kinds.map((k) => `report.${k}`).join(', ');
    if (!result.record) {
      progress.line(
        `NOT VERIFIED: no report issued for ${org} has these files' hashes (${names(result.changed)}): they were changed, or not issued by this ledger.`,
      );
    } else {
      const r = result.record;
      progress.line(`Report ${r.reportId} (${r.org} ${r.periodId}, issued ${r.issuedAt})`);
      if (result.matching.length > 0) progress.line(`  unchanged: ${names(result.matching)}`);
      if (result.changed.length > 0) progress.line(`  CHANGED after issue: ${names(result.changed)}`);
    }
    for (const p of result.chainProblems)
      progress.line(`  CHAIN BROKEN at report ${p.reportId}: ${p.problem}`);
    if (result.chainProblems.length === 0)
      progress.line(`  hash chain of ${result.chainLength} report(s) intact`);
    progress.line(result.ok ? 'OK' : 'FAILED');
    return result.ok;
  });
}
