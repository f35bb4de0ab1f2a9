/**
 * Webhooks can arrive out of order. A change GitHub made before the stored state but delivered
 * after it changes nothing: when the alert went back to the stored state is unknown (GitHub's
 * updated_at moves for assignments too), so placing it would date a change the ledger cannot
 * know. It is dropped from the history, and a warning names it so that an operator knows which
 * period may miss it.
 */
import { beforeAll, expect, it } from 'vitest';
import type { DynamoStore } from '../../functions/store/dynamo-store.ts';
import type { Log } from '../../functions/use-cases/log.ts';
import { receiveWebhook } from '../../functions/use-cases/receive-webhook.ts';
import { createTestStore } from '../support/dynamo.ts';
import { dependabotPayload, signedDelivery } from '../support/webhooks.ts';

const ORG = 'late-org';
const SECRET = 's';
let store: DynamoStore;
const warnings: [string, Record<string, unknown> | undefined][] = [];
const log: Log = { info: () => {}, warn: (m, extra) => warnings.push([m, extra]), error: () => {} };
beforeAll(async () => {
  ({ store } = await createTestStore('webhook-late-order'));
});

let n = 0;
async function deliver(p: unknown, receivedAt: string) {
  n += 1;
  return await receiveWebhook(
    { store, secrets: [SECRET], log },
    await signedDelivery(SECRET, 'dependabot_alert', p, { delivery: `late-${n}`, receivedAt }),
  );
}
const payload = (action: string, state: string, at: string) => dependabotPayload(ORG, action, state, at);

it('drops a change delivered after a later state, and says which period may miss it', async () => {
  expect(
    (await deliver(payload('created', 'open', '2026-11-02T10:00:00Z'), '2026-11-02T10:00:01Z')).status,
  ).toBe(200);
  // Dismissed Sunday 23:59:50, reopened Monday 00:00:10; the reopen is delivered first.
  const reopen = await deliver(payload('reopened', 'open', '2026-11-16T00:00:10Z'), '2026-11-16T00:00:12Z');
  const dismiss = await deliver(
    payload('dismissed', 'dismissed', '2026-11-15T23:59:50Z'),
    '2026-11-16T00:00:13Z',
  );
  expect([reopen.body.message, dismiss.body.message]).toEqual(['recorded', 'older than stored state']);
  const history = (await store.listTransitions(ORG)).map((t) => [t.from, t.to, t.at]);
  expect(history).toEqual([[null, 'open', '2026-11-02T10:00:00.000Z']]);
  expect((await store.getAlert(ORG, `dependabot#${ORG}/app#1`))?.alert.state).toBe('open');
  expect(warnings).toEqual([
    [
      'webhook change arrived after a later state of the alert: the history misses it',
      expect.objectContaining({
        org: ORG,
        alert: `dependabot#${ORG}/app#1`,
        action: 'dismissed',
        state: 'dismissed',
        at: '2026-11-15T23:59:50.000Z',
        storedState: 'open',
        storedAt: '2026-11-16T00:00:10.000Z',
      }),
    ],
  ]);
  // A late delivery of the state already stored is no loss: no warning.
  await deliver(payload('reopened', 'open', '2026-11-16T00:00:05Z'), '2026-11-16T00:00:14Z');
  expect(warnings).toHaveLength(1);
});
