/**
 * The report benchmark (issue 5): `npm run bench:report` (about 5 minutes).
 *
 * For each size (BENCH_REPORT_SIZES, default 1000,10000,100000 alerts), a table of its own in
 * one DynamoDB Local (in memory) is loaded with a generated ledger (`report-data.ts`: 26 weeks
 * of history, about N / 50 repositories, 30% open at the period's end, 20% of N transitions in
 * the reported week, one manifest a day) through the store's own `writeAlerts` and
 * `putManifest`. Then report.json of the week is computed BENCH_REPORT_RUNS times (default 3)
 * each way, every run in a fresh child process (`report-process.ts`, bundled by esbuild with the
 * options the CDK gives the report Lambda, and run by plain node, as the Lambda runs it):
 *
 * - windowed: `loadReportInput` with no issued figures (a first report: the history of the whole
 *   12-period trend window is read), then `computeReport`;
 * - issued: the weekly steady state. The figures of the 11 earlier periods are stored first, as
 *   their issued reports would have stated them (`report-figures.ts`); `loadReportInput` then
 *   reads only the week's own history, and `computeReport` takes the earlier periods from them;
 * - naive: every alert (`loadAlerts`), every transition up to the period's end, every manifest
 *   and audit event, then `computeReport`.
 *
 * Per size: items read (a middleware on the client; `reads` of loadReportInput beside it), read,
 * compute and total time (median, min and max of the runs), peak RSS, and the report's size.
 * All three must give the same report (trend points' `issuedIn` aside) (every section but `generatedAt` is compared by
 * hash), and both must show the figures the generator expects: a difference is printed as a
 * BUG and the process exits with 1. Targets (< 2 s, < 300 MB at 100,000 alerts) are printed as
 * PASS or FAIL. Writes test/bench/results/report.json (report-<sizes>.json for other sizes).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startDynamoStandIn } from '../../infra/local/dynamodb.ts';
import { intEnv } from './env.ts';
import {
  type Dataset,
  type ExpectedFigures,
  generateDataset,
  HISTORY_WEEKS,
  TREND_PERIODS,
} from './report-data.ts';
import { storeIssuedFigures } from './report-figures.ts';
import { checkBatchLoader, type Loader, type LoadResult, loadDataset } from './report-load.ts';
import { total } from './report-meter.ts';
import type { ReportMode, ReportRunRequest, ReportRunResult } from './report-process.ts';
import { bundleAsLambda } from './webhook-bundle.ts';

function sizesEnv(): number[] {
  const raw = process.env.BENCH_REPORT_SIZES;
  if (raw === undefined || raw.trim() === '') return [...DEFAULT_SIZES];
  return raw.split(',').map((part) => {
    const n = Number(part.trim().replace(/_/g, ''));
    if (!Number.isInteger(n) || n < 10) {
      throw new Error(`BENCH_REPORT_SIZES must list whole numbers of alerts (at least 10), got "${raw}"`);
    }
    return n;
  });
}

function loaderEnv(): Loader | 'auto' {
  const raw = process.env.BENCH_REPORT_LOADER ?? 'auto';
  if (raw === 'store' || raw === 'batch' || raw === 'auto') return raw;
  throw new Error(`BENCH_REPORT_LOADER must be store, batch or auto, got "${raw}"`);
}

const DEFAULT_SIZES = [1_000, 10_000, 100_000] as const;
const SIZES = sizesEnv();
const RUNS = intEnv('BENCH_REPORT_RUNS', 3);
/** The naive baseline reads everything: by default RUNS runs up to 10,000 alerts, one above. */
const naiveRuns = (alerts: number): number =>
  intEnv('BENCH_REPORT_NAIVE_RUNS', alerts <= NAIVE_FULL_RUNS_MAX_ALERTS ? RUNS : 1);
