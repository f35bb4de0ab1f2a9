/**
 * Render adapter against real Chromium and poppler: the fixture report goes to HTML, PDF and
 * CSV, and the PDF is read back as an auditor's tools would see it. Page images land in
 * test-artifacts/ (git-ignored) for a human look.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import chromium from '@sparticuz/chromium';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportJson } from '../../functions/core/report-model.ts';
import { renderTransitionsCsv, TRANSITION_CSV_COLUMNS } from '../../functions/render/csv.ts';
import { EMAIL_NOTABLE_LIMIT, renderReportEmail } from '../../functions/render/email-body.ts';
import { ChromiumLaunchError, TemplatesNotFoundError } from '../../functions/render/errors.ts';
import { renderReportHtml } from '../../functions/render/html.ts';
import { launchBrowser, measurePageFit, renderPdf } from '../../functions/render/pdf.ts';
import { renderReportDocuments } from '../../functions/render/report-documents.ts';
import { LEDGER_ABOVE_ROWS } from '../../functions/render/view-model.ts';
import { numberOf, reportWithTransitions, repositoryOf } from '../bench/pdf-data.ts';
import {
  SAMPLE_FORMULA_COMMENT,
  SAMPLE_SCRIPT_COMMENT,
  SAMPLE_XSS_TITLE,
  sampleReport,
} from '../fixtures/report-sample.ts';
import { parseCsv } from '../support/csv.ts';
import { withServer } from '../support/http.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TEMPLATES = join(ROOT, 'templates');
const ARTIFACTS = join(ROOT, 'test-artifacts', 'render');
const SLOW = 60_000;

function pdfInfo(path: string, flags: readonly string[] = []): Record<string, string> {
  const out = execFileSync('pdfinfo', [...flags, path], { encoding: 'utf8' });
  return Object.fromEntries(
    out
      .split('\n')
      .map((line) => /^([^:]+):\s*(.*)$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1] as string, m[2] as string]),
  );
}

function pdfText(path: string): string {
  return execFileSync('pdftotext', ['-layout', path, '-'], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
}

/** pdftotext's pages (it ends each with a form feed). */
function pdfPages(path: string): string[] {
  return pdfText(path).split('\f').slice(0, -1);
}

/** Height of each word's box on `page` (1-based), by word, from pdftotext -bbox. */
function wordHeights(path: string, page: number): Map<string, number> {
  const xml = execFileSync('pdftotext', ['-bbox', '-f', String(page), '-l', String(page), path, '-'], {
    encoding: 'utf8',
  });
  const heights = new Map<string, number>();
  for (const m of xml.matchAll(
    /<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<\/word>/g,
  )) {
    if (!heights.has(m[3] as string)) heights.set(m[3] as string, Number(m[2]) - Number(m[1]));
  }
  return heights;
}

/** The executive summary's first and last words are on one page, and which page that is. */
function summaryPage(pages: readonly string[]): number {
  const at = pages.findIndex((page) => /^\s*Executive summary$/m.test(page));
  expect(at).toBeGreaterThan(-1);
  const page = (pages[at] as string).replace(/\s+/g, ' ');
  expect(page).toContain('THE PERIOD, COMPARED WITH W45');
  expect(page).toContain('By alert type, compared with W45');
  expect(page).toContain('alerts closed late + alerts open past their deadline).');
  return at;
}

/** Every page carries the running header and "Page N of M". */
function expectRunningBands(pages: readonly string[], header: string): void {
  expect(pages.length).toBeGreaterThan(1);
  pages.forEach((page, i) => {
    expect(page, `page ${i + 1}`).toContain(header);
    expect(page, `page ${i + 1}`).toContain(`Page ${i + 1} of ${pages.length}`);
  });
}

