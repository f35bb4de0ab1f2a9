/**
 * The rendered files of one issued report, built together so they cannot disagree:
 * report.html (the PDF's source), report.pdf, report.csv (one row per transition) and one CSV per
 * table an auditor filters, plus the PDF's SHA-256 that the hash chain and the email header carry.
 */
import { createHash } from 'node:crypto';
import type { Browser } from 'puppeteer-core';
import type { ReportJson } from '../core/report-model.ts';
import { type ReportTable, renderTableCsvs, renderTransitionsCsv } from './csv.ts';
import { formatDateTime } from './format.ts';
import { type RenderHtmlOptions, renderReportHtml } from './html.ts';
import { type PaperFormat, renderPdf } from './pdf.ts';
import { type DocumentInfo, withDocumentInfo } from './pdf-info.ts';

export interface RenderReportDocumentsOptions extends RenderHtmlOptions {
  format?: PaperFormat;
  /** Per Chromium step (load, print), in ms; default renderPdf's 60 s. */
  timeoutMs?: number;
}

export interface ReportDocuments {
  html: string;
  pdf: Buffer;
  csv: string;
  /** One CSV per table (`<table>.csv`): SLA breaches, dismissals, reopened, ... */
  tables: Record<ReportTable, string>;
  /** Hex SHA-256 of `pdf`. */
  pdfSha256: string;
}

export async function renderReportDocuments(
  browser: Browser,
  report: ReportJson,
  opts: RenderReportDocumentsOptions = {},
): Promise<ReportDocuments> {
  const html = await renderReportHtml(report, opts);
  const scope = opts.scopeLabel ? ` · ${opts.scopeLabel}` : '';
  const printed = await renderPdf(browser, html, {
    format: opts.format ?? 'A4',
    headerTitle: `${report.org}${scope} · Security alert report · ${report.period.id}${report.complete ? '' : ' · INCOMPLETE'}`,
    footerNote: `Generated ${formatDateTime(report.generatedAt)}${opts.reportId ? ` · ${opts.reportId}` : ''}`,
    ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
  });
  const pdf = withDocumentInfo(printed, documentInfo(report, opts));
  return {
    html,
    pdf,
    csv: renderTransitionsCsv(report),
    tables: renderTableCsvs(report),
    pdfSha256: createHash('sha256').update(pdf).digest('hex'),
  };
}

/**
 * What the PDF says about itself in its document information, beside Chromium's title: the
 * report's id and the previous report's hash (the hash chain, as on the cover), so that a PDF
 * found on its own says which report it is and which came before it.
 */
export function documentInfo(report: ReportJson, opts: RenderReportDocumentsOptions): DocumentInfo {
  const scope = opts.scopeLabel ? ` · ${opts.scopeLabel}` : '';
  const previous = opts.previousReportHash ?? null;
  const info: Record<string, string> = {
    Author: 'alert-ledger',
    Subject: `Security alert report: ${report.org}${scope} · ${report.period.id}`,
    AlertLedgerOrg: report.org,
    AlertLedgerPeriod: report.period.id,
    AlertLedgerSchemaVersion: String(report.schemaVersion),
  };
  if (opts.scopeLabel) info.AlertLedgerScope = opts.scopeLabel;
  if (opts.reportId) {
    info.AlertLedgerReportId = opts.reportId;
    // "none" rather than absent: the first report of a scope says so.
    info.AlertLedgerPreviousReportSha256 = previous ?? 'none';
    info.Keywords = `alert-ledger; report ${opts.reportId}; previous report SHA-256 ${previous ?? 'none (first report)'}`;
  }
  return info;
}
