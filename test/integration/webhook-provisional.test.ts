/**
 * Code scanning deliveries carry no time of their own (no `updated_at`, and `fixed` no `fixed_at`):
 * the receiver dates them by arrival and registers them as provisional, and the next snapshot
 * settles them against the alert GitHub reports. These are the cases a late delivery (a manual
 * redelivery of one that failed) made wrong before: a fix GitHub has undone since closed the
 * alert again, and a fix delivered hours late was dated by the delivery.
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { lastPeriods, parsePeriodId } from '../../functions/core/periods.ts';
import { computeReport } from '../../functions/core/report.ts';
import { DEFAULT_SLA_POLICY } from '../../functions/core/report-model.ts';
import { createGitHubClient } from '../../functions/github/client.ts';
import type { DynamoStore } from '../../functions/store/dynamo-store.ts';
import { loadReportInput } from '../../functions/use-cases/load-report-input.ts';
import { type Log, silentLog } from '../../functions/use-cases/log.ts';
import { receiveWebhook } from '../../functions/use-cases/receive-webhook.ts';
import {
  type SnapshotDeps,
  takeEnterpriseSnapshot,
  takeSnapshot,
} from '../../functions/use-cases/take-snapshot.ts';
import { generateDemoOrg } from '../../infra/local/github/demo-org.ts';
import {
  badGatewayFault,
  type SimulatedGitHub,
  startSimulatedGitHub,
} from '../../infra/local/github/server.ts';
import { createTestStore } from '../support/dynamo.ts';
import { webhookSchemaErrors } from '../support/webhook-schemas.ts';
import { codeScanningPayload, signedDelivery } from '../support/webhooks.ts';

const ORG = 'octo-demo';
const TOKEN = 'provisional-token';
const SECRET = 'provisional-secret';
const END = '2026-11-16T00:00:00.000Z';
const W46 = parsePeriodId('2026-W46');

let github: SimulatedGitHub;
beforeAll(async () => {
  const demo = generateDemoOrg({ org: ORG, seed: 11, weeks: 4, endsAt: END });
  github = await startSimulatedGitHub({ demo, token: TOKEN });
});
afterAll(async () => {
  await github.close();
});

/** A log that keeps its warnings. */
function recordingLog(): Log & { warnings: { message: string; extra: Record<string, unknown> }[] } {
  const warnings: { message: string; extra: Record<string, unknown> }[] = [];
  return { ...silentLog, warn: (message, extra = {}) => warnings.push({ message, extra }), warnings };
}

async function setUp(name: string) {
  const { store } = await createTestStore(name);
  const gh = createGitHubClient({ token: TOKEN, baseUrl: github.url, retryAfterBaseValue: 10 });
  const log = recordingLog();
  const deps: SnapshotDeps = { gh, store, log };
  return { store, deps, log };
}

async function snapshot(deps: SnapshotDeps, at: string, mode: 'full' | 'incremental') {
  github.setNow(new Date(at));
  return await takeSnapshot(deps, { org: ORG, now: new Date(at), mode });
}

async function deliver(
  store: DynamoStore,
  alert: { repo: string; number: number; createdAt: string },
  action: 'fixed' | 'reopened',
  delivery: string,
  receivedAt: string,
) {
  const payload = codeScanningPayload(ORG, alert, action, action === 'fixed' ? 'fixed' : 'open');
  expect(webhookSchemaErrors(`code-scanning-alert-${action}`, payload)).toEqual([]);
  const res = await receiveWebhook(
    { store, secrets: [SECRET], log: silentLog },
    await signedDelivery(SECRET, 'code_scanning_alert', payload, { delivery, receivedAt }),
  );
  expect(res).toMatchObject({ status: 200, body: { message: 'recorded' } });
}

async function w46CodeScanning(store: DynamoStore) {
  const { input } = await loadReportInput(store, ORG, W46, lastPeriods(W46, 12), {
    now: Date.parse('2026-11-16T07:00:00Z'),
  });
  const r = computeReport({
    ...input,
    generatedAt: '2026-11-16T07:00:00.000Z',
    slaPolicy: DEFAULT_SLA_POLICY,
  });
  return { summary: r.summary.code_scanning, sla: r.slaCompliance, breaches: r.slaBreaches.length };
}

