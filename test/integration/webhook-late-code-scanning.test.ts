/**
 * A code scanning delivery carries no `updated_at`. One whose action changes no state
 * (`updated_assignment`), delivered late (a redelivery) with the alert as it was before it was
 * fixed, must not reopen it: the incremental snapshots would not put it right (GitHub's
 * `updated_at` did not move), and the next full run would date the closing by the false reopen.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { lastPeriods, parsePeriodId } from '../../functions/core/periods.ts';
import { computeReport } from '../../functions/core/report.ts';
import { DEFAULT_SLA_POLICY } from '../../functions/core/report-model.ts';
import { createGitHubClient } from '../../functions/github/client.ts';
import type { DynamoStore } from '../../functions/store/dynamo-store.ts';
import { loadReportInput } from '../../functions/use-cases/load-report-input.ts';
import { silentLog } from '../../functions/use-cases/log.ts';
import { receiveWebhook } from '../../functions/use-cases/receive-webhook.ts';
import { type SnapshotDeps, takeSnapshot } from '../../functions/use-cases/take-snapshot.ts';
import { generateDemoOrg } from '../../infra/local/github/demo-org.ts';
import { type SimulatedGitHub, startSimulatedGitHub } from '../../infra/local/github/server.ts';
import { createTestStore } from '../support/dynamo.ts';
import { webhookExamples, webhookSchemaErrors } from '../support/webhook-schemas.ts';
import { signedDelivery } from '../support/webhooks.ts';

const ORG = 'octo-demo';
const TOKEN = 'late-token';
const SECRET = 'late-secret';
const END = '2026-11-16T00:00:00.000Z';
const W46 = parsePeriodId('2026-W46');

let github: SimulatedGitHub;
let store: DynamoStore;
let deps: SnapshotDeps;
/** W46 as the ledger gave it before the redelivery: what GitHub's history says. */
let truth: Awaited<ReturnType<typeof w46CodeScanning>>;
beforeAll(async () => {
  const demo = generateDemoOrg({ org: ORG, seed: 11, weeks: 4, endsAt: END });
  github = await startSimulatedGitHub({ demo, token: TOKEN });
  const gh = createGitHubClient({ token: TOKEN, baseUrl: github.url, retryAfterBaseValue: 10 });
  ({ store } = await createTestStore('webhook-late'));
  deps = { gh, store, log: silentLog };
});
afterAll(async () => {
  await github.close();
});

async function w46CodeScanning() {
  const { input } = await loadReportInput(store, ORG, W46, lastPeriods(W46, 12), {
    now: Date.parse('2026-11-16T07:00:00Z'),
  });
  const r = computeReport({
    ...input,
    generatedAt: '2026-11-16T07:00:00.000Z',
    slaPolicy: DEFAULT_SLA_POLICY,
  });
  const mine = (x: { repository: string; number: number; alertType?: string }) =>
    x.repository === `${ORG}/mobile-bff` && x.number === 3;
  return {
    summary: r.summary.code_scanning,
    sla: r.slaCompliance,
    breach: r.slaBreaches.some((b) => mine(b) && b.alertType === 'code_scanning'),
    reopenedNotable: r.notableEvents.some(
      (n) => mine(n) && n.alertType === 'code_scanning' && n.kind === 'reopened',
    ),
  };
}

it('a redelivered code scanning `updated_assignment` never reopens an alert GitHub lists as fixed', async () => {
  // mobile-bff code scanning #3 (critical): created 2026-10-28T15:26:58Z, fixed 2026-11-13T11:08:30Z
  // in the demo. The Sunday full run (23:00) records it fixed.
  github.setNow(new Date('2026-11-15T23:00:00Z'));
  await takeSnapshot(deps, { org: ORG, now: new Date('2026-11-15T23:00:00Z'), mode: 'full' });
  const key = `code_scanning#${ORG}/mobile-bff#3`;
  expect((await store.getAlert(ORG, key))?.alert).toMatchObject({
    state: 'fixed',
    closedAt: '2026-11-13T11:08:30.000Z',
  });
  truth = await w46CodeScanning();

  // On 2026-11-13 at 10:00, an hour before the fix, a person assigned the open alert; that
  // `updated_assignment` delivery got a 500 (a DynamoDB hiccup) and GitHub's redelivery of it
  // arrives now, at 23:30. GitHub's payload for this action has no updated_at (its schema has none)
  // and carries the alert as it was then: open.
  const [example] = webhookExamples('api.github.com', 'code_scanning_alert').filter(
    (e) => e.action === 'created',
  );
  if (!example) throw new Error('no example');
  const { updated_at: _none, ...exampleAlert } = example.alert as Record<string, unknown>;
  const payload = {
    ...example,
    action: 'updated_assignment',
    ref: '',
    repository: {
      ...(example.repository as object),
      full_name: `${ORG}/mobile-bff`,
      default_branch: 'main',
      homepage: null,
    },
    alert: {
      ...exampleAlert,
      number: 3,
      created_at: '2026-10-28T15:26:58Z',
      state: 'open',
      fixed_at: null,
      dismissed_at: null,
      dismissed_by: null,
      dismissed_reason: null,
      assignees: [{ ...(example.sender as object), login: 'lead' }],
    },
  };
  expect(webhookSchemaErrors('code-scanning-alert-updated-assignment', payload)).toEqual([]);
  const res = await receiveWebhook(
    { store, secrets: [SECRET], log: silentLog },
    await signedDelivery(SECRET, 'code_scanning_alert', payload, {
      delivery: 'redelivered-assignment-1',
      receivedAt: '2026-11-15T23:30:00.000Z',
    }),
  );
  expect(res.status).toBe(200);

  // The hourly incremental snapshot at 00:00 does not list the alert (GitHub's updated_at is
  // 2026-11-13, behind the watermark), so nothing overrules the webhook before Monday's report.
  github.setNow(new Date(END));
  await takeSnapshot(deps, { org: ORG, now: new Date(END), mode: 'incremental' });

  const stored = (await store.getAlert(ORG, key))?.alert;
  const after = await w46CodeScanning();
  expect({ state: stored?.state, w46: after }).toEqual({ state: 'fixed', w46: truth });
});

it('leaves the next full run nothing to put right: the fix keeps its own date, and W46 its MTTR', async () => {
  // The next scheduled full run (Sunday 2026-11-22 23:00): GitHub still lists #3 fixed at 11-13.
  github.setNow(new Date(END));
  await takeSnapshot(deps, { org: ORG, now: new Date('2026-11-22T23:00:00Z'), mode: 'full' });
  const transitions = (await store.listTransitions(ORG, { from: '2026-11-13T00:00:00Z' }))
    .filter((t) => t.alertType === 'code_scanning' && t.repository === `${ORG}/mobile-bff` && t.number === 3)
    .map((t) => [t.from, t.to, t.at, t.source]);
  const after = await w46CodeScanning();
  expect({ transitions, w46: after }).toEqual({
    transitions: [['open', 'fixed', '2026-11-13T11:08:30.000Z', 'snapshot']],
    w46: truth,
  });
});
