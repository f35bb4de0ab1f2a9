/**
 * Remediation deadlines (SLA): how long an alert may stay open, and which alerts were past their
 * deadline when a period ended. Defaults follow CISA BOD 19-02 / FedRAMP (DEFAULT_SLA_POLICY).
 */
import { type AlertHistory, alertStateAt } from './metrics.ts';
import { type Alert, SEVERITIES } from './model.ts';
import { formatInstant, instantMs, MS_PER_DAY, type Period } from './periods.ts';
import type { SlaBreach, SlaPolicy } from './report-model.ts';

/**
 * Days an alert may stay open: the secret scanning figure for leaked secrets (whatever their
 * severity, a live credential is urgent), otherwise the figure for its severity.
 *
 * @example
 * slaDays({ alertType: 'dependabot', severity: 'high' }, DEFAULT_SLA_POLICY); // 30
 * slaDays({ alertType: 'secret_scanning', severity: 'critical' }, DEFAULT_SLA_POLICY); // 7
 */
export function slaDays(alert: Pick<Alert, 'alertType' | 'severity'>, policy: SlaPolicy): number {
  return alert.alertType === 'secret_scanning' ? policy.secretScanningDays : policy.days[alert.severity];
}

/**
 * Alerts open at the period's end and older than their SLA: `dueAt = createdAt + slaDays` (in
 * 24-hour days), a breach when `end > dueAt`, `daysOverdue` = whole days from `dueAt` to `end`.
 * Sorted by `daysOverdue` descending, then severity, repository, type and number.
 *
 * @example
 * findSlaBreaches(histories, parsePeriodId('2026-W47'), DEFAULT_SLA_POLICY);
 * // [{ alertType: 'dependabot', repository: 'acme/api', number: 4, severity: 'critical',
 * //    openedAt: '2026-10-01T00:00:00Z', dueAt: '2026-10-16T00:00:00Z', daysOverdue: 38, ... }]
 */
export function findSlaBreaches(
  histories: readonly AlertHistory[],
  period: Period,
  policy: SlaPolicy,
): SlaBreach[] {
  const endMs = instantMs(period.end);
  const breaches: SlaBreach[] = [];
  for (const history of histories) {
    const { alert } = history;
    if (alertStateAt(history, period.end) !== 'open') continue;
    const createdMs = instantMs(alert.createdAt);
    const dueMs = createdMs + slaDays(alert, policy) * MS_PER_DAY;
    if (endMs <= dueMs) continue;
    breaches.push({
      alertType: alert.alertType,
      repository: alert.repository,
      number: alert.number,
      severity: alert.severity,
      openedAt: formatInstant(createdMs),
      dueAt: formatInstant(dueMs),
      daysOverdue: Math.floor((endMs - dueMs) / MS_PER_DAY),
      title: alert.title,
      htmlUrl: alert.htmlUrl,
    });
  }
  return breaches.sort(
    (a, b) =>
      b.daysOverdue - a.daysOverdue ||
      SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
      compare(a.repository, b.repository) ||
      compare(a.alertType, b.alertType) ||
      a.number - b.number,
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