const historyOf = async (store: DynamoStore, repo: string, number: number) =>
  (await store.listTransitions(ORG))
    .filter(
      (t) => t.alertType === 'code_scanning' && t.repository === `${ORG}/${repo}` && t.number === number,
    )
    .map((t) => [t.from, t.to, t.at, t.source]);

// notification-service code scanning #3 (high): created 2026-05-01, fixed 2026-07-03T08:26:45Z,
// reopened 2026-07-10T10:14:20Z, open since.
const REOPENED = { repo: 'notification-service', number: 3, createdAt: '2026-05-01T10:07:10Z' };
// mobile-bff code scanning #3 (critical): created 2026-10-28T15:26:58Z, fixed 2026-11-13T11:08:30Z.
const FIXED = { repo: 'mobile-bff', number: 3, createdAt: '2026-10-28T15:26:58Z' };

it('a redelivered fix GitHub has undone since, and the redelivered reopen after it, leave no trace once the next snapshot settles them', async () => {
  const { store, deps, log } = await setUp('provisional-undone');
  await snapshot(deps, '2026-11-15T23:00:00Z', 'full');
  const truth = await w46CodeScanning(store);
  const before = await historyOf(store, REOPENED.repo, REOPENED.number);

  // July's `fixed` and `reopened`, whose first deliveries failed, redelivered from Recent
  // Deliveries on Sunday night, in order.
  await deliver(store, REOPENED, 'fixed', 'redelivered-fix', '2026-11-15T23:30:00.000Z');
  const closed = await w46CodeScanning(store);
  // Until a snapshot settles it, the alert reads as fixed in W46: what the ledger did before.
  expect(closed.summary.fixed).toBe(truth.summary.fixed + 1);
  expect(closed.summary.openAtEnd).toBe(truth.summary.openAtEnd - 1);
  await deliver(store, REOPENED, 'reopened', 'redelivered-reopen', '2026-11-15T23:40:00.000Z');
  expect(
    (await store.listProvisional(ORG)).map((p) => [p.key, p.transitions.length, p.previous?.state]),
  ).toEqual([[`code_scanning#${ORG}/${REOPENED.repo}#${REOPENED.number}`, 2, 'open']]);

  // The hourly incremental snapshot does not list the alert (GitHub's updated_at is July's), but
  // asks GitHub for it: open since 2026-07-10, so neither delivery changed anything since.
  const manifest = await snapshot(deps, END, 'incremental');
  expect(manifest.complete).toBe(true);
  expect(await historyOf(store, REOPENED.repo, REOPENED.number)).toEqual(before);
  expect(
    (await store.getAlert(ORG, `code_scanning#${ORG}/${REOPENED.repo}#${REOPENED.number}`))?.alert,
  ).toMatchObject({
    state: 'open',
    updatedAt: '2026-07-10T10:14:20.000Z',
  });
  expect(await w46CodeScanning(store)).toEqual(truth);
  expect(await store.listProvisional(ORG)).toEqual([]);
  expect(log.warnings.filter((w) => w.message === 'webhook change corrected from GitHub')).toMatchObject([
    {
      extra: {
        settlement: 'rederived',
        removed: ['open→fixed at 2026-11-15T23:30:00.000Z', 'fixed→open at 2026-11-15T23:40:00.000Z'],
        added: [],
      },
    },
  ]);
});

