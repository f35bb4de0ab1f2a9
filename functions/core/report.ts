/**
 * report.json for one org and one period, from what the ledger stored: the current alerts, every
 * transition any source saw, the audit events, and the snapshot manifests (for completeness).
 */
import {
  countsByRepository,
  countsBySeverityForPeriods,
  countsByTeam,
  finerCounts,
  openAge,
  topRepositories,
  topRules,
} from './breakdowns.ts';
import { countsChange } from './change.ts';
import { CoreError } from './errors.ts';
import {
  type AlertHistory,
  alertStateAt,
  computeCountsForPeriods,
  historyTimes,
  newHistory,
} from './metrics.ts';
import {
  ALERT_TYPES,
  type Alert,
  type AlertState,
  type AlertType,
  type AuditEvent,
  alertKey,
  compareAlerts,
  SEVERITIES,
  type Severity,
  type SnapshotManifest,
  type Transition,
} from './model.ts';
import { notableEventsIn } from './notable.ts';
import { formatInstant, instantMs, type Period } from './periods.ts';
import type {
  Counts,
  CoverageGap,
  PeriodFigures,
  PushProtectionBypass,
  ReportJson,
  ReportTransition,
  SlaPolicy,
  SummaryScope,
  TrendPoint,
} from './report-model.ts';
import { findSlaBreaches, slaCompliance } from './sla.ts';
import { buildTimelineWithTimes, transitionMs } from './timeline.ts';

export interface ReportInput {
  org: string;
  period: Period;
  generatedAt: string;
  /** Current state of every known alert. */
  alerts: Alert[];
  /** Every stored transition of these alerts (any sources, unsorted). */
  transitions: Transition[];
  /** Enrich actors and reasons (who reopened, why push protection was bypassed). */
  auditEvents: AuditEvent[];
  /** All snapshot manifests of the org (for completeness). */
  manifests: SnapshotManifest[];
  slaPolicy: SlaPolicy;
  /** Oldest first; the last one is `period`, the one before it the previous period. */
  trendPeriods: Period[];
  /** Team name to its repositories ("org/repo"), for `breakdowns.byTeam`. */
  teams?: Readonly<Record<string, readonly string[]>>;
  /**
   * Figures of earlier periods as their issued reports stated them (`periodFigures`). A trend
   * period or the previous period with figures here (same id, start and end) is taken from
   * them, and its history need not be in `alerts` and `transitions`. The report's own period is
   * always computed.
   */
  issuedFigures?: readonly PeriodFigures[];
}

/** An audit event this close to a transition (or a bypass) is taken to be the same action. */
export const AUDIT_MATCH_WINDOW_MS = 5 * 60_000;

export const PUSH_PROTECTION_BYPASS_ACTION = 'secret_scanning_push_protection.bypass';

/**
 * Computes report.json (schema version 1, docs/report.schema.json). Pure: the same input gives
 * the same report.
 *
 * @example
 * const report = computeReport({
 *   org: 'acme', period: parsePeriodId('2026-W47'), generatedAt: '2026-11-23T06:00:00Z',
 *   alerts, transitions, auditEvents, manifests, slaPolicy: DEFAULT_SLA_POLICY,
 *   trendPeriods: lastPeriods(parsePeriodId('2026-W47'), 12),
 * });
 * report.summary.total.opened; // 4
 */
