/**
 * One measured report of the report benchmark, in a fresh process of its own (so that its peak
 * memory is the report's alone): receives a `run` message, reads the report's input from
 * DynamoDB Local (windowed: `loadReportInput` with no issued figures, so the whole trend window's
 * history; issued: `loadReportInput` with the figures the earlier periods' reports stated, the
 * weekly steady state; naive: every alert, every transition up to the period's end, every
 * manifest and audit event), computes report.json, serialises it, and answers with the times,
 * the items read, the memory and a digest of the report (trend points' `issuedIn` left out: it
 * is the one difference the issued figures make by design).
 */
import { createHash } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { lastPeriods, parsePeriodId } from '../../functions/core/periods.ts';
import { computeReport, type ReportInput } from '../../functions/core/report.ts';
import { DEFAULT_SLA_POLICY, type ReportJson } from '../../functions/core/report-model.ts';
import { DynamoStore } from '../../functions/store/dynamo-store.ts';
import { loadReportInput } from '../../functions/use-cases/load-report-input.ts';
import { scopeFingerprint } from '../../functions/use-cases/report-scopes.ts';
import { sampleMemory } from './meter.ts';
import { emptyReadMeter, meterReads, type ReadMeter, total } from './report-meter.ts';

export type ReportMode = 'windowed' | 'issued' | 'naive';

export interface ReportRunRequest {
  type: 'run';
  mode: ReportMode;
  dynamoEndpoint: string;
  table: string;
  org: string;
  periodId: string;
  trendPeriods: number;
  generatedAt: string;
  /**
   * Diagnostic only: give every Query that has none this `Limit` (a middleware on the client; the
   * store's code is unchanged). DynamoDB Local answers a Query without a Limit in time that grows
   * with the rest of the key range, not with the page; with one, with the page.
   */
  queryLimit?: number;
}

/** The figures both approaches must agree on, and a hash of every section of report.json. */
export interface ReportDigest {
  summary: ReportJson['summary'];
  trend: ReportJson['trend'];
  slaBreaches: number;
  transitions: number;
  complete: boolean;
  /** sha256 (16 hex) of each top-level field but `generatedAt`. */
  sections: Record<string, string>;
}

export interface ReportRunResult {
  type: 'result';
  mode: ReportMode;
  readMs: number;
  computeMs: number;
  serializeMs: number;
  totalMs: number;
  /** What the read returned, per kind (`reads` of loadReportInput, or the naive lists' lengths). */
  reads: Record<string, number>;
  itemsRead: number;
  meter: ReadMeter;
  /** `store.usage.itemsRead` (the store counts some reads itself). */
  storeItemsRead: number;
  memory: {
    baselineRssMb: number;
    peakRssMb: number;
    peakHeapUsedMb: number;
    /** process.resourceUsage().maxRSS: the process's high-water mark, startup included. */
    maxRssMb: number;
    /** RSS right after the read and right after the compute. */
    afterReadRssMb: number;
    afterComputeRssMb: number;
    samples: number;
  };
  cpu: {
    userMs: number;
    systemMs: number;
    /** CPU time of the process (every thread: GC helpers too) during the read and the compute. */
    readMs: number;
    computeMs: number;
  };
  report: { bytes: number; transitions: number; slaBreaches: number; complete: boolean };
  digest: ReportDigest;
}

const MB = 1024 * 1024;

function hash(value: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(value) ?? 'undefined')
    .digest('hex')
    .slice(0, 16);
}