it('a fix delivered hours late is dated by GitHub once the next snapshot settles it; so is a fresh one', async () => {
  const { store, deps } = await setUp('provisional-late');
  await snapshot(deps, '2026-11-13T11:00:00Z', 'full');
  expect(await historyOf(store, FIXED.repo, FIXED.number)).toEqual([
    [null, 'open', '2026-10-28T15:26:58.000Z', 'snapshot'],
  ]);
  // The fix at 11:08:30; its delivery failed and was redelivered at 13:30, before the next snapshot.
  await deliver(store, FIXED, 'fixed', 'late-fix', '2026-11-13T13:30:00.000Z');
  expect((await historyOf(store, FIXED.repo, FIXED.number))[1]).toEqual([
    'open',
    'fixed',
    '2026-11-13T13:30:00.000Z',
    'webhook',
  ]);
  await snapshot(deps, '2026-11-13T14:00:00Z', 'incremental');
  expect(await historyOf(store, FIXED.repo, FIXED.number)).toEqual([
    [null, 'open', '2026-10-28T15:26:58.000Z', 'snapshot'],
    ['open', 'fixed', '2026-11-13T11:08:30.000Z', 'webhook'],
  ]);
  expect(
    (await store.getAlert(ORG, `code_scanning#${ORG}/${FIXED.repo}#${FIXED.number}`))?.alert,
  ).toMatchObject({
    state: 'fixed',
    closedAt: '2026-11-13T11:08:30.000Z',
  });
  expect(await store.listProvisional(ORG)).toEqual([]);

  // A delivery two seconds after the fix: within the margin, kept as delivered.
  const fresh = await setUp('provisional-fresh');
  await snapshot(fresh.deps, '2026-11-13T11:00:00Z', 'full');
  await deliver(fresh.store, FIXED, 'fixed', 'fresh-fix', '2026-11-13T11:08:32.000Z');
  await snapshot(fresh.deps, '2026-11-13T12:00:00Z', 'incremental');
  expect(await historyOf(fresh.store, FIXED.repo, FIXED.number)).toEqual([
    [null, 'open', '2026-10-28T15:26:58.000Z', 'snapshot'],
    ['open', 'fixed', '2026-11-13T11:08:30.000Z', 'webhook'],
  ]);
  expect(await fresh.store.listProvisional(ORG)).toEqual([]);
  expect(fresh.log.warnings.filter((w) => w.message === 'webhook change corrected from GitHub')).toEqual([]);
});

it('a provisional change GitHub cannot be asked about stays as delivered, for the next snapshot', async () => {
  const { store, deps, log } = await setUp('provisional-fault');
  await snapshot(deps, '2026-11-15T23:00:00Z', 'full');
  await deliver(store, REOPENED, 'fixed', 'redelivered-fix-2', '2026-11-15T23:30:00.000Z');
  const path = `/repos/${ORG}/${REOPENED.repo}/code-scanning/alerts/${REOPENED.number}`;
  github.injectFault(badGatewayFault(path, Number.POSITIVE_INFINITY));
  try {
    const manifest = await snapshot(deps, END, 'incremental');
    // Not complete: the alert stands as the redelivery left it, unchecked.
    expect(manifest.complete).toBe(false);
  } finally {
    github.clearFaults();
  }
  expect(log.warnings.map((w) => w.message)).toContain(
    'provisional webhook change left for the listing or the next snapshot',
  );
  expect(await store.listProvisional(ORG)).toHaveLength(1);
  await snapshot(deps, '2026-11-16T01:00:00Z', 'incremental');
  expect(await store.listProvisional(ORG)).toEqual([]);
  expect(
    (await store.getAlert(ORG, `code_scanning#${ORG}/${REOPENED.repo}#${REOPENED.number}`))?.alert.state,
  ).toBe('open');
});

it('a late delivery after a fresh one is retracted alone: GitHub has not moved since the fresh one', async () => {
  const { store, deps } = await setUp('provisional-chain');
  await snapshot(deps, '2026-11-13T11:00:00Z', 'full');
  await deliver(store, FIXED, 'fixed', 'fresh-fix-2', '2026-11-13T11:08:32.000Z');
  // An old `reopened`, whose first delivery failed, redelivered at 11:40.
  await deliver(store, FIXED, 'reopened', 'late-reopen', '2026-11-13T11:40:00.000Z');
  await snapshot(deps, '2026-11-13T12:00:00Z', 'incremental');
  expect(await historyOf(store, FIXED.repo, FIXED.number)).toEqual([
    [null, 'open', '2026-10-28T15:26:58.000Z', 'snapshot'],
    ['open', 'fixed', '2026-11-13T11:08:30.000Z', 'webhook'],
  ]);
  expect(
    (await store.getAlert(ORG, `code_scanning#${ORG}/${FIXED.repo}#${FIXED.number}`))?.alert,
  ).toMatchObject({
    state: 'fixed',
    closedAt: '2026-11-13T11:08:30.000Z',
  });
});