export function computeReport(input: ReportInput): ReportJson {
  const { org, period } = input;
  // Validates the instants up front: a bad one fails the report rather than mis-sorting it.
  const startMs = instantMs(period.start);
  const endMs = instantMs(period.end);
  instantMs(input.generatedAt);

  const { histories, orphans } = buildHistories(input.alerts, input.transitions);
  const audit = indexAuditEvents(input.auditEvents);

  const previous = input.trendPeriods.length >= 2 ? input.trendPeriods.at(-2) : undefined;
  const issued = issuedFiguresOf(input.issuedFigures ?? [], period);
  const known = (p: Period): PeriodFigures | undefined => issued.get(periodKey(p));
  // The counts of every period the report shows (summary, previous period, trend) that no issued
  // report gives, at once.
  const counts = periodCounts(
    histories,
    [period, ...(previous ? [previous] : []), ...input.trendPeriods].filter((p) => p === period || !known(p)),
  );
  const summary = counts.summary(period);
  const previousFigures = previous ? known(previous) : undefined;
  const previousSummary = previous
    ? previousFigures
      ? mapScopes((scope) => ownCounts(previousFigures.summary[scope]))
      : counts.summary(previous)
    : null;

  const incompleteReasons = completenessReasons(input, startMs, endMs);
  const orphansBeforeEnd = orphans.filter((t) => instantMs(t.at) < endMs);
  if (orphansBeforeEnd.length > 0) {
    const keys = [...new Set(orphansBeforeEnd.map((t) => alertKey(t)))].sort();
    incompleteReasons.push(
      `${orphansBeforeEnd.length} stored transition(s) belong to alerts missing from the alert store ` +
        `(${keys.slice(0, 5).join(', ')}${keys.length > 5 ? ', ...' : ''}); they are left out: ` +
        `run \`alert-ledger snapshot --org ${org} --full\` to reconcile`,
    );
  }

  return {
    schemaVersion: 1,
    org,
    generatedAt: input.generatedAt,
    period: { id: period.id, start: period.start, end: period.end },
    complete: incompleteReasons.length === 0,
    incompleteReasons,
    summary,
    noLongerReported: noLongerReportedIn(input.manifests, startMs, endMs),
    coverageGaps: coverageGaps(input.manifests, endMs),
    slaPolicy: input.slaPolicy,
    transitions: periodTransitions(histories, audit, startMs, endMs),
    slaBreaches: findSlaBreaches(histories, period, input.slaPolicy),
    pushProtectionBypasses: pushProtectionBypasses(histories, input.auditEvents, period, startMs, endMs),
    notableEvents: notableEventsIn(histories, startMs, endMs),
    trend: input.trendPeriods.map((p) => {
      const figures = known(p);
      return figures
        ? { ...trendPoint(p, figures.summary.total, figures.bySeverity), issuedIn: figures.reportId }
        : trendPoint(p, counts.summary(p).total, counts.bySeverity(p));
    }),
    previousPeriod:
      previous && previousSummary
        ? { id: previous.id, start: previous.start, end: previous.end, summary: previousSummary }
        : null,
    change: previousSummary
      ? mapScopes((scope) => countsChange(summary[scope], previousSummary[scope]))
      : null,
    finer: mapScopes((scope) => finerCounts(ofScope(histories, scope), period)),
    breakdowns: {
      bySeverity: counts.bySeverity(period),
      byRepository: countsByRepository(histories, period),
      byTeam: countsByTeam(histories, period, input.teams ?? {}),
    },
    openAge: openAge(histories, period),
    top: { repositories: topRepositories(histories, period), rules: topRules(histories, period) },
    slaCompliance: slaCompliance(histories, period, input.slaPolicy),
  };
}

const SCOPES: readonly SummaryScope[] = ['total', ...ALERT_TYPES];

const periodKey = (p: Pick<Period, 'id' | 'start' | 'end'>): string => `${p.id}|${p.start}|${p.end}`;

/**
 * Stored counts with exactly the fields of `Counts`, in their order: figures read back from
 * DynamoDB come in any key order, and report.json is the same whichever way a figure was obtained.
 */
function ownCounts(c: Counts): Counts {
  return {
    openAtStart: c.openAtStart,
    openAtEnd: c.openAtEnd,
    opened: c.opened,
    fixed: c.fixed,
    dismissed: c.dismissed,
    reopened: c.reopened,
    mttrDays: c.mttrDays,
    netResolveRate: c.netResolveRate,
  };
}

/** The issued figures by period, the report's own period left out (it is always computed). */
function issuedFiguresOf(figures: readonly PeriodFigures[], period: Period): Map<string, PeriodFigures> {
  const out = new Map<string, PeriodFigures>();
  for (const f of figures) {
    const key = periodKey({ id: f.periodId, start: f.start, end: f.end });
    if (key !== periodKey(period)) out.set(key, f);
  }
  return out;
}

