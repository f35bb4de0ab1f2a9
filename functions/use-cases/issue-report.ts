import { randomUUID } from 'node:crypto';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { Browser } from 'puppeteer-core';
import { chainHash, sha256Hex as sha256 } from '../core/chain.ts';
import { lastPeriods, type Period } from '../core/periods.ts';
import { computeReport } from '../core/report.ts';
import { DEFAULT_SLA_POLICY, type ReportJson, type SlaPolicy } from '../core/report-model.ts';
import { buildReportEmail, REPORT_HASH_HEADER, sendRawEmail } from '../deliver/email.ts';
import type { ReportStore } from '../deliver/s3-store.ts';
import { renderReportEmail } from '../render/email-body.ts';
import { renderReportDocuments } from '../render/report-documents.ts';
import type { DynamoStore, ReportRecord } from '../store/dynamo-store.ts';
import { loadReportInput } from './load-report-input.ts';
import type { Log } from './log.ts';

export interface ReportDeps {
  store: DynamoStore;
  files: ReportStore;
  ses: SESv2Client;
  /** Launched once and reused across scopes and warm invocations. */
  browser: () => Promise<Browser>;
  log: Log;
}

export interface ReportRequest {
  org: string;
  period: Period;
  now: Date;
  timeZone: string;
  paperFormat: 'A4' | 'Letter';
  email: { from: string; to: string[] } | null;
  slaPolicy?: SlaPolicy;
  /** Team name to its repositories, for the per-team figures. */
  teams?: Readonly<Record<string, readonly string[]>>;
  /** "org" for the organisation-wide report; team scopes come later. */
  scope?: string;
}

export interface IssuedReport {
  report: ReportJson;
  record: ReportRecord;
  files: { pdf: Buffer; html: string; json: string; csv: string };
  emailMessageId: string | null;
}

/**
 * Issues the report of one period: computes report.json from the store, renders HTML and a
 * PDF with Chromium, writes PDF/HTML/JSON/CSV to S3 under a new report id (never overwriting an
 * issued report), appends the report to its scope's hash chain, and emails the PDF.
 *
 * @example
 * const issued = await issueReport(deps, { org: 'octo', period: parsePeriodId('2026-W46'), now, ... });
 */
export async function issueReport(deps: ReportDeps, request: ReportRequest): Promise<IssuedReport> {
  const { org, period } = request;
  const scope = request.scope ?? 'org';
  const ctx = { org, period: period.id, scope };
  deps.log.info('report started', ctx);

  const trendPeriods = lastPeriods(period, 12, request.timeZone);
  const [{ input, reads }, previous] = await Promise.all([
    loadReportInput(deps.store, org, period, trendPeriods),
    deps.store.latestReportRecord(org, scope),
  ]);
  deps.log.info('report data read', { ...ctx, ...reads });
  const report = computeReport({
    ...input,
    generatedAt: request.now.toISOString(),
    slaPolicy: request.slaPolicy ?? DEFAULT_SLA_POLICY,
    ...(request.teams ? { teams: request.teams } : {}),
  });

  const issuedAt = request.now.toISOString();
  const reportId = `${issuedAt.replace(/[-:.]/g, '')}-${randomUUID().slice(0, 8)}`;
  const previousChainHash = previous?.chainHash ?? null;
  const { html, pdf, csv, pdfSha256 } = await renderReportDocuments(await deps.browser(), report, {
    format: request.paperFormat,
    previousReportHash: previousChainHash,
    reportId,
  });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const hashes = { pdf: pdfSha256, html: sha256(html), json: sha256(json), csv: sha256(csv) };
  const chain = chainHash({ org, scope, periodId: period.id, reportId, sha256: hashes, previousChainHash });

  const prefix = `reports/${org}/${scope}/${period.id}/${reportId}`;
  const [pdfKey, htmlKey, jsonKey, csvKey] = await deps.files.putReportFiles(prefix, [
    { name: 'report.pdf', body: pdf, contentType: 'application/pdf' },
    { name: 'report.html', body: html, contentType: 'text/html; charset=utf-8' },
    { name: 'report.json', body: json, contentType: 'application/json' },
    { name: 'report.csv', body: csv, contentType: 'text/csv; charset=utf-8' },
  ]);
  const record: ReportRecord = {
    org,
    scope,
    periodId: period.id,
    reportId,
    issuedAt,
    sha256: hashes,
    chainHash: chain,
    previousChainHash,
    keys: { pdf: pdfKey ?? '', html: htmlKey ?? '', json: jsonKey ?? '', csv: csvKey ?? '' },
  };
  await deps.store.appendReportRecord(record);
  deps.log.info('report issued', {
    ...ctx,
    reportId,
    chainHash: chain,
    transitions: report.transitions.length,
  });

  let emailMessageId: string | null = null;
  if (request.email && request.email.to.length > 0) {
    const pdfFilename = `alert-ledger-${org}-${period.id}.pdf`;
    const bodies = renderReportEmail(report, {
      reportId,
      previousReportHash: previousChainHash,
      reportSha256: hashes.pdf,
      pdfFilename,
    });
    const raw = await buildReportEmail({
      from: request.email.from,
      to: request.email.to,
      subject: bodies.subject,
      html: bodies.html,
      text: bodies.text,
      attachments: [{ filename: pdfFilename, content: pdf, contentType: 'application/pdf' }],
      headers: { [REPORT_HASH_HEADER]: hashes.pdf },
    });
    emailMessageId = await sendRawEmail(deps.ses, raw, request.email);
    deps.log.info('report emailed', { ...ctx, reportId, recipients: request.email.to.length });
  }
  return { report, record, files: { pdf, html, json, csv }, emailMessageId };
}
