import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ALERT_TYPES, type Alert, alertKey } from '../../functions/core/model.ts';
import { normalizeAlert } from '../../functions/core/normalize.ts';
import { createGitHubClient, type GitHubClient } from '../../functions/github/client.ts';
import type { DynamoStore } from '../../functions/store/dynamo-store.ts';
import { silentLog } from '../../functions/use-cases/log.ts';
import { type SnapshotDeps, takeSnapshot } from '../../functions/use-cases/take-snapshot.ts';
import type { DemoOrg } from '../../infra/local/github/demo-types.ts';
import { renderAlertsAt } from '../../infra/local/github/render.ts';
import { generateScaleOrg } from '../../infra/local/github/scale-org.ts';
import { type SimulatedGitHub, startSimulatedGitHub } from '../../infra/local/github/server.ts';
import { createTestStore } from '../support/dynamo.ts';

const ORG = 'octo-ends';
const TOKEN = 'two-ends-token';
const END = '2026-11-16T00:00:00.000Z';
const DAY = 24 * 3600 * 1000;
const T0 = new Date(Date.parse(END) - 3 * DAY);
/**
 * Below every listing's length: the second full run lists them all from both ends; and ten
 * requests on the wire make the run short enough (20 pages / 10) that Dependabot's and code
 * scanning's two ends would take over half of it, so both are split by state too.
 */
const SPLIT = { partitionAbove: 200, wireConcurrency: 10 };

function truth(demo: DemoOrg, now: Date): Alert[] {
  const rendered = renderAlertsAt(demo, now);
  return ALERT_TYPES.flatMap((t) => rendered[t].map((raw) => normalizeAlert(t, raw)));
}

/**
 * Each alert list request as "listing state direction" ("listing sweep" for a closing sweep),
 * e.g. "dependabot open asc", "secret_scanning all desc".
 */
function recordRequests(client: GitHubClient): string[] {
  const requests: string[] = [];
  client.hook.after('request', (_res, options) => {
    // A first page names its parameters; later ones come from the Link header's URL.
    const o = options as Record<string, unknown> & { url: string };
    const query = new URL(o.url, 'https://api.github.com').searchParams;
    const param = (name: string) => query.get(name) ?? (o[name] === undefined ? null : String(o[name]));
    const path = /\/(dependabot|secret-scanning|code-scanning)\/alerts/.exec(o.url)?.[1];
    if (!path) return;
    const listing = `${path.replace('-', '_')}${param('secret_type') ? ':non_provider' : ''}`;
    requests.push(
      param('sort') === 'updated'
        ? `${listing} sweep`
        : `${listing} ${param('state') ?? 'all'} ${param('direction')}`,
    );
  });
  return requests;
}

async function storedStates(store: DynamoStore): Promise<Map<string, string>> {
  return new Map([...(await store.loadAlerts(ORG))].map(([k, v]) => [k, v.alert.state]));
}