async function run(req: ReportRunRequest): Promise<ReportRunResult> {
  const client = new DynamoDBClient({
    endpoint: req.dynamoEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const meter = meterReads(client, emptyReadMeter());
  const { queryLimit } = req;
  if (queryLimit !== undefined) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as Record<string, unknown>;
        if (context.commandName === 'QueryCommand' && input.Limit === undefined) input.Limit = queryLimit;
        return next(args);
      },
      { step: 'initialize', priority: 'high', name: 'benchReportQueryLimit' },
    );
  }
  const store = new DynamoStore(client, req.table);
  const period = parsePeriodId(req.periodId);
  const trendPeriods = lastPeriods(period, req.trendPeriods);
  // One small call first: the SDK's first-request setup and the connection are not the report's.
  await store.getCursor(req.org, 'bench-warmup');
  Object.assign(meter, emptyReadMeter());
  store.usage.itemsRead = 0;

  const memory = sampleMemory(20);
  const cpuBefore = process.cpuUsage();
  const t0 = performance.now();
  let input: Omit<ReportInput, 'generatedAt' | 'slaPolicy'>;
  let reads: Record<string, number>;
  if (req.mode === 'windowed' || req.mode === 'issued') {
    const scopes = req.mode === 'issued' ? [{ scope: 'org', fingerprint: scopeFingerprint(null) }] : [];
    const loaded = await loadReportInput(store, req.org, period, trendPeriods, {
      scopes,
      // The dataset's present, not the clock's: which days of closed alerts are read must not
      // depend on the day the benchmark runs.
      now: Date.parse(req.generatedAt),
    });
    input = { ...loaded.input, issuedFigures: loaded.issuedFigures.get('org') ?? [] };
    const { windowStart: _w, ...counts } = loaded.reads;
    reads = { ...counts };
  } else {
    const [stored, transitions, manifests, auditEvents] = await Promise.all([
      store.loadAlerts(req.org),
      store.listTransitions(req.org, { to: period.end }),
      store.listManifests(req.org),
      store.listAuditEvents(req.org),
    ]);
    input = {
      org: req.org,
      period,
      alerts: [...stored.values()].map((s) => s.alert),
      transitions,
      manifests,
      auditEvents,
      trendPeriods,
    };
    reads = {
      alerts: stored.size,
      transitions: transitions.length,
      manifests: manifests.length,
      auditEvents: auditEvents.length,
    };
  }
  const t1 = performance.now();
  const cpuRead = process.cpuUsage(cpuBefore);
  const afterReadRssMb = process.memoryUsage().rss / MB;
  const report = computeReport({ ...input, generatedAt: req.generatedAt, slaPolicy: DEFAULT_SLA_POLICY });
  const t2 = performance.now();
  const cpuCompute = process.cpuUsage(cpuBefore);
  const afterComputeRssMb = process.memoryUsage().rss / MB;
  const json = JSON.stringify(report, null, 2);
  const t3 = performance.now();
  const peak = memory.stop();
  const cpu = process.cpuUsage(cpuBefore);

  // `issuedIn` names the reports that stated earlier periods: the one difference by design.
  const trend = report.trend.map(({ issuedIn: _i, ...p }) => p);
  const sections: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...report, trend })) {
    if (key !== 'generatedAt') sections[key] = hash(value);
  }
  return {
    type: 'result',
    mode: req.mode,
    readMs: t1 - t0,
    computeMs: t2 - t1,
    serializeMs: t3 - t2,
    totalMs: t2 - t0,
    reads,
    itemsRead: total(meter.itemsRead),
    meter,
    storeItemsRead: store.usage.itemsRead,
    memory: {
      baselineRssMb: peak.baselineRssMb,
      peakRssMb: Math.max(peak.rssMb, afterReadRssMb, afterComputeRssMb),
      peakHeapUsedMb: peak.heapUsedMb,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
      afterReadRssMb,
      afterComputeRssMb,
      samples: peak.samples,
    },
    cpu: {
      userMs: cpu.user / 1000,
      systemMs: cpu.system / 1000,
      readMs: (cpuRead.user + cpuRead.system) / 1000,
      computeMs: (cpuCompute.user + cpuCompute.system - cpuRead.user - cpuRead.system) / 1000,
    },
    report: {
      bytes: Buffer.byteLength(json),
      transitions: report.transitions.length,
      slaBreaches: report.slaBreaches.length,
      complete: report.complete,
    },
    digest: {
      summary: report.summary,
      trend,
      slaBreaches: report.slaBreaches.length,
      transitions: report.transitions.length,
      complete: report.complete,
      sections,
    },
  };
}

process.on('message', (message: ReportRunRequest) => {
  if (message.type !== 'run') return;
  run(message).then(
    (result) => {
      process.send?.(result, () => process.exit(0));
    },
    (error: unknown) => {
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      process.send?.({ type: 'error', message: text }, () => process.exit(1));
    },
  );
});
process.send?.({ type: 'ready' });
