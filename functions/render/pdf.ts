/**
 * HTML → PDF with headless Chromium, locked down: JavaScript off and every network request
 * refused, so nothing in a report (all of it ultimately from GitHub users) can run or fetch.
 *
 * Chromium comes from @sparticuz/chromium (x86_64 only, the one that runs in Lambda) unless
 * CHROMIUM_PATH or an explicit path names another binary (e.g. Debian's /usr/bin/chromium).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import chromium from '@sparticuz/chromium';
import puppeteer, { type Browser, type HTTPRequest } from 'puppeteer-core';
import { ChromiumLaunchError, PdfRenderError } from './errors.ts';

export const CHROMIUM_PATH_ENV = 'CHROMIUM_PATH';

/**
 * For a system Chromium (TOOLCHAIN.md): without the background-networking flags start-up stalls
 * on refused connections. A fresh --user-data-dir is added per launch.
 */
const SYSTEM_CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const FIX_HINT = `Set ${CHROMIUM_PATH_ENV} to a Chromium binary (Debian: apt-get install -y chromium, then ${CHROMIUM_PATH_ENV}=/usr/bin/chromium), or run on x86_64 where @sparticuz/chromium's bundled Chromium works.`;

export interface LaunchBrowserOptions {
  /** A Chromium/Chrome binary; default: CHROMIUM_PATH, else @sparticuz/chromium. */
  executablePath?: string;
  /** Launch timeout in ms (default 30 s). */
  timeoutMs?: number;
}

export async function launchBrowser(options: LaunchBrowserOptions = {}): Promise<Browser> {
  const systemPath = options.executablePath ?? (process.env[CHROMIUM_PATH_ENV] || undefined);
  const timeout = options.timeoutMs ?? 30_000;
  if (systemPath !== undefined) {
    if (!existsSync(systemPath)) {
      throw new ChromiumLaunchError(`No Chromium at ${systemPath}. ${FIX_HINT}`);
    }
    // Our own fresh profile, removed when the browser goes away or fails to start (puppeteer's
    // own temporary profile is left behind when the launch fails).
    const userDataDir = await mkdtemp(join(tmpdir(), 'alert-ledger-chromium-'));
    // Retried: Chromium's helpers may still be writing there for a moment (ENOTEMPTY).
    const removeProfile = (): Promise<void> =>
      rm(userDataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }).catch(
        () => undefined,
      );
    try {
      const browser = await puppeteer.launch({
        executablePath: systemPath,
        args: [...SYSTEM_CHROMIUM_ARGS, `--user-data-dir=${userDataDir}`],
        headless: true,
        timeout,
      });
      // Once the process has exited, not when the connection drops: it may still be writing.
      const proc = browser.process();
      if (proc && proc.exitCode === null) proc.once('exit', () => void removeProfile());
      else browser.once('disconnected', () => void removeProfile());
      return browser;
    } catch (err) {
      await removeProfile();
      throw new ChromiumLaunchError(
        `Could not start Chromium at ${systemPath}: ${(err as Error).message}. ${FIX_HINT}`,
        {
          cause: err,
        },
      );
    }
  }

  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new ChromiumLaunchError(
      `@sparticuz/chromium ships only a Linux x86_64 Chromium; this is ${process.platform}/${process.arch}. ${FIX_HINT}`,
    );
  }
  let executablePath: string;
  try {
    // Extracts to $TMPDIR/chromium the first time (about 2 s), then reuses it.
    executablePath = await chromium.executablePath();
  } catch (err) {
    throw new ChromiumLaunchError(
      `Could not unpack @sparticuz/chromium: ${(err as Error).message}. ${FIX_HINT}`,
      {
        cause: err,
      },
    );
  }
  try {
    return await puppeteer.launch({ executablePath, args: chromium.args, headless: 'shell', timeout });
  } catch (err) {
    throw new ChromiumLaunchError(
      `Could not start @sparticuz/chromium at ${executablePath}: ${(err as Error).message}. If ${executablePath} is left over from another @sparticuz/chromium version, delete it. ${FIX_HINT}`,
      { cause: err },
    );
  }
}

export interface RenderPdfOptions {
  format: PaperFormat;
  /** Running header, e.g. "octo-demo · Security alert report · 2026-W46". Plain text. */
  headerTitle: string;
  /** Left side of the footer, plain text (e.g. "Generated 16 Nov 2026 06:00 UTC"). */
  footerNote?: string;
  /** Called with the URL of every request that was refused. */
  onBlockedRequest?: (url: string) => void;
  /** Per step (load, print) in ms; default 60 s. */
  timeoutMs?: number;
}

export type PaperFormat = 'A4' | 'Letter';

/** Paper sizes in mm. */
export const PAPER_MM: Readonly<Record<PaperFormat, { width: number; height: number }>> = {
  A4: { width: 210, height: 297 },
  Letter: { width: 215.9, height: 279.4 },
};

/** Page margins in mm: room for the running header (top) and the page numbers (bottom). */
export const PAGE_MARGIN_MM = { top: 20, bottom: 18, left: 14, right: 14 } as const;

const CSS_PX_PER_MM = 96 / 25.4;

/**
 * The text column's width in CSS px (A4 about 688, Letter about 710). Anything laid out wider
 * makes Chromium shrink every page to fit, so templates and report.css keep every table within it.
 */
export function textColumnPx(format: PaperFormat): number {
  return (PAPER_MM[format].width - PAGE_MARGIN_MM.left - PAGE_MARGIN_MM.right) * CSS_PX_PER_MM;
}

