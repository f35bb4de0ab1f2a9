/**
 * The weekly email's subject, HTML and text, from the same view of the report as the PDF so
 * the figures in the mail and in the attachment cannot differ.
 */
import type { ReportJson } from '../core/report-model.ts';
import { RenderError } from './errors.ts';
import { formatNumber, safeUrl } from './format.ts';
import { loadTemplates } from './templates.ts';
import { buildReportView, type NotableEventView, type ReportViewOptions } from './view-model.ts';

/** Notable events listed in the mail; the rest are in the PDF. */
export const EMAIL_NOTABLE_LIMIT = 10;
/** A title longer than this is cut in the mail (the PDF has it whole). */
const EMAIL_TITLE_MAX = 120;

export interface ReportEmailOptions extends ReportViewOptions {
  /** SHA-256 (hex) of the attached PDF, printed so a reader can check the attachment. */
  reportSha256: string;
  /** Name of the attached PDF; default "report.pdf". */
  pdfFilename?: string;
  /**
   * Whether the PDF travels with the mail (default true). False when it is too big to attach
   * and is sent as the presigned `downloadUrl` instead: both parts then say so.
   */
  attached?: boolean;
  /** A presigned download link, if the PDF is also offered that way (the only way when not attached). */
  downloadUrl?: string;
  /** When downloadUrl stops working (ISO-8601). */
  downloadExpiresAt?: string;
  templatesDir?: string;
}

export interface ReportEmailContent {
  subject: string;
  html: string;
  text: string;
}

export function renderReportEmail(report: ReportJson, opts: ReportEmailOptions): ReportEmailContent {
  if (!/^[0-9a-f]{64}$/.test(opts.reportSha256)) {
    throw new RenderError('reportSha256 must be the 64 lower-case hex characters of the PDF SHA-256.');
  }
  const templates = loadTemplates(opts.templatesDir);
  const view = buildReportView(report, opts);
  const total = report.summary.total;
  // A team's report names the team: "[alert-ledger] octo · team checkout · 2026-W46: ...".
  const heading =
    view.team === null
      ? `${report.org} ${report.period.id}`
      : `${report.org} · team ${view.team} · ${report.period.id}`;
  // One line, whatever the org or team name holds: a newline in a subject would start a new header.
  const subject = [
    `[alert-ledger] ${heading}:`,
    `${formatNumber(total.openAtEnd)} open,`,
    `${formatNumber(report.slaBreaches.length)} past SLA`,
    report.complete ? '' : '(INCOMPLETE)',
  ]
    .join(' ')
    .replace(/[\r\n]+/g, ' ')
    .trim();
  const notableShown = view.notableEvents.slice(0, EMAIL_NOTABLE_LIMIT).map(toEmailNotable);
  const context = {
    ...view,
    subject,
    notableShown,
    notableMore: view.notableEvents.length - notableShown.length,
    reportSha256: opts.reportSha256,
    pdfFilename: opts.pdfFilename ?? 'report.pdf',
    attached: opts.attached ?? true,
    // Only an http(s) link becomes a link: the URL is ours, but a mail is no place to find out.
    downloadUrl: safeUrl(opts.downloadUrl),
    downloadExpiresAt: opts.downloadExpiresAt ?? null,
  };
  return { subject, html: templates.emailHtml(context), text: templates.emailText(context) };
}

/**
 * A notable event with its title on one bounded line: the text part is not escaped, and a title
 * typed on GitHub must not start lines of its own (a fake "SHA-256 of report.pdf: …").
 */
function toEmailNotable(n: NotableEventView): NotableEventView {
  const oneLine = n.alert.title.replace(/\s+/g, ' ').trim();
  const title = oneLine.length > EMAIL_TITLE_MAX ? `${oneLine.slice(0, EMAIL_TITLE_MAX - 1)}…` : oneLine;
  return { ...n, alert: { ...n.alert, title } };
}
