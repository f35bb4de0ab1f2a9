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
    id: e._document_id ?? `${e['@timestamp']}-${e.action}-${e.actor ?? ''}-${repoName ?? ''}`,
    action: e.action,
    actor: str(e.actor),
    at,
    repository: repoName === null ? null : repoName.includes('/') ? repoName : `${org}/${repoName}`,
    alertNumber: int(e.alert_number) ?? int(data.alert_number) ?? int(data.number),
    reason: str(e.reason) ?? str(data.reason) ?? str(data.comment),
    secretType: str(e.secret_type) ?? str(data.secret_type),
  };
}
