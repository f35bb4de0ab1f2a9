import { lastPeriods } from '../core/periods.ts';
import type { TeamsConfig } from '../runtime/config.ts';
import {
  type IssuedReport,
  issueReport,
  type LoadedReportInput,
  type ReportDeps,
  type ReportRequest,
} from './issue-report.ts';
import { loadReportInput } from './load-report-input.ts';
import { reportScopes, scopeFingerprint } from './report-scopes.ts';

export interface ReportsRequest
  extends Omit<ReportRequest, 'scope' | 'scopeLabel' | 'repositories' | 'teams' | 'email'> {
  /** TEAMS: the per-team figures, and the teams with recipients get a report of their own. */
  teams?: TeamsConfig;
  /** The organisation-wide report's sender and recipients (REPORT_FROM, REPORT_TO). */
  email: { from: string; to: string[] } | null;
}

export interface ScopeFailure {
  org: string;
  scope: string;
  error: unknown;
}

export interface IssuedReports {
  /** One per scope that was issued (or found issued, on a retry), the organisation's first. */
  issued: IssuedReport[];
  /** Scopes that failed; the others were still issued. */
  failures: ScopeFailure[];
}

/**
 * Issues every report of one organisation and period: the organisation-wide report (every
 * repository, emailed to REPORT_TO), then one per team with recipients, limited to the team's
 * repositories and emailed to the team's recipients only. Each scope has its own hash chain and
 * S3 prefix (`reports/<org>/<scope>/<period>/<reportId>/`). The store is read once for all
 * scopes and one browser renders them all. A scope that fails does not stop the others.
 *
 * @example
 * const { issued, failures } = await issueReports(deps, { org: 'octo', period, now, teams, email, ... });
 */
export async function issueReports(deps: ReportDeps, request: ReportsRequest): Promise<IssuedReports> {
  const { teams, email, ...base } = request;
  const scopes = reportScopes(request.org, teams);
  let loading: Promise<LoadedReportInput> | undefined;
  let loadingHistory: Promise<LoadedReportInput> | undefined;
  const loadHistory = () => {
    loadingHistory ??= loadReportInput(
      deps.store,
      request.org,
      request.period,
      lastPeriods(request.period, 12, request.timeZone),
    );
    return loadingHistory;
  };
  const load = () => {
    loading ??= loadReportInput(
      deps.store,
      request.org,
      request.period,
      lastPeriods(request.period, 12, request.timeZone),
      {
        scopes: scopes.map((s) => ({ scope: s.id, fingerprint: scopeFingerprint(s.repositories) })),
        log: deps.log,
      },
    );
    return loading;
  };
  const issued: IssuedReport[] = [];
  const failures: ScopeFailure[] = [];
  for (const scope of scopes) {
    try {
      issued.push(
        await issueReport(
          deps,
          {
            ...base,
            scope: scope.id,
            scopeLabel: scope.label,
            ...(scope.repositories ? { repositories: scope.repositories } : {}),
            teams: scope.teams,
            email: email ? { from: email.from, to: scope.recipients ?? email.to } : null,
          },
          { load, loadHistory },
        ),
      );
    } catch (error) {
      deps.log.error('report failed', {
        org: request.org,
        period: request.period.id,
        scope: scope.id,
        error: error instanceof Error ? error.message : String(error),
      });
      failures.push({ org: request.org, scope: scope.id, error });
    }
  }
  return { issued, failures };
}
