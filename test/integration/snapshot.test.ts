import { generateKeyPairSync } from 'node:crypto';
import { type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { observeAlert } from '../../functions/core/diff.ts';
import {
  ALERT_TYPES,
  type Alert,
  type AlertType,
  alertKey,
  emptyOpenCounts,
  type SnapshotManifest,
} from '../../functions/core/model.ts';
import { normalizeAlert } from '../../functions/core/normalize.ts';
import { createGitHubClient, type GitHubClient } from '../../functions/github/client.ts';
import { GitHubAuthError } from '../../functions/github/errors.ts';
import { detectGhesVersion, supportsHideSecret } from '../../functions/github/ghes.ts';
import { DynamoStore, type SnapView } from '../../functions/store/dynamo-store.ts';
import { ConcurrentUpdateError } from '../../functions/store/errors.ts';
import { silentLog } from '../../functions/use-cases/log.ts';
import { type SnapshotDeps, takeSnapshot } from '../../functions/use-cases/take-snapshot.ts';
import { generateDemoOrg } from '../../infra/local/github/demo-org.ts';
import type { DemoDependabotAlert, DemoOrg } from '../../infra/local/github/demo-types.ts';
import { cutOffFault, secondaryRateLimitFault, timeoutFault } from '../../infra/local/github/faults.ts';
import { renderAlertsAt } from '../../infra/local/github/render.ts';
import { type SimulatedGitHub, startSimulatedGitHub } from '../../infra/local/github/server.ts';
import { jumpingClock } from '../support/clock.ts';
import { createTestStore } from '../support/dynamo.ts';

const ORG = 'octo-demo';
const TOKEN = 'snapshot-test-token';
const END = '2026-11-16T00:00:00.000Z';
const WEEK = 7 * 24 * 3600 * 1000;
const at = (weeksBeforeEnd: number) => new Date(Date.parse(END) - weeksBeforeEnd * WEEK);

/** What GitHub holds at `now`, normalised: the truth a snapshot must reproduce. */
function truth(demo: DemoOrg, now: Date): Alert[] {
  const rendered = renderAlertsAt(demo, now);
  return ALERT_TYPES.flatMap((t) => rendered[t].map((raw) => normalizeAlert(t, raw)));
}

function openCounts(alerts: Alert[]) {
  const counts = emptyOpenCounts();
  for (const a of alerts) if (a.state === 'open') counts[a.alertType][a.severity] += 1;
  return counts;
}

/** Open alerts per repository (`owner/name`), as the manifest and the stored aggregates count them. */
function openPerRepository(alerts: Alert[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const a of alerts) if (a.state === 'open') counts[a.repository] = (counts[a.repository] ?? 0) + 1;
  return counts;
}

/**
 * The org without `n` Dependabot alerts created before `before` with a single event (open and
 * never touched): what GitHub lists once their repository is gone.
 */
function withoutDependabot(
  demo: DemoOrg,
  n: number,
  before: Date,
): { gone: DemoDependabotAlert[]; smaller: DemoOrg } {
  const gone = demo.alerts.dependabot
    .filter((a) => a.events.length === 1 && Date.parse(a.createdAt) < before.getTime())
    .slice(0, n);
  const smaller: DemoOrg = {
    ...demo,
    alerts: { ...demo.alerts, dependabot: demo.alerts.dependabot.filter((a) => !gone.includes(a)) },
  };
  return { gone, smaller };
}

/** Fewest requests possible: one per 100 items of each listing, plus the org check. */
function minimumRequests(alerts: Alert[], auditPages: number): number {
  const byLane = new Map<string, number>();
  for (const a of alerts) {
    const lane =
      a.alertType === 'secret_scanning' &&
      ['password', 'http_bearer_authentication_header'].includes(a.ruleId)
        ? 'secret_scanning:non_provider'
        : a.alertType;
    byLane.set(lane, (byLane.get(lane) ?? 0) + 1);
  }
  const lanes = ['dependabot', 'secret_scanning', 'secret_scanning:non_provider', 'code_scanning'];
  return 1 + auditPages + lanes.reduce((n, l) => n + Math.max(1, Math.ceil((byLane.get(l) ?? 0) / 100)), 0);
}

describe('snapshots against the simulated GitHub and DynamoDB Local', () => {
  let demo: DemoOrg;
  let github: SimulatedGitHub;
  let gh: GitHubClient;
  let store: DynamoStore;
  let client: DynamoDBClient;
  let deps: SnapshotDeps;

  beforeAll(async () => {
    demo = generateDemoOrg({ org: ORG, seed: 11, weeks: 4, endsAt: END });
    github = await startSimulatedGitHub({ demo, token: TOKEN });
    gh = createGitHubClient({ token: TOKEN, baseUrl: github.url, retryAfterBaseValue: 10 });
  });
  afterAll(async () => {
    await github.close();
  });
  beforeEach(async () => {
    ({ store, client } = await createTestStore('snap'));
    deps = { gh, store, log: silentLog };
    github.clearFaults();
  });

  /**
   * A full run at t1 of the whole organisation, then `use` against a GitHub at t1 without `n` of
   * its older Dependabot alerts (`gone`), through `gh2`; that GitHub is closed afterwards.
   */
  async function afterDependabotGone(
    n: number,
    use: (o: {
      gone: DemoDependabotAlert[];
      smaller: DemoOrg;
      other: SimulatedGitHub;
      gh2: GitHubClient;
    }) => Promise<void>,
  ): Promise<void> {
    github.setNow(at(1));
    await takeSnapshot(deps, { org: ORG, now: at(1), mode: 'full' });
    const { gone, smaller } = withoutDependabot(demo, n, at(1));
    expect(gone).toHaveLength(n);
    const other = await startSimulatedGitHub({ demo: smaller, token: TOKEN, now: () => at(1) });
    try {
      await use({ gone, smaller, other, gh2: createGitHubClient({ token: TOKEN, baseUrl: other.url }) });
    } finally {
      await other.close();
    }
  }

  it('a full snapshot stores exactly what GitHub lists, with exact aggregates and the fewest requests', async () => {
    github.setNow(at(2));
    const before = github.stats.requests;
    const m = await takeSnapshot(deps, { org: ORG, now: at(2), mode: 'full' });
    const expected = truth(demo, at(2));
    expect(m.complete).toBe(true);
    expect(m.alertsSeen).toBe(expected.length);
    expect(m.openBySeverity).toEqual(openCounts(expected));
    const perRepository = openPerRepository(expected);
    expect(Object.keys(perRepository).length).toBeGreaterThan(3);
    expect(m.openByRepository).toEqual(perRepository);
    expect((await store.getAggregates(ORG))?.openByRepository).toEqual(perRepository);
    expect((await store.loadAlerts(ORG)).size).toBe(expected.length);
    const audit = m.streams.find((s) => s.stream === 'audit_log');
    expect(m.requests).toBe(minimumRequests(expected, audit?.pages ?? 0));
    expect(github.stats.requests - before).toBe(m.requests);
  });

  it('an incremental snapshot reads only what changed, writes only that, and its aggregates stay exact', async () => {
    github.setNow(at(2));
    await takeSnapshot(deps, { org: ORG, now: at(2), mode: 'full' });
    github.setNow(at(1));
    const m = await takeSnapshot(deps, { org: ORG, now: at(1), mode: 'incremental' });
    const expected = truth(demo, at(1));
    const changed = expected.filter((a) => Date.parse(a.updatedAt) > at(2).getTime());
    expect(m.complete).toBe(true);
    expect(m.alertsWritten).toBe(changed.length);
    expect(m.openBySeverity).toEqual(openCounts(expected));
    expect(m.requests).toBeLessThanOrEqual(8);
    const stored = await store.loadAlerts(ORG);
    for (const a of expected) expect(stored.get(alertKey(a))?.alert.state).toBe(a.state);

    // The same run again changes nothing: no double counting.
    const again = await takeSnapshot(deps, { org: ORG, now: at(1), mode: 'incremental' });
    expect(again.alertsWritten).toBe(0);
    expect(again.transitionsWritten).toBe(0);
    expect(again.openBySeverity).toEqual(m.openBySeverity);
  });

  it('a full run reads by key only the alerts whose stored fingerprint differs, and records what an incremental run records', async () => {
    github.setNow(at(2));
    await takeSnapshot(deps, { org: ORG, now: at(2), mode: 'full' });
    const { store: twin } = await createTestStore('snap');
    await takeSnapshot({ ...deps, store: twin }, { org: ORG, now: at(2), mode: 'full' });
    const storedBefore = await store.loadAlerts(ORG);

    github.setNow(at(1));
    const readBefore = store.usage.itemsRead;
    const full = await takeSnapshot(deps, { org: ORG, now: at(1), mode: 'full' });
    const read = store.usage.itemsRead - readBefore;
    const incremental = await takeSnapshot(
      { ...deps, store: twin },
      { org: ORG, now: at(1), mode: 'incremental' },
    );

    const expected = truth(demo, at(1));
    const changed = expected.filter((a) => Date.parse(a.updatedAt) > at(2).getTime());
    expect(changed.length).toBeGreaterThan(5);
    expect(full.complete).toBe(true);
    expect(full.alertsWritten).toBe(changed.length);
    expect(full.alertsWritten).toBe(incremental.alertsWritten);
    expect(full.transitionsWritten).toBe(incremental.transitionsWritten);
    expect(full.openBySeverity).toEqual(openCounts(expected));
    // Counted from the stored views with what this run listed laid over them.
    expect(full.openByRepository).toEqual(openPerRepository(expected));
    expect(incremental.openByRepository).toEqual(full.openByRepository);
    // One fingerprint per stored alert, then by key only the stored alerts that changed. Leaked
    // secrets are stored with a date GitHub does not list (the ledger dates a leak GitHub only
    // flags); their fingerprints leave it out, so an unchanged one is not read.
    const changedStored = changed.filter((a) => storedBefore.has(alertKey(a)));
    const datedLeaks = expected.filter(
      (a) => !changedStored.includes(a) && storedBefore.get(alertKey(a))?.alert.publiclyLeakedAt,
    );
    expect(datedLeaks.length).toBeGreaterThan(0);
    expect(changedStored.length).toBeGreaterThan(5);
    expect(read).toBe(storedBefore.size + changedStored.length);
    expect(await store.listTransitions(ORG)).toEqual(await twin.listTransitions(ORG));
    const states = async (s: DynamoStore) =>
      [...(await s.loadAlerts(ORG))]
        .map(([k, v]) => [k, v.alert])
        .sort(([a], [b]) => String(a).localeCompare(String(b)));
    expect(await states(store)).toEqual(await states(twin));
  });

  it('holds the pages listed before the stored fingerprints arrive, writes them once they do, and saves no cursor past them meanwhile', async () => {
    github.setNow(at(2));
    await takeSnapshot(deps, { org: ORG, now: at(2), mode: 'full' });
    const { store: twin } = await createTestStore('snap');
    await takeSnapshot({ ...deps, store: twin }, { org: ORG, now: at(2), mode: 'full' });

    // The fingerprints come only once four requests were answered; every checkpoint saved is noted.
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const saves: { claim: boolean; released: boolean }[] = [];
    let released = false;
    class LateStore extends DynamoStore {
      override async listAlertDigests(org: string) {
        await gate;
        return super.listAlertDigests(org);
      }
      override async putCheckpoint(cp: Parameters<DynamoStore['putCheckpoint']>[0], claim: boolean) {
        saves.push({ claim, released });
        return super.putCheckpoint(cp, claim);
      }
    }
    const late = new LateStore(client, store.tableName);
    const listing = createGitHubClient({ token: TOKEN, baseUrl: github.url, retryAfterBaseValue: 10 });
    let pages = 0;
    listing.hook.after('request', () => {
      pages += 1;
      if (pages === 4) {
        released = true;
        release();
      }
    });
    github.setNow(at(1));
    const full = await takeSnapshot(
      { ...deps, gh: listing, store: late },
      { org: ORG, now: at(1), mode: 'full' },
    );
    const incremental = await takeSnapshot(
      { ...deps, store: twin },
      { org: ORG, now: at(1), mode: 'incremental' },
    );
    expect(released).toBe(true);
    // Before the fingerprints, only the claim of the lease was saved: no cursor passed a page
    // that waited unwritten.
    expect(saves.filter((x) => !x.released)).toEqual([{ claim: true, released: false }]);
    expect(saves.filter((x) => x.released).length).toBeGreaterThan(0);
    const expected = truth(demo, at(1));
    expect(full.complete).toBe(true);
    expect(full.reconciled).toBe(true);
    expect(full.noLongerReported).toBe(0);
    expect(full.alertsWritten).toBe(incremental.alertsWritten);
    expect(full.transitionsWritten).toBe(incremental.transitionsWritten);
    expect(full.openBySeverity).toEqual(openCounts(expected));
    expect(await store.listTransitions(ORG)).toEqual(await twin.listTransitions(ORG));
    const stored = await store.loadAlerts(ORG);
    for (const a of expected) expect(stored.get(alertKey(a))?.alert.state, alertKey(a)).toBe(a.state);
  });

  it('saves no cursor while the held pages are being written, so a run cut off then lists them again', async () => {
    github.setNow(at(2));
    await takeSnapshot(deps, { org: ORG, now: at(2), mode: 'full' });
    github.setNow(at(1));
    // The fingerprints come once four requests were answered. From then on DynamoDB fails every
    // read by key after a pause: the held pages are being written when the other lanes go on.
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let failing = false;
    class FailingStore extends DynamoStore {
      override async listAlertDigests(org: string) {
        await gate;
        const digests = await super.listAlertDigests(org);
        failing = true;
        return digests;
      }
      override async getAlerts(org: string, keys: readonly string[]) {
        if (!failing) return super.getAlerts(org, keys);
        await new Promise((resolve) => setTimeout(resolve, 500));
        throw new Error('DynamoDB could not be reached');
      }
    }
    const listing = createGitHubClient({ token: TOKEN, baseUrl: github.url, retryAfterBaseValue: 10 });
    let pages = 0;
    listing.hook.after('request', () => {
      pages += 1;
      if (pages === 4) release();
    });
    // Every page is due a checkpoint.
    let t = 0;
    const clock = () => {
      t += 2_500;
      return t;
    };
    const failed = await takeSnapshot(
      { ...deps, gh: listing, store: new FailingStore(client, store.tableName), clock },
      { org: ORG, now: at(1), mode: 'full', deadline: Number.MAX_SAFE_INTEGER },
    ).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(Error);
    expect((failed as Error).message).toMatch(/could not be reached/);
    // The Lambda is gone; its lease expires and the next invocation resumes from what was saved.
    const cp = await store.getCheckpoint(ORG);
    expect(cp).not.toBeNull();
    if (!cp) return;
    await store.putCheckpoint({ ...cp, leaseUntil: 1 }, false);
    const m = await takeSnapshot(deps, { org: ORG, now: at(1), mode: 'full' });
    expect(m.snapshotId).toBe(cp.snapshotId);
    expect(m.complete).toBe(true);
    const expected = truth(demo, at(1));
    const stored = await store.loadAlerts(ORG);
    for (const a of expected) expect(stored.get(alertKey(a))?.alert.state, alertKey(a)).toBe(a.state);
    expect(m.openBySeverity).toEqual(openCounts(expected));
  });

  /**
   * customer-portal#7 is fixed at t0 and reopened by t1. A full run at t0 split by state whose
   * open partition is listed at t0 (it is fixed then) and its other partitions at t1 (it is open
   * then): no partition lists it. Returns the Dependabot requests in order, and the manifest.
   */
  const moved = `dependabot#${ORG}/customer-portal#7`;
  const t0 = at(2);
  const t1 = at(1);
  async function splitRunWhileItMoves(): Promise<{ listed: string[]; m: SnapshotManifest }> {
    expect(truth(demo, t0).find((a) => alertKey(a) === moved)?.state).toBe('fixed');
    expect(truth(demo, t1).find((a) => alertKey(a) === moved)?.state).toBe('open');
    await store.putCursor(ORG, 'size#dependabot', '5000');
    // Each partition's length at t0: one page each covers it, so its newest end never asks.
    const atT0 = truth(demo, t0).filter((a) => a.alertType === 'dependabot');
    const sizes = { open: 84, fixed: 30, dismissed: 29 };
    expect(atT0.length).toBe(sizes.open + sizes.fixed + sizes.dismissed);
    for (const [part, n] of Object.entries(sizes))
      await store.putCursor(ORG, `size#dependabot:${part}`, String(n));
    github.setNow(t0);
    const client = createGitHubClient({ token: TOKEN, baseUrl: github.url, retryAfterBaseValue: 10 });
    const listed: string[] = [];
    client.hook.after('request', (_res, options) => {
      const o = options as { url: string; state?: string; sort?: string; direction?: string };
      if (!o.url.includes('dependabot')) return;
      listed.push(o.state ? `${o.state} ${o.direction}` : `sort=${o.sort}`);
      if (o.state === 'open') github.setNow(t1);
    });
    const m = await takeSnapshot(
      { ...deps, gh: client, listConcurrency: 1, partitionAbove: 1 },
      { org: ORG, now: t0, mode: 'full' },
    );
    return { listed, m };
  }

  it('splits a long listing by state and sweeps when a stored alert moved between partitions, so it is never taken for gone', async () => {
    // The last full run, at t0, stored it as fixed.
    github.setNow(t0);
    await takeSnapshot(deps, { org: ORG, now: t0, mode: 'full' });
    expect((await store.loadAlerts(ORG)).get(moved)?.alert.state).toBe('fixed');
    const { listed, m } = await splitRunWhileItMoves();
    // The partitions left a stored alert unaccounted for: the sweep lists it.
    expect(listed).toEqual(['open asc', 'fixed asc', 'dismissed,auto_dismissed asc', 'sort=updated']);
    expect(m.complete).toBe(true);
    expect(m.reconciled).toBe(true);
    expect(m.noLongerReported).toBe(0);
    const stored = await store.loadAlerts(ORG);
    expect(stored.get(moved)?.alert.state).toBe('open');
    expect(stored.get(moved)?.snap).toEqual({ state: 'open', severity: stored.get(moved)?.alert.severity });
    // Every alert as GitHub last listed it, each seen once, and the aggregates agree.
    const expected = truth(demo, t1);
    expect(m.alertsSeen).toBe(expected.length);
    for (const a of expected) expect(stored.get(alertKey(a))?.alert.state, alertKey(a)).toBe(a.state);
    expect(m.openBySeverity).toEqual(openCounts(expected));
    // One listing in the manifest, and the next full run splits it again.
    expect(m.streams.filter((s) => s.stream === 'dependabot').map((s) => s.lane)).toEqual(['dependabot']);
    // The size the partitions listed (alerts created or moved mid-run aside): an estimate for the next run.
    const size = Number(await store.getCursor(ORG, 'size#dependabot'));
    const dependabot = expected.filter((a) => a.alertType === 'dependabot').length;
    expect(size).toBeGreaterThan(0.8 * dependabot);
    expect(size).toBeLessThanOrEqual(dependabot);
    // And each partition's, which together are the listing's.
    const parts = await Promise.all(
      ['open', 'fixed', 'dismissed'].map(async (p) =>
        Number(await store.getCursor(ORG, `size#dependabot:${p}`)),
      ),
    );
    expect(parts.every((n) => n > 0)).toBe(true);
    expect(parts.reduce((a, b) => a + b, 0)).toBe(size);
  });

  it('asks for no sweep when the partitions accounted for every stored alert, and leaves an alert that moved before it was ever stored to the next run', async () => {
    // Nothing stored yet: the partitions cannot have missed a stored alert, so no sweep. The
    // alert that moved between them is not taken for gone (it was never stored) and not counted.
    const { listed, m } = await splitRunWhileItMoves();
    expect(listed).toEqual(['open asc', 'fixed asc', 'dismissed,auto_dismissed asc']);
    expect(m.complete).toBe(true);
    expect(m.reconciled).toBe(true);
    expect(m.noLongerReported).toBe(0);
    expect((await store.loadAlerts(ORG)).has(moved)).toBe(false);
    expect(m.streams.find((s) => s.stream === 'dependabot')?.status).toBe('finished');
    // The next run lists from the full run's instant, so it finds the alert and whatever else
    // changed meanwhile: the store is GitHub's state at t1.
    const next = await takeSnapshot(deps, { org: ORG, now: t1, mode: 'incremental' });
    expect(next.complete).toBe(true);
    const stored = await store.loadAlerts(ORG);
    expect(stored.get(moved)?.alert.state).toBe('open');
    const expected = truth(demo, t1);
    expect(stored.size).toBe(expected.length);
    for (const a of expected) expect(stored.get(alertKey(a))?.alert.state, alertKey(a)).toBe(a.state);
    expect(next.openBySeverity).toEqual(openCounts(expected));
  });

  it('marks alerts GitHub stops listing as no longer reported, never fixed, and leaves them out of the aggregates', async () => {
    await afterDependabotGone(1, async ({ gone: [gone], smaller, gh2 }) => {
      const m = await takeSnapshot({ ...deps, gh: gh2 }, { org: ORG, now: at(1), mode: 'full' });
      expect(m.noLongerReported).toBe(1);
      expect(m.noLongerReportedByRepository).toEqual({ [`${ORG}/${gone?.repository}`]: 1 });
      expect(m.reconciled).toBe(true);
      expect(m.openBySeverity).toEqual(openCounts(truth(smaller, at(1))));
      const key = `dependabot#${ORG}/${gone?.repository}#${gone?.number}`;
      const stored = await store.getAlert(ORG, key);
      expect(stored?.alert.state).toBe('open');
      expect(stored?.snap).toMatchObject({ state: 'open', noLongerReported: true });
      expect(
        (await store.listTransitions(ORG)).filter(
          (t) => t.to === 'fixed' && `${t.alertType}#${t.repository}#${t.number}` === key,
        ),
      ).toEqual([]);
    });
  });

  it('clears the mark when the next full run finds the alert listed again, unchanged', async () => {
    await afterDependabotGone(1, async ({ gone: [gone], gh2 }) => {
      await takeSnapshot({ ...deps, gh: gh2 }, { org: ORG, now: at(1), mode: 'full' });
      const key = `dependabot#${ORG}/${gone?.repository}#${gone?.number}`;
      expect((await store.getAlert(ORG, key))?.snap?.noLongerReported).toBe(true);
      // Listed again exactly as stored: its fingerprint matches, its view (the mark) does not.
      const m = await takeSnapshot(deps, { org: ORG, now: at(1), mode: 'full' });
      expect(m.noLongerReported).toBe(0);
      expect(m.alertsWritten).toBe(1);
      const after = await store.getAlert(ORG, key);
      expect(after?.alert.state).toBe('open');
      expect(after?.snap).toEqual({ state: 'open', severity: after?.alert.severity });
      expect(m.openBySeverity).toEqual(openCounts(truth(demo, at(1))));
      expect([...(await store.listAlertViews(ORG)).values()].filter((v) => v?.noLongerReported)).toEqual([]);
    });
  });

  it('still reconciles the streams listed without a skip when another stream skipped an alert', async () => {
    await afterDependabotGone(1, async ({ gone: [gone], smaller, other, gh2 }) => {
      other.injectFault({
        path: `/orgs/${ORG}/code-scanning/alerts`,
        page: 1,
        corrupt: { dropFields: ['created_at'], item: 0 },
      });
      const m = await takeSnapshot({ ...deps, gh: gh2 }, { org: ORG, now: at(1), mode: 'full' });
      expect(m.complete).toBe(false);
      expect(m.streams.find((s) => s.lane === 'code_scanning')?.skipped).toBe(1);
      // Dependabot was listed whole: its missing alert is marked. Code scanning skipped one: none of
      // its alerts is taken for gone, the skipped one included.
      expect(m.reconciled).toBe(true);
      expect(m.noLongerReported).toBe(1);
      expect(m.noLongerReportedByRepository).toEqual({ [`${ORG}/${gone?.repository}`]: 1 });
      const views = await store.listAlertViews(ORG);
      const marked = [...views].filter(([, v]) => v?.noLongerReported).map(([k]) => k);
      expect(marked).toEqual([`dependabot#${ORG}/${gone?.repository}#${gone?.number}`]);
      expect(m.openBySeverity).toEqual(openCounts(truth(smaller, at(1))));
    });
  });

  it('counts the alerts a run marked no longer reported before it was cut off while marking', async () => {
    // The Lambda stops after five marks: the next invocation finds the lanes done and the lease expired.
    let marks = 0;
    class CutOffStore extends DynamoStore {
      override async markNoLongerReported(org: string, key: string, snap: SnapView, snapshotId: string) {
        marks += 1;
        if (marks > 5) throw new Error('Lambda stopped');
        return super.markNoLongerReported(org, key, snap, snapshotId);
      }
    }
    await afterDependabotGone(12, async ({ smaller, gh2 }) => {
      const cut = await takeSnapshot(
        { ...deps, gh: gh2, store: new CutOffStore(client, store.tableName) },
        { org: ORG, now: at(1), mode: 'full' },
      ).catch((error: unknown) => error);
      expect((cut as Error).message).toMatch(/Lambda stopped/);
      const cp = await store.getCheckpoint(ORG);
      expect(cp).not.toBeNull();
      if (!cp) return;
      await store.putCheckpoint({ ...cp, leaseUntil: 1 }, false);
      const m = await takeSnapshot({ ...deps, gh: gh2 }, { org: ORG, now: at(1), mode: 'full' });
      expect(m.snapshotId).toBe(cp.snapshotId);
      expect(m.complete).toBe(true);
      // The five marked before the cut count; the others are not marked (the resumed run does not
      // know every key the first invocation listed, so it does not reconcile).
      expect(m.reconciled).toBe(false);
      expect(m.noLongerReported).toBe(5);
      expect(Object.values(m.noLongerReportedByRepository ?? {}).reduce((n, c) => n + c, 0)).toBe(5);
      const views = await store.listAlertViews(ORG);
      const marked = [...views.values()].filter((v) => v?.noLongerReported);
      expect(marked).toHaveLength(5);
      expect(marked.every((v) => v?.noLongerReportedBy === cp.snapshotId)).toBe(true);
      // The next full run marks the rest, and counts only those.
      const again = await takeSnapshot({ ...deps, gh: gh2 }, { org: ORG, now: at(1), mode: 'full' });
      expect(again.reconciled).toBe(true);
      expect(again.noLongerReported).toBe(7);
      expect(again.openBySeverity).toEqual(openCounts(truth(smaller, at(1))));
    });
  });

  it('stops at the time limit with a checkpoint, and the next run resumes it to the same result', async () => {
    github.setNow(at(0));
    const clock = jumpingClock();
    const first = await takeSnapshot(
      { ...deps, clock },
      { org: ORG, now: at(0), mode: 'full', deadline: 200_000 },
    );
    expect(first.complete).toBe(false);
    expect(first.resumable).toBe(true);
    expect(first.streams.some((s) => s.status === 'running')).toBe(true);
    const checkpoint = await store.getCheckpoint(ORG);
    expect(checkpoint?.snapshotId).toBe(first.snapshotId);

    const second = await takeSnapshot(deps, { org: ORG, now: at(0), mode: 'full' });
    expect(second.snapshotId).toBe(first.snapshotId);
    expect(second.complete).toBe(true);
    expect(second.invocations).toBe(2);
    // The keys listed before the pause were saved, so the resumed run still reconciles.
    expect(second.reconciled).toBe(true);
    expect(second.noLongerReported).toBe(0);
    const expected = truth(demo, at(0));
    expect(second.openBySeverity).toEqual(openCounts(expected));
    expect((await store.loadAlerts(ORG)).size).toBe(expected.length);
    expect(await store.getCheckpoint(ORG)).toBeNull();
    const manifests = await store.listManifests(ORG);
    expect(manifests.filter((x) => x.snapshotId === first.snapshotId)).toHaveLength(1);
  });

  it('keeps the audit watermark of a snapshot whose audit log was read in an earlier invocation', async () => {
    github.setNow(at(0));
    // The first snapshot: Dependabot's second page keeps failing, everything else is read.
    github.injectFault({
      path: `/orgs/${ORG}/dependabot/alerts`,
      page: 2,
      status: 502,
      times: Number.POSITIVE_INFINITY,
    });
    const first = await takeSnapshot(deps, { org: ORG, now: at(0), mode: 'full' });
    expect(first.complete).toBe(false);
    expect(first.streams.find((s) => s.stream === 'audit_log')?.status).toBe('finished');
    const read = first.auditEventsWritten;
    expect(read).toBeGreaterThan(50);
    github.clearFaults();
    // The next invocation finishes it: the audit log's watermark is the newest event read before.
    const done = await takeSnapshot(deps, { org: ORG, now: at(0), mode: 'full' });
    expect(done.snapshotId).toBe(first.snapshotId);
    expect(done.complete).toBe(true);
    const events = await store.listAuditEvents(ORG);
    expect(events).toHaveLength(read);
    const newest = events
      .map((e) => e.at)
      .sort()
      .at(-1);
    expect(await store.getCursor(ORG, 'watermark#audit_log')).toBe(newest);
    // So the next run reads only the last hour again, and stores nothing twice.
    const next = await takeSnapshot(deps, { org: ORG, now: at(0), mode: 'incremental' });
    expect(next.auditEventsWritten).toBe(0);
    expect(await store.listAuditEvents(ORG)).toHaveLength(read);
  });

  it('retries GitHub 502s and finishes complete', async () => {
    github.setNow(at(0));
    github.injectFault({ path: /code-scanning\/alerts/, status: 502, times: 2 });
    const m = await takeSnapshot(deps, { org: ORG, now: at(0), mode: 'full' });
    expect(m.complete).toBe(true);
    expect(m.openBySeverity).toEqual(openCounts(truth(demo, at(0))));
  });

  it("retries a request that times out, and honours a secondary rate limit's retry-after", async () => {
    github.setNow(at(0));
    const client = createGitHubClient({
      token: TOKEN,
      baseUrl: github.url,
      timeoutMs: 300,
      retryAfterBaseValue: 10,
    });
    github.injectFault(timeoutFault(`/orgs/${ORG}/dependabot/alerts`, 1_000));
    github.injectFault(secondaryRateLimitFault(`/orgs/${ORG}/code-scanning/alerts`, 1));
    const before = github.stats.requests;
    const m = await takeSnapshot({ ...deps, gh: client }, { org: ORG, now: at(0), mode: 'full' });
    expect(m.complete).toBe(true);
    expect(m.openBySeverity).toEqual(openCounts(truth(demo, at(0))));
    // Both faults were met: GitHub saw one retry of each on top of the snapshot's own pages.
    expect(github.stats.requests - before - (m.requests ?? 0)).toBe(2);
  });

  it('fetches again a page whose connection dropped halfway through the body', async () => {
    github.setNow(at(0));
    github.injectFault(cutOffFault(`/orgs/${ORG}/dependabot/alerts`, { page: 2 }));
    const before = github.stats.requests;
    const m = await takeSnapshot(deps, { org: ORG, now: at(0), mode: 'full' });
    expect(m.complete).toBe(true);
    expect(m.streams.find((s) => s.lane === 'dependabot')?.skippedPages).toBe(0);
    expect(m.openBySeverity).toEqual(openCounts(truth(demo, at(0))));
    // GitHub saw the page twice: the cut-off answer and the whole one.
    expect(github.stats.requests - before - (m.requests ?? 0)).toBe(1);
  });

  it('skips a page that is not JSON, counts it, and keeps the snapshot incomplete with its watermark unmoved', async () => {
    github.setNow(at(0));
    github.injectFault({ path: `/orgs/${ORG}/dependabot/alerts`, page: 1, corrupt: 'invalid-json' });
    const m = await takeSnapshot(deps, { org: ORG, now: at(0), mode: 'full' });
    const lane = m.streams.find((s) => s.lane === 'dependabot');
    expect(lane?.skippedPages).toBe(1);
    expect(m.complete).toBe(false);
    expect(await store.getCursor(ORG, 'watermark#dependabot')).toBeNull();
    expect(await store.getCursor(ORG, 'watermark#code_scanning')).toBe(at(0).toISOString());
  });

  it('skips and names an alert without the fields the model needs, keeps the snapshot incomplete and reads that stream again', async () => {
    github.setNow(at(0));
    github.injectFault({
      path: `/orgs/${ORG}/code-scanning/alerts`,
      page: 1,
      corrupt: { dropFields: ['created_at'], item: 0 },
    });
    const m = await takeSnapshot(deps, { org: ORG, now: at(0), mode: 'full' });
    expect(m.streams.find((s) => s.lane === 'code_scanning')?.skipped).toBe(1);
    expect(m.skippedItems?.[0]).toMatchObject({ stream: 'code_scanning' });
    expect(m.skippedItems?.[0]?.reason).toMatch(/created_at/);
    expect(m.alertsSeen).toBe(truth(demo, at(0)).length - 1);
    // The ledger does not have that alert: not complete, and code scanning is read again next time.
    expect(m.complete).toBe(false);
    expect(await store.getCursor(ORG, 'watermark#code_scanning')).toBeNull();
    expect(await store.getCursor(ORG, 'watermark#dependabot')).toBe(at(0).toISOString());
    github.clearFaults();
    const next = await takeSnapshot(deps, { org: ORG, now: at(0), mode: 'incremental' });
    expect(next.complete).toBe(true);
    expect(next.streams.find((s) => s.lane === 'code_scanning')?.items).toBeGreaterThan(0);
    expect(next.streams.find((s) => s.lane === 'dependabot')?.items).toBe(0);
    expect((await store.loadAlerts(ORG)).size).toBe(truth(demo, at(0)).length);
    expect(await store.getCursor(ORG, 'watermark#code_scanning')).toBe(at(0).toISOString());
  });

  /** A full run at `now` against a GitHub that refuses code scanning (403 on its lists). */
  async function fullRunWithoutCodeScanning(now: Date, more: Partial<SnapshotDeps> = {}) {
    const forbidding = await startSimulatedGitHub({
      demo,
      token: TOKEN,
      now: () => now,
      forbid: ['code_scanning'],
    });
    try {
      return await takeSnapshot(
        { ...deps, gh: createGitHubClient({ token: TOKEN, baseUrl: forbidding.url }), ...more },
        { org: ORG, now, mode: 'full' },
      );
    } finally {
      await forbidding.close();
    }
  }

  it('records a feature that is off as a coverage gap, not a failure', async () => {
    const m = await fullRunWithoutCodeScanning(at(0));
    expect(m.complete).toBe(true);
    const lane = m.streams.find((s) => s.lane === 'code_scanning');
    expect(lane?.status).toBe('unavailable');
    expect(lane?.message).toMatch(/Code scanning alerts: read/);
    expect(m.openBySeverity.code_scanning).toEqual({ critical: 0, high: 0, medium: 0, low: 0 });
  });

  it('records a feature that is off as a coverage gap in a listing a full run splits, sweep included', async () => {
    // Long at the last full run: split by state, each partition from both ends, and a sweep.
    await store.putCursor(ORG, 'size#code_scanning', '5000');
    const m = await fullRunWithoutCodeScanning(at(0), { partitionAbove: 1 });
    expect(m.complete).toBe(true);
    const lane = m.streams.find((s) => s.lane === 'code_scanning');
    expect(lane?.status).toBe('unavailable');
    expect(lane?.message).toMatch(/Code scanning alerts: read/);
    expect(m.openBySeverity.code_scanning).toEqual({ critical: 0, high: 0, medium: 0, low: 0 });
  });

  it('counts the stored alerts of a stream that became unavailable as last seen, so later runs build on exact aggregates', async () => {
    github.setNow(at(2));
    await takeSnapshot(deps, { org: ORG, now: at(2), mode: 'full' });
    const m = await fullRunWithoutCodeScanning(at(1));
    expect(m.complete).toBe(true);
    expect(m.reconciled).toBe(true);
    expect(m.streams.find((s) => s.lane === 'code_scanning')?.status).toBe('unavailable');
    // Code scanning as the last run saw it; the rest as listed now.
    const lastSeen = [
      ...truth(demo, at(1)).filter((a) => a.alertType !== 'code_scanning'),
      ...truth(demo, at(2)).filter((a) => a.alertType === 'code_scanning'),
    ];
    expect(openCounts(lastSeen).code_scanning).not.toEqual(emptyOpenCounts().code_scanning);
    expect(m.openBySeverity).toEqual(openCounts(lastSeen));
    // Code scanning is back: the incremental run moves the stored aggregates by what changed.
    github.setNow(at(0));
    const next = await takeSnapshot(deps, { org: ORG, now: at(0), mode: 'incremental' });
    expect(next.complete).toBe(true);
    expect(next.openBySeverity).toEqual(openCounts(truth(demo, at(0))));
  });

  it('ends a stream GitHub refuses as invalid (422) for this run, so the next run starts afresh instead of resuming it', async () => {
    github.setNow(at(2));
    await takeSnapshot(deps, { org: ORG, now: at(2), mode: 'full' });
    // The server rejects the non-provider listing's parameters, every time.
    github.injectFault({
      path: /secret-scanning\/alerts\?.*secret_type=/,
      status: 422,
      times: Number.POSITIVE_INFINITY,
      body: JSON.stringify({ message: 'Invalid secret_type' }),
    });
    github.setNow(at(1));
    const first = await takeSnapshot(deps, { org: ORG, now: at(1), mode: 'incremental' });
    expect([first.complete, first.resumable]).toEqual([false, false]);
    const refused = first.streams.find((s) => s.lane === 'secret_scanning:non_provider');
    expect(refused?.status).toBe('failed');
    expect(refused?.message).toMatch(/422: Invalid secret_type.*next run asks again/);
    // Everything else was listed, and its watermark moved.
    expect(first.streams.filter((s) => s.status !== 'finished').map((s) => s.lane)).toEqual([
      'secret_scanning:non_provider',
    ]);
    expect(await store.getCursor(ORG, 'watermark#dependabot')).toBe(at(1).toISOString());
    expect(await store.getCursor(ORG, 'watermark#secret_scanning:non_provider')).toBe(at(2).toISOString());
    // A week later: a snapshot of that instant, not the paused one of a week before.
    github.setNow(at(0));
    const second = await takeSnapshot(deps, { org: ORG, now: at(0), mode: 'incremental' });
    expect(second.takenAt).toBe(at(0).toISOString());
    expect(second.resumable).toBe(false);
    github.clearFaults();
    const third = await takeSnapshot(deps, { org: ORG, now: at(0), mode: 'incremental' });
    expect(third.complete).toBe(true);
    const stored = await store.loadAlerts(ORG);
    for (const a of truth(demo, at(0)))
      expect(stored.get(alertKey(a))?.alert.state, alertKey(a)).toBe(a.state);
    expect(third.openBySeverity).toEqual(openCounts(truth(demo, at(0))));
  });

  it('stops a stream on an exhausted rate limit and resumes it on the next run', async () => {
    github.setNow(at(0));
    const reset = String(Math.floor(Date.now() / 1000) + 3600);
    github.injectFault({
      path: `/orgs/${ORG}/secret-scanning/alerts`,
      status: 403,
      times: 1,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset },
      body: JSON.stringify({ message: 'API rate limit exceeded' }),
    });
    const first = await takeSnapshot(deps, { org: ORG, now: at(0), mode: 'full' });
    expect(first.complete).toBe(false);
    expect(first.resumable).toBe(true);
    expect(first.streams.find((s) => s.lane === 'secret_scanning')?.message).toMatch(/rate limit/);
    const second = await takeSnapshot(deps, { org: ORG, now: at(0), mode: 'full' });
    expect(second.complete).toBe(true);
    expect(second.openBySeverity).toEqual(openCounts(truth(demo, at(0))));
  });

  it('never goes backwards when a webhook already stored a newer state', async () => {
    github.setNow(at(1));
    await takeSnapshot(deps, { org: ORG, now: at(1), mode: 'full' });
    const [open] = [...(await store.loadAlerts(ORG)).values()].filter((s) => s.alert.state === 'open');
    expect(open).toBeDefined();
    if (!open) return;
    const newer: Alert = {
      ...open.alert,
      state: 'dismissed',
      reason: 'tolerable_risk',
      closedAt: new Date(Date.parse(END) + WEEK).toISOString(),
      updatedAt: new Date(Date.parse(END) + WEEK).toISOString(),
    };
    await store.writeAlert(ORG, newer, open.version, []);
    // The webhook's write keeps what the last snapshot saw: the base of the next aggregates.
    expect((await store.getAlert(ORG, alertKey(newer)))?.snap).toEqual({
      state: 'open',
      severity: open.alert.severity,
    });
    await takeSnapshot(deps, { org: ORG, now: at(1), mode: 'full' });
    expect((await store.getAlert(ORG, alertKey(newer)))?.alert.state).toBe('dismissed');
    // The snapshot's view, and so its counts, are what GitHub listed: the alert open. The later
    // change is counted by the first snapshot that lists it.
    expect((await store.getAlert(ORG, alertKey(newer)))?.snap).toEqual({
      state: 'open',
      severity: open.alert.severity,
    });
    expect((await store.getAggregates(ORG))?.openBySeverity).toEqual(openCounts(truth(demo, at(1))));
    const types: AlertType[] = [...ALERT_TYPES];
    expect(types).toContain(newer.alertType);
  });

  it('writes changed alerts many to a transaction, and leaves one a webhook wrote meanwhile to the webhook', async () => {
    github.setNow(at(2));
    await takeSnapshot(deps, { org: ORG, now: at(2), mode: 'full' });
    github.setNow(at(1));
    const expected = truth(demo, at(1));
    const before = await store.loadAlerts(ORG);
    const target = expected.find(
      (a) => a.state !== 'open' && before.get(alertKey(a))?.alert.state === 'open',
    );
    if (!target) throw new Error('the demo closes some alert between the two instants');
    // The webhook delivers that change after the snapshot read the page and before it writes it.
    let raced = false;
    const racing = new (class extends DynamoStore {
      override async getAlerts(org: string, keys: readonly string[]) {
        const got = await super.getAlerts(org, keys);
        const base = got.get(alertKey(target));
        if (base && !raced) {
          raced = true;
          const obs = observeAlert(base.alert, target, 'webhook');
          if (!obs.write) throw new Error('the webhook sees a change');
          await this.writeAlert(org, obs.write, base.version, obs.transitions);
        }
        return got;
      }
    })(client, store.tableName);
    const m = await takeSnapshot({ ...deps, store: racing }, { org: ORG, now: at(1), mode: 'incremental' });
    expect(raced).toBe(true);
    expect(m.complete).toBe(true);
    const stored = await store.loadAlerts(ORG);
    for (const a of expected) expect(stored.get(alertKey(a))?.alert.state).toBe(a.state);
    expect(m.openBySeverity).toEqual(openCounts(expected));
    const since = await store.listTransitions(ORG, { from: at(2).toISOString() });
    // The raced change is recorded once, by the webhook; every other one once, by the snapshot.
    expect(
      since.filter((t) => alertKey(t) === alertKey(target) && t.to === target.state).map((t) => t.source),
    ).toEqual(['webhook']);
    const bySnapshot = since.filter((t) => t.source === 'snapshot');
    expect(bySnapshot.length).toBe(m.transitionsWritten);
    expect(new Set(bySnapshot.map((t) => `${alertKey(t)}>${t.to}`)).size).toBe(bySnapshot.length);
    // The snapshot's transitions share items: packs of a day each, far fewer than the changes.
    const raw = await client.send(
      new QueryCommand({
        TableName: store.tableName,
        KeyConditionExpression: 'pk = :pk AND sk >= :from',
        ExpressionAttributeValues: {
          ':pk': { S: `TRANS#${ORG}` },
          ':from': { S: `${at(2).toISOString().slice(0, 10)}T00:00:00.000Z` },
        },
      }),
    );
    const packs = (raw.Items ?? []).filter((i) => i.transitions?.S !== undefined);
    const packed = packs.flatMap((i) => JSON.parse(i.transitions?.S ?? '[]') as { source: string }[]);
    expect(packed.filter((t) => t.source === 'snapshot').length).toBe(bySnapshot.length);
    expect(bySnapshot.length).toBeGreaterThan(10);
    expect(packs.length * 4).toBeLessThan(bySnapshot.length);
  });

  it('on GHES 3.17, which ignores hide_secret, still never stores the secret', async () => {
    const ghes = await startSimulatedGitHub({
      demo,
      token: TOKEN,
      now: () => at(0),
      ghes: { version: '3.17' },
    });
    try {
      const client = createGitHubClient({ token: TOKEN, baseUrl: ghes.url });
      const version = await detectGhesVersion(client);
      expect(version).toBe('3.17.0');
      expect(supportsHideSecret(version)).toBe(false);
      const m = await takeSnapshot(
        { ...deps, gh: client, hideSecret: supportsHideSecret(version) },
        { org: ORG, now: at(0), mode: 'full' },
      );
      expect(m.complete).toBe(true);
      const secrets = [...(await store.loadAlerts(ORG)).values()].filter(
        (s) => s.alert.alertType === 'secret_scanning',
      );
      expect(secrets.length).toBeGreaterThan(0);
      expect(JSON.stringify(secrets)).not.toContain('demo-secret-value');
    } finally {
      await ghes.close();
    }
  });

  it('snapshots with a GitHub App installation token', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const withApp = await startSimulatedGitHub({
      demo,
      now: () => at(0),
      app: {
        appId: 4242,
        publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        installations: { 77: ORG },
      },
    });
    try {
      const client = createGitHubClient({
        auth: {
          kind: 'app',
          appId: 4242,
          privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
          installationId: 77,
        },
        baseUrl: withApp.url,
      });
      const m = await takeSnapshot({ ...deps, gh: client }, { org: ORG, now: at(0), mode: 'full' });
      expect(m.complete).toBe(true);
      expect(m.openBySeverity).toEqual(openCounts(truth(demo, at(0))));
      expect(withApp.stats.tokensCreated).toBe(1);
    } finally {
      await withApp.close();
    }
  });

  it('treats organisation names case-insensitively, as GitHub does', async () => {
    github.setNow(at(0));
    const m = await takeSnapshot(deps, { org: 'OCTO-Demo', now: at(0), mode: 'full' });
    const expected = truth(demo, at(0));
    expect(m.alertsSeen).toBe(expected.length);
    expect(m.openBySeverity).toEqual(openCounts(expected));
    expect((await store.loadAlerts('octo-demo')).size).toBe(expected.length);
    // The audit log's events too: every one listed is stored, under the organisation.
    const audit = m.streams.find((s) => s.stream === 'audit_log');
    expect(audit?.items).toBeGreaterThan(50);
    expect(m.auditEventsWritten).toBe(audit?.items);
    expect((await store.listAuditEvents('octo-demo')).length).toBe(audit?.items);
    expect(await store.getCursor('OCTO-Demo', 'watermark#audit_log')).not.toBeNull();
  });

  it('checks the organisation only on its first snapshot, and names it when a known one is gone', async () => {
    github.setNow(at(1));
    const orgChecks = () => github.stats.byPath[`/orgs/${ORG}`] ?? 0;
    const before = orgChecks();
    await takeSnapshot(deps, { org: ORG, now: at(1), mode: 'full' });
    expect(orgChecks() - before).toBe(1);
    const requests = github.stats.requests;
    const again = await takeSnapshot(deps, { org: ORG, now: at(0), mode: 'full' });
    expect(again.complete).toBe(true);
    expect(github.stats.requests - requests).toBe(again.requests);
    expect(orgChecks() - before).toBe(1);
    // An organisation snapshotted before, then deleted or renamed: every list answers 404.
    await store.putCursor('octo-renamed', 'watermark#dependabot', at(1).toISOString());
    const gone = await takeSnapshot(deps, { org: 'octo-renamed', now: at(0), mode: 'full' }).catch(
      (error: unknown) => error,
    );
    expect((gone as Error).message).toMatch(/Organisation "octo-renamed" was not found \(404\)/);
    expect(await store.getCheckpoint('octo-renamed')).toBeNull();
  });

  it('lets only one invocation resume a paused snapshot', async () => {
    github.setNow(at(0));
    const clock = jumpingClock();
    await takeSnapshot({ ...deps, clock }, { org: ORG, now: at(0), mode: 'full', deadline: 200_000 });
    const results = await Promise.allSettled([
      takeSnapshot(deps, { org: ORG, now: at(0), mode: 'full' }),
      takeSnapshot(deps, { org: ORG, now: at(0), mode: 'full' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected?.reason).toBeInstanceOf(ConcurrentUpdateError);
    expect((await store.getAggregates(ORG))?.openBySeverity).toEqual(openCounts(truth(demo, at(0))));
  });

  it('frees the snapshot when GitHub refuses the token mid-run, so the run after the fix goes on at once', async () => {
    github.setNow(at(2));
    await takeSnapshot(deps, { org: ORG, now: at(2), mode: 'full' });
    github.setNow(at(1));
    const revoked = createGitHubClient({ token: 'revoked-token', baseUrl: github.url, retries: 0 });
    const refused = await takeSnapshot(
      { ...deps, gh: revoked },
      { org: ORG, now: at(1), mode: 'incremental' },
    ).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(GitHubAuthError);
    const m = await takeSnapshot(deps, { org: ORG, now: at(1), mode: 'incremental' });
    expect(m.complete).toBe(true);
    expect(m.openBySeverity).toEqual(openCounts(truth(demo, at(1))));
    expect(await store.getCheckpoint(ORG)).toBeNull();
  });

  /**
   * A full run at at(0) over a store that already holds every alert, paused by the time limit
   * with the keys it listed saved: its manifest.
   */
  async function pausedFullRun(): Promise<SnapshotManifest> {
    github.setNow(at(0));
    await takeSnapshot(deps, { org: ORG, now: at(0), mode: 'full' });
    const first = await takeSnapshot(
      { ...deps, clock: jumpingClock() },
      { org: ORG, now: at(0), mode: 'full', deadline: 200_000 },
    );
    expect(first.complete).toBe(false);
    expect((await store.getCheckpoint(ORG))?.seenSaved).toBe(true);
    return first;
  }

  /** The test's store, but saving a full run's listed keys fails with `message`. */
  const unableToSaveKeys = (message: string): DynamoStore =>
    new (class extends DynamoStore {
      override async saveSeenKeys(): Promise<void> {
        throw new Error(message);
      }
    })(client, store.tableName);

  it.each([
    ['saves the keys it listed with its cursors, so the next run still reconciles', true],
    ['could not save the keys it listed, so the next run does not reconcile', false],
  ])('takes nothing for gone after a resumed run that GitHub refused: it %s', async (_, saves) => {
    // A full run paused by the time limit saves the keys it listed.
    const first = await pausedFullRun();
    expect((await store.getCheckpoint(ORG))?.lanes.dependabot?.done).toBe(false);
    // Resumed: the alert lists go on to their ends, and then GitHub refuses the token (the audit
    // log's first page answers 401 after 1.5 s).
    github.injectFault({ path: `/orgs/${ORG}/audit-log`, status: 401, delayMs: 1_500 });
    const resumedStore = saves ? store : unableToSaveKeys('DynamoDB could not be reached');
    const refused = await takeSnapshot(
      { ...deps, store: resumedStore },
      { org: ORG, now: at(0), mode: 'full' },
    ).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(GitHubAuthError);
    const after = await store.getCheckpoint(ORG);
    expect(after?.leaseUntil).toBe(0);
    expect(after?.lanes.dependabot?.done).toBe(true);
    expect(after?.seenSaved).toBe(saves);
    // The run after the fix finishes it, and takes none of the alerts the refused run listed for gone.
    const m = await takeSnapshot(deps, { org: ORG, now: at(0), mode: 'full' });
    expect(m.snapshotId).toBe(first.snapshotId);
    expect(m.complete).toBe(true);
    expect(m.reconciled).toBe(saves);
    expect(m.noLongerReported).toBe(0);
    expect(m.openBySeverity).toEqual(openCounts(truth(demo, at(0))));
    const stored = await store.loadAlerts(ORG);
    expect([...stored.values()].filter((a) => a.snap?.noLongerReported)).toEqual([]);
  });

  it('reconciles nothing once an invocation lost the keys it listed, in every invocation after', async () => {
    // 1: paused at the time limit, the keys it listed saved.
    const first = await pausedFullRun();
    // 2: lists more and is cut off at its end (the keys' save fails): its lease stays held, and
    // the keys it listed are lost.
    const cut = await takeSnapshot(
      { ...deps, store: unableToSaveKeys('Task timed out after 900.00 seconds'), clock: jumpingClock() },
      { org: ORG, now: at(0), mode: 'full', deadline: 200_000 },
    ).catch((e: unknown) => e);
    expect(String(cut)).toMatch(/timed out/);
    const held = await store.getCheckpoint(ORG);
    expect(held?.leaseUntil).not.toBe(0);
    // 3: resumed once the lease expired, and paused again at once.
    await store.putCheckpoint({ ...(held as NonNullable<typeof held>), leaseUntil: 1 }, false);
    const third = await takeSnapshot(
      { ...deps, clock: jumpingClock() },
      { org: ORG, now: at(0), mode: 'full', deadline: 30_000 },
    );
    expect(third.snapshotId).toBe(first.snapshotId);
    expect(third.complete).toBe(false);
    const paused = await store.getCheckpoint(ORG);
    expect(paused?.seenSaved).toBe(false);
    expect(paused?.recount).toBe(true);
    // 4: finishes. The keys saved by 1 lack what 2 listed: trusting them would take those for gone.
    const m = await takeSnapshot(deps, { org: ORG, now: at(0), mode: 'full' });
    expect(m.snapshotId).toBe(first.snapshotId);
    expect(m.complete).toBe(true);
    expect(m.reconciled).toBe(false);
    expect(m.noLongerReported).toBe(0);
    expect(m.openBySeverity).toEqual(openCounts(truth(demo, at(0))));
  });

  it('recounts after a run that was cut off without releasing its lease, whatever its movement said', async () => {
    github.setNow(at(2));
    await takeSnapshot(deps, { org: ORG, now: at(2), mode: 'full' });
    github.setNow(at(1));
    const clock = jumpingClock();
    await takeSnapshot({ ...deps, clock }, { org: ORG, now: at(1), mode: 'incremental', deadline: 150_000 });
    const cp = await store.getCheckpoint(ORG);
    expect(cp).not.toBeNull();
    if (!cp) return;
    // A crash: the lease still held (expired), and a movement that lost its last page.
    await store.putCheckpoint({ ...cp, leaseUntil: 1, delta: {} }, true);
    const m = await takeSnapshot(deps, { org: ORG, now: at(1), mode: 'incremental' });
    expect(m.complete).toBe(true);
    expect(m.openBySeverity).toEqual(openCounts(truth(demo, at(1))));
  });

  it('does not take an alert skipped as invalid for gone, and keeps the audit watermark behind a skipped page', async () => {
    github.setNow(at(0));
    await takeSnapshot(deps, { org: ORG, now: at(0), mode: 'full' });
    const watermark = await store.getCursor(ORG, 'watermark#audit_log');
    github.injectFault({
      path: `/orgs/${ORG}/code-scanning/alerts`,
      page: 1,
      corrupt: { dropFields: ['created_at'], item: 0 },
    });
    github.injectFault({ path: `/orgs/${ORG}/audit-log`, page: 1, corrupt: 'invalid-json' });
    const m = await takeSnapshot(deps, { org: ORG, now: new Date(at(0).getTime() + 3600_000), mode: 'full' });
    expect(m.noLongerReported).toBe(0);
    expect(m.complete).toBe(false);
    expect(await store.getCursor(ORG, 'watermark#audit_log')).toBe(watermark);
  });

  it('a full run that first finishes a paused incremental one still reconciles', async () => {
    github.setNow(at(2));
    await takeSnapshot(deps, { org: ORG, now: at(2), mode: 'full' });
    github.setNow(at(1));
    const clock = jumpingClock();
    const paused = await takeSnapshot(
      { ...deps, clock },
      { org: ORG, now: at(1), mode: 'incremental', deadline: 150_000 },
    );
    expect(paused.resumable).toBe(true);
    const m = await takeSnapshot(deps, { org: ORG, now: at(1), mode: 'full' });
    expect(m.mode).toBe('full');
    expect(m.reconciled).toBe(true);
    expect(m.openBySeverity).toEqual(openCounts(truth(demo, at(1))));
    const manifests = await store.listManifests(ORG);
    expect(manifests.filter((x) => x.snapshotId === paused.snapshotId && x.complete)).toHaveLength(1);
  });
});
