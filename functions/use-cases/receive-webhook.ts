import { verify } from '@octokit/webhooks-methods';
import { observeAlert } from '../core/diff.ts';
import { InvalidAlertError } from '../core/errors.ts';
import { type AlertType, alertKey } from '../core/model.ts';
import { normalizeAlert } from '../core/normalize.ts';
import type { DynamoStore } from '../store/dynamo-store.ts';
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
  body: { ok: boolean; message: string; delivery?: string; transitions?: number };
}

export interface WebhookDeps {
  store: DynamoStore;
  secrets: string[];
  log: Log;
  /** Deduplication window for X-GitHub-Delivery (GitHub allows redelivery for 3 days). */
  deliveryTtlSeconds?: number;
}

/** GitHub caps webhook payloads at 25 MB; alert payloads are a few kB. */
export const MAX_BODY_BYTES = 1024 * 1024;

const ALERT_EVENTS: Record<string, AlertType> = {
  dependabot_alert: 'dependabot',
  secret_scanning_alert: 'secret_scanning',
  code_scanning_alert: 'code_scanning',
};

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
  const signature = req.headers['x-hub-signature-256'];
  if (!signature) return reply(401, 'missing X-Hub-Signature-256: set a secret on the GitHub webhook');
  let payloadText: string;
  try {
    payloadText = new TextDecoder('utf-8', { fatal: true }).decode(req.body);
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
  const alertType = ALERT_EVENTS[event];
  if (event !== 'ping' && event !== 'secret_scanning_alert_location' && !alertType) {
    return reply(202, `event ${event} is not one alert-ledger records; ignored`, { delivery });
  }
  if (!alertType) {
    const first = await deps.store.recordDelivery({ id: delivery, event, ttlSeconds });
    return reply(200, first ? `${event} recorded` : 'duplicate delivery', { delivery, transitions: 0 });
  }

  const repository = payload.repository as { full_name?: unknown } | undefined;
  if (!payload.alert || typeof payload.alert !== 'object' || typeof repository?.full_name !== 'string') {
    return reply(400, `${event} payload lacks alert or repository`, { delivery });
  }
  const org = repository.full_name.split('/')[0] ?? '';
  let alert: ReturnType<typeof normalizeAlert>;
  try {
    alert = normalizeAlert(alertType, { ...(payload.alert as object), repository });
  } catch (error) {
    if (error instanceof InvalidAlertError) return reply(400, error.message, { delivery });
    throw error;
  }
  const sender = (payload.sender as { login?: unknown } | undefined)?.login;
  const actor = typeof sender === 'string' ? sender : null;

  for (let attempt = 0; attempt < 5; attempt++) {
    const stored = await deps.store.getAlert(org, alertKey(alert));
    const obs = observeAlert(stored?.alert, alert, 'webhook');
    if (!obs.write) {
      const first = await deps.store.recordDelivery({ id: delivery, event, ttlSeconds });
      deps.log.info('webhook delivery changed nothing', { ...ctx, stale: obs.stale });
      return reply(
        200,
        first ? (obs.stale ? 'older than stored state' : 'no change') : 'duplicate delivery',
        {
          delivery,
          transitions: 0,
        },
      );
    }
    const transitions = obs.transitions.map((t) => ({
      ...t,
      actor: t.actor ?? (t.from === null ? null : actor),
    }));
    try {
      await deps.store.writeAlert(org, obs.write, stored?.version ?? null, transitions, {
        id: delivery,
        event,
        ttlSeconds,
      });
      deps.log.info('webhook delivery recorded', {
        ...ctx,
        org,
        alert: alertKey(alert),
        transitions: transitions.length,
      });
      return reply(200, 'recorded', { delivery, transitions: transitions.length });
    } catch (error) {
      if (error instanceof DuplicateDeliveryError)
        return reply(200, 'duplicate delivery', { delivery, transitions: 0 });
      if (!(error instanceof ConcurrentUpdateError)) throw error;
    }
  }
  return reply(503, 'the alert kept changing; GitHub will redeliver', { delivery });
}
