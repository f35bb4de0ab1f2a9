import { setTimeout as sleep } from 'node:timers/promises';
import { verify } from '@octokit/webhooks-methods';
import { observeAlert } from '../core/diff.ts';
import { InvalidAlertError, InvalidWebhookPayloadError, UnknownAlertError } from '../core/errors.ts';
import { type Alert, type AlertState, alertKey, type NotableKind, type Transition } from '../core/model.ts';
import { notableChanges } from '../core/notable.ts';
import type { ProvisionalChange } from '../core/provisional.ts';
import {
  type AlertDelivery,
  actionMakes,
  alertFromDelivery,
  DOCUMENTED_ACTIONS,
  isAlertWebhookEvent,
  offDefaultBranch,
  ownClosingAt,
  parseAlertDelivery,
} from '../core/webhook.ts';
import type { DynamoStore, StoredAlert } from '../store/dynamo-store.ts';
import { ConcurrentUpdateError, DuplicateDeliveryError } from '../store/errors.ts';
import type { Log } from './log.ts';

export interface WebhookRequest {
  method: string;
  /** Header names in lower case. */
  headers: Record<string, string | undefined>;
  /** The exact bytes GitHub signed. */
  body: Buffer;
  /**
   * When the delivery arrived (ISO-8601; the Function URL's `requestContext.timeEpoch`). Dates a
   * change whose payload carries no timestamp of its own (code scanning reopens). Default: now.
   */
  receivedAt?: string;
}

export interface WebhookResponse {
  status: number;
  body: {
    ok: boolean;
    message: string;
    delivery?: string;
    transitions?: number;
    /** Notable events this delivery recorded (push-protection bypass, critical created, ...). */
    notable?: NotableKind[];
  };
}

export interface WebhookDeps {
  store: DynamoStore;
  secrets: string[];
  log: Log;
  /** Deduplication window for X-GitHub-Delivery (GitHub allows redelivery for 3 days). */
  deliveryTtlSeconds?: number;
}

/** The wait before reading again an alert another writer held, times the attempt (with jitter). */
const CONFLICT_BACKOFF_MS = 20;

/** GitHub caps webhook payloads at 25 MB; alert payloads are a few kB. */
export const MAX_BODY_BYTES = 1024 * 1024;

const reply = (
  status: number,
  message: string,
  extra: Partial<WebhookResponse['body']> = {},
): WebhookResponse => ({
  status,
  body: { ok: status < 300, message, ...extra },
});

async function signatureMatches(secrets: string[], payload: string, signature: string): Promise<boolean> {
  for (const secret of secrets) {
    if (await verify(secret, payload, signature)) return true;
  }
  return false;
}

/**
 * The provisional changes to register with this write (core/provisional.ts), or undefined: a
 * change dated by the delivery's arrival starts them; any later write of the alert while they
 * stand adds to them, so the snapshot that settles them sees every change since the last state
 * it can trust.
 */
async function provisionalChange(
  store: DynamoStore,
  d: AlertDelivery,
  stored: StoredAlert | undefined,
  next: Alert,
  transitions: Transition[],
  receivedAt: string,
  delivery: string,
): Promise<ProvisionalChange | undefined> {
  const arrived = new Date(receivedAt).toISOString();
  const arrivalDated =
    next.updatedAtEstimated === true && transitions.some((t) => t.from !== null && t.at === arrived);
  // Read only for an alert marked as having provisional changes (settling removes the mark).
  const standing = stored?.provisional ? await store.getProvisional(d.org, alertKey(next)) : null;
  const pending = standing && standing.version === stored?.version ? standing : null;
  if (!arrivalDated && !pending) return undefined;
  return {
    org: d.org,
    key: alertKey(next),
    version: (stored?.version ?? 0) + 1,
    firstAt: pending?.firstAt ?? arrived,
    transitions: [...(pending?.transitions ?? []), ...transitions],
    previous: pending ? pending.previous : (stored?.alert ?? null),
    deliveries: [...(pending?.deliveries ?? []), delivery],
  };
}

/**
 * Verifies and records one GitHub webhook delivery. Alert events become a transition (source
 * `webhook`, actor `sender.login`) written atomically with the alert's state and the delivery id,
 * so a redelivery is recorded once. A store failure surfaces as 5xx so GitHub can redeliver.
 *
 * @example
 * const res = await receiveWebhook({ store, secrets: ['s3cret'], log }, { method: 'POST', headers, body });
 */
