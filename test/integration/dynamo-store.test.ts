import {
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { observeAlert } from '../../functions/core/diff.ts';
import { alertKey } from '../../functions/core/model.ts';
import { alertDigest, alertWriteActions, DynamoStore } from '../../functions/store/dynamo-store.ts';
import { ConcurrentUpdateError, DuplicateDeliveryError } from '../../functions/store/errors.ts';
import { startDynamoStandIn } from '../../infra/local/dynamodb.ts';
import { makeAlert } from '../support/alerts.ts';
import { createTestStore } from '../support/dynamo.ts';

describe('DynamoStore against DynamoDB Local', () => {
  let store: DynamoStore;
  let client: DynamoDBClient;
  const org = 'octo-demo';

  beforeAll(async () => {
    ({ store, client } = await createTestStore('store'));
  });

  it('stores an alert and its transition as JSON text, and still reads the maps earlier versions wrote', async () => {
    const org3 = 'format-org';
    const alert = makeAlert({ number: 41, repository: `${org3}/app` });
    const [opened] = observeAlert(undefined, alert, 'snapshot').transitions;
    if (!opened) throw new Error('an alert seen first has an opening transition');
    await store.writeAlert(org3, alert, null, [opened]);
    const raw = await client.send(
      new GetItemCommand({
        TableName: store.tableName,
        Key: { pk: { S: 'ALERT#format-org' }, sk: { S: alertKey(alert) } },
      }),
    );
    expect(JSON.parse(raw.Item?.alert?.S ?? 'null')).toEqual(alert);
    const rawTransitions = await client.send(
      new QueryCommand({
        TableName: store.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: 'TRANS#format-org' } },
      }),
    );
    expect(rawTransitions.Items?.map((i) => JSON.parse(i.transition?.S ?? 'null'))).toEqual([opened]);

    // An alert and a transition as an earlier version stored them: maps.
    const older = makeAlert({ number: 42, repository: `${org3}/app`, createdAt: '2026-11-01T08:00:00.000Z' });
    const olderOpened = { ...opened, number: 42, at: older.createdAt };
    const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    await doc.send(
      new PutCommand({
        TableName: store.tableName,
        Item: {
          pk: 'ALERT#format-org',
          sk: alertKey(older),
          alert: older,
          version: 3,
          openOrg: 'format-org',
        },
      }),
    );
    await doc.send(
      new PutCommand({
        TableName: store.tableName,
        Item: {
          pk: 'TRANS#format-org',
          sk: `${olderOpened.at}#dependabot#format-org/app#42#open#snapshot`,
          transition: olderOpened,
        },
      }),
    );
    expect((await store.getAlert(org3, alertKey(older)))?.alert).toEqual(older);
    expect((await store.getAlerts(org3, [alertKey(older), alertKey(alert)])).get(alertKey(older))).toEqual({
      alert: older,
      version: 3,
      snap: null,
    });
    expect((await store.listStandingAlerts(org3)).map((a) => a.number).sort()).toEqual([41, 42]);
    expect(await store.listTransitions(org3)).toEqual([olderOpened, opened]);
    // A later write of the older alert stores it as text.
    const fixed = {
      ...older,
      state: 'fixed' as const,
      updatedAt: '2026-11-03T08:00:00.000Z',
      closedAt: '2026-11-03T08:00:00.000Z',
    };
    await store.writeAlert(org3, fixed, 3, []);
    const rewritten = await client.send(
      new GetItemCommand({
        TableName: store.tableName,
        Key: { pk: { S: 'ALERT#format-org' }, sk: { S: alertKey(older) } },
      }),
    );
    expect(JSON.parse(rewritten.Item?.alert?.S ?? 'null')).toEqual(fixed);
    expect((await store.listStandingAlerts(org3)).map((a) => a.number)).toEqual([41]);
  });

  it('keeps each alert’s fingerprint beside it, and reads the fingerprint of one stored without it from its body', async () => {
    const org6 = 'digest-org';
    const written = makeAlert({ number: 1, repository: `${org6}/app` });
    await store.writeAlert(org6, written, null, []);
    const batched = makeAlert({ number: 2, repository: `${org6}/app` });
    await store.writeAlerts(org6, [
      { alert: batched, expectedVersion: null, transitions: [], snap: { state: 'open', severity: 'high' } },
    ]);
    // As versions before fingerprints stored them: the body as text, and as a map.
    const text = makeAlert({ number: 3, repository: `${org6}/app` });
    const map = makeAlert({ number: 4, repository: `${org6}/app` });
    const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    for (const [a, body] of [
      [text, JSON.stringify(text)],
      [map, map],
    ] as const) {
      await doc.send(
        new PutCommand({
          TableName: store.tableName,
          Item: {
            pk: `ALERT#${org6}`,
            sk: alertKey(a),
            alert: body,
            version: 1,
            snap: { state: 'open', severity: 'low' },
          },
        }),
      );
    }
    const digests = await store.listAlertDigests(org6);
    expect(Object.fromEntries(digests)).toEqual({
      [alertKey(written)]: { snap: null, digest: alertDigest(written) },
      [alertKey(batched)]: { snap: { state: 'open', severity: 'high' }, digest: alertDigest(batched) },
      [alertKey(text)]: { snap: { state: 'open', severity: 'low' }, digest: alertDigest(text) },
      [alertKey(map)]: { snap: { state: 'open', severity: 'low' }, digest: null },
    });
    // A rewrite stores the new fingerprint.
    const dismissed = { ...written, state: 'dismissed' as const, updatedAt: '2026-11-05T00:00:00.000Z' };
    await store.writeAlert(org6, dismissed, 1, []);
    expect((await store.listAlertDigests(org6)).get(alertKey(written))?.digest).toBe(alertDigest(dismissed));
    expect(alertDigest(dismissed)).not.toBe(alertDigest(written));
  });

  it('names an alert item without a body instead of reading it as an alert', async () => {
    const doc = DynamoDBDocumentClient.from(client);
    await doc.send(
      new PutCommand({
        TableName: store.tableName,
        Item: { pk: 'ALERT#body-org', sk: 'dependabot#body-org/app#1', version: 1 },
      }),
    );
    await expect(store.loadAlerts('body-org')).rejects.toThrow(
      /ALERT#body-org \/ dependabot#body-org\/app#1 has no alert: it was not written by alert-ledger/,
    );
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

  it('reads a long range of transitions in key ranges at once, each exactly once and in order', async () => {
    const org4 = 'slices-org';
    const from = Date.now() - 20 * 86_400_000;
    const times = Array.from({ length: 41 }, (_, k) => new Date(from + k * 43_200_000).toISOString());
    for (const [n, at] of times.entries()) {
      const a = makeAlert({ number: n + 1, repository: `${org4}/app`, createdAt: at, updatedAt: at });
      await store.writeAlert(org4, a, null, observeAlert(undefined, a, 'snapshot').transitions);
    }
    const all = await store.listTransitions(org4, { from: times[0] as string });
    expect(all.map((t) => t.at)).toEqual(times);
    const later = await store.listTransitions(org4, { from: times[10] as string, to: times[30] as string });
    expect(later.map((t) => t.number)).toEqual(Array.from({ length: 20 }, (_, k) => k + 11));
    expect((await store.listStandingAlerts(org4)).length).toBe(41);
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

  it('writes a snapshot view, a no-longer-reported mark and a lease once, though the SDK sends them again after a lost answer', async () => {
    // A client whose first answer to each update (and put) of an item is lost after DynamoDB
    // applied it: the SDK retries it as a timeout.
    const losing = new DynamoDBClient({
      endpoint: inject('dynamoEndpoint'),
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const lost = new Set<string>();
    losing.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        const input = args.input as { Key?: { sk?: { S?: string } }; Item?: { pk?: { S?: string } } };
        const key = `${context.commandName} ${input.Key?.sk?.S ?? input.Item?.pk?.S}`;
        if (/^(Update|Put)ItemCommand$/.test(context.commandName ?? '') && !lost.has(key)) {
          lost.add(key);
          throw Object.assign(new Error('connection reset after the write'), { name: 'TimeoutError' });
        }
        return result;
      },
      { step: 'deserialize', name: 'loseFirstAnswer' },
    );
    const flaky = new DynamoStore(losing, store.tableName);
    const checkpoint = {
      org: 'lost-answers',
      snapshotId: 's1',
      mode: 'full' as const,
      takenAt: '2026-11-20T00:00:00.000Z',
      startedAt: '2026-11-20T00:00:00.000Z',
      leaseUntil: Date.now() + 60_000,
      leaseOwner: 'invocation-1',
      lanes: {},
      delta: {},
      counters: { alertsWritten: 0, transitionsWritten: 0, auditEventsWritten: 0, invocations: 1 },
      perOrg: {},
      skippedItems: [],
    };
    await flaky.putCheckpoint(checkpoint, true);
    expect(lost.has('PutItemCommand CHECKPOINT#lost-answers')).toBe(true);
    expect((await store.getCheckpoint('lost-answers'))?.leaseOwner).toBe('invocation-1');
    // Another invocation is still kept out.
    await expect(
      store.putCheckpoint({ ...checkpoint, leaseOwner: 'invocation-2' }, true),
    ).rejects.toBeInstanceOf(ConcurrentUpdateError);
    const alert = makeAlert({ number: 71 });
    await store.writeAlert(org, alert, null, observeAlert(undefined, alert, 'snapshot').transitions);
    const key = alertKey(alert);
    const view = { state: 'open' as const, severity: alert.severity };
    await flaky.putSnapView(org, key, view, 1);
    expect(lost.has(`UpdateItemCommand ${key}`)).toBe(true);
    expect(await store.getAlert(org, key)).toMatchObject({ version: 2, snap: view });
    // Another writer's move in between is still refused.
    await expect(store.putSnapView(org, key, { ...view, state: 'fixed' }, 1)).rejects.toBeInstanceOf(
      ConcurrentUpdateError,
    );
    lost.clear();
    expect(await flaky.markNoLongerReported(org, key, view, 'snap-1')).toBe(true);
    expect(lost.has(`UpdateItemCommand ${key}`)).toBe(true);
    expect((await store.getAlert(org, key))?.snap).toEqual({
      ...view,
      noLongerReported: true,
      noLongerReportedBy: 'snap-1',
    });
    // Marked already, by another snapshot: not this one's mark.
    expect(await store.markNoLongerReported(org, key, view, 'snap-2')).toBe(false);
  });

  it('writes alerts many to a transaction with their transitions packed by day, and reads any range of them exactly', async () => {
    const org5 = 'packs-org';
    // 60 alerts opened every 90 minutes from 22:30 on 9 November: five UTC days of transitions.
    const start = Date.parse('2026-11-09T22:30:00.000Z');
    const alerts = Array.from({ length: 60 }, (_, k) => {
      const at = new Date(start + k * 5_400_000).toISOString();
      return makeAlert({ number: k + 1, repository: `${org5}/app`, createdAt: at, updatedAt: at });
    });
    const entries = alerts.map((alert) => ({
      alert,
      expectedVersion: null,
      transitions: observeAlert(undefined, alert, 'snapshot').transitions,
      snap: { state: alert.state, severity: alert.severity },
    }));
    const all = entries.flatMap((e) => e.transitions);
    expect(alertWriteActions(entries)).toBe(60 + 5);
    const before = store.usage.itemsWritten;
    await store.writeAlerts(org5, entries);
    expect(store.usage.itemsWritten - before).toBe(65);
    // A webhook wrote one of the changes as its own item too: it is still listed once.
    const webhookCopy = all[40] as (typeof all)[number];
    const doc = DynamoDBDocumentClient.from(client);
    await doc.send(
      new PutCommand({
        TableName: store.tableName,
        Item: {
          pk: `TRANS#${org5}`,
          sk: `${webhookCopy.at}#${webhookCopy.alertType}#${webhookCopy.repository}#${webhookCopy.number}#${webhookCopy.to}#${webhookCopy.source}`,
          transition: JSON.stringify(webhookCopy),
        },
      }),
    );
    expect(await store.listTransitions(org5)).toEqual(all);
    // Ranges that start and end inside a day's pack, and one that ends exactly at a transition.
    const between = (from: number, to: number) =>
      all.filter((t) => Date.parse(t.at) >= from && Date.parse(t.at) < to);
    for (const [from, to] of [
      ['2026-11-10T05:00:00Z', '2026-11-11T13:00:00Z'],
      ['2026-11-10T00:00:00Z', '2026-11-11T00:00:00Z'],
      [all[7]?.at as string, all[31]?.at as string],
      ['2026-11-12T12:00:00Z', '2026-11-20T00:00:00Z'],
    ] as const) {
      const got = await store.listTransitions(org5, { from, to });
      expect(got).toEqual(between(Date.parse(from), Date.parse(to)));
      expect(got.length).toBeGreaterThan(0);
    }
    // The same write again is refused as a whole and names every alert that exists already.
    const error = await store.writeAlerts(org5, entries.slice(0, 3)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConcurrentUpdateError);
    expect((error as ConcurrentUpdateError).conflicts).toEqual(alerts.slice(0, 3).map(alertKey));
    // One stale version among current ones: only that alert is named, and nothing is written.
    const fixed = (a: (typeof alerts)[number]) => ({
      ...a,
      state: 'fixed' as const,
      updatedAt: '2026-11-14T00:00:00.000Z',
      closedAt: '2026-11-14T00:00:00.000Z',
    });
    const changes = [0, 1].map((k) => {
      const alert = fixed(alerts[k] as (typeof alerts)[number]);
      return {
        alert,
        expectedVersion: k === 1 ? 7 : 1,
        transitions: observeAlert(alerts[k], alert, 'snapshot').transitions,
        snap: { state: alert.state, severity: alert.severity },
      };
    });
    const stale = await store.writeAlerts(org5, changes).catch((e: unknown) => e);
    expect((stale as ConcurrentUpdateError).conflicts).toEqual([
      alertKey(alerts[1] as (typeof alerts)[number]),
    ]);
    expect((await store.getAlert(org5, alertKey(alerts[0] as (typeof alerts)[number])))?.alert.state).toBe(
      'open',
    );
    await store.writeAlerts(org5, changes.slice(0, 1));
    const updated = await store.getAlert(org5, alertKey(alerts[0] as (typeof alerts)[number]));
    expect(updated?.version).toBe(2);
    expect(updated?.snap).toEqual({ state: 'fixed', severity: alerts[0]?.severity });
    expect(
      (await store.listTransitions(org5, { from: '2026-11-14T00:00:00Z' })).map((t) => [t.number, t.to]),
    ).toEqual([[1, 'fixed']]);
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

  it('follows the chain, not the issue times: a rerun at the same instant, and a backfill issued "earlier"', async () => {
    const base = {
      org,
      scope: 'team-a',
      periodId: '2026-W46',
      sha256: { pdf: 'a', json: 'b', csv: 'c', html: 'd' },
      keys: {},
    };
    // zz sorts after aa by sort key, but was issued first.
    await store.appendReportRecord({
      ...base,
      reportId: 'zz',
      issuedAt: '2026-11-16T07:00:00.000Z',
      chainHash: 'c1',
      previousChainHash: null,
    });
    await store.appendReportRecord({
      ...base,
      reportId: 'aa',
      issuedAt: '2026-11-16T07:00:00.000Z',
      chainHash: 'c2',
      previousChainHash: 'c1',
    });
    expect((await store.latestReportRecord(org, 'team-a'))?.reportId).toBe('aa');
    await store.appendReportRecord({
      ...base,
      reportId: 'mm',
      issuedAt: '2026-01-01T00:00:00.000Z',
      chainHash: 'c3',
      previousChainHash: 'c2',
    });
    expect((await store.latestReportRecord(org, 'team-a'))?.reportId).toBe('mm');
    expect((await store.listReportRecords(org, 'team-a')).map((r) => r.reportId)).toEqual(['zz', 'aa', 'mm']);
  });

  it('keeps the open-alerts index in step with each alert’s state, per org', async () => {
    const o = 'Index-Org';
    const a = makeAlert({ repository: 'index-org/app', number: 1 });
    const b = makeAlert({ repository: 'index-org/app', number: 2, state: 'fixed', closedAt: a.createdAt });
    await store.writeAlerts(o, [
      { alert: a, expectedVersion: null, transitions: [], snap: { state: 'open', severity: 'high' } },
      { alert: b, expectedVersion: null, transitions: [], snap: { state: 'fixed', severity: 'high' } },
    ]);
    const numbers = async () => (await store.listStandingAlerts('index-org')).map((x) => x.number);
    expect(await numbers()).toEqual([1]);
    const fixed = {
      ...a,
      state: 'fixed' as const,
      updatedAt: '2026-11-03T00:00:00.000Z',
      closedAt: '2026-11-03T00:00:00.000Z',
    };
    await store.writeAlert(o, fixed, 1, []);
    const reopened = { ...b, updatedAt: '2026-11-04T00:00:00.000Z', state: 'open' as const, closedAt: null };
    await store.writeAlert(o, reopened, 1, []);
    expect(await numbers()).toEqual([2]);
    expect(await store.listStandingAlerts('other-org')).toEqual([]);
  });

  // A DynamoDB Local of its own: adding an index to a table of the shared one, busy with every
  // other test file, has taken over a minute under load.
  it('adds the open-alerts index to a table made before it, with the open and leaked alerts already stored', async () => {
    const local = await startDynamoStandIn({ dataDir: null });
    const client = new DynamoDBClient({
      endpoint: local.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      const tableName = 'ledger-before-the-index';
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
          ],
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
        }),
      );
      const put = (number: number, state: string, leaked = false) =>
        client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              pk: { S: 'ALERT#old-org' },
              sk: { S: `dependabot#old-org/app#${number}` },
              alert: {
                M: {
                  number: { N: String(number) },
                  state: { S: state },
                  ...(leaked ? { publiclyLeaked: { BOOL: true } } : {}),
                },
              },
              version: { N: '1' },
            },
          }),
        );
      await put(1, 'open');
      await put(2, 'dismissed');
      await put(3, 'dismissed', true); // a leaked secret: the report reads it whatever its state
      // As this version stores alerts (JSON text), should such an item be there too.
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            pk: { S: 'ALERT#old-org' },
            sk: { S: 'dependabot#old-org/app#4' },
            alert: { S: JSON.stringify({ number: 4, state: 'open' }) },
            version: { N: '1' },
          },
        }),
      );
      const old = new DynamoStore(client, tableName);
      await old.ensureTable();
      expect((await old.listStandingAlerts('old-org')).map((x) => x.number).sort()).toEqual([1, 3, 4]);
      await old.ensureTable(); // idempotent once the index exists
    } finally {
      client.destroy();
      await local.close();
    }
  });

  it('lists the manifests of a range, oldest first, the end excluded', async () => {
    const manifest = (takenAt: string) => ({
      org: 'range-org',
      snapshotId: `s-${takenAt}`,
      takenAt,
      mode: 'incremental' as const,
      complete: true,
      streams: [],
      alertsSeen: 0,
      alertsWritten: 0,
      transitionsWritten: 0,
      auditEventsWritten: 0,
      openBySeverity: {
        dependabot: { critical: 0, high: 0, medium: 0, low: 0 },
        secret_scanning: { critical: 0, high: 0, medium: 0, low: 0 },
        code_scanning: { critical: 0, high: 0, medium: 0, low: 0 },
      },
      openByRepository: {},
    });
    for (const at of ['2026-11-15T23:00:00.000Z', '2026-11-16T00:00:00.000Z', '2026-11-23T00:00:00.000Z']) {
      await store.putManifest(manifest(at));
    }
    const listed = await store.listManifests('range-org', {
      from: '2026-11-16T00:00:00Z',
      to: '2026-11-23T00:00:00Z',
    });
    expect(listed.map((m) => m.takenAt)).toEqual(['2026-11-16T00:00:00.000Z']);
    expect((await store.listManifests('range-org')).length).toBe(3);
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
    const before = store.usage.itemsWritten;
    await store.putAuditEvents(org, events);
    // Packed by day: one item for the 30.
    expect(store.usage.itemsWritten - before).toBe(1);
    await store.putAuditEvents(org, events);
    // Written again, and some again in another pack: each is read once, in order.
    await store.putAuditEvents(org, events.slice(10, 12));
    const back = await store.listAuditEvents(org);
    expect(back).toEqual(events);
    const part = await store.listAuditEvents(org, {
      from: events[5]?.at as string,
      to: events[20]?.at as string,
    });
    expect(part).toEqual(events.slice(5, 20));
  });
});
