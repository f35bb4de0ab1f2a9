import type { Alert } from '../core/model.ts';

/**
 * Names the table's keys and indexes, shared by the store and the CDK stack (which must create
 * exactly what the store queries). No SDK imports: the CDK app loads this file.
 */

/**
 * The sparse global index of the alerts a report always reads: its key exists only on alerts
 * whose state is open and on alerts whose secret was publicly leaked (whatever their state).
 */
export const OPEN_ALERTS_INDEX = 'open-alerts';
/** The index's partition key: the org, lower-cased; set on open or leaked alerts, removed otherwise. */
export const OPEN_ALERTS_KEY = 'openOrg';

/** Whether an alert belongs in the `open-alerts` index: open, or its secret publicly leaked. */
export const inOpenAlertsIndex = (alert: Alert): boolean =>
  alert.state === 'open' || alert.publiclyLeaked === true;
