import { type Alert, alertKey } from '../core/model.ts';
import { instantMs, type Period } from '../core/periods.ts';
import { AUDIT_MATCH_WINDOW_MS, type ReportInput } from '../core/report.ts';
import type { PeriodFigures } from '../core/report-model.ts';
import type { DynamoStore } from '../store/dynamo-store.ts';
import type { Log } from './log.ts';

/** A report scope as the issued figures are kept: its id and what it covers (`scopeFingerprint`). */
export interface ScopeKey {
  scope: string;
  fingerprint: string;
}

export interface LoadReportOptions {
  /** The scopes whose earlier periods' issued figures to take (none: read the whole window). */
  scopes?: readonly ScopeKey[];
  log?: Log;
  /** The present (ms since epoch; default the clock): up to when closed alerts are read by day. */
  now?: number;
}

/** What a report read from the store, for logs and the benchmark. */
export interface ReportReads {
  /** Alerts open now, and closed ones whose secret was publicly leaked (the `open-alerts` index). */
  openAlerts: number;
  transitions: number;
  /** Alerts not taken from the open and leaked ones: closed now, changed since the window began. */
  changedAlerts: number;
  /** Closed alerts read by the day of their last change (those with a transition in the window are kept). */
  closedAlertsRead: number;
  /** Alerts read by key: not found by day, or stale in the index. */
  alertsReadByKey: number;
  /** Index copies in another state than their latest transition's (read again by key). */
  staleIndexCopies: number;
  manifests: number;
  auditEvents: number;
  /** Earlier periods' figures taken from issued reports (over every scope asked for). */
  issuedFigures: number;
  /** Where the history read starts: the report's period, or the first earlier one to recompute. */
  windowStart: string;
}

/**
 * Reads what a report of `period` needs, and nothing older than its trend window:
 *
 * - for each of `scopes`, the figures of the trend's earlier periods that complete issued reports
 *   stated (`issuedFigures`); the history is then read only from the first earlier period one of
 *   the scopes lacks figures for, and in the steady state (last week's report issued) only from
 *   the report's own period on;
 * - the alerts open now, and those publicly leaked (the `open-alerts` index, under the org);
 * - every transition from the start of the trend window on (the period's own, the trend's, and the
 *   later ones that tell the state at the period's end of an alert that changed since);
 * - the alerts those transitions belong to that are not open now: read by the day of their last
 *   change (the index's closed partitions, from the window's start), and by key those not found
 *   so (written before the index held closed alerts);
 * - the snapshot manifests and audit events from the window's start.
 *
 * This is exact: an alert open at any instant of the window is either open now or changed since
 * that instant (so it has a transition in the window); an alert closed before the window and
 * untouched since takes no part in any figure of the window, except a public leak of its secret
 * (a notable event without a transition), which is why leaked alerts are in the index too.
 *
 * @example
 * const { input, reads, issuedFigures } = await loadReportInput(store, 'octo', period, lastPeriods(period, 12), {
 *   scopes: [{ scope: 'org', fingerprint: scopeFingerprint(null) }],
 * });
 * computeReport({ ...input, issuedFigures: issuedFigures.get('org'), generatedAt, slaPolicy });
 */
