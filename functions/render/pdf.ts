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
    const removeProfile = (): Promise<void> =>
      rm(userDataDir, { recursive: true, force: true }).catch(() => undefined);
    try {
      const browser = await puppeteer.launch({
        executablePath: systemPath,
        args: [...SYSTEM_CHROMIUM_ARGS, `--user-data-dir=${userDataDir}`],
        headless: true,
        timeout,
      });
      browser.once('disconnected', () => void removeProfile());
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
  format: 'A4' | 'Letter';
  /** Running header, e.g. "octo-demo · Security alert report · 2026-W46". Plain text. */
  headerTitle: string;
  /** Left side of the footer, plain text (e.g. "Generated 16 Nov 2026 06:00 UTC"). */
  footerNote?: string;
  /** Called with the URL of every request that was refused. */
  onBlockedRequest?: (url: string) => void;
  /** Per step (load, print) in ms; default 60 s. */
  timeoutMs?: number;
}

/** Renders one PDF in a fresh page of `browser`; the page is closed whatever happens. */
export async function renderPdf(browser: Browser, html: string, options: RenderPdfOptions): Promise<Buffer> {
  const timeout = options.timeoutMs ?? 60_000;
  let page: Awaited<ReturnType<Browser['newPage']>> | undefined;
  try {
    page = await browser.newPage();
    await page.setJavaScriptEnabled(false);
    await page.setRequestInterception(true);
    page.on('request', (request: HTTPRequest) => {
      const url = request.url();
      // The document itself arrives by document.write into about:blank; nothing else may load.
      if (url === 'about:blank' || url.startsWith('data:')) {
        void request.continue();
        return;
      }
      options.onBlockedRequest?.(url);
      void request.abort('blockedbyclient');
    });
    await page.setContent(html, { waitUntil: 'load', timeout });
    const pdf = await page.pdf({
      format: options.format,
      printBackground: true,
      displayHeaderFooter: true,
      headerTemplate: headerTemplate(options.headerTitle),
      footerTemplate: footerTemplate(options.footerNote ?? ''),
      margin: { top: '20mm', bottom: '18mm', left: '14mm', right: '14mm' },
      tagged: true,
      outline: true,
      timeout,
    });
    return Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  } catch (err) {
    throw new PdfRenderError(`Rendering the PDF failed: ${(err as Error).message}`, { cause: err });
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
