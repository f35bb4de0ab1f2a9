import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import { aggregateOpen, observeAlert } from '../core/diff.ts';
import { InvalidAlertError } from '../core/errors.ts';
import {
  ALERT_TYPES,
  type Alert,
  type AlertType,
  type AuditEvent,
  alertKey,
  type SnapshotManifest,
  type StreamResult,
} from '../core/model.ts';
import { type NormalizeOptions, normalizeAlert } from '../core/normalize.ts';
import { normalizeAuditEvent } from '../core/normalize-audit.ts';
import { checkOrganisation, listAlertPages, listAuditLogPages } from '../github/alerts.ts';
import type { GitHubClient } from '../github/client.ts';
import {
  GitHubFeatureUnavailableError,
  GitHubPermissionError,
  GitHubUnavailableError,
} from '../github/errors.ts';
import type { DynamoStore, StoredAlert } from '../store/dynamo-store.ts';
import { ConcurrentUpdateError } from '../store/errors.ts';
import type { Log } from './log.ts';

export interface SnapshotDeps {
  gh: GitHubClient;
  store: DynamoStore;
  log: Log;
  /** Called after each page, for progress on a terminal. */
  onProgress?: (p: { stream: string; pages: number; items: number }) => void;
  normalize?: NormalizeOptions;
  /** Parallel alert writes per page; well under GitHub's and DynamoDB's limits. */
  writeConcurrency?: number;
}

export interface SnapshotRequest {
  org: string;
  now: Date;
  mode: 'incremental' | 'full';
  snapshotId?: string;
}

/** Overlap kept below an incremental watermark, for clock skew between GitHub and us. */
const WATERMARK_OVERLAP_MS = 60 * 60 * 1000;

/**
 * Takes one snapshot of an organisation: lists the three alert types and the audit log, writes
 * every changed alert with its transitions, and stores a manifest with per-stream results and
 * the open-alert aggregates that trend charts read later.
 *
 * A snapshot is complete only when every stream finished (or is unavailable: a coverage gap);
 * an incomplete one is recorded as such and never turns an alert fixed.
 *
 * @example
 * const manifest = await takeSnapshot({ gh, store, log }, { org: 'octo', now: new Date(), mode: 'full' });
 */
export async function takeSnapshot(deps: SnapshotDeps, request: SnapshotRequest): Promise<SnapshotManifest> {
  const { gh, store, log } = deps;
  const { org, now } = request;
  const snapshotId = request.snapshotId ?? randomUUID();
  const ctx = { org, snapshotId, mode: request.mode };
  log.info('snapshot started', { ...ctx, now: now.toISOString() });

  // Fails fast (bad token, unknown org) before anything is written.
  await checkOrganisation(gh, org);
  const stored = await store.loadAlerts(org);
  const current = new Map<string, Alert>([...stored].map(([k, v]) => [k, v.alert]));
  const streams: StreamResult[] = [];
  let alertsSeen = 0;
  let alertsWritten = 0;
  let transitionsWritten = 0;
  const limit = pLimit(deps.writeConcurrency ?? 8);

  for (const alertType of ALERT_TYPES) {
    const watermarkName = `watermark#${alertType}`;
    const watermark = request.mode === 'incremental' ? await store.getCursor(org, watermarkName) : null;
    const updatedSince = watermark
      ? new Date(Date.parse(watermark) - WATERMARK_OVERLAP_MS).toISOString()
      : undefined;
    const result: StreamResult = { stream: alertType, status: 'finished', items: 0, pages: 0, skipped: 0 };
    try {
      for await (const page of listAlertPages(gh, org, alertType, updatedSince ? { updatedSince } : {})) {
        result.pages += 1;
        const writes: Promise<void>[] = [];
        for (const raw of page) {
          const alert = normalizeOrSkip(alertType, raw, deps.normalize, log, ctx);
          if (!alert) {
            result.skipped += 1;
            continue;
          }
          result.items += 1;
          writes.push(
            limit(async () => {
              const written = await writeObservation(store, org, stored.get(alertKey(alert)), alert);
              current.set(alertKey(alert), written.alert);
              if (written.transitions > 0 || written.changed) alertsWritten += 1;
              transitionsWritten += written.transitions;
            }),
          );
        }
        await Promise.all(writes);
        deps.onProgress?.({ stream: alertType, pages: result.pages, items: result.items });
      }
      await store.putCursor(org, watermarkName, now.toISOString());
    } catch (error) {
      if (error instanceof GitHubFeatureUnavailableError) {
        result.status = 'unavailable';
        result.message = error.message;
        log.warn('stream unavailable: coverage gap', { ...ctx, stream: alertType, reason: error.message });
      } else if (error instanceof GitHubUnavailableError) {
        result.status = 'failed';
        result.message = error.message;
        log.error('stream failed: snapshot incomplete', { ...ctx, stream: alertType, reason: error.message });
      } else {
        throw error;
      }
    }
    alertsSeen += result.items;
    streams.push(result);
  }

  if (streams.every((s) => s.status === 'unavailable')) {
    // Nothing could be read: recording an empty but "complete" snapshot would report zero alerts.
    throw new GitHubPermissionError(
      `GitHub refused every alert list of ${org}: give the token the \`security_events\` scope (classic token) or "Dependabot alerts", "Secret scanning alerts" and "Code scanning alerts: read" (GitHub App or fine-grained token), and check that the features are enabled.`,
      403,
    );
  }

  const audit = await collectAuditLog(deps, org, now, ctx);
  streams.push(audit.result);

  const complete = streams.every((s) => s.status !== 'failed');
  const manifest: SnapshotManifest = {
    org,
    snapshotId,
    takenAt: now.toISOString(),
    mode: request.mode,
    complete,
    streams,
    alertsSeen,
    alertsWritten,
    transitionsWritten,
    auditEventsWritten: audit.written,
    ...aggregateOpen(current.values()),
  };
  await store.putManifest(manifest);
  log.info('snapshot finished', {
    ...ctx,
    complete,
    alertsSeen,
    alertsWritten,
    transitionsWritten,
    auditEventsWritten: audit.written,
  });
  return manifest;
}

