/**
 * Provisional webhook changes (core/provisional.ts) over histories edited into the demo: the
 * cases the second and third reviews found wrong, each with the figures or the history GitHub's
 * timestamps give, or checked against a ledger that only takes snapshots (or a fresh ledger's
 * full run at the same instant).
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
import { openApiWebhookExamples, webhookSchemaErrors } from '../support/webhook-schemas.ts';
import { codeScanningPayload, signedDelivery } from '../support/webhooks.ts';

const ORG = 'octo-demo';
const TOKEN = 'review-token';
const SECRET = 'review-secret';
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

/** The demo of webhook-provisional.test.ts, with `edit` applied before GitHub serves it. */
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
  expect(webhookSchemaErrors(`code-scanning-alert-${action}`, payload)).toEqual([]);
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

// ---------------------------------------------------------------------------------------------
// 1. A confirmed settlement keeps the arrival date although GitHub's fixed_at dates the fix.
// ---------------------------------------------------------------------------------------------
it('a fix delivered ten minutes late, across the week boundary, is dated by GitHub’s fixed_at once confirmed', async () => {
  // admin-portal code scanning #3 (high), open since 2026-07-27; GitHub fixes it on Sunday 23:55.
  const A: CodeAlert = { repo: 'admin-portal', number: 3, createdAt: '2026-07-27T09:57:12Z' };
  const w = await world('rv-boundary', (demo) => {
    const a = demo.alerts.code_scanning.find((x) => x.repository === A.repo && x.number === A.number);
    if (a?.events.length !== 1) throw new Error('demo changed');
    a.events.push(event('fixed', '2026-11-15T23:55:00Z'));
  });
  // Control: snapshots only.
  const control = await w.setUp('control');
  await w.snapshot(control.deps, '2026-11-15T23:00:00Z', 'full');
  await w.snapshot(control.deps, '2026-11-16T01:00:00Z', 'incremental');
  // With the webhook: GitHub's delivery reaches the ledger at 00:05 (ten minutes late, in the margin).
  const hooked = await w.setUp('hooked');
  await w.snapshot(hooked.deps, '2026-11-15T23:00:00Z', 'full');
  expect(await deliverCode(hooked.store, A, 'fixed', 'late-by-10-min', '2026-11-16T00:05:00.000Z')).toBe(
    'recorded',
  );
  const manifest = await w.snapshot(hooked.deps, '2026-11-16T01:00:00Z', 'incremental');
  expect(manifest.complete).toBe(true);

  const key = `code_scanning#${ORG}/${A.repo}#${A.number}`;
  // The stored alert says GitHub's time (closedAt 23:55) ...
  expect((await hooked.store.getAlert(ORG, key))?.alert.closedAt).toBe('2026-11-15T23:55:00.000Z');
  // ... and so must its history, and W46's figures.
  expect((await historyOf(hooked.store, 'code_scanning', A.repo, A.number)).at(-1)).toEqual([
    'open',
    'fixed',
    '2026-11-15T23:55:00.000Z',
    'webhook',
  ]);
  expect((await w46(hooked.store)).summary.code_scanning).toEqual(
    (await w46(control.store)).summary.code_scanning,
  );
});

// ---------------------------------------------------------------------------------------------
// 2. A confirmed settlement stores GitHub's alert: a leak GitHub flagged meanwhile is never dated.
// ---------------------------------------------------------------------------------------------
function secretReopenPayload(repo: string, number: number, createdAt: string, secretType: string) {
  const [location] = openApiWebhookExamples('secret-scanning-alert-location-created');
  if (!location) throw new Error('no secret scanning example');
  const {
    secret: _never,
    state: _none,
    updated_at: _absent,
    ...alert
  } = location.alert as Record<string, unknown>;
  return {
    action: 'reopened',
    alert: {
      ...alert,
      number,
      created_at: createdAt,
      secret_type: secretType,
      secret_type_display_name: secretType,
      resolution: null,
      resolved_at: null,
      resolved_by: null,
      resolution_comment: null,
      push_protection_bypassed: false,
      push_protection_bypassed_by: null,
      push_protection_bypassed_at: null,
      publicly_leaked: false,
    },
    repository: { ...(location.repository as object), full_name: `${ORG}/${repo}` },
    sender: { ...(location.sender as object), login: 'mona-lee' },
  };
}