describe('full snapshots that list long partitions from both ends', () => {
  let github: SimulatedGitHub;
  let demo: DemoOrg;
  let store: DynamoStore;
  let deps: SnapshotDeps;

  beforeAll(async () => {
    // 2,000 alerts: 1,000 Dependabot, 700 code scanning, 300 secret scanning.
    demo = generateScaleOrg({
      org: ORG,
      alerts: 2_000,
      repositories: 20,
      endsAt: END,
      seed: 3,
      auditLog: false,
    });
    github = await startSimulatedGitHub({ demo, token: TOKEN, rateLimit: 1_000_000 });
  });
  afterAll(async () => {
    await github.close();
  });
  beforeEach(async () => {
    ({ store } = await createTestStore('ends'));
    github.setNow(T0);
    const gh = createGitHubClient({ token: TOKEN, baseUrl: github.url, retryAfterBaseValue: 10 });
    deps = { gh, store, log: silentLog, ...SPLIT };
  });

  it('meets in the middle of each partition, stores exactly what GitHub lists and asks for no page it could do without', async () => {
    const first = await takeSnapshot(deps, { org: ORG, now: T0, mode: 'full' });
    expect(first.complete).toBe(true);
    const expected = truth(demo, T0);
    // The first full run lists each listing whole, and sizes each partition for the next one.
    const openDependabot = expected.filter((a) => a.alertType === 'dependabot' && a.state === 'open').length;
    expect(Number(await store.getCursor(ORG, 'size#dependabot:open'))).toBe(openDependabot);

    const client = createGitHubClient({ token: TOKEN, baseUrl: github.url });
    const requests = recordRequests(client);
    const before = github.stats.requests;
    const m = await takeSnapshot({ ...deps, gh: client }, { org: ORG, now: T0, mode: 'full' });
    expect(m.complete).toBe(true);
    expect(m.reconciled).toBe(true);
    expect(m.noLongerReported).toBe(0);
    expect(m.alertsSeen).toBe(expected.length);
    expect(await storedStates(store)).toEqual(new Map(expected.map((a) => [alertKey(a), a.state])));
    // Each alert counted once per listing, though the ends overlap where they meet.
    const byType = (t: string) => expected.filter((a) => a.alertType === t).length;
    expect(m.streams.find((s) => s.lane === 'dependabot')?.items).toBe(byType('dependabot'));
    expect(m.streams.find((s) => s.lane === 'code_scanning')?.items).toBe(byType('code_scanning'));

    // Both ends of every partition long enough to need two pages were listed...
    const count = (what: string) => requests.filter((r) => r === what).length;
    for (const part of [
      'dependabot open',
      'dependabot fixed',
      'code_scanning open',
      'code_scanning closed',
      'secret_scanning all',
    ]) {
      expect(count(`${part} asc`), part).toBeGreaterThan(0);
      expect(count(`${part} desc`), part).toBeGreaterThan(0);
    }
    // ...and together they asked for the partition's pages and at most one more (the overlap
    // strict crossing needs, when the ends meet at a page boundary).
    const partitions = [
      ['dependabot', 'open', ['open']],
      ['dependabot', 'fixed', ['fixed']],
      ['code_scanning', 'open', ['open']],
    ] as const;
    for (const [stream, state, states] of partitions) {
      const n = expected.filter(
        (a) => a.alertType === stream && (states as readonly string[]).includes(a.state),
      ).length;
      const asked = count(`${stream} ${state} asc`) + count(`${stream} ${state} desc`);
      expect(asked, `${stream} ${state}: ${n} alerts`).toBeGreaterThanOrEqual(Math.ceil(n / 100));
      expect(asked, `${stream} ${state}: ${n} alerts`).toBeLessThanOrEqual(Math.ceil(n / 100) + 1);
    }
    // Nothing changed, so every stored alert was listed again: no sweep asked for.
    expect(requests.filter((r) => r.endsWith('sweep'))).toEqual([]);
    // One audit page and the list requests recorded: nothing else went out (the organisation
    // was checked by the first run only).
    expect(github.stats.requests - before).toBe(requests.length + 1);
  });

  it('sweeps after all when the instant it describes is over an hour after it began', async () => {
    await takeSnapshot(deps, { org: ORG, now: T0, mode: 'full' });
    const client = createGitHubClient({ token: TOKEN, baseUrl: github.url });
    const requests = recordRequests(client);
    // The next run lists from an hour before T0: what changed in the two hours before it, while
    // this run listed, would be behind that. So the sweeps list it now.
    const began = T0.getTime() - 2 * 3600_000;
    const m = await takeSnapshot(
      { ...deps, gh: client, clock: () => began },
      { org: ORG, now: T0, mode: 'full' },
    );
    expect(m.complete).toBe(true);
    expect(m.noLongerReported).toBe(0);
    expect(requests.filter((r) => r.endsWith('sweep')).sort()).toEqual([
      'code_scanning sweep',
      'dependabot sweep',
      'secret_scanning sweep',
    ]);
  });

  it('splits by state only a listing whose two ends would take over half the run', async () => {
    await takeSnapshot(deps, { org: ORG, now: T0, mode: 'full' });
    // Secret scanning recorded as empty: 17 pages over 2 on the wire, 8.5 rounds at best.
    // Dependabot's 10 pages from two ends take 5, over half of that: split by state. Code
    // scanning's 7 take 3.5: its two ends are enough.
    await store.putCursor(ORG, 'size#secret_scanning', '0');
    await store.putCursor(ORG, 'size#secret_scanning:non_provider', '0');
    const pages = async (listing: string) =>
      Math.ceil(Number(await store.getCursor(ORG, `size#${listing}`)) / 100);
    expect([await pages('dependabot'), await pages('code_scanning')]).toEqual([10, 7]);
    const client = createGitHubClient({ token: TOKEN, baseUrl: github.url });
    const requests = recordRequests(client);
    const m = await takeSnapshot(
      { ...deps, gh: client, wireConcurrency: 2 },
      { org: ORG, now: T0, mode: 'full' },
    );
    expect(m.complete).toBe(true);
    expect(m.reconciled).toBe(true);
    const expected = truth(demo, T0);
    expect(await storedStates(store)).toEqual(new Map(expected.map((a) => [alertKey(a), a.state])));
    const count = (what: string) => requests.filter((r) => r === what).length;
    expect(count('dependabot open asc')).toBeGreaterThan(0);
    expect(count('dependabot fixed desc')).toBeGreaterThan(0);
    expect(requests.filter((r) => r.startsWith('code_scanning') && !r.includes(' all '))).toEqual([]);
    const codeAlerts = expected.filter((a) => a.alertType === 'code_scanning').length;
    const codePages = count('code_scanning all asc') + count('code_scanning all desc');
    expect(count('code_scanning all asc')).toBeGreaterThan(0);
    expect(count('code_scanning all desc')).toBeGreaterThan(0);
    expect(codePages).toBeGreaterThanOrEqual(Math.ceil(codeAlerts / 100));
    expect(codePages).toBeLessThanOrEqual(Math.ceil(codeAlerts / 100) + 1);
  });

  it("asks for a chain's next page as soon as an answer's headers arrive, before its body", async () => {
    // Page 2 of the Dependabot listing arrives slowly: its headers (and the Link to page 3) at
    // once, the rest of its body 1.5 s later.
    github.injectFault({ path: `/orgs/${ORG}/dependabot/alerts`, page: 2, bodyDelayMs: 1_500 });
    const client = createGitHubClient({ token: TOKEN, baseUrl: github.url });
    // When each Dependabot page was asked for, and when its answer had arrived whole, by URL.
    const asked: string[] = [];
    const askedAt = new Map<string, number>();
    const arrivedAt = new Map<string, number>();
    const dependabot = (options: unknown) => {
      const o = options as { url: string; [name: string]: unknown };
      return o.url.includes('/dependabot/alerts') ? `${o.url} ${o.direction ?? ''}` : null;
    };
    client.hook.before('request', (options) => {
      const url = dependabot(options);
      if (url === null) return;
      asked.push(url);
      askedAt.set(url, Date.now());
    });
    client.hook.after('request', (_res, options) => {
      const url = dependabot(options);
      if (url !== null) arrivedAt.set(url, Date.now());
    });
    try {
      const m = await takeSnapshot({ ...deps, gh: client }, { org: ORG, now: T0, mode: 'full' });
      expect(m.complete).toBe(true);
      const expected = truth(demo, T0);
      expect(await storedStates(store)).toEqual(new Map(expected.map((a) => [alertKey(a), a.state])));
      // One chain (a first full run knows no sizes): ten pages, each asked for once.
      expect(m.streams.find((s) => s.lane === 'dependabot')?.pages).toBe(10);
      expect(asked).toHaveLength(10);
      expect(new Set(asked).size).toBe(10);
      // Page 3 was asked for while page 2's body was still on its way, not once it had arrived.
      const [, second, third] = asked as [string, string, string];
      expect((arrivedAt.get(second) as number) - (askedAt.get(third) as number)).toBeGreaterThan(1_000);
    } finally {
      github.clearFaults();
    }
  });

  it('drops a page asked for ahead on headers that the same page, fetched again, no longer leads to', async () => {
    // The Dependabot listing's page URLs, oldest created first (10 pages).
    const listing = { org: ORG, per_page: 100, sort: 'created', direction: 'asc' } as const;
    const urls: string[] = [];
    for await (const r of deps.gh.paginate.iterator('GET /orgs/{org}/dependabot/alerts', listing))
      urls.push(r.url);
    expect(urls).toHaveLength(10);
    expect(urls[0]).toMatch(/\/orgs\/octo-ends\/dependabot\/alerts\?per_page=100&sort=created/);
    const last = urls.at(-1) as string;
    expect(last).toMatch(/dependabot\/alerts\?.*after=/);
    // Page 2's first answer is cut off halfway through its body, and its headers lead to the last
    // page: followed, the chain would skip pages 3 to 9. The answer fetched again leads to page 3.
    github.injectFault({
      path: `/orgs/${ORG}/dependabot/alerts`,
      page: 2,
      corrupt: 'cut-off',
      headers: { link: `<${last}>; rel="next"` },
    });
    const client = createGitHubClient({ token: TOKEN, baseUrl: github.url });
    const asked: string[] = [];
    client.hook.before('request', (options) => {
      const o = options as { url: string };
      if (o.url.includes('/dependabot/alerts')) asked.push(o.url);
    });
    const m = await takeSnapshot({ ...deps, gh: client }, { org: ORG, now: T0, mode: 'full' });
    // The last page was asked for on the cut-off answer's headers, and again in its turn.
    expect(asked.filter((u) => u === last)).toHaveLength(2);
    expect(m.complete).toBe(true);
    const dependabot = m.streams.find((s) => s.lane === 'dependabot');
    expect(dependabot?.pages).toBe(10);
    expect(dependabot?.skippedPages).toBe(0);
    const expected = truth(demo, T0);
    expect(dependabot?.items).toBe(expected.filter((a) => a.alertType === 'dependabot').length);
    expect(await storedStates(store)).toEqual(new Map(expected.map((a) => [alertKey(a), a.state])));
  });

  it('never stops early where many alerts share a creation time', async () => {
    // Every Dependabot alert created in one second, as a repository's first scan can: the ends
    // never cross strictly, so one of them must list to the end of each partition.
    const tied = structuredClone(demo);
    const first = tied.alerts.dependabot.reduce((t, a) => (a.createdAt < t ? a.createdAt : t), END);
    for (const a of tied.alerts.dependabot) {
      a.createdAt = first;
      if (a.events[0]) a.events[0].at = first;
    }
    const other = await startSimulatedGitHub({
      demo: tied,
      token: TOKEN,
      rateLimit: 1_000_000,
      now: () => T0,
    });
    try {
      const gh = createGitHubClient({ token: TOKEN, baseUrl: other.url });
      await takeSnapshot({ ...deps, gh }, { org: ORG, now: T0, mode: 'full' });
      const m = await takeSnapshot({ ...deps, gh }, { org: ORG, now: T0, mode: 'full' });
      expect(m.complete).toBe(true);
      expect(m.noLongerReported).toBe(0);
      const expected = truth(tied, T0);
      expect(m.alertsSeen).toBe(expected.length);
      expect(await storedStates(store)).toEqual(new Map(expected.map((a) => [alertKey(a), a.state])));
      // One end of each partition listed it to the end, the other some of the same pages again.
      const pages = m.streams.find((s) => s.lane === 'dependabot')?.pages ?? 0;
      expect(pages).toBeGreaterThan(10);
    } finally {
      await other.close();
    }
  });

  it('sweeps when a stored alert went missing behind the cursors, and leaves alerts created after the newest end began to the next run', async () => {
    await takeSnapshot(deps, { org: ORG, now: T0, mode: 'full' });
    const client = createGitHubClient({ token: TOKEN, baseUrl: github.url });
    const requests = recordRequests(client);
    const T1 = new Date(END);
    let moved = false;
    client.hook.after('request', (_res, options) => {
      const o = options as { url: string; direction?: string; sort?: string };
      // Once every listing's newest end has its first page, time moves on three days.
      if (!moved && o.direction === 'desc' && o.url.includes('secret-scanning')) {
        moved = true;
        github.setNow(T1);
      }
    });
    const m = await takeSnapshot(
      { ...deps, gh: client, listConcurrency: 1 },
      { org: ORG, now: T0, mode: 'full' },
    );
    expect(moved).toBe(true);
    expect(m.complete).toBe(true);
    expect(m.noLongerReported).toBe(0);
    // Secret scanning is not split by state: nothing stored can move out of its listing's way,
    // so it asks for no sweep. Alerts of the others changed state behind the partitions'
    // cursors: their sweeps list them, and no stored alert is taken for gone.
    const sweeps = requests.filter((r) => r.endsWith('sweep'));
    expect(sweeps).toContain('dependabot sweep');
    expect(sweeps.filter((r) => r.startsWith('secret_scanning'))).toEqual([]);
    const created = truth(demo, T1).filter((a) => Date.parse(a.createdAt) > T0.getTime());
    const newSecrets = created.filter((a) => a.alertType === 'secret_scanning');
    expect(newSecrets.length).toBeGreaterThan(3);
    const afterFull = await storedStates(store);
    // Created after the run's instant: those behind the newest end's cursor are left to the next
    // run (the oldest end lists the ones it reaches).
    const left = newSecrets.filter((a) => !afterFull.has(alertKey(a)));
    expect(left.length).toBeGreaterThan(0);
    // The next run lists from the full run's instant: the store is GitHub's state at T1.
    const next = await takeSnapshot(deps, { org: ORG, now: T1, mode: 'incremental' });
    expect(next.complete).toBe(true);
    const stored = await storedStates(store);
    expect(stored).toEqual(new Map(truth(demo, T1).map((a) => [alertKey(a), a.state])));
  });

  it('resumes both ends from their cursors after a cut-off, and finishes to the same result', async () => {
    await takeSnapshot(deps, { org: ORG, now: T0, mode: 'full' });
    let t = 0;
    const clock = () => {
      t += 1_000;
      return t;
    };
    const before = github.stats.requests;
    const cut = await takeSnapshot(
      { ...deps, clock, listConcurrency: 2 },
      { org: ORG, now: T0, mode: 'full', deadline: 60_000 },
    );
    expect(cut.complete).toBe(false);
    // Nothing asked for once the run has stopped: no page it would never use goes out after it.
    await new Promise((r) => setTimeout(r, 300));
    expect(github.stats.requests - before).toBe(cut.requests);
    const checkpoint = await store.getCheckpoint(ORG);
    const ends = Object.entries(checkpoint?.lanes ?? {}).filter(([id]) => id.startsWith('dependabot:open'));
    expect(ends.map(([id]) => id).sort()).toEqual(['dependabot:open', 'dependabot:open:newest']);
    // Both ends had listed pages, and saved how far they reached.
    for (const [, lane] of ends) {
      expect(lane.pages).toBeGreaterThan(0);
      expect(lane.edge).toMatch(/^\d{4}-\d\d-\d\dT/);
    }
    const resumed = await takeSnapshot(deps, { org: ORG, now: T0, mode: 'full' });
    expect(resumed.snapshotId).toBe(cut.snapshotId);
    expect(resumed.complete).toBe(true);
    expect(resumed.reconciled).toBe(true);
    expect(resumed.noLongerReported).toBe(0);
    const expected = truth(demo, T0);
    expect(resumed.alertsSeen).toBe(expected.length);
    expect(await storedStates(store)).toEqual(new Map(expected.map((a) => [alertKey(a), a.state])));
  });
});