it('a full run whose GET for a provisional alert fails settles it with what it lists', async () => {
  const { store, deps } = await setUp('provisional-full-5xx');
  await snapshot(deps, '2026-11-15T23:00:00Z', 'full');
  const before = await historyOf(store, REOPENED.repo, REOPENED.number);
  await deliver(store, REOPENED, 'fixed', 'redelivered-fix-3', '2026-11-15T23:30:00.000Z');
  const path = `/repos/${ORG}/${REOPENED.repo}/code-scanning/alerts/${REOPENED.number}`;
  github.injectFault(badGatewayFault(path, Number.POSITIVE_INFINITY));
  try {
    expect((await snapshot(deps, END, 'full')).complete).toBe(true);
  } finally {
    github.clearFaults();
  }
  // As when GitHub answers: no trace of the redelivered fix, and nothing left to settle.
  expect(await historyOf(store, REOPENED.repo, REOPENED.number)).toEqual(before);
  expect(await store.listProvisional(ORG)).toEqual([]);
});

it('GitHub failing on every alert GET does not hold the snapshot up: one retry, then the listing', async () => {
  const { store } = await createTestStore('provisional-holdup');
  // The client's own retries (three, 1 s × n² apart), as deployed.
  const deps: SnapshotDeps = {
    gh: createGitHubClient({ token: TOKEN, baseUrl: github.url }),
    store,
    log: silentLog,
  };
  await snapshot(deps, '2026-11-15T23:00:00Z', 'full');
  const open = [...(await store.loadAlerts(ORG)).values()]
    .map((s) => s.alert)
    .filter((a) => a.alertType === 'code_scanning' && a.state === 'open')
    .slice(0, 8);
  expect(open).toHaveLength(8);
  for (const [i, a] of open.entries()) {
    const repo = a.repository.split('/')[1] as string;
    await deliver(
      store,
      { repo, number: a.number, createdAt: a.createdAt },
      'fixed',
      `fix-${i}`,
      '2026-11-15T23:30:00.000Z',
    );
  }
  github.injectFault(badGatewayFault(/\/code-scanning\/alerts\/\d+/, Number.POSITIVE_INFINITY));
  const alertGets = () =>
    Object.entries(github.stats.byPath).filter(([path]) => /\/code-scanning\/alerts\/\d+$/.test(path));
  const before = new Map(alertGets());
  try {
    github.setNow(new Date(END));
    const manifest = await takeSnapshot(deps, {
      org: ORG,
      now: new Date(END),
      mode: 'incremental',
      deadline: Date.now() + 40_000,
    });
    // Listed to the end, but not complete: eight alerts stand unchecked as the webhook left them.
    expect(manifest.complete).toBe(false);
    expect(manifest.streams.every((s) => s.status === 'finished')).toBe(true);
  } finally {
    github.clearFaults();
  }
  // Each alert asked before GitHub's failure stopped the settling (at most one per worker) was
  // asked twice (one retry); the other provisional changes wait for the next snapshot.
  const asked = alertGets()
    .map(([path, n]) => n - (before.get(path) ?? 0))
    .filter((n) => n > 0);
  expect(asked.every((n) => n === 2)).toBe(true);
  expect(asked.length).toBeGreaterThanOrEqual(1);
  expect(asked.length).toBeLessThanOrEqual(4);
  expect(await store.listProvisional(ORG)).toHaveLength(8);
});