/** The text of one <section id=…> of report.html, tags dropped and whitespace folded. */
function sectionText(html: string, id: string): string {
  const start = html.indexOf(`id="${id}"`);
  expect(start).toBeGreaterThan(-1);
  const end = html.indexOf('</section>', start);
  return html
    .slice(start, end)
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The "Notable events" section of pdftotext's output, up to the next section. */
function notableText(text: string): string {
  const start = text.indexOf('\nNotable events\n');
  expect(start).toBeGreaterThan(-1);
  const end = text.indexOf('\nTrend\n', start);
  return text.slice(start, end === -1 ? undefined : end);
}

type Notable = ReportJson['notableEvents'][number];
const firstNotable = sampleReport.notableEvents[0] as Notable;

/** n notable events, copies of the sample's, a minute apart, numbered 1..n. */
function manyNotable(n: number): Notable[] {
  return Array.from({ length: n }, (_, i) => ({
    ...(sampleReport.notableEvents[i % sampleReport.notableEvents.length] as Notable),
    number: i + 1,
    at: new Date(Date.parse('2026-11-10T00:00:00Z') + i * 60_000).toISOString(),
  }));
}

describe('render: HTML', () => {
  let html: string;
  beforeAll(async () => {
    html = await renderReportHtml(sampleReport, {
      reportId: 'octo-demo/2026-W46/01',
      previousReportHash: 'b'.repeat(64),
    });
  });

  it('is a titled, self-contained document with no script', () => {
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('<title>octo-demo security alert report 2026-W46</title>');
    expect(html).toContain('Content-Security-Policy" content="default-src \'none\'');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link\b|<img\b|src=/i);
  });

  it('escapes everything that came from GitHub', () => {
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    expect(html).not.toContain("<script>alert('xss')</script>");
    expect(html).toContain('&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;');
  });

  it('escapes a hostile notable event and links only to http(s)', async () => {
    const out = await renderReportHtml({
      ...sampleReport,
      notableEvents: [
        { ...firstNotable, title: SAMPLE_XSS_TITLE, actor: '<b>mallory</b>', htmlUrl: 'javascript:alert(1)' },
      ],
    });
    const raw = out.slice(out.indexOf('id="notable-events"'), out.indexOf('id="trend"'));
    expect(raw).not.toContain('<img src=x');
    expect(raw).not.toContain('<b>mallory</b>');
    expect(raw).not.toContain('javascript:');
    expect(raw).toContain(
      '<span class="alert-id">octo-demo/api #101</span> <span class="alert-type">Dependabot</span><br>&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;',
    );
    expect(raw).toContain('<td>&lt;b&gt;mallory&lt;/b&gt;</td>');
  });

  it('links every alert to GitHub and shows the cover facts', () => {
    for (const t of sampleReport.transitions) expect(html).toContain(`href="${t.htmlUrl}"`);
    for (const b of sampleReport.slaBreaches) expect(html).toContain(`href="${b.htmlUrl}"`);
    expect(html).toContain('octo-demo/2026-W46/01');
    expect(html).toContain('b'.repeat(64));
    expect(html).toContain('2026-11-09 00:00 UTC to 2026-11-16 00:00 UTC (end exclusive)');
    expect(html).toContain('Critical 15 days · High 30 days · Medium 90 days · Low 180 days');
    // One "No comment" flag per dismissal without a comment, in each of the two tables, plus the legend.
    expect(html.match(/<span class="flag">No comment<\/span>/g)).toHaveLength(3);
  });

  it('lists the notable events right after the executive summary, oldest first', () => {
    const [summary, notable, trend] = ['summary', 'notable-events', 'trend'].map((id) =>
      html.indexOf(`id="${id}"`),
    );
    expect(summary).toBeGreaterThan(-1);
    expect(notable).toBeGreaterThan(summary as number);
    expect(trend).toBeGreaterThan(notable as number);
    expect(html).toContain(
      '<li><a href="#notable-events">Notable events</a><span class="contents-count">7</span></li>',
    );
    expect(html).toContain(
      '7 notable events need a look: 1 secret publicly leaked, 1 push-protection bypass, 3 critical alerts created and 2 alerts reopened.',
    );
    const section = sectionText(html, 'notable-events');
    expect(section).toContain('When Event Alert Severity By');
    const rows = [
      '2026-11-09 08:14 UTC Critical alert created octo-demo/api #101 Dependabot lodash: Prototype pollution in zipObjectDeep Critical —',
      '2026-11-10 11:46 UTC Push protection bypassed octo-demo/payments #7 Secret scanning Amazon AWS Access Key ID Critical dev-intern',
      '2026-11-10 11:47 UTC Critical alert created octo-demo/payments #7 Secret scanning Amazon AWS Access Key ID Critical dev-intern',
      '2026-11-13 14:12 UTC Critical alert created octo-demo/web #3 Secret scanning GitHub Personal Access Token Critical —',
      '2026-11-14 09:31 UTC Secret publicly leaked octo-demo/web #3 Secret scanning GitHub Personal Access Token Critical —',
      '2026-11-15 08:00 UTC Reopened octo-demo/api #64 Dependabot follow-redirects: Proxy-Authorization header kept across hosts High mona',
      '2026-11-15 19:20 UTC Reopened octo-demo/api #150 Code scanning Prototype-polluting assignment Medium —',
    ];
    expect(section).toContain(rows.join(' '));
    const raw = html.slice(html.indexOf('id="notable-events"'), html.indexOf('id="trend"'));
    for (const n of sampleReport.notableEvents)
      expect(raw).toContain(`<a class="alert-id" href="${n.htmlUrl}">`);
    expect(raw.match(/<span class="sev sev-critical">Critical<\/span>/g)).toHaveLength(5);
  });

  it('orders notable events by instant and names a single kind plainly', async () => {
    const [leak, reopen] = [
      { ...firstNotable, kind: 'publicly_leaked', at: '2026-11-12T10:00:00.000Z', actor: null },
      { ...firstNotable, kind: 'reopened', at: '2026-11-12T09:59:59Z', actor: 'mona' },
    ] as Notable[];
    const out = await renderReportHtml({
      ...sampleReport,
      notableEvents: [leak as Notable, reopen as Notable],
    });
    expect(out).toContain('2 notable events need a look: 1 secret publicly leaked and 1 alert reopened.');
    const section = sectionText(out, 'notable-events');
    expect(section.indexOf('09:59 UTC Reopened')).toBeGreaterThan(-1);
    expect(section.indexOf('09:59 UTC Reopened')).toBeLessThan(
      section.indexOf('10:00 UTC Secret publicly leaked'),
    );
    const one = await renderReportHtml({ ...sampleReport, notableEvents: [leak as Notable] });
    expect(one).toContain('1 notable event needs a look: 1 secret publicly leaked.');
  });

  it('never uses triple-stash in the templates', () => {
    const files = [
      ...readdirSync(TEMPLATES).filter((f) => f.endsWith('.hbs')),
      ...readdirSync(join(TEMPLATES, 'partials')).map((f) => join('partials', f)),
    ];
    expect(files.length).toBeGreaterThan(8);
    for (const file of files) expect(readFileSync(join(TEMPLATES, file), 'utf8')).not.toContain('{{{');
  });

  it('says loudly when the report is incomplete', async () => {
    const incomplete: ReportJson = {
      ...sampleReport,
      complete: false,
      incompleteReasons: ['code_scanning stream failed: 502 Bad Gateway after 3 retries'],
    };
    const out = await renderReportHtml(incomplete);
    expect(out).toContain('Incomplete report');
    expect(out).toContain('code_scanning stream failed: 502 Bad Gateway after 3 retries');
    expect(out).toContain('This report is incomplete');
    expect(html).not.toContain('Incomplete report');
  });

  it('renders empty sections as such', async () => {
    const quiet: ReportJson = {
      ...sampleReport,
      transitions: [],
      slaBreaches: [],
      pushProtectionBypasses: [],
      notableEvents: [],
      trend: [],
    };
    const out = await renderReportHtml(quiet);
    const notable = sectionText(out, 'notable-events');
    expect(notable).toMatch(
      /oldest first\. Nothing notable in the period: no push-protection bypass, no critical alert created, no alert reopened, no secret publicly leaked\.$/,
    );
    expect(notable).not.toContain('When Event Alert');
    expect(out).toContain(
      '<li><a href="#notable-events">Notable events</a><span class="contents-count">0</span></li>',
    );
    expect(out).toContain(
      'No notable event: no push-protection bypass, no critical alert created, no alert reopened and no secret publicly leaked.',
    );
    expect(out).toContain('No open alert is past its remediation deadline.');
    expect(out).toContain('Nobody bypassed push protection in the period.');
    expect(out).toContain('No alert changed state in the period.');
    expect(out).toContain('No earlier periods recorded yet.');
  });

  it('takes a templates folder and explains a missing one', async () => {
    expect(await renderReportHtml(sampleReport, { templatesDir: TEMPLATES })).toBe(
      await renderReportHtml(sampleReport),
    );
    await expect(renderReportHtml(sampleReport, { templatesDir: '/nonexistent/templates' })).rejects.toThrow(
      TemplatesNotFoundError,
    );
  });

  it('sums the period up in plain words, against the previous period', () => {
    const summary = sectionText(html, 'summary');
    // Key figures with their change against W45 ("new" where W45 had none).
    expect(summary).toContain('41 Open at period end 42 at start ↓ 2.4% vs W45');
    expect(summary).toContain('7 Opened 2 reopened ↑ 250% vs W45');
    expect(summary).toContain('10 Closed 6 fixed, 4 dismissed ↑ 100% vs W45');
    expect(summary).toContain('21.7 Days to remediate mean, creation to closing ↑ 10.7% vs W45');
    expect(summary).toContain('42.9% SLA compliance 6 of 14 in time');
    expect(summary).toContain('5 Past SLA oldest 48 days over');
    expect(summary).toContain('1 Push-protection bypasses 1 unresolved');
    expect(summary).toContain('7 Notable events listed after this page');
    expect(summary).toContain(
      'Compared with W45, more alerts were opened (7 against 2, up 250%) and more were closed (10 against 5, up 100%).',
    );
    expect(summary).toContain('The organisation closed more alerts than were opened');
    expect(summary).toContain(
      'SLA compliance was 42.9%: of 14 alerts closed in the period or open past the deadline, 6 were closed within the deadline the SLA policy sets for their severity, 3 after it, and 5 are still open past it.',
    );
    expect(summary).toContain(
      // The sample has code scanning alerts from earlier snapshots: they count as last known.
      'GitHub would not list Code scanning when the period ended, so it counts as the ledger last knew it, without what changed on GitHub since (see Coverage gaps).',
    );
    // Per alert type, each figure over its change: secret scanning opened 2 against 0 is "new".
    expect(summary).toContain(
      'Secret scanning 5 2 new 0 no change 1 no change 1 new 5 no change 2.9 ↓ 12.9% 100%',
    );
    expect(summary).toContain(
      'All alerts 42 7 ↑ 250% 2 ↑ 100% 6 ↑ 100% 4 ↑ 100% 41 ↓ 2.4% 21.7 ↑ 10.7% 143%',
    );
  });

  it('compares nothing when there is no previous period', async () => {
    const out = await renderReportHtml({ ...sampleReport, previousPeriod: null, change: null });
    const summary = sectionText(out, 'summary');
    expect(summary).toContain('The period (no earlier period to compare with)');
    expect(summary).not.toContain('vs W45');
    expect(summary).not.toContain('Compared with');
    expect(summary).toContain('All alerts 42 7 2 6 4 41 21.7 143%');
  });

  it('names the team in a team report', async () => {
    const out = await renderReportHtml(sampleReport, { scopeLabel: 'team checkout (2 repositories)' });
    const summary = sectionText(out, 'summary');
    expect(summary).toContain(
      'During 2026-W46 in the repositories of team checkout, 7 new alerts were opened',
    );
    expect(summary).toContain('The team closed more alerts than were opened');
    expect(summary).not.toContain('organisation');
    // The organisation-wide report says "organisation"; an explicit team wins over the label.
    const explicit = await renderReportHtml(sampleReport, { scopeLabel: 'checkout', team: 'Checkout Web' });
    expect(sectionText(explicit, 'summary')).toContain('in the repositories of team Checkout Web');
    const org = await renderReportHtml(sampleReport, { scopeLabel: 'organisation-wide (every repository)' });
    expect(sectionText(org, 'summary')).toContain('The organisation closed');
  });

  it('shows where the open alerts are, after the SLA breaches', () => {
    const at = (id: string) => html.indexOf(`id="${id}"`);
    expect(at('open-alerts')).toBeGreaterThan(at('sla-breaches'));
    expect(at('coverage-gaps')).toBeGreaterThan(at('open-alerts'));
    expect(at('resolutions')).toBeGreaterThan(at('coverage-gaps'));
    const section = sectionText(html, 'open-alerts');
    expect(section).toContain('The 41 alerts open at the end of 2026-W46');
    expect(section).toContain(
      'Severity SLA (days) Open at start Opened Reopened Fixed Dismissed Open at end MTTR (days) Critical 15 5 3 0 1 1 6 4.2 High 30 13 2 1 3 1 12 15.9',
    );
    expect(section).toContain(
      '# Repository Open Critical High Medium Low Share of open 1 octo-demo/api 18 2 5 7 4 44% 2 octo-demo/payments 14 3 4 4 3 34% 3 octo-demo/web 9 1 3 5 0 22%',
    );
    expect(section).toContain('1 Dependabot GHSA-p6mc-m468-83gw Prototype pollution in lodash 6');
    expect(section).toContain('3 Secret scanning aws_access_key_id Amazon AWS Access Key ID 2');
    expect(section).toContain('checkout octo-demo/payments, octo-demo/web 24 4 6 23 18.9');
    expect(section).toContain(
      '41 alerts open at the end of the period: on average 96.4 days old, half of them older than 71.0 days, the oldest 402.5 days.',
    );
    expect(section).toContain(
      'Open for &lt; 7 days 7–29 days 30–89 days 90–179 days 180 days or more Alerts 5 8 10 9 9 Share of open 12% 20% 24% 22% 22%',
    );
    expect(section).toContain(
      'Reason given Dependabot Secret scanning Code scanning All Auto dismissed 1 0 0 1 False positive 0 1 0 1',
    );
    expect(section).toContain('2 reopens in the period');
    // In the contents, with the open-alert count; and the table of teams only when teams exist.
    expect(html).toContain(
      '<li><a href="#open-alerts">Where the open alerts are</a><span class="contents-count">41 open</span></li>',
    );
  });

  it('leaves the team table out when no team is configured', async () => {
    const out = await renderReportHtml({
      ...sampleReport,
      breakdowns: { ...sampleReport.breakdowns, byTeam: [] },
    });
    expect(sectionText(out, 'open-alerts')).not.toContain('By team');
    expect(sectionText(html, 'open-alerts')).toContain('By team');
  });

  it('lists the coverage gaps in a section of their own, and says when there are none', async () => {
    const section = sectionText(html, 'coverage-gaps');
    expect(section).toContain(
      'Code scanning code_scanning is not available for octo-demo (403: Code scanning is not enabled for this organization). Code scanning alerts count as the ledger last knew them (earlier snapshots, webhooks): what changed on GitHub since is in no figure or table of this report.',
    );
    expect(html).toContain(
      '<li><a href="#coverage-gaps">Coverage gaps</a><span class="contents-count">1</span></li>',
    );
    const none = await renderReportHtml({ ...sampleReport, coverageGaps: [] });
    expect(sectionText(none, 'coverage-gaps')).toContain(
      'None: every alert type and the audit log were readable.',
    );
  });

  it('escapes GitHub text in the new sections too', async () => {
    const xss = SAMPLE_XSS_TITLE;
    const out = await renderReportHtml({
      ...sampleReport,
      top: {
        repositories: [
          {
            repository: `octo-demo/${xss}`,
            open: 1,
            bySeverity: { critical: 1, high: 0, medium: 0, low: 0 },
          },
        ],
        rules: [{ alertType: 'code_scanning', ruleId: xss, title: xss, open: 1 }],
      },
      breakdowns: {
        ...sampleReport.breakdowns,
        byTeam: [{ team: xss, repositories: [`octo-demo/${xss}`], counts: sampleReport.summary.total }],
      },
      coverageGaps: [{ stream: 'audit_log', lane: 'audit_log', message: xss }],
      finer: {
        ...sampleReport.finer,
        dependabot: { ...sampleReport.finer.dependabot, dismissedByReason: [{ reason: xss, count: 1 }] },
      },
    });
    expect(out).not.toContain('<img src=x');
    const escaped = '&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;';
    for (const id of ['open-alerts', 'coverage-gaps']) {
      const raw = out.slice(out.indexOf(`id="${id}"`), out.indexOf('</section>', out.indexOf(`id="${id}"`)));
      expect(raw, id).toContain(escaped);
    }
  });

  it('enforces the print rules in CSS: headers repeat, rows never split, nothing wider than the page', () => {
    expect(html).toMatch(/thead \{\s*display: table-header-group;\s*\}/);
    expect(html).toMatch(/tr \{\s*break-inside: avoid;\s*page-break-inside: avoid;\s*\}/);
    // Header cells of figures wrap (".num" keeps the figures themselves on one line).
    expect(html).toMatch(/table\.data th\.num \{\s*white-space: normal;\s*\}/);
    // The trend table says "W35" rather than "2026-W35" in its 12 column headers.
    const trend = html.slice(
      html.indexOf('<table class="data trend">'),
      html.indexOf('</thead>', html.indexOf('<table class="data trend">')),
    );
    expect(trend).toContain('<th scope="col" class="num" abbr="2026-W35">W35</th>');
    expect(trend).not.toContain('>2026-W35<');
  });

  it('tables a long period by day, each table with its header', async () => {
    // 1,200 changes and 600 closures: within LEDGER_ABOVE_ROWS, so tables.
    const out = await renderReportHtml(reportWithTransitions(1200));
    const appendix = out.slice(out.indexOf('id="appendix"'));
    const tables = appendix.match(/<table class="data fixed long appendix">/g) ?? [];
    expect(tables.length).toBe(7);
    expect(appendix).toContain('<h3 class="group-heading">Mon 9 Nov 2026, 171 changes</h3>');
    expect(appendix.match(/<th scope="col">Alert, severity, type<\/th>/g)).toHaveLength(7);
    expect(out).not.toContain('class="ledger"');
    // The sample's 19 changes are one table, without a day heading.
    expect(html.slice(html.indexOf('id="appendix"')).match(/<table /g)).toHaveLength(1);
  });
});

