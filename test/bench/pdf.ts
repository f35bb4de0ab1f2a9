/**
 * The PDF benchmark (issue 6): `npm run bench:pdf` (about 3 minutes).
 *
 * For each size (BENCH_PDF_SIZES, default 100,1000,10000 transitions) the sample report.json
 * (test/fixtures/report-sample.ts) gets that many generated transitions (`pdf-data.ts`), and its
 * documents are rendered as the report Lambda renders them (`renderReportDocuments`: the HTML
 * with the three vega charts, the PDF by Chromium, report.csv, the table CSVs, the SHA-256), in
 * one browser launched once and reused throughout, as a warm Lambda reuses it across scopes.
 * One unmeasured render per size warms it, then BENCH_PDF_RUNS (default 3) measured ones.
 *
 * Per run: wall time, and peak memory with Chromium included (`pdf-meter.ts`: RSS of every
 * process of the browser's tree from /proc, plus this Node process, sampled every 25 ms; PSS
 * beside). Per size: the medians, pages and bytes. Targets, printed as PASS or FAIL: the
 * summary PDF (100 transitions) under 2 s warm; 10,000 transitions under 15 s and 1.5 GB.
 * Writes test/bench/results/pdf.json (pdf-<sizes>.json for other sizes).
 *
 * Environment: BENCH_PDF_SIZES, BENCH_PDF_RUNS, BENCH_PDF_FORMAT (A4 or Letter), CHROMIUM_PATH.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PaperFormat } from '../../functions/render/pdf.ts';
import { launchBrowser } from '../../functions/render/pdf.ts';
import { renderReportDocuments } from '../../functions/render/report-documents.ts';
import { reportWithTransitions } from './pdf-data.ts';
import { meterMemory } from './pdf-meter.ts';

const DEFAULT_SIZES = [100, 1000, 10_000] as const;
const TARGETS = { summaryMs: 2000, largeMs: 15_000, largeMb: 1536 } as const;

function intList(name: string, fallback: readonly number[]): number[] {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return [...fallback];
  return raw.split(',').map((part) => {
    const n = Number(part.trim().replace(/_/g, ''));
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must list whole numbers, got "${raw}"`);
    return n;
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const round = (n: number, digits = 0): number => Math.round(n * 10 ** digits) / 10 ** digits;

function pdfPages(pdf: Buffer, dir: string): number {
  const path = join(dir, 'report.pdf');
  writeFileSync(path, pdf);
  try {
    const info = execFileSync('pdfinfo', [path], { encoding: 'utf8' });
    return Number(/^Pages:\s+(\d+)$/m.exec(info)?.[1] ?? Number.NaN);
  } catch {
    return Number.NaN; // poppler-utils missing: pages unknown, the rest still measured
  }
}

interface SizeResult {
  transitions: number;
  pages: number;
  pdfBytes: number;
  htmlBytes: number;
  warmUpMs: number;
  runs: Run[];
  median: { wallMs: number; peakMb: number; peakPssMb: number };
}

interface Run {
  wallMs: number;
  peakMb: number;
  chromiumMb: number;
  nodeMb: number;
  peakPssMb: number;
}

const sizes = intList('BENCH_PDF_SIZES', DEFAULT_SIZES);
const runs = intList('BENCH_PDF_RUNS', [3])[0] ?? 3;
const format = (process.env.BENCH_PDF_FORMAT ?? 'A4') as PaperFormat;
if (format !== 'A4' && format !== 'Letter')
  throw new Error(`BENCH_PDF_FORMAT must be A4 or Letter, got "${format}"`);

const scratch = mkdtempSync(join(os.tmpdir(), 'alert-ledger-bench-pdf-'));
const started = performance.now();
const loadBefore = os.loadavg();
const launchStarted = performance.now();
const browser = await launchBrowser();
const launchMs = performance.now() - launchStarted;
const browserPid = browser.process()?.pid;
if (browserPid === undefined)
  throw new Error('no browser process to measure (connected to a remote browser?)');
const idle = meterMemory(browserPid).stop();
console.log(
  `PDF benchmark: ${sizes.join(', ')} transitions, ${format}, ${runs} runs each after a warm-up; ${await browser.version()}, launched in ${round(launchMs)} ms, idle ${round(idle.peakTotalMb)} MB (Chromium ${round(idle.chromiumMb)} + Node ${round(idle.nodeMb)})`,
);

const results: SizeResult[] = [];
try {
  for (const transitions of sizes) {
    const report = reportWithTransitions(transitions);
    const render = () =>
      renderReportDocuments(browser, report, { format, reportId: 'bench', previousReportHash: null });
    const warmStarted = performance.now();
    const warm = await render();
    const warmMs = performance.now() - warmStarted;
    const pages = pdfPages(warm.pdf, scratch);
    const measured: Run[] = [];
    for (let i = 0; i < runs; i++) {
      const meter = meterMemory(browserPid);
      const t0 = performance.now();
      await render();
      const wallMs = performance.now() - t0;
      const peak = meter.stop();
      measured.push({
        wallMs: round(wallMs),
        peakMb: round(peak.peakTotalMb),
        chromiumMb: round(peak.chromiumMb),
        nodeMb: round(peak.nodeMb),
        peakPssMb: round(peak.peakPssMb),
      });
      console.log(
        `  ${transitions} transitions, run ${i + 1}: ${round(wallMs)} ms, peak ${round(peak.peakTotalMb)} MB (Chromium ${round(peak.chromiumMb)} in ${peak.processes} processes + Node ${round(peak.nodeMb)}; PSS ${round(peak.peakPssMb)})`,
      );
    }
    const result: SizeResult = {
      transitions,
      pages,
      pdfBytes: warm.pdf.length,
      htmlBytes: Buffer.byteLength(warm.html),
      warmUpMs: round(warmMs),
      runs: measured,
      median: {
        wallMs: round(median(measured.map((r) => r.wallMs))),
        peakMb: round(median(measured.map((r) => r.peakMb))),
        peakPssMb: round(median(measured.map((r) => r.peakPssMb))),
      },
    };
    results.push(result);
    console.log(
      `${transitions} transitions: ${pages} pages, ${round(result.pdfBytes / 1e6, 1)} MB PDF; median ${result.median.wallMs} ms, peak ${result.median.peakMb} MB (PSS ${result.median.peakPssMb})`,
    );
  }
} finally {
  await browser.close();
  rmSync(scratch, { recursive: true, force: true });
}

const bySize = (n: number) => results.find((r) => r.transitions === n);
const targets = [
  {
    what: 'summary PDF (100 transitions), warm',
    limit: `< ${TARGETS.summaryMs} ms`,
    value: bySize(100)?.median.wallMs,
    ok: (v: number) => v < TARGETS.summaryMs,
  },
  {
    what: '10,000 transitions, wall time',
    limit: `< ${TARGETS.largeMs} ms`,
    value: bySize(10_000)?.median.wallMs,
    ok: (v: number) => v < TARGETS.largeMs,
  },
  {
    what: '10,000 transitions, peak memory',
    limit: `< ${TARGETS.largeMb} MB`,
    value: bySize(10_000)?.median.peakMb,
    ok: (v: number) => v < TARGETS.largeMb,
  },
]
  .filter((t) => t.value !== undefined)
  .map((t) => ({ what: t.what, limit: t.limit, value: t.value as number, pass: t.ok(t.value as number) }));

console.log('\n| transitions | pages | PDF MB | wall ms (median of 3) | peak MB, Chromium + Node (PSS) |');
console.log('|---|---|---|---|---|');
for (const r of results) {
  console.log(
    `| ${r.transitions.toLocaleString('en-US')} | ${r.pages} | ${round(r.pdfBytes / 1e6, 1)} | ${r.median.wallMs.toLocaleString('en-US')} | ${r.median.peakMb.toLocaleString('en-US')} (${r.median.peakPssMb.toLocaleString('en-US')}) |`,
  );
}
for (const t of targets) console.log(`${t.pass ? 'PASS' : 'FAIL'} ${t.what}: ${t.value} (target ${t.limit})`);

const out = {
  benchmark: 'pdf',
  when: new Date().toISOString(),
  machine: {
    cores: os.cpus().length,
    memoryGb: round(os.totalmem() / 1024 ** 3, 1),
    node: process.version,
    platform: `${process.platform}/${process.arch}`,
    loadAverageBefore: loadBefore.map((n) => round(n, 2)),
    loadAverageAfter: os.loadavg().map((n) => round(n, 2)),
  },
  config: {
    sizes,
    runs,
    format,
    chromium: process.env.CHROMIUM_PATH ? 'CHROMIUM_PATH' : '@sparticuz/chromium',
  },
  browser: { launchMs: round(launchMs), idleMb: round(idle.peakTotalMb) },
  results,
  targets,
  totalSeconds: round((performance.now() - started) / 1000, 1),
};
const dir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(dir, { recursive: true });
const name = sizes.join(',') === DEFAULT_SIZES.join(',') ? 'pdf.json' : `pdf-${sizes.join('-')}.json`;
writeFileSync(join(dir, name), `${JSON.stringify(out, null, 2)}\n`);
console.log(`\nWrote test/bench/results/${name} (${out.totalSeconds} s in all)`);