/**
 * Why the issued figures a report took for its previous period no longer agree with the
 * history, or null when they agree (or none were taken). The previous period's open alerts at
 * its end, per alert type and per severity, are this period's open alerts at its start, which the
 * report computed from the history: when they differ, the history has changed since those
 * figures were stated (alerts imported late, a stream listed for the first time), and the report
 * should be computed again without them.
 *
 * @example
 * staleIssuedFigures(report); // '2026-W46 as issued in r-1 ended with 100 open alerts; the history now gives 130'
 */
export function staleIssuedFigures(report: ReportJson): string | null {
  const previous = report.previousPeriod;
  const point = report.trend.find((p) => p.periodId === previous?.id);
  if (!previous || !point?.issuedIn) return null;
  for (const scope of SCOPES) {
    const stated = previous.summary[scope].openAtEnd;
    const now = report.summary[scope].openAtStart;
    if (stated !== now) {
      const what = scope === 'total' ? 'open alerts' : `open ${scope} alerts`;
      return `${previous.id} as issued in ${point.issuedIn} ended with ${stated} ${what}; the history now gives ${now}`;
    }
  }
  for (const severity of SEVERITIES) {
    const stated = point.bySeverity[severity].openAtEnd;
    const now = report.breakdowns.bySeverity[severity].openAtStart;
    if (stated !== now) {
      return `${previous.id} as issued in ${point.issuedIn} ended with ${stated} open ${severity} alerts; the history now gives ${now}`;
    }
  }
  return null;
}

/**
 * The figures a later report may take for this report's period instead of its history, or null
 * when they may still change: the report is not complete, or a stream was not available (a
 * coverage gap: once GitHub lists it, its alerts arrive with their past dates).
 *
 * @example
 * const figures = periodFigures(report, 'r-20261116');
 * if (figures) await store.putPeriodFigures('octo', 'org', figures, scopeFingerprint);
 */
export function periodFigures(report: ReportJson, reportId: string): PeriodFigures | null {
  if (!report.complete || report.coverageGaps.length > 0) return null;
  return {
    periodId: report.period.id,
    start: report.period.start,
    end: report.period.end,
    reportId,
    summary: report.summary,
    bySeverity: report.breakdowns.bySeverity,
  };
}

function mapScopes<T>(f: (scope: SummaryScope) => T): Record<SummaryScope, T> {
  return Object.fromEntries(SCOPES.map((scope) => [scope, f(scope)])) as Record<SummaryScope, T>;
}

function ofScope(histories: readonly AlertHistory[], scope: SummaryScope): readonly AlertHistory[] {
  return scope === 'total' ? histories : histories.filter((h) => h.alert.alertType === scope);
}

/**
 * The summary counts (every scope) and the counts by severity of each of `periods`, computed together
 * (`computeCountsForPeriods`): the same figures as `computeCounts` of each scope and `countsBySeverity`
 * for each period, from one walk of each timeline instead of one per period and figure.
 */
function periodCounts(
  histories: readonly AlertHistory[],
  periods: readonly Period[],
): {
  summary(p: Period): Record<SummaryScope, Counts>;
  bySeverity(p: Period): Record<Severity, Counts>;
} {
  const keyOf = (p: Period) => `${p.start}|${p.end}`;
  const unique = [...new Map(periods.map((p) => [keyOf(p), p])).values()];
  const index = new Map(unique.map((p, k) => [keyOf(p), k]));
  const scopeGroups = new Map(ALERT_TYPES.map((t) => [t, ['total', t] as const]));
  const byScope = computeCountsForPeriods<SummaryScope>(histories, unique, SCOPES, (h) => {
    return scopeGroups.get(h.alert.alertType) ?? ['total'];
  });
  const bySeverity = countsBySeverityForPeriods(histories, unique);
  const at = (p: Period): number => {
    const k = index.get(keyOf(p));
    if (k === undefined) throw new CoreError(`period ${p.id} was not counted`);
    return k;
  };
  return {
    summary: (p) => {
      const k = at(p);
      return mapScopes((scope) => byScope.get(scope)?.[k] as Counts);
    },
    bySeverity: (p) => bySeverity[at(p)] as Record<Severity, Counts>,
  };
}

