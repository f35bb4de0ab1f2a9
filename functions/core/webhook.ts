import { InvalidWebhookPayloadError, UnknownAlertError } from './errors.ts';
import type { Alert, AlertState, AlertType } from './model.ts';
import { type NormalizeOptions, normalizeAlert } from './normalize.ts';

/**
 * GitHub's alert webhooks, read into the one `Alert` model. Pure: the receiver
 * (`use-cases/receive-webhook.ts`) verifies, reads the stored alert and writes.
 *
 * Webhook alert objects are not the REST ones: secret scanning sends no `state` (it follows from
 * `resolution`), code scanning sends no `updated_at` on most actions and no
 * `security_severity_level`, and GHES before 3.6 sent secret scanning alerts with only their
 * number and resolution. What a payload omits is taken from the stored alert, never guessed.
 */

/** The events alert-ledger records, and the alert type each carries. */
export const ALERT_WEBHOOK_EVENTS = {
  dependabot_alert: 'dependabot',
  secret_scanning_alert: 'secret_scanning',
  secret_scanning_alert_location: 'secret_scanning',
  code_scanning_alert: 'code_scanning',
} as const satisfies Record<string, AlertType>;
export type AlertWebhookEvent = keyof typeof ALERT_WEBHOOK_EVENTS;

export const isAlertWebhookEvent = (event: string): event is AlertWebhookEvent =>
  Object.hasOwn(ALERT_WEBHOOK_EVENTS, event);

/**
 * Every action GitHub documents for the four events (the `x-webhooks` of `@octokit/openapi`; a
 * test keeps this table in step with it) and what it says about the alert: it opens it, closes
 * it, or changes no state (`null`: assignment, validity, metadata, a new location). The payload's
 * own state decides; the table is what the tests and the logs hold the payload to.
 */
export const DOCUMENTED_ACTIONS: Record<AlertWebhookEvent, Record<string, 'open' | 'closed' | null>> = {
  dependabot_alert: {
    created: 'open',
    dismissed: 'closed',
    fixed: 'closed',
    reopened: 'open',
    auto_dismissed: 'closed',
    auto_reopened: 'open',
    reintroduced: 'open',
    assignees_changed: null,
  },
  secret_scanning_alert: {
    created: 'open',
    resolved: 'closed',
    reopened: 'open',
    validated: null,
    publicly_leaked: null,
    assigned: null,
    unassigned: null,
    metadata_created: null,
    metadata_removed: null,
  },
  secret_scanning_alert_location: { created: null },
  code_scanning_alert: {
    created: 'open',
    fixed: 'closed',
    closed_by_user: 'closed',
    reopened: 'open',
    reopened_by_user: 'open',
    appeared_in_branch: null,
    updated_assignment: null,
  },
};

/**
 * Whether the delivery's action is the change to `state`: a closing action for a closed state, a
 * reopening one for open (a creation reopens nothing). Undocumented actions make no change.
 *
 * @example
 * actionMakes({ event: 'code_scanning_alert', action: 'updated_assignment' }, 'open'); // false
 */
export function actionMakes(d: Pick<AlertDelivery, 'event' | 'action'>, state: AlertState): boolean {
  if (d.action === null || !Object.hasOwn(DOCUMENTED_ACTIONS[d.event], d.action)) return false;
  const direction = DOCUMENTED_ACTIONS[d.event][d.action];
  return state === 'open' ? direction === 'open' && d.action !== 'created' : direction === 'closed';
}