it('a secret GitHub flags as publicly leaked while a provisional reopen stands gets its leak dated, as a listing would', async () => {
  // admin-portal secret scanning #2: resolved 2026-11-02; reopened by mona-lee on Sunday 22:00.
  let leak: () => void = () => {};
  let secretType = '';
  const w = await world('rv-leak', (demo) => {
    const a = demo.alerts.secret_scanning.find((x) => x.repository === 'admin-portal' && x.number === 2);
    if (!a || a.publiclyLeaked || a.events.at(-1)?.kind !== 'resolved') throw new Error('demo changed');
    a.events.push(event('reopened', '2026-11-15T22:00:00Z', 'mona-lee'));
    secretType = a.secretType.type;
    leak = () => {
      a.publiclyLeaked = true;
    };
  });
  const key = `secret_scanning#${ORG}/admin-portal#2`;
  const control = await w.setUp('control');
  const hooked = await w.setUp('hooked');
  await w.snapshot(control.deps, '2026-11-15T21:00:00Z', 'full');
  await w.snapshot(hooked.deps, '2026-11-15T21:00:00Z', 'full');
  // The reopen's delivery carries no updated_at (as GHES before 3.6, or any payload without it).
  const payload = secretReopenPayload('admin-portal', 2, '2026-10-30T16:41:12Z', secretType);
  const res = await receiveWebhook(
    { store: hooked.store, secrets: [SECRET], log: silentLog },
    await signedDelivery(SECRET, 'secret_scanning_alert', payload, {
      delivery: 'ss-reopen',
      receivedAt: '2026-11-15T22:00:02.000Z',
    }),
  );
  expect(res.status).toBe(200);
  expect(await hooked.store.listProvisional(ORG)).toHaveLength(1);
  // GitHub then finds the secret in a public repository (its `publicly_leaked` delivery fails).
  leak();
  await w.snapshot(control.deps, '2026-11-15T23:00:00Z', 'incremental');
  await w.snapshot(hooked.deps, '2026-11-15T23:00:00Z', 'incremental');
  expect(await hooked.store.listProvisional(ORG)).toEqual([]);
  const dated = (await control.store.getAlert(ORG, key))?.alert;
  expect(dated).toMatchObject({
    state: 'open',
    publiclyLeaked: true,
    publiclyLeakedAt: '2026-11-15T23:00:00.000Z',
  });
  // A full run afterwards does not date it either: the leak never reaches a report.
  await w.snapshot(hooked.deps, '2026-11-15T23:30:00Z', 'full');
  const stored = (await hooked.store.getAlert(ORG, key))?.alert;
  expect(stored).toMatchObject({ state: 'open', publiclyLeaked: true });
  expect(stored?.publiclyLeakedAt).toBe('2026-11-15T23:00:00.000Z');
  const leaks = async (s: DynamoStore) =>
    (await w46(s)).notableEvents.filter((e) => e.kind === 'publicly_leaked').map((e) => e.number);
  expect(await leaks(hooked.store)).toEqual(await leaks(control.store));
});

// ---------------------------------------------------------------------------------------------
// 3. A chain whose settlement takes over 100 writes fails every full run's listing.
// ---------------------------------------------------------------------------------------------
it('a long chain of late deliveries does not make the full run fail, and is settled', async () => {
  // notification-service code scanning #3: open since 2026-07-10 (webhook-provisional.test.ts).
  const A: CodeAlert = { repo: 'notification-service', number: 3, createdAt: '2026-05-01T10:07:10Z' };
  const w = await world('rv-long', () => {});
  const { store, deps } = await w.setUp('long');
  await w.snapshot(deps, '2026-11-15T20:00:00Z', 'full');
  const before = await historyOf(store, 'code_scanning', A.repo, A.number);
  // A flapping alert's failed deliveries (fix, reopen, fix, ...), redelivered in bulk: 99 of them.
  for (let i = 0; i < 99; i++) {
    const at = new Date(Date.parse('2026-11-15T21:00:00Z') + i * 1000).toISOString();
    expect(await deliverCode(store, A, i % 2 === 0 ? 'fixed' : 'reopened', `bulk-${i}`, at)).toBe('recorded');
  }
  expect((await store.listProvisional(ORG))[0]?.transitions).toHaveLength(99);
  const manifest = await w.snapshot(deps, END, 'full');
  expect(manifest.complete).toBe(true);
  const alert = (await store.getAlert(ORG, `code_scanning#${ORG}/${A.repo}#${A.number}`))?.alert;
  expect(alert?.state).toBe('open');
  expect(await historyOf(store, 'code_scanning', A.repo, A.number)).toEqual(before);
});