function trendPoint(p: Period, c: Counts, bySeverity: Record<Severity, Counts>): TrendPoint {
  return {
    periodId: p.id,
    openAtEnd: c.openAtEnd,
    opened: c.opened,
    closed: c.fixed + c.dismissed,
    mttrDays: c.mttrDays,
    bySeverity: Object.fromEntries(
      SEVERITIES.map((s) => [
        s,
        {
          openAtEnd: bySeverity[s].openAtEnd,
          opened: bySeverity[s].opened,
          closed: bySeverity[s].fixed + bySeverity[s].dismissed,
        },
      ]),
    ) as TrendPoint['bySeverity'],
  };
}

/**
 * Groups transitions per alert and merges them into timelines. An alert without any stored
 * transition (seen before the ledger recorded changes) gets the ones its own timestamps imply.
 *
 * @example
 * buildHistories(alerts, transitions).histories[0]?.timeline; // merged, sorted by `at`
 */
export function buildHistories(
  alerts: readonly Alert[],
  transitions: readonly Transition[],
): { histories: AlertHistory[]; orphans: Transition[] } {
  const byKey = new Map<string, Transition[]>();
  for (const t of transitions) {
    const key = alertKey(t);
    const list = byKey.get(key);
    if (list) list.push(t);
    else byKey.set(key, [t]);
  }
  const histories: AlertHistory[] = [];
  const sortedAlerts = [...alerts].sort(compareAlerts);
  for (const alert of sortedAlerts) {
    const key = alertKey(alert);
    const own = byKey.get(key);
    byKey.delete(key);
    const { timeline, times } = buildTimelineWithTimes(own ?? impliedTransitions(alert));
    histories.push(newHistory(alert, timeline, times));
  }
  return { histories, orphans: [...byKey.values()].flat() };
}

/**
 * What an alert's own fields say happened: created open at `createdAt`, and, when closed, closed
 * at `closedAt` (or `updatedAt` when GitHub gave no closing time).
 *
 * @example
 * impliedTransitions(fixedAlert).map((t) => t.to); // ['open', 'fixed']
 */
export function impliedTransitions(alert: Alert): Transition[] {
  // Object literals, not spreads of a shared base: a report makes these for most of its alerts.
  const { alertType, repository, number } = alert;
  const created: Transition = {
    alertType,
    repository,
    number,
    from: null,
    to: 'open',
    at: alert.createdAt,
    actor: null,
    reason: null,
    comment: null,
    source: 'snapshot',
  };
  if (alert.state === 'open') return [created];
  const closed: Transition = {
    alertType,
    repository,
    number,
    from: 'open',
    to: alert.state,
    at: alert.closedAt ?? alert.updatedAt,
    actor: alert.closedBy,
    reason: alert.reason,
    comment: alert.comment,
    source: 'snapshot',
  };
  return [created, closed];
}

function periodTransitions(
  histories: readonly AlertHistory[],
  audit: AuditIndex,
  startMs: number,
  endMs: number,
): ReportTransition[] {
  const rows: { ms: number; row: ReportTransition }[] = [];
  for (const history of histories) {
    const { alert } = history;
    const { timeline, times } = historyTimes(history);
    for (let i = 0; i < timeline.length; i++) {
      const t = timeline[i] as Transition;
      const ms = transitionMs(times, t, i);
      if (ms < startMs || ms >= endMs) continue;
      const event = t.actor === null || t.reason === null ? findAuditEvent(audit, t, ms) : undefined;
      rows.push({
        ms,
        row: {
          alertType: t.alertType,
          repository: t.repository,
          number: t.number,
          from: t.from,
          to: t.to,
          at: formatInstant(ms),
          actor: t.actor ?? event?.actor ?? null,
          reason: t.reason ?? event?.reason ?? null,
          comment: t.comment,
          source: t.source,
          severity: alert.severity,
          title: alert.title,
          htmlUrl: alert.htmlUrl,
        },
      });
    }
  }
  // Histories are already in alert order and timelines in time order, so a stable sort by
  // instant keeps ties deterministic.
  return rows.sort((a, b) => a.ms - b.ms).map((r) => r.row);
}

type AuditIndex = Map<string, { event: AuditEvent; ms: number; type: AlertType; states: AlertState[] }[]>;

