/**
 * Webhooks can arrive out of order. A change GitHub made before the stored state but delivered
 * after it is placed in the history when nothing of the alert is recorded from its time on, so a
 * pair that straddles a period's end counts in both periods.
 */
import { sign } from '@octokit/webhooks-methods';
import { beforeAll, expect, it } from 'vitest';
import { lastPeriods, parsePeriodId } from '../../functions/core/periods.ts';
import { computeReport } from '../../functions/core/report.ts';
import { DEFAULT_SLA_POLICY } from '../../functions/core/report-model.ts';
import type { DynamoStore } from '../../functions/store/dynamo-store.ts';
import { loadReportInput } from '../../functions/use-cases/load-report-input.ts';
import { silentLog } from '../../functions/use-cases/log.ts';
import { receiveWebhook } from '../../functions/use-cases/receive-webhook.ts';
import { createTestStore } from '../support/dynamo.ts';
import { webhookExamples } from '../support/webhook-schemas.ts';

const ORG = 'pair-org';
const SECRET = 's';
let store: DynamoStore;
beforeAll(async () => {
  ({ store } = await createTestStore('webhook-late-pair'));
});

const [created] = webhookExamples('api.github.com', 'dependabot_alert').filter((e) => e.action === 'created');
function payload(action: string, state: string, at: string) {
  const p = structuredClone(created) as Record<string, unknown>;
  p.repository = { ...(p.repository as object), full_name: `${ORG}/app` };
  p.sender = { ...(p.sender as object), login: 'lead' };
  p.action = action;
  p.alert = {
    ...(p.alert as object),
    number: 1,
    state,
    created_at: '2026-11-02T10:00:00Z',
    updated_at: at,
    dismissed_at: state === 'dismissed' ? at : null,
    dismissed_by: state === 'dismissed' ? { login: 'lead' } : null,
    dismissed_reason: state === 'dismissed' ? 'tolerable_risk' : null,
    fixed_at: null,
    auto_dismissed_at: null,
  };
  return p;
}
let n = 0;
async function deliver(p: unknown, receivedAt: string) {
  const body = JSON.stringify(p);
  n += 1;
  return receiveWebhook(
    { store, secrets: [SECRET], log: silentLog },
    {
      method: 'POST',
      headers: {
        'x-github-event': 'dependabot_alert',
        'x-github-delivery': `pair-${n}`,
        'x-hub-signature-256': await sign(SECRET, body),
      },
      body: Buffer.from(body),
      receivedAt,
    },
  );
}
async function summary(id: string) {
  const period = parsePeriodId(id);
  const { input } = await loadReportInput(store, ORG, period, lastPeriods(period, 2), {
    now: Date.parse('2026-11-24T07:00:00Z'),
  });
  const r = computeReport({
    ...input,
    generatedAt: '2026-11-24T07:00:00.000Z',
    slaPolicy: DEFAULT_SLA_POLICY,
  });
  const { openAtEnd, dismissed, reopened, mttrDays } = r.summary.total;
  return { openAtEnd, dismissed, reopened, mttrDays };
}

it('a dismissal just before a week ends and a reopen just after, delivered in reverse order, still count', async () => {
  expect(
    (await deliver(payload('created', 'open', '2026-11-02T10:00:00Z'), '2026-11-02T10:00:01Z')).status,
  ).toBe(200);
  // Dismissed Sunday 23:59:50 (end of 2026-W46), reopened Monday 00:00:10 (2026-W47); GitHub
  // delivers the reopen first. No snapshot listed the alert between the two.
  const reopen = await deliver(payload('reopened', 'open', '2026-11-16T00:00:10Z'), '2026-11-16T00:00:12Z');
  const dismiss = await deliver(
    payload('dismissed', 'dismissed', '2026-11-15T23:59:50Z'),
    '2026-11-16T00:00:13Z',
  );
  expect([reopen.body.message, dismiss.body.message]).toEqual([
    'recorded',
    'recorded in the history before the stored state (delivered late)',
  ]);
  expect({ w46: await summary('2026-W46'), w47: await summary('2026-W47') }).toEqual({
    // GitHub's history: dismissed at W46's end after 13.58 days, reopened in W47.
    w46: { openAtEnd: 0, dismissed: 1, reopened: 0, mttrDays: 13.58 },
    w47: { openAtEnd: 1, dismissed: 0, reopened: 1, mttrDays: null },
  });
  const history = async () =>
    (await store.listTransitions(ORG)).map((t) => [t.from, t.to, t.at, t.actor, t.reason, t.source]);
  const placed = [
    [null, 'open', '2026-11-02T10:00:00.000Z', null, null, 'webhook'],
    ['open', 'dismissed', '2026-11-15T23:59:50.000Z', 'lead', 'tolerable_risk', 'webhook'],
    // Back to the stored state by its own time; who reopened, the late delivery cannot say.
    ['dismissed', 'open', '2026-11-16T00:00:10.000Z', null, null, 'webhook'],
  ];
  expect(await history()).toEqual(placed);
  expect((await store.getAlert(ORG, `dependabot#${ORG}/app#1`))?.alert.state).toBe('open');

  // The same dismissal again (a second hook, another delivery id): it is in the history now.
  const again = await deliver(
    payload('dismissed', 'dismissed', '2026-11-15T23:59:50Z'),
    '2026-11-16T00:00:14Z',
  );
  expect(again.body.message).toBe('older than stored state');
  // An older change whose place would need recorded transitions rewritten is dropped, as before.
  const older = await deliver(
    payload('dismissed', 'dismissed', '2026-11-10T08:00:00Z'),
    '2026-11-16T00:00:15Z',
  );
  expect(older.body.message).toBe('older than stored state');
  expect(await history()).toEqual(placed);
});
