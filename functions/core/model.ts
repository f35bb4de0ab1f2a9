/**
 * The domain model every other module speaks: one normalised shape for the three GitHub alert
 * kinds, the transitions observed between states, and snapshot manifests.
 *
 * Pure: no I/O, no vendor SDKs.
 */

export const ALERT_TYPES = ['dependabot', 'secret_scanning', 'code_scanning'] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

export const ALERT_STATES = ['open', 'fixed', 'dismissed'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const TRANSITION_SOURCES = ['snapshot', 'webhook', 'audit_log'] as const;
export type TransitionSource = (typeof TRANSITION_SOURCES)[number];

/** One alert, normalised from any of GitHub's three shapes. Never holds a secret value. */
export interface Alert {
  alertType: AlertType;
  /** "org/repo" */
  repository: string;
  number: number;
  state: AlertState;
  severity: Severity;
  /** Advisory summary, rule description or secret type display name. */
  title: string;
  /** GHSA id, rule id or secret type: what the alert is about, for grouping. */
  ruleId: string;
  htmlUrl: string;
  createdAt: string;
  updatedAt: string;
  /**
   * True when GitHub gave no `updated_at` (secret scanning may send null, code scanning
   * webhooks never send it) and `updatedAt` was taken from the other timestamps: it may be older
   * than the change it stands for.
   */
  updatedAtEstimated?: boolean;
  /** When the alert reached its current closed state (fixed_at, dismissed_at, resolved_at). */
  closedAt: string | null;
  /** Who closed it, when GitHub says. */
  closedBy: string | null;
  /** Dismissal reason or secret resolution, as GitHub spells it. */
  reason: string | null;
  comment: string | null;
  /** Secret scanning only. */
  secretType?: string;
  pushProtectionBypassed?: boolean;
  pushProtectionBypassedBy?: string | null;
  pushProtectionBypassedAt?: string | null;
  publiclyLeaked?: boolean;
  /**
   * When alert-ledger first learnt the secret was publicly leaked (the webhook's own timestamp,
   * or the snapshot that first listed it so): GitHub keeps only the flag.
   */
  publiclyLeakedAt?: string | null;
}

/** What makes a change worth a reader's attention before the weekly report (DESIGN.md). */
export type NotableKind = 'push_protection_bypass' | 'critical_created' | 'reopened' | 'publicly_leaked';

export interface NotableEvent {
  kind: NotableKind;
  alertType: AlertType;
  repository: string;
  number: number;
  severity: Severity;
  title: string;
  htmlUrl: string;
  at: string;
  actor: string | null;
}

/** A change of state of one alert, as seen by one source. */
export interface Transition {
  alertType: AlertType;
  repository: string;
  number: number;
  /** null when the alert is new. */
  from: AlertState | null;
  to: AlertState;
  at: string;
  actor: string | null;
  reason: string | null;
  comment: string | null;
  source: TransitionSource;
}

export type StreamName = AlertType | 'audit_log';

export interface StreamResult {
  stream: StreamName;
  /** One paginated listing of the stream (secret scanning has two: provider and non-provider types). */
  lane?: string;
  /**
   * finished: listed to the end; unavailable: the feature is off or not licensed (403/404), a
   * coverage gap; running: stopped by the time limit or a rate limit, resumed by the next run;
   * failed: GitHub kept failing after retries.
   */
  status: 'finished' | 'unavailable' | 'failed' | 'running';
  items: number;
  pages: number;
  /** Items that failed validation: skipped and named here, never silently dropped; the snapshot is incomplete. */
  skipped: number;
  /** Pages whose body was not a JSON array: skipped, and the snapshot is incomplete. */
  skippedPages?: number;
  message?: string;
}

export type OpenCounts = Record<AlertType, Record<Severity, number>>;

/** What one snapshot saw and did; aggregates feed trend charts without reading old snapshots. */
export interface SnapshotManifest {
  org: string;
  snapshotId: string;
  /** The instant the snapshot describes (the --now of the run). */
  takenAt: string;
  mode: 'incremental' | 'full';
  complete: boolean;
  streams: StreamResult[];
  alertsSeen: number;
  alertsWritten: number;
  transitionsWritten: number;
  auditEventsWritten: number;
  openBySeverity: OpenCounts;
  openByRepository: Record<string, number>;
  /** Stopped by the time limit or a rate limit: the next run resumes the same snapshot. */
  resumable?: boolean;
  /** Invocations that worked on this snapshot (more than one when it was resumed). */
  invocations?: number;
  /** Pages fetched from GitHub (retries inside the client not counted). */
  requests?: number;
  /** Full runs: alerts no longer listed by GitHub, marked "no longer reported" (never fixed). */
  noLongerReported?: number;
  /**
   * `noLongerReported` by repository ("org/repo"), so that a report limited to some repositories
   * counts theirs. Absent from manifests written before it existed.
   */
  noLongerReportedByRepository?: Record<string, number>;
  /** Full runs: whether the no-longer-reported check ran (it needs one uninterrupted listing). */
  reconciled?: boolean;
  /** Items skipped because they lacked fields the model needs (first 50 named). */
  skippedItems?: { stream: string; number: number | null; reason: string }[];
  /** DynamoDB items written and write capacity units consumed by the snapshot. */
  itemsWritten?: number;
  writeUnits?: number;
}

/** An audit log event the product cares about, reduced to what reports use. */
export interface AuditEvent {
  id: string;
  action: string;
  actor: string | null;
  at: string;
  /** "org/repo", when the event names one. */
  repository: string | null;
  alertNumber: number | null;
  reason: string | null;
  secretType: string | null;
}

export function alertKey(a: Pick<Alert, 'alertType' | 'repository' | 'number'>): string {
  return `${a.alertType}#${a.repository}#${a.number}`;
}

/**
 * The order alerts are listed and summed in: by type (as in ALERT_TYPES), repository (code
 * units), then number.
 */
export function compareAlerts(
  a: Pick<Alert, 'alertType' | 'repository' | 'number'>,
  b: Pick<Alert, 'alertType' | 'repository' | 'number'>,
): number {
  return (
    ALERT_TYPES.indexOf(a.alertType) - ALERT_TYPES.indexOf(b.alertType) ||
    (a.repository < b.repository ? -1 : a.repository > b.repository ? 1 : 0) ||
    a.number - b.number
  );
}

export function emptyOpenCounts(): OpenCounts {
  const perSeverity = (): Record<Severity, number> => ({ critical: 0, high: 0, medium: 0, low: 0 });
  return { dependabot: perSeverity(), secret_scanning: perSeverity(), code_scanning: perSeverity() };
}

/** GitHub security overview leaves false positives out of mean time to remediate. */
export const FALSE_POSITIVE_REASONS: Readonly<Record<AlertType, readonly string[]>> = {
  dependabot: ['inaccurate'],
  code_scanning: ['false positive'],
  secret_scanning: ['false_positive'],
};
