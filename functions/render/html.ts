/**
 * report.json → one self-contained HTML document (styles inlined, no scripts, no external
 * resources), the input of the PDF and itself an issued file (report.html).
 *
 * Everything from GitHub is escaped by Handlebars' double-stash; only our own CSS and the
 * trend charts' SVG (written by vega, see charts.ts) go in as SafeString.
 */
import type { ReportJson } from '../core/report-model.ts';
import { loadTemplates } from './templates.ts';
import { buildReportView, type ReportViewOptions } from './view-model.ts';

export interface RenderHtmlOptions extends ReportViewOptions {
  /** Folder holding report.hbs, partials/ and report.css; see templates.ts for the default. */
  templatesDir?: string;
}

export function renderReportHtml(report: ReportJson, opts: RenderHtmlOptions = {}): string {
  const templates = loadTemplates(opts.templatesDir);
  const view = buildReportView(report, opts);
  return templates.report({ ...view, css: templates.css });
}