describe('render: HTML of a period too long for tables', () => {
  it(`prints the long sections as a ledger above ${LEDGER_ABOVE_ROWS} rows: every change once, linked, escaped`, async () => {
    const n = 2500;
    const report = reportWithTransitions(n);
    const hostile = report.transitions.map((t, i) =>
      i === 7 ? { ...t, title: SAMPLE_XSS_TITLE, comment: '<script>alert(1)</script>' } : t,
    );
    const out = await renderReportHtml({ ...report, transitions: hostile });
    const appendix = out.slice(
      out.indexOf('id="appendix"'),
      out.indexOf('</section>', out.indexOf('id="appendix"')),
    );
    const entries = appendix.match(/<p class="entry">/g) ?? [];
    expect(entries).toHaveLength(n);
    expect(appendix).not.toContain('<table');
    for (const i of [0, 1, n - 1]) {
      const t = report.transitions[i];
      expect(appendix).toContain(`<a href="${t?.htmlUrl}">${repositoryOf(i, n)} #${numberOf(i)}</a>`);
    }
    // GitHub's text stays text.
    expect(appendix).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    expect(appendix).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(appendix).not.toContain('<script>');
    const resolutions = out.slice(
      out.indexOf('id="resolutions"'),
      out.indexOf('</section>', out.indexOf('id="resolutions"')),
    );
    expect(resolutions.match(/<p class="entry">/g)).toHaveLength(
      report.transitions.filter((t) => t.to === 'fixed' || t.to === 'dismissed').length,
    );
    expect(resolutions).toContain('NO COMMENT');
    const reopened = out.slice(
      out.indexOf('id="reopened"'),
      out.indexOf('</section>', out.indexOf('id="reopened"')),
    );
    expect(reopened.match(/<p class="entry">/g)).toHaveLength(
      report.transitions.filter((t) => t.to === 'open' && t.from !== null && t.from !== 'open').length,
    );
    expect(reopened).not.toContain('<table');
  });
});

