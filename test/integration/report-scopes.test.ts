/**
 * Report scopes and retries, through the report Lambda's handler on the stand-ins (DynamoDB
 * Local, s3rver, aws-ses-v2-local) with a simulated organisation snapshotted week by week:
 *
 * - each team with recipients gets a report limited to its repositories: no repository of
 *   another team in its JSON, CSVs, HTML, PDF text or email, and the email goes to its
 *   recipients only; the organisation report covers both teams and goes to REPORT_TO;
 * - each scope has its own hash chain and S3 prefix;
 * - a retry of the same scheduled invocation reuses the issued reports and sends no email twice,
 *   also after a crash between "stored" and "emailed".
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parsePeriodId } from '../../functions/core/periods.ts';
import type { ReportJson } from '../../functions/core/report-model.ts';
import { createReportStore } from '../../functions/deliver/s3-store.ts';
import { launchBrowser } from '../../functions/render/pdf.ts';
import type { ReportResult } from '../../functions/report/handler.ts';
import type { DynamoStore } from '../../functions/store/dynamo-store.ts';
import { EMAIL_CLAIM_LEASE_MS, type ReportDeps } from '../../functions/use-cases/issue-report.ts';
import { issueReports } from '../../functions/use-cases/issue-reports.ts';
import { silentLog } from '../../functions/use-cases/log.ts';
import { REPORT_FILES } from '../../functions/use-cases/report-files.ts';
import { scopeFingerprint } from '../../functions/use-cases/report-scopes.ts';
import { verifyReport } from '../../functions/use-cases/verify-report.ts';
import { REPOSITORY_SEEDS } from '../../infra/local/github/demo-catalog.ts';
import { generateDemoOrg } from '../../infra/local/github/demo-org.ts';
import { type SimulatedGitHub, startSimulatedGitHub } from '../../infra/local/github/server.ts';
import { type S3StandIn, startS3StandIn } from '../../infra/local/s3.ts';
import { type SesStandIn, type StoredEmail, startSesStandIn } from '../../infra/local/ses.ts';
import { createTestStore } from '../support/dynamo.ts';

const ORG = 'octo-demo';
const BUCKET = 'scope-reports';
const NOW = '2026-11-16T07:00:00Z';
const WEEK_MS = 7 * 24 * 3600 * 1000;
const SLOW = 180_000;
const ARTIFACTS = join(fileURLToPath(new URL('../../', import.meta.url)), 'test-artifacts', 'report-scopes');

/** Two teams with recipients, and one for figures only (no report of its own). */
const TEAMS = {
  checkout: {
    repositories: [`${ORG}/payments-api`, `${ORG.toUpperCase()}/Web-Frontend`],
    recipients: ['checkout-lead@example.com'],
  },
  identity: {
    repositories: [`${ORG}/identity-service`, `${ORG}/legacy-monolith`],
    recipients: ['identity-lead@example.com', 'identity-deputy@example.com'],
  },
  docs: [`${ORG}/docs-site`],
};
const REPOS = {
  checkout: ['payments-api', 'web-frontend'],
  identity: ['identity-service', 'legacy-monolith'],
};
const ALL_REPOS = REPOSITORY_SEEDS.map((r) => r.name);

interface ScopeFiles {
  report: ReportJson;
  /** Every issued file as text (the PDF as pdftotext reads it), by file name. */
  texts: Record<string, string>;
  email: StoredEmail | undefined;
}

