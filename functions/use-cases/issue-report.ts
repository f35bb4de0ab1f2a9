import { randomUUID } from 'node:crypto';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { Browser } from 'puppeteer-core';
import { chainHash, sha256Hex as sha256 } from '../core/chain.ts';
import { lastPeriods, type Period } from '../core/periods.ts';
import { computeReport, periodFigures, type ReportInput, staleIssuedFigures } from '../core/report.ts';
import { DEFAULT_SLA_POLICY, type ReportJson, type SlaPolicy } from '../core/report-model.ts';
import { buildReportEmail, REPORT_HASH_HEADER, sendRawEmail } from '../deliver/email.ts';
import { DeliverError } from '../deliver/errors.ts';
import type { ReportStore } from '../deliver/s3-store.ts';
import { REPORT_TABLES, type ReportTable } from '../render/csv.ts';
import { renderReportEmail } from '../render/email-body.ts';
import { renderReportDocuments } from '../render/report-documents.ts';
import type { DynamoStore, ReportRecord, ReportRunKey } from '../store/dynamo-store.ts';
import { loadReportInput } from './load-report-input.ts';
import type { Log } from './log.ts';
import { type FileHashes, REPORT_FILES, type ReportFileKind } from './report-files.ts';
import { limitToRepositories, ORG_SCOPE, scopeFingerprint } from './report-scopes.ts';

export interface ReportDeps {
  store: DynamoStore;
  files: ReportStore;
  ses: SESv2Client;
  /** Launched once and reused across scopes and warm invocations. */
  browser: () => Promise<Browser>;
  log: Log;
}

/** A PDF of this size or more is linked (presigned S3 URL) instead of attached. */
export const DEFAULT_ATTACH_LIMIT_BYTES = 7 * 1024 * 1024;
/** How long an emailed link works by default: 7 days, the longest SigV4 allows. */
export const DEFAULT_LINK_EXPIRY_HOURS = 168;
/**
 * An email claim older than this is a crashed invocation's (the report Lambda runs 15 minutes at
 * most): a retry takes it over and sends.
 */
export const EMAIL_CLAIM_LEASE_MS = 15 * 60_000;

export interface ReportRequest {
  org: string;
  period: Period;
  now: Date;
  timeZone: string;
  paperFormat: 'A4' | 'Letter';
  email: { from: string; to: string[] } | null;
  slaPolicy?: SlaPolicy;
  /** Team name to its repositories, for the per-team figures. */
  teams?: Readonly<Record<string, readonly string[]>>;
  /** "org" (default) for the organisation-wide report, "team-<name>" for a team's. */
  scope?: string;
  /** What the scope covers, on the cover and in the title: "team checkout (3 repositories)". */
  scopeLabel?: string;
  /**
   * Limits the report to these repositories ("org/repo", any case): only their alerts,
   * transitions and audit events reach the computation, so nothing else can reach the files.
   */
  repositories?: readonly string[];
  /**
   * The scheduled invocation this report belongs to (EventBridge Scheduler's execution id). A
   * retry with the same id reuses the report the first attempt issued and never sends its email
   * twice. Without it every call issues a new report.
   */
  invocationId?: string;
  /** A PDF of this many bytes or more is linked instead of attached (default 7 MB). */
  attachLimitBytes?: number;
  /** Expiry of that link, in hours (default and at most 168). */
  linkExpiryHours?: number;
}

export type LoadedReportInput = Awaited<ReturnType<typeof loadReportInput>>;

export interface IssueReportOptions {
  /** Reads the organisation's input; shared by the scopes of one run so the store is read once. */
  load?: () => Promise<LoadedReportInput>;
  /**
   * Reads the whole trend window's history, for a scope whose issued figures no longer agree
   * with the history (`staleIssuedFigures`); shared by the scopes of one run like `load`.
   */
  loadHistory?: () => Promise<LoadedReportInput>;
}

export interface IssuedReport {
  scope: string;
  report: ReportJson;
  record: ReportRecord;
  files: { pdf: Buffer; html: string; json: string; csv: string; tables: Record<ReportTable, string> };
  /** True when a retry of the same invocation found the report issued and used it. */
  reused: boolean;
  /**
   * sent: by this call; already-sent: by an earlier attempt of the same invocation; in-progress:
   * another attempt is sending it now; none: no email configured for the scope.
   */
  email: 'sent' | 'already-sent' | 'in-progress' | 'none';
  emailMessageId: string | null;
  /** How the email carried the PDF: attached, or as a presigned link (too big); null if no email. */
  pdfDelivery: 'attached' | 'link' | null;
}

