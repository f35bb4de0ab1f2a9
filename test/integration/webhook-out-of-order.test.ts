/**
 * Webhooks can arrive out of order.
 * - A change GitHub made before the stored state but delivered after it changes nothing: when the
 *   alert went back to the stored state is unknown (GitHub's updated_at moves for assignments
 *   too), so placing it would date a change the ledger cannot know. It is dropped from the
 *   history, and a warning names it so that an operator knows which period may miss it.
 * - A change into the state stored (a reopen of an alert stored open) says the alert left that
 *   state meanwhile, unseen: nothing is written, so that the missed change, delivered late or
 *   listed by a snapshot, still finds the alert as it was, and this change comes after it.
 */
import { beforeAll, expect, it } from 'vitest';
import type { DynamoStore } from '../../functions/store/dynamo-store.ts';
import type { Log } from '../../functions/use-cases/log.ts';
import { receiveWebhook } from '../../functions/use-cases/receive-webhook.ts';
import { createTestStore } from '../support/dynamo.ts';
import { codeScanningPayload, dependabotPayload, signedDelivery } from '../support/webhooks.ts';

const ORG = 'late-org';
const SECRET = 's';
let store: DynamoStore;
const warnings: [string, Record<string, unknown> | undefined][] = [];
const log: Log = { info: () => {}, warn: (m, extra) => warnings.push([m, extra]), error: () => {} };
beforeAll(async () => {
  ({ store } = await createTestStore('webhook-late-order'));
});

let n = 0;
/** Delivers `p` with a delivery id of its own, or `id` (GitHub's redelivery keeps the id). */
async function deliver(p: unknown, receivedAt: string, id?: string, event = 'dependabot_alert') {
  n += 1;
  return await receiveWebhook(
    { store, secrets: [SECRET], log },
    await signedDelivery(SECRET, event, p, { delivery: id ?? `late-${n}`, receivedAt }),
  );
}
const payload = (action: string, state: string, at: string) => dependabotPayload(ORG, action, state, at);
/** Alert `number`'s transitions, as [from, to, at]. */
const historyOf = async (number: number) =>
  (await store.listTransitions(ORG)).filter((t) => t.number === number).map((t) => [t.from, t.to, t.at]);

it('holds back a change into the state stored until the missed change before it is in', async () => {
  const alert = `dependabot#${ORG}/app#2`;
  const one = (action: string, state: string, at: string) => ({
    ...payload(action, state, at),
    alert: { ...(payload(action, state, at).alert as object), number: 2 },
  });
  expect((await deliver(one('created', 'open', '2026-11-02T10:00:00Z'), '2026-11-02T10:00:01Z')).status).toBe(
    200,
  );
  warnings.length = 0;
  // Dismissed Sunday 23:59:50, reopened Monday 00:00:10; the reopen is delivered first.
  const reopen = one('reopened', 'open', '2026-11-16T00:00:10Z');
  const first = await deliver(reopen, '2026-11-16T00:00:12Z', 'reopen-2');
  expect(first.body.message).toBe('the change before it was missed: left to the next snapshot');
  expect((await store.getAlert(ORG, alert))?.alert.updatedAt).toBe('2026-11-02T10:00:00.000Z');
  expect(warnings).toEqual([
    [
      'webhook change into the state stored: the change before it was missed; the next snapshot records both',
      expect.objectContaining({ org: ORG, alert, state: 'open', storedAt: '2026-11-02T10:00:00.000Z' }),
    ],
  ]);
  // The dismissal comes late: it still finds the alert as it was, and is recorded at its time.
  const dismiss = await deliver(
    one('dismissed', 'dismissed', '2026-11-15T23:59:50Z'),
    '2026-11-16T00:00:13Z',
  );
  expect(dismiss.body.message).toBe('recorded');
  // Its redelivery, under the same id, then records it after the dismissal (a snapshot would too).
  const again = await deliver(reopen, '2026-11-16T00:01:12Z', 'reopen-2');
  expect(again.body.message).toBe('recorded');
  expect(await historyOf(2)).toEqual([
    [null, 'open', '2026-11-02T10:00:00.000Z'],
    ['open', 'dismissed', '2026-11-15T23:59:50.000Z'],
    ['dismissed', 'open', '2026-11-16T00:00:10.000Z'],
  ]);
  expect((await store.getAlert(ORG, alert))?.alert.state).toBe('open');
});

it('holds back a reopen of an alert not recorded yet: the closing it implies may still come', async () => {
  const one = (action: string, state: string, at: string) => ({
    ...payload(action, state, at),
    alert: { ...(payload(action, state, at).alert as object), number: 3 },
  });
  // Created 11-02, dismissed Sunday 23:59:50, reopened Monday 00:00:10: the creation's and the
  // dismissal's deliveries come late, after the reopen's.
  const reopen = await deliver(one('reopened', 'open', '2026-11-16T00:00:10Z'), '2026-11-16T00:00:12Z');
  expect(reopen.body.message).toBe('the change before it was missed: left to the next snapshot');
  expect(await store.getAlert(ORG, `dependabot#${ORG}/app#3`)).toBeUndefined();
  const dismiss = await deliver(
    one('dismissed', 'dismissed', '2026-11-15T23:59:50Z'),
    '2026-11-16T00:00:13Z',
  );
  expect(dismiss.body.message).toBe('recorded');
  expect(await historyOf(3)).toEqual([
    [null, 'open', '2026-11-02T10:00:00.000Z'],
    ['open', 'dismissed', '2026-11-15T23:59:50.000Z'],
  ]);
});