const NAIVE_FULL_RUNS_MAX_ALERTS = 10_000;
const LOAD_CONCURRENCY = intEnv('BENCH_REPORT_LOAD_CONCURRENCY', 8);
/** `store` (writeAlerts), `batch` (BatchWriteItem, the same items) or `auto`: store up to 10,000 alerts. */
const LOADER = loaderEnv();
const STORE_LOADER_MAX_ALERTS = 10_000;
const MANIFESTS_PER_DAY = intEnv('BENCH_REPORT_MANIFESTS_PER_DAY', 1);
const PERIOD_ID = process.env.BENCH_REPORT_PERIOD ?? '2026-W46';
/**
 * Diagnostic: one more windowed run per size with this Limit on every Query (0: none). DynamoDB
 * Local's Query time grows with the rest of the key range when no Limit is given: this run shows
 * how much of the read time that is.
 */
const QUERY_LIMIT_PROBE = Number(process.env.BENCH_REPORT_QUERY_LIMIT_PROBE ?? 4000);
/** A folder: the children write V8 CPU profiles there (`--cpu-prof`). */
const CPU_PROF_DIR = process.env.BENCH_REPORT_CPU_PROF;

/** The targets, at its size. */
const TARGETS = { alerts: 100_000, totalMs: 2_000, peakRssMb: 300 };

const round = (n: number, digits = 1): number => Number(n.toFixed(digits));

interface Stat {
  median: number;
  min: number;
  max: number;
}

function stat(values: readonly number[]): Stat {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1
      ? (sorted[mid] as number)
      : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { median: round(median), min: round(sorted[0] ?? 0), max: round(sorted.at(-1) ?? 0) };
}

interface ModeFigures {
  runs: number;
  itemsRead: number;
  readsByKind: Record<string, number>;
  itemsByOperation: Record<string, number>;
  callsByOperation: Record<string, number>;
  /** Summed milliseconds per operation, first run (parallel calls add up). */
  msByOperation: Record<string, number>;
  readUnits: number;
  readUnitsByOperation: Record<string, number>;
  responseMb: number;
  readMs: Stat;
  computeMs: Stat;
  totalMs: Stat;
  serializeMs: Stat;
  /** The higher of the sampled peak and the process's maxRSS, per run. */
  peakRssMb: Stat;
  sampledPeakRssMb: Stat;
  maxRssMb: Stat;
  baselineRssMb: Stat;
  peakHeapUsedMb: Stat;
  cpuMs: Stat;
  /** CPU time of the measuring process during the read and during the compute. */
  readCpuMs: Stat;
  computeCpuMs: Stat;
  /** RSS right after the read and right after the compute. */
  afterReadRssMb: Stat;
  afterComputeRssMb: Stat;
  report: ReportRunResult['report'];
}

interface SizeResult {
  alerts: number;
  repositories: number;
  generateMs: number;
  load: LoadResult & { seconds: number };
  expected: ExpectedFigures;
  windowed: ModeFigures;
  /** The weekly steady state: the earlier periods' reports issued, their figures stored. */
  issued: ModeFigures;
  /** Storing those figures (computed here from every item, as issued reports would state them). */
  issuedFigures: { periods: number; ms: number };
  naive: ModeFigures;
  /** One windowed run with a Limit on every Query (diagnostic; null when off). */
  queryLimitProbe: {
    limit: number;
    itemsRead: number;
    readMs: number;
    computeMs: number;
    totalMs: number;
    peakRssMb: number;
    msByOperation: Record<string, number>;
    callsByOperation: Record<string, number>;
    sameReport: boolean;
  } | null;
  ratios: { itemsRead: number; readMs: number; computeMs: number; totalMs: number; peakRssMb: number };
  agreement: {
    /** Every section of report.json but generatedAt, windowed against naive. */
    identical: boolean;
    differingSections: string[];
    /** The brief's figures: summary, slaBreaches count, trend. */
    figuresEqual: boolean;
    /** Both against the generator's own figures (summary.total, transitions). */
    expectedMismatches: string[];
    /** Repeated runs of one mode gave the same report. */
    stable: boolean;
    /** Every section but generatedAt (and trend points' issuedIn), issued against naive. */
    issuedIdentical: boolean;
    issuedDifferingSections: string[];
  };
  checks: { what: string; target: string; value: number; met: boolean }[];
}