/**
 * Issues the report of one period and scope: computes report.json from the store (limited to
 * the scope's repositories), renders HTML and a PDF with Chromium, writes the PDF, HTML, JSON,
 * report.csv and the table CSVs to S3 under a new report id (never overwriting an issued report),
 * appends the report to its scope's hash chain, and emails the PDF (a presigned link instead
 * when it is too big to attach).
 *
 * With `invocationId`, a retry of the same invocation finds the report already issued (DynamoDB
 * records the run with the report, in one transaction) and reuses it, and the email is claimed
 * with a conditional write before it is sent and marked sent after: it goes out once.
 *
 * @example
 * const issued = await issueReport(deps, { org: 'octo', period: parsePeriodId('2026-W46'), now, ... });
 */
export async function issueReport(
  deps: ReportDeps,
  request: ReportRequest,
  options: IssueReportOptions = {},
): Promise<IssuedReport> {
  const { org, period } = request;
  const scope = request.scope ?? ORG_SCOPE;
  const ctx = { org, period: period.id, scope };
  const runKey: ReportRunKey | null = request.invocationId
    ? { org, scope, periodId: period.id, invocationId: request.invocationId }
    : null;
  deps.log.info('report started', { ...ctx, ...(runKey ? { invocationId: runKey.invocationId } : {}) });

  const run = runKey ? await deps.store.getReportRun(runKey) : null;
  let issued: Issued;
  if (run) {
    deps.log.info('report already issued by this invocation: reusing it', {
      ...ctx,
      reportId: run.record.reportId,
    });
    issued = await readIssued(deps, run.record);
  } else {
    const fresh = await issueNew(deps, request, scope, options);
    let appended: 'appended' | 'run-exists' = 'appended';
    if (runKey) appended = await deps.store.appendReportRecordForRun(fresh.record, runKey.invocationId);
    else await deps.store.appendReportRecord(fresh.record);
    if (appended === 'run-exists') {
      // Another attempt of the same invocation got there first: its report is the one.
      const winner = runKey ? await deps.store.getReportRun(runKey) : null;
      if (!winner) throw new DeliverError(`report run ${runKey?.invocationId} vanished while being read`);
      deps.log.warn('another attempt of this invocation issued the report first: using it', {
        ...ctx,
        reportId: winner.record.reportId,
        unrecorded: fresh.record.reportId,
      });
      issued = await readIssued(deps, winner.record);
    } else {
      issued = fresh;
      deps.log.info('report issued', {
        ...ctx,
        reportId: fresh.record.reportId,
        chainHash: fresh.record.chainHash,
        transitions: fresh.report.transitions.length,
      });
      await keepFigures(deps, request, scope, fresh);
    }
  }

  const email = await emailReport(deps, request, scope, issued, runKey);
  return { scope, ...issued, ...email };
}

type Issued = Pick<IssuedReport, 'report' | 'record' | 'files' | 'reused'>;

/**
 * Keeps the period's figures as this complete report states them, so that later reports' trends
 * and comparisons take them instead of reading the period's history again. Only a convenience:
 * when it fails, later reports read the history, and this report stands.
 */
