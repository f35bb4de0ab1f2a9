import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sign } from '@octokit/webhooks-methods';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateDemoOrg } from '../../infra/local/github/demo-org.ts';
import { type SimulatedGitHub, startSimulatedGitHub } from '../../infra/local/github/server.ts';
import { type S3StandIn, startS3StandIn } from '../../infra/local/s3.ts';
import { type SesStandIn, startSesStandIn } from '../../infra/local/ses.ts';
import { createTestStore } from '../support/dynamo.ts';

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
  const saved = { ...process.env };

  beforeAll(async () => {
    const { store } = await createTestStore('handlers');
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
});
