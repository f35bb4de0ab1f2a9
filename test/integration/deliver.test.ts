/**
 * Deliver adapter against the local stand-ins: the report files go to s3rver and come back
 * byte for byte, and the report email goes through aws-ses-v2-local with its PDF intact.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePeriodId } from '../../functions/core/periods.ts';
import { buildReportEmail, REPORT_HASH_HEADER, sendRawEmail } from '../../functions/deliver/email.ts';
import {
  BucketNotFoundError,
  DeliverInputError,
  EmailRejectedError,
  ObjectNotFoundError,
} from '../../functions/deliver/errors.ts';
import {
  createReportStore,
  MAX_PRESIGN_SECONDS,
  type ReportStore,
  TEMPORARY_CREDENTIALS_LINK_SECONDS,
} from '../../functions/deliver/s3-store.ts';
import { renderReportEmail } from '../../functions/render/email-body.ts';
import { launchBrowser } from '../../functions/render/pdf.ts';
import { type ReportDocuments, renderReportDocuments } from '../../functions/render/report-documents.ts';
import { ConfigError, readRuntimeConfig } from '../../functions/runtime/config.ts';
import { createReportRuntime } from '../../functions/runtime/report-runtime.ts';
import type { Runtime } from '../../functions/runtime/runtime.ts';
import { issueReport, type ReportDeps } from '../../functions/use-cases/issue-report.ts';
import { silentLog } from '../../functions/use-cases/log.ts';
import { makeLocalS3Client, type S3StandIn, startS3StandIn } from '../../infra/local/s3.ts';
import { type SesStandIn, startSesStandIn } from '../../infra/local/ses.ts';
import { sampleReport } from '../fixtures/report-sample.ts';
import { createTestStore } from '../support/dynamo.ts';

const SLOW = 60_000;
/** Every byte value, so any text re-encoding of an attachment or object shows. */
const ALL_BYTES = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));

let browser: Browser;
let docs: ReportDocuments;
let dataDir: string;
let s3StandIn: S3StandIn;
let sesStandIn: SesStandIn;
let s3: S3Client;
let ses: SESv2Client;
let store: ReportStore;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'alert-ledger-deliver-'));
  [s3StandIn, sesStandIn, browser] = await Promise.all([
    startS3StandIn({ dataDir: join(dataDir, 's3') }),
    startSesStandIn(),
    launchBrowser(),
  ]);
  s3 = makeLocalS3Client(s3StandIn.endpoint);
  ses = new SESv2Client({
    endpoint: sesStandIn.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  store = createReportStore(s3, 'alert-ledger-reports');
  docs = await renderReportDocuments(browser, sampleReport, { reportId: 'octo-demo/2026-W46/01' });
}, SLOW);

afterAll(async () => {
  s3?.destroy();
  ses?.destroy();
  await Promise.all([browser?.close(), s3StandIn?.close(), sesStandIn?.close()]);
  rmSync(dataDir, { recursive: true, force: true });
}, SLOW);

