import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { sign } from '@octokit/webhooks-methods';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AlertType } from '../../functions/core/model.ts';
import { normalizeAlert } from '../../functions/core/normalize.ts';
import type { DynamoStore } from '../../functions/store/dynamo-store.ts';
import { silentLog } from '../../functions/use-cases/log.ts';
import {
  MAX_BODY_BYTES,
  receiveWebhook,
  type WebhookRequest,
} from '../../functions/use-cases/receive-webhook.ts';
import { createTestStore } from '../support/dynamo.ts';

const require = createRequire(import.meta.url);
const SECRET = 'webhook-test-secret';

interface ExampleIndex {
  name: string;
  examples: Record<string, unknown>[];
}

function examples(folder: string, event: string): Record<string, unknown>[] {
  const path = require.resolve(`@octokit/webhooks-examples/${folder}/index.json`);
  const index = JSON.parse(readFileSync(path, 'utf8')) as ExampleIndex[];
  return index.find((e) => e.name === event)?.examples ?? [];
}

let deliveries = 0;
async function signed(event: string, payload: unknown, secret = SECRET): Promise<WebhookRequest> {
  const body = JSON.stringify(payload);
  deliveries += 1;
  return {
    method: 'POST',
    headers: {
      'x-github-event': event,
      'x-github-delivery': `delivery-${deliveries}`,
      'x-hub-signature-256': await sign(secret, body),
    },
    body: Buffer.from(body),
  };
}

describe('webhook receiver against DynamoDB Local', () => {
  let store: DynamoStore;
  beforeAll(async () => {
    ({ store } = await createTestStore('webhook'));
  });
  const deps = () => ({ store, secrets: [SECRET], log: silentLog });

  it("computes GitHub's documented signature test vector", async () => {
    expect(await sign("It's a Secret to Everybody", 'Hello, World!')).toBe(
      'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    );
  });

  const cases: [string, string, AlertType][] = [
    ['api.github.com', 'dependabot_alert', 'dependabot'],
    ['api.github.com', 'code_scanning_alert', 'code_scanning'],
  ];
  for (const [folder, event, alertType] of cases) {
    it(`records every ${event} example of @octokit/webhooks-examples (${folder}) as the alert's state`, async () => {
      const list = examples(folder, event);
      expect(list.length).toBeGreaterThan(0);
      for (const payload of list) {
        const res = await receiveWebhook(deps(), await signed(event, payload));
        expect(res.status).toBe(200);
        const repo = (payload.repository as { full_name: string }).full_name;
        const expected = normalizeAlert(alertType, {
          ...(payload.alert as object),
          repository: payload.repository,
        });
        const stored = await store.getAlert(
          repo.split('/')[0] ?? '',
          `${alertType}#${repo}#${expected.number}`,
        );
        // A later example of the same alert may be newer; the stored state is never older.
        expect(stored).toBeDefined();
        expect(Date.parse(stored?.alert.updatedAt ?? '')).toBeGreaterThanOrEqual(
          Date.parse(expected.updatedAt),
        );
      }
    });
  }

  it('answers 400 naming the missing fields for the minimal GHES 3.5 secret_scanning_alert payload', async () => {
    // GHES 3.5 sent only number and secret_type: not enough to know the state or when it began.
    const [example] = examples('ghes-35', 'secret_scanning_alert');
    const res = await receiveWebhook(deps(), await signed('secret_scanning_alert', example));
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('secret_scanning alert #191 lacks fields the model needs');
  });

  it('turns a dismissal into one transition with the sender as actor, and dedupes a redelivery', async () => {
    const [created] = examples('api.github.com', 'dependabot_alert').filter((e) => e.action === 'created');
    expect(created).toBeDefined();
    const base = structuredClone(created) as Record<string, unknown> & { alert: Record<string, unknown> };
    base.repository = { ...(base.repository as object), full_name: 'dedupe-org/app' };
    base.alert = { ...base.alert, number: 901 };
    expect((await receiveWebhook(deps(), await signed('dependabot_alert', base))).status).toBe(200);

    const dismissed = structuredClone(base);
    dismissed.action = 'dismissed';
    dismissed.sender = { login: 'security-lead' };
    dismissed.alert = {
      ...dismissed.alert,
      state: 'dismissed',
      dismissed_at: '2030-01-02T03:04:05Z',
      updated_at: '2030-01-02T03:04:05Z',
      dismissed_reason: 'tolerable_risk',
      dismissed_comment: 'Internal only',
      dismissed_by: { login: 'security-lead' },
    };
    const request = await signed('dependabot_alert', dismissed);
    const first = await receiveWebhook(deps(), request);
    const again = await receiveWebhook(deps(), request);
    expect(first.body).toMatchObject({ ok: true, message: 'recorded', transitions: 1 });
    expect(again.body).toMatchObject({ ok: true, message: 'duplicate delivery', transitions: 0 });
    const transitions = (await store.listTransitions('dedupe-org')).filter((t) => t.number === 901);
    expect(transitions.map((t) => [t.from, t.to, t.actor, t.reason, t.comment, t.source])).toEqual([
      [null, 'open', null, null, null, 'webhook'],
      ['open', 'dismissed', 'security-lead', 'tolerable_risk', 'Internal only', 'webhook'],
    ]);
  });

  describe('bad input writes nothing', () => {
    const payload = { action: 'created', alert: {}, repository: { full_name: 'bad-org/x' } };
    it.each([
      ['GET', {}, 405],
      ['POST', { 'x-hub-signature-256': undefined }, 401],
      ['POST', { 'x-hub-signature-256': 'sha256=00' }, 401],
      ['POST', { 'x-github-event': undefined }, 400],
      ['POST', { 'x-github-delivery': undefined }, 400],
    ] as const)('%s with headers %j answers %i', async (method, headers, status) => {
      const req = await signed('dependabot_alert', payload);
      const res = await receiveWebhook(deps(), { ...req, method, headers: { ...req.headers, ...headers } });
      expect(res.status).toBe(status);
      expect(JSON.stringify(res.body)).not.toContain(SECRET);
    });

    it('rejects a body that is not JSON, or lacks the alert, with 400', async () => {
      const notJson = await signed('dependabot_alert', 'x');
      const raw = Buffer.from('{not json');
      const res = await receiveWebhook(deps(), {
        ...notJson,
        body: raw,
        headers: { ...notJson.headers, 'x-hub-signature-256': await sign(SECRET, raw.toString()) },
      });
      expect(res.status).toBe(400);
      const noAlert = await receiveWebhook(deps(), await signed('dependabot_alert', { action: 'created' }));
      expect(noAlert).toMatchObject({
        status: 400,
        body: { message: 'dependabot_alert payload lacks alert or repository' },
      });
      expect(await store.listTransitions('bad-org')).toEqual([]);
    });

    it('rejects an oversized body with 413 and ignores other events with 202', async () => {
      const big = await signed('dependabot_alert', { pad: 'x'.repeat(MAX_BODY_BYTES) });
      expect((await receiveWebhook(deps(), big)).status).toBe(413);
      const push = await receiveWebhook(deps(), await signed('push', { ref: 'refs/heads/main' }));
      expect(push.status).toBe(202);
    });
  });
});