export async function receiveWebhook(deps: WebhookDeps, req: WebhookRequest): Promise<WebhookResponse> {
  if (req.method.toUpperCase() !== 'POST') return reply(405, 'only POST is accepted');
  if (req.body.length > MAX_BODY_BYTES) return reply(413, `body over ${MAX_BODY_BYTES} bytes`);
  if (req.body.length === 0) return reply(400, 'empty body: GitHub sends each event as a JSON body');
  const signature = req.headers['x-hub-signature-256'];
  if (!signature) return reply(401, 'missing X-Hub-Signature-256: set a secret on the GitHub webhook');
  let payloadText: string;
  try {
    // The signature covers the bytes as sent: a byte-order mark is kept, not dropped.
    payloadText = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(req.body);
  } catch {
    return reply(400, 'body is not UTF-8');
  }
  if (!(await signatureMatches(deps.secrets, payloadText, signature))) {
    deps.log.warn('webhook signature mismatch', { delivery: req.headers['x-github-delivery'] ?? null });
    return reply(401, 'signature does not match: check the webhook secret');
  }
  const event = req.headers['x-github-event'];
  const delivery = req.headers['x-github-delivery'];
  if (!event) return reply(400, 'missing X-GitHub-Event header');
  if (!delivery) return reply(400, 'missing X-GitHub-Delivery header');
  // Both become parts of stored keys: GitHub sends a GUID and a snake_case event name.
  if (!/^[A-Za-z0-9-]{1,100}$/.test(delivery)) {
    return reply(400, 'X-GitHub-Delivery is not a delivery id (letters, digits and dashes)');
  }
  if (!/^[a-z_]{1,64}$/.test(event)) return reply(400, 'X-GitHub-Event is not an event name');

  let payload: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(payloadText);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not an object');
    payload = parsed as Record<string, unknown>;
  } catch {
    return reply(400, 'body is not a JSON object');
  }

  const ctx = { delivery, event, action: payload.action ?? null };
  const ttlSeconds = deps.deliveryTtlSeconds ?? 7 * 24 * 3600;
  const record = { id: delivery, event, ttlSeconds };
  if (event === 'ping') {
    const first = await deps.store.recordDelivery(record);
    return reply(200, first ? 'ping recorded' : 'duplicate delivery', { delivery, transitions: 0 });
  }
  if (!isAlertWebhookEvent(event)) {
    return reply(202, `event ${event} is not one alert-ledger records; ignored`, { delivery });
  }

  let parsed: AlertDelivery;
  try {
    parsed = parseAlertDelivery(event, payload);
  } catch (error) {
    if (error instanceof InvalidWebhookPayloadError) return reply(400, error.message, { delivery });
    throw error;
  }
  const { org } = parsed;
  const key = alertKey(parsed);
  const offDefault = offDefaultBranch(parsed);
  if (offDefault !== null) {
    // Nothing written: the alert's recorded state is its state on the default branch.
    deps.log.info('webhook delivery about another branch; ignored', {
      ...ctx,
      org,
      alert: key,
      ref: parsed.ref,
    });
    return reply(
      202,
      `${offDefault}; alert-ledger records alerts as they stand on the default branch. Ignored`,
      {
        delivery,
      },
    );
  }
  const receivedAt = req.receivedAt ?? new Date().toISOString();
  if (typeof parsed.action === 'string' && !Object.hasOwn(DOCUMENTED_ACTIONS[event], parsed.action)) {
    deps.log.warn(
      'webhook action GitHub did not document; recorded by the alert state it carries when the payload dates it (a state without a time of its own waits for the next snapshot)',
      ctx,
    );
  }

  for (let attempt = 0; attempt < 5; attempt++) {
    const stored = await deps.store.getAlert(org, key);
    let next: Alert;
    try {
      next = alertFromDelivery(parsed, stored?.alert, receivedAt);
    } catch (error) {
      // Nothing is written, so a redelivery after the next snapshot is not taken for a duplicate.
      if (error instanceof UnknownAlertError) return reply(409, error.message, { delivery });
      if (error instanceof InvalidAlertError) return reply(400, error.message, { delivery });
      throw error;
    }
    const obs = observeAlert(stored?.alert, next, 'webhook');
    // GitHub changed the alert into the state the ledger holds (a reopen of an alert stored open,
    // or of one not recorded yet, whose closing the reopen implies). A change dated by GitHub after
    // the stored one means the alert left that state since, unseen (a delivery late or lost).
    // Nothing is written, not even the delivery's id: a snapshot listing the alert meanwhile, or
    // the late delivery, records the missed change at its own time (were this delivery's newer
    // time stored, both would be taken for stale and the change lost), and then this delivery's
    // redelivery, or the next snapshot, records this change after it.
    const intoHeld = stored
      ? obs.write !== null && obs.transitions.length === 0 && next.state === stored.alert.state
      : next.state === 'open';
    // A closing into the closed state stored, by its own closing time later than the stored one's
    // (with or without updated_at): the reopen between them was missed.
    const closedAgainLater =
      stored !== undefined &&
      next.state !== 'open' &&
      next.state === stored.alert.state &&
      stored.alert.closedAt !== null &&
      actionMakes(parsed, next.state) &&
      Date.parse(ownClosingAt(parsed.alert) ?? '') > Date.parse(stored.alert.closedAt);
    const details = {
      ...ctx,
      org,
      alert: key,
      state: next.state,
      storedAt: stored?.alert.updatedAt ?? null,
    };
    // A closing without updated_at keeps the stored times (it would write nothing): closed again
    // later, it is held back too, so that its redelivery after the missed reopen is not refused as
    // a duplicate.
    if ((intoHeld && actionMakes(parsed, next.state)) || closedAgainLater) {
      // A reopen shows it by GitHub's updated_at (without one, the delivery may be an old one).
      const missed =
        ((stored === undefined || next.state === 'open') && next.updatedAtEstimated !== true) ||
        closedAgainLater;
      if (missed) warnMissed(deps.log, details, next.state);
      else deps.log.info('webhook change into the state stored; left to the next snapshot', details);
      return reply(200, `${missed ? 'the change before it was missed: ' : ''}left to the next snapshot`, {
        delivery,
        transitions: 0,
        notable: [],
      });
    }
    if (!obs.write) {
      const first = await deps.store.recordDelivery(record);
      deps.log.info('webhook delivery changed nothing', { ...ctx, org, alert: key, stale: obs.stale });
      if (obs.stale && stored && next.state !== stored.alert.state && actionMakes(parsed, next.state)) {
        // A change GitHub made before the stored state, delivered after it (a redelivery, or two
        // deliveries out of order): when it went back is unknown, so it is not in the history.
        deps.log.warn('webhook change arrived after a later state of the alert: the history misses it', {
          ...ctx,
          org,
          alert: key,
          action: parsed.action,
          state: next.state,
          at: next.state === 'open' ? next.updatedAt : (next.closedAt ?? next.updatedAt),
          storedState: stored.alert.state,
          storedAt: stored.alert.updatedAt,
          next: "the period of 'at' may count this alert as it was before the change; GitHub's audit log and the alert's page have the whole sequence",
        });
      }
      const message = first ? (obs.stale ? 'older than stored state' : 'no change') : 'duplicate delivery';
      return reply(200, message, { delivery, transitions: 0, notable: [] });
    }
    const transitions = obs.transitions.map((t) => ({
      ...t,
      actor: t.actor ?? (t.from === null ? null : parsed.actor),
    }));
    let provisional: ProvisionalChange | undefined;
    try {
      provisional = await provisionalChange(
        deps.store,
        parsed,
        stored,
        obs.write,
        transitions,
        receivedAt,
        delivery,
      );
      await deps.store.writeAlert(org, obs.write, stored?.version ?? null, transitions, record, {
        ...(provisional ? { provisional } : {}),
      });
    } catch (error) {
      if (error instanceof DuplicateDeliveryError)
        return reply(200, 'duplicate delivery', { delivery, transitions: 0, notable: [] });
      if (error instanceof ConcurrentUpdateError) {
        // Another writer holds the alert for a moment (a snapshot's transaction): read it again
        // a little later.
        await sleep(CONFLICT_BACKOFF_MS * (attempt + 1) * (0.5 + Math.random()));
        continue;
      }
      throw error;
    }
    const notable = notableChanges(stored?.alert, obs.write, transitions);
    deps.log.info('webhook delivery recorded', {
      ...ctx,
      org,
      alert: key,
      transitions: transitions.length,
      ...(provisional ? { provisional: true } : {}),
    });
    for (const n of notable) {
      // WARN so that an operator's metric filter or alarm can pick notable events up in real time.
      deps.log.warn('notable alert event', {
        ...ctx,
        org,
        alert: key,
        kind: n.kind,
        at: n.at,
        actor: n.actor,
      });
    }
    return reply(200, 'recorded', {
      delivery,
      transitions: transitions.length,
      notable: notable.map((n) => n.kind),
    });
  }
  // GitHub does not redeliver a failed delivery by itself.
  return reply(
    503,
    "the alert kept changing while this delivery was written; redeliver it from the webhook's Recent Deliveries (or the REST API) once the snapshot has finished",
    { delivery },
  );
}

/** A change into the state stored that shows the change before it was missed. */
function warnMissed(log: Log, details: Record<string, unknown>, state: AlertState): void {
  log.warn(
    state === 'open'
      ? 'webhook change into the state stored: the change before it was missed; the next snapshot records both'
      : 'webhook closing of an alert stored closed, closed again later: the reopen between them was missed',
    {
      ...details,
      next:
        state === 'open'
          ? "nothing to do: the next snapshot lists the alert with GitHub's own times (or redeliver this delivery once the missed one is in)"
          : "redeliver the missed reopen from the webhook's Recent Deliveries, then this delivery (a snapshot sees the alert closed and cannot tell it was reopened between); a reopen GitHub sends without a time, as code scanning does, is dated by its arrival and cannot be placed: the alert's page and the audit log have it",
    },
  );
}
