/**
 * Remediation deadlines (SLA): how long an alert may stay open, and which alerts were past their
 * deadline when a period ended. Defaults follow CISA BOD 19-02 / FedRAMP (DEFAULT_SLA_POLICY).
 */
import {
  type AlertHistory,
  createdMsIn,
  historyTimes,
  isFalsePositive,
  lastClosedMs,
  roundTo,
  stateIn,
} from './metrics.ts';
import { type Alert, SEVERITIES } from './model.ts';
import { formatInstant, instantMs, MS_PER_DAY, type Period } from './periods.ts';
import type { SlaBreach, SlaCompliance, SlaPolicy } from './report-model.ts';

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
    const dueMs = breachDueMs(history, endMs, policy);
    if (dueMs === null) continue;
    const { alert } = history;
    const createdMs = instantMs(alert.createdAt);
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

/**
 * SLA outcome of the period.
 *
 * - The alerts judged as closed are exactly those `computeCounts` counts in `fixed` / `dismissed`
 *   (open at the start or created in the period, and fixed / dismissed at its end), less the
 *   false-positive dismissals and the alerts without a known closing time, as for `mttrDays`.
 * - `closedWithinSla`: the last closing (when the alert last went from open to closed before the
 *   end) is at or before `dueAt = createdAt + slaDays` (24-hour days); `closedAfterSla` otherwise.
 *   An alert reopened and closed again is judged by its last closing.
 * - `openPastSla`: the alerts open at the end and past their due date, the `findSlaBreaches` rows.
 * - `compliancePct` = 100 * within / (within + after + openPastSla), 1 decimal; null when the
 *   denominator is 0. Alerts open at the end but not yet due are in none of the three.
 *
 * @example
 * slaCompliance(histories, parsePeriodId('2026-W47'), DEFAULT_SLA_POLICY);
 * // { closedWithinSla: 3, closedAfterSla: 1, openPastSla: 2, compliancePct: 50 }
 */
export function slaCompliance(
  histories: readonly AlertHistory[],
  period: Period,
  policy: SlaPolicy,
): SlaCompliance {
  const startMs = instantMs(period.start);
  const endMs = instantMs(period.end);
  let closedWithinSla = 0;
  let closedAfterSla = 0;
  for (const history of histories) {
    const known = historyTimes(history);
    const atStart = stateIn(known, startMs);
    const atEnd = stateIn(known, endMs);
    const createdMs = createdMsIn(known);
    const createdInPeriod = createdMs >= startMs && createdMs < endMs;
    if (!(atStart === 'open' || createdInPeriod)) continue;
    if (atEnd !== 'fixed' && atEnd !== 'dismissed') continue;
    if (atEnd === 'dismissed' && isFalsePositive(history, endMs)) continue;
    const closedMs = lastClosedMs(history.timeline, endMs);
    if (closedMs === null) continue;
    const dueMs = createdMs + slaDays(history.alert, policy) * MS_PER_DAY;
    if (closedMs <= dueMs) closedWithinSla++;
    else closedAfterSla++;
  }
  let openPastSla = 0;
  for (const history of histories) if (breachDueMs(history, endMs, policy) !== null) openPastSla++;
  const judged = closedWithinSla + closedAfterSla + openPastSla;
  return {
    closedWithinSla,
    closedAfterSla,
    openPastSla,
    compliancePct: judged === 0 ? null : roundTo((100 * closedWithinSla) / judged, 1),
  };
}

/** When an alert open just before `endMs` was due, if it was past due then; null otherwise. */
function breachDueMs(history: AlertHistory, endMs: number, policy: SlaPolicy): number | null {
  const known = historyTimes(history);
  if (stateIn(known, endMs) !== 'open') return null;
  const dueMs = createdMsIn(known) + slaDays(history.alert, policy) * MS_PER_DAY;
  return endMs > dueMs ? dueMs : null;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
