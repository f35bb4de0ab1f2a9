import { beforeAll, describe, expect, it } from 'vitest';
import { observeAlert } from '../../functions/core/diff.ts';
import { alertKey } from '../../functions/core/model.ts';
import type { DynamoStore } from '../../functions/store/dynamo-store.ts';
import { ConcurrentUpdateError, DuplicateDeliveryError } from '../../functions/store/errors.ts';
import { makeAlert } from '../support/alerts.ts';
import { createTestStore } from '../support/dynamo.ts';

describe('DynamoStore against DynamoDB Local', () => {
  let store: DynamoStore;
  const org = 'octo-demo';

  beforeAll(async () => {
    ({ store } = await createTestStore('store'));
  });

  it('writes an alert with its transitions and reads both back', async () => {
    const alert = makeAlert({ number: 11 });
    const obs = observeAlert(undefined, alert, 'snapshot');
    await store.writeAlert(org, alert, null, obs.transitions);

    const alerts = await store.loadAlerts(org);
    expect(alerts.get(alertKey(alert))).toEqual({ alert, version: 1, snap: null });
    const transitions = await store.listTransitions(org);
    expect(transitions).toEqual([
      {
        alertType: 'dependabot',
        repository: 'octo-demo/payments-api',
        number: 11,
        from: null,
        to: 'open',
        at: '2026-11-02T10:00:00.000Z',
        actor: null,
        reason: null,
        comment: null,
        source: 'snapshot',
      },
    ]);
  });

  it('refuses a write based on a stale version and writes nothing of it', async () => {
    const alert = makeAlert({ number: 12 });
    await store.writeAlert(org, alert, null, observeAlert(undefined, alert, 'snapshot').transitions);
    const fixed = makeAlert({
      number: 12,
      state: 'fixed',
      updatedAt: '2026-11-05T09:00:00.000Z',
      closedAt: '2026-11-05T09:00:00.000Z',
    });
    const obs = observeAlert(alert, fixed, 'snapshot');
    await expect(store.writeAlert(org, fixed, 0, obs.transitions)).rejects.toBeInstanceOf(
      ConcurrentUpdateError,
    );
    const after = await store.getAlert(org, alertKey(alert));
    expect(after?.alert.state).toBe('open');
    const forAlert = (await store.listTransitions(org)).filter((t) => t.number === 12);
    expect(forAlert.map((t) => t.to)).toEqual(['open']);

    await store.writeAlert(org, fixed, 1, obs.transitions);
    expect((await store.getAlert(org, alertKey(alert)))?.version).toBe(2);
  });

  it('lists transitions of a period with the end excluded', async () => {
    const org2 = 'range-org';
    for (const [n, at] of [
      [1, '2026-11-08T23:59:59.999Z'],
      [2, '2026-11-09T00:00:00.000Z'],
      [3, '2026-11-15T23:59:59.999Z'],
      [4, '2026-11-16T00:00:00.000Z'],
    ] as const) {
      const a = makeAlert({ number: n, createdAt: at, updatedAt: at });
      await store.writeAlert(org2, a, null, observeAlert(undefined, a, 'snapshot').transitions);
    }
    const inWeek = await store.listTransitions(org2, {
      from: '2026-11-09T00:00:00Z',
      to: '2026-11-16T00:00:00Z',
    });
    expect(inWeek.map((t) => t.number)).toEqual([2, 3]);
  });

  it('records a webhook delivery once, atomically with the alert', async () => {
    const alert = makeAlert({ number: 13 });
    const delivery = { id: 'd-13', event: 'dependabot_alert', ttlSeconds: 60 };
    await store.writeAlert(org, alert, null, observeAlert(undefined, alert, 'webhook').transitions, delivery);
    const again = makeAlert({ number: 13, updatedAt: '2026-11-03T00:00:00.000Z' });
    await expect(store.writeAlert(org, again, 1, [], delivery)).rejects.toBeInstanceOf(
      DuplicateDeliveryError,
    );
    expect((await store.getAlert(org, alertKey(alert)))?.alert.updatedAt).toBe('2026-11-02T10:00:00.000Z');
    expect(await store.recordDelivery({ id: 'ping-1', event: 'ping', ttlSeconds: 60 })).toBe(true);
    expect(await store.recordDelivery({ id: 'ping-1', event: 'ping', ttlSeconds: 60 })).toBe(false);
  });

  it('chains report records and refuses a fork', async () => {
    const base = {
      org,
      scope: 'org',
      periodId: '2026-W46',
      sha256: { pdf: 'a', json: 'b', csv: 'c', html: 'd' },
      keys: {},
    };
    await store.appendReportRecord({
      ...base,
      reportId: 'r1',
      issuedAt: '2026-11-16T07:00:00.000Z',
      chainHash: 'h1',
      previousChainHash: null,
    });
    await store.appendReportRecord({
      ...base,
      reportId: 'r2',
      issuedAt: '2026-11-16T08:00:00.000Z',
      chainHash: 'h2',
      previousChainHash: 'h1',
    });
    await expect(
      store.appendReportRecord({
        ...base,
        reportId: 'r3',
        issuedAt: '2026-11-16T09:00:00.000Z',
        chainHash: 'h3',
        previousChainHash: 'h1',
      }),
    ).rejects.toBeInstanceOf(ConcurrentUpdateError);
    expect((await store.latestReportRecord(org, 'org'))?.reportId).toBe('r2');
    expect((await store.listReportRecords(org, 'org')).map((r) => r.reportId)).toEqual(['r1', 'r2']);
  });

  it('keeps cursors and audit events', async () => {
    await store.putCursor(org, 'watermark#dependabot', '2026-11-16T00:00:00.000Z');
    expect(await store.getCursor(org, 'watermark#dependabot')).toBe('2026-11-16T00:00:00.000Z');
    expect(await store.getCursor(org, 'missing')).toBeNull();
    const events = Array.from({ length: 30 }, (_, i) => ({
      id: `e${i}`,
      action: 'secret_scanning_push_protection.bypass',
      actor: 'mona',
      at: new Date(Date.UTC(2026, 10, 10, 0, i)).toISOString(),
      repository: 'octo-demo/web',
      alertNumber: i,
      reason: 'false_positive',
      secretType: 'password',
    }));
    await store.putAuditEvents(org, events);
    await store.putAuditEvents(org, events);
    const back = await store.listAuditEvents(org);
    expect(back).toHaveLength(30);
    expect(back[29]).toEqual(events[29]);
  });
});
