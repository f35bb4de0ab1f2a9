/**
 * The seeded demo organisation: every alert as a history of events with exact times, so tests
 * can compute what GitHub would show at any instant and what a report must say.
 */

export type DemoAlertType = 'dependabot' | 'secret_scanning' | 'code_scanning';

/**
 * What happened to an alert, in GitHub's own terms:
 * - `created`: the alert appeared (state open, or closed straight away by a push protection bypass
 *   as "false positive" / "used in tests", which adds a `resolved` event seconds later).
 * - `fixed`: Dependabot or code scanning saw the code fixed; GitHub names no actor.
 * - `dismissed`: a user dismissed a Dependabot or code scanning alert, with a reason.
 * - `auto_dismissed`: a Dependabot auto-triage rule dismissed it; no actor, no reason.
 * - `resolved`: a user resolved a secret scanning alert; `reason` is the resolution.
 * - `reopened`: back to open. `actor` is the user; null when GitHub did it (an auto-dismissed
 *   alert no longer matching a rule, or a fixed alert whose vulnerable code came back).
 */
export type DemoEventKind = 'created' | 'fixed' | 'dismissed' | 'auto_dismissed' | 'resolved' | 'reopened';

export interface DemoAlertEvent {
  kind: DemoEventKind;
  /** ISO-8601 UTC, whole seconds, as GitHub prints alert times: `2026-10-05T14:03:27Z`. */
  at: string;
  /**
   * GitHub login, or null when GitHub itself acted. On `created`: the pusher of the secret for
   * secret scanning (the audit log names them), null for the other types.
   */
  actor: string | null;
  /** Dismissed reason or secret resolution, as GitHub spells it; null otherwise. */
  reason: string | null;
  comment: string | null;
}

export interface DemoRepository {
  name: string;
  id: number;
  description: string;
  private: boolean;
  /** CodeQL language prefix of its rules: js, py, java, go, rb, cs. */
  language: string;
  /** Dependabot ecosystem of its manifests. */
  ecosystem: string;
}

export interface DemoUser {
  login: string;
  id: number;
  type: 'User' | 'Bot';
}

export interface DemoAdvisory {
  ghsaId: string;
  cveId: string | null;
  ecosystem: string;
  packageName: string;
  severity: 'critical' | 'high' | 'medium' | 'low';
  summary: string;
  vulnerableRange: string;
  firstPatched: string | null;
  cvssScore: number;
  cvssVector: string | null;
  cwe: { id: string; name: string };
  publishedAt: string;
  epssPercentage: number;
  epssPercentile: number;
}

export interface DemoCodeQlRule {
  id: string;
  name: string;
  /** SARIF level; the design's fallback when `securitySeverityLevel` is null. */
  severity: 'error' | 'warning' | 'note';
  securitySeverityLevel: 'critical' | 'high' | 'medium' | 'low' | null;
  description: string;
  tags: string[];
}

export interface DemoSecretType {
  type: string;
  displayName: string;
  provider: string | null;
  providerSlug: string | null;
  /**
   * False for generic patterns (passwords, bearer headers, private keys): GitHub lists those only
   * when `secret_type` names them.
   */
  providerPattern: boolean;
}

interface DemoAlertBase {
  /** Repository name inside the org (not "org/repo"). */
  repository: string;
  /** Per repository and alert type, 1, 2, 3... in order of creation, as GitHub numbers them. */
  number: number;
  createdAt: string;
  /** In time order, strictly increasing; the first is `created`; none at or after `endsAt`. */
  events: DemoAlertEvent[];
}

export interface DemoDependabotAlert extends DemoAlertBase {
  alertType: 'dependabot';
  advisory: DemoAdvisory;
  manifestPath: string;
  scope: 'runtime' | 'development';
  relationship: 'direct' | 'transitive';
}

export interface DemoCodeScanningAlert extends DemoAlertBase {
  alertType: 'code_scanning';
  rule: DemoCodeQlRule;
  path: string;
  startLine: number;
  endLine: number;
  startColumn: number;
  endColumn: number;
  commitSha: string;
  message: string;
}

export interface DemoPushProtectionBypass {
  actor: string;
  at: string;
  /** The reason chosen when bypassing, as the audit log records it. */
  reason: 'will_fix_later' | 'false_positive' | 'used_in_tests';
}

export interface DemoSecretScanningAlert extends DemoAlertBase {
  alertType: 'secret_scanning';
  secretType: DemoSecretType;
  /** Obviously fake, never a real token shape: `demo-secret-value-17`. */
  secret: string;
  bypass: DemoPushProtectionBypass | null;
  publiclyLeaked: boolean;
  path: string;
  line: number;
  commitSha: string;
  blobSha: string;
}

export type DemoAlert = DemoDependabotAlert | DemoCodeScanningAlert | DemoSecretScanningAlert;

/**
 * One org audit log entry as the REST API returns it. Alert facts are in `data`
 * (`alert_number`, `reason`, `secret_type`) and, for secret scanning, also at the top level
 * (`number`, `secret_type`), where GitHub's audit log reference lists them.
 */
export interface DemoAuditEvent {
  '@timestamp': number;
  created_at: number;
  _document_id: string;
  action: string;
  actor: string;
  actor_id: number;
  org: string;
  org_id: number;
  /** "org/repo". */
  repo: string;
  operation_type: 'create' | 'modify' | 'access';
  number?: number;
  secret_type?: string;
  transport_protocol_name?: string;
  data: { alert_number?: number; reason?: string; secret_type?: string };
}

export interface DemoOrg {
  org: string;
  orgId: number;
  seed: number;
  /** Start of the weekly history (endsAt minus `weeks` weeks). */
  startsAt: string;
  /** Exclusive end: no event happens at or after it. */
  endsAt: string;
  /** Oldest possible creation time: about a year before `startsAt`. */
  historyStartsAt: string;
  repositories: DemoRepository[];
  users: DemoUser[];
  alerts: {
    dependabot: DemoDependabotAlert[];
    secret_scanning: DemoSecretScanningAlert[];
    code_scanning: DemoCodeScanningAlert[];
  };
  /** Oldest first. Web events (alert actions) and a few `git.push` events (bypassed pushes). */
  auditEvents: DemoAuditEvent[];
  /**
   * Bumped by every change made after generation (`changeAlerts`), so the simulated GitHub
   * knows its cached lists are stale. Absent means 0.
   */
  revision?: number;
}
