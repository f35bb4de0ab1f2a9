import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SnapshotManifest } from '../core/model.ts';
import type { Period } from '../core/periods.ts';
import { slaPolicyOf } from '../runtime/config.ts';
import { createReportRuntime, type ReportRuntime } from '../runtime/report-runtime.ts';
import type { Runtime } from '../runtime/runtime.ts';
import type { IssuedReport } from '../use-cases/issue-report.ts';
import { issueReports } from '../use-cases/issue-reports.ts';
import { REPORT_FILES, type ReportFileKind } from '../use-cases/report-files.ts';
import { ORG_SCOPE } from '../use-cases/report-scopes.ts';
import { type SnapshotDeps, takeEnterpriseSnapshot, takeSnapshot } from '../use-cases/take-snapshot.ts';
import type { Progress } from './progress.ts';

/** `org`: the organisation read (its App installation when it has its own); none for an enterprise. */
async function snapshotDeps(
  rt: Runtime,
  progress: Progress,
  label: string,
  org?: string,
): Promise<SnapshotDeps> {
  return {
    gh: await rt.github(org),
    store: rt.store,
    log: progress.log,
    hideSecret: await rt.hideSecret(org),
    onProgress: ({ stream, pages, items }) =>
      progress.update(`  ${label} ${stream}: ${items} items, ${pages} pages`),
  };
}

/** One snapshot through the same use case the Lambda runs, with progress on the terminal. */
export async function runSnapshot(
  rt: Runtime,
  progress: Progress,
  request: { org: string; now: Date; mode: 'incremental' | 'full' },
): Promise<SnapshotManifest> {
  return await takeSnapshot(await snapshotDeps(rt, progress, request.org, request.org), request);
}

/** An enterprise-wide snapshot: one manifest per organisation. */
export async function runEnterpriseSnapshot(
  rt: Runtime,
  progress: Progress,
  request: { enterprise: string; orgs?: string[]; now: Date; mode: 'incremental' | 'full' },
): Promise<SnapshotManifest[]> {
  return await takeEnterpriseSnapshot(await snapshotDeps(rt, progress, request.enterprise), request);
}

export interface WrittenScope {
  issued: IssuedReport;
  outDir: string;
  /** Each file of the report (report.pdf, .html, .json, .csv and the table CSVs) by kind. */
  paths: Record<ReportFileKind, string>;
}

export interface WrittenReport extends WrittenScope {
  /** The reports of the teams with recipients, each in `<outDir>/<scope>/` (team-<name>). */
  scopes: WrittenScope[];
}

/**
 * Issues the reports of a period through the report use case (the organisation-wide one, then
 * one per team with recipients in TEAMS), then reads their files back from S3 (what an auditor
 * would download): the organisation's into `outDir`, each team's into `outDir/<scope>/`.
 */
export async function runReport(
  rt: Runtime,
  progress: Progress,
  request: { org: string; period: Period; now: Date; outDir: string },
): Promise<WrittenReport> {
  const deps = createReportRuntime(rt, progress.log);
  try {
    await deps.files.ensureBucket();
    progress.update(`  rendering ${request.org} ${request.period.id} with Chromium`);
    const { issued, failures } = await issueReports(deps, {
      org: request.org,
      period: request.period,
      now: request.now,
      timeZone: rt.config.TIME_ZONE,
      paperFormat: rt.config.PAPER_FORMAT,
      slaPolicy: slaPolicyOf(rt.config),
      ...(rt.config.TEAMS ? { teams: rt.config.TEAMS } : {}),
      email: rt.config.REPORT_FROM ? { from: rt.config.REPORT_FROM, to: rt.config.REPORT_TO } : null,
      linkExpiryHours: rt.config.REPORT_LINK_EXPIRY_HOURS,
    });
    const written: WrittenScope[] = [];
    for (const one of issued) {
      const outDir = one.scope === ORG_SCOPE ? request.outDir : join(request.outDir, one.scope);
      written.push({ issued: one, outDir, paths: await writeFiles(deps, one, outDir) });
    }
    const [failure] = failures;
    if (failure) throw failure.error;
    const [org, ...scopes] = written;
    if (!org || org.issued.scope !== ORG_SCOPE)
      throw new Error('the organisation-wide report was not issued');
    return { ...org, scopes };
  } finally {
    await deps.closeBrowser();
  }
}

async function writeFiles(
  deps: ReportRuntime,
  issued: IssuedReport,
  outDir: string,
): Promise<Record<ReportFileKind, string>> {
  mkdirSync(outDir, { recursive: true });
  const paths = {} as Record<ReportFileKind, string>;
  for (const file of REPORT_FILES) {
    const key = issued.record.keys[file.kind];
    if (!key) throw new Error(`report ${issued.record.reportId} has no ${file.kind} key`);
    const object = await deps.files.getObject(key);
    const path = join(outDir, file.name);
    writeFileSync(path, object.body);
    paths[file.kind] = path;
  }
  return paths;
}