/** One alert delivery, checked at the edge: enough to find the stored alert. */
export interface AlertDelivery {
  event: AlertWebhookEvent;
  action: string | null;
  alertType: AlertType;
  /** "org/repo" as GitHub spells it. */
  repository: string;
  org: string;
  number: number;
  /** `sender.login`: who did it. */
  actor: string | null;
  /** The payload's alert object, as sent (its `secret`, if any, is never read). */
  alert: Record<string, unknown>;
  repositoryHtmlUrl: string | null;
  /** Code scanning: the Git ref the event happened on (`refs/pull/11/merge`); null when none. */
  ref: string | null;
  /** `repository.default_branch` ("main"); null when the payload does not say. */
  defaultBranch: string | null;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks that a delivery of one of the four events names an alert and its repository.
 *
 * @throws InvalidWebhookPayloadError naming what is missing.
 * @example
 * const d = parseAlertDelivery('dependabot_alert', JSON.parse(body));
 * // { alertType: 'dependabot', repository: 'octo/app', number: 3, action: 'dismissed', ... }
 */
export function parseAlertDelivery(
  event: AlertWebhookEvent,
  payload: Record<string, unknown>,
): AlertDelivery {
  const { alert, repository, sender, action } = payload;
  if (!isObject(alert) || !isObject(repository) || typeof repository.full_name !== 'string') {
    throw new InvalidWebhookPayloadError(`${event} payload lacks alert or repository`);
  }
  const fullName = repository.full_name;
  const [org, name] = fullName.split('/');
  if (!org || !name) {
    throw new InvalidWebhookPayloadError(`${event} repository.full_name is not owner/name`);
  }
  const number = alert.number;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 1) {
    throw new InvalidWebhookPayloadError(`${event} alert.number must be a positive whole number`);
  }
  const login = isObject(sender) && typeof sender.login === 'string' ? sender.login : null;
  return {
    event,
    action: typeof action === 'string' ? action : null,
    alertType: ALERT_WEBHOOK_EVENTS[event],
    repository: fullName,
    org,
    number,
    actor: login,
    alert,
    repositoryHtmlUrl: typeof repository.html_url === 'string' ? repository.html_url : null,
    ref: typeof payload.ref === 'string' && payload.ref !== '' ? payload.ref : null,
    defaultBranch:
      typeof repository.default_branch === 'string' && repository.default_branch !== ''
        ? repository.default_branch
        : null,
  };
}

/**
 * Why a code scanning delivery says nothing about the alert alert-ledger records, or null when
 * it does. An alert's state in GitHub's lists (and so in every snapshot) is its state on the
 * default branch; `created`, `fixed`, `reopened` and `appeared_in_branch` also arrive for other
 * refs (a pull request's merge ref, a feature branch), where "fixed" means fixed on that branch
 * only. Applying those would close an alert that is still open where it counts. Changes by a
 * person (`closed_by_user`, `reopened_by_user`) carry no ref and always apply; so does a
 * delivery whose repository does not name its default branch, as before.
 *
 * @example
 * offDefaultBranch({ event: 'code_scanning_alert', ref: 'refs/pull/11/merge', defaultBranch: 'main', ... })
 * // 'code scanning event on refs/pull/11/merge, not on the default branch main'
 */
export function offDefaultBranch(d: AlertDelivery): string | null {
  if (d.alertType !== 'code_scanning' || d.ref === null || d.defaultBranch === null) return null;
  if (d.ref === `refs/heads/${d.defaultBranch}`) return null;
  return `code scanning event on ${d.ref}, not on the default branch ${d.defaultBranch}`;
}

const SECURITY_PATH: Record<AlertType, string> = {
  dependabot: 'dependabot',
  secret_scanning: 'secret-scanning',
  code_scanning: 'code-scanning',
};

const absent = (raw: Record<string, unknown>, key: string): boolean => raw[key] === undefined;

/**
 * The alert a delivery describes, with what the payload omits taken from `stored`, and with a
 * change whose time GitHub did not send dated by the delivery's arrival (`receivedAt`).
 *
 * @throws UnknownAlertError when the payload lacks `created_at` and nothing is stored.
 * @throws InvalidAlertError (from the normaliser) when fields the model needs are malformed.
 * @example
 * const next = alertFromDelivery(delivery, stored?.alert, '2026-11-20T10:00:00Z');
 */
export function alertFromDelivery(
  d: AlertDelivery,
  stored: Alert | undefined,
  receivedAt: string,
  options: NormalizeOptions = {},
): Alert {
  const raw: Record<string, unknown> = { ...d.alert };
  if (d.alertType === 'secret_scanning' && absent(raw, 'state')) {
    raw.state = raw.resolution ? 'resolved' : 'open';
  }
  if (absent(raw, 'html_url')) {
    raw.html_url =
      stored?.htmlUrl ??
      (d.repositoryHtmlUrl
        ? `${d.repositoryHtmlUrl}/security/${SECURITY_PATH[d.alertType]}/${d.number}`
        : undefined);
  }
  if (raw.created_at === undefined || raw.created_at === null) {
    if (!stored) {
      throw new UnknownAlertError(
        `${d.event} for ${d.repository} #${d.number} has no created_at and alert-ledger has not recorded this alert yet: the next snapshot records it`,
      );
    }
    raw.created_at = stored.createdAt;
  }
  const alert = normalizeAlert(d.alertType, { ...raw, repository: { full_name: d.repository } }, options);
  return dateEstimatedChange(keepWhatThePayloadOmits(alert, raw, stored), raw, stored, receivedAt, d);
}

