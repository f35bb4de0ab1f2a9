import * as z from 'zod';
import { InvalidAlertError } from './errors.ts';
import type { Alert, AlertState, AlertType, Severity } from './model.ts';

/**
 * Turns GitHub's three alert shapes into the one `Alert` model.
 *
 * Only the fields the model needs are checked (an alert missing them is rejected with
 * `InvalidAlertError`, which callers count as skipped); everything else GitHub adds is ignored,
 * so new API fields never break a snapshot. The `secret` field of secret scanning alerts is never
 * read, so it cannot reach storage or logs through the model.
 */

const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not an ISO-8601 date-time');
const nullableDate = isoDate.nullable().optional();
const login = z.object({ login: z.string() }).nullable().optional();
const repository = z.object({ full_name: z.string().min(3) });

const dependabotSchema = z.object({
  number: z.number().int().positive(),
  state: z.enum(['open', 'fixed', 'dismissed', 'auto_dismissed']),
  html_url: z.string(),
  created_at: isoDate,
  updated_at: isoDate,
  fixed_at: nullableDate,
  dismissed_at: nullableDate,
  auto_dismissed_at: nullableDate,
  dismissed_by: login,
  dismissed_reason: z.string().nullable().optional(),
  dismissed_comment: z.string().nullable().optional(),
  security_advisory: z.object({
    ghsa_id: z.string(),
    summary: z.string(),
    severity: z.string(),
  }),
  security_vulnerability: z.object({ severity: z.string() }).optional(),
  repository,
});

const secretScanningSchema = z.object({
  number: z.number().int().positive(),
  state: z.enum(['open', 'resolved']),
  html_url: z.string(),
  created_at: isoDate,
  updated_at: isoDate.nullable().optional(),
  resolved_at: nullableDate,
  resolved_by: login,
  resolution: z.string().nullable().optional(),
  resolution_comment: z.string().nullable().optional(),
  secret_type: z.string(),
  secret_type_display_name: z.string().nullable().optional(),
  push_protection_bypassed: z.boolean().nullable().optional(),
  push_protection_bypassed_by: login,
  push_protection_bypassed_at: nullableDate,
  publicly_leaked: z.boolean().nullable().optional(),
  repository,
});

const codeScanningSchema = z.object({
  number: z.number().int().positive(),
  // Nullable in every description of the list (api.github.com, GHEC, GHES 3.17-3.19).
  state: z.enum(['open', 'dismissed', 'fixed', 'closed']).nullable(),
  html_url: z.string(),
  created_at: isoDate,
  updated_at: isoDate.nullable().optional(),
  fixed_at: nullableDate,
  dismissed_at: nullableDate,
  dismissed_by: login,
  dismissed_reason: z.string().nullable().optional(),
  dismissed_comment: z.string().nullable().optional(),
  rule: z.object({
    id: z.string().nullable().optional(),
    name: z.string().optional(),
    description: z.string().optional(),
    severity: z.string().nullable().optional(),
    security_severity_level: z.string().nullable().optional(),
  }),
  repository,
});

/** How secret scanning alerts are graded; DESIGN.md: critical unless configured. */
export interface NormalizeOptions {
  secretScanningSeverity?: Severity;
}

function parseOrThrow<T>(schema: z.ZodType<T>, raw: unknown, alertType: AlertType): T {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const number = (raw as { number?: unknown } | null)?.number;
    const where = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new InvalidAlertError(
      `${alertType} alert ${typeof number === 'number' ? `#${number}` : '(no number)'} lacks fields the model needs: ${where}`,
    );
  }
  return parsed.data;
}

function toSeverity(s: string | null | undefined): Severity | null {
  switch (s?.toLowerCase()) {
    case 'critical':
      return 'critical';
    case 'high':
      return 'high';
    case 'medium':
    case 'moderate':
      return 'medium';
    case 'low':
      return 'low';
    default:
      return null;
  }
}

/**
 * A date-time as `Date#toISOString` writes it. GitHub's usual form (whole seconds, UTC) on a day no
 * month lacks is rewritten without building a Date: the snapshot benchmark's full run normalises
 * 300,000 of them, and building each Date took 0.3 s of its CPU. Anything else (days 29-31, whose
 * overflow `Date` rolls into the next month, fractions, offsets) goes through `Date`.
 */
const iso = (s: string): string => (PLAIN_UTC.test(s) ? `${s.slice(0, 19)}.000Z` : new Date(s).toISOString());
const PLAIN_UTC = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\dZ$/;
const isoOrNull = (s: string | null | undefined): string | null => (s ? iso(s) : null);

