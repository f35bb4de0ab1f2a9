/**
 * Provisional webhook changes (core/provisional.ts): cases a third review found wrong, each over
 * a history edited into the demo, checked against a ledger that only takes snapshots (or a fresh
 * ledger's full run at the same instant).
 */
import { afterEach, expect, it, vi } from 'vitest';
import type { Alert } from '../../functions/core/model.ts';
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
import type { DemoAlertEvent, DemoOrg } from '../../infra/local/github/demo-types.ts';
import {
  badGatewayFault,
  type SimulatedGitHub,
  startSimulatedGitHub,
} from '../../infra/local/github/server.ts';
import { createTestStore } from '../support/dynamo.ts';
import { codeScanningPayload, signedDelivery } from '../support/webhooks.ts';

const ORG = 'octo-demo';
const TOKEN = 'review3-token';
const SECRET = 'review3-secret';
const END = '2026-11-16T00:00:00.000Z';
const W46 = parsePeriodId('2026-W46');

const servers: SimulatedGitHub[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const event = (kind: DemoAlertEvent['kind'], at: string, actor: string | null = null): DemoAlertEvent => ({
  kind,
  at,
  actor,
  reason: null,
  comment: null,
});

async function world(name: string, edit: (demo: DemoOrg) => void) {
  const demo = generateDemoOrg({ org: ORG, seed: 11, weeks: 4, endsAt: END });
  edit(demo);
  const github = await startSimulatedGitHub({ demo, token: TOKEN });
  servers.push(github);
  const setUp = async (suffix: string) => {
    const { store } = await createTestStore(`${name}-${suffix}`);
    const gh = createGitHubClient({ token: TOKEN, baseUrl: github.url, retryAfterBaseValue: 10 });
    const deps: SnapshotDeps = { gh, store, log: silentLog };
    return { store, deps };
  };
  const snapshot = async (deps: SnapshotDeps, at: string, mode: 'full' | 'incremental') => {
    github.setNow(new Date(at));
    return await takeSnapshot(deps, { org: ORG, now: new Date(at), mode });
  };
  return { demo, github, setUp, snapshot };
}

type CodeAlert = { repo: string; number: number; createdAt: string };

async function deliverCode(
  store: DynamoStore,
  alert: CodeAlert,
  action: 'fixed' | 'reopened',
  delivery: string,
  receivedAt: string,
) {
  const payload = codeScanningPayload(ORG, alert, action, action === 'fixed' ? 'fixed' : 'open');
  const res = await receiveWebhook(
    { store, secrets: [SECRET], log: silentLog },
    await signedDelivery(SECRET, 'code_scanning_alert', payload, { delivery, receivedAt }),
  );
  expect(res.status).toBe(200);
  return res.body.message;
}

const historyOf = async (store: DynamoStore, type: Alert['alertType'], repo: string, number: number) =>
  (await store.listTransitions(ORG))
    .filter((t) => t.alertType === type && t.repository === `${ORG}/${repo}` && t.number === number)
    .map((t) => [t.from, t.to, t.at, t.source]);

async function w46(store: DynamoStore) {
  const { input } = await loadReportInput(store, ORG, W46, lastPeriods(W46, 12), {
    now: Date.parse('2026-11-16T07:00:00Z'),
  });
  return computeReport({ ...input, generatedAt: '2026-11-16T07:00:00.000Z', slaPolicy: DEFAULT_SLA_POLICY });
}

// notification-service code scanning #3 (high): fixed 2026-07-03, reopened 2026-07-10, open since.
const REOPENED: CodeAlert = { repo: 'notification-service', number: 3, createdAt: '2026-05-01T10:07:10Z' };

// ---------------------------------------------------------------------------------------------
// 1. A confirmed settlement keeps an arrival date GitHub's own time contradicts: GitHub entered
//    the state after the delivery arrived, so the delivery was old news.
// ---------------------------------------------------------------------------------------------
it('a redelivered old fix, followed by GitHub’s own fix after the week’s end, is not counted in the week', async () => {
  const w = await world('rv3-confirmed-later', (demo) => {
    const a = demo.alerts.code_scanning.find(
      (x) => x.repository === REOPENED.repo && x.number === REOPENED.number,
    );
    if (a?.events.at(-1)?.kind !== 'reopened') throw new Error('demo changed');
    // GitHub fixes it for real on Monday 00:20 (W47).
    a.events.push(event('fixed', '2026-11-16T00:20:00Z'));
  });
  const control = await w.setUp('control');
  await w.snapshot(control.deps, '2026-11-15T23:00:00Z', 'full');
  await w.snapshot(control.deps, '2026-11-16T01:00:00Z', 'incremental');

  const hooked = await w.setUp('hooked');
  await w.snapshot(hooked.deps, '2026-11-15T23:00:00Z', 'full');
  // July's fix, whose first delivery failed, redelivered on Sunday 23:30.
  expect(
    await deliverCode(hooked.store, REOPENED, 'fixed', 'redelivered-july-fix', '2026-11-15T23:30:00.000Z'),
  ).toBe('recorded');
  // GitHub's own fix on Monday 00:20: its fresh delivery finds the alert fixed already.
  await deliverCode(hooked.store, REOPENED, 'fixed', 'monday-fix', '2026-11-16T00:20:02.000Z');
  const m = await w.snapshot(hooked.deps, '2026-11-16T01:00:00Z', 'incremental');
  expect(m.complete).toBe(true);
  expect(await hooked.store.listProvisional(ORG)).toEqual([]);
  // GitHub: open until Monday 00:20. The ledger must not say fixed on Sunday 23:30.
  expect((await historyOf(hooked.store, 'code_scanning', REOPENED.repo, REOPENED.number)).at(-1)).toEqual([
    'open',
    'fixed',
    '2026-11-16T00:20:00.000Z',
    'webhook',
  ]);
  expect((await w46(hooked.store)).summary.code_scanning).toEqual(
    (await w46(control.store)).summary.code_scanning,
  );
});

// ---------------------------------------------------------------------------------------------
// 2. An overruling settlement ignores GitHub's own closing time: GitHub has been fixed since
//    before the reopen arrived (fixed_at), only its updated_at moved after (an assignment), so
//    the reopen was old news; the ledger records an invented reopen and a second fix.
// ---------------------------------------------------------------------------------------------
it('a redelivered old reopen of an alert GitHub has kept fixed since before it arrived leaves no trace', async () => {
  const w = await world('rv3-overruled-closed', (demo) => {
    const a = demo.alerts.code_scanning.find(
      (x) => x.repository === REOPENED.repo && x.number === REOPENED.number,
    );
    if (a?.events.at(-1)?.kind !== 'reopened') throw new Error('demo changed');
    a.events.push(event('fixed', '2026-11-15T20:00:00Z'));
  });
  // Someone assigns the fixed alert at 23:45: GitHub's updated_at moves, its state and fixed_at do not.
  const assignedAt = '2026-11-15T23:45:00Z';
  const url = `/repos/${ORG}/${REOPENED.repo}/code-scanning/alerts/${REOPENED.number}`;
  const assign = (deps: SnapshotDeps) =>
    deps.gh.hook.after('request', (res) => {
      if (w.github.now().getTime() < Date.parse(assignedAt)) return;
      const items = Array.isArray(res.data) ? res.data : [res.data];
      for (const item of items as { url?: string; updated_at?: string }[]) {
        if (typeof item?.url === 'string' && item.url.endsWith(url)) item.updated_at = assignedAt;
      }
    });
  const control = await w.setUp('control');
  assign(control.deps);
  await w.snapshot(control.deps, '2026-11-15T21:00:00Z', 'full');
  await w.snapshot(control.deps, '2026-11-16T01:00:00Z', 'incremental');

  const hooked = await w.setUp('hooked');
  assign(hooked.deps);
  await w.snapshot(hooked.deps, '2026-11-15T21:00:00Z', 'full');
  const before = await historyOf(hooked.store, 'code_scanning', REOPENED.repo, REOPENED.number);
  // July's reopen, whose first delivery failed, redelivered on Sunday 23:30.
  expect(
    await deliverCode(
      hooked.store,
      REOPENED,
      'reopened',
      'redelivered-july-reopen',
      '2026-11-15T23:30:00.000Z',
    ),
  ).toBe('recorded');
  const m = await w.snapshot(hooked.deps, '2026-11-16T01:00:00Z', 'incremental');
  expect(m.complete).toBe(true);
  expect(await hooked.store.listProvisional(ORG)).toEqual([]);
  const report = await w46(hooked.store);
  expect(report.summary.code_scanning).toEqual((await w46(control.store)).summary.code_scanning);
  expect(report.notableEvents.filter((e) => e.kind === 'reopened')).toEqual(
    (await w46(control.store)).notableEvents.filter((e) => e.kind === 'reopened'),
  );
  expect(await historyOf(hooked.store, 'code_scanning', REOPENED.repo, REOPENED.number)).toEqual(before);
});

// ---------------------------------------------------------------------------------------------
// 3. A snapshot whose alert GET failed calls itself complete while the alert stands in the state
//    a late redelivery gave it (the incremental listing does not meet it): the period's report is
//    then complete, with a fix that never happened.
// ---------------------------------------------------------------------------------------------
it('a snapshot that could not check a provisional change is not complete while the change stands unchecked', async () => {
  const w = await world('rv3-complete', () => {});
  const control = await w.setUp('control');
  await w.snapshot(control.deps, '2026-11-15T23:00:00Z', 'full');
  await w.snapshot(control.deps, END, 'incremental');

  const hooked = await w.setUp('hooked');
  await w.snapshot(hooked.deps, '2026-11-15T23:00:00Z', 'full');
  // July's fix, redelivered on Sunday 23:30 (after an outage of the endpoint, say).
  await deliverCode(hooked.store, REOPENED, 'fixed', 'redelivered-july-fix-2', '2026-11-15T23:30:00.000Z');
  const path = `/repos/${ORG}/${REOPENED.repo}/code-scanning/alerts/${REOPENED.number}`;
  w.github.injectFault(badGatewayFault(path, Number.POSITIVE_INFINITY));
  const m = await w.snapshot(hooked.deps, END, 'incremental');
  w.github.clearFaults();
  expect(await hooked.store.listProvisional(ORG)).toHaveLength(1);
  const stored = (
    await hooked.store.getAlert(ORG, `code_scanning#${ORG}/${REOPENED.repo}#${REOPENED.number}`)
  )?.alert.state;
  // GitHub: open since July. A snapshot that calls itself complete leaves every alert in GitHub's
  // state (snapshot-webhook-property.test.ts), and a complete report states GitHub's figures.
  if (m.complete) expect(stored).toBe('open');
  const report = await w46(hooked.store);
  if (report.complete) {
    expect(report.summary.code_scanning).toEqual((await w46(control.store)).summary.code_scanning);
  }
});
