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
}

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
