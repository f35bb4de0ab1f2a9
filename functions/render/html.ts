/**
 * report.json → one self-contained HTML document (styles inlined, no scripts, no external
 * resources), the input of the PDF and itself an issued file (report.html).
 *
 * Everything from GitHub is escaped by Handlebars' double-stash; only our own CSS and the
 * trend charts' SVG (written by vega, see charts.ts) go in as SafeString. The charts are
 * rendered first, with vega's asynchronous `view.toSVG()`, and handed to the template ready.
 */
import type { ReportJson } from '../core/report-model.ts';
import { renderTrendCharts } from './charts.ts';
import { loadTemplates, trustedMarkup } from './templates.ts';
import { buildReportView, type ReportViewOptions } from './view-model.ts';

export interface RenderHtmlOptions extends ReportViewOptions {
  /** Folder holding report.hbs, partials/ and report.css; see templates.ts for the default. */
  templatesDir?: string;
}

export async function renderReportHtml(report: ReportJson, opts: RenderHtmlOptions = {}): Promise<string> {
  const templates = loadTemplates(opts.templatesDir);
  const view = buildReportView(report, opts);
  const charts = (await renderTrendCharts(report.trend)).map((chart) => ({
    id: chart.id,
    title: chart.title,
    svg: trustedMarkup(chart.svg),
  }));
  return templates.report({ ...view, charts, css: templates.css });
}