const CLOSED_AGAIN =
  'webhook closing of an alert stored closed, closed again later: the reopen between them was missed';

it('holds back a closing without updated_at that closed the alert again later, and says a reopen was missed', async () => {
  // Code scanning deliveries carry no updated_at, as GitHub's do; a fixing one carries fixed_at.
  const code = async (action: string, fixedAt: string | null, receivedAt: string, id?: string) => {
    const p = codeScanningPayload(
      ORG,
      { repo: 'web', number: 4, createdAt: '2026-11-02T10:00:00Z' },
      action,
      fixedAt === null ? 'open' : 'fixed',
    );
    p.alert = { ...(p.alert as object), fixed_at: fixedAt };
    return (await deliver(p, receivedAt, id, 'code_scanning_alert')).body.message;
  };
  const alert = `code_scanning#${ORG}/web#4`;
  const closedAt = async () => (await store.getAlert(ORG, alert))?.alert.closedAt;
  await code('created', null, '2026-11-02T10:00:01Z');
  expect(await code('fixed', '2026-11-09T10:00:00Z', '2026-11-09T10:00:01Z')).toBe('recorded');
  expect(await closedAt()).toBe('2026-11-09T10:00:00.000Z');
  warnings.length = 0;
  // Reopened Friday (that delivery lost), fixed again Sunday: nothing written, not even its id.
  const held = 'the change before it was missed: left to the next snapshot';
  expect(await code('fixed', '2026-11-15T09:00:00Z', '2026-11-15T09:00:02Z', 'fix-again')).toBe(held);
  expect(warnings).toEqual([
    [
      CLOSED_AGAIN,
      expect.objectContaining({
        alert,
        state: 'fixed',
        next: expect.stringMatching(/^redeliver the missed reopen/),
      }),
    ],
  ]);
  expect(await closedAt()).toBe('2026-11-09T10:00:00.000Z');
  // GitHub's redelivery (the same id) is taken afresh, not refused as a duplicate.
  expect(await code('fixed', '2026-11-15T09:00:00Z', '2026-11-15T10:00:00Z', 'fix-again')).toBe(held);
  // The first fixing delivered again (under a new id): it closed nothing later, no warning.
  warnings.length = 0;
  expect(await code('fixed', '2026-11-09T10:00:00Z', '2026-11-15T09:05:00Z')).toBe('no change');
  expect(warnings).toEqual([]);
});

it('says a reopen was missed when Dependabot auto-dismissed an alert stored auto-dismissed, later', async () => {
  const autoDismissed = (at: string) => {
    const p = payload('auto_dismissed', 'auto_dismissed', at);
    p.alert = { ...(p.alert as object), number: 5, dismissed_at: null, auto_dismissed_at: at };
    return p;
  };
  const created = payload('created', 'open', '2026-11-02T10:00:00Z');
  created.alert = { ...(created.alert as object), number: 5 };
  await deliver(created, '2026-11-02T10:00:01Z');
  expect((await deliver(autoDismissed('2026-11-09T10:00:00Z'), '2026-11-09T10:00:01Z')).body.message).toBe(
    'recorded',
  );
  warnings.length = 0;
  // Auto-reopened Friday (that delivery lost), auto-dismissed again Sunday.
  const again = await deliver(autoDismissed('2026-11-15T09:00:00Z'), '2026-11-15T09:00:02Z');
  expect(again.body.message).toBe('the change before it was missed: left to the next snapshot');
  expect(warnings).toEqual([[CLOSED_AGAIN, expect.objectContaining({ alert: `dependabot#${ORG}/app#5` })]]);
});

it('drops a change delivered after a later state, and says which period may miss it', async () => {
  warnings.length = 0;
  expect(
    (await deliver(payload('created', 'open', '2026-11-02T10:00:00Z'), '2026-11-02T10:00:01Z')).status,
  ).toBe(200);
  // Fixed Sunday 23:59:50, then reintroduced and dismissed Monday; the dismissal is delivered first.
  const dismiss = await deliver(
    payload('dismissed', 'dismissed', '2026-11-16T00:00:10Z'),
    '2026-11-16T00:00:12Z',
  );
  const fix = await deliver(payload('fixed', 'fixed', '2026-11-15T23:59:50Z'), '2026-11-16T00:00:13Z');
  expect([dismiss.body.message, fix.body.message]).toEqual(['recorded', 'older than stored state']);
  expect(await historyOf(1)).toEqual([
    [null, 'open', '2026-11-02T10:00:00.000Z'],
    ['open', 'dismissed', '2026-11-16T00:00:10.000Z'],
  ]);
  expect((await store.getAlert(ORG, `dependabot#${ORG}/app#1`))?.alert.state).toBe('dismissed');
  expect(warnings).toEqual([
    [
      'webhook change arrived after a later state of the alert: the history misses it',
      expect.objectContaining({
        org: ORG,
        alert: `dependabot#${ORG}/app#1`,
        action: 'fixed',
        state: 'fixed',
        at: '2026-11-15T23:59:50.000Z',
        storedState: 'dismissed',
        storedAt: '2026-11-16T00:00:10.000Z',
      }),
    ],
  ]);
  // A late delivery of the change already stored is no loss: no warning.
  await deliver(payload('dismissed', 'dismissed', '2026-11-16T00:00:05Z'), '2026-11-16T00:00:14Z');
  expect(warnings).toHaveLength(1);
});