// ---------------------------------------------------------------------------------------------
// 4. A snapshot view write (putSnapView) during a run orphans a standing chain; it is dropped
//    unchecked, and a late fix GitHub had undone stays (or is "overruled" into a fix and reopen).
// ---------------------------------------------------------------------------------------------
it('a late fix that arrives while a listing writes its alert is still checked against GitHub', async () => {
  // auth-gateway code scanning #3 (high), open since 2026-07-16: fixed at 09:10, reopened 09:30.
  const A: CodeAlert = { repo: 'auth-gateway', number: 3, createdAt: '2026-07-16T10:09:35Z' };
  const w = await world('rv-orphan', (demo) => {
    const a = demo.alerts.code_scanning.find((x) => x.repository === A.repo && x.number === A.number);
    if (a?.events.length !== 1) throw new Error('demo changed');
    a.events.push(event('fixed', '2026-11-13T09:10:00Z'), event('reopened', '2026-11-13T09:30:00Z'));
  });
  const key = `code_scanning#${ORG}/${A.repo}#${A.number}`;
  const { store, deps } = await w.setUp('orphan');
  await w.snapshot(deps, '2026-11-13T09:00:00Z', 'full');
  const before = await historyOf(store, 'code_scanning', A.repo, A.number);
  // The 11:00 run lists the alert (open, updated 09:30). The 09:10 fix's delivery, held up for
  // almost two hours, arrives between the listing's page and its write.
  const read = store.getAlerts.bind(store);
  let delivered = false;
  vi.spyOn(store, 'getAlerts').mockImplementation(async (org, keys) => {
    if (!delivered && keys.includes(key)) {
      delivered = true;
      expect(await deliverCode(store, A, 'fixed', 'held-up-fix', '2026-11-13T11:00:30.000Z')).toBe(
        'recorded',
      );
    }
    return await read(org, keys);
  });
  const at11 = await w.snapshot(deps, '2026-11-13T11:00:00Z', 'incremental');
  expect(at11.complete).toBe(true);
  expect(delivered).toBe(true);
  vi.restoreAllMocks();
  // It is provisional: the next snapshot asks GitHub (open since 09:30, so the fix is old news).
  expect(await store.listProvisional(ORG)).toHaveLength(1);
  const at12 = await w.snapshot(deps, '2026-11-13T12:00:00Z', 'incremental');
  expect(at12.complete).toBe(true);
  expect((await store.getAlert(ORG, key))?.alert.state).toBe('open');
  expect(await historyOf(store, 'code_scanning', A.repo, A.number)).toEqual(before);
  // Both snapshots count the alert open, as GitHub listed it: their open counts are those of a
  // full run of a fresh ledger at the same instants.
  for (const [m, at] of [
    [at11, '2026-11-13T11:00:00Z'],
    [at12, '2026-11-13T12:00:00Z'],
  ] as const) {
    const fresh = await w.setUp(`orphan-fresh-${at.slice(11, 13)}`);
    expect(m.openBySeverity).toEqual((await w.snapshot(fresh.deps, at, 'full')).openBySeverity);
  }
});

// ---------------------------------------------------------------------------------------------
// 5. A resumed run settles against its first invocation's time: a change delivered since is
//    "stale", the settlement writes nothing, forgets the change, and the run calls itself complete.
// ---------------------------------------------------------------------------------------------
it('a resumed run that settles a change delivered after its start leaves the alert in GitHub’s state', async () => {
  // auth-gateway code scanning #2, open since 2026-01-20: fixed at 11:10 and reopened at 11:12 by
  // two analyses; the reopen's delivery changes nothing, the fix's arrives at 11:20.
  const A: CodeAlert = { repo: 'auth-gateway', number: 2, createdAt: '2026-01-20T08:45:19Z' };
  const w = await world('rv-resumed', (demo) => {
    const a = demo.alerts.code_scanning.find((x) => x.repository === A.repo && x.number === A.number);
    if (a?.events.length !== 1) throw new Error('demo changed');
    a.events.push(event('fixed', '2026-11-13T11:10:00Z'), event('reopened', '2026-11-13T11:12:00Z'));
  });
  const key = `code_scanning#${ORG}/${A.repo}#${A.number}`;
  const { store, deps } = await w.setUp('resumed');
  await w.snapshot(deps, '2026-11-13T10:00:00Z', 'full');
  // The 11:00 run stops on a rate limit of the secret scanning listing, to resume on the next.
  w.github.injectFault({
    path: `/orgs/${ORG}/secret-scanning/alerts`,
    status: 403,
    times: 1,
    headers: {
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
    },
    body: JSON.stringify({ message: 'API rate limit exceeded' }),
  });
  const first = await w.snapshot(deps, '2026-11-13T11:00:00Z', 'incremental');
  expect([first.complete, first.resumable]).toEqual([false, true]);
  expect(await deliverCode(store, A, 'fixed', 'fix-during-pause', '2026-11-13T11:20:00.000Z')).toBe(
    'recorded',
  );
  expect(await store.listProvisional(ORG)).toHaveLength(1);
  const resumed = await w.snapshot(deps, '2026-11-13T12:00:00Z', 'incremental');
  expect(resumed.snapshotId).toBe(first.snapshotId);
  expect(resumed.complete).toBe(true);
  // GitHub: open since 11:12. The provisional change is settled (gone): the alert must agree.
  expect(await store.listProvisional(ORG)).toEqual([]);
  expect((await store.getAlert(ORG, key))?.alert.state).toBe('open');
});

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
