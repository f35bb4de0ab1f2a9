import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SnapshotManifest } from '../core/model.ts';
import type { Period } from '../core/periods.ts';
import { slaPolicyOf } from '../runtime/config.ts';
import { createReportRuntime } from '../runtime/report-runtime.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { type IssuedReport, issueReport } from '../use-cases/issue-report.ts';
import { type SnapshotDeps, takeEnterpriseSnapshot, takeSnapshot } from '../use-cases/take-snapshot.ts';
import type { Progress } from './progress.ts';

async function snapshotDeps(rt: Runtime, progress: Progress, label: string): Promise<SnapshotDeps> {
  return {
    gh: await rt.github(),
    store: rt.store,
    log: progress.log,
    hideSecret: await rt.hideSecret(),
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
  return await takeSnapshot(await snapshotDeps(rt, progress, request.org), request);
}

/** An enterprise-wide snapshot: one manifest per organisation. */
export async function runEnterpriseSnapshot(
  rt: Runtime,
  progress: Progress,
  request: { enterprise: string; orgs?: string[]; now: Date; mode: 'incremental' | 'full' },
): Promise<SnapshotManifest[]> {
  return await takeEnterpriseSnapshot(await snapshotDeps(rt, progress, request.enterprise), request);
}

export interface WrittenReport {
  issued: IssuedReport;
  outDir: string;
  paths: { pdf: string; html: string; json: string; csv: string };
}

/**
 * Issues a report through the report use case, then reads its files back from S3 (what an
 * auditor would download) into `outDir`.
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
    const issued = await issueReport(deps, {
      org: request.org,
      period: request.period,
      now: request.now,
      timeZone: rt.config.TIME_ZONE,
      paperFormat: rt.config.PAPER_FORMAT,
      slaPolicy: slaPolicyOf(rt.config),
      ...(rt.config.TEAMS ? { teams: rt.config.TEAMS } : {}),
      email: rt.config.REPORT_FROM ? { from: rt.config.REPORT_FROM, to: rt.config.REPORT_TO } : null,
    });
    mkdirSync(request.outDir, { recursive: true });
    const paths = {
      pdf: join(request.outDir, 'report.pdf'),
      html: join(request.outDir, 'report.html'),
      json: join(request.outDir, 'report.json'),
      csv: join(request.outDir, 'report.csv'),
    };
    for (const [kind, path] of Object.entries(paths)) {
      const key = issued.record.keys[kind];
      if (!key) throw new Error(`report ${issued.record.reportId} has no ${kind} key`);
      const object = await deps.files.getObject(key);
      writeFileSync(path, object.body);
    }
    return { issued, outDir: request.outDir, paths };
  } finally {
    await deps.closeBrowser();
  }
}
