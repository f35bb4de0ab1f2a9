import type { Alert, Transition } from '../core/model.ts';

/**
 * Names the table's keys and indexes, shared by the store and the CDK stack (which must create
 * exactly what the store queries). No SDK imports: the CDK app loads this file.
 */

/**
 * The global index of alerts by what a report needs of them. Its partition key (`openOrg`) is
 * - the org, lower-cased, on alerts whose state is open and on alerts whose secret was publicly
 *   leaked (whatever their state): the alerts every report reads;
 * - `<org>#closed#<YYYY-MM-DD>` on the other (closed) alerts: the UTC day of their last change
 *   (the later of their `updatedAt` and the transitions written with them), so that a report
 *   finds the alerts that closed in its window with a few range reads instead of one read per
 *   alert. Alerts written before these keys existed have none, and are read by key instead.
 */
export const OPEN_ALERTS_INDEX = 'open-alerts';
/** The index's partition key (see OPEN_ALERTS_INDEX). */
export const OPEN_ALERTS_KEY = 'openOrg';

/** Whether an alert belongs in the `open-alerts` index under its org: open, or its secret publicly leaked. */
export const inOpenAlertsIndex = (alert: Alert): boolean =>
  alert.state === 'open' || alert.publiclyLeaked === true;

/** The index partition of the closed alerts of `org` whose last change was on `day` (YYYY-MM-DD, UTC). */
export const closedAlertsPartition = (org: string, day: string): string =>
  `${org.toLowerCase()}#closed#${day}`;

/**
 * The `open-alerts` index key of an alert written with `transitions`: its org (lower-cased) when
 * it is open or leaked, else its closed partition of the UTC day of its last change.
 *
 * @example
 * alertIndexKey('Octo', openAlert, []); // 'octo'
 * alertIndexKey('Octo', { ...fixed, updatedAt: '2026-11-10T09:00:00Z' }, []); // 'octo#closed#2026-11-10'
 */
export function alertIndexKey(
  org: string,
  alert: Alert,
  transitions: readonly Pick<Transition, 'at'>[],
): string {
  if (inOpenAlertsIndex(alert)) return org.toLowerCase();
  let latest = Date.parse(alert.updatedAt);
  for (const t of transitions) {
    const ms = Date.parse(t.at);
    if (Number.isFinite(ms) && !(latest >= ms)) latest = ms;
  }
  // A normalised alert always has a valid updatedAt; should one not, the report reads it by key.
  return closedAlertsPartition(
    org,
    Number.isFinite(latest) ? new Date(latest).toISOString().slice(0, 10) : 'unknown',
  );
}
