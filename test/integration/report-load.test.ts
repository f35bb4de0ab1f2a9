/**
 * The report's windowed read (use-cases/load-report-input.ts) against DynamoDB Local: it reads the
 * alerts open now or publicly leaked, the transitions and manifests of the trend window, and the
 * alerts those transitions name, and gives the same report.json as reading everything.
 */
import {
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Alert, alertKey, emptyOpenCounts, type Transition } from '../../functions/core/model.ts';
import { lastPeriods, parsePeriodId } from '../../functions/core/periods.ts';
import { computeReport, periodFigures, type ReportInput } from '../../functions/core/report.ts';
import { DEFAULT_SLA_POLICY } from '../../functions/core/report-model.ts';
import type { DynamoStore } from '../../functions/store/dynamo-store.ts';
import { loadReportInput } from '../../functions/use-cases/load-report-input.ts';
import { scopeFingerprint } from '../../functions/use-cases/report-scopes.ts';
import { makeAlert } from '../support/alerts.ts';
import { createTestStore } from '../support/dynamo.ts';

const ORG = 'window-org';
const PERIOD = parsePeriodId('2026-W46'); // Mon 9 Nov to Mon 16 Nov 2026, UTC
const TREND = lastPeriods(PERIOD, 12); // from 2026-W35: Mon 24 Aug 2026
const GENERATED_AT = '2026-11-16T06:00:00.000Z';
/** The present of every read here (closed alerts are read by day up to it). */
const NOW = Date.parse(GENERATED_AT);

const created = (a: Alert, at: string): Transition => ({
  alertType: a.alertType,
  repository: a.repository,
  number: a.number,
  from: null,
  to: 'open',
  at,
  actor: null,
  reason: null,
  comment: null,
  source: 'snapshot',
});
const moved = (
  a: Alert,
  from: Alert['state'],
  to: Alert['state'],
  at: string,
  actor: string,
): Transition => ({
  ...created(a, at),
  from,
  to,
  actor,
});