export async function loadReportInput(
  store: DynamoStore,
  org: string,
  period: Period,
  trendPeriods: readonly Period[],
  options: LoadReportOptions = {},
): Promise<{
  input: Pick<
    ReportInput,
    'org' | 'period' | 'alerts' | 'transitions' | 'auditEvents' | 'manifests' | 'trendPeriods'
  >;
  reads: ReportReads;
  /** By scope: the earlier periods' issued figures, for `computeReport`'s `issuedFigures`. */
  issuedFigures: Map<string, PeriodFigures[]>;
}> {
  const { scopes = [], log, now = Date.now() } = options;
  const sameAs = (a: Period, b: Period) => a.id === b.id && a.start === b.start && a.end === b.end;
  const earlier = trendPeriods.filter((p) => !sameAs(p, period));
  const none = () => new Map<string, PeriodFigures[]>(scopes.map((s) => [s.scope, []]));
  let issuedFigures = none();
  if (scopes.length > 0 && earlier.length > 0) {
    try {
      issuedFigures = await store.getPeriodFigures(org, scopes, earlier);
    } catch (error) {
      // Only a shortcut: without them the history of the whole trend window is read instead.
      log?.warn('could not read the issued figures of earlier periods; reading their history instead', {
        org,
        period: period.id,
        error: error instanceof Error ? error.message : String(error),
      });
      issuedFigures = none();
    }
  }
  const lacking = earlier.filter((p) =>
    scopes.length === 0
      ? true
      : scopes.some((s) => !(issuedFigures.get(s.scope) ?? []).some((f) => f.periodId === p.id)),
  );
  const windowStart = [period, ...lacking].reduce(
    (min, p) => (instantMs(p.start) < instantMs(min) ? p.start : min),
    period.start,
  );
  const auditFrom = new Date(instantMs(windowStart) - AUDIT_MATCH_WINDOW_MS).toISOString();
  const [open, closed, transitions, manifests, auditEvents] = await Promise.all([
    store.listStandingAlerts(org),
    store.listClosedAlertsSince(org, windowStart, now),
    store.listTransitions(org, { from: windowStart }),
    store.listManifests(org, { from: windowStart }),
    store.listAuditEvents(org, { from: auditFrom }),
  ]);
  // The states each alert the window names reached at its latest instant (the list is oldest
  // first; transitions at one instant come in key order, not in the order they happened).
  const latest = new Map<string, { ms: number; states: Set<Alert['state']> }>();
  for (const t of transitions) {
    const key = alertKey(t);
    const ms = Date.parse(t.at);
    const known = latest.get(key);
    if (known === undefined || ms > known.ms) latest.set(key, { ms, states: new Set([t.to]) });
    else if (ms === known.ms) known.states.add(t.to);
  }
  // Index reads are eventually consistent: a copy whose state is none its alert reached at its
  // latest transition is read again by key, consistently. (A copy stale in another field but in
  // the same state is not caught: the transitions are read eventually consistently too.)
  const current = (alert: Alert): boolean => latest.get(alertKey(alert))?.states.has(alert.state) ?? true;
  const alerts = new Map<string, Alert>();
  let staleIndexCopies = 0;
  for (const alert of open) {
    if (current(alert)) alerts.set(alertKey(alert), alert);
    else staleIndexCopies++;
  }
  const openKept = alerts.size;
  for (const alert of closed) {
    const key = alertKey(alert);
    // Closed alerts that changed in the window without a transition there take no part in it.
    if (!latest.has(key) || alerts.has(key)) continue;
    if (current(alert)) alerts.set(key, alert);
    else staleIndexCopies++;
  }
  // The rest the transitions name: written before the index held closed alerts, dated oddly, or
  // stale in the index.
  const missing = [...latest.keys()].filter((k) => !alerts.has(k));
  const byKey = await store.getAlertBodies(org, missing);
  for (const [key, alert] of byKey) alerts.set(key, alert);
  return {
    input: {
      org,
      period,
      alerts: [...alerts.values()],
      transitions,
      auditEvents,
      manifests,
      trendPeriods: [...trendPeriods],
    },
    reads: {
      openAlerts: open.length,
      transitions: transitions.length,
      changedAlerts: alerts.size - openKept,
      closedAlertsRead: closed.length,
      alertsReadByKey: byKey.size,
      staleIndexCopies,
      manifests: manifests.length,
      auditEvents: auditEvents.length,
      issuedFigures: [...issuedFigures.values()].reduce((n, list) => n + list.length, 0),
      windowStart,
    },
    issuedFigures,
  };
}