function indexAuditEvents(events: readonly AuditEvent[]): AuditIndex {
  const index: AuditIndex = new Map();
  for (const event of events) {
    const target = auditEventTarget(event.action);
    if (target === null || event.repository === null || event.alertNumber === null) continue;
    const key = alertKey({
      alertType: target.alertType,
      repository: event.repository,
      number: event.alertNumber,
    });
    const entry = { event, ms: instantMs(event.at), type: target.alertType, states: target.states };
    const list = index.get(key);
    if (list) list.push(entry);
    else index.set(key, [entry]);
  }
  return index;
}

/**
 * Which alert type an audit log action is about and which states it moves an alert to, or null
 * for actions that do not change an alert's state.
 *
 * @example
 * auditEventTarget('repository_vulnerability_alert.dismiss'); // { alertType: 'dependabot', states: ['dismissed'] }
 * auditEventTarget('secret_scanning_alert.resolve'); // { alertType: 'secret_scanning', states: ['fixed', 'dismissed'] }
 */
export function auditEventTarget(action: string): { alertType: AlertType; states: AlertState[] } | null {
  const dot = action.indexOf('.');
  if (dot < 0) return null;
  const prefix = action.slice(0, dot);
  const verb = action.slice(dot + 1);
  const alertType = AUDIT_ACTION_PREFIXES[prefix];
  if (alertType === undefined) return null;
  // Verbs differ between the three logs (reopen, auto_reopen, alert_reopened...): match on stems.
  if (verb.includes('reopen') || verb.includes('create') || verb.includes('appeared')) {
    return { alertType, states: ['open'] };
  }
  if (verb.includes('dismiss')) return { alertType, states: ['dismissed'] };
  if (verb.includes('revoke')) return { alertType, states: ['fixed'] };
  if (verb.includes('resolve') || verb.includes('fix') || verb.includes('close')) {
    // A secret resolved as revoked is fixed, any other resolution is a dismissal.
    return { alertType, states: alertType === 'secret_scanning' ? ['fixed', 'dismissed'] : ['fixed'] };
  }
  return null;
}

const AUDIT_ACTION_PREFIXES: Readonly<Record<string, AlertType>> = {
  repository_vulnerability_alert: 'dependabot',
  secret_scanning_alert: 'secret_scanning',
  code_scanning: 'code_scanning',
};

function findAuditEvent(index: AuditIndex, t: Transition, ms: number): AuditEvent | undefined {
  const candidates = (index.get(alertKey(t)) ?? []).filter(
    (c) => c.states.includes(t.to) && Math.abs(c.ms - ms) <= AUDIT_MATCH_WINDOW_MS,
  );
  return nearest(candidates, ms)?.event;
}

function pushProtectionBypasses(
  histories: readonly AlertHistory[],
  auditEvents: readonly AuditEvent[],
  period: Period,
  startMs: number,
  endMs: number,
): PushProtectionBypass[] {
  const bypassEvents = auditEvents
    .filter((e) => e.action === PUSH_PROTECTION_BYPASS_ACTION)
    .map((event) => ({ event, ms: instantMs(event.at) }));
  const rows: { ms: number; row: PushProtectionBypass }[] = [];
  for (const history of histories) {
    const { alert } = history;
    if (alert.alertType !== 'secret_scanning') continue;
    // A bypass creates the alert, so its creation time stands in when GitHub omits the bypass time.
    const at = alert.pushProtectionBypassedAt ?? (alert.pushProtectionBypassed ? alert.createdAt : null);
    if (at === null || at === undefined) continue;
    const ms = instantMs(at);
    if (ms < startMs || ms >= endMs) continue;
    const secretType = alert.secretType ?? alert.ruleId;
    const candidates = bypassEvents.filter(
      ({ event, ms: eventMs }) =>
        event.repository === alert.repository &&
        (event.alertNumber === null || event.alertNumber === alert.number) &&
        (event.secretType === null || event.secretType === secretType) &&
        Math.abs(eventMs - ms) <= AUDIT_MATCH_WINDOW_MS,
    );
    // An event naming this alert beats one that only names the repository.
    const numbered = candidates.filter((c) => c.event.alertNumber === alert.number);
    const event = nearest(numbered.length > 0 ? numbered : candidates, ms)?.event;
    rows.push({
      ms,
      row: {
        repository: alert.repository,
        number: alert.number,
        secretType,
        actor: alert.pushProtectionBypassedBy ?? event?.actor ?? null,
        at: formatInstant(ms),
        reason: event?.reason ?? null,
        resolved: alertStateAt(history, period.end) !== 'open',
        htmlUrl: alert.htmlUrl,
      },
    });
  }
  return rows.sort((a, b) => a.ms - b.ms).map((r) => r.row);
}

