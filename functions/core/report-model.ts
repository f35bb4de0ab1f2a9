import type { AlertType, NotableEvent, Severity, Transition } from './model.ts';

/** report.json, schema version 1 (docs/report.schema.json). Keep stable: extend, never rename. */
export interface Counts {
  openAtStart: number;
  openAtEnd: number;
  opened: number;
  fixed: number;
  dismissed: number;
  reopened: number;
  mttrDays: number | null;
  netResolveRate: number | null;
}

/** A transition as report.json carries it: the stored one plus what the alert is about. */
export interface ReportTransition extends Transition {
  /** Extension: what the alert is about and where to see it. */
  severity: Severity;
  title: string;
  htmlUrl: string;
}

export interface SlaBreach {
  alertType: AlertType;
  repository: string;
  number: number;
  severity: Severity;
  openedAt: string;
  dueAt: string;
  daysOverdue: number;
  title: string;
  htmlUrl: string;
}

export interface PushProtectionBypass {
  repository: string;
  number: number;
  secretType: string;
  actor: string | null;
  at: string;
  reason: string | null;
  resolved: boolean;
  htmlUrl: string;
}

export interface TrendPoint {
  periodId: string;
  openAtEnd: number;
  opened: number;
  closed: number;
  /** Extension: the period's mean time to remediate (as `Counts.mttrDays`). */
  mttrDays: number | null;
  /** Extension: the same figures per severity. */
  bySeverity: Record<Severity, { openAtEnd: number; opened: number; closed: number }>;
  /**
   * Extension: the id of the issued report whose figures this point repeats, for a past period
   * taken as that report stated it; absent when this report computed the point itself.
   */
  issuedIn?: string;
}

/**
 * A period's figures as an issued (complete) report stated them: what a later report's trend
 * and comparison with the previous period take instead of reading that period's history again.
 */
export interface PeriodFigures {
  periodId: string;
  start: string;
  end: string;
  /** The report that stated them. */
  reportId: string;
  summary: Record<SummaryScope, Counts>;
  bySeverity: Record<Severity, Counts>;
}

/** The summary's four scopes: every alert, and each alert type. */
export type SummaryScope = 'total' | AlertType;

export interface ReportJson {
  schemaVersion: 1;
  org: string;
  generatedAt: string;
  period: { id: string; start: string; end: string };
  complete: boolean;
  /** Extension: why the report is not complete (empty when complete). */
  incompleteReasons: string[];
  summary: { total: Counts } & Record<AlertType, Counts>;
  /** Extension: alerts that stopped being listed during the period, counted apart from the sum. */
  noLongerReported: number;
  /**
   * Extension: streams GitHub would not list (feature off, not licensed, missing permission) in
   * the snapshot the period's end rests on: what the figures cannot include.
   */
  coverageGaps: CoverageGap[];
  slaPolicy: SlaPolicy;
  transitions: ReportTransition[];
  slaBreaches: SlaBreach[];
  pushProtectionBypasses: PushProtectionBypass[];
  /**
   * Extension: push-protection bypasses, critical alerts created, reopens and public leaks of the
   * period, oldest first (the webhook flags them as they happen; this is the period's list).
   */
  notableEvents: NotableEvent[];
  trend: TrendPoint[];
  /** Extension: the previous period of the same kind (null for the first a report can compare with). */
  previousPeriod: { id: string; start: string; end: string; summary: Record<SummaryScope, Counts> } | null;
  /** Extension: `summary` against `previousPeriod.summary`, in percent (null without a previous period). */
  change: Record<SummaryScope, CountsChange> | null;
  /** Extension: finer figures beside `summary`, per scope. */
  finer: Record<SummaryScope, FinerCounts>;
  /** Extension: the period's counts per severity, repository and configured team. */
  breakdowns: {
    bySeverity: Record<Severity, Counts>;
    byRepository: RepositoryCounts[];
    byTeam: TeamCounts[];
  };
  /** Extension: ages of the alerts open at the period's end. */
  openAge: OpenAge;
  /** Extension: the 10 repositories and the 10 advisories, rules or secret types with most open alerts at the end. */
  top: { repositories: TopRepository[]; rules: TopRule[] };
  /** Extension: alerts closed within / after their SLA in the period, open past it, and the compliance %. */
  slaCompliance: SlaCompliance;
}

export interface CoverageGap {
  stream: string;
  lane: string | null;
  message: string;
}

export interface SlaPolicy {
  /** Days allowed per severity. */
  days: Record<Severity, number>;
  /** Secret scanning alerts get this many days whatever their severity. */
  secretScanningDays: number;
}

export const DEFAULT_SLA_POLICY: SlaPolicy = {
  days: { critical: 15, high: 30, medium: 90, low: 180 },
  secretScanningDays: 7,
};

/** A figure's change against the previous period, in percent (1 decimal); null when the previous figure was 0 or null. */
export type PercentChange = number | null;

/** Extension: `Counts` figures against the previous period of the same kind and length. */
export interface CountsChange {
  openAtEnd: PercentChange;
  opened: PercentChange;
  fixed: PercentChange;
  dismissed: PercentChange;
  reopened: PercentChange;
  mttrDays: PercentChange;
}

/** Extension: the finer figures DESIGN.md puts beside `Counts`, under their own names. */
export interface FinerCounts {
  /** Every transition to open from fixed or dismissed inside the period (an alert reopened twice counts 2). */
  reopenEvents: number;
  /** Created in the period and closed (fixed or dismissed) at its end. */
  openedAndClosed: number;
  /** Alerts counted in `dismissed`, by the reason they were dismissed with; most first, then by reason. */
  dismissedByReason: { reason: string; count: number }[];
}

/** Extension: how old the alerts open at the period's end are, in days since creation. */
export interface OpenAge {
  count: number;
  /** null when nothing is open. 1 decimal. */
  meanDays: number | null;
  medianDays: number | null;
  oldestDays: number | null;
  /** Fixed buckets: [0, 7), [7, 30), [30, 90), [90, 180), [180, inf) days. */
  buckets: { label: string; minDays: number; maxDays: number | null; count: number }[];
}

/** Extension: SLA outcome of the period: alerts closed within / after their SLA, and compliance. */
export interface SlaCompliance {
  /** Alerts counted in `fixed` or `dismissed` whose last closing came on or before their due date. */
  closedWithinSla: number;
  closedAfterSla: number;
  /** Alerts open at the period's end and past their due date (the `slaBreaches` rows). */
  openPastSla: number;
  /**
   * closedWithinSla / (closedWithinSla + closedAfterSla + openPastSla), in percent with 1
   * decimal; null when the denominator is 0.
   */
  compliancePct: number | null;
}

export interface RepositoryCounts {
  repository: string;
  counts: Counts;
}

export interface TeamCounts {
  team: string;
  repositories: string[];
  counts: Counts;
}

export interface TopRepository {
  repository: string;
  open: number;
  bySeverity: Record<Severity, number>;
}

export interface TopRule {
  alertType: AlertType;
  /** GHSA id, code scanning rule id or secret type. */
  ruleId: string;
  title: string;
  open: number;
}