describe('report: the windowed read', () => {
  let store: DynamoStore;
  let storeClient: DynamoDBClient;
  beforeAll(async () => {
    ({ store, client: storeClient } = await createTestStore('report-load'));
    // 1. A secret resolved in July, long before the trend window, then found publicly leaked in
    //    the period: no state change, so no transition in the window.
    const leaked = makeAlert({
      alertType: 'secret_scanning',
      repository: `${ORG}/infra`,
      number: 7,
      severity: 'critical',
      title: 'AWS access key',
      ruleId: 'aws_access_key_id',
      htmlUrl: `https://github.com/${ORG}/infra/security/secret-scanning/7`,
      createdAt: '2026-07-01T09:00:00.000Z',
      state: 'dismissed',
      reason: 'used_in_tests',
      closedAt: '2026-07-02T09:00:00.000Z',
      closedBy: 'ops',
      updatedAt: '2026-11-10T12:00:00.000Z',
      publiclyLeaked: true,
      publiclyLeakedAt: '2026-11-10T12:00:00.000Z',
    });
    await store.writeAlert(ORG, leaked, null, [
      created(leaked, leaked.createdAt),
      { ...moved(leaked, 'open', 'dismissed', '2026-07-02T09:00:00.000Z', 'ops'), reason: 'used_in_tests' },
    ]);
    // 2. Closed in July and untouched since: takes no part in the window.
    const old = makeAlert({
      repository: `${ORG}/web`,
      number: 3,
      createdAt: '2026-06-01T09:00:00.000Z',
      state: 'fixed',
      closedAt: '2026-07-05T09:00:00.000Z',
      updatedAt: '2026-07-05T09:00:00.000Z',
    });
    await store.writeAlert(ORG, old, null, [
      created(old, old.createdAt),
      moved(old, 'open', 'fixed', '2026-07-05T09:00:00.000Z', 'dependabot'),
    ]);
    // 3. Open since September; 4. opened and fixed in the period.
    const open = makeAlert({ repository: `${ORG}/web`, number: 4, createdAt: '2026-09-01T09:00:00.000Z' });
    await store.writeAlert(ORG, open, null, [created(open, open.createdAt)]);
    const brief = makeAlert({
      repository: `${ORG}/api`,
      number: 5,
      severity: 'critical',
      createdAt: '2026-11-10T09:00:00.000Z',
      state: 'fixed',
      closedAt: '2026-11-12T09:00:00.000Z',
      updatedAt: '2026-11-12T09:00:00.000Z',
    });
    await store.writeAlert(ORG, brief, null, [
      created(brief, brief.createdAt),
      moved(brief, 'open', 'fixed', '2026-11-12T09:00:00.000Z', 'dependabot'),
    ]);
    // 5. Fixed in October, inside the trend window but before the period.
    const october = makeAlert({
      repository: `${ORG}/api`,
      number: 6,
      severity: 'medium',
      createdAt: '2026-09-20T09:00:00.000Z',
      state: 'fixed',
      closedAt: '2026-10-07T09:00:00.000Z',
      updatedAt: '2026-10-07T09:00:00.000Z',
    });
    await store.writeAlert(ORG, october, null, [
      created(october, october.createdAt),
      moved(october, 'open', 'fixed', '2026-10-07T09:00:00.000Z', 'dependabot'),
    ]);
    // A complete snapshot after the period: every period of the window is complete.
    await store.putManifest({
      org: ORG,
      snapshotId: 'full-1',
      takenAt: '2026-11-16T06:00:00.000Z',
      mode: 'full',
      complete: true,
      streams: [],
      alertsSeen: 5,
      alertsWritten: 5,
      transitionsWritten: 0,
      auditEventsWritten: 0,
      openBySeverity: emptyOpenCounts(),
      openByRepository: {},
    });
  });

  const naive = async (): Promise<Omit<ReportInput, 'generatedAt' | 'slaPolicy'>> => {
    const [stored, transitions, manifests, auditEvents] = await Promise.all([
      store.loadAlerts(ORG),
      store.listTransitions(ORG, { to: PERIOD.end }),
      store.listManifests(ORG),
      store.listAuditEvents(ORG),
    ]);
    const alerts = [...stored.values()].map((s) => s.alert);
    return { org: ORG, period: PERIOD, alerts, transitions, manifests, auditEvents, trendPeriods: TREND };
  };

  it('reads the open and the leaked alerts, and what changed in the window', async () => {
    const { input, reads } = await loadReportInput(store, ORG, PERIOD, TREND, { now: NOW });
    expect(input.alerts.map((a) => `${a.repository}#${a.number}`).sort()).toEqual([
      `${ORG}/api#5`,
      `${ORG}/api#6`,
      `${ORG}/infra#7`,
      `${ORG}/web#4`,
    ]);
    expect(reads).toMatchObject({
      openAlerts: 2,
      changedAlerts: 2,
      // Both closed alerts of the window (5, 6) are found by the day of their last change; alert 3
      // (closed in July) is in no day read.
      closedAlertsRead: 2,
      alertsReadByKey: 0,
      transitions: 5,
      manifests: 1,
      issuedFigures: 0,
      windowStart: TREND[0]?.start,
    });
  });

  it('reports the leak of an alert closed before the window, as reading everything does', async () => {
    const windowed = (await loadReportInput(store, ORG, PERIOD, TREND, { now: NOW })).input;
    const report = computeReport({ ...windowed, generatedAt: GENERATED_AT, slaPolicy: DEFAULT_SLA_POLICY });
    expect(report.notableEvents.map((e) => [e.kind, e.repository, e.number, e.at])).toEqual([
      ['critical_created', `${ORG}/api`, 5, '2026-11-10T09:00:00.000Z'],
      ['publicly_leaked', `${ORG}/infra`, 7, '2026-11-10T12:00:00.000Z'],
    ]);
    const everything = computeReport({
      ...(await naive()),
      generatedAt: GENERATED_AT,
      slaPolicy: DEFAULT_SLA_POLICY,
    });
    expect(report).toEqual(everything);
  });

  it('reads only the period when issued reports stated the earlier ones, with the same figures', async () => {
    const fingerprint = scopeFingerprint(null);
    const everything = await naive();
    const before = TREND.slice(0, -1);
    for (const [i, p] of before.entries()) {
      const report = computeReport({
        ...everything,
        period: p,
        trendPeriods: [p],
        generatedAt: GENERATED_AT,
        slaPolicy: DEFAULT_SLA_POLICY,
      });
      const figures = periodFigures(report, `r-${i}`);
      if (!figures) throw new Error(`${p.id}: ${report.incompleteReasons.join('; ')}`);
      await store.putPeriodFigures(ORG, 'org', figures, fingerprint, GENERATED_AT);
    }
    // A team whose repositories have changed since its figures were kept does not get them.
    const [kept] =
      (await store.getPeriodFigures(ORG, [{ scope: 'org', fingerprint }], before)).get('org') ?? [];
    if (!kept) throw new Error('no figures kept');
    await store.putPeriodFigures(ORG, 'team-web', kept, scopeFingerprint([`${ORG}/web`]), GENERATED_AT);
    // Forgotten figures are read as none; kept again, they are back.
    await store.deletePeriodFigures(ORG, 'team-web', [{ id: kept.periodId }]);
    expect(
      (
        await store.getPeriodFigures(
          ORG,
          [{ scope: 'team-web', fingerprint: scopeFingerprint([`${ORG}/web`]) }],
          before,
        )
      ).get('team-web'),
    ).toEqual([]);
    await store.putPeriodFigures(ORG, 'team-web', kept, scopeFingerprint([`${ORG}/web`]), GENERATED_AT);

    const loaded = await loadReportInput(store, ORG, PERIOD, TREND, {
      scopes: [{ scope: 'org', fingerprint }],
      now: NOW,
    });
    expect(loaded.reads).toMatchObject({ issuedFigures: 11, windowStart: PERIOD.start, transitions: 2 });
    // Alert 6 (fixed in October) is not read any more: the trend's October comes from the figures.
    expect(loaded.input.alerts.map((a) => a.number).sort()).toEqual([4, 5, 7]);
    const windowed = computeReport({
      ...loaded.input,
      issuedFigures: loaded.issuedFigures.get('org') ?? [],
      generatedAt: GENERATED_AT,
      slaPolicy: DEFAULT_SLA_POLICY,
    });
    expect(windowed.trend.map((p) => p.issuedIn)).toEqual([...before.map((_, i) => `r-${i}`), undefined]);
    const full = computeReport({ ...everything, generatedAt: GENERATED_AT, slaPolicy: DEFAULT_SLA_POLICY });
    expect({ ...windowed, trend: windowed.trend.map(({ issuedIn: _i, ...p }) => p) }).toEqual(full);
    // Byte for byte too: figures read back from DynamoDB come in any key order.
    expect(JSON.stringify(windowed.previousPeriod)).toBe(JSON.stringify(full.previousPeriod));
    expect(full.trend.find((p) => p.periodId === '2026-W41')).toMatchObject({ closed: 1, openAtEnd: 1 });

    const team = await loadReportInput(store, ORG, PERIOD, TREND, {
      scopes: [
        { scope: 'org', fingerprint },
        { scope: 'team-web', fingerprint: scopeFingerprint([`${ORG}/web`, `${ORG}/www`]) },
      ],
      now: NOW,
    });
    expect(team.issuedFigures.get('team-web')).toEqual([]);
    expect(team.reads.windowStart).toBe(TREND[0]?.start);
  });

  it('reads by key a closed alert the index has no day for (written by an earlier version)', async () => {
    const legacy = makeAlert({
      repository: `${ORG}/legacy`,
      number: 8,
      createdAt: '2026-10-01T09:00:00.000Z',
      state: 'dismissed',
      reason: 'tolerable_risk',
      closedAt: '2026-11-11T09:00:00.000Z',
      updatedAt: '2026-11-11T09:00:00.000Z',
    });
    await store.writeAlert(ORG, legacy, null, [
      created(legacy, legacy.createdAt),
      {
        ...moved(legacy, 'open', 'dismissed', '2026-11-11T09:00:00.000Z', 'sec-lead'),
        reason: 'tolerable_risk',
      },
    ]);
    // As an earlier version left it: no index key on a closed alert.
    await storeClient.send(
      new UpdateItemCommand({
        TableName: store.tableName,
        Key: { pk: { S: `ALERT#${ORG}` }, sk: { S: `dependabot#${ORG}/legacy#8` } },
        UpdateExpression: 'REMOVE openOrg',
      }),
    );
    const { input, reads } = await loadReportInput(store, ORG, PERIOD, TREND, { now: NOW });
    expect(reads).toMatchObject({ changedAlerts: 3, closedAlertsRead: 2, alertsReadByKey: 1 });
    expect(input.alerts.map((a) => a.number).sort()).toEqual([4, 5, 6, 7, 8]);
    // More than CLOSED_DAYS_MAX days to read: every closed alert is read by key, with the same input.
    const later = await loadReportInput(store, ORG, PERIOD, TREND, { now: NOW + 400 * 86_400_000 });
    expect(later.reads).toMatchObject({ changedAlerts: 3, closedAlertsRead: 0, alertsReadByKey: 3 });
    const byKey = (list: readonly Alert[]) =>
      [...list].sort((a, b) => alertKey(a).localeCompare(alertKey(b)));
    expect(byKey(later.input.alerts)).toEqual(byKey(input.alerts));
  });

  it('reads again by key an index copy that disagrees with its latest transition', async () => {
    // A transition item written alone, as if the alert's index copy had not caught up with it.
    const alert5 = { alertType: 'dependabot', repository: `${ORG}/api`, number: 5 } as const;
    const putTransition = async (t: Transition) => {
      const Key = {
        pk: { S: `TRANS#${ORG}` },
        sk: { S: `${t.at}#${t.alertType}#${t.repository}#${t.number}#${t.to}#${t.source}` },
      };
      await storeClient.send(
        new PutItemCommand({
          TableName: store.tableName,
          Item: { ...Key, transition: { S: JSON.stringify(t) } },
        }),
      );
      return () => storeClient.send(new DeleteItemCommand({ TableName: store.tableName, Key }));
    };
    const later = {
      ...alert5,
      from: 'fixed',
      at: '2026-11-12T09:00:00.000Z',
      actor: null,
      reason: null,
      comment: null,
      source: 'webhook',
    } as const;

    // Alert 5 was fixed on 12 Nov; a later transition says dismissed. The index copy (fixed) is
    // not used: the alert is read by key.
    const undoDismissal = await putTransition({
      ...later,
      to: 'dismissed',
      at: '2026-11-13T09:00:00.000Z',
      actor: 'sec-lead',
      reason: 'inaccurate',
    });
    const { input, reads } = await loadReportInput(store, ORG, PERIOD, TREND, { now: NOW });
    expect(reads).toMatchObject({ staleIndexCopies: 1, alertsReadByKey: 2, closedAlertsRead: 2 });
    expect(input.alerts.find((a) => a.number === 5)?.state).toBe('fixed');
    await undoDismissal();
    expect((await loadReportInput(store, ORG, PERIOD, TREND, { now: NOW })).reads.staleIndexCopies).toBe(0);

    // Transitions at one instant come in key order ("fixed" before "open"), not in the order they
    // happened: a copy in any state the alert reached at its latest instant is current.
    const undoReopen = await putTransition({ ...later, to: 'open' });
    expect((await loadReportInput(store, ORG, PERIOD, TREND, { now: NOW })).reads).toMatchObject({
      staleIndexCopies: 0,
      closedAlertsRead: 2,
    });
    await undoReopen();
  });

  it('drops an alert from the index once it is neither open nor leaked', async () => {
    const stored = await store.getAlert(ORG, `dependabot#${ORG}/web#4`);
    if (!stored) throw new Error('alert 4 missing');
    const fixed = {
      ...stored.alert,
      state: 'fixed' as const,
      closedAt: '2026-11-20T09:00:00.000Z',
      updatedAt: '2026-11-20T09:00:00.000Z',
    };
    await store.writeAlert(ORG, fixed, stored.version, [
      moved(fixed, 'open', 'fixed', '2026-11-20T09:00:00.000Z', 'dependabot'),
    ]);
    expect((await store.listStandingAlerts(ORG)).map((a) => a.number)).toEqual([7]);
  });
});
