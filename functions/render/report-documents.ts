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
  const pdf = await renderPdf(browser, html, {
    format: opts.format ?? 'A4',
    headerTitle: `${report.org}${scope} · Security alert report · ${report.period.id}${report.complete ? '' : ' · INCOMPLETE'}`,
    footerNote: `Generated ${formatDateTime(report.generatedAt)}${opts.reportId ? ` · ${opts.reportId}` : ''}`,
    ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
  });
  return {
    html,
    pdf,
    csv: renderTransitionsCsv(report),
    tables: renderTableCsvs(report),
    pdfSha256: createHash('sha256').update(pdf).digest('hex'),
  };
}