describe('deliver: S3 report store on s3rver', () => {
  it(
    'stores the report files and gives the same bytes back',
    async () => {
      await store.ensureBucket();
      await store.ensureBucket(); // idempotent
      const prefix = 'reports/octo-demo/2026-W46';
      const keys = await store.putReportFiles(prefix, [
        { name: 'report.pdf', body: docs.pdf, contentType: 'application/pdf' },
        { name: 'report.csv', body: docs.csv, contentType: 'text/csv; charset=utf-8' },
        { name: 'report.html', body: docs.html, contentType: 'text/html; charset=utf-8' },
        { name: 'blob.bin', body: ALL_BYTES, contentType: 'application/octet-stream' },
      ]);
      expect(keys).toEqual([
        `${prefix}/report.pdf`,
        `${prefix}/report.csv`,
        `${prefix}/report.html`,
        `${prefix}/blob.bin`,
      ]);

      const pdf = await store.getObject(`${prefix}/report.pdf`);
      expect(pdf.body.equals(docs.pdf)).toBe(true);
      expect(pdf.contentType).toBe('application/pdf');
      expect(pdf.metadata.sha256).toBe(docs.pdfSha256);

      const csv = await store.getObject(`${prefix}/report.csv`);
      expect(csv.body.toString('utf8')).toBe(docs.csv);
      expect((await store.getObject(`${prefix}/blob.bin`)).body.equals(ALL_BYTES)).toBe(true);
    },
    SLOW,
  );

  it(
    'presigns a GET URL that downloads the PDF and expires',
    async () => {
      const key = 'reports/octo-demo/2026-W46/report.pdf';
      const before = Date.now();
      const { url, expiresAt, shortened } = await store.presignGet(key, 3600);
      // Static credentials (no expiry): the URL lives as long as asked.
      expect(shortened).toBe(false);
      expect(expiresAt.getTime() - before).toBeGreaterThanOrEqual(3600_000 - 1000);
      expect(expiresAt.getTime() - before).toBeLessThanOrEqual(3600_000 + 1000);
      expect(url).toContain(`${s3StandIn.endpoint}/alert-ledger-reports/${key}?`);
      expect(url).toContain('X-Amz-Expires=3600');
      const res = await fetch(url);
      expect(res.status).toBe(200);
      const body = Buffer.from(await res.arrayBuffer());
      expect(createHash('sha256').update(body).digest('hex')).toBe(docs.pdfSha256);

      const { url: shortLived } = await store.presignGet(key, 1);
      await new Promise((resolve) => setTimeout(resolve, 2100));
      const expired = await fetch(shortLived);
      await expired.arrayBuffer();
      expect(expired.status).toBe(403);
    },
    SLOW,
  );

  it(
    'never promises a link longer than the credentials that sign it live, as in a Lambda',
    async () => {
      const key = 'reports/octo-demo/2026-W46/report.pdf';
      const expiring = new S3Client({
        endpoint: s3StandIn.endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        // A role session's credentials: they expire in an hour.
        credentials: async () => ({
          accessKeyId: 'S3RVER',
          secretAccessKey: 'S3RVER',
          sessionToken: 'role-session',
          expiration: new Date(Date.now() + 3600_000),
        }),
      });
      try {
        const before = Date.now();
        const signed = await createReportStore(expiring, 'alert-ledger-reports').presignGet(
          key,
          MAX_PRESIGN_SECONDS,
        );
        expect([signed.shortened, signed.limitedBy]).toEqual([true, 'credentials-expiry']);
        const seconds = Number(new URL(signed.url).searchParams.get('X-Amz-Expires'));
        expect(seconds).toBeGreaterThan(3600 - 60 - 5);
        expect(seconds).toBeLessThanOrEqual(3600 - 60);
        expect(Math.abs(signed.expiresAt.getTime() - (before + seconds * 1000))).toBeLessThan(2000);
      } finally {
        expiring.destroy();
      }
      // A Lambda's role credentials: temporary, no expiry given. An hour, said as such.
      const lambdaLike = new S3Client({
        endpoint: s3StandIn.endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', sessionToken: 'role-session' },
      });
      // Long-term keys allowed to read the reports sign the full week instead.
      const signer = new S3Client({
        endpoint: s3StandIn.endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      });
      try {
        const hour = await createReportStore(lambdaLike, 'alert-ledger-reports').presignGet(
          key,
          MAX_PRESIGN_SECONDS,
        );
        expect([hour.shortened, hour.limitedBy]).toEqual([true, 'temporary-credentials']);
        expect(new URL(hour.url).searchParams.get('X-Amz-Expires')).toBe(
          String(TEMPORARY_CREDENTIALS_LINK_SECONDS),
        );
        expect(new URL(hour.url).searchParams.get('X-Amz-Security-Token')).toBe('role-session');
        const week = await createReportStore(lambdaLike, 'alert-ledger-reports', {
          signer: async () => signer,
        }).presignGet(key, MAX_PRESIGN_SECONDS);
        expect([week.shortened, week.limitedBy]).toEqual([false, null]);
        expect(new URL(week.url).searchParams.get('X-Amz-Expires')).toBe(String(MAX_PRESIGN_SECONDS));
        expect(new URL(week.url).searchParams.has('X-Amz-Security-Token')).toBe(false);
        const res = await fetch(week.url);
        expect(res.status).toBe(200);
        expect(
          createHash('sha256')
            .update(Buffer.from(await res.arrayBuffer()))
            .digest('hex'),
        ).toBe(docs.pdfSha256);
      } finally {
        lambdaLike.destroy();
        signer.destroy();
      }
    },
    SLOW,
  );

  it(
    'signs the emailed links with the link signer of REPORT_LINK_SIGNER_SECRET_ARN, read once',
    async () => {
      const key = 'reports/octo-demo/2026-W46/report.pdf';
      const reads: unknown[] = [];
      const secretsFor = (value: string) =>
        ({
          send: async (command: { input: unknown }) => {
            reads.push(command.input);
            return { SecretString: value };
          },
        }) as unknown as SecretsManagerClient;
      const lambdaLike = new S3Client({
        endpoint: s3StandIn.endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', sessionToken: 'role-session' },
      });
      // Secrets are read once per cold start, by ARN: each case has its own.
      const runtimeWith = (secret: string, arn: string) =>
        createReportRuntime(
          {
            config: readRuntimeConfig({
              TABLE_NAME: 'unused',
              BUCKET_NAME: 'alert-ledger-reports',
              S3_ENDPOINT: s3StandIn.endpoint,
              REPORT_LINK_SIGNER_SECRET_ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${arn}`,
            }),
            clients: { s3: lambdaLike, secrets: secretsFor(secret), ses },
          } as unknown as Runtime,
          silentLog,
        );
      try {
        const rr = runtimeWith('{"accessKeyId":"S3RVER","secretAccessKey":"S3RVER"}', 'signer');
        const week = await rr.files.presignGet(key, MAX_PRESIGN_SECONDS);
        expect([week.shortened, new URL(week.url).searchParams.get('X-Amz-Expires')]).toEqual([
          false,
          '604800',
        ]);
        expect((await fetch(week.url)).status).toBe(200);
        await rr.files.presignGet(key, 60);
        expect(reads).toHaveLength(1);
        const broken = await runtimeWith('not json', 'signer-broken')
          .files.presignGet(key, 60)
          .catch((e: unknown) => e);
        expect(broken).toBeInstanceOf(ConfigError);
        expect((broken as Error).message).toMatch(/REPORT_LINK_SIGNER_SECRET_ARN must hold \{"accessKeyId"/);
      } finally {
        lambdaLike.destroy();
      }
    },
    SLOW,
  );

  it('refuses bad expiries, keys and names before calling S3', async () => {
    for (const seconds of [0, -1, 1.5, MAX_PRESIGN_SECONDS + 1]) {
      await expect(store.presignGet('reports/a/report.pdf', seconds)).rejects.toThrow(DeliverInputError);
    }
    expect((await store.presignGet('reports/a/report.pdf', MAX_PRESIGN_SECONDS)).url).toContain(
      'X-Amz-Expires=604800',
    );
    await expect(store.getObject('../etc/passwd')).rejects.toThrow(DeliverInputError);
    await expect(store.putReportFiles('/abs', [])).rejects.toThrow(DeliverInputError);
    await expect(store.putReportFiles('reports/../x', [])).rejects.toThrow(DeliverInputError);
    await expect(
      store.putReportFiles('reports/x', [{ name: 'a/b.pdf', body: 'x', contentType: 'text/plain' }]),
    ).rejects.toThrow(DeliverInputError);
    await expect(
      store.putReportFiles('reports/x', [
        { name: 'a.pdf', body: 'x', contentType: 'text/plain' },
        { name: 'a.pdf', body: 'y', contentType: 'text/plain' },
      ]),
    ).rejects.toThrow(/given twice/);
  });

  it('maps S3 errors to its own', async () => {
    const missingKey = await store.getObject('reports/octo-demo/nope/report.pdf').catch((e: unknown) => e);
    expect(missingKey).toBeInstanceOf(ObjectNotFoundError);
    expect((missingKey as Error).cause).toBeDefined();

    const noBucket = createReportStore(s3, 'no-such-bucket-here');
    await expect(noBucket.getObject('a/b.pdf')).rejects.toThrow(BucketNotFoundError);
    await expect(
      noBucket.putReportFiles('a', [{ name: 'b.pdf', body: 'x', contentType: 'application/pdf' }]),
    ).rejects.toThrow(BucketNotFoundError);
  });
});

describe('deliver: report email through aws-ses-v2-local', () => {
  it(
    'sends the report with its PDF intact and the hash in a header',
    async () => {
      await sesStandIn.clear();
      const content = renderReportEmail(sampleReport, {
        reportSha256: docs.pdfSha256,
        reportId: 'octo-demo/2026-W46/01',
      });
      const raw = await buildReportEmail({
        from: 'alert-ledger <reports@alert-ledger.example>',
        to: ['ciso@octo-demo.example', 'auditor@audit.example'],
        subject: content.subject,
        html: content.html,
        text: content.text,
        attachments: [
          { filename: 'report.pdf', content: docs.pdf, contentType: 'application/pdf' },
          { filename: 'bytes.bin', content: ALL_BYTES, contentType: 'application/octet-stream' },
        ],
        headers: { 'X-Alert-Ledger-Report-Id': 'octo-demo/2026-W46/01' },
        reportSha256: docs.pdfSha256,
      });
      // The stand-in keeps no headers of raw messages (see StoredEmail), so check them on the wire bytes.
      // Long header values are folded onto continuation lines; unfold as a mail parser does.
      const rawText = raw.toString('latin1').replace(/\r\n[ \t]+/g, ' ');
      expect(rawText).toMatch(new RegExp(`^${REPORT_HASH_HEADER}: ${docs.pdfSha256}\\r$`, 'm'));
      expect(rawText).toMatch(/^X-Alert-Ledger-Report-Id: octo-demo\/2026-W46\/01\r$/m);

      const messageId = await sendRawEmail(ses, raw, {
        from: 'reports@alert-ledger.example',
        to: ['ciso@octo-demo.example', 'auditor@audit.example'],
      });
      expect(messageId).toMatch(/^ses-\d+$/);

      const emails = await sesStandIn.readStore();
      expect(emails).toHaveLength(1);
      const mail = emails[0];
      expect(mail?.messageId).toBe(messageId);
      expect(mail?.subject).toBe('[alert-ledger] octo-demo 2026-W46: 41 open, 5 past SLA');
      expect(mail?.from).toBe('"alert-ledger" <reports@alert-ledger.example>');
      expect(mail?.destination.to).toEqual(['ciso@octo-demo.example, auditor@audit.example']);
      expect(mail?.body.html).toContain('octo-demo, 2026-W46');
      expect(mail?.body.html).toContain(docs.pdfSha256);
      expect(mail?.body.text).toContain(`SHA-256 of report.pdf: ${docs.pdfSha256}`);
      expect(mail?.body.text).toContain('Open at period end: 41 (42 at start)');

      expect(mail?.attachments.map((a) => [a.filename, a.contentType])).toEqual([
        ['report.pdf', 'application/pdf'],
        ['bytes.bin', 'application/octet-stream'],
      ]);
      const pdf = Buffer.from(mail?.attachments[0]?.content ?? '', 'base64');
      expect(pdf.equals(docs.pdf)).toBe(true);
      expect(createHash('sha256').update(pdf).digest('hex')).toBe(docs.pdfSha256);
      expect(Buffer.from(mail?.attachments[1]?.content ?? '', 'base64').equals(ALL_BYTES)).toBe(true);

      await sesStandIn.clear();
      expect(await sesStandIn.readStore()).toEqual([]);
    },
    SLOW,
  );

  it('refuses header injection and bad addresses', async () => {
    const base = {
      from: 'reports@alert-ledger.example',
      to: ['a@example.com'],
      subject: 's',
      html: '<p>h</p>',
      text: 't',
      attachments: [],
      headers: {},
    };
    await expect(buildReportEmail({ ...base, subject: 'a\r\nBcc: victim@example.com' })).rejects.toThrow(
      DeliverInputError,
    );
    await expect(
      buildReportEmail({ ...base, headers: { 'X-A': 'v\r\nBcc: x@example.com' } }),
    ).rejects.toThrow(DeliverInputError);
    await expect(buildReportEmail({ ...base, headers: { From: 'x@example.com' } })).rejects.toThrow(
      DeliverInputError,
    );
    await expect(buildReportEmail({ ...base, to: [] })).rejects.toThrow(DeliverInputError);
    await expect(buildReportEmail({ ...base, to: ['not an address'] })).rejects.toThrow(DeliverInputError);
    await expect(buildReportEmail({ ...base, from: 'nobody' })).rejects.toThrow(DeliverInputError);
    await expect(buildReportEmail({ ...base, reportSha256: 'abc' })).rejects.toThrow(DeliverInputError);
    await expect(buildReportEmail({ ...base, headers: { [REPORT_HASH_HEADER]: 'abc' } })).rejects.toThrow(
      DeliverInputError,
    );
  });

  it('maps an SES refusal to EmailRejectedError', async () => {
    // A raw message without a From header: the stand-in answers 400 BadRequest, as SES would.
    const err = await sendRawEmail(ses, Buffer.from('Subject: x\r\n\r\nbody\r\n'), {
      from: 'reports@alert-ledger.example',
      to: ['a@example.com'],
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EmailRejectedError);
    expect((err as Error).cause).toBeDefined();
  });
});

describe('deliver: the issued report email, PDF attached or linked', () => {
  const request = {
    org: 'octo-demo',
    period: parsePeriodId('2026-W46'),
    now: new Date('2026-11-16T07:00:00Z'),
    timeZone: 'UTC',
    paperFormat: 'A4' as const,
    email: { from: 'reports@alert-ledger.example', to: ['ciso@octo-demo.example'] },
  };
  let deps: ReportDeps;

  beforeAll(async () => {
    const { store: ledger } = await createTestStore('deliver');
    await store.ensureBucket();
    deps = { store: ledger, files: store, ses, browser: async () => browser, log: silentLog };
  });

  it(
    'links a PDF at or over the limit (presigned S3 URL, configured expiry) and the link downloads it',
    async () => {
      await sesStandIn.clear();
      const issued = await issueReport(deps, { ...request, attachLimitBytes: 1, linkExpiryHours: 2 });
      expect(issued.pdfDelivery).toBe('link');
      expect(issued.email).toBe('sent');
      const [mail, ...more] = await sesStandIn.readStore();
      expect(more).toEqual([]);
      expect(mail?.attachments).toEqual([]);
      const url = /^Download: (\S+)/m.exec(mail?.body.text ?? '')?.[1] ?? '';
      expect(url).toContain(`/alert-ledger-reports/${issued.record.keys.pdf}?`);
      expect(url).toContain('X-Amz-Expires=7200');
      // The HTML part carries the same link (Handlebars-escaped in the attribute).
      const signature = /X-Amz-Signature=([0-9a-f]+)/.exec(url)?.[1] ?? 'none';
      expect(mail?.body.html).toContain(signature);

      const res = await fetch(url);
      expect(res.status).toBe(200);
      const body = Buffer.from(await res.arrayBuffer());
      expect(body.equals(issued.files.pdf)).toBe(true);
      expect(createHash('sha256').update(body).digest('hex')).toBe(issued.record.sha256.pdf);
    },
    SLOW,
  );

  it(
    'attaches a PDF under the limit (7 MB by default), with no link',
    async () => {
      await sesStandIn.clear();
      const issued = await issueReport(deps, request);
      expect(issued.pdfDelivery).toBe('attached');
      expect(issued.files.pdf.length).toBeLessThan(7 * 1024 * 1024);
      const [mail] = await sesStandIn.readStore();
      expect(mail?.body.text).not.toMatch(/^Download:/m);
      expect(mail?.attachments.map((a) => [a.filename, a.contentType])).toEqual([
        ['alert-ledger-octo-demo-2026-W46.pdf', 'application/pdf'],
      ]);
      expect(Buffer.from(mail?.attachments[0]?.content ?? '', 'base64').equals(issued.files.pdf)).toBe(true);
    },
    SLOW,
  );
});
