/**
 * The filters and sort orders of the three org alert lists, applied to rendered GitHub JSON.
 * Each returns the matching alerts sorted and keyed for pagination.
 */
import { SECRET_TYPES } from './demo-catalog.ts';
import { QueryParameterError } from './github-errors.ts';
import type { Json, JsonObject } from './openapi-deref.ts';
import type { Direction, Keyed } from './pagination.ts';
import { sortKeyed } from './pagination.ts';
import { readBoolean, readCommaList, readEnum, readOptional } from './query-params.ts';

export interface SortedAlerts {
  entries: Keyed<JsonObject>[];
  direction: Direction;
}

function field(obj: Json | undefined, ...path: string[]): Json | undefined {
  let node = obj;
  for (const key of path) {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
    node = node[key];
  }
  return node;
}

function text(obj: Json | undefined, ...path: string[]): string | null {
  const value = field(obj, ...path);
  return typeof value === 'string' ? value : null;
}

/** True when no filter was given or the value is one of the listed ones. */
function allows(list: readonly string[] | undefined, value: string | null): boolean {
  return list === undefined || list.includes(value ?? '');
}

function timeOf(alert: JsonObject, name: 'created_at' | 'updated_at'): number {
  return Date.parse(text(alert, name) ?? text(alert, 'created_at') ?? '');
}

/** Repository then number: unique per alert type within an org. */
function tiebreak(alert: JsonObject): string {
  const n = field(alert, 'number');
  return `${text(alert, 'repository', 'full_name') ?? ''}#${String(typeof n === 'number' ? n : 0).padStart(10, '0')}`;
}

function keyed(
  alerts: JsonObject[],
  sort: string,
  direction: Direction,
  keyOf?: (a: JsonObject) => number,
): SortedAlerts {
  const key = keyOf ?? ((a: JsonObject) => timeOf(a, sort === 'updated' ? 'updated_at' : 'created_at'));
  const entries = alerts.map((item) => ({ item, key: key(item), tiebreak: tiebreak(item) }));
  return { entries: sortKeyed(entries, direction), direction };
}

function readDirection(query: URLSearchParams): Direction {
  return readEnum(query, 'direction', ['asc', 'desc'] as const, 'desc');
}

export function filterDependabot(alerts: JsonObject[], query: URLSearchParams): SortedAlerts {
  if (query.has('page')) {
    throw new QueryParameterError(400, 'Pagination using the `page` parameter is not supported.');
  }
  const states = readCommaList(query, 'state', ['auto_dismissed', 'dismissed', 'fixed', 'open'] as const);
  const severities = readCommaList(query, 'severity', ['low', 'medium', 'high', 'critical'] as const);
  const ecosystems = readCommaList(query, 'ecosystem');
  const packages = readCommaList(query, 'package');
  const scope = readOptional(query, 'scope');
  if (scope !== undefined && scope !== 'development' && scope !== 'runtime') {
    throw new QueryParameterError(400, `Invalid scope: ${scope}. Allowed: development, runtime.`);
  }
  const sort = readEnum(query, 'sort', ['created', 'updated', 'epss_percentage'] as const, 'created');
  const direction = readDirection(query);
  const matching = alerts.filter(
    (a) =>
      allows(states, text(a, 'state')) &&
      allows(severities, text(a, 'security_advisory', 'severity')) &&
      allows(ecosystems, text(a, 'dependency', 'package', 'ecosystem')) &&
      allows(packages, text(a, 'dependency', 'package', 'name')) &&
      (scope === undefined || text(a, 'dependency', 'scope') === scope),
  );
  const epss = (a: JsonObject): number => {
    const value = field(a, 'security_advisory', 'epss', 'percentage');
    return typeof value === 'number' ? value : 0;
  };
  return keyed(matching, sort, direction, sort === 'epss_percentage' ? epss : undefined);
}

const CODE_SCANNING_SEVERITIES = ['critical', 'high', 'medium', 'low', 'warning', 'note', 'error'] as const;

export function filterCodeScanning(alerts: JsonObject[], query: URLSearchParams): SortedAlerts {
  const state = readOptional(query, 'state');
  if (state !== undefined && !['open', 'closed', 'dismissed', 'fixed'].includes(state)) {
    throw new QueryParameterError(422, `Invalid state: ${state}. Allowed: open, closed, dismissed, fixed.`);
  }
  const severity = readOptional(query, 'severity');
  if (severity !== undefined && !(CODE_SCANNING_SEVERITIES as readonly string[]).includes(severity)) {
    throw new QueryParameterError(422, `Invalid severity: ${severity}.`);
  }
  const toolName = readOptional(query, 'tool_name');
  const sort = readEnum(query, 'sort', ['created', 'updated'] as const, 'created');
  const direction = readDirection(query);
  const matching = alerts.filter((a) => {
    const s = text(a, 'state');
    const stateOk =
      state === undefined || (state === 'closed' ? s === 'dismissed' || s === 'fixed' : s === state);
    // critical..low name the security severity; error/warning/note name the SARIF level.
    const severityOk =
      severity === undefined ||
      text(a, 'rule', 'security_severity_level') === severity ||
      text(a, 'rule', 'severity') === severity;
    return stateOk && severityOk && (toolName === undefined || text(a, 'tool', 'name') === toolName);
  });
  return keyed(matching, sort, direction);
}

const PROVIDER_PATTERNS = new Map(SECRET_TYPES.map(([t]) => [t.type, t.providerPattern]));

/** Generic patterns (passwords, bearer headers, private keys) are listed only when named. */
export function isListedByDefault(secretType: string): boolean {
  return PROVIDER_PATTERNS.get(secretType) ?? true;
}

export function filterSecretScanning(alerts: JsonObject[], query: URLSearchParams): SortedAlerts {
  const state = readOptional(query, 'state');
  if (state !== undefined && state !== 'open' && state !== 'resolved') {
    throw new QueryParameterError(422, `Invalid state: ${state}. Allowed: open, resolved.`);
  }
  const secretTypes = readCommaList(query, 'secret_type');
  const resolutions = readCommaList(query, 'resolution', [
    'false_positive',
    'wont_fix',
    'revoked',
    'pattern_edited',
    'pattern_deleted',
    'used_in_tests',
  ] as const);
  const validities = readCommaList(query, 'validity', ['active', 'inactive', 'unknown'] as const);
  const leaked = readBoolean(query, 'is_publicly_leaked');
  const bypassed = readBoolean(query, 'is_bypassed');
  const sort = readEnum(query, 'sort', ['created', 'updated'] as const, 'created');
  const direction = readDirection(query);
  const matching = alerts.filter((a) => {
    const type = text(a, 'secret_type') ?? '';
    const typeOk = secretTypes ? secretTypes.includes(type) : isListedByDefault(type);
    return (
      typeOk &&
      (state === undefined || text(a, 'state') === state) &&
      allows(resolutions, text(a, 'resolution')) &&
      allows(validities, text(a, 'validity')) &&
      (leaked === undefined || field(a, 'publicly_leaked') === leaked) &&
      (bypassed === undefined || field(a, 'push_protection_bypassed') === bypassed)
    );
  });
  return keyed(matching, sort, direction);
}
