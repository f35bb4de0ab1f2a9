import { lastCompleteWeek, parsePeriodId } from '../core/periods.ts';
import { ConfigError, slaPolicyOf } from '../runtime/config.ts';
import { parseInput, reportInputSchema } from '../runtime/inputs.ts';
import { createReportRuntime, type ReportRuntime } from '../runtime/report-runtime.ts';
import { createLogger, lazyRuntime } from '../runtime/runtime.ts';
import { issueReport } from '../use-cases/issue-report.ts';

const logger = createLogger('alert-ledger-report');
const runtime = lazyRuntime(logger);
let reportRuntime: ReportRuntime | undefined;

export interface ReportResult {
  reports: {
    org: string;
    period: string;
    reportId: string;
    chainHash: string;
    keys: Record<string, string>;
  }[];
}

/**
 * EventBridge Scheduler target: `{ org?, period?, now? }`. Without `period`, the last complete
 * week before now; without `org`, every organisation in ORGS.
 */
export async function handler(event: unknown): Promise<ReportResult> {
  const input = parseInput(reportInputSchema, event, 'report');
  const rt = runtime();
  const orgs = input.org ? [input.org] : rt.config.ORGS;
  if (orgs.length === 0)
    throw new ConfigError('no organisation to report on: pass {"org": "..."} or set ORGS');
  reportRuntime ??= createReportRuntime(rt, logger);
  const now = input.now ? new Date(input.now) : new Date();
  const tz = rt.config.TIME_ZONE;
  const period = input.period ? parsePeriodId(input.period, tz) : lastCompleteWeek(now, tz);
  const email = rt.config.REPORT_FROM ? { from: rt.config.REPORT_FROM, to: rt.config.REPORT_TO } : null;
  const reports: ReportResult['reports'] = [];
  for (const org of orgs) {
    const issued = await issueReport(reportRuntime, {
      org,
      period,
      now,
      timeZone: tz,
      paperFormat: rt.config.PAPER_FORMAT,
      slaPolicy: slaPolicyOf(rt.config),
      ...(rt.config.TEAMS ? { teams: rt.config.TEAMS } : {}),
      email,
    });
    reports.push({
      org,
      period: period.id,
      reportId: issued.record.reportId,
      chainHash: issued.record.chainHash,
      keys: issued.record.keys,
    });
  }
  return { reports };
}
