import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERT_TYPES, type Alert, emptyOpenCounts } from '../../functions/core/model.ts';
import { normalizeAlert } from '../../functions/core/normalize.ts';
import { createGitHubClient } from '../../functions/github/client.ts';
import { GitHubError } from '../../functions/github/errors.ts';
import type { DynamoStore } from '../../functions/store/dynamo-store.ts';
import { silentLog } from '../../functions/use-cases/log.ts';
import { takeEnterpriseSnapshot } from '../../functions/use-cases/take-snapshot.ts';
import { generateDemoOrg } from '../../infra/local/github/demo-org.ts';
import type { DemoOrg } from '../../infra/local/github/demo-types.ts';
import { renderAlertsAt } from '../../infra/local/github/render.ts';
import { type SimulatedGitHub, startSimulatedGitHub } from '../../infra/local/github/server.ts';
import { createTestStore } from '../support/dynamo.ts';

const END = '2026-11-16T00:00:00.000Z';
const WEEK = 7 * 24 * 3600 * 1000;
const at = (w: number) => new Date(Date.parse(END) - w * WEEK);
const TOKEN = 'enterprise-snapshot-token';

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