describe('report scopes on the stand-ins', () => {
  const root = mkdtempSync(join(tmpdir(), 'alert-ledger-scopes-'));
  const saved = { ...process.env };
  const token = `t-${randomUUID()}`;
  let github: SimulatedGitHub;
  let s3: S3StandIn;
  let ses: SesStandIn;
  let store: DynamoStore;
  let s3Client: S3Client;
  let handler: (event: unknown) => Promise<ReportResult>;
  let first: ReportResult;
  const files = new Map<string, ScopeFiles>();

  async function read(key: string): Promise<Buffer> {
    const res = await s3Client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    const bytes = await res.Body?.transformToByteArray();
    return Buffer.from(bytes ?? []);
  }

  async function scopeFiles(
    entry: ReportResult['reports'][number],
    emails: StoredEmail[],
  ): Promise<ScopeFiles> {
    const texts: Record<string, string> = {};
    for (const { kind, name } of REPORT_FILES) {
      const key = entry.keys[kind];
      expect(key, `${entry.scope} ${kind}`).toBe(
        `reports/${ORG}/${entry.scope}/2026-W46/${entry.reportId}/${name}`,
      );
      const body = await read(key ?? '');
      if (kind === 'pdf') {
        // Kept with a PNG of its cover, to look at (test-artifacts/ is not committed).
        mkdirSync(ARTIFACTS, { recursive: true });
        const path = join(ARTIFACTS, `${entry.scope}.pdf`);
        writeFileSync(path, body);
        execFileSync('pdftoppm', [
          '-png',
          '-r',
          '60',
          '-f',
          '1',
          '-l',
          '1',
          path,
          join(ARTIFACTS, `${entry.scope}-cover`),
        ]);
        texts[name] = execFileSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' });
      } else texts[name] = body.toString('utf8');
    }
    const email = emails.find((m) => m.body.text?.includes(entry.reportId));
    return { report: JSON.parse(texts['report.json'] ?? '') as ReportJson, texts, email };
  }

  beforeAll(async () => {
    ({ store } = await createTestStore('scopes'));
    const demo = generateDemoOrg({ org: ORG, seed: 7, weeks: 4, endsAt: '2026-11-16T00:00:00.000Z' });
    github = await startSimulatedGitHub({ demo, token, now: () => new Date('2026-11-16T00:00:00Z') });
    [s3, ses] = await Promise.all([startS3StandIn({ dataDir: join(root, 's3') }), startSesStandIn()]);
    Object.assign(process.env, {
      TABLE_NAME: store.tableName,
      DYNAMODB_ENDPOINT: inject('dynamoEndpoint'),
      BUCKET_NAME: BUCKET,
      S3_ENDPOINT: s3.endpoint,
      SES_ENDPOINT: ses.endpoint,
      ORGS: ORG,
      GITHUB_TOKEN: token,
      GITHUB_API_URL: github.url,
      REPORT_FROM: 'ledger@example.com',
      REPORT_TO: 'ciso@example.com',
      TEAMS: JSON.stringify(TEAMS),
    });
    s3Client = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    await s3Client.send(new CreateBucketCommand({ Bucket: BUCKET }));

    // Four weeks of history, one snapshot a week, as the scheduled runs would take them.
    const snapshot = (await import('../../functions/snapshot/handler.ts')).handler;
    const end = Date.parse('2026-11-16T00:00:00Z');
    for (let week = 4; week >= 0; week--) {
      const at = new Date(end - week * WEEK_MS);
      github.setNow(at);
      await snapshot({ mode: week === 4 ? 'full' : 'incremental', now: at.toISOString() });
    }

    handler = (await import('../../functions/report/handler.ts')).handler;
    first = await handler({ now: NOW, invocationId: 'exec-1' });
    const emails = await ses.readStore();
    for (const entry of first.reports) files.set(entry.scope, await scopeFiles(entry, emails));
  }, SLOW);

  afterAll(async () => {
    process.env = saved;
    s3Client?.destroy();
    await Promise.all([github?.close(), s3?.close(), ses?.close()]);
    rmSync(root, { recursive: true, force: true });
  });

  it('issues the organisation report, then one per team with recipients, under reports/<org>/<scope>/<period>/', () => {
    expect(first.reports.map((r) => [r.org, r.scope, r.period, r.reused, r.email, r.pdfDelivery])).toEqual([
      [ORG, 'org', '2026-W46', false, 'sent', 'attached'],
      [ORG, 'team-checkout', '2026-W46', false, 'sent', 'attached'],
      [ORG, 'team-identity', '2026-W46', false, 'sent', 'attached'],
    ]);
  });

  it('refuses an invocationId that is not an id, before anything is issued', async () => {
    await expect(handler({ now: NOW, invocationId: 'a#b' })).rejects.toThrow(
      /invalid report input: invocationId/,
    );
    await expect(handler({ now: NOW, invocationId: '' })).rejects.toThrow(/invocationId/);
    // What EventBridge Scheduler fills in: an execution id, or the scheduled time.
    const { reportInputSchema } = await import('../../functions/runtime/inputs.ts');
    for (const id of ['d32c5kddcf5bb8c3', '2026-11-16T07:00:00Z']) {
      expect(reportInputSchema.parse({ invocationId: id }).invocationId).toBe(id);
    }
  });

  it('limits each team’s report to its repositories: nothing of another team in any file or the email', () => {
    for (const [team, own] of Object.entries(REPOS)) {
      const scope = files.get(`team-${team}`);
      if (!scope) throw new Error(`no report for team ${team}`);
      const { report, texts, email } = scope;
      const others = ALL_REPOS.filter((r) => !own.includes(r));
      // Every file (JSON, HTML, report.csv, every table CSV, the PDF's text) and both email parts.
      const everything: Record<string, string> = {
        ...texts,
        'email subject': email?.subject ?? '',
        'email html': email?.body.html ?? '',
        'email text': email?.body.text ?? '',
      };
      // The PDF's text once more without white space: a name pdftotext wrapped across lines.
      everything['report.pdf, unwrapped'] = (texts['report.pdf'] ?? '').replace(/\s+/g, '');
      for (const [name, text] of Object.entries(everything)) {
        for (const other of others) expect(text.includes(other), `${team}: ${other} in ${name}`).toBe(false);
      }
      // ...and it does report its own repositories' alerts.
      const repositories = new Set(report.breakdowns.byRepository.map((r) => r.repository.toLowerCase()));
      expect([...repositories].sort()).toEqual(own.map((r) => `${ORG}/${r}`).sort());
      expect(report.summary.total.openAtEnd).toBeGreaterThan(0);
      expect(report.breakdowns.byTeam.map((t) => t.team)).toEqual([team]);
      expect(
        report.transitions.every((t) => own.some((r) => t.repository.toLowerCase() === `${ORG}/${r}`)),
      ).toBe(true);
      // The scope is on the cover and in the running header.
      expect(texts['report.pdf']).toMatch(new RegExp(`team ${team} \\(2 repositories\\)`));
      expect(texts['report.html']).toContain(
        `<title>${ORG} team ${team} (2 repositories) security alert report`,
      );
    }
  });

  it('covers every repository in the organisation report, both teams included', () => {
    const org = files.get('org');
    const repositories = org?.report.breakdowns.byRepository.map((r) => r.repository.split('/')[1]) ?? [];
    for (const repo of [...REPOS.checkout, ...REPOS.identity]) expect(repositories).toContain(repo);
    expect(org?.report.breakdowns.byTeam.map((t) => t.team)).toEqual(['checkout', 'docs', 'identity']);
    const teamsCsv = org?.texts['teams.csv'] ?? '';
    expect(teamsCsv.split('\r\n')[0]).toMatch(/^team,repositories,openAtStart/);
    expect(org?.texts['report.pdf']).toContain('organisation-wide (every repository)');
    // The team reports' figures add up to at most the organisation's.
    const sum = ['team-checkout', 'team-identity'].reduce(
      (n, s) => n + (files.get(s)?.report.summary.total.openAtEnd ?? 0),
      0,
    );
    expect(sum).toBeLessThanOrEqual(org?.report.summary.total.openAtEnd ?? 0);
  });

  it('emails each report only to its own recipients', async () => {
    const emails = await ses.readStore();
    expect(emails).toHaveLength(3);
    const to = (scope: string) => files.get(scope)?.email?.destination.to;
    expect(to('org')).toEqual(['ciso@example.com']);
    expect(to('team-checkout')).toEqual(['checkout-lead@example.com']);
    expect(to('team-identity')).toEqual(['identity-lead@example.com, identity-deputy@example.com']);
    for (const scope of ['org', 'team-checkout', 'team-identity']) {
      const email = files.get(scope)?.email;
      const pdf = await read(first.reports.find((r) => r.scope === scope)?.keys.pdf ?? '');
      expect(email?.attachments).toHaveLength(1);
      expect(Buffer.from(email?.attachments[0]?.content ?? '', 'base64').equals(pdf)).toBe(true);
    }
  });

  it('chains each scope apart, and verifies a team’s files in its own chain only', async () => {
    for (const scope of ['org', 'team-checkout', 'team-identity']) {
      const records = await store.listReportRecords(ORG, scope);
      expect(records.map((r) => r.reportId)).toEqual([
        first.reports.find((r) => r.scope === scope)?.reportId,
      ]);
      expect(records[0]?.previousChainHash).toBeNull();
      // Every file's hash is recorded, the table CSVs included.
      expect(Object.keys(records[0]?.sha256 ?? {}).sort()).toEqual(REPORT_FILES.map((f) => f.kind).sort());
    }
    const checkout = files.get('team-checkout');
    const given = Object.fromEntries(
      REPORT_FILES.filter((f) => f.kind !== 'pdf').map((f) => [
        f.kind,
        Buffer.from(checkout?.texts[f.name] ?? ''),
      ]),
    );
    const verified = await verifyReport(store, { org: ORG, scopes: ['org', 'team-checkout'], files: given });
    expect(verified.ok).toBe(true);
    expect(verified.scope).toBe('team-checkout');
    expect(verified.matching).toHaveLength(REPORT_FILES.length - 1);
    const edited = { ...given, dismissals: Buffer.from(`${checkout?.texts['dismissals.csv']}x\r\n`) };
    const tampered = await verifyReport(store, { org: ORG, scopes: ['org', 'team-checkout'], files: edited });
    expect([tampered.ok, tampered.changed]).toEqual([false, ['dismissals']]);
    // In the organisation's chain alone they do not verify (only header-only tables, the same
    // bytes in every scope, can match there).
    const inOrg = await verifyReport(store, { org: ORG, files: given });
    expect(inOrg.ok).toBe(false);
    expect(inOrg.record?.reportId).not.toBe(first.reports.find((r) => r.scope === 'team-checkout')?.reportId);
    expect(inOrg.changed).toContain('json');

    // A PDF changed after issue matches no recorded hash, but still says which report it was.
    const issuedAs = first.reports.find((r) => r.scope === 'team-checkout');
    const pdf = await read(issuedAs?.keys.pdf ?? '');
    const doctored = Buffer.from(pdf);
    doctored[Math.floor(pdf.length / 3)] = (doctored[Math.floor(pdf.length / 3)] ?? 0) ^ 0x01;
    const claimed = await verifyReport(store, {
      org: ORG,
      scopes: ['org', 'team-checkout'],
      files: { pdf: doctored },
    });
    expect([claimed.ok, claimed.record, claimed.changed, claimed.scope]).toEqual([
      false,
      null,
      ['pdf'],
      'team-checkout',
    ]);
    expect(claimed.claimed?.reportId).toBe(issuedAs?.reportId);
    const intact = await verifyReport(store, { org: ORG, scopes: ['org', 'team-checkout'], files: { pdf } });
    expect([intact.ok, intact.record?.reportId, intact.claimed]).toEqual([true, issuedAs?.reportId, null]);
    const stranger = await verifyReport(store, {
      org: ORG,
      files: { pdf: Buffer.from('%PDF-1.4\n%%EOF\n') },
    });
    expect([stranger.record, stranger.claimed]).toEqual([null, null]);
  });

  it(
    'reuses the issued reports on a retry of the same invocation and sends no email twice',
    async () => {
      const emailsBefore = (await ses.readStore()).length;
      const retry = await handler({ now: NOW, invocationId: 'exec-1' });
      expect(retry.reports.map((r) => [r.scope, r.reportId, r.reused, r.email])).toEqual(
        first.reports.map((r) => [r.scope, r.reportId, true, 'already-sent']),
      );
      expect(await ses.readStore()).toHaveLength(emailsBefore);
      for (const scope of ['org', 'team-checkout', 'team-identity']) {
        expect(await store.listReportRecords(ORG, scope)).toHaveLength(1);
      }

      // Another scheduled run is another invocation: a new version of each report, chained.
      const next = await handler({ now: NOW, invocationId: 'exec-2' });
      expect(next.reports.map((r) => [r.scope, r.reused, r.email])).toEqual([
        ['org', false, 'sent'],
        ['team-checkout', false, 'sent'],
        ['team-identity', false, 'sent'],
      ]);
      expect(await ses.readStore()).toHaveLength(emailsBefore + 3);
      for (const scope of ['org', 'team-checkout', 'team-identity']) {
        const records = await store.listReportRecords(ORG, scope);
        expect(records.map((r) => r.reportId)).toEqual([
          first.reports.find((r) => r.scope === scope)?.reportId,
          next.reports.find((r) => r.scope === scope)?.reportId,
        ]);
        expect(records[1]?.previousChainHash).toBe(records[0]?.chainHash);
      }
    },
    SLOW,
  );

  describe('a crash between "stored" and "emailed"', () => {
    let browser: Browser;
    let deps: ReportDeps;
    let sesClient: SESv2Client;
    const request = {
      org: ORG,
      period: parsePeriodId('2026-W46'),
      now: new Date(NOW),
      timeZone: 'UTC',
      paperFormat: 'A4' as const,
      teams: TEAMS,
      email: { from: 'ledger@example.com', to: ['ciso@example.com'] },
    };

    beforeAll(async () => {
      browser = await launchBrowser();
      sesClient = new SESv2Client({
        endpoint: ses.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      });
      deps = {
        store,
        files: createReportStore(s3Client, BUCKET),
        ses: sesClient,
        browser: async () => browser,
        log: silentLog,
      };
    }, SLOW);

    afterAll(async () => {
      sesClient?.destroy();
      await browser?.close();
    });

    it(
      'sends each email once on the retry, and reuses the stored reports',
      async () => {
        await ses.clear();
        const down = { send: async () => Promise.reject(new Error('SES unreachable')) };
        const crashed = await issueReports(
          { ...deps, ses: down as unknown as SESv2Client },
          {
            ...request,
            invocationId: 'exec-3',
          },
        );
        expect(crashed.issued).toEqual([]);
        expect(crashed.failures.map((f) => [f.scope, (f.error as Error).message])).toEqual([
          ['org', 'Sending the report email failed (Error): SES unreachable'],
          ['team-checkout', 'Sending the report email failed (Error): SES unreachable'],
          ['team-identity', 'Sending the report email failed (Error): SES unreachable'],
        ]);
        expect(await ses.readStore()).toEqual([]);
        const stored = await Promise.all(
          ['org', 'team-checkout', 'team-identity'].map((scope) =>
            store.getReportRun({ org: ORG, scope, periodId: '2026-W46', invocationId: 'exec-3' }),
          ),
        );
        expect(stored.map((r) => [Boolean(r?.record.reportId), r?.emailedAt, r?.emailClaimedAt])).toEqual([
          [true, null, null],
          [true, null, null],
          [true, null, null],
        ]);

        const retry = await issueReports(deps, { ...request, invocationId: 'exec-3' });
        expect(retry.failures).toEqual([]);
        expect(retry.issued.map((r) => [r.scope, r.record.reportId, r.reused, r.email])).toEqual(
          stored.map((r) => [r?.record.scope, r?.record.reportId, true, 'sent']),
        );
        const emails = await ses.readStore();
        expect(emails.map((m) => m.destination.to[0])).toEqual([
          'ciso@example.com',
          'checkout-lead@example.com',
          'identity-lead@example.com, identity-deputy@example.com',
        ]);
        // The reused report is the stored one, byte for byte, and so is what was attached.
        const pdf = await read(stored[1]?.record.keys.pdf ?? '');
        expect(Buffer.from(emails[1]?.attachments[0]?.content ?? '', 'base64').equals(pdf)).toBe(true);

        const again = await issueReports(deps, { ...request, invocationId: 'exec-3' });
        expect(again.issued.map((r) => r.email)).toEqual(['already-sent', 'already-sent', 'already-sent']);
        expect(await ses.readStore()).toHaveLength(3);
      },
      SLOW,
    );

    it(
      'leaves an email another attempt is sending alone, and takes over a claim left by a crash',
      async () => {
        await ses.clear();
        const { teams: _teams, ...orgOnly } = request;
        const org = { ...orgOnly, invocationId: 'exec-4' };
        const down = { send: async () => Promise.reject(new Error('SES unreachable')) };
        await issueReports({ ...deps, ses: down as unknown as SESv2Client }, org);
        const key = { org: ORG, scope: 'org', periodId: '2026-W46', invocationId: 'exec-4' };
        // An attempt that claimed the email a minute ago and is still sending it.
        const now = Date.now();
        expect(
          await store.claimReportEmail(key, {
            token: 'other-attempt',
            at: new Date(now - 60_000).toISOString(),
            staleBefore: new Date(now - EMAIL_CLAIM_LEASE_MS).toISOString(),
          }),
        ).toBe(true);
        const during = await issueReports(deps, org);
        expect(during.issued.map((r) => [r.reused, r.email])).toEqual([[true, 'in-progress']]);
        expect(await ses.readStore()).toEqual([]);
        // The same claim, but older than the Lambda can run: its holder crashed; the retry sends.
        await store.settleReportEmail(key, 'other-attempt', null);
        await store.claimReportEmail(key, {
          token: 'crashed-attempt',
          at: new Date(now - EMAIL_CLAIM_LEASE_MS - 60_000).toISOString(),
          staleBefore: new Date(now - 2 * EMAIL_CLAIM_LEASE_MS).toISOString(),
        });
        const after = await issueReports(deps, org);
        expect(after.issued.map((r) => [r.reused, r.email])).toEqual([[true, 'sent']]);
        expect(await ses.readStore()).toHaveLength(1);
        expect((await store.getReportRun(key))?.emailedAt).toEqual(expect.any(String));
      },
      SLOW,
    );
  });

  it(
    'takes the previous week from the reports issued for it, and keeps no figures of an incomplete week',
    async () => {
      const lastW46 = new Map<string, string | undefined>();
      for (const scope of ['org', 'team-checkout']) {
        lastW46.set(scope, (await store.latestReportRecord(ORG, scope))?.reportId);
      }
      const next = await handler({ now: '2026-11-23T07:00:00Z', invocationId: 'exec-w47' });
      for (const scope of ['org', 'team-checkout']) {
        const entry = next.reports.find((r) => r.scope === scope);
        if (!entry) throw new Error(`no ${scope} report`);
        const report = JSON.parse((await read(entry.keys.json ?? '')).toString('utf8')) as ReportJson;
        expect(report.period.id).toBe('2026-W47');
        // No snapshot after W47 ended: incomplete, so its figures are not kept for later reports.
        expect(report.complete).toBe(false);
        // W46 as the last report issued for it (for this scope) stated it; the weeks before were
        // never issued, so computed from the history.
        const w46 = { reportId: lastW46.get(scope) };
        expect(w46.reportId).toMatch(/^20261116T/);
        expect(report.trend.filter((p) => p.issuedIn).map((p) => [p.periodId, p.issuedIn])).toEqual([
          ['2026-W46', w46?.reportId],
        ]);
        expect(report.previousPeriod?.summary).toEqual(files.get(scope)?.report.summary);
        const fingerprint = scopeFingerprint(scope === 'org' ? null : TEAMS.checkout.repositories);
        const kept = await store.getPeriodFigures(
          ORG,
          [{ scope, fingerprint }],
          [parsePeriodId('2026-W46'), parsePeriodId('2026-W47')],
        );
        expect(kept.get(scope)?.map((f) => [f.periodId, f.reportId])).toEqual([['2026-W46', w46?.reportId]]);
      }
    },
    SLOW,
  );

  it(
    'computes the trend from the history again when it no longer agrees with the figures issued',
    async () => {
      // An alert found late (a stream listed for the first time): open since September.
      const late = {
        alertType: 'dependabot' as const,
        repository: `${ORG}/payments-api`,
        number: 9_999,
        state: 'open' as const,
        severity: 'high' as const,
        title: 'Found late',
        ruleId: 'GHSA-late-late-late',
        htmlUrl: `https://github.com/${ORG}/payments-api/security/dependabot/9999`,
        createdAt: '2026-09-01T00:00:00.000Z',
        updatedAt: '2026-09-01T00:00:00.000Z',
        closedAt: null,
        closedBy: null,
        reason: null,
        comment: null,
      };
      await store.writeAlert(ORG, late, null, [
        {
          alertType: late.alertType,
          repository: late.repository,
          number: late.number,
          from: null,
          to: 'open',
          at: late.createdAt,
          actor: null,
          reason: null,
          comment: null,
          source: 'snapshot',
        },
      ]);
      const again = await handler({ now: '2026-11-23T07:00:00Z', invocationId: 'exec-w47-again' });
      for (const scope of ['org', 'team-checkout']) {
        const entry = again.reports.find((r) => r.scope === scope);
        const report = JSON.parse((await read(entry?.keys.json ?? '')).toString('utf8')) as ReportJson;
        const issuedW46 = files.get(scope)?.report.summary.total.openAtEnd ?? Number.NaN;
        // Every point computed from the history, the late alert in all of them.
        expect(report.trend.filter((p) => p.issuedIn)).toEqual([]);
        expect(report.previousPeriod?.summary.total.openAtEnd).toBe(issuedW46 + 1);
        expect(report.summary.total.openAtStart).toBe(issuedW46 + 1);
        // W46's figures as issued are forgotten: later reports compute it from the history too.
        const fingerprint = scopeFingerprint(scope === 'org' ? null : TEAMS.checkout.repositories);
        const kept = await store.getPeriodFigures(ORG, [{ scope, fingerprint }], [parsePeriodId('2026-W46')]);
        expect(kept.get(scope)).toEqual([]);
      }
    },
    SLOW,
  );
});
