import { hash } from 'node:crypto';
import { stringify } from 'safe-stable-stringify';
import * as z from 'zod';
import { InvalidAlertError } from './errors.ts';
import type { AuditEvent } from './model.ts';

const rawAuditEvent = z.object({
  '@timestamp': z.number(),
  _document_id: z.string().optional(),
  action: z.string(),
  actor: z.string().nullable().optional(),
  repo: z.string().nullable().optional(),
  repository: z.string().nullable().optional(),
  org: z.string().nullable().optional(),
  alert_number: z.number().nullable().optional(),
  reason: z.string().nullable().optional(),
  secret_type: z.string().nullable().optional(),
  data: z.record(z.string(), z.unknown()).nullable().optional(),
});

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) ? v : null);

/**
 * Reduces a raw audit log event (epoch-millisecond `@timestamp`) to what reports use.
 * Alert details may sit at the top level or under `data`, depending on the event.
 *
 * @example
 * normalizeAuditEvent({ '@timestamp': 1763251200000, action: 'secret_scanning_push_protection.bypass', actor: 'octocat', repo: 'octo/api' })
 */
export function normalizeAuditEvent(raw: unknown, org: string): AuditEvent {
  const parsed = rawAuditEvent.safeParse(raw);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new InvalidAlertError(`audit log event lacks fields the model needs: ${where}`);
  }
  const e = parsed.data;
  const data = e.data ?? {};
  const repoName = str(e.repo) ?? str(e.repository) ?? str(data.repo) ?? str(data.repository);
  const at = new Date(e['@timestamp']).toISOString();
  return {
    id: e._document_id ?? contentId(raw),
    action: e.action,
    actor: str(e.actor),
    at,
    repository: repoName === null ? null : repoName.includes('/') ? repoName : `${org}/${repoName}`,
    alertNumber: int(e.alert_number) ?? int(data.alert_number) ?? int(data.number),
    reason: str(e.reason) ?? str(data.reason) ?? str(data.comment),
    secretType: str(e.secret_type) ?? str(data.secret_type),
  };
}

/**
 * The id of an event GitHub gave no `_document_id` (GHES): a hash of the whole event, its keys in
 * a fixed order, so that listing it again gives the same id and two events differ whenever
 * anything in them does. (Time, action, actor and repository alone were the same for a bulk
 * dismissal's events, or two secrets bypassed in one push: all but one were lost.)
 */
function contentId(raw: unknown): string {
  return `sha256:${hash('sha256', stringify(raw) ?? '', 'base64url')}`;
}

/**
 * The id versions before 2026-11-22 gave an event without a `_document_id`, or null for one with
 * it: the first run after the change lists again events stored under such an id (the watermark's
 * hour of overlap), and must know them for the same events.
 */
export function earlierAuditId(raw: unknown): string | null {
  const e = raw as Record<string, unknown> | null;
  if (!e || typeof e !== 'object' || typeof e._document_id === 'string') return null;
  const data = (typeof e.data === 'object' && e.data !== null ? e.data : {}) as Record<string, unknown>;
  const repoName = str(e.repo) ?? str(e.repository) ?? str(data.repo) ?? str(data.repository);
  const actor = typeof e.actor === 'string' ? e.actor : '';
  return `${e['@timestamp']}-${e.action}-${actor}-${repoName ?? ''}`;
}
