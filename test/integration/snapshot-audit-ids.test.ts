import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { earlierAuditId, normalizeAuditEvent } from '../../functions/core/normalize-audit.ts';
import { createGitHubClient, type GitHubClient } from '../../functions/github/client.ts';
import type { DynamoStore } from '../../functions/store/dynamo-store.ts';
import { silentLog } from '../../functions/use-cases/log.ts';
import { takeSnapshot } from '../../functions/use-cases/take-snapshot.ts';
import { generateDemoOrg } from '../../infra/local/github/demo-org.ts';
import type { DemoAuditEvent } from '../../infra/local/github/demo-types.ts';
import { type SimulatedGitHub, startSimulatedGitHub } from '../../infra/local/github/server.ts';
import { createTestStore } from '../support/dynamo.ts';

const ORG = 'octo-demo';
const END = new Date('2026-11-16T00:00:00.000Z');
const TOKEN = 'audit-ids-token';
const AT = Date.parse('2026-11-15T12:00:00.123Z');

/**
 * One bulk dismissal as GHES logs it, without `_document_id`: two alerts of one repository
 * dismissed by one person in the same request, so time, action, actor and repository are equal.
 */
const dismissal = (alertNumber: number) =>
  ({
    '@timestamp': AT,
    created_at: AT,
    action: 'repository_vulnerability_alert.dismiss',
    actor: 'mona',
    actor_id: 1,
    org: ORG,
    org_id: 1,
    repo: `${ORG}/api`,
    operation_type: 'modify',
    data: { alert_number: alertNumber, reason: 'tolerable_risk' },
  }) as unknown as DemoAuditEvent;

describe('audit events GitHub gives no _document_id (GHES)', () => {
  let github: SimulatedGitHub;
  let gh: GitHubClient;
  let store: DynamoStore;
  beforeAll(async () => {
    const demo = generateDemoOrg({ org: ORG, seed: 11, weeks: 1, endsAt: END.toISOString() });
    github = await startSimulatedGitHub({
      demo: { ...demo, auditEvents: [dismissal(7), dismissal(8)] },
      token: TOKEN,
    });
    github.setNow(END);
    gh = createGitHubClient({ token: TOKEN, baseUrl: github.url });
  });
  afterAll(async () => {
    await github.close();
  });
  beforeEach(async () => {
    ({ store } = await createTestStore('audit-ids'));
  });

  it('gives each event an id of its whole content: equal for the same event, whatever the order of its keys', () => {
    const a = normalizeAuditEvent(dismissal(7), ORG);
    const b = normalizeAuditEvent(dismissal(8), ORG);
    const reordered = Object.fromEntries(Object.entries(dismissal(7)).reverse());
    expect(a.id).toMatch(/^sha256:[\w-]{43}$/);
    expect(b.id).not.toBe(a.id);
    expect(normalizeAuditEvent(reordered, ORG).id).toBe(a.id);
    expect(normalizeAuditEvent({ ...dismissal(7), _document_id: 'doc-1' }, ORG).id).toBe('doc-1');
    expect(earlierAuditId(dismissal(7))).toBe(`${AT}-repository_vulnerability_alert.dismiss-mona-${ORG}/api`);
    expect(earlierAuditId({ ...dismissal(7), _document_id: 'doc-1' })).toBeNull();
  });

  it('stores both events of a bulk dismissal, and neither again when the next run lists them in its overlap', async () => {
    const deps = { gh, store, log: silentLog };
    const first = await takeSnapshot(deps, { org: ORG, now: END, mode: 'full' });
    expect(first.auditEventsWritten).toBe(2);
    const again = await takeSnapshot(deps, { org: ORG, now: END, mode: 'incremental' });
    expect(again.auditEventsWritten).toBe(0);
    const stored = await store.listAuditEvents(ORG);
    const byNumber = (x: { alertNumber: number | null }, y: { alertNumber: number | null }) =>
      (x.alertNumber ?? 0) - (y.alertNumber ?? 0);
    expect(stored.sort(byNumber).map((e) => [e.alertNumber, e.actor, e.reason])).toEqual([
      [7, 'mona', 'tolerable_risk'],
      [8, 'mona', 'tolerable_risk'],
    ]);
  });

  it('knows an event an earlier version stored under the id it gave, and does not store it twice', async () => {
    // What a version before the change stored: the first event under its old id, and the watermark.
    const legacy = { ...normalizeAuditEvent(dismissal(7), ORG), id: earlierAuditId(dismissal(7)) as string };
    await store.putAuditEvents(ORG, [legacy]);
    await store.putCursor(ORG, 'watermark#audit_log', new Date(AT).toISOString());
    const m = await takeSnapshot({ gh, store, log: silentLog }, { org: ORG, now: END, mode: 'incremental' });
    expect(m.auditEventsWritten).toBe(1);
    const stored = await store.listAuditEvents(ORG);
    expect(stored.map((e) => [e.alertNumber, e.id === legacy.id])).toEqual([
      [7, true],
      [8, false],
    ]);
  });
});