function modeFigures(results: readonly ReportRunResult[]): ModeFigures {
  const first = results[0];
  if (!first) throw new Error('no runs');
  const m = first.meter;
  const values = (f: (r: ReportRunResult) => number) => stat(results.map(f));
  return {
    runs: results.length,
    itemsRead: first.itemsRead,
    readsByKind: first.reads,
    itemsByOperation: m.itemsRead,
    callsByOperation: m.calls,
    msByOperation: Object.fromEntries(Object.entries(m.ms).map(([op, ms]) => [op, round(ms, 0)])),
    readUnits: round(total(m.readUnits)),
    readUnitsByOperation: Object.fromEntries(Object.entries(m.readUnits).map(([op, n]) => [op, round(n)])),
    responseMb: round(total(m.bytes) / 1024 / 1024),
    readMs: values((r) => r.readMs),
    computeMs: values((r) => r.computeMs),
    totalMs: values((r) => r.totalMs),
    serializeMs: values((r) => r.serializeMs),
    peakRssMb: values((r) => Math.max(r.memory.peakRssMb, r.memory.maxRssMb)),
    sampledPeakRssMb: values((r) => r.memory.peakRssMb),
    maxRssMb: values((r) => r.memory.maxRssMb),
    baselineRssMb: values((r) => r.memory.baselineRssMb),
    peakHeapUsedMb: values((r) => r.memory.peakHeapUsedMb),
    cpuMs: values((r) => r.cpu.userMs + r.cpu.systemMs),
    readCpuMs: values((r) => r.cpu.readMs),
    computeCpuMs: values((r) => r.cpu.computeMs),
    afterReadRssMb: values((r) => r.memory.afterReadRssMb),
    afterComputeRssMb: values((r) => r.memory.afterComputeRssMb),
    report: first.report,
  };
}

/**
 * The measuring process (`report-process.ts`) bundled as the CDK bundles a Lambda: it runs what
 * the report Lambda runs, without a TypeScript loader thread beside it (about 40 MB of RSS, and
 * a CPU profile of its own that would overwrite the main thread's).
 */
let childScript: string | null = null;

/** Runs one measurement in a fresh child process. */
async function measure(req: ReportRunRequest, label: string): Promise<ReportRunResult> {
  if (!childScript) throw new Error('the measuring process is not built yet (main builds it first)');
  const path = childScript;
  const execArgv: string[] = [];
  if (CPU_PROF_DIR) {
    mkdirSync(CPU_PROF_DIR, { recursive: true });
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${CPU_PROF_DIR}`, `--cpu-prof-name=${label}.cpuprofile`);
  }
  const child: ChildProcess = fork(path, [], {
    execArgv,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return await new Promise<ReportRunResult>((resolve, reject) => {
    let result: ReportRunResult | null = null;
    child.on('message', (message: { type: string; message?: string }) => {
      if (message.type === 'ready') child.send(req);
      else if (message.type === 'result') result = message as ReportRunResult;
      else if (message.type === 'error') reject(new Error(`${label}: ${message.message}`));
    });
    child.once('exit', (code) => {
      if (result) resolve(result);
      else reject(new Error(`${label}: the measuring process exited with code ${code} without a result`));
    });
  });
}

function compareDigests(a: ReportRunResult, b: ReportRunResult): string[] {
  const keys = new Set([...Object.keys(a.digest.sections), ...Object.keys(b.digest.sections)]);
  return [...keys].filter((k) => a.digest.sections[k] !== b.digest.sections[k]).sort();
}

function expectedMismatches(r: ReportRunResult, e: ExpectedFigures): string[] {
  const t = r.digest.summary.total;
  const pairs: [string, number, number][] = [
    ['summary.total.openAtStart', t.openAtStart, e.openAtStart],
    ['summary.total.openAtEnd', t.openAtEnd, e.openAtEnd],
    ['summary.total.opened', t.opened, e.opened],
    ['summary.total.fixed', t.fixed, e.fixed],
    ['summary.total.dismissed', t.dismissed, e.dismissed],
    ['summary.total.reopened', t.reopened, e.reopened],
    ['transitions', r.digest.transitions, e.periodTransitions],
  ];
  const out = pairs
    .filter(([, got, want]) => got !== want)
    .map(([what, got, want]) => `${r.mode} ${what} = ${got}, generated ${want}`);
  if (!r.digest.complete) out.push(`${r.mode} report not complete`);
  return out;
}

let batchLoaderCheck: { alerts: number; items: number; identical: boolean } | null = null;

/** Before the first batch load: both loaders on 1,000 alerts must leave the very same items. */
async function ensureBatchLoaderChecked(client: DynamoDBClient): Promise<void> {
  if (batchLoaderCheck !== null) return;
  const data = generateDataset({
    alerts: 1_000,
    periodId: PERIOD_ID,
    manifestsPerDay: MANIFESTS_PER_DAY,
    seed: 5,
  });
  const started = performance.now();
  const check = await checkBatchLoader(client, 'report-bench-loader-check', data, LOAD_CONCURRENCY);
  batchLoaderCheck = { alerts: 1_000, items: check.items, identical: check.differences.length === 0 };
  if (check.differences.length > 0) {
    throw new Error(
      `the batch loader does not write what writeAlerts writes (fix report-load.ts storeItems):\n  ${check.differences.slice(0, 5).join('\n  ')}`,
    );
  }
  process.stdout.write(
    `  batch loader checked: ${check.items} items, identical to writeAlerts' (1,000 alerts, ${((performance.now() - started) / 1000).toFixed(1)} s)\n`,
  );
}

