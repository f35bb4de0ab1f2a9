import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERT_TYPES, type Alert, emptyOpenCounts } from '../../functions/core/model.ts';
import { normalizeAlert } from '../../functions/core/normalize.ts';
import { createGitHubClient } from '../../functions/github/client.ts';
import { GitHubError } from '../../functions/github/errors.ts';
import { DynamoStore } from '../../functions/store/dynamo-store.ts';
import { ConcurrentUpdateError } from '../../functions/store/errors.ts';
import { silentLog } from '../../functions/use-cases/log.ts';
import { takeEnterpriseSnapshot, takeSnapshot } from '../../functions/use-cases/take-snapshot.ts';
import { generateDemoOrg } from '../../infra/local/github/demo-org.ts';
import type { DemoOrg } from '../../infra/local/github/demo-types.ts';
import { renderAlertsAt } from '../../infra/local/github/render.ts';
import { type SimulatedGitHub, startSimulatedGitHub } from '../../infra/local/github/server.ts';
import { jumpingClock } from '../support/clock.ts';
import { createTestStore } from '../support/dynamo.ts';

const END = '2026-11-16T00:00:00.000Z';
const WEEK = 7 * 24 * 3600 * 1000;
const at = (w: number) => new Date(Date.parse(END) - w * WEEK);
const TOKEN = 'enterprise-snapshot-token';
const ENT = 'enterprise:octo-corp';
/** An enterprise run naming octo-demo alone. */
const DEMO_ALONE = { enterprise: 'octo-corp', orgs: ['octo-demo'] };
/** The scheduled incremental run, naming both organisations. */
const BOTH = { enterprise: 'octo-corp', orgs: ['octo-demo', 'octo-payments'], mode: 'incremental' as const };

function openCounts(demo: DemoOrg, now: Date) {
  const rendered = renderAlertsAt(demo, now);
  const alerts: Alert[] = ALERT_TYPES.flatMap((t) => rendered[t].map((raw) => normalizeAlert(t, raw)));
  const counts = emptyOpenCounts();
  for (const a of alerts) if (a.state === 'open') counts[a.alertType][a.severity] += 1;
  return { counts, total: alerts.length };
}