/** Fields a webhook leaves out keep their stored value instead of falling back to a default. */
function keepWhatThePayloadOmits(
  alert: Alert,
  raw: Record<string, unknown>,
  stored: Alert | undefined,
): Alert {
  if (!stored) return alert;
  const next: Alert = { ...alert };
  if (alert.alertType === 'secret_scanning') {
    if (absent(raw, 'secret_type_display_name')) next.title = stored.title;
    if (absent(raw, 'push_protection_bypassed')) {
      delete next.pushProtectionBypassed;
      delete next.pushProtectionBypassedBy;
      delete next.pushProtectionBypassedAt;
      if (stored.pushProtectionBypassed !== undefined)
        next.pushProtectionBypassed = stored.pushProtectionBypassed;
      if (stored.pushProtectionBypassedBy !== undefined)
        next.pushProtectionBypassedBy = stored.pushProtectionBypassedBy;
      if (stored.pushProtectionBypassedAt !== undefined)
        next.pushProtectionBypassedAt = stored.pushProtectionBypassedAt;
    }
    if (absent(raw, 'publicly_leaked')) {
      if (stored.publiclyLeaked === undefined) delete next.publiclyLeaked;
      else next.publiclyLeaked = stored.publiclyLeaked;
    }
  }
  if (alert.alertType === 'code_scanning') {
    // Webhook rules carry `severity` but not `security_severity_level`, which the REST lists grade by.
    const rule = isObject(raw.rule) ? raw.rule : {};
    if (rule.security_severity_level === undefined) next.severity = stored.severity;
  }
  return next;
}

function dateEstimatedChange(
  alert: Alert,
  raw: Record<string, unknown>,
  stored: Alert | undefined,
  receivedAt: string,
  d: Pick<AlertDelivery, 'event' | 'action'>,
): Alert {
  if (!alert.updatedAtEstimated) return alert;
  const arrived = new Date(receivedAt).toISOString();
  const own = ownClosingAt(raw);
  // A state without a time of its own is news only when the delivery's action is that change:
  // GitHub sends the alert as it stood when the action happened, and an action that changes no
  // state (code scanning's `updated_assignment`, `appeared_in_branch`) may arrive late, as a
  // redelivery, after the alert was fixed. Taken as a reopen dated by its arrival, it would move
  // a fixed alert back to open, past any incremental listing (GitHub's updated_at did not move).
  if (stored && stored.state !== alert.state && own === undefined && !actionMakes(d, alert.state))
    return stored;
  if (stored && stored.state === alert.state) {
    // No change of state: nothing in the payload says it is newer than what is stored.
    // Keep the stored time (and whether it was estimated), so only real field changes are written.
    const { updatedAtEstimated: _estimated, ...rest } = alert;
    return {
      ...rest,
      updatedAt: stored.updatedAt,
      ...(stored.updatedAtEstimated ? { updatedAtEstimated: true } : {}),
      closedAt: alert.state === 'open' ? null : (stored.closedAt ?? alert.closedAt),
    };
  }
  if (alert.state === 'open') {
    // A reopen: code scanning sends no time for it, so the delivery's arrival stands in.
    return stored ? { ...alert, updatedAt: arrived } : alert;
  }
  const at = typeof own === 'string' ? new Date(own).toISOString() : arrived;
  return { ...alert, updatedAt: at, closedAt: at };
}

/**
 * The closing time an alert as a webhook sends it gives of its own (`fixed_at`, `dismissed_at`,
 * `auto_dismissed_at`, `resolved_at`; the latest when several are set); undefined when none.
 */
export function ownClosingAt(raw: Record<string, unknown>): string | undefined {
  let latest: { at: string; ms: number } | undefined;
  for (const v of [raw.fixed_at, raw.dismissed_at, raw.auto_dismissed_at, raw.resolved_at]) {
    const ms = typeof v === 'string' ? Date.parse(v) : Number.NaN;
    if (!Number.isNaN(ms) && (latest === undefined || ms > latest.ms)) latest = { at: v as string, ms };
  }
  return latest?.at;
}
