import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sign } from '@octokit/webhooks-methods';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { DynamoStore } from '../../functions/store/dynamo-store.ts';
import { generateDemoOrg } from '../../infra/local/github/demo-org.ts';
import { type SimulatedGitHub, startSimulatedGitHub } from '../../infra/local/github/server.ts';
import { type S3StandIn, startS3StandIn } from '../../infra/local/s3.ts';
import { type SesStandIn, startSesStandIn } from '../../infra/local/ses.ts';
import { createTestStore } from '../support/dynamo.ts';
import { webhookExamples } from '../support/webhook-schemas.ts';

/**
 * The three Lambda handlers as AWS invokes them: configuration from the environment, clients
 * built on first use, events in the shapes of EventBridge Scheduler and Function URLs.
 */
describe('Lambda handlers on the stand-ins', () => {
  const secret = 'handler-test-secret';
  const token = `t-${randomUUID()}`;
  const root = mkdtempSync(join(tmpdir(), 'alert-ledger-handlers-'));
  let github: SimulatedGitHub;
  let s3: S3StandIn;
  let ses: SesStandIn;
  let store: DynamoStore;
  const saved = { ...process.env };

  beforeAll(async () => {
    ({ store } = await createTestStore('handlers'));
    const demo = generateDemoOrg({ org: 'octo-demo', seed: 3, weeks: 4, endsAt: '2026-11-16T00:00:00.000Z' });
    github = await startSimulatedGitHub({ demo, token, now: () => new Date('2026-11-16T00:00:00Z') });
    s3 = await startS3StandIn({ dataDir: join(root, 's3') });
    ses = await startSesStandIn();
    Object.assign(process.env, {
      TABLE_NAME: store.tableName,
      DYNAMODB_ENDPOINT: inject('dynamoEndpoint'),
      BUCKET_NAME: 'handler-reports',
      S3_ENDPOINT: s3.endpoint,
      SES_ENDPOINT: ses.endpoint,
      ORGS: 'octo-demo',
      GITHUB_TOKEN: token,
      GITHUB_API_URL: github.url,
      GITHUB_WEBHOOK_SECRET: secret,
      REPORT_FROM: 'ledger@example.com',
      REPORT_TO: 'lead@example.com',
    });
    const { S3Client, CreateBucketCommand } = await import('@aws-sdk/client-s3');
    const client = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    await client.send(new CreateBucketCommand({ Bucket: 'handler-reports' }));
  });

  afterAll(async () => {
    process.env = saved;
    await github.close();
    await s3.close();
    await ses.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('snapshot: takes a full snapshot of every organisation in ORGS', async () => {
    const { handler } = await import('../../functions/snapshot/handler.ts');
    const result = await handler({ mode: 'full', now: '2026-11-16T00:00:00Z' });
    expect(result.snapshots).toHaveLength(1);
    expect(result.snapshots[0]).toMatchObject({ org: 'octo-demo', complete: true });
    expect(result.snapshots[0]?.alertsSeen).toBeGreaterThan(50);
    await expect(handler({ mode: 'sometimes' })).rejects.toThrow(/invalid snapshot input: mode/);
    await expect(handler({ org: 'octo-demo', typo: 1 })).rejects.toThrow(/Unrecognized key/);
    // One organisation asked for (the fan-out's way): its own error, by name, for the retry policy.
    await expect(
      handler({ org: 'no-such-org', mode: 'full', now: '2026-11-16T00:00:00Z' }),
    ).rejects.toMatchObject({
      name: 'GitHubNotFoundError',
    });
  });

  it('snapshot: pauses, resumable, when the Lambda has less time left than a request may wait and a checkpoint takes', async () => {
    const { handler } = await import('../../functions/snapshot/handler.ts');
    const { LONGEST_WAIT_MS } = await import('../../functions/github/client.ts');
    expect(LONGEST_WAIT_MS).toBe(60_000);
    // 70 s left: a request asked now could wait a minute, past the 20 s kept to save the checkpoint.
    const short = { getRemainingTimeInMillis: () => 70_000 };
    const paused = await handler({ org: 'octo-demo', mode: 'full', now: '2026-11-17T00:00:00Z' }, short);
    expect(paused.snapshots[0]).toMatchObject({
      org: 'octo-demo',
      complete: false,
      resumable: true,
      alertsSeen: 0,
    });
    // With the time a run needs, the next invocation finishes the same snapshot.
    const long = { getRemainingTimeInMillis: () => 15 * 60_000 };
    const resumed = await handler({ org: 'octo-demo', mode: 'full', now: '2026-11-17T00:00:00Z' }, long);
    expect(resumed.snapshots[0]).toMatchObject({
      org: 'octo-demo',
      snapshotId: paused.snapshots[0]?.snapshotId,
      complete: true,
      resumable: false,
    });
  });

  it('report: issues the last complete week, stores the files and emails the PDF', async () => {
    const { handler } = await import('../../functions/report/handler.ts');
    const result = await handler({ now: '2026-11-16T07:00:00Z' });
    expect(result.reports).toHaveLength(1);
    const [report] = result.reports;
    expect(report?.period).toBe('2026-W46');
    expect(report?.keys.pdf).toMatch(/^reports\/octo-demo\/org\/2026-W46\/.+\/report\.pdf$/);
    const mail = (await ses.readStore()).find(
      (m) => m.subject.includes('2026-W46') && m.from.includes('ledger@'),
    );
    expect(mail?.attachments.map((a) => a.contentType)).toEqual(['application/pdf']);
    await expect(handler({ period: '2026-W99' })).rejects.toThrow(/2026-W99/);
  }, 120_000);

  it('webhook: verifies a base64-encoded Function URL body over its exact bytes', async () => {
    const { handler } = await import('../../functions/webhook/handler.ts');
    const body = JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 });
    const event = (headers: Record<string, string>, method = 'POST') =>
      ({
        headers,
        body: Buffer.from(body).toString('base64'),
        isBase64Encoded: true,
        requestContext: { http: { method } },
      }) as unknown as LambdaFunctionURLEvent;
    const headers = {
      'X-GitHub-Event': 'ping',
      'X-GitHub-Delivery': randomUUID(),
      'X-Hub-Signature-256': await sign(secret, body),
    };
    const ok = await handler(event(headers));
    expect(ok.statusCode).toBe(200);
    expect(JSON.parse(ok.body)).toMatchObject({ ok: true, message: 'ping recorded' });
    const again = await handler(event(headers));
    expect(JSON.parse(again.body)).toMatchObject({ message: 'duplicate delivery' });
    const forged = await handler(event({ ...headers, 'X-Hub-Signature-256': await sign('other', body) }));
    expect(forged.statusCode).toBe(401);
    expect((await handler(event(headers, 'GET'))).statusCode).toBe(405);
  });

  it('webhook: dates a change GitHub sends no time for by the Function URL’s arrival time', async () => {
    const { handler } = await import('../../functions/webhook/handler.ts');
    // A reopen as GitHub sends it today: no updated_at, so nothing in the payload says when.
    const [reopened] = webhookExamples('api.github.com', 'code_scanning_alert').filter(
      (e) => e.action === 'reopened' && (e.alert as { updated_at?: string }).updated_at === undefined,
    );
    const stored = {
      alertType: 'code_scanning' as const,
      repository: 'handler-org/app',
      number: 10,
      state: 'dismissed' as const,
      severity: 'low' as const,
      title: 'Frozen string literal',
      ruleId: 'Style/FrozenStringLiteralComment',
      htmlUrl: 'https://github.com/handler-org/app/security/code-scanning/10',
      createdAt: '2020-07-22T14:06:31.000Z',
      updatedAt: '2026-11-01T00:00:00.000Z',
      closedAt: '2026-11-01T00:00:00.000Z',
      closedBy: 'lead',
      reason: "won't fix",
      comment: null,
    };
    await store.writeAlert('handler-org', stored, null, []);
    const body = JSON.stringify({
      ...reopened,
      repository: { ...(reopened?.repository as object), full_name: 'handler-org/app' },
    });
    const arrived = Date.parse('2026-11-20T09:30:00Z');
    const result = await handler({
      headers: {
        'X-GitHub-Event': 'code_scanning_alert',
        'X-GitHub-Delivery': randomUUID(),
        'X-Hub-Signature-256': await sign(secret, body),
      },
      body,
      isBase64Encoded: false,
      requestContext: { http: { method: 'POST' }, timeEpoch: arrived },
    } as unknown as LambdaFunctionURLEvent);
    expect(JSON.parse(result.body)).toMatchObject({
      message: 'recorded',
      transitions: 1,
      notable: ['reopened'],
    });
    const [t] = await store.listTransitions('handler-org');
    expect([t?.from, t?.to, t?.at, t?.actor]).toEqual([
      'dismissed',
      'open',
      '2026-11-20T09:30:00.000Z',
      'github',
    ]);
  });

  it('webhook: answers 500, in time, when DynamoDB cannot be reached, so GitHub can redeliver', async () => {
    vi.resetModules();
    const saved = process.env.DYNAMODB_ENDPOINT;
    process.env.DYNAMODB_ENDPOINT = 'http://127.0.0.1:9'; // nothing listens on the discard port
    try {
      const { handler } = await import('../../functions/webhook/handler.ts');
      const body = JSON.stringify(webhookExamples('api.github.com', 'dependabot_alert')[1]);
      const started = Date.now();
      const result = await handler({
        headers: {
          'X-GitHub-Event': 'dependabot_alert',
          'X-GitHub-Delivery': randomUUID(),
          'X-Hub-Signature-256': await sign(secret, body),
        },
        body,
        isBase64Encoded: false,
        requestContext: { http: { method: 'POST' } },
      } as unknown as LambdaFunctionURLEvent);
      expect(result.statusCode).toBe(500);
      expect(JSON.parse(result.body)).toEqual({ ok: false, message: 'not stored; redeliver later' });
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      process.env.DYNAMODB_ENDPOINT = saved;
      vi.resetModules();
    }
  });
});