function normalizeOrSkip(
  alertType: AlertType,
  raw: unknown,
  options: NormalizeOptions | undefined,
  log: Log,
  ctx: Record<string, unknown>,
): Alert | null {
  try {
    return normalizeAlert(alertType, raw, options);
  } catch (error) {
    if (error instanceof InvalidAlertError) {
      log.warn('alert skipped: invalid', { ...ctx, stream: alertType, reason: error.message });
      return null;
    }
    throw error;
  }
}

/** Writes one observation, re-reading and retrying when a webhook wrote the same alert first. */
async function writeObservation(
  store: DynamoStore,
  org: string,
  known: StoredAlert | undefined,
  alert: Alert,
): Promise<{ alert: Alert; transitions: number; changed: boolean }> {
  let base = known;
  for (let attempt = 0; attempt < 5; attempt++) {
    const obs = observeAlert(base?.alert, alert, 'snapshot');
    if (!obs.write) return { alert: base?.alert ?? alert, transitions: 0, changed: false };
    try {
      await store.writeAlert(org, obs.write, base?.version ?? null, obs.transitions);
      return { alert: obs.write, transitions: obs.transitions.length, changed: true };
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError)) throw error;
      base = await store.getAlert(org, alertKey(alert));
    }
  }
  throw new ConcurrentUpdateError(`alert ${alertKey(alert)} kept changing during the snapshot; run it again`);
}

async function collectAuditLog(
  deps: SnapshotDeps,
  org: string,
  now: Date,
  ctx: Record<string, unknown>,
): Promise<{ result: StreamResult; written: number }> {
  const result: StreamResult = { stream: 'audit_log', status: 'finished', items: 0, pages: 0, skipped: 0 };
  const since = await deps.store.getCursor(org, 'watermark#audit_log');
  const createdSince = since ? new Date(Date.parse(since) - 24 * 3600 * 1000).toISOString() : undefined;
  let written = 0;
  try {
    for await (const page of listAuditLogPages(deps.gh, org, createdSince ? { createdSince } : {})) {
      result.pages += 1;
      const events: AuditEvent[] = [];
      for (const raw of page) {
        try {
          const event = normalizeAuditEvent(raw, org);
          if (Date.parse(event.at) <= now.getTime()) events.push(event);
        } catch (error) {
          if (!(error instanceof InvalidAlertError)) throw error;
          result.skipped += 1;
          deps.log.warn('audit event skipped: invalid', { ...ctx, reason: error.message });
        }
      }
      await deps.store.putAuditEvents(org, events);
      result.items += events.length;
      written += events.length;
      deps.onProgress?.({ stream: 'audit_log', pages: result.pages, items: result.items });
    }
    await deps.store.putCursor(org, 'watermark#audit_log', now.toISOString());
  } catch (error) {
    if (error instanceof GitHubFeatureUnavailableError) {
      result.status = 'unavailable';
      result.message = error.message;
      deps.log.warn('audit log unavailable: coverage gap', { ...ctx, reason: error.message });
    } else if (error instanceof GitHubUnavailableError) {
      result.status = 'failed';
      result.message = error.message;
      deps.log.error('audit log failed: snapshot incomplete', { ...ctx, reason: error.message });
    } else {
      throw error;
    }
  }
  return { result, written };
}