describe('render: email body', () => {
  it('builds subject, html and text from the same figures', () => {
    const sha = 'c'.repeat(64);
    const mail = renderReportEmail(sampleReport, {
      reportSha256: sha,
      downloadUrl: 'https://example.com/report.pdf?X-Amz-Signature=abc&X-Amz-Expires=604800',
    });
    expect(mail.subject).toBe('[alert-ledger] octo-demo 2026-W46: 41 open, 5 past SLA');
    expect(mail.html).toContain(sha);
    expect(mail.html).toContain(
      'href="https://example.com/report.pdf?X-Amz-Signature&#x3D;abc&amp;X-Amz-Expires&#x3D;604800"',
    );
    expect(mail.text).toContain(`SHA-256 of report.pdf: ${sha}`);
    // The text part is not HTML: no entities.
    expect(mail.text).toContain('https://example.com/report.pdf?X-Amz-Signature=abc&X-Amz-Expires=604800');
    expect(mail.text).toContain(
      'All alerts: 42 open at start, 7 opened, 2 reopened, 6 fixed, 4 dismissed, 41 open at end',
    );
    expect(mail.text).not.toContain('&amp;');
  });

  it('lists the notable events in both parts', () => {
    const mail = renderReportEmail(sampleReport, { reportSha256: 'c'.repeat(64) });
    expect(mail.text).toContain(
      [
        'Notable events (7):',
        '- 2026-11-09 08:14 UTC  Critical alert created: octo-demo/api #101 (Dependabot, Critical)',
        '  lodash: Prototype pollution in zipObjectDeep',
        '  https://github.com/octo-demo/api/security/dependabot/101',
        '- 2026-11-10 11:46 UTC  Push protection bypassed: octo-demo/payments #7 (Secret scanning, Critical), by dev-intern',
        '  Amazon AWS Access Key ID',
        '  https://github.com/octo-demo/payments/security/secret-scanning/7',
      ].join('\n'),
    );
    expect(mail.text).toContain(
      '- 2026-11-15 19:20 UTC  Reopened: octo-demo/api #150 (Code scanning, Medium)\n  Prototype-polluting assignment\n',
    );
    expect(mail.text).not.toContain('more in the PDF');
    const labels = mail.text.match(/^- \S+ \S+ UTC {2}([^:]+):/gm)?.map((l) => l.replace(/^.* UTC {2}/, ''));
    expect(labels).toEqual([
      'Critical alert created:',
      'Push protection bypassed:',
      'Critical alert created:',
      'Critical alert created:',
      'Secret publicly leaked:',
      'Reopened:',
      'Reopened:',
    ]);
    const block = mail.html.slice(mail.html.indexOf('>Notable events<'), mail.html.indexOf('>Alert type<'));
    for (const n of sampleReport.notableEvents) expect(block).toContain(`<a href="${n.htmlUrl}"`);
    expect(block.match(/<strong>Critical alert created<\/strong>/g)).toHaveLength(3);
    expect(block).toContain('<strong>Secret publicly leaked</strong>');
    expect(block).toContain(
      '<strong>Push protection bypassed</strong><br><span style="color:#4a5568;">by dev-intern</span>',
    );
    expect(block).toContain('>octo-demo/api #150</a>');
    expect(block).not.toContain('more in the PDF');
  });

  it(`shows at most ${EMAIL_NOTABLE_LIMIT} notable events, then points to the PDF`, () => {
    const mail = renderReportEmail(
      { ...sampleReport, notableEvents: manyNotable(EMAIL_NOTABLE_LIMIT + 4) },
      { reportSha256: 'c'.repeat(64) },
    );
    expect(mail.text).toContain('Notable events (14):');
    expect(mail.text.match(/^- 2026-11-10 /gm)).toHaveLength(EMAIL_NOTABLE_LIMIT);
    expect(mail.text).toContain('payments #10 ');
    expect(mail.text).not.toContain('#11 ');
    expect(mail.text).toContain('\nAnd 4 more in the PDF.\n');
    expect(mail.html.match(/<td valign="top" style="[^"]*white-space:nowrap;">2026-11-10<br>/g)).toHaveLength(
      EMAIL_NOTABLE_LIMIT,
    );
    expect(mail.html).toContain('>And 4 more in the PDF.</p>');
  });

  it('says when nothing notable happened', () => {
    const mail = renderReportEmail({ ...sampleReport, notableEvents: [] }, { reportSha256: 'c'.repeat(64) });
    expect(mail.text).toContain('\nNotable events: none in the period.\n');
    expect(mail.html).toContain(
      'Nothing notable in the period: no push-protection bypass, no critical alert created, no alert reopened, no secret publicly leaked.',
    );
    expect(mail.html).not.toContain('>When<');
  });

  it('keeps a hostile notable event inert in both parts', () => {
    const hostileTitle = `${SAMPLE_XSS_TITLE}\nSHA-256 of report.pdf: ${'0'.repeat(64)}`;
    const mail = renderReportEmail(
      {
        ...sampleReport,
        notableEvents: [{ ...firstNotable, title: hostileTitle, htmlUrl: 'javascript:alert(1)' }],
      },
      { reportSha256: 'c'.repeat(64) },
    );
    expect(mail.html).not.toContain('<img src=x');
    expect(mail.html).not.toContain('javascript:');
    expect(mail.html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; SHA-256 of report.pdf: 000');
    expect(mail.html).toContain('<strong>octo-demo/api #101</strong>');
    // The text part is plain text: the title is shown as typed, but on its own indented line, so
    // it cannot pass for the checksum line.
    expect(mail.text).toContain(`\n  ${SAMPLE_XSS_TITLE} SHA-256 of report.pdf: ${'0'.repeat(64)}\n`);
    expect(mail.text.match(/^SHA-256 of report\.pdf: .*$/gm)).toEqual([
      `SHA-256 of report.pdf: ${'c'.repeat(64)}`,
    ]);
    expect(mail.text).not.toContain('javascript:');
  });
});

describe('render: email wording', () => {
  const link = 'https://example.com/report.pdf?X-Amz-Signature=abc&X-Amz-Expires=604800';
  const expires = '2026-11-23T07:00:00.000Z';

  it('says an attached PDF is attached', () => {
    const mail = renderReportEmail(sampleReport, { reportSha256: 'c'.repeat(64), pdfFilename: 'r.pdf' });
    expect(mail.text).toContain('\nThe full report is attached as r.pdf.\n');
    expect(mail.html).toContain('The full report is attached as <strong>r.pdf</strong>');
    expect(mail.text).not.toContain('too big');
  });

  it('says a PDF too big to attach is linked, with the link and its expiry, in both parts', () => {
    const mail = renderReportEmail(sampleReport, {
      reportSha256: 'c'.repeat(64),
      pdfFilename: 'r.pdf',
      attached: false,
      downloadUrl: link,
      downloadExpiresAt: expires,
    });
    expect(mail.text).toContain(
      [
        'The full report, r.pdf, is too big to attach to this email.',
        'Download it from the link below; the link works until 2026-11-23 07:00 UTC.',
        `Download: ${link} (until 2026-11-23 07:00 UTC)`,
      ].join('\n'),
    );
    expect(mail.text).not.toContain('attached as');
    expect(mail.html).toContain(
      'The full report, <strong>r.pdf</strong>, is too big to attach to this email.',
    );
    expect(mail.html).toContain(
      '<a href="https://example.com/report.pdf?X-Amz-Signature&#x3D;abc&amp;X-Amz-Expires&#x3D;604800" style="color:#2b4c7e;font-weight:700;">Download the PDF</a>; the link works until 2026-11-23 07:00 UTC.',
    );
    expect(mail.html).not.toContain('attached as');
  });

  it('says where a PDF too big to attach is when no link came with it', () => {
    const mail = renderReportEmail(sampleReport, {
      reportSha256: 'c'.repeat(64),
      attached: false,
      reportId: 'r-1',
    });
    expect(mail.text).toContain("It is stored with the report's other files under report ID r-1.");
    expect(mail.text).not.toMatch(/^Download:/m);
  });

  it('names the team in the subject and the summary of a team report', () => {
    const mail = renderReportEmail(sampleReport, {
      reportSha256: 'c'.repeat(64),
      scopeLabel: 'team checkout (2 repositories)',
    });
    expect(mail.subject).toBe('[alert-ledger] octo-demo · team checkout · 2026-W46: 41 open, 5 past SLA');
    expect(mail.text).toContain('\nScope: team checkout (2 repositories)\n');
    expect(mail.html).toContain('>Scope: team checkout (2 repositories)</td>');
    expect(mail.text).toContain('The team closed more alerts than were opened');
    expect(mail.text).not.toContain('The organisation');
    expect(mail.html).toContain('The team closed more alerts than were opened');
    // A team name with a line break cannot start a header of its own.
    const hostile = renderReportEmail(sampleReport, {
      reportSha256: 'c'.repeat(64),
      team: 'a\r\nBcc: x@example.com',
    });
    expect(hostile.subject).not.toMatch(/[\r\n]/);
    // The organisation-wide report keeps its subject.
    expect(renderReportEmail(sampleReport, { reportSha256: 'c'.repeat(64) }).subject).toBe(
      '[alert-ledger] octo-demo 2026-W46: 41 open, 5 past SLA',
    );
  });
});

describe('render: CSV', () => {
  const csv = renderTransitionsCsv(sampleReport);
  const rows = parseCsv(csv);

  it('has a header and one row per transition', () => {
    expect(rows[0]).toEqual([...TRANSITION_CSV_COLUMNS]);
    expect(rows).toHaveLength(1 + sampleReport.transitions.length);
    expect(rows.every((r) => r.length === TRANSITION_CSV_COLUMNS.length)).toBe(true);
    const first = rows[1];
    const t = sampleReport.transitions[0];
    expect(first).toEqual([
      t?.alertType,
      t?.repository,
      String(t?.number),
      '',
      'open',
      t?.at,
      '',
      '',
      '',
      t?.source,
      t?.severity,
      t?.title,
      t?.htmlUrl,
    ]);
  });

  it('neutralises spreadsheet formulas and keeps other text as is', () => {
    const comments = rows.slice(1).map((r) => r[8]);
    expect(comments).toContain(`'${SAMPLE_FORMULA_COMMENT}`);
    expect(comments).not.toContain(SAMPLE_FORMULA_COMMENT);
    expect(comments).toContain(SAMPLE_SCRIPT_COMMENT);
    expect(rows.slice(1).map((r) => r[11])).toContain(SAMPLE_XSS_TITLE);
    const hostile: ReportJson = {
      ...sampleReport,
      transitions: ['+1+cmd', '-2', '@SUM(A1)', '\tx', '\r=1', 'a=1'].map((comment, i) => ({
        ...(sampleReport.transitions[0] as ReportJson['transitions'][number]),
        number: i,
        comment,
      })),
    };
    const cells = parseCsv(renderTransitionsCsv(hostile))
      .slice(1)
      .map((r) => r[8]);
    expect(cells).toEqual(["'+1+cmd", "'-2", "'@SUM(A1)", "'\tx", "'\r=1", 'a=1']);
  });
});

describe('render: PDF with Chromium', () => {
  const HEADER = 'octo-demo · Security alert report · 2026-W46';
  let browser: Browser;
  let pdfPath: string;
  let letterPath: string;
  let pdf: Buffer;
  let html: string;
  let renderMs: number;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launchBrowser();
    const started = performance.now();
    const docs = await renderReportDocuments(browser, sampleReport, {
      reportId: 'octo-demo/2026-W46/01',
      previousReportHash: 'b'.repeat(64),
    });
    renderMs = performance.now() - started;
    pdf = docs.pdf;
    html = docs.html;
    const letter = await renderReportDocuments(browser, sampleReport, {
      format: 'Letter',
      reportId: 'octo-demo/2026-W46/01',
      previousReportHash: 'b'.repeat(64),
    });
    letterPath = join(ARTIFACTS, 'report-letter-full.pdf');
    writeFileSync(letterPath, letter.pdf);
    pdfPath = join(ARTIFACTS, 'report.pdf');
    writeFileSync(pdfPath, docs.pdf);
    writeFileSync(join(ARTIFACTS, 'report.html'), docs.html);
    writeFileSync(join(ARTIFACTS, 'report.csv'), docs.csv);
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '2', pdfPath, join(ARTIFACTS, 'page')]);
  }, SLOW);

  afterAll(async () => {
    await browser?.close();
  }, SLOW);

  it('is a tagged, titled, multi-page A4 PDF', () => {
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const info = pdfInfo(pdfPath);
    expect(Number(info.Pages)).toBeGreaterThan(1);
    expect(info.Title).toBe('octo-demo security alert report 2026-W46');
    expect(info.Tagged).toBe('yes');
    expect(info['Page size']).toMatch(/\(A4\)/);
    expect(info.JavaScript).toBe('no');
    console.info(
      `render: report documents in ${Math.round(renderMs)} ms, ${info.Pages} pages, ${pdf.length} bytes`,
    );
  });

  it("carries the report's id and the previous report's hash in its document information", () => {
    const custom = pdfInfo(pdfPath, ['-custom']);
    expect(custom.AlertLedgerReportId).toBe('octo-demo/2026-W46/01');
    expect(custom.AlertLedgerPreviousReportSha256).toBe('b'.repeat(64));
    expect(custom.AlertLedgerOrg).toBe('octo-demo');
    expect(custom.AlertLedgerPeriod).toBe('2026-W46');
    expect(custom.Subject).toBe('Security alert report: octo-demo · 2026-W46');
    expect(custom.Keywords).toBe(
      `alert-ledger; report octo-demo/2026-W46/01; previous report SHA-256 ${'b'.repeat(64)}`,
    );
    expect(custom.Author).toBe('alert-ledger');
    // Chromium's own entries stay, and poppler reads the whole file without a complaint.
    expect(custom.Title).toBe('octo-demo security alert report 2026-W46');
    expect(custom.Producer).toMatch(/^Skia\/PDF/);
    const check = spawnSync('pdftotext', [pdfPath, '/dev/null'], { encoding: 'utf8' });
    expect(check.status).toBe(0);
    expect(check.stderr).toBe('');
  });

  it('shows the period, the organisation, the page numbers and the figures', () => {
    const pages = Number(pdfInfo(pdfPath).Pages);
    const text = pdfText(pdfPath);
    expect(text).toContain('2026-W46');
    expect(text).toContain('octo-demo');
    expect(text).toContain(`Page 1 of ${pages}`);
    expect(text.replace(/\s+/g, ' ')).toContain(
      'Not listed by GitHub when the period ended (what that leaves out: Coverage gaps): Code scanning: code_scanning is not available for octo-demo',
    );
    expect(text).toContain(`Page ${pages} of ${pages}`);
    expect(text).toMatch(/Dependabot\s+24\s+3\s+1\s+4\s+2\s+22\s+18\.4\s+200%/);
    expect(text).toMatch(/Secret scanning\s+5\s+2\s+0\s+1\s+1\s+5\s+2\.9\s+100%/);
    expect(text).toMatch(/Code scanning\s+13\s+2\s+1\s+1\s+1\s+14\s+41\.0\s+100%/);
    expect(text).toMatch(/All alerts\s+42\s+7\s+2\s+6\s+4\s+41\s+21\.7\s+143%/);
    // Prose wraps across lines: compare it with whitespace folded.
    expect(text.replace(/\s+/g, ' ')).toContain('Open alerts went from 42 to 41 (down 1).');
    expect(text).toMatch(/octo-demo\/web #60[\s\S]*\b48\b/);
    expect(text).toContain('aws_access_key_id');
    expect(text).toContain('NO COMMENT');
  });

  it('shows the notable events after the summary, one row per event', () => {
    const text = pdfText(pdfPath);
    expect(text).toMatch(/Notable events\s+7\s/);
    expect(text.replace(/\s+/g, ' ')).toContain(
      '7 notable events need a look: 1 secret publicly leaked, 1 push-protection bypass, 3 critical alerts created and 2 alerts reopened.',
    );
    const section = notableText(text);
    expect(text.indexOf('Executive summary')).toBeLessThan(text.indexOf(section));
    expect(section).toMatch(/When\s+Event\s+Alert\s+Severity\s+By\n/);
    const rows = [
      /2026-11-09\s+Critical alert created\s+octo-demo\/api #101 DEPENDABOT\s+CRITICAL\s+—\s+08:14 UTC\s+lodash: Prototype pollution in zipObjectDeep/,
      /2026-11-10\s+Push protection bypassed\s+octo-demo\/payments #7 SECRET SCANNING\s+CRITICAL\s+dev-intern\s+11:46 UTC\s+Amazon AWS Access Key ID/,
      /2026-11-10\s+Critical alert created\s+octo-demo\/payments #7 SECRET SCANNING\s+CRITICAL\s+dev-intern\s+11:47 UTC/,
      /2026-11-13\s+Critical alert created\s+octo-demo\/web #3 SECRET SCANNING\s+CRITICAL\s+—\s+14:12 UTC\s+GitHub Personal Access Token/,
      /2026-11-14\s+Secret publicly leaked\s+octo-demo\/web #3 SECRET SCANNING\s+CRITICAL\s+—\s+09:31 UTC/,
      /2026-11-15\s+Reopened\s+octo-demo\/api #64 DEPENDABOT\s+HIGH\s+mona\s+08:00 UTC\s+follow-redirects: Proxy-Authorization header kept\s+across\s+hosts/,
      /2026-11-15\s+Reopened\s+octo-demo\/api #150 CODE SCANNING\s+MEDIUM\s+—\s+19:20 UTC\s+Prototype-polluting assignment/,
    ];
    let from = 0;
    for (const row of rows) {
      const at = section.slice(from).search(row);
      expect(at, String(row)).toBeGreaterThan(-1);
      from += at + 1;
    }
  });

  it('prints hostile GitHub text as literal text', () => {
    const text = pdfText(pdfPath);
    expect(text).toContain(SAMPLE_XSS_TITLE);
    expect(text).toContain("<script>alert('xss')</script>");
  });

  it('draws the three trend charts (vega SVG) on the trend page, as text a reader can find', () => {
    // pdftotext separates pages with a form feed.
    const pages = pdfText(pdfPath).split('\f');
    const titles = [
      'Open alerts at the end of each week, by severity',
      'Alerts opened and closed each week',
      'Mean time to remediate, in days, each week',
    ];
    const at = pages.findIndex((page) => page.includes(titles[0] as string));
    expect(at).toBeGreaterThan(-1);
    // All three on one page with the section heading: the section fits one page.
    const page = pages[at] as string;
    expect(page).toMatch(/^\s*Trend$/m);
    for (const title of titles) expect(page).toContain(title);
    // The charts' own text: period labels in order, the sample's values.
    expect(page).toMatch(/W35\s+W36\s+W37\s+W38\s+W39\s+W40\s+W41\s+W42\s+W43\s+W44\s+W45\s+W46/);
    expect(page).toMatch(/Critical\s+High\s+Medium\s+Low/);
    for (const mttr of ['24.1', '26.0', '19.6', '21.7']) expect(page).toContain(mttr);
    // Page images for a human look, in colour and as a grayscale printer would see them.
    const n = String(at + 1);
    for (const [name, extra] of [
      ['trend', []],
      ['trend-gray', ['-gray']],
    ] as const) {
      execFileSync('pdftoppm', [
        '-png',
        ...extra,
        '-r',
        '70',
        '-f',
        n,
        '-l',
        n,
        '-singlefile',
        pdfPath,
        join(ARTIFACTS, name),
      ]);
      expect(
        readFileSync(join(ARTIFACTS, `${name}.png`))
          .subarray(1, 4)
          .toString('latin1'),
      ).toBe('PNG');
    }
  });

  it(
    'prints a hostile notable event title as literal text',
    async () => {
      const hostile = await renderPdf(
        browser,
        await renderReportHtml({
          ...sampleReport,
          notableEvents: [{ ...firstNotable, title: SAMPLE_XSS_TITLE }],
        }),
        { format: 'A4', headerTitle: 'octo-demo · 2026-W46' },
      );
      const path = join(ARTIFACTS, 'hostile-notable.pdf');
      writeFileSync(path, hostile);
      expect(notableText(pdfText(path))).toMatch(
        /Critical alert created\s+octo-demo\/api #101 DEPENDABOT\s+CRITICAL\s+—\s+08:14 UTC\s+<img src=x onerror=alert\(1\)>/,
      );
    },
    SLOW,
  );

  it(
    'prints Letter too',
    async () => {
      const letter = await renderPdf(browser, await renderReportHtml(sampleReport), {
        format: 'Letter',
        headerTitle: 'octo-demo · 2026-W46',
      });
      const path = join(ARTIFACTS, 'report-letter.pdf');
      writeFileSync(path, letter);
      expect(pdfInfo(path)['Page size']).toMatch(/612 x 792 pts \(letter\)/);
    },
    SLOW,
  );

  it(
    'runs no script and fetches nothing',
    async () => {
      let hits = 0;
      const blocked: string[] = [];
      await withServer(
        (_req, res) => {
          hits++;
          res.end('x');
        },
        async (origin) => {
          const port = new URL(origin).port;
          const hostile = `<!DOCTYPE html><html><head><title>t</title>
      <link rel="stylesheet" href="http://127.0.0.1:${port}/style.css"></head>
      <body><p>static text</p><img src="http://127.0.0.1:${port}/pixel.png">
      <iframe src="http://127.0.0.1:${port}/frame"></iframe>
      <script>document.body.insertAdjacentHTML('beforeend', '<p>SCRIPT-RAN</p>')</script></body></html>`;
          const out = await renderPdf(browser, hostile, {
            format: 'A4',
            headerTitle: '<b>x</b>',
            onBlockedRequest: (url) => blocked.push(url),
          });
          const path = join(ARTIFACTS, 'hostile.pdf');
          writeFileSync(path, out);
          const text = pdfText(path);
          expect(text).toContain('static text');
          expect(text).not.toContain('SCRIPT-RAN');
          // The header title is text, not markup.
          expect(text).toContain('<b>x</b>');
          expect(hits).toBe(0);
          expect(blocked).toEqual(
            expect.arrayContaining([
              `http://127.0.0.1:${port}/style.css`,
              `http://127.0.0.1:${port}/pixel.png`,
            ]),
          );
        },
      );
    },
    SLOW,
  );

  it(
    'launches an explicit Chromium binary with a throwaway profile',
    async () => {
      // The bundled binary stands in for a system Chromium here: same code path as CHROMIUM_PATH.
      const system = await launchBrowser({ executablePath: await chromium.executablePath() });
      // Its own profile (other tests running beside this one launch browsers too).
      const profile = system
        .process()
        ?.spawnargs.find((a) => a.startsWith('--user-data-dir='))
        ?.slice('--user-data-dir='.length);
      try {
        expect(dirname(profile ?? '')).toBe(tmpdir());
        expect(basename(profile ?? '')).toMatch(/^alert-ledger-chromium-/);
        expect(existsSync(profile ?? '')).toBe(true);
        const out = await renderPdf(system, '<title>t</title><p>system chromium</p>', {
          format: 'A4',
          headerTitle: 'h',
        });
        const path = join(ARTIFACTS, 'system.pdf');
        writeFileSync(path, out);
        expect(pdfText(path)).toContain('system chromium');
      } finally {
        await system.close();
      }
      await expect.poll(() => existsSync(profile ?? ''), { timeout: 15_000 }).toBe(false);
    },
    SLOW,
  );

  it(
    'fits A4 and Letter at 100%: nothing is wider than the text column, so Chromium shrinks nothing',
    async () => {
      for (const format of ['A4', 'Letter'] as const) {
        const fit = await measurePageFit(browser, html, format);
        expect(fit.overflowing, format).toEqual([]);
        expect(fit.scrollWidth, format).toBeLessThanOrEqual(fit.clientWidth);
        expect(Math.abs(fit.clientWidth - fit.columnPx), format).toBeLessThan(1);
      }
      // In the PDFs themselves: the 14pt heading at its own size. DejaVu Sans' word box is 1.164
      // em high, so 16.3pt; when tables were too wide Chromium printed it at 76% (12.4pt).
      for (const path of [pdfPath, letterPath]) {
        const page = summaryPage(pdfPages(path)) + 1;
        expect(wordHeights(path, page).get('Executive'), path).toBeCloseTo(14 * 1.164, 0);
      }
    },
    SLOW,
  );

  it('keeps the executive summary on one page, A4 and Letter', () => {
    for (const path of [pdfPath, letterPath]) {
      const pages = pdfPages(path);
      const at = summaryPage(pages);
      // The summary starts its page and the page after it starts with the notable events.
      expect(pages[at + 1]).toMatch(/^\s*(\S.*\n)?\s*Notable events$/m);
    }
  });

  it('numbers every page "Page N of M" under the running header, A4 and Letter', () => {
    expectRunningBands(pdfPages(pdfPath), HEADER);
    expectRunningBands(pdfPages(letterPath), HEADER);
    expect(pdfInfo(letterPath)['Page size']).toMatch(/612 x 792 pts \(letter\)/);
  });

  it('has an outline (bookmarks) of the sections', () => {
    // pdfinfo and pdftotext do not show outlines: the option, then the PDF's own objects.
    expect(readFileSync(join(ROOT, 'functions/render/pdf.ts'), 'utf8')).toMatch(/\boutline: true,/);
    const bytes = pdf.toString('latin1');
    expect(bytes).toMatch(/\/Outlines \d+ 0 R/);
    for (const title of [
      'Executive summary',
      'Notable events',
      'Trend',
      'Remediation deadline breaches',
      'Where the open alerts are',
      'Coverage gaps',
      'Dismissals and resolutions',
      'Appendix: every recorded transition',
    ]) {
      expect(bytes).toContain(`/Title (${title})`);
    }
  });

  it('shows where the open alerts are and the coverage gaps', () => {
    const text = pdfText(pdfPath).replace(/\s+/g, ' ');
    expect(text).toContain('Where the open alerts are The 41 alerts open at the end of 2026-W46');
    expect(text).toMatch(/1 octo-demo\/api 18 2 5 7 4 44%/);
    expect(text).toContain('Coverage gaps What GitHub would not list');
    // Three columns side by side: pdftotext interleaves their lines.
    expect(text).toContain(
      'Code scanning code_scanning is not available for octo-demo (403: Code scanning alerts count as the ledger',
    );
  });

  /**
   * The sample report with `n` transitions rendered to test-artifacts/render/<name>-<n>.pdf, its
   * pages checked for the running bands, and the pages from the appendix's heading on.
   */
  async function appendixPages(n: number, name: string): Promise<string[]> {
    const docs = await renderReportDocuments(browser, reportWithTransitions(n), { reportId: name });
    const path = join(ARTIFACTS, `${name}-${n}.pdf`);
    writeFileSync(path, docs.pdf);
    const pages = pdfPages(path);
    expectRunningBands(pages, HEADER);
    const first = pages.findIndex((page) => /^\s*Appendix: every recorded transition$/m.test(page));
    expect(first).toBeGreaterThan(0);
    return pages.slice(first);
  }

  it(
    'repeats the table header on every appendix page and never splits a row',
    async () => {
      const n = 300;
      const appendix = await appendixPages(n, 'long');
      expect(appendix.length).toBeGreaterThan(5);
      for (const [i, page] of appendix.entries()) {
        expect(page, `appendix page ${i + 1}`).toMatch(/When\s+Alert, severity, type\s+Change, by whom, why/);
        // A row is "date  repo #n ..." over "hh:mm UTC  title ...": both lines on the same page.
        const lines = page
          .split('\n')
          .map((line) => line.trim())
          .filter((line) => line !== '');
        lines.forEach((line, j) => {
          if (/^\d{4}-\d\d-\d\d\s+octo-demo\/service-\d{4} #\d+/.test(line)) {
            expect(lines[j + 1], `after "${line}"`).toMatch(/^\d\d:\d\d UTC\s/);
          }
        });
      }
      const text = appendix.join('\n');
      for (let i = 0; i < n; i++) expect(text).toContain(`${repositoryOf(i, n)} #${numberOf(i)}`);
    },
    SLOW,
  );

  it(
    'prints a ledger entry whole on one page, every change once, under the running header',
    async () => {
      const n = 2500;
      const appendix = await appendixPages(n, 'ledger');
      expect(appendix.length).toBeGreaterThan(20);
      const entryStart = /^\d{4}-\d\d-\d\d \d\d:\d\d UTC · octo-demo\/service-\d{4} #\d+/;
      for (const [i, page] of appendix.entries()) {
        const lines = page
          .split('\n')
          .map((line) => line.trim())
          .filter(
            (line) => line !== '' && !line.includes(HEADER) && !/^Generated .* Page \d+ of \d+$/.test(line),
          );
        const body =
          i === 0 ? lines.slice(lines.findIndex((l) => l.startsWith('One change per entry')) + 2) : lines;
        // Every page of the ledger begins with an entry's first line: none continues from the page before.
        expect(body[0], `appendix page ${i + 1}`).toMatch(entryStart);
      }
      const text = appendix.join('\n');
      for (let i = 0; i < n; i++) {
        const id = `${repositoryOf(i, n)} #${numberOf(i)}`;
        expect(text.split(`${id} `).length - 1, id).toBe(1);
      }
    },
    SLOW,
  );

  it(
    'explains how to fix a missing Chromium',
    async () => {
      const err = await launchBrowser({ executablePath: '/nonexistent/chromium' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ChromiumLaunchError);
      expect((err as Error).message).toContain('/nonexistent/chromium');
      expect((err as Error).message).toContain('CHROMIUM_PATH');
    },
    SLOW,
  );
  it('renders a period of 10,000 transitions', async () => {
    const n = 10_000;
    const report = reportWithTransitions(n);
    const started = performance.now();
    const out = await renderPdf(browser, await renderReportHtml(report), {
      format: 'A4',
      headerTitle: HEADER,
      timeoutMs: 240_000,
    });
    const ms = performance.now() - started;
    // 50 MB: read back from a temporary folder, not kept with the artefacts.
    const dir = mkdtempSync(join(tmpdir(), 'alert-ledger-long-'));
    try {
      const path = join(dir, `long-${n}.pdf`);
      writeFileSync(path, out);
      const pages = Number(pdfInfo(path).Pages);
      console.info(`render: ${n} transitions in ${Math.round(ms)} ms, ${pages} pages, ${out.length} bytes`);
      expect(pages).toBeGreaterThan(100);
      // The last transition is the appendix's last row, on the last page.
      const last = `${repositoryOf(n - 1, n)} #${numberOf(n - 1)}`;
      expect(pdfPages(path).at(-1)).toContain(last);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