async function keepFigures(
  deps: ReportDeps,
  request: ReportRequest,
  scope: string,
  issued: Issued,
): Promise<void> {
  const figures = periodFigures(issued.report, issued.record.reportId);
  if (!figures) return;
  try {
    await deps.store.putPeriodFigures(
      request.org,
      scope,
      figures,
      scopeFingerprint(request.repositories ?? null),
      issued.record.issuedAt,
    );
  } catch (error) {
    deps.log.warn('could not keep the period figures; later reports will read this period again', {
      org: request.org,
      period: request.period.id,
      scope,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

async function issueNew(
  deps: ReportDeps,
  request: ReportRequest,
  scope: string,
  options: IssueReportOptions,
): Promise<Issued> {
  const { org, period } = request;
  const ctx = { org, period: period.id, scope };
  const load =
    options.load ??
    (() =>
      loadReportInput(deps.store, org, period, lastPeriods(period, 12, request.timeZone), {
        scopes: [{ scope, fingerprint: scopeFingerprint(request.repositories ?? null) }],
        log: deps.log,
      }));
  const [{ input: orgInput, reads, issuedFigures }, previous] = await Promise.all([
    load(),
    deps.store.latestReportRecord(org, scope),
  ]);
  const input = request.repositories ? limitToRepositories(orgInput, request.repositories) : orgInput;
  deps.log.info('report data read', {
    ...ctx,
    ...reads,
    ...(request.repositories
      ? { scopeRepositories: request.repositories.length, scopeAlerts: input.alerts.length }
      : {}),
  });
  const compute = (from: Omit<ReportInput, 'generatedAt' | 'slaPolicy'>) =>
    computeReport({
      ...from,
      generatedAt: request.now.toISOString(),
      slaPolicy: request.slaPolicy ?? DEFAULT_SLA_POLICY,
      ...(request.teams ? { teams: request.teams } : {}),
    });
  let report = compute({ ...input, issuedFigures: issuedFigures.get(scope) ?? [] });
  const stale = staleIssuedFigures(report);
  if (stale !== null) {
    // The history changed after those figures were stated: the whole window is read again and
    // every period computed from it, so that the report agrees with itself.
    deps.log.warn('issued figures no longer agree with the history: computing the trend from it', {
      ...ctx,
      reason: stale,
    });
    // And forgetting them, so that later reports do not mix them with figures kept from now on.
    await deps.store.deletePeriodFigures(org, scope, lastPeriods(period, 12, request.timeZone));
    const loadHistory =
      options.loadHistory ??
      (() => loadReportInput(deps.store, org, period, lastPeriods(period, 12, request.timeZone)));
    const { input: historyInput } = await loadHistory();
    report = compute(
      request.repositories ? limitToRepositories(historyInput, request.repositories) : historyInput,
    );
  }

  const issuedAt = request.now.toISOString();
  const reportId = `${issuedAt.replace(/[-:.]/g, '')}-${randomUUID().slice(0, 8)}`;
  const previousChainHash = previous?.chainHash ?? null;
  const docs = await renderReportDocuments(await deps.browser(), report, {
    format: request.paperFormat,
    previousReportHash: previousChainHash,
    reportId,
    ...(request.scopeLabel ? { scopeLabel: request.scopeLabel } : {}),
  });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const bodies: Record<ReportFileKind, Buffer | string> = {
    pdf: docs.pdf,
    html: docs.html,
    json,
    csv: docs.csv,
    ...docs.tables,
  };
  const hashes = Object.fromEntries(
    REPORT_FILES.map((f) => [f.kind, f.kind === 'pdf' ? docs.pdfSha256 : sha256(bodies[f.kind])]),
  ) as unknown as FileHashes;
  const chain = chainHash({
    org,
    scope,
    periodId: period.id,
    reportId,
    sha256: hashes,
    previousChainHash,
  });

  const prefix = `reports/${org}/${scope}/${period.id}/${reportId}`;
  const stored = await deps.files.putReportFiles(
    prefix,
    REPORT_FILES.map((f) => ({ name: f.name, body: bodies[f.kind], contentType: f.contentType })),
  );
  const record: ReportRecord = {
    org,
    scope,
    periodId: period.id,
    reportId,
    issuedAt,
    sha256: hashes,
    chainHash: chain,
    previousChainHash,
    keys: Object.fromEntries(REPORT_FILES.map((f, i) => [f.kind, stored[i] ?? ''])),
  };
  return {
    report,
    record,
    files: { pdf: docs.pdf, html: docs.html, json, csv: docs.csv, tables: docs.tables },
    reused: false,
  };
}

/**
 * An issued report's files read back from S3, each checked against the SHA-256 its record holds
 * (a retry must not email a file that changed since).
 */
async function readIssued(deps: ReportDeps, record: ReportRecord): Promise<Issued> {
  const hashes = record.sha256 as unknown as Readonly<Record<string, string | undefined>>;
  const read = async (kind: ReportFileKind): Promise<Buffer> => {
    const key = record.keys[kind];
    if (!key) throw new DeliverError(`report ${record.reportId} has no ${kind} file recorded`);
    const { body } = await deps.files.getObject(key);
    if (sha256(body) !== hashes[kind]) {
      throw new DeliverError(
        `s3://${deps.files.bucket}/${key} no longer matches the SHA-256 recorded when report ${record.reportId} was issued`,
      );
    }
    return body;
  };
  const [pdf, html, json, csv, ...tables] = await Promise.all(
    (['pdf', 'html', 'json', 'csv', ...REPORT_TABLES] as const).map(read),
  );
  const text = (b: Buffer | undefined) => b?.toString('utf8') ?? '';
  return {
    report: JSON.parse(text(json)) as ReportJson,
    record,
    files: {
      pdf: pdf ?? Buffer.alloc(0),
      html: text(html),
      json: text(json),
      csv: text(csv),
      tables: Object.fromEntries(REPORT_TABLES.map((t, i) => [t, text(tables[i])])) as Record<
        ReportTable,
        string
      >,
    },
    reused: true,
  };
}

async function emailReport(
  deps: ReportDeps,
  request: ReportRequest,
  scope: string,
  issued: Issued,
  runKey: ReportRunKey | null,
): Promise<Pick<IssuedReport, 'email' | 'emailMessageId' | 'pdfDelivery'>> {
  const none = { email: 'none', emailMessageId: null, pdfDelivery: null } as const;
  if (!request.email || request.email.to.length === 0) return none;
  const { org, period } = request;
  const { report, record } = issued;
  const ctx = { org, period: period.id, scope, reportId: record.reportId };

  const token = randomUUID();
  if (runKey) {
    const now = Date.now();
    const claimed = await deps.store.claimReportEmail(runKey, {
      token,
      at: new Date(now).toISOString(),
      staleBefore: new Date(now - EMAIL_CLAIM_LEASE_MS).toISOString(),
    });
    if (!claimed) {
      const run = await deps.store.getReportRun(runKey);
      const email = run?.emailedAt ? 'already-sent' : 'in-progress';
      deps.log.info(
        email === 'already-sent'
          ? 'report email already sent by this invocation: not sending it again'
          : 'report email being sent by another attempt of this invocation',
        ctx,
      );
      return { email, emailMessageId: run?.emailMessageId ?? null, pdfDelivery: null };
    }
  }

  try {
    const pdf = issued.files.pdf;
    const pdfKey = record.keys.pdf;
    const attach = pdf.length < (request.attachLimitBytes ?? DEFAULT_ATTACH_LIMIT_BYTES);
    let link: { downloadUrl: string; downloadExpiresAt: string } | null = null;
    if (!attach) {
      if (!pdfKey) throw new DeliverError(`report ${record.reportId} has no PDF key to link to`);
      const seconds = (request.linkExpiryHours ?? DEFAULT_LINK_EXPIRY_HOURS) * 3600;
      const presigned = await deps.files.presignGet(pdfKey, seconds);
      if (presigned.shortened) {
        // The email then states the real expiry, not the configured one.
        deps.log.warn(
          'the emailed PDF link lives only as long as the AWS credentials that signed it: for links of up to 7 days, let long-term keys sign them (reportsBucket.linkSigner in the stack configuration, REPORT_LINK_SIGNER_SECRET_ARN)',
          {
            ...ctx,
            requestedHours: seconds / 3600,
            expiresAt: presigned.expiresAt.toISOString(),
            limitedBy: presigned.limitedBy,
          },
        );
      }
      link = { downloadUrl: presigned.url, downloadExpiresAt: presigned.expiresAt.toISOString() };
    }
    const pdfFilename = `alert-ledger-${org}-${scope === ORG_SCOPE ? '' : `${scope}-`}${period.id}.pdf`;
    const bodies = renderReportEmail(report, {
      reportId: record.reportId,
      previousReportHash: record.previousChainHash,
      reportSha256: record.sha256.pdf,
      pdfFilename,
      attached: attach,
      ...(request.scopeLabel ? { scopeLabel: request.scopeLabel } : {}),
      ...(link ?? {}),
    });
    const raw = await buildReportEmail({
      from: request.email.from,
      to: request.email.to,
      subject: bodies.subject,
      html: bodies.html,
      text: bodies.text,
      attachments: attach ? [{ filename: pdfFilename, content: pdf, contentType: 'application/pdf' }] : [],
      headers: { [REPORT_HASH_HEADER]: record.sha256.pdf },
    });
    const messageId = await sendRawEmail(deps.ses, raw, request.email);
    if (runKey) {
      const settled = await deps.store.settleReportEmail(runKey, token, {
        messageId,
        at: new Date().toISOString(),
      });
      if (!settled) deps.log.warn('report email sent, but another attempt had taken the claim over', ctx);
    }
    deps.log.info('report emailed', {
      ...ctx,
      recipients: request.email.to.length,
      pdf: attach ? 'attached' : 'linked',
      pdfBytes: pdf.length,
    });
    return { email: 'sent', emailMessageId: messageId, pdfDelivery: attach ? 'attached' : 'link' };
  } catch (error) {
    // Give the claim up so that a retry sends the email; the error still fails this attempt.
    if (runKey) {
      await deps.store.settleReportEmail(runKey, token, null).catch((e: unknown) => {
        deps.log.warn('could not release the report email claim', { ...ctx, error: String(e) });
      });
    }
    throw error;
  }
}
