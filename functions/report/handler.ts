import { lastCompleteWeek, parsePeriodId } from '../core/periods.ts';
import { ConfigError, slaPolicyOf } from '../runtime/config.ts';
import { parseInput, reportInputSchema } from '../runtime/inputs.ts';
import { createReportRuntime, type ReportRuntime } from '../runtime/report-runtime.ts';
import { createLogger, lazyRuntime } from '../runtime/runtime.ts';
import { issueReports, type ScopeFailure } from '../use-cases/issue-reports.ts';

const logger = createLogger('alert-ledger-report');
const runtime = lazyRuntime(logger);
let reportRuntime: ReportRuntime | undefined;

export interface ReportResult {
  /** One entry per organisation and scope: `org`, then `team-<name>` for each team with recipients. */
  reports: {
    org: string;
    scope: string;
    period: string;
    reportId: string;
    chainHash: string;
    keys: Record<string, string>;
    /** A retry of the same invocationId found this report issued and reused it. */
    reused: boolean;
    email: 'sent' | 'already-sent' | 'in-progress' | 'none';
    pdfDelivery: 'attached' | 'link' | null;
  }[];
}

/**
 * EventBridge Scheduler target: `{ org?, period?, now?, invocationId? }`. Without `period`, the
 * last complete week before now; without `org`, every organisation in ORGS. Each organisation
 * gets its organisation-wide report and one report per team with recipients (TEAMS). With
 * `invocationId` (the schedule's `<aws.scheduler.scheduled-time>`), a retry reuses what an earlier
 * attempt issued and emails nothing twice. A scope that fails does not stop the others; the
 * invocation then fails (so it is retried) after all were tried.
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
  const failures: ScopeFailure[] = [];
  for (const org of orgs) {
    const result = await issueReports(reportRuntime, {
      org,
      period,
      now,
      timeZone: tz,
      paperFormat: rt.config.PAPER_FORMAT,
      slaPolicy: slaPolicyOf(rt.config),
      ...(rt.config.TEAMS ? { teams: rt.config.TEAMS } : {}),
      email,
      linkExpiryHours: rt.config.REPORT_LINK_EXPIRY_HOURS,
      ...(input.invocationId ? { invocationId: input.invocationId } : {}),
    });
    failures.push(...result.failures);
    for (const issued of result.issued) {
      reports.push({
        org,
        scope: issued.scope,
        period: period.id,
        reportId: issued.record.reportId,
        chainHash: issued.record.chainHash,
        keys: issued.record.keys,
        reused: issued.reused,
        email: issued.email,
        pdfDelivery: issued.pdfDelivery,
      });
    }
  }
  const [first] = failures;
  if (first) {
    logger.error('report run failed', {
      failed: failures.map((f) => `${f.org}/${f.scope}`),
      issued: reports.map((r) => `${r.org}/${r.scope}`),
    });
    throw first.error;
  }
  return { reports };
}
