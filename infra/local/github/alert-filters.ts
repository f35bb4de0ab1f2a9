/**
 * The filters and sort orders of the three alert lists (org and enterprise), applied to the
 * light alert views of `alert-index.ts`, with the values GitHub's JSON would show. Each returns
 * the matching alerts sorted and keyed for pagination.
 */
import type { IndexedAlert } from './alert-index.ts';
import { secretValidity } from './alert-state.ts';
import { SECRET_TYPES } from './demo-catalog.ts';
import type { DemoCodeScanningAlert, DemoDependabotAlert, DemoSecretScanningAlert } from './demo-types.ts';
import { QueryParameterError } from './github-errors.ts';
import type { Direction, Keyed } from './pagination.ts';
import { sortKeyed } from './pagination.ts';
import { readBoolean, readCommaList, readEnum, readOptional } from './query-params.ts';

export interface SortedList<T> {
  entries: Keyed<T>[];
  direction: Direction;
}

/** True when no filter was given or the value is one of the listed ones. */
function allows(list: readonly string[] | undefined, value: string | null): boolean {
  return list === undefined || list.includes(value ?? '');
}

function keyed<T extends IndexedAlert>(
  alerts: T[],
  sort: string,
  direction: Direction,
  keyOf?: (a: T) => number,
): SortedList<T> {
  const key = keyOf ?? ((a: T) => (sort === 'updated' ? a.updatedMs : a.createdMs));
  const entries = alerts.map((item) => ({ item, key: key(item), tiebreak: item.tiebreak }));
  return { entries: sortKeyed(entries, direction), direction };
}

function readDirection(query: URLSearchParams): Direction {
  return readEnum(query, 'direction', ['asc', 'desc'] as const, 'desc');
}

/** Dependabot lists paginate by cursor only; GitHub answers `page` with a 400. */
export function rejectPageParameter(query: URLSearchParams): void {
  if (query.has('page')) {
    throw new QueryParameterError(400, 'Pagination using the `page` parameter is not supported.');
  }
}

export function filterDependabot(
  alerts: readonly IndexedAlert<DemoDependabotAlert>[],
  query: URLSearchParams,
): SortedList<IndexedAlert<DemoDependabotAlert>> {
  rejectPageParameter(query);
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
    ({ alert, state }) =>
      allows(states, state.state) &&
      allows(severities, alert.advisory.severity) &&
      allows(ecosystems, alert.advisory.ecosystem) &&
      allows(packages, alert.advisory.packageName) &&
      (scope === undefined || alert.scope === scope),
  );
  const epss = (a: IndexedAlert<DemoDependabotAlert>): number => a.alert.advisory.epssPercentage;
  return keyed(matching, sort, direction, sort === 'epss_percentage' ? epss : undefined);
}

const CODE_SCANNING_SEVERITIES = ['critical', 'high', 'medium', 'low', 'warning', 'note', 'error'] as const;

export function filterCodeScanning(
  alerts: readonly IndexedAlert<DemoCodeScanningAlert>[],
  query: URLSearchParams,
): SortedList<IndexedAlert<DemoCodeScanningAlert>> {
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
  const matching = alerts.filter(({ alert, state: s }) => {
    const stateOk =
      state === undefined ||
      (state === 'closed' ? s.state === 'dismissed' || s.state === 'fixed' : s.state === state);
    // critical..low name the security severity; error/warning/note name the SARIF level.
    const severityOk =
      severity === undefined ||
      alert.rule.securitySeverityLevel === severity ||
      alert.rule.severity === severity;
    // Every demo alert comes from CodeQL.
    return stateOk && severityOk && (toolName === undefined || toolName === 'CodeQL');
  });
  return keyed(matching, sort, direction);
}

const PROVIDER_PATTERNS = new Map(SECRET_TYPES.map(([t]) => [t.type, t.providerPattern]));

/** Generic patterns (passwords, bearer headers, private keys) are listed only when named. */
export function isListedByDefault(secretType: string): boolean {
  return PROVIDER_PATTERNS.get(secretType) ?? true;
}

export function filterSecretScanning(
  alerts: readonly IndexedAlert<DemoSecretScanningAlert>[],
  query: URLSearchParams,
): SortedList<IndexedAlert<DemoSecretScanningAlert>> {
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
  const matching = alerts.filter(({ alert, state: s }) => {
    const type = alert.secretType.type;
    const typeOk = secretTypes ? secretTypes.includes(type) : isListedByDefault(type);
    const resolution = s.state === 'resolved' ? (s.closingEvent?.reason ?? null) : null;
    return (
      typeOk &&
      (state === undefined || s.state === state) &&
      allows(resolutions, resolution) &&
      allows(validities, secretValidity(alert, s)) &&
      (leaked === undefined || alert.publiclyLeaked === leaked) &&
      (bypassed === undefined || (alert.bypass !== null) === bypassed)
    );
  });
  return keyed(matching, sort, direction);
}