async function runSize(endpoint: string, alerts: number): Promise<SizeResult> {
  const log = (s: string) => process.stdout.write(`${s}\n`);
  log(`\n== ${alerts.toLocaleString('en')} alerts`);
  const g0 = performance.now();
  const data: Dataset = generateDataset({ alerts, periodId: PERIOD_ID, manifestsPerDay: MANIFESTS_PER_DAY });
  const generateMs = performance.now() - g0;
  const e = data.expected;
  log(
    `  generated in ${(generateMs / 1000).toFixed(1)} s: ${e.alerts} alerts (${e.byType.dependabot} Dependabot, ` +
      `${e.byType.code_scanning} code scanning, ${e.byType.secret_scanning} secret scanning) in ` +
      `${e.repositories} repositories, ${e.transitions} transitions (${e.periodTransitions} in ${data.period.id}), ` +
      `${e.manifests} manifests; open at the start ${e.openAtStart}, at the end ${e.openAtEnd}, now ${e.openNow}`,
  );
  const table = `report-bench-${alerts}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  let lastTick = performance.now();
  const loader: Loader = LOADER === 'auto' ? (alerts <= STORE_LOADER_MAX_ALERTS ? 'store' : 'batch') : LOADER;
  if (loader === 'batch') await ensureBatchLoaderChecked(client);
  const loaded = await loadDataset(client, table, data, {
    loader,
    concurrency: LOAD_CONCURRENCY,
    progress: (done, all) => {
      if (performance.now() - lastTick < 15_000) return;
      lastTick = performance.now();
      log(`    ... loading: ${done}/${all} alerts`);
    },
  });
  client.destroy();
  const how =
    loader === 'store'
      ? `${loaded.calls} transactions (writeAlerts)`
      : `${loaded.calls} BatchWriteItem calls (the store's items)`;
  log(
    `  loaded in ${(loaded.ms / 1000).toFixed(1)} s: ${loaded.itemsWritten} items in ${how}, ${LOAD_CONCURRENCY} at once, ` +
      `manifests with putManifest (not part of the target)`,
  );

  const request = (mode: ReportMode): ReportRunRequest => ({
    type: 'run',
    mode,
    dynamoEndpoint: endpoint,
    table,
    org: data.org,
    periodId: data.period.id,
    trendPeriods: TREND_PERIODS,
    generatedAt: data.now,
  });
  const windowed: ReportRunResult[] = [];
  const naive: ReportRunResult[] = [];
  // Interleaved, so that a busy moment of the shared machine does not fall on one mode only.
  const naiveRunCount = naiveRuns(alerts);
  for (let i = 0; i < Math.max(RUNS, naiveRunCount); i++) {
    for (const [mode, list, runs] of [
      ['windowed', windowed, RUNS],
      ['naive', naive, naiveRunCount],
    ] as const) {
      if (i >= runs) continue;
      const r = await measure(request(mode), `report-${alerts}-${mode}-${i + 1}`);
      list.push(r);
      log(
        `  ${mode.padEnd(8)} run ${i + 1}: read ${r.readMs.toFixed(0)} ms + compute ${r.computeMs.toFixed(0)} ms` +
          ` = ${r.totalMs.toFixed(0)} ms (CPU: read ${r.cpu.readMs.toFixed(0)}, compute ${r.cpu.computeMs.toFixed(0)} ms), ` +
          `${r.itemsRead} items read, peak RSS ${Math.max(r.memory.peakRssMb, r.memory.maxRssMb).toFixed(0)} MB ` +
          `(after the read ${r.memory.afterReadRssMb.toFixed(0)} MB)`,
      );
    }
  }
  // The steady state: the earlier periods' figures as their issued reports stated them.
  const figuresClient = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const stored = await storeIssuedFigures(
    figuresClient,
    table,
    data.org,
    data.period.id,
    TREND_PERIODS,
    data.now,
  );
  figuresClient.destroy();
  log(`  stored the figures of ${stored.periods} earlier periods in ${(stored.ms / 1000).toFixed(1)} s`);
  const issued: ReportRunResult[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await measure(request('issued'), `report-${alerts}-issued-${i + 1}`);
    issued.push(r);
    log(
      `  ${'issued'.padEnd(8)} run ${i + 1}: read ${r.readMs.toFixed(0)} ms + compute ${r.computeMs.toFixed(0)} ms` +
        ` = ${r.totalMs.toFixed(0)} ms (CPU: read ${r.cpu.readMs.toFixed(0)}, compute ${r.cpu.computeMs.toFixed(0)} ms), ` +
        `${r.itemsRead} items read, peak RSS ${Math.max(r.memory.peakRssMb, r.memory.maxRssMb).toFixed(0)} MB ` +
        `(after the read ${r.memory.afterReadRssMb.toFixed(0)} MB)`,
    );
  }
  let probe: SizeResult['queryLimitProbe'] = null;
  if (QUERY_LIMIT_PROBE > 0) {
    const r = await measure(
      { ...request('windowed'), queryLimit: QUERY_LIMIT_PROBE },
      `report-${alerts}-limit`,
    );
    probe = {
      limit: QUERY_LIMIT_PROBE,
      itemsRead: r.itemsRead,
      readMs: round(r.readMs),
      computeMs: round(r.computeMs),
      totalMs: round(r.totalMs),
      peakRssMb: round(Math.max(r.memory.peakRssMb, r.memory.maxRssMb)),
      msByOperation: Object.fromEntries(Object.entries(r.meter.ms).map(([op, ms]) => [op, round(ms, 0)])),
      callsByOperation: r.meter.calls,
      sameReport: compareDigests(windowed[0] as ReportRunResult, r).length === 0,
    };
    log(
      `  windowed with Query Limit ${QUERY_LIMIT_PROBE} (diagnostic): read ${r.readMs.toFixed(0)} ms + compute ` +
        `${r.computeMs.toFixed(0)} ms = ${r.totalMs.toFixed(0)} ms, ${r.itemsRead} items read` +
        `${probe.sameReport ? ', same report' : ', REPORT DIFFERS'}`,
    );
  }
  const w = modeFigures(windowed);
  const is = modeFigures(issued);
  const nv = modeFigures(naive);
  const [w0, n0, i0] = [windowed[0], naive[0], issued[0]] as [
    ReportRunResult,
    ReportRunResult,
    ReportRunResult,
  ];
  const differing = compareDigests(w0, n0);
  const issuedDiffering = compareDigests(i0, n0);
  const figuresEqual =
    JSON.stringify(w0.digest.summary) === JSON.stringify(n0.digest.summary) &&
    JSON.stringify(w0.digest.trend) === JSON.stringify(n0.digest.trend) &&
    w0.digest.slaBreaches === n0.digest.slaBreaches;
  const stable = [
    ...windowed.slice(1).map((r) => compareDigests(w0, r)),
    ...issued.slice(1).map((r) => compareDigests(i0, r)),
    ...naive.slice(1).map((r) => compareDigests(n0, r)),
  ].every((d) => d.length === 0);
  const mismatches = [
    ...expectedMismatches(w0, e),
    ...expectedMismatches(i0, e),
    ...expectedMismatches(n0, e),
  ];
  const ratio = (a: number, b: number) => (b === 0 ? 0 : round(a / b, 2));
  const checks: SizeResult['checks'] = [];
  if (alerts >= TARGETS.alerts) {
    checks.push(
      {
        what: 'steady-state report (earlier periods issued) total time (median), ms',
        target: `< ${TARGETS.totalMs}`,
        value: is.totalMs.median,
        met: is.totalMs.median < TARGETS.totalMs,
      },
      {
        what: 'steady-state report (earlier periods issued) peak RSS (median), MB',
        target: `< ${TARGETS.peakRssMb}`,
        value: is.peakRssMb.median,
        met: is.peakRssMb.median < TARGETS.peakRssMb,
      },
      {
        what: 'windowed report total time (median), ms',
        target: `< ${TARGETS.totalMs}`,
        value: w.totalMs.median,
        met: w.totalMs.median < TARGETS.totalMs,
      },
      {
        what: 'windowed report peak RSS (median), MB',
        target: `< ${TARGETS.peakRssMb}`,
        value: w.peakRssMb.median,
        met: w.peakRssMb.median < TARGETS.peakRssMb,
      },
    );
  }
  return {
    alerts,
    repositories: e.repositories,
    generateMs: round(generateMs, 0),
    load: { ...loaded, ms: round(loaded.ms, 0), seconds: round(loaded.ms / 1000) },
    expected: e,
    windowed: w,
    issued: is,
    issuedFigures: { periods: stored.periods, ms: round(stored.ms, 0) },
    naive: nv,
    queryLimitProbe: probe,
    ratios: {
      itemsRead: ratio(nv.itemsRead, w.itemsRead),
      readMs: ratio(nv.readMs.median, w.readMs.median),
      computeMs: ratio(nv.computeMs.median, w.computeMs.median),
      totalMs: ratio(nv.totalMs.median, w.totalMs.median),
      peakRssMb: ratio(nv.peakRssMb.median, w.peakRssMb.median),
    },
    agreement: {
      identical: differing.length === 0,
      differingSections: differing,
      figuresEqual,
      expectedMismatches: mismatches,
      stable,
      issuedIdentical: issuedDiffering.length === 0,
      issuedDifferingSections: issuedDiffering,
    },
    checks,
  };
}

function fmt(n: number): string {
  return n.toLocaleString('en');
}

function printTable(results: readonly SizeResult[]): void {
  const rows: string[][] = [
    [
      'alerts',
      'approach',
      'items read',
      'read ms',
      'compute ms (CPU)',
      'total ms (min-max)',
      'peak RSS MB',
      'transitions',
      'JSON KB',
    ],
  ];
  for (const r of results) {
    for (const [name, f] of [
      ['issued', r.issued],
      ['windowed', r.windowed],
      ['naive', r.naive],
    ] as const) {
      rows.push([
        fmt(r.alerts),
        name,
        fmt(f.itemsRead),
        fmt(f.readMs.median),
        `${fmt(f.computeMs.median)} (${fmt(f.computeCpuMs.median)})`,
        `${fmt(f.totalMs.median)} (${fmt(f.totalMs.min)}-${fmt(f.totalMs.max)})`,
        fmt(f.peakRssMb.median),
        fmt(f.report.transitions),
        fmt(round(f.report.bytes / 1024, 0)),
      ]);
    }
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  process.stdout.write('\n');
  for (const [i, row] of rows.entries()) {
    process.stdout.write(
      `${row.map((c, j) => (j < 2 ? c.padEnd(widths[j] ?? 0) : c.padStart(widths[j] ?? 0))).join('  ')}\n`,
    );
    if (i === 0) process.stdout.write(`${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  }
  process.stdout.write('\n');
  for (let i = 1; i < results.length; i++) {
    const [a, b] = [results[i - 1], results[i]] as [SizeResult, SizeResult];
    const x = (after: number, before: number) => (before === 0 ? '-' : `${round(after / before, 1)}x`);
    process.stdout.write(
      `growth ${fmt(a.alerts)} -> ${fmt(b.alerts)} alerts (${x(b.alerts, a.alerts)}), windowed: items read ` +
        `${x(b.windowed.itemsRead, a.windowed.itemsRead)}, read ${x(b.windowed.readMs.median, a.windowed.readMs.median)}, ` +
        `compute ${x(b.windowed.computeMs.median, a.windowed.computeMs.median)}, peak RSS ` +
        `${x(b.windowed.peakRssMb.median, a.windowed.peakRssMb.median)}\n`,
    );
  }
  for (const r of results) {
    process.stdout.write(
      `${fmt(r.alerts)} alerts: naive / windowed = ${r.ratios.itemsRead}x items read, ${r.ratios.readMs}x read time, ` +
        `${r.ratios.totalMs}x total time; windowed read ${fmt(r.windowed.itemsRead)} items against the issue's read set of ` +
        `${fmt(r.expected.issueReadSet)} (period transitions ${fmt(r.expected.periodTransitions)} + open at start ` +
        `${fmt(r.expected.openAtStart)} + manifests ${r.expected.manifestsInWindow}); read units (DynamoDB Local's ` +
        `ConsumedCapacity) windowed ${fmt(r.windowed.readUnits)} (BatchGetItem ` +
        `${fmt(r.windowed.readUnitsByOperation.BatchGetItem ?? 0)}), naive ${fmt(r.naive.readUnits)}; load ${r.load.seconds} s\n`,
    );
    const p = r.queryLimitProbe;
    if (p) {
      process.stdout.write(
        `  with Limit ${fmt(p.limit)} on every Query (diagnostic, the store unchanged): read ${fmt(p.readMs)} ms ` +
          `(Query ${fmt(p.msByOperation.Query ?? 0)} ms, BatchGetItem ${fmt(p.msByOperation.BatchGetItem ?? 0)} ms ` +
          `summed) against ${fmt(r.windowed.readMs.median)} ms (Query ${fmt(r.windowed.msByOperation.Query ?? 0)} ms, ` +
          `BatchGetItem ${fmt(r.windowed.msByOperation.BatchGetItem ?? 0)} ms)\n`,
      );
    }
  }
}

function machine() {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    cpuModel = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpuModel;
  } catch {}
  return {
    cpus: os.cpus().length,
    cpuModel,
    memoryGb: round(os.totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
    loadAverage: os.loadavg().map((n) => round(n, 2)),
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  // The SDK's notice that Node 20 support ends in 2027, once per process: not the benchmark's news.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  process.stdout.write(
    `Report benchmark: sizes ${SIZES.map(fmt).join(', ')}, ${RUNS} windowed runs each (naive baseline: ` +
      `${SIZES.map(naiveRuns).join(', ')}), period ${PERIOD_ID}, ${TREND_PERIODS}-period trend, ` +
      `${HISTORY_WEEKS} weeks of history, ${MANIFESTS_PER_DAY} manifest(s) a day\n`,
  );
  const machineBefore = machine();
  const bundleDir = mkdtempSync(join(tmpdir(), 'alert-ledger-bench-report-'));
  const dynamo = await startDynamoStandIn({ dataDir: null });
  const results: SizeResult[] = [];
  try {
    // A CPU profile needs the functions' own names: then the bundle is not minified.
    await bundleAsLambda('test/bench/report-process.ts', bundleDir, { minify: !CPU_PROF_DIR });
    childScript = join(bundleDir, 'index.mjs');
    for (const alerts of SIZES) results.push(await runSize(dynamo.endpoint, alerts));
  } finally {
    await dynamo.close();
    rmSync(bundleDir, { recursive: true, force: true });
  }
  printTable(results);

  let failed = false;
  for (const r of results) {
    const a = r.agreement;
    if (!a.identical) {
      process.stdout.write(
        `${a.figuresEqual ? 'DIFFERENCE' : 'BUG'} at ${fmt(r.alerts)} alerts: windowed and naive reports differ in ` +
          `${a.differingSections.join(', ')}${a.figuresEqual ? ' (summary, SLA breaches and trend agree)' : ''}\n`,
      );
      if (!a.figuresEqual) failed = true;
    }
    for (const m of a.expectedMismatches) {
      process.stdout.write(`BUG at ${fmt(r.alerts)} alerts: ${m}\n`);
      failed = true;
    }
    if (r.queryLimitProbe && !r.queryLimitProbe.sameReport) {
      process.stdout.write(
        `BUG at ${fmt(r.alerts)} alerts: the run with a Query Limit gave another report\n`,
      );
      failed = true;
    }
    if (!a.stable) {
      process.stdout.write(`BUG at ${fmt(r.alerts)} alerts: repeated runs gave different reports\n`);
      failed = true;
    }
    if (!a.issuedIdentical) {
      process.stdout.write(
        `BUG at ${fmt(r.alerts)} alerts: the steady-state report differs from the naive one in ${a.issuedDifferingSections.join(', ')}\n`,
      );
      failed = true;
    }
    if (a.identical && a.issuedIdentical && a.expectedMismatches.length === 0) {
      process.stdout.write(
        `${fmt(r.alerts)} alerts: windowed, steady-state and naive reports identical (every section but generatedAt; ` +
          `trend points' issuedIn aside), ` +
          `and equal to the generated figures\n`,
      );
    }
  }
  const checks = results.flatMap((r) => r.checks.map((c) => ({ ...c, alerts: r.alerts })));
  for (const c of checks) {
    process.stdout.write(
      `${c.met ? 'PASS' : 'FAIL'}  ${fmt(c.alerts)} alerts: ${c.what} = ${fmt(c.value)} (target ${c.target})\n`,
    );
  }
  if (checks.length === 0) {
    process.stdout.write(`(targets apply at ${fmt(TARGETS.alerts)} alerts: not measured in this run)\n`);
  }

  const seconds = round((performance.now() - started) / 1000);
  const isDefault = SIZES.join(',') === DEFAULT_SIZES.join(',');
  const file = isDefault ? 'report.json' : `report-${SIZES.join('-')}.json`;
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    `${dir}${file}`,
    `${JSON.stringify(
      {
        benchmark: 'report',
        date: new Date().toISOString(),
        seconds,
        machine: { ...machine(), loadAverageAtStart: machineBefore.loadAverage },
        config: {
          sizes: SIZES,
          runs: RUNS,
          naiveRuns: SIZES.map(naiveRuns),
          periodId: PERIOD_ID,
          trendPeriods: TREND_PERIODS,
          historyWeeks: HISTORY_WEEKS,
          manifestsPerDay: MANIFESTS_PER_DAY,
          loadConcurrency: LOAD_CONCURRENCY,
          loader: LOADER,
          batchLoaderCheck,
          dynamo: 'DynamoDB Local, in memory',
        },
        targets: TARGETS,
        checks,
        results,
      },
      null,
      2,
    )}\n`,
  );
  process.stdout.write(`Done in ${seconds} s; results in test/bench/results/${file}\n`);
  if (failed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