type Page = Awaited<ReturnType<Browser['newPage']>>;

/** A fresh page with JavaScript off and every request but the document itself refused. */
async function lockedDownPage(browser: Browser, onBlockedRequest?: (url: string) => void): Promise<Page> {
  const page = await browser.newPage();
  await page.setJavaScriptEnabled(false);
  await page.setRequestInterception(true);
  page.on('request', (request: HTTPRequest) => {
    const url = request.url();
    // The document itself arrives by document.write into about:blank; nothing else may load.
    if (url === 'about:blank' || url.startsWith('data:')) {
      void request.continue();
      return;
    }
    onBlockedRequest?.(url);
    void request.abort('blockedbyclient');
  });
  return page;
}

/** Renders one PDF in a fresh page of `browser`; the page is closed whatever happens. */
export async function renderPdf(browser: Browser, html: string, options: RenderPdfOptions): Promise<Buffer> {
  const timeout = options.timeoutMs ?? 60_000;
  let page: Page | undefined;
  try {
    page = await lockedDownPage(browser, options.onBlockedRequest);
    await page.setContent(html, { waitUntil: 'load', timeout });
    const mm = (n: number): string => `${n}mm`;
    const pdf = await page.pdf({
      format: options.format,
      // 1: the document is laid out at the text column's width and printed at its own size.
      scale: 1,
      printBackground: true,
      displayHeaderFooter: true,
      headerTemplate: headerTemplate(options.headerTitle),
      footerTemplate: footerTemplate(options.footerNote ?? ''),
      margin: {
        top: mm(PAGE_MARGIN_MM.top),
        bottom: mm(PAGE_MARGIN_MM.bottom),
        left: mm(PAGE_MARGIN_MM.left),
        right: mm(PAGE_MARGIN_MM.right),
      },
      // Tagged PDF, and bookmarks from the headings (h1 the organisation, h2 the sections).
      tagged: true,
      outline: true,
      timeout,
    });
    return Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  } catch (err) {
    throw new PdfRenderError(`Rendering the PDF failed: ${(err as Error).message}`, { cause: err });
  } finally {
    if (page) await releaseMemory(page);
    await page?.close().catch(() => undefined);
  }
}

/**
 * A reused browser keeps what a big document made it allocate (@sparticuz/chromium runs as one
 * process): a warm Lambda rendering several scopes would start each from the last one's peak.
 * Collecting garbage and signalling critical memory pressure before the page goes makes Chromium
 * drop it. Best effort: a failure here never fails the PDF.
 */
async function releaseMemory(page: Page): Promise<void> {
  try {
    const cdp = await page.createCDPSession();
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('Memory.simulatePressureNotification', { level: 'critical' });
    await cdp.detach();
  } catch {
    // the page or the browser is already gone
  }
}

export interface PageFit {
  format: PaperFormat;
  /** The text column's width, CSS px. */
  columnPx: number;
  /** The document's layout width at that column width, and the column as the page sees it. */
  scrollWidth: number;
  clientWidth: number;
  /** Elements whose right edge passes the column, widest first (at most 10): "table.data.trend 912px". */
  overflowing: string[];
}

/**
 * Lays `html` out as the PDF will be (print styles, the text column's width, JavaScript off and
 * requests blocked as in renderPdf) and says whether anything is wider than the column, which
 * would make Chromium shrink every page. For tests and diagnosis; the PDF itself does not need it.
 */
export async function measurePageFit(browser: Browser, html: string, format: PaperFormat): Promise<PageFit> {
  const columnPx = textColumnPx(format);
  let page: Page | undefined;
  try {
    page = await lockedDownPage(browser);
    await page.setViewport({ width: Math.floor(columnPx), height: 1000 });
    await page.emulateMediaType('print');
    await page.setContent(html, { waitUntil: 'load' });
    // Runs in the page through the DevTools protocol, not as page script: JavaScript stays off
    // for the document's own content.
    const measured = await page.evaluate(() => {
      const root = document.documentElement;
      const limit = root.clientWidth + 0.5;
      const wide = Array.from(document.body.querySelectorAll('*'))
        .map((el) => ({ el, right: el.getBoundingClientRect().right }))
        .filter((e) => e.right > limit)
        .sort((a, b) => b.right - a.right)
        .slice(0, 10)
        .map(
          ({ el, right }) =>
            `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${Array.from(el.classList, (c) => `.${c}`).join('')} ${Math.round(right)}px`,
        );
      return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, overflowing: wide };
    });
    return { format, columnPx, ...measured };
  } finally {
    await page?.close().catch(() => undefined);
  }
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// Header and footer are separate documents without the report's stylesheet: style them inline.
// Chromium renders them at a tiny default size, so the font size must be explicit.
const BAND_STYLE =
  "width:100%;margin:0 14mm;font-family:'Open Sans','Helvetica Neue',Arial,'DejaVu Sans',sans-serif;font-size:7.5pt;color:#4a5568;display:flex;justify-content:space-between;";

function headerTemplate(title: string): string {
  return `<div style="${BAND_STYLE}border-bottom:0.5pt solid #cbd5e0;padding-bottom:2pt;"><span>${escapeHtml(title)}</span><span>alert-ledger</span></div>`;
}

function footerTemplate(note: string): string {
  return `<div style="${BAND_STYLE}"><span>${escapeHtml(note)}</span><span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`;
}
