import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { teamScopeId } from '../../runtime/config.ts';
import { InputError } from '../../runtime/inputs.ts';
import { REPORT_FILES, type ReportFileKind, reportFileName } from '../../use-cases/report-files.ts';
import { ORG_SCOPE } from '../../use-cases/report-scopes.ts';
import { verifyReport } from '../../use-cases/verify-report.ts';
import type { GlobalOptions } from '../main.ts';
import { createProgress } from '../progress.ts';
import { withLocalRuntime } from './local-runtime.ts';

/** A file renamed on the way (an email attachment "alert-ledger-octo-2026-W46.pdf") by its extension. */
const BY_EXTENSION: readonly ReportFileKind[] = ['pdf', 'html', 'json', 'csv'];

function kindOf(path: string): ReportFileKind | undefined {
  const name = basename(path);
  return REPORT_FILES.find((f) => f.name === name)?.kind ?? BY_EXTENSION.find((k) => name.endsWith(`.${k}`));
}

function readReportFiles(path: string): Partial<Record<ReportFileKind, Buffer>> {
  if (!existsSync(path))
    throw new InputError(`${path} does not exist: give a report folder or one of its files.`);
  const files: Partial<Record<ReportFileKind, Buffer>> = {};
  if (statSync(path).isDirectory()) {
    for (const { kind, name } of REPORT_FILES) {
      const file = join(path, name);
      if (existsSync(file)) files[kind] = readFileSync(file);
    }
  } else {
    const kind = kindOf(path);
    if (!kind) throw new InputError(`${basename(path)} is not a report file (.pdf, .html, .json or .csv).`);
    files[kind] = readFileSync(path);
  }
  if (Object.keys(files).length === 0)
    throw new InputError(`${path} holds no report.pdf, .html, .json or .csv, nor any table CSV.`);
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

/**
 * Where to look for the files' report: the scope given; else a team folder's own scope
 * (`report` writes a team's files into `<out>/team-<name>/`), the organisation's, and every
 * configured team's.
 */
function scopesFor(path: string, teams: Record<string, unknown> | undefined, explicit?: string): string[] {
  if (explicit) return [explicit];
  const folder = basename(statSync(path).isDirectory() ? resolve(path) : dirname(resolve(path)));
  const fromFolder = folder.startsWith('team-') ? [folder] : [];
  return [...new Set([...fromFolder, ORG_SCOPE, ...Object.keys(teams ?? {}).map(teamScopeId)])];
}

/** `alert-ledger verify PATH [--org ORG]`: exit 0 when intact, 1 when anything changed. */
export async function runVerifyCommand(
  globals: GlobalOptions,
  path: string,
  opts: { org?: string; scope?: string },
): Promise<boolean> {
  const files = readReportFiles(path);
  const org = orgOf(files, opts.org);
  const progress = createProgress({ quiet: false });
  return await withLocalRuntime(globals.dataDir, progress.log, {}, async (rt) => {
    const scopes = scopesFor(path, rt.config.TEAMS, opts.scope);
    const result = await verifyReport(rt.store, { org, scopes, files });
    const names = (kinds: ReportFileKind[]) => kinds.map(reportFileName).join(', ');
    if (!result.record && result.claimed) {
      const c = result.claimed;
      const scope = c.scope === ORG_SCOPE ? '' : ` ${c.scope}`;
      progress.line(
        `Report ${c.reportId} (${c.org}${scope} ${c.periodId}, issued ${c.issuedAt}), as the PDF says`,
      );
      progress.line(
        `  CHANGED after issue: ${names(result.changed)} (none of the given files has the bytes recorded for this report)`,
      );
    } else if (!result.record) {
      progress.line(
        `NOT VERIFIED: no report issued for ${org} has these files' hashes (${names(result.changed)}): they were changed, or not issued by this ledger.`,
      );
      progress.line(
        `  looked in the report chains of: ${scopes.join(', ')} (a team's report is found in its folder team-<name>/, or through TEAMS)`,
      );
    } else {
      const r = result.record;
      const scope = r.scope === ORG_SCOPE ? '' : ` ${r.scope}`;
      progress.line(`Report ${r.reportId} (${r.org}${scope} ${r.periodId}, issued ${r.issuedAt})`);
      if (result.matching.length > 0) progress.line(`  unchanged: ${names(result.matching)}`);
      if (result.changed.length > 0) progress.line(`  CHANGED after issue: ${names(result.changed)}`);
    }
    for (const p of result.chainProblems)
      progress.line(`  CHAIN BROKEN at report ${p.reportId}: ${p.problem}`);
    if (result.chainProblems.length === 0)
      progress.line(`  hash chain of ${result.chainLength} report(s) (${result.scope}) intact`);
    progress.line(result.ok ? 'OK' : 'FAILED');
    return result.ok;
  });
}