describe('enterprise-wide snapshots', () => {
  let orgs: DemoOrg[];
  let github: SimulatedGitHub;
  let store: DynamoStore;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

  beforeAll(async () => {
    orgs = [
      generateDemoOrg({ org: 'octo-demo', seed: 21, weeks: 3, endsAt: END }),
      generateDemoOrg({ org: 'octo-payments', seed: 22, weeks: 3, endsAt: END }),
    ];
    github = await startSimulatedGitHub({
      demos: orgs,
      enterprise: 'octo-corp',
      token: TOKEN,
      app: {
        appId: 99,
        publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        installations: { 5: 'octo-demo' },
      },
    });
    ({ store } = await createTestStore('ent'));
  });
  afterAll(async () => {
    await github.close();
  });
  /** A token client and an empty table of its own. */
  const freshDeps = async (prefix: string) => ({
    gh: createGitHubClient({ token: TOKEN, baseUrl: github.url }),
    store: (await createTestStore(prefix)).store,
    log: silentLog,
  });

  /** octo-payments snapshotted on its own at at(w + 1), then the enterprise's full run of octo-demo alone at at(w). */
  const ownThenDemoAlone = async (prefix: string, w: number) => {
    const deps = await freshDeps(prefix);
    github.setNow(at(w + 1));
    await takeSnapshot(deps, { org: 'octo-payments', now: at(w + 1), mode: 'full' });
    github.setNow(at(w));
    await takeEnterpriseSnapshot(deps, { ...DEMO_ALONE, now: at(w), mode: 'full' });
    return deps;
  };

  /** How many of octo-payments' alerts at `now` are stored in another state, or not at all. */
  const wrongOf = async (deps: { store: DynamoStore }, now: Date) => {
    const rendered = renderAlertsAt(orgs[1] as DemoOrg, now);
    const stored = await deps.store.loadAlerts('octo-payments');
    return ALERT_TYPES.flatMap((t) => rendered[t].map((raw) => normalizeAlert(t, raw))).filter(
      (a) => stored.get(`${a.alertType}#${a.repository}#${a.number}`)?.alert.state !== a.state,
    ).length;
  };
  /** How many of the audit events a first full run stores of octo-payments are not in `deps`' table. */
  const auditMissing = async (deps: { store: DynamoStore }, reference: { store: DynamoStore }) => {
    const ids = new Set((await deps.store.listAuditEvents('octo-payments')).map((e) => e.id));
    const ref = (await reference.store.listAuditEvents('octo-payments')).map((e) => e.id);
    expect(ref.length).toBeGreaterThan(100);
    return ref.filter((id) => !ids.has(id)).length;
  };
  /** The table as an earlier version left it: watermarks that say nothing of what they cover. */
  const forgetCoverage = async (store: DynamoStore) => {
    for (const g of [
      'dependabot',
      'code_scanning',
      'secret_scanning',
      'secret_scanning:non_provider',
      'audit_log',
    ])
      await store.deleteCursor(ENT, `covers#${g}`);
  };

  /**
   * The run that widens for octo-payments at at(1), with one invalid audit event on four audit
   * pages (and whatever faults the caller set): both organisations incomplete.
   */
  const widenWithSkippedAuditEvents = async (deps: Awaited<ReturnType<typeof freshDeps>>) => {
    for (const page of [2, 3, 4, 5]) {
      github.injectFault({
        path: /audit-log/,
        corrupt: { dropFields: ['action'], item: 11 },
        times: 1,
        page,
      });
    }
    try {
      const first = await takeEnterpriseSnapshot(deps, { ...BOTH, now: at(1) });
      expect(first.map((m) => [m.mode, m.complete])).toEqual([
        ['full', false],
        ['full', false],
      ]);
    } finally {
      github.clearFaults();
    }
  };

  /** The modes of both organisations in two scheduled runs (at(1), at(0)) while GitHub refuses `path`. */
  const modesWhileRefused = async (deps: Awaited<ReturnType<typeof freshDeps>>, path: string) => {
    github.injectFault({ path, status: 403, times: Number.POSITIVE_INFINITY });
    const modes: string[] = [];
    try {
      for (const w of [1, 0]) {
        github.setNow(at(w));
        modes.push(...(await takeEnterpriseSnapshot(deps, { ...BOTH, now: at(w) })).map((m) => m.mode));
      }
    } finally {
      github.clearFaults();
    }
    return modes;
  };

  it('lists once through the enterprise and stores each alert under its own organisation', async () => {
    github.setNow(at(1));
    const gh = createGitHubClient({ token: TOKEN, baseUrl: github.url });
    const manifests = await takeEnterpriseSnapshot(
      { gh, store, log: silentLog },
      { enterprise: 'octo-corp', now: at(1), mode: 'full' },
    );
    expect(manifests.map((m) => m.org)).toEqual(['octo-demo', 'octo-payments']);
    for (const [i, m] of manifests.entries()) {
      const expected = openCounts(orgs[i] as DemoOrg, at(1));
      expect(m.complete).toBe(true);
      expect(m.alertsSeen).toBe(expected.total);
      expect(m.openBySeverity).toEqual(expected.counts);
      expect((await store.loadAlerts(m.org)).size).toBe(expected.total);
      expect((await store.listAuditEvents(m.org)).length).toBeGreaterThan(0);
    }
    // Both organisations' manifests describe one snapshot.
    expect(new Set(manifests.map((m) => m.snapshotId)).size).toBe(1);
  });

  /**
   * A fresh table after an enterprise full run at at(2) of octo-demo alone, with GitHub moved on
   * to at(1): its deps.
   */
  const afterDemoAlone = async (prefix: string) => {
    const deps = await freshDeps(prefix);
    github.setNow(at(2));
    await takeEnterpriseSnapshot(deps, { ...DEMO_ALONE, now: at(2), mode: 'full' });
    github.setNow(at(1));
    return deps;
  };

  it('keeps each organisation exact through an incremental run', async () => {
    github.setNow(at(0));
    const gh = createGitHubClient({ token: TOKEN, baseUrl: github.url });
    const manifests = await takeEnterpriseSnapshot(
      { gh, store, log: silentLog },
      { enterprise: 'octo-corp', now: at(0), mode: 'incremental' },
    );
    for (const [i, m] of manifests.entries()) {
      expect(m.openBySeverity).toEqual(openCounts(orgs[i] as DemoOrg, at(0)).counts);
    }
    // Cost follows change: one page per lane, plus one per 100 alerts changed in the week.
    const changed = orgs
      .flatMap((demo) => {
        const rendered = renderAlertsAt(demo, at(0));
        return ALERT_TYPES.flatMap((t) => rendered[t].map((raw) => normalizeAlert(t, raw)));
      })
      .filter((a) => Date.parse(a.updatedAt) >= at(1).getTime() - 3600_000).length;
    expect(manifests[0]?.requests).toBeLessThanOrEqual(5 + Math.ceil(changed / 100));
  });

  it('lists an organisation added to the enterprise run whole, audit log included, and says when one turns up unannounced', async () => {
    // What the audit log holds of an organisation up to an instant, as a first full run stores it.
    const reference = await freshDeps('ent-added-ref');
    github.setNow(at(1));
    await takeEnterpriseSnapshot(reference, { enterprise: 'octo-corp', now: at(1), mode: 'full' });
    const auditOf = async (s: DynamoStore, org: string) =>
      new Set((await s.listAuditEvents(org)).map((e) => e.id));

    // A week on, octo-payments joins the scheduled incremental run: that run is a full one.
    const deps = await afterDemoAlone('ent-added');
    const manifests = await takeEnterpriseSnapshot(deps, {
      enterprise: 'octo-corp',
      orgs: ['octo-demo', 'Octo-Payments'],
      now: at(1),
      mode: 'incremental',
    });
    for (const [i, org] of ['octo-demo', 'octo-payments'].entries()) {
      const m = manifests.find((x) => x.org === org);
      const expected = openCounts(orgs[i] as DemoOrg, at(1));
      expect(m?.mode).toBe('full');
      expect(m?.complete).toBe(true);
      expect(m?.openBySeverity).toEqual(expected.counts);
      expect((await deps.store.loadAlerts(org)).size).toBe(expected.total);
      // Every audit event a first run would store, the newcomer's older ones too, and none twice
      // (octo-demo keeps a few more: the first run, a week earlier, reached a week further back).
      const stored = await deps.store.listAuditEvents(org);
      const ids = new Set(stored.map((e) => e.id));
      expect(stored.length).toBe(ids.size);
      const ref = await auditOf(reference.store, org);
      expect(ref.size).toBeGreaterThan(100);
      expect([...ref].filter((id) => !ids.has(id))).toEqual([]);
      if (org === 'octo-payments') expect(ids).toEqual(ref);
    }

    // Without `orgs`, an organisation that turns up in an incremental run is marked incomplete.
    const unannounced = await afterDemoAlone('ent-unannounced');
    const later = await takeEnterpriseSnapshot(unannounced, {
      enterprise: 'octo-corp',
      now: at(1),
      mode: 'incremental',
    });
    expect(later.find((m) => m.org === 'octo-demo')?.complete).toBe(true);
    expect(later.find((m) => m.org === 'octo-payments')?.complete).toBe(false);
  });

  it('lists whole an organisation its watermarks do not cover, whatever it has stored: snapshotted on its own, or dropped from `orgs` a while', async () => {
    const reference = await freshDeps('ent-cover-ref');
    github.setNow(at(0));
    await takeEnterpriseSnapshot(reference, { enterprise: 'octo-corp', now: at(0), mode: 'full' });
    const auditIds = async (s: DynamoStore, org: string) =>
      (await s.listAuditEvents(org)).map((e) => e.id).sort();
    const expectExact = async (
      deps: Awaited<ReturnType<typeof freshDeps>>,
      manifests: { org: string; mode: string; complete: boolean; openBySeverity: unknown }[],
    ) => {
      const m = manifests.find((x) => x.org === 'octo-payments');
      expect([m?.mode, m?.complete]).toEqual(['full', true]);
      const expected = openCounts(orgs[1] as DemoOrg, at(0));
      expect(m?.openBySeverity).toEqual(expected.counts);
      const stored = await deps.store.loadAlerts('octo-payments');
      const listed = await reference.store.loadAlerts('octo-payments');
      expect(stored.size).toBe(expected.total);
      for (const [k, a] of listed) expect(stored.get(k)?.alert.state, k).toBe(a.alert.state);
      // Every audit event a first run stores now, and none twice (a run a week earlier reached
      // a week further back, so there may be more).
      const ids = await auditIds(deps.store, 'octo-payments');
      expect(new Set(ids).size).toBe(ids.length);
      const ref = await auditIds(reference.store, 'octo-payments');
      expect(ref.length).toBeGreaterThan(100);
      expect(ref.filter((id) => !ids.includes(id))).toEqual([]);
    };
    const both = { ...BOTH, now: at(0) };

    // octo-payments snapshotted on its own two weeks back, then the enterprise run of octo-demo alone.
    const alone = await ownThenDemoAlone('ent-cover-alone', 1);
    github.setNow(at(0));
    await expectExact(alone, await takeEnterpriseSnapshot(alone, both));

    // octo-payments in the enterprise run, then left out of one, then named again.
    const dropped = await freshDeps('ent-cover-dropped');
    github.setNow(at(2));
    await takeEnterpriseSnapshot(dropped, { ...BOTH, now: at(2), mode: 'full' });
    github.setNow(at(1));
    await takeEnterpriseSnapshot(dropped, { ...DEMO_ALONE, now: at(1), mode: 'incremental' });
    expect(await dropped.store.getCursor('enterprise:octo-corp', 'covers#dependabot')).toBe('["octo-demo"]');
    github.setNow(at(0));
    await expectExact(dropped, await takeEnterpriseSnapshot(dropped, both));
    expect(await dropped.store.getCursor('enterprise:octo-corp', 'covers#audit_log')).toBe(
      '["octo-demo","octo-payments"]',
    );
    // Covered now: the next run is incremental again.
    const next = await takeEnterpriseSnapshot(dropped, both);
    expect(next.map((m) => m.mode)).toEqual(['incremental', 'incremental']);
  });

  it('covers, without `orgs`, only the organisations a run listed, and never widens coverage from a watermark', async () => {
    // An enterprise of octo-demo alone, listed without `orgs`; octo-payments joins it later.
    const before = await startSimulatedGitHub({
      demos: [orgs[0] as DemoOrg],
      enterprise: 'octo-corp',
      token: TOKEN,
    });
    const joined = await freshDeps('ent-cover-joined');
    try {
      before.setNow(at(2));
      await takeEnterpriseSnapshot(
        { ...joined, gh: createGitHubClient({ token: TOKEN, baseUrl: before.url }) },
        { enterprise: 'octo-corp', now: at(2), mode: 'full' },
      );
    } finally {
      await before.close();
    }
    expect(await joined.store.getCursor(ENT, 'covers#dependabot')).toBe('["octo-demo"]');
    github.setNow(at(1));
    const first = await takeEnterpriseSnapshot(joined, { ...BOTH, now: at(1) });
    expect(first.map((m) => [m.org, m.mode, m.complete])).toEqual([
      ['octo-demo', 'full', true],
      ['octo-payments', 'full', true],
    ]);
    expect(await wrongOf(joined, at(1))).toBe(0);

    // Named once, then runs without `orgs`: an incremental one covers what was covered, no more.
    const unnamed = await ownThenDemoAlone('ent-cover-unnamed', 2);
    for (const w of [1, 0]) {
      github.setNow(at(w));
      const ms = await takeEnterpriseSnapshot(unnamed, {
        enterprise: 'octo-corp',
        now: at(w),
        mode: 'incremental',
      });
      // Listed only from the watermarks: incomplete, every time, until a full run or `orgs` names it.
      expect(ms.find((m) => m.org === 'octo-payments')?.complete).toBe(false);
      expect(await unnamed.store.getCursor(ENT, 'covers#dependabot')).toBe('["octo-demo"]');
    }
    expect(await wrongOf(unnamed, at(0))).toBeGreaterThan(0);
    // A full run lists it whole; its audit events from before the watermark are read back by the
    // next run, which it is incomplete until.
    const full = await takeEnterpriseSnapshot(unnamed, { enterprise: 'octo-corp', now: at(0), mode: 'full' });
    expect(full.find((m) => m.org === 'octo-payments')?.complete).toBe(false);
    expect(await wrongOf(unnamed, at(0))).toBe(0);
    expect(await unnamed.store.getCursor(ENT, 'covers#dependabot')).toBe('["octo-demo","octo-payments"]');
    const after = await takeEnterpriseSnapshot(unnamed, {
      enterprise: 'octo-corp',
      now: at(0),
      mode: 'incremental',
    });
    expect(after.find((m) => m.org === 'octo-payments')?.complete).toBe(true);
    expect(await unnamed.store.getCursor(ENT, 'covers#audit_log')).toBe('["octo-demo","octo-payments"]');
  });

  it('reads the audit log back for an organisation it does not cover without widening the run, and keeps a resumed snapshot to the organisations it began with', async () => {
    // The audit log refused from the second run on: octo-payments joins, one full run, then incremental.
    const deps = await afterDemoAlone('ent-cover-audit');
    const modes = await modesWhileRefused(deps, '/enterprises/octo-corp/audit-log');
    expect(modes).toEqual(['full', 'full', 'incremental', 'incremental']);
    expect(await deps.store.getCursor(ENT, 'covers#audit_log')).toBe('["octo-demo"]');
    // The audit log is back: an incremental run reads it back for octo-payments alone.
    const back = await takeEnterpriseSnapshot(deps, { ...BOTH, now: at(0) });
    expect(back.map((m) => m.mode)).toEqual(['incremental', 'incremental']);
    expect(await deps.store.getCursor(ENT, 'covers#audit_log')).toBe('["octo-demo","octo-payments"]');
    const reference = await freshDeps('ent-cover-audit-ref');
    await takeEnterpriseSnapshot(reference, { enterprise: 'octo-corp', now: at(0), mode: 'full' });
    const ids = new Set((await deps.store.listAuditEvents('octo-payments')).map((e) => e.id));
    const ref = (await reference.store.listAuditEvents('octo-payments')).map((e) => e.id);
    expect(ref.length).toBeGreaterThan(100);
    expect(ref.filter((id) => !ids.has(id))).toEqual([]);

    // A snapshot paused with octo-demo alone, resumed by an invocation naming both: it records
    // octo-demo only, and the next run lists octo-payments whole.
    const paused = await afterDemoAlone('ent-cover-resume');
    github.setNow(at(0));
    const first = await takeEnterpriseSnapshot(
      { ...paused, clock: jumpingClock() },
      { enterprise: 'octo-corp', orgs: ['octo-demo'], now: at(0), mode: 'incremental', deadline: 150_000 },
    );
    expect(first.every((m) => m.resumable)).toBe(true);
    const resumed = await takeEnterpriseSnapshot(paused, { ...BOTH, now: at(0) });
    expect(resumed.map((m) => [m.org, m.resumable])).toEqual([['octo-demo', false]]);
    expect(await paused.store.getCursor(ENT, 'covers#dependabot')).toBe('["octo-demo"]');
    const next = await takeEnterpriseSnapshot(paused, { ...BOTH, now: at(0) });
    expect(next.map((m) => [m.org, m.mode, m.complete])).toEqual([
      ['octo-demo', 'full', true],
      ['octo-payments', 'full', true],
    ]);
  });

  it('drops the watermark of a listing GitHub refuses in a full run, so an organisation added meanwhile does not make every run full', async () => {
    const deps = await afterDemoAlone('ent-cover-refused');
    expect(await deps.store.getCursor(ENT, 'watermark#code_scanning')).toBe(at(2).toISOString());
    const modes = await modesWhileRefused(deps, '/enterprises/octo-corp/code-scanning/alerts');
    expect(await deps.store.getCursor(ENT, 'watermark#code_scanning')).toBeNull();
    expect(await deps.store.getCursor(ENT, 'covers#code_scanning')).toBeNull();
    expect(modes).toEqual(['full', 'full', 'incremental', 'incremental']);
    // Code scanning is back: listed whole by an incremental run, and both organisations exact.
    const back = await takeEnterpriseSnapshot(deps, { ...BOTH, now: at(0) });
    for (const [i, m] of back.entries()) {
      expect([m.org, m.mode, m.complete]).toEqual([orgs[i]?.org, 'incremental', true]);
      expect(m.openBySeverity).toEqual(openCounts(orgs[i] as DemoOrg, at(0)).counts);
    }
    expect(await deps.store.getCursor(ENT, 'covers#code_scanning')).toBe('["octo-demo","octo-payments"]');
  });

  it('without `orgs`, marks an organisation whose older audit events are unread incomplete, and reads them back in the next run', async () => {
    const reference = await freshDeps('ent-cover-r1-ref');
    github.setNow(at(1));
    await takeEnterpriseSnapshot(reference, { enterprise: 'octo-corp', now: at(1), mode: 'full' });
    const deps = await afterDemoAlone('ent-cover-r1');
    const first = await takeEnterpriseSnapshot(deps, { enterprise: 'octo-corp', now: at(1), mode: 'full' });
    expect(first.map((m) => [m.org, m.complete])).toEqual([
      ['octo-demo', true],
      ['octo-payments', false],
    ]);
    expect(await wrongOf(deps, at(1))).toBe(0);
    expect(await auditMissing(deps, reference)).toBeGreaterThan(0);
    const next = await takeEnterpriseSnapshot(deps, {
      enterprise: 'octo-corp',
      now: at(1),
      mode: 'incremental',
    });
    expect(next.map((m) => [m.org, m.complete])).toEqual([
      ['octo-demo', true],
      ['octo-payments', true],
    ]);
    expect(await auditMissing(deps, reference)).toBe(0);
  });

  it('takes over the judgement of watermarks an earlier version wrote, and still reads back what it had to', async () => {
    // The audit log refused in the run that widens for octo-payments: read back once it is back.
    const reference = await freshDeps('ent-cover-legacy-ref');
    github.setNow(at(0));
    await takeEnterpriseSnapshot(reference, { enterprise: 'octo-corp', now: at(0), mode: 'full' });
    const refused = await afterDemoAlone('ent-cover-legacy-audit');
    await forgetCoverage(refused.store);
    expect(await modesWhileRefused(refused, '/enterprises/octo-corp/audit-log')).toEqual([
      'full',
      'full',
      'incremental',
      'incremental',
    ]);
    const back = await takeEnterpriseSnapshot(refused, { ...BOTH, now: at(0) });
    expect(back.map((m) => m.complete)).toEqual([true, true]);
    expect(await auditMissing(refused, reference)).toBe(0);

    // An incremental run of octo-demo alone writes what it covers: octo-payments, named again, is
    // listed whole.
    const dropped = await freshDeps('ent-cover-legacy-alerts');
    github.setNow(at(2));
    await takeEnterpriseSnapshot(dropped, { ...BOTH, now: at(2), mode: 'full' });
    await forgetCoverage(dropped.store);
    github.setNow(at(1));
    await takeEnterpriseSnapshot(dropped, { ...DEMO_ALONE, now: at(1), mode: 'incremental' });
    expect(await dropped.store.getCursor(ENT, 'covers#dependabot')).toBe('["octo-demo"]');
    github.setNow(at(0));
    const again = await takeEnterpriseSnapshot(dropped, { ...BOTH, now: at(0) });
    expect(again.map((m) => [m.mode, m.complete])).toEqual([
      ['full', true],
      ['full', true],
    ]);
    expect(again[1]?.openBySeverity).toEqual(openCounts(orgs[1] as DemoOrg, at(0)).counts);
    expect(await wrongOf(dropped, at(0))).toBe(0);
  });

  it('keeps an unannounced organisation incomplete when its run is resumed after a failure', async () => {
    const deps = await afterDemoAlone('ent-cover-r4');
    let writes = 0;
    class FailingStore extends DynamoStore {
      override async writeAlerts(...args: Parameters<DynamoStore['writeAlerts']>) {
        writes += 1;
        if (writes === 3) throw new Error('DynamoDB could not be reached');
        return super.writeAlerts(...args);
      }
    }
    const failing = new FailingStore(
      (deps.store as unknown as { client: never }).client,
      deps.store.tableName,
    );
    const unannounced = { enterprise: 'octo-corp', now: at(1), mode: 'incremental' as const };
    await expect(takeEnterpriseSnapshot({ ...deps, store: failing }, unannounced)).rejects.toThrow(
      /could not be reached/,
    );
    // The invocation was cut off holding its lease: the next one recounts.
    const cp = await deps.store.getCheckpoint(ENT);
    await deps.store.putCheckpoint({ ...(cp as NonNullable<typeof cp>), leaseUntil: 1 }, false);
    const resumed = await takeEnterpriseSnapshot(deps, unannounced);
    expect(await wrongOf(deps, at(1))).toBeGreaterThan(0);
    expect(resumed.find((m) => m.org === 'octo-payments')?.complete).toBe(false);
  });

  it('keeps listing whole a newly named organisation while an alert of it stays invalid, and covers it once it is valid', async () => {
    const deps = await afterDemoAlone('ent-cover-r5');
    github.injectFault({
      path: '/enterprises/octo-corp/dependabot/alerts',
      corrupt: { dropFields: ['number', 'state'] },
      times: Number.POSITIVE_INFINITY,
    });
    const modes: string[][] = [];
    try {
      for (const w of [1, 0]) {
        github.setNow(at(w));
        modes.push((await takeEnterpriseSnapshot(deps, { ...BOTH, now: at(w) })).map((m) => m.mode));
      }
      // Its skipped alerts were never stored: it is not covered, and the watermark stays.
      expect(await deps.store.getCursor(ENT, 'covers#dependabot')).toBe('["octo-demo"]');
      expect(await deps.store.getCursor(ENT, 'watermark#dependabot')).toBe(at(2).toISOString());
    } finally {
      github.clearFaults();
    }
    expect(modes).toEqual([
      ['full', 'full'],
      ['full', 'full'],
    ]);
    const valid = await takeEnterpriseSnapshot(deps, { ...BOTH, now: at(0) });
    expect(valid.map((m) => [m.mode, m.complete])).toEqual([
      ['full', true],
      ['full', true],
    ]);
    expect(await wrongOf(deps, at(0))).toBe(0);
    expect(await deps.store.getCursor(ENT, 'covers#dependabot')).toBe('["octo-demo","octo-payments"]');
    const after = await takeEnterpriseSnapshot(deps, { ...BOTH, now: at(0) });
    expect(after.map((m) => m.mode)).toEqual(['incremental', 'incremental']);
  });

  it('covers no organisation for the first time where its run skipped something: it is listed whole again', async () => {
    // One invalid alert on every Dependabot page and one invalid audit event on four audit pages,
    // in the run that widens for octo-payments only.
    const reference = await freshDeps('ent-cover-skip-ref');
    github.setNow(at(1));
    await takeEnterpriseSnapshot(reference, { enterprise: 'octo-corp', now: at(1), mode: 'full' });
    const deps = await afterDemoAlone('ent-cover-skip');
    github.injectFault({
      path: '/enterprises/octo-corp/dependabot/alerts',
      corrupt: { dropFields: ['number', 'state'] },
      times: Number.POSITIVE_INFINITY,
    });
    await widenWithSkippedAuditEvents(deps);
    expect(await wrongOf(deps, at(1))).toBeGreaterThan(0);
    const next = await takeEnterpriseSnapshot(deps, { ...BOTH, now: at(1) });
    const payments = next.find((m) => m.org === 'octo-payments');
    expect([payments?.mode, payments?.complete]).toEqual(['full', true]);
    expect(await wrongOf(deps, at(1))).toBe(0);
    expect(payments?.openBySeverity).toEqual(openCounts(orgs[1] as DemoOrg, at(1)).counts);
    expect(await auditMissing(deps, reference)).toBe(0);
  });

  it("reads back again, under an earlier version's audit watermark, what a read-back skipped", async () => {
    const reference = await freshDeps('ent-cover-legacy-skip-ref');
    github.setNow(at(1));
    await takeEnterpriseSnapshot(reference, { enterprise: 'octo-corp', now: at(1), mode: 'full' });
    const deps = await afterDemoAlone('ent-cover-legacy-skip');
    await forgetCoverage(deps.store);
    await widenWithSkippedAuditEvents(deps);
    expect(await deps.store.getCursor(ENT, 'covers#audit_log')).toBe('["octo-demo"]');
    await takeEnterpriseSnapshot(deps, { ...BOTH, now: at(1) });
    expect(await auditMissing(deps, reference)).toBe(0);
  });

  it('drops the watermark of a listing refused as invalid (422) in a full run, so the runs after are incremental', async () => {
    for (const [prefix, path] of [
      ['ent-cover-422', '/enterprises/octo-corp/code-scanning/alerts'],
      // Refused only as full runs ask (sort=created): incremental runs list it.
      ['ent-cover-422-full', /\/enterprises\/octo-corp\/code-scanning\/alerts\?.*sort=created/],
    ] as const) {
      const deps = await afterDemoAlone(prefix);
      github.injectFault({ path, status: 422, times: Number.POSITIVE_INFINITY });
      const runs: string[][] = [];
      try {
        for (const w of [1, 0, 0]) {
          github.setNow(at(w));
          runs.push((await takeEnterpriseSnapshot(deps, { ...BOTH, now: at(w) })).map((m) => m.mode));
        }
      } finally {
        github.clearFaults();
      }
      expect(runs, prefix).toEqual([
        ['full', 'full'],
        ['incremental', 'incremental'],
        ['incremental', 'incremental'],
      ]);
    }
  });

  it('keeps an organisation exact when its own snapshot and the enterprise one take turns on it', async () => {
    const deps = await freshDeps('ent-turns');
    const own = deps.store;
    github.setNow(at(2));
    await takeSnapshot(deps, { org: 'octo-demo', now: at(2), mode: 'full' });
    // An incremental run of the organisation pauses at its time limit, its movement so far in its
    // checkpoint; the enterprise's full run then recounts the organisation, that movement included.
    github.setNow(at(1));
    const paused = await takeSnapshot(
      { ...deps, clock: jumpingClock() },
      { org: 'octo-demo', now: at(1), mode: 'incremental', deadline: 150_000 },
    );
    expect(paused.resumable).toBe(true);
    expect(paused.alertsWritten).toBeGreaterThan(0);
    await takeEnterpriseSnapshot(deps, { enterprise: 'octo-corp', now: at(1), mode: 'full' });
    // The resumed run must not add its movement to figures that already hold it.
    const resumed = await takeSnapshot(deps, { org: 'octo-demo', now: at(1), mode: 'incremental' });
    expect(resumed.snapshotId).toBe(paused.snapshotId);
    const expected = openCounts(orgs[0] as DemoOrg, at(1)).counts;
    expect(resumed.openBySeverity).toEqual(expected);
    expect((await own.getAggregates('octo-demo'))?.openBySeverity).toEqual(expected);
  });

  it('does not reconcile an organisation its own snapshot moved while the enterprise one was paused', async () => {
    const deps = await freshDeps('ent-moved');
    const own = deps.store;
    github.setNow(at(2));
    await takeEnterpriseSnapshot(deps, { enterprise: 'octo-corp', now: at(2), mode: 'full' });
    // The enterprise's next full run pauses with some listings done, the keys it listed saved.
    const paused = await takeEnterpriseSnapshot(
      { ...deps, clock: jumpingClock() },
      { enterprise: 'octo-corp', now: at(2), mode: 'full', deadline: 150_000 },
    );
    expect(paused.every((m) => m.resumable)).toBe(true);
    const cp = await own.getCheckpoint('enterprise:octo-corp');
    expect(cp?.seenSaved).toBe(true);
    expect(cp?.claimed).toContain('octo-demo');
    // Meanwhile the organisation's own run stores a week of changes, new alerts among them,
    // some created behind listings the enterprise run has finished.
    github.setNow(at(1));
    const between = await takeSnapshot(deps, { org: 'octo-demo', now: at(1), mode: 'incremental' });
    expect(between.alertsWritten).toBeGreaterThan(0);
    const resumed = await takeEnterpriseSnapshot(deps, {
      enterprise: 'octo-corp',
      now: at(2),
      mode: 'full',
    });
    const demo = resumed.find((m) => m.org === 'octo-demo');
    const payments = resumed.find((m) => m.org === 'octo-payments');
    expect(demo?.complete).toBe(true);
    // Its saved keys cannot speak for what the other run wrote: octo-demo is not reconciled, and
    // nothing there is taken for gone; octo-payments, untouched, is.
    expect(demo?.reconciled).toBe(false);
    expect(demo?.noLongerReported).toBe(0);
    expect(payments?.reconciled).toBe(true);
    const stored = await own.loadAlerts('octo-demo');
    expect([...stored.values()].filter((a) => a.snap?.noLongerReported)).toEqual([]);
    expect(stored.size).toBe(openCounts(orgs[0] as DemoOrg, at(1)).total);
  });

  it('does not reconcile an organisation another snapshot moved and gave back while this one was listing', async () => {
    const deps = await freshDeps('ent-meanwhile');
    const own = deps.store;
    github.setNow(at(2));
    await takeEnterpriseSnapshot(deps, { enterprise: 'octo-corp', now: at(2), mode: 'full' });
    // Before the enterprise run's first page, and so before it takes octo-demo, the organisation's
    // own run stores a week of changes (new alerts among them) and gives it back. The enterprise
    // run then lists as of a week earlier: it never lists those new alerts.
    const gh = createGitHubClient({ token: TOKEN, baseUrl: github.url });
    const other: { run?: Promise<{ alertsWritten: number }> } = {};
    gh.hook.before('request', async () => {
      other.run ??= (async () => {
        github.setNow(at(1));
        const m = await takeSnapshot(deps, { org: 'octo-demo', now: at(1), mode: 'incremental' });
        github.setNow(at(2));
        return m;
      })();
      await other.run;
    });
    const manifests = await takeEnterpriseSnapshot(
      { ...deps, gh },
      { enterprise: 'octo-corp', now: at(2), mode: 'full' },
    );
    expect((await other.run)?.alertsWritten).toBeGreaterThan(0);
    const demo = manifests.find((m) => m.org === 'octo-demo');
    expect(demo?.complete).toBe(true);
    expect(demo?.reconciled).toBe(false);
    expect(demo?.noLongerReported).toBe(0);
    expect(manifests.find((m) => m.org === 'octo-payments')?.reconciled).toBe(true);
    const stored = await own.loadAlerts('octo-demo');
    expect([...stored.values()].filter((a) => a.snap?.noLongerReported)).toEqual([]);
    expect(stored.size).toBe(openCounts(orgs[0] as DemoOrg, at(1)).total);
  });

  it('recounts an organisation whose enterprise snapshot is paused, so its own run stores exact figures', async () => {
    const deps = await freshDeps('ent-held');
    const own = deps.store;
    github.setNow(at(2));
    await takeEnterpriseSnapshot(deps, { enterprise: 'octo-corp', now: at(2), mode: 'full' });
    // The enterprise's incremental run writes some of octo-demo's changes and pauses: its
    // movement is in the alerts' views, not yet in the aggregates.
    github.setNow(at(1));
    const paused = await takeEnterpriseSnapshot(
      { ...deps, clock: jumpingClock() },
      { enterprise: 'octo-corp', now: at(1), mode: 'incremental', deadline: 150_000 },
    );
    expect(paused.find((m) => m.org === 'octo-demo')?.alertsWritten).toBeGreaterThan(0);
    expect(paused.every((m) => m.resumable)).toBe(true);
    // The organisation's own run takes it over (the paused claim has expired) and finishes.
    const m = await takeSnapshot(deps, { org: 'octo-demo', now: at(1), mode: 'incremental' });
    expect(m.complete).toBe(true);
    const expected = openCounts(orgs[0] as DemoOrg, at(1)).counts;
    expect(m.openBySeverity).toEqual(expected);
    expect((await own.getAggregates('octo-demo'))?.openBySeverity).toEqual(expected);
  });

  it('lets one snapshot at a time move an organisation, and says which one holds it', async () => {
    const deps = await freshDeps('ent-claim');
    const own = deps.store;
    github.setNow(at(1));
    const enterpriseRun = {
      owner: 'enterprise:octo-corp/e1',
      label: 'enterprise octo-corp',
      snapshotId: 'e1',
      until: Date.now() + 60_000,
    };
    await own.claimOrganisation('octo-demo', enterpriseRun);
    const refused = await takeSnapshot(deps, { org: 'octo-demo', now: at(1), mode: 'full' }).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(ConcurrentUpdateError);
    expect(String(refused)).toMatch(
      /octo-demo is being snapshotted by the snapshot of enterprise octo-corp \(e1\)/,
    );
    expect(String(refused)).toMatch(/Try again after it/);
    // Refused before anything was stored.
    expect(await own.getCheckpoint('octo-demo')).toBeNull();
    expect((await own.loadAlerts('octo-demo')).size).toBe(0);

    // The other way round: the enterprise run stops at the organisation an organisation run holds.
    await own.releaseOrganisation('octo-demo', enterpriseRun.owner);
    await own.claimOrganisation('octo-demo', {
      ...enterpriseRun,
      owner: 'octo-demo/o1',
      label: 'octo-demo',
      snapshotId: 'o1',
    });
    const stopped = await takeEnterpriseSnapshot(deps, {
      enterprise: 'octo-corp',
      now: at(1),
      mode: 'full',
    }).catch((e: unknown) => e);
    expect(stopped).toBeInstanceOf(ConcurrentUpdateError);
    expect(String(stopped)).toMatch(/the snapshot of octo-demo \(o1\)/);
    expect((await own.loadAlerts('octo-demo')).size).toBe(0);

    // Released, the organisation is free; a finished snapshot gives it back at once.
    await own.releaseOrganisation('octo-demo', 'octo-demo/o1');
    const m = await takeSnapshot(deps, { org: 'octo-demo', now: at(1), mode: 'full' });
    expect(m.complete).toBe(true);
    const next = await own.claimOrganisation('octo-demo', enterpriseRun);
    // The claim given back stays, free and dated: the next snapshot knows who had it and until when.
    expect(next.previous?.owner).toMatch(/^octo-demo\//);
    expect(next.previous?.releasedAt).toBeGreaterThan(Date.now() - 60_000);
  });

  it('refuses a GitHub App, which cannot read enterprise lists, saying to use a token', async () => {
    const gh = createGitHubClient({
      auth: {
        kind: 'app',
        appId: 99,
        privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        installationId: 5,
      },
      baseUrl: github.url,
    });
    const run = takeEnterpriseSnapshot(
      { gh, store, log: silentLog },
      { enterprise: 'octo-corp', now: at(0), mode: 'full' },
    );
    await expect(run).rejects.toBeInstanceOf(GitHubError);
    await expect(run).rejects.toThrow(/token/i);
  });
});
