/**
 * Names the table's keys and indexes, shared by the store and the CDK stack (which must create
 * exactly what the store queries). No SDK imports: the CDK app loads this file.
 */

/** The sparse global index of open alerts: its key exists only on alerts whose state is open. */
export const OPEN_ALERTS_INDEX = 'open-alerts';
/** The index's partition key: the org, lower-cased, set on open alerts and removed on closing. */
export const OPEN_ALERTS_KEY = 'openOrg';
