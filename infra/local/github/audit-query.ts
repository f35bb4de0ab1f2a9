/**
 * The org audit log query: `phrase` qualifiers, `include`, `order`, retention.
 * Supported qualifiers: `action:`, `actor:`, `repo:`, `created:` (with `>`, `>=`, `<`, `<=`,
 * `a..b`), each negatable with a leading `-`. Several values of one qualifier are ORed,
 * different qualifiers ANDed; `action:secret_scanning_alert` matches the whole category.
 * Anything else is a 422, so a collector's typo fails loudly instead of widening the query.
 */
import type { DemoAuditEvent } from './demo-types.ts';
import { QueryParameterError } from './github-errors.ts';
import { type Direction, type Keyed, sortKeyed } from './pagination.ts';
import { readEnum, readOptional } from './query-params.ts';

/** GitHub keeps web events 180 days and Git events 7 days. */
export const WEB_RETENTION_DAYS = 180;
export const GIT_RETENTION_DAYS = 7;
const DAY_MS = 24 * 3600 * 1000;

type Predicate = (event: DemoAuditEvent) => boolean;

function parseInstant(raw: string): { start: number; end: number } {
  if (/^\d{4}-\d{2}-\d{2}$/.test(raw)) {
    const start = Date.parse(`${raw}T00:00:00Z`);
    if (!Number.isNaN(start)) return { start, end: start + DAY_MS };
  } else {
    const start = Date.parse(raw);
    if (!Number.isNaN(start)) return { start, end: start + 1 };
  }
  throw new QueryParameterError(422, `Invalid date in phrase: '${raw}'.`);
}

function createdPredicate(value: string): Predicate {
  const at = (e: DemoAuditEvent) => e['@timestamp'];
  const range = value.split('..');
  if (range.length === 2) {
    const from = parseInstant(range[0] ?? '');
    const to = parseInstant(range[1] ?? '');
    return (e) => at(e) >= from.start && at(e) < to.end;
  }
  const match = /^(>=|<=|>|<)?(.+)$/.exec(value);
  const op = match?.[1];
  const when = parseInstant(match?.[2] ?? '');
  switch (op) {
    case '>':
      return (e) => at(e) >= when.end;
    case '>=':
      return (e) => at(e) >= when.start;
    case '<':
      return (e) => at(e) < when.start;
    case '<=':
      return (e) => at(e) < when.end;
    default:
      return (e) => at(e) >= when.start && at(e) < when.end;
  }
}

function qualifierPredicate(name: string, value: string): Predicate {
  switch (name) {
    case 'action':
      return (e) => e.action === value || e.action.startsWith(`${value}.`);
    case 'actor':
      return (e) => e.actor.toLowerCase() === value.toLowerCase();
    case 'repo':
      return (e) => e.repo.toLowerCase() === value.toLowerCase();
    case 'created':
      return createdPredicate(value);
    default:
      throw new QueryParameterError(422, `Unsupported qualifier in phrase: '${name}:'.`);
  }
}

/** Builds the matcher for a `phrase`; no phrase matches everything. */
export function parsePhrase(phrase: string | undefined): Predicate {
  if (phrase === undefined || phrase.trim() === '') return () => true;
  const anyOf = new Map<string, Predicate[]>();
  const none: Predicate[] = [];
  for (const token of phrase.trim().split(/\s+/)) {
    const match = /^(-?)([a-z_]+):(.+)$/.exec(token);
    if (!match)
      throw new QueryParameterError(422, `Unsupported phrase term: '${token}'. Use qualifier:value.`);
    const [, negated, name = '', value = ''] = match;
    const predicate = qualifierPredicate(name, value);
    if (negated) none.push(predicate);
    else anyOf.set(name, [...(anyOf.get(name) ?? []), predicate]);
  }
  return (event) =>
    [...anyOf.values()].every((group) => group.some((p) => p(event))) && none.every((p) => !p(event));
}

export interface SortedAuditEvents {
  entries: Keyed<DemoAuditEvent>[];
  direction: Direction;
}

const isGitEvent = (e: DemoAuditEvent) => e.action.startsWith('git.');

/** The events visible at `now` that match the query, sorted for pagination. */
export function filterAuditLog(
  events: readonly DemoAuditEvent[],
  query: URLSearchParams,
  now: Date,
): SortedAuditEvents {
  const include = readEnum(query, 'include', ['web', 'git', 'all'] as const, 'web');
  const direction = readEnum(query, 'order', ['desc', 'asc'] as const, 'desc');
  const matches = parsePhrase(readOptional(query, 'phrase'));
  const t = now.getTime();
  const entries = events
    .filter((e) => {
      const git = isGitEvent(e);
      if (include === 'web' && git) return false;
      if (include === 'git' && !git) return false;
      const retention = (git ? GIT_RETENTION_DAYS : WEB_RETENTION_DAYS) * DAY_MS;
      return e['@timestamp'] <= t && e['@timestamp'] > t - retention && matches(e);
    })
    // The org login makes the order total across the orgs of an enterprise too.
    .map((item) => ({ item, key: item['@timestamp'], tiebreak: `${item.org}/${item._document_id}` }));
  return { entries: sortKeyed(entries, direction), direction };
}