it('a webhook reads provisional changes only for an alert marked as having them', async () => {
  const { store, deps } = await setUp('provisional-read');
  await snapshot(deps, '2026-11-13T11:00:00Z', 'full');
  const spy = vi.spyOn(store, 'getProvisional');
  await deliver(store, FIXED, 'fixed', 'fresh-fix-4', '2026-11-13T11:08:32.000Z');
  expect(spy).not.toHaveBeenCalled();
  await deliver(store, FIXED, 'reopened', 'reopen-4', '2026-11-13T11:09:10.000Z');
  expect(spy).toHaveBeenCalledTimes(1);
  await snapshot(deps, '2026-11-13T12:00:00Z', 'incremental');
  expect(await store.listProvisional(ORG)).toEqual([]);
  // Settled: the mark is gone with it, and the next day's delivery reads nothing more.
  spy.mockClear();
  expect((await store.getAlert(ORG, `code_scanning#${ORG}/${FIXED.repo}#${FIXED.number}`))?.alert.state).toBe(
    'fixed',
  );
  await deliver(store, FIXED, 'reopened', 'reopen-5', '2026-11-14T12:30:02.000Z');
  expect(spy).not.toHaveBeenCalled();
});

it('an enterprise run settles the organisations it records, and leaves another organisation’s changes to that one’s snapshot', async () => {
  // octo-demo is snapshotted on its own; the enterprise octo-corp has octo-payments only.
  const corp = await startSimulatedGitHub({
    demos: [generateDemoOrg({ org: 'octo-payments', seed: 22, weeks: 4, endsAt: END })],
    enterprise: 'octo-corp',
    token: 'corp-token',
  });
  try {
    for (const orgs of [undefined, ['octo-payments']]) {
      const { store, deps } = await setUp(`provisional-enterprise-${orgs ? 'named' : 'all'}`);
      const corpDeps: SnapshotDeps = {
        gh: createGitHubClient({ token: 'corp-token', baseUrl: corp.url, retryAfterBaseValue: 10 }),
        store,
        log: silentLog,
      };
      await snapshot(deps, '2026-11-15T23:00:00Z', 'full');
      await deliver(store, REOPENED, 'fixed', 'late-fix-enterprise', '2026-11-15T23:30:00.000Z');
      corp.setNow(new Date(END));
      // Twice: the second run's watermarks cover octo-payments.
      for (const mode of ['full', 'incremental'] as const) {
        await takeEnterpriseSnapshot(corpDeps, {
          enterprise: 'octo-corp',
          now: new Date(END),
          mode,
          ...(orgs ? { orgs } : {}),
        });
      }
      expect(await store.listProvisional(ORG)).toHaveLength(1);
      await snapshot(deps, END, 'incremental');
      expect(
        (await store.getAlert(ORG, `code_scanning#${ORG}/${REOPENED.repo}#${REOPENED.number}`))?.alert.state,
      ).toBe('open');
      expect(await store.listProvisional(ORG)).toEqual([]);
    }
  } finally {
    await corp.close();
  }
});

it('an enterprise run settles its own organisations’ provisional changes, named or covered by its watermarks', async () => {
  const corp = await startSimulatedGitHub({
    demos: [generateDemoOrg({ org: ORG, seed: 11, weeks: 4, endsAt: END })],
    enterprise: 'octo-corp',
    token: 'corp-token',
  });
  try {
    for (const orgs of [undefined, [ORG]]) {
      const { store } = await createTestStore(`provisional-enterprise-own-${orgs ? 'named' : 'all'}`);
      const corpDeps: SnapshotDeps = {
        gh: createGitHubClient({ token: 'corp-token', baseUrl: corp.url, retryAfterBaseValue: 10 }),
        store,
        log: silentLog,
      };
      const run = async (at: string, mode: 'full' | 'incremental') => {
        corp.setNow(new Date(at));
        await takeEnterpriseSnapshot(corpDeps, {
          enterprise: 'octo-corp',
          now: new Date(at),
          mode,
          ...(orgs ? { orgs } : {}),
        });
      };
      await run('2026-11-15T23:00:00Z', 'full');
      await deliver(store, REOPENED, 'fixed', 'late-fix-own', '2026-11-15T23:30:00.000Z');
      await run(END, 'incremental');
      expect(await store.listProvisional(ORG)).toEqual([]);
      expect(
        (await store.getAlert(ORG, `code_scanning#${ORG}/${REOPENED.repo}#${REOPENED.number}`))?.alert.state,
      ).toBe('open');
    }
  } finally {
    await corp.close();
  }
});