function nearest<T extends { ms: number; event: AuditEvent }>(
  candidates: readonly T[],
  ms: number,
): T | undefined {
  let best: T | undefined;
  for (const c of candidates) {
    if (
      best === undefined ||
      Math.abs(c.ms - ms) < Math.abs(best.ms - ms) ||
      (Math.abs(c.ms - ms) === Math.abs(best.ms - ms) &&
        (c.ms < best.ms || (c.ms === best.ms && c.event.id < best.event.id)))
    ) {
      best = c;
    }
  }
  return best;
}

function completenessReasons(input: ReportInput, startMs: number, endMs: number): string[] {
  const { org, period, manifests } = input;
  if (input.alerts.length === 0 && manifests.length === 0) {
    return [
      `no data for this period: nothing is stored for ${org} (no alerts, no snapshots): ` +
        `run \`alert-ledger snapshot --org ${org}\` first`,
    ];
  }
  const reasons: string[] = [];
  const dated = manifests.map((m) => ({ m, ms: instantMs(m.takenAt) })).sort((a, b) => a.ms - b.ms);
  if (!dated.some(({ m, ms }) => m.complete && ms >= endMs)) {
    reasons.push(
      `no complete snapshot at or after ${period.end} (the period's end): ` +
        `run \`alert-ledger snapshot --org ${org}\` after the period has ended, then report again`,
    );
  }
  for (const { m, ms } of dated) {
    if (m.complete || ms < startMs || ms > endMs) continue;
    // A later complete full reconciliation lists every alert again, so it repairs what this one missed.
    const repaired = dated.some((f) => f.m.complete && f.m.mode === 'full' && f.ms > ms);
    if (repaired) continue;
    reasons.push(
      `snapshot ${m.snapshotId} taken at ${m.takenAt} was incomplete (${describeStreams(m)}): ` +
        `run \`alert-ledger snapshot --org ${org} --full\` to reconcile`,
    );
  }
  return reasons;
}

/** Alerts full reconciliations inside the period found no longer listed (start exclusive, end inclusive). */
function noLongerReportedIn(manifests: readonly SnapshotManifest[], startMs: number, endMs: number): number {
  let n = 0;
  for (const m of manifests) {
    const ms = instantMs(m.takenAt);
    if (ms > startMs && ms <= endMs) n += m.noLongerReported ?? 0;
  }
  return n;
}

/** The unavailable streams of the first complete snapshot at or after the period's end. */
function coverageGaps(manifests: readonly SnapshotManifest[], endMs: number): CoverageGap[] {
  const basis = manifests
    .filter((m) => m.complete && instantMs(m.takenAt) >= endMs)
    .sort((a, b) => instantMs(a.takenAt) - instantMs(b.takenAt))[0];
  if (!basis) return [];
  return basis.streams
    .filter((s) => s.status === 'unavailable')
    .map((s) => ({ stream: s.stream, lane: s.lane ?? null, message: s.message ?? 'not available' }));
}

function describeStreams(m: SnapshotManifest): string {
  const parts: string[] = [];
  for (const s of m.streams) {
    const name = s.lane ?? s.stream;
    if (s.status === 'failed') parts.push(`${name} failed${s.message ? `: ${s.message}` : ''}`);
    else if (s.status === 'running') parts.push(`${name} did not finish`);
    if ((s.skippedPages ?? 0) > 0)
      parts.push(`${name}: ${plural(s.skippedPages ?? 0, 'page')} GitHub sent could not be read`);
    if (s.skipped > 0) {
      const named = (m.skippedItems ?? []).find((i) => i.stream === s.stream);
      const why = named ? ` (${named.number === null ? '' : `#${named.number}: `}${named.reason})` : '';
      parts.push(
        `${name}: ${plural(s.skipped, s.stream === 'audit_log' ? 'event' : 'alert')} skipped as invalid${why}`,
      );
    }
  }
  return parts.length > 0 ? parts.join('; ') : 'not every stream finished';
}

const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