/** Dependabot: `auto_dismissed` is dismissed with reason `auto_dismissed` (DESIGN.md). */
export function normalizeDependabotAlert(raw: unknown): Alert {
  const a = parseOrThrow(dependabotSchema, raw, 'dependabot');
  let state: AlertState;
  let closedAt: string | null = null;
  let reason: string | null = null;
  if (a.state === 'open') {
    state = 'open';
  } else if (a.state === 'fixed') {
    state = 'fixed';
    closedAt = isoOrNull(a.fixed_at);
  } else if (a.state === 'auto_dismissed') {
    state = 'dismissed';
    closedAt = isoOrNull(a.auto_dismissed_at ?? a.dismissed_at);
    reason = 'auto_dismissed';
  } else {
    state = 'dismissed';
    closedAt = isoOrNull(a.dismissed_at);
    reason = a.dismissed_reason ?? null;
  }
  return {
    alertType: 'dependabot',
    repository: a.repository.full_name,
    number: a.number,
    state,
    severity: toSeverity(a.security_vulnerability?.severity ?? a.security_advisory.severity) ?? 'medium',
    title: a.security_advisory.summary,
    ruleId: a.security_advisory.ghsa_id,
    htmlUrl: a.html_url,
    createdAt: iso(a.created_at),
    updatedAt: iso(a.updated_at),
    closedAt: state === 'open' ? null : (closedAt ?? iso(a.updated_at)),
    closedBy: state === 'dismissed' && reason !== 'auto_dismissed' ? (a.dismissed_by?.login ?? null) : null,
    reason,
    comment: state === 'dismissed' ? (a.dismissed_comment ?? null) : null,
  };
}

/** Secret scanning: `revoked` is fixed; any other resolution is dismissed with that reason. */
export function normalizeSecretScanningAlert(raw: unknown, options: NormalizeOptions = {}): Alert {
  const a = parseOrThrow(secretScanningSchema, raw, 'secret_scanning');
  const resolved = a.state === 'resolved';
  const state: AlertState = !resolved ? 'open' : a.resolution === 'revoked' ? 'fixed' : 'dismissed';
  const updatedAt = a.updated_at ?? a.resolved_at ?? a.created_at;
  const alert: Alert = {
    alertType: 'secret_scanning',
    repository: a.repository.full_name,
    number: a.number,
    state,
    severity: options.secretScanningSeverity ?? 'critical',
    title: a.secret_type_display_name ?? a.secret_type,
    ruleId: a.secret_type,
    htmlUrl: a.html_url,
    createdAt: iso(a.created_at),
    updatedAt: iso(updatedAt),
    ...(a.updated_at ? {} : { updatedAtEstimated: true }),
    closedAt: resolved ? (isoOrNull(a.resolved_at) ?? iso(updatedAt)) : null,
    closedBy: resolved ? (a.resolved_by?.login ?? null) : null,
    reason: resolved ? (a.resolution ?? null) : null,
    comment: resolved ? (a.resolution_comment ?? null) : null,
    secretType: a.secret_type,
    pushProtectionBypassed: a.push_protection_bypassed === true,
    pushProtectionBypassedBy: a.push_protection_bypassed_by?.login ?? null,
    pushProtectionBypassedAt: isoOrNull(a.push_protection_bypassed_at),
    publiclyLeaked: a.publicly_leaked === true,
  };
  return alert;
}

/** Code scanning: `rule.security_severity_level`, else error high, warning medium, note/none low. */
export function normalizeCodeScanningAlert(raw: unknown): Alert {
  const a = parseOrThrow(codeScanningSchema, raw, 'code_scanning');
  // `closed` counts as fixed. Without a state, the alert's own dates say what it is: dismissed or
  // fixed when GitHub dated that, open otherwise.
  const given = a.state ?? (a.dismissed_at ? 'dismissed' : a.fixed_at ? 'fixed' : 'open');
  const state: AlertState = given === 'open' ? 'open' : given === 'dismissed' ? 'dismissed' : 'fixed';
  const updatedAt = a.updated_at ?? a.dismissed_at ?? a.fixed_at ?? a.created_at;
  const fallback: Record<string, Severity> = { error: 'high', warning: 'medium', note: 'low', none: 'low' };
  const severity =
    toSeverity(a.rule.security_severity_level) ?? fallback[a.rule.severity ?? 'none'] ?? ('low' as Severity);
  const closedAt =
    state === 'dismissed' ? isoOrNull(a.dismissed_at) : state === 'fixed' ? isoOrNull(a.fixed_at) : null;
  return {
    alertType: 'code_scanning',
    repository: a.repository.full_name,
    number: a.number,
    state,
    severity,
    title: a.rule.description ?? a.rule.name ?? a.rule.id ?? 'code scanning alert',
    ruleId: a.rule.id ?? a.rule.name ?? 'unknown',
    htmlUrl: a.html_url,
    createdAt: iso(a.created_at),
    updatedAt: iso(updatedAt),
    ...(a.updated_at ? {} : { updatedAtEstimated: true }),
    closedAt: state === 'open' ? null : (closedAt ?? iso(updatedAt)),
    closedBy: state === 'dismissed' ? (a.dismissed_by?.login ?? null) : null,
    reason: state === 'dismissed' ? (a.dismissed_reason ?? null) : null,
    comment: state === 'dismissed' ? (a.dismissed_comment ?? null) : null,
  };
}

/** Dispatches on alert type. */
export function normalizeAlert(alertType: AlertType, raw: unknown, options: NormalizeOptions = {}): Alert {
  switch (alertType) {
    case 'dependabot':
      return normalizeDependabotAlert(raw);
    case 'secret_scanning':
      return normalizeSecretScanningAlert(raw, options);
    case 'code_scanning':
      return normalizeCodeScanningAlert(raw);
  }
}
