/**
 * Render adapter against real Chromium and poppler: the fixture report goes to HTML, PDF and
 * CSV, and the PDF is read back as an auditor's tools would see it. Page images land in
 * test-artifacts/ (git-ignored) for a human look.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import chromium from '@sparticuz/chromium';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportJson } from '../../functions/core/report-model.ts';
import { renderTransitionsCsv, TRANSITION_CSV_COLUMNS } from '../../functions/render/csv.ts';
import { renderReportEmail } from '../../functions/render/email-body.ts';
import { ChromiumLaunchError, TemplatesNotFoundError } from '../../functions/render/errors.ts';
import { renderReportHtml } from '../../functions/render/html.ts';
import { launchBrowser, renderPdf } from '../../functions/render/pdf.ts';
import { renderReportDocuments } from '../../functions/render/report-documents.ts';
import {
  SAMPLE_FORMULA_COMMENT,
  SAMPLE_SCRIPT_COMMENT,
  SAMPLE_XSS_TITLE,
  sampleReport,
} from '../fixtures/report-sample.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TEMPLATES = join(ROOT, 'templates');
const ARTIFACTS = join(ROOT, 'test-artifacts', 'render');
const SLOW = 60_000;

function pdfInfo(path: string): Record<string, string> {
  const out = execFileSync('pdfinfo', [path], { encoding: 'utf8' });
  return Object.fromEntries(
    out
      .split('\n')
      .map((line) => /^([^:]+):\s*(.*)$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1] as string, m[2] as string]),
  );
}

function pdfText(path: string): string {
  return execFileSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' });
}

/** RFC 4180 reader, enough to check what csv-stringify wrote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

describe('render: HTML', () => {
  const html = renderReportHtml(sampleReport, {
    reportId: 'octo-demo/2026-W46/01',
    previousReportHash: 'b'.repeat(64),
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

  it('never uses triple-stash in the templates', () => {
    const files = [
      ...readdirSync(TEMPLATES).filter((f) => f.endsWith('.hbs')),
      ...readdirSync(join(TEMPLATES, 'partials')).map((f) => join('partials', f)),
    ];
    expect(files.length).toBeGreaterThan(8);
    for (const file of files) expect(readFileSync(join(TEMPLATES, file), 'utf8')).not.toContain('{{{');
  });

  it('says loudly when the report is incomplete', () => {
    const incomplete: ReportJson = {
      ...sampleReport,
      complete: false,
      incompleteReasons: ['code_scanning stream failed: 502 Bad Gateway after 3 retries'],
    };
    const out = renderReportHtml(incomplete);
    expect(out).toContain('Incomplete report');
    expect(out).toContain('code_scanning stream failed: 502 Bad Gateway after 3 retries');
    expect(out).toContain('This report is incomplete');
    expect(html).not.toContain('Incomplete report');
  });

  it('renders empty sections as such', () => {
    const quiet: ReportJson = {
      ...sampleReport,
      transitions: [],
      slaBreaches: [],
      pushProtectionBypasses: [],
      trend: [],
    };
    const out = renderReportHtml(quiet);
    expect(out).toContain('No open alert is past its remediation deadline.');
    expect(out).toContain('Nobody bypassed push protection in the period.');
    expect(out).toContain('No alert changed state in the period.');
    expect(out).toContain('No earlier periods recorded yet.');
  });

  it('takes a templates folder and explains a missing one', () => {
    expect(renderReportHtml(sampleReport, { templatesDir: TEMPLATES })).toBe(renderReportHtml(sampleReport));
    expect(() => renderReportHtml(sampleReport, { templatesDir: '/nonexistent/templates' })).toThrow(
      TemplatesNotFoundError,
    );
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
  let browser: Browser;
  let pdfPath: string;
  let pdf: Buffer;
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

  it('shows the period, the organisation, the page numbers and the figures', () => {
    const pages = Number(pdfInfo(pdfPath).Pages);
    const text = pdfText(pdfPath);
    expect(text).toContain('2026-W46');
    expect(text).toContain('octo-demo');
    expect(text).toContain(`Page 1 of ${pages}`);
    expect(text.replace(/\s+/g, ' ')).toContain(
      'Not covered, so not in any figure: Code scanning: code_scanning is not available for octo-demo',
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

  it('prints hostile GitHub text as literal text', () => {
    const text = pdfText(pdfPath);
    expect(text).toContain(SAMPLE_XSS_TITLE);
    expect(text).toContain("<script>alert('xss')</script>");
  });

  it(
    'prints Letter too',
    async () => {
      const letter = await renderPdf(browser, renderReportHtml(sampleReport), {
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
      const server: Server = createServer((_req, res) => {
        hits++;
        res.end('x');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      const blocked: string[] = [];
      try {
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
      } finally {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
    SLOW,
  );

  it(
    'launches an explicit Chromium binary with a throwaway profile',
    async () => {
      // The bundled binary stands in for a system Chromium here: same code path as CHROMIUM_PATH.
      const profiles = (): string[] =>
        readdirSync(tmpdir()).filter((f) => f.startsWith('alert-ledger-chromium-'));
      const before = profiles();
      const system = await launchBrowser({ executablePath: await chromium.executablePath() });
      try {
        expect(profiles().length).toBe(before.length + 1);
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
      await expect.poll(() => profiles().length, { timeout: 5_000 }).toBe(before.length);
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
});
