import { sign } from '@octokit/webhooks-methods';
import type { WebhookRequest } from '../../functions/use-cases/receive-webhook.ts';
import { webhookExamples } from './webhook-schemas.ts';

/** A delivery as GitHub sends it: `payload` as JSON, signed with `secret` over the exact bytes. */
export async function signedDelivery(
  secret: string,
  event: string,
  payload: unknown,
  options: { delivery: string; receivedAt?: string },
): Promise<WebhookRequest> {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return {
    method: 'POST',
    headers: {
      'x-github-event': event,
      'x-github-delivery': options.delivery,
      'x-hub-signature-256': await sign(secret, body),
    },
    body: Buffer.from(body),
    ...(options.receivedAt ? { receivedAt: options.receivedAt } : {}),
  };
}

/**
 * A `dependabot_alert` payload on GitHub's own `created` example: alert #1 of `<org>/app`, created
 * 2026-11-02T10:00:00Z, in `state` as of `at` (a dismissal by "lead", reason tolerable_risk).
 */
export function dependabotPayload(
  org: string,
  action: string,
  state: string,
  at: string,
): Record<string, unknown> {
  const [created] = webhookExamples('api.github.com', 'dependabot_alert').filter(
    (e) => e.action === 'created',
  );
  const p = structuredClone(created) as Record<string, unknown>;
  p.repository = { ...(p.repository as object), full_name: `${org}/app` };
  p.sender = { ...(p.sender as object), login: 'lead' };
  p.action = action;
  const dismissed = state === 'dismissed';
  p.alert = {
    ...(p.alert as object),
    number: 1,
    state,
    created_at: '2026-11-02T10:00:00Z',
    updated_at: at,
    dismissed_at: dismissed ? at : null,
    dismissed_by: dismissed ? { login: 'lead' } : null,
    dismissed_reason: dismissed ? 'tolerable_risk' : null,
    dismissed_comment: dismissed ? 'internal only' : null,
    fixed_at: null,
    auto_dismissed_at: null,
  };
  return p;
}

/**
 * A `code_scanning_alert` payload on GitHub's own `created` example, on the default branch
 * (`refs/heads/main`): `<org>/<repo>` alert `number`, created at `createdAt`, in `state`. Like
 * GitHub's, it carries no `updated_at` and no `fixed_at`: the receiver dates the change by arrival.
 */
export function codeScanningPayload(
  org: string,
  alert: { repo: string; number: number; createdAt: string },
  action: string,
  state: 'open' | 'fixed',
): Record<string, unknown> {
  const [created] = webhookExamples('api.github.com', 'code_scanning_alert').filter(
    (e) => e.action === 'created',
  );
  const p = structuredClone(created) as Record<string, unknown>;
  const { updated_at: _none, ...exampleAlert } = p.alert as Record<string, unknown>;
  p.action = action;
  p.ref = 'refs/heads/main';
  p.repository = {
    ...(p.repository as object),
    full_name: `${org}/${alert.repo}`,
    default_branch: 'main',
    homepage: null,
  };
  p.alert = {
    ...exampleAlert,
    number: alert.number,
    created_at: alert.createdAt,
    state,
    fixed_at: null,
    dismissed_at: null,
    dismissed_by: null,
    dismissed_reason: null,
  };
  return p;
}
