import { createHash, hash } from 'node:crypto';
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  TransactionCanceledException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  type BatchWriteCommandInput,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import pLimit from 'p-limit';
import { groupBy } from '../core/group-by.ts';
import {
  ALERT_TYPES,
  type Alert,
  type AuditEvent,
  alertKey,
  type SnapshotManifest,
  type Transition,
} from '../core/model.ts';
import type { Period } from '../core/periods.ts';
import type { ProvisionalChange, Settlement } from '../core/provisional.ts';
import type { PeriodFigures } from '../core/report-model.ts';
import {
  ConcurrentUpdateError,
  DuplicateDeliveryError,
  StoreError,
  StoreUnavailableError,
} from './errors.ts';
import { alertIndexKey, closedAlertsPartition, OPEN_ALERTS_INDEX, OPEN_ALERTS_KEY } from './table-schema.ts';

/**
 * The single DynamoDB table behind alert-ledger.
 *
 * | item                | pk                     | sk                                         |
 * |---------------------|------------------------|--------------------------------------------|
 * | alert current state | `ALERT#<org>`          | `<type>#<repo>#<number>`                   |
 * | transition          | `TRANS#<org>`          | `<at>#<type>#<repo>#<number>#<to>#<source>` |
 * | transitions, packed | `TRANS#<org>`          | `<UTC day>T00:00:00.000Z#pack#<digest>`    |
 * | snapshot manifest   | `SNAP#<org>`           | `<takenAt>#<snapshotId>`                   |
 * | audit log event     | `AUDIT#<org>`          | `<at>#<event id>`                          |
 * | audit events, packed | `AUDIT#<org>`         | `<UTC day>T00:00:00.000Z#pack#<digest>`    |
 * | webhook delivery    | `DELIVERY#<id>`        | `DELIVERY` (expires through TTL)           |
 * | issued report       | `REPORT#<org>#<scope>` | `<issuedAt>#<reportId>`                    |
 * | report run          | `REPORTRUN#<org>#<scope>#<period>#<invocation>` | `RUN` (expires through TTL) |
 * | issued figures      | `FIGURES#<org>#<scope>` | `<periodId>`                              |
 * | provisional change  | `PROVISIONAL`          | `<org>#<type>#<repo>#<number>`             |
 *
 * Transition sort keys start with the ISO-8601 instant, so a period is one range query.
 * A snapshot writes the transitions of the alerts it writes together as packs: one item per UTC
 * day holding that day's transitions, keyed by the day's first instant (which sorts before every
 * key of the day), written in the alerts' transaction. The audit events of a page are packed by
 * day the same way. Readers start at the first day of a range and keep what falls in it, so a
 * change of 1,000 alerts costs 1,000 alert items and a few packs, not 2,000 items; a webhook
 * still writes its transition as its own item.
 * Alerts carry `openOrg`, the key of the index `open-alerts` (table-schema.ts): the org,
 * lower-cased, on open alerts and on alerts whose secret was publicly leaked, so a report reads
 * them without reading every alert ever seen (a leak changes no state, so a closed alert leaked in
 * a period has no transition there to be found by; the index is how the report finds it); and
 * `<org>#closed#<day of the last change>` on closed ones, so a report reads those that closed in
 * its window by day.
 * An alert's state and its transitions are written in one transaction, conditional on the
 * version read, so a rerun or a concurrent webhook never double counts or goes backwards.
 */

export interface StoredAlert {
  alert: Alert;
  /** Optimistic-concurrency version: incremented on every write. */
  version: number;
  /**
   * What the last snapshot saw (webhooks do not change it): the base from which a snapshot's
   * open-alert aggregates move, so they never drift whatever webhooks wrote in between.
   */
  snap: SnapView | null;
  /**
   * True when a webhook registered provisional changes of the alert that no snapshot has settled
   * (see core/provisional.ts): only then does a webhook read them. Set by `getAlert` only.
   */
  provisional?: boolean;
}

export interface Aggregates {
  openBySeverity: SnapshotManifest['openBySeverity'];
  openByRepository: Record<string, number>;
}

export interface SnapView {
  state: Alert['state'];
  severity: Alert['severity'];
  /** Set when a full reconciliation no longer found the alert listed. */
  noLongerReported?: boolean;
  /**
   * The snapshot that found it so: a snapshot cut off while marking counts, when it resumes,
   * the marks it had already made. Absent from marks made before it existed.
   */
  noLongerReportedBy?: string;
}

export interface SnapshotCheckpoint {
  org: string;
  snapshotId: string;
  mode: 'incremental' | 'full';
  takenAt: string;
  startedAt: string;
  /** Another invocation may not take over before this instant (ms since epoch); 0 when released. */
  leaseUntil: number;
  /** The invocation holding the lease: every later save is conditional on it. */
  leaseOwner: string;
  /** Per lane: the next page URL (null: start from the first page), and whether it finished. */
  lanes: Record<
    string,
    {
      next: string | null;
      done: boolean;
      pages: number;
      items: number;
      skipped: number;
      skippedPages: number;
      /** Organisations of the alerts skipped as invalid ('' when an alert did not say). */
      skippedOrgs?: string[];
      status: 'running' | 'finished' | 'unavailable' | 'failed';
      message?: string;
      /** One end of a listing read from both: the creation time (ISO) its last page reached. */
      edge?: string;
    }
  >;
  /** Aggregate movement so far (incremental runs), carried across invocations. */
  delta: Record<string, number>;
  counters: {
    alertsWritten: number;
    transitionsWritten: number;
    auditEventsWritten: number;
    invocations: number;
  };
  /** Per organisation (an enterprise snapshot covers several). */
  perOrg: Record<string, { seen: number; written: number; transitions: number; auditEvents: number }>;
  skippedItems: { stream: string; number: number | null; reason: string }[];
  /**
   * Full runs: the keys listed so far were saved with the cursors (see saveSeenKeys). False once
   * keys listed by an invocation were lost: the snapshot then reconciles nothing.
   */
  seenSaved?: boolean;
  /**
   * An invocation was cut off holding the lease: the aggregate movement carried here is
   * incomplete, so every later invocation of this snapshot recounts.
   */
  recount?: boolean;
  /**
   * Organisations another snapshot moved while this one was under way (it took them over between
   * invocations, or held them unfinished when this one took them): their movement and listed
   * keys here cannot be trusted, so they are recounted and not reconciled.
   */
  movedByOthers?: string[];
  /** Organisations this snapshot has claimed in an earlier invocation (see claimOrganisation). */
  claimed?: string[];
  /**
   * When the snapshot began, by this machine's clock (ms since epoch): an organisation another
   * snapshot gave back after it was moved while this one was under way.
   */
  claimsSince?: number;
  /**
   * Enterprise runs: organisations of `orgs` with no snapshot before this one. The run is full,
   * and reads the audit log back to the start for them.
   */
  newcomers?: string[];
  /**
   * Enterprise runs: the organisations the snapshot records (`orgs`, in lower case), or null for
   * every one; a resumed snapshot keeps them, whatever its later invocations are asked.
   */
  orgs?: string[] | null;
  /** The newest audit event listed so far (ms since epoch): the audit watermark, once all is done. */
  auditMax?: number;
}

/** A snapshot's claim on an organisation's snapshot views and aggregates (see claimOrganisation). */
export interface OrganisationClaim {
  /** The snapshot itself, as its checkpoint key and id: the same in every invocation of it. */
  owner: string;
  /** What to call it in an error: `octo-org` or `enterprise octo-corp`. */
  label: string;
  snapshotId: string;
  /** No other snapshot may take the organisation before this instant (ms since epoch). */
  until: number;
}

/** The claim a new one replaced: who held the organisation last, and whether they gave it back. */
export interface PreviousClaim {
  owner: string;
  /**
   * When that snapshot gave it back (ms since epoch, this machine's clock); null while it holds
   * it, or when it paused or was cut off holding it.
   */
  releasedAt: number | null;
}

export interface ReportRecord {
  org: string;
  scope: string;
  periodId: string;
  reportId: string;
  issuedAt: string;
  sha256: { pdf: string; json: string; csv: string; html: string };
  /** Hash over the file hashes and the previous chain hash: what the next report links to. */
  chainHash: string;
  previousChainHash: string | null;
  keys: Record<string, string>;
}

export interface DeliveryRecord {
  id: string;
  event: string;
  ttlSeconds: number;
}

/** One scheduled report run of a scope: a retry of the same invocation finds it. */
export interface ReportRunKey {
  org: string;
  scope: string;
  periodId: string;
  /** The scheduler's execution id (the same on every retry of one scheduled run). */
  invocationId: string;
}

export interface ReportRun {
  /** The report the run issued. */
  record: ReportRecord;
  /** When the report email went out, and SES's message id; null until then. */
  emailedAt: string | null;
  emailMessageId: string | null;
  /** When an invocation took the email on (it may be sending it now); null when nobody has. */
  emailClaimedAt: string | null;
}

/** Run records outlive any retry (EventBridge Scheduler retries for at most 24 hours). */
const REPORT_RUN_TTL_SECONDS = 35 * 24 * 3600;
const reportRunPk = (k: ReportRunKey) => `REPORTRUN#${lc(k.org)}#${k.scope}#${k.periodId}#${k.invocationId}`;

/**
 * GitHub logins are case-insensitive (`--org Octo` and `octo` are one organisation, and alerts
 * name it as GitHub spells it): partition keys use the lower-case form.
 */
const lc = (org: string): string => org.toLowerCase();
const alertPk = (org: string) => `ALERT#${lc(org)}`;

/** Items per Query page (see `#queryAll`). */
const QUERY_PAGE_LIMIT = 2_000;

const openIndexDefinition = {
  IndexName: OPEN_ALERTS_INDEX,
  KeySchema: [
    { AttributeName: OPEN_ALERTS_KEY, KeyType: 'HASH' as const },
    { AttributeName: 'sk', KeyType: 'RANGE' as const },
  ],
  Projection: { ProjectionType: 'ALL' as const },
};
/**
 * Alerts and transitions are stored as their JSON text (a string attribute), not as DynamoDB
 * maps: a report reads tens of thousands of them, and the SDK's attribute-by-attribute
 * deserialising and unmarshalling of maps, and the garbage it leaves, were the larger part of
 * that read's CPU (`npm run bench:report`). What the table is queried or indexed by stays in
 * attributes of its own (keys, `openOrg`, `version`, `updatedAtMs`, `snap`). Items written as
 * maps by earlier versions are still read.
 */
export const encodeBody = (value: Alert | Transition): string => JSON.stringify(value);

/**
 * A short fingerprint of an alert as GitHub reports it: its body without the date the ledger
 * gives a leak GitHub only flags (`publiclyLeakedAt`, kept from the stored alert on every write).
 * A listed alert and the stored one have equal fingerprints exactly when writing the listed one
 * would store what is stored, leaked secrets included.
 */
export const alertDigest = (alert: Alert): string => bodyDigest(encodeBody(asReported(alert)));
const bodyDigest = (body: string): string => hash('sha256', body, 'base64');
function asReported(alert: Alert): Alert {
  if (!('publiclyLeakedAt' in alert)) return alert;
  const { publiclyLeakedAt: _dated, ...reported } = alert;
  return reported;
}
/**
 * An alert's body and its fingerprint as update values: every write of an alert stores both, so
 * a full run reads the fingerprints without the bodies.
 */
function bodyValues(alert: Alert): { ':alert': string; ':digest': string } {
  const body = encodeBody(alert);
  const reported = asReported(alert);
  return { ':alert': body, ':digest': bodyDigest(reported === alert ? body : encodeBody(reported)) };
}

/** A stored alert as a full reconciliation compares it: what the last snapshot saw, and a fingerprint. */
export interface StoredAlertDigest {
  snap: SnapView | null;
  /** `alertDigest` of the stored alert; null for an item stored as a map by an earlier version. */
  digest: string | null;
}

function decodeBody<T extends Alert | Transition>(
  item: Record<string, unknown>,
  name: 'alert' | 'transition',
): T {
  const body = item[name];
  if (typeof body === 'string') return JSON.parse(body) as T;
  if (body !== null && typeof body === 'object') return body as T;
  const where =
    item.sk === undefined
      ? `a stored ${name} item`
      : `the stored item ${String(item.pk)} / ${String(item.sk)}`;
  throw new StoreError(
    `${where} has no ${name}: it was not written by alert-ledger; delete it or restore the table from a backup`,
  );
}

const toStored = (item: Record<string, unknown>): StoredAlert => ({
  alert: decodeBody<Alert>(item, 'alert'),
  version: item.version as number,
  snap: (item.snap as SnapView | undefined) ?? null,
  ...(item.provisional === undefined ? {} : { provisional: true }),
});
const transitionPk = (org: string) => `TRANS#${lc(org)}`;

const transitionSk = (t: Transition) =>
  `${t.at}#${t.alertType}#${t.repository}#${t.number}#${t.to}#${t.source}`;
const auditSk = (e: AuditEvent) => `${e.at}#${e.id}`;

/**
 * The sort key of the pack holding records of the UTC day of `at`: the day's first instant, which
 * sorts before every record key of that day, then a digest of the records' keys, so the same
 * records always make the same item and a rewrite is harmless.
 */
function packSk(at: string, keys: readonly string[]): string {
  const day = dayStart(dayOf(at));
  const digest = createHash('sha256')
    .update([...keys].sort().join('\n'))
    .digest('base64url')
    .slice(0, 22);
  return `${day}#pack#${digest}`;
}

/** The UTC day (YYYY-MM-DD) of a record's instant; a record without one is refused, not stored. */
function dayOf(at: string): string {
  const ms = Date.parse(at);
  if (!Number.isFinite(ms)) {
    throw new StoreError(
      `cannot store a record dated ${JSON.stringify(at)}: not an instant (normalisation should have refused it; nothing was written)`,
    );
  }
  return new Date(ms).toISOString().slice(0, 10);
}
/** A UTC day's first instant in `toISOString` form: the sort key its packs start with. */
const dayStart = (day: string): string => `${day}T00:00:00.000Z`;

/** Groups records by the UTC day of their instant: the packs they are stored in. */
function packsByDay<T extends { at: string }>(records: readonly T[]): Map<string, T[]> {
  return groupBy(records, (r) => dayOf(r.at));
}

/**
 * The transaction actions a write of these alerts takes (`writeAlerts`): one per alert, one per
 * UTC day of their transitions.
 */
export function alertWriteActions(entries: readonly Pick<AlertWrite, 'transitions'>[]): number {
  return entries.length + packsByDay(entries.flatMap((e) => e.transitions)).size;
}

/** DynamoDB's limit of actions in one transaction. */
const TRANSACTION_ACTIONS = 100;

/**
 * Splits writes, in order, into the fewest runs that each fit one `writeAlerts` transaction
 * (`alertWriteActions` at most 100).
 */
export function chunkAlertWrites<T>(entries: readonly T[], writeOf: (entry: T) => AlertWrite): T[][] {
  const chunks: T[][] = [];
  let chunk: T[] = [];
  let days = new Set<string>();
  for (const entry of entries) {
    const added = new Set(writeOf(entry).transitions.map((t) => dayOf(t.at)));
    const merged = new Set([...days, ...added]);
    if (chunk.length > 0 && chunk.length + 1 + merged.size > TRANSACTION_ACTIONS) {
      chunks.push(chunk);
      chunk = [];
      days = added;
    } else days = merged;
    chunk.push(entry);
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/** The packs of transitions written together (`writeAlerts`): one item per UTC day. */
export function transitionPackItems(
  org: string,
  transitions: readonly Transition[],
): Record<string, unknown>[] {
  return [...packsByDay(transitions).values()].map((list) => ({
    pk: transitionPk(org),
    sk: packSk(list[0]?.at as string, list.map(transitionSk)),
    transitions: JSON.stringify(list),
  }));
}

/** The item of an alert `writeAlerts` writes with no stored state before it. */
export function newAlertItem(
  org: string,
  { alert, transitions, snap }: Pick<AlertWrite, 'alert' | 'transitions' | 'snap'>,
): Record<string, unknown> {
  const { ':alert': body, ':digest': digest } = bodyValues(alert);
  return {
    pk: alertPk(org),
    sk: alertKey(alert),
    alert: body,
    digest,
    version: 1,
    updatedAtMs: Date.parse(alert.updatedAt),
    snap,
    [OPEN_ALERTS_KEY]: alertIndexKey(org, alert, transitions),
  };
}

/** One alert of a `writeAlerts` transaction. */
export interface AlertWrite {
  alert: Alert;
  /** The version read before, or null for an alert that has no stored state. */
  expectedVersion: number | null;
  transitions: readonly Transition[];
  snap: SnapView;
}

/**
 * The day a key range starts on, where the packs that may hold its first records are (`keyRange`
 * form in and out).
 */
const packedFrom = (from: string): string => (from === '0000' ? from : dayStart(from.slice(0, 10)));

/**
 * The records of items read from a range that starts on the first day of [from, to]: packs are
 * opened, what falls outside the range dropped (only a pack of the range's first or last day
 * can hold such records), then all are put in key order (by instant, the key on a tie), each once.
 */
function unpack<T extends { at: string }>(
  items: readonly Record<string, unknown>[],
  single: (item: Record<string, unknown>) => T,
  packed: (item: Record<string, unknown>) => T[] | null,
  keyOf: (record: T) => string,
  range: { from: string; to: string },
): T[] {
  const out: T[] = [];
  let opened = false;
  for (const item of items) {
    const records = packed(item);
    const sk = String(item.sk);
    if (records === null) {
      if (sk >= range.from) out.push(single(item));
      continue;
    }
    opened = true;
    const dayMs = Date.parse(sk.slice(0, 24));
    const inside =
      sk.slice(0, 24) >= range.from &&
      (range.to === '9999' || new Date(dayMs + MS_PER_DAY).toISOString() <= range.to);
    for (const record of records) {
      if (inside) out.push(record);
      else {
        const key = keyOf(record);
        if (key >= range.from && key <= range.to) out.push(record);
      }
    }
  }
  if (!opened) return out;
  const compare = (a: T, b: T): number => {
    if (a.at !== b.at) return a.at < b.at ? -1 : 1;
    const x = keyOf(a);
    const y = keyOf(b);
    return x < y ? -1 : x > y ? 1 : 0;
  };
  out.sort(compare);
  return out.filter((r, i) => i === 0 || compare(out[i - 1] as T, r) !== 0);
}

/**
 * Webhook changes dated by their arrival, until a snapshot settles them (core/provisional.ts): one
 * partition, so that an enterprise run finds those of every organisation in one read.
 */
const PROVISIONAL_PK = 'PROVISIONAL';
const provisionalSk = (org: string, key: string): string => `${lc(org)}#${key}`;

function provisionalItem(p: ProvisionalChange): Record<string, unknown> {
  return {
    pk: PROVISIONAL_PK,
    sk: provisionalSk(p.org, p.key),
    version: p.version,
    change: JSON.stringify(p),
  };
}

/**
 * Pairs of transitions, in chain order, that cancel out once the pairs inside them are gone
 * (x→y then y→x), innermost first: deleting them in this order keeps the history a chain.
 */
function cancellingPairs(transitions: readonly Transition[]): [Transition, Transition][] {
  const pairs: [Transition, Transition][] = [];
  const stack: Transition[] = [];
  for (const t of transitions) {
    const top = stack.at(-1);
    if (top && top.from !== null && top.to === t.from && top.from === t.to) {
      stack.pop();
      pairs.push([top, t]);
    } else stack.push(t);
  }
  return pairs;
}

/** A webhook delivery record; DynamoDB's TTL removes it once redeliveries are no longer possible. */
function deliveryItem(delivery: DeliveryRecord): Record<string, unknown> {
  return {
    pk: `DELIVERY#${delivery.id}`,
    sk: 'DELIVERY',
    event: delivery.event,
    receivedAt: new Date().toISOString(),
    expiresAt: Math.floor(Date.now() / 1000) + delivery.ttlSeconds,
  };
}

/**
 * Sort keys hold `Date#toISOString()` instants; bounds must have the same form, or
 * `...00Z` would sort after `...00.000Z#...` and let an excluded end slip in.
 */
function keyRange(range?: { from?: string; to?: string }): { from: string; to: string } {
  return {
    from: range?.from ? new Date(range.from).toISOString() : '0000',
    to: range?.to ? new Date(range.to).toISOString() : '9999',
  };
}

/**
 * BatchGetItem calls at once: a report reads the alerts that closed in its window by key, 100 to a
 * call. With 8 the 13,000 of the 100,000-alert benchmark took 0.7-0.8 s on DynamoDB Local, with 4
 * 0.9-1.8 s, with 16 no less than with 8.
 */
const BATCH_GET_CONCURRENCY = 8;
/**
 * At most this many daily partitions of closed alerts are read (`listClosedAlertsSince`): a year
 * and a month, so that a monthly report's first 12-month trend window still uses them.
 */
const CLOSED_DAYS_MAX = 400;
/** Not periods.ts's: importing it would bring luxon into the webhook's bundle. */
const MS_PER_DAY = 86_400_000;
/** Key ranges a long transition read is split into (see `#querySegments`). */
const READ_SEGMENTS = 4;
/** Below this span a transition read is not split. */
const MIN_SLICE_MS = 3600_000;

/**
 * Splits the transition key range [from, to) (as `keyRange` gives it) into at most `n` ranges of
 * equal time, in order, that together hold exactly the same keys: a key at a boundary instant
 * starts with `<instant>#`, so it sorts after the boundary and belongs to the later range. An
 * open end (`9999`) is split up to `now` and stays open in the last range.
 *
 * @example
 * timeSlices('2026-11-09T00:00:00.000Z', '9999', Date.parse('2026-11-11T00:00:00.000Z'), 2);
 * // [['2026-11-09T00:00:00.000Z', '2026-11-10T00:00:00.000Z'], ['2026-11-10T00:00:00.000Z', '9999']]
 */
export function timeSlices(from: string, to: string, now: number, n: number): [string, string][] {
  const fromMs = from === '0000' ? Number.NaN : Date.parse(from);
  const endMs = to === '9999' ? now : Date.parse(to);
  if (!Number.isFinite(fromMs) || !Number.isFinite(endMs) || endMs - fromMs < MIN_SLICE_MS * n) {
    return [[from, to]];
  }
  const bounds = [from];
  for (let i = 1; i < n; i++)
    bounds.push(new Date(fromMs + Math.floor(((endMs - fromMs) * i) / n)).toISOString());
  bounds.push(to);
  return bounds.slice(0, -1).map((start, i) => [start, bounds[i + 1] as string]);
}

function mapError(action: string, error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  if (error instanceof ResourceNotFoundException) {
    return new StoreUnavailableError(
      `DynamoDB table not found while trying to ${action}: check TABLE_NAME (or run the CLI, which creates its local table).`,
      { cause: error },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new StoreError(`DynamoDB failed to ${action}: ${message}`, { cause: error });
}

/** Whether a single conditional write was refused for its condition (transactions: isConditionFailure). */
function conditionFailed(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';
}

function isConditionFailure(error: unknown, index?: number): boolean {
  return isCancelledFor(error, 'ConditionalCheckFailed', index);
}

/** Whether a transaction was cancelled for `code` (at action `index`, or at any). */
function isCancelledFor(error: unknown, code: string, index?: number): boolean {
  if (!(error instanceof TransactionCanceledException)) return false;
  const reasons = error.CancellationReasons ?? [];
  if (index === undefined) return reasons.some((r) => r.Code === code);
  return reasons[index]?.Code === code;
}

export class DynamoStore {
  readonly #doc: DynamoDBDocumentClient;
  /** Items written and write capacity units consumed by this instance (for manifests and benchmarks). */
  readonly usage = { itemsWritten: 0, writeUnits: 0, itemsRead: 0 };

  /** A transition is written once: its key is the change itself, so a rerun cannot add it twice. */
  #transitionPut(
    org: string,
    t: Transition,
  ): NonNullable<TransactWriteCommandInput['TransactItems']>[number] {
    return {
      Put: {
        TableName: this.tableName,
        Item: { pk: transitionPk(org), sk: transitionSk(t), transition: encodeBody(t) },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  #count(
    items: number,
    consumed: { CapacityUnits?: number | undefined }[] | { CapacityUnits?: number | undefined } | undefined,
  ): void {
    this.usage.itemsWritten += items;
    const list = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
    for (const c of list) this.usage.writeUnits += c.CapacityUnits ?? 0;
  }

  constructor(
    private readonly client: DynamoDBClient,
    readonly tableName: string,
  ) {
    // The SDK's logger middleware walks every response to redact it for a log line, even when the
    // logger is its default no-op one: a tenth of the CPU of reading a report's input. Nothing
    // reads those lines (they would hold alert data); the store's own logs say what it read.
    client.middlewareStack.remove('loggerMiddleware');
    this.#doc = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });
  }

  /** Creates the table when it does not exist (local stand-ins; in AWS the stack owns it). */
  async ensureTable(): Promise<void> {
    try {
      const { Table } = await this.client.send(new DescribeTableCommand({ TableName: this.tableName }));
      const indexed = (Table?.GlobalSecondaryIndexes ?? []).some((i) => i.IndexName === OPEN_ALERTS_INDEX);
      if (!indexed) await this.#addOpenAlertsIndex();
      return;
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw mapError('describe the table', error);
    }
    try {
      await this.client.send(
        new CreateTableCommand({
          TableName: this.tableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
            { AttributeName: OPEN_ALERTS_KEY, AttributeType: 'S' },
          ],
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          GlobalSecondaryIndexes: [openIndexDefinition],
        }),
      );
      await this.client.send(
        new UpdateTimeToLiveCommand({
          TableName: this.tableName,
          TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        }),
      );
    } catch (error) {
      throw mapError('create the table', error);
    }
  }

  /**
   * A table created before the open-alerts index (local data dirs of earlier versions): adds the
   * index and gives every stored alert its key. In AWS the stack creates the index.
   */
  async #addOpenAlertsIndex(): Promise<void> {
    try {
      await this.client.send(
        new UpdateTableCommand({
          TableName: this.tableName,
          AttributeDefinitions: [
            { AttributeName: OPEN_ALERTS_KEY, AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
          ],
          GlobalSecondaryIndexUpdates: [{ Create: openIndexDefinition }],
        }),
      );
      // The index must be ACTIVE before items can be given its key.
      for (let waited = 0; ; waited += 200) {
        const { Table } = await this.client.send(new DescribeTableCommand({ TableName: this.tableName }));
        const index = Table?.GlobalSecondaryIndexes?.find((i) => i.IndexName === OPEN_ALERTS_INDEX);
        if (index?.IndexStatus === 'ACTIVE') break;
        if (waited > 60_000) throw new StoreError(`index ${OPEN_ALERTS_INDEX} did not become ACTIVE in 60 s`);
        await new Promise((r) => setTimeout(r, 200));
      }
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await this.#doc.send(
          new ScanCommand({
            TableName: this.tableName,
            // The alert is JSON text (or a map in older items): which belong in the index is
            // decided here, not by a filter on its fields.
            FilterExpression: 'begins_with(pk, :alert)',
            ExpressionAttributeValues: { ':alert': 'ALERT#' },
            ProjectionExpression: 'pk, sk, alert',
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of page.Items ?? []) {
          const org = String(item.pk).slice('ALERT#'.length);
          try {
            await this.#doc.send(
              new UpdateCommand({
                TableName: this.tableName,
                Key: { pk: item.pk, sk: item.sk },
                UpdateExpression: `SET ${OPEN_ALERTS_KEY} = :index`,
                // Unless a writer gave it its key since the scan read it (from a newer state).
                ConditionExpression: `attribute_exists(pk) AND attribute_not_exists(${OPEN_ALERTS_KEY})`,
                ExpressionAttributeValues: {
                  ':index': alertIndexKey(org, decodeBody<Alert>(item, 'alert'), []),
                },
              }),
            );
          } catch (error) {
            if (!conditionFailed(error)) throw error;
          }
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    } catch (error) {
      throw mapError('add the open-alerts index to the table', error);
    }
  }

  async #queryAll(
    input: Omit<QueryCommandInput, 'TableName'>,
    /** Takes each page's items instead of collecting them (the result is then empty). */
    onPage?: (items: Record<string, unknown>[]) => void,
  ): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      // A page limit changes nothing on DynamoDB (pages stop at 1 MB anyway), but DynamoDB Local
      // answers an unlimited Query in time that grows with the rest of the range: with it, a long
      // range read took 15 s instead of 36 s in the report benchmark.
      const page = await this.#doc.send(
        new QueryCommand({
          TableName: this.tableName,
          Limit: QUERY_PAGE_LIMIT,
          ...input,
          ExclusiveStartKey: startKey,
        }),
      );
      if (onPage) onPage((page.Items ?? []) as Record<string, unknown>[]);
      else items.push(...((page.Items ?? []) as Record<string, unknown>[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  /**
   * Reads several key ranges at once and returns their items in the order of the ranges: DynamoDB
   * serves one Query's pages one after another, each waiting for the last one's key.
   */
  async #querySegments(inputs: Omit<QueryCommandInput, 'TableName'>[]): Promise<Record<string, unknown>[]> {
    return (await Promise.all(inputs.map((input) => this.#queryAll(input)))).flat();
  }

  /** Every alert's current state for an organisation, by `alertKey`. */
  async loadAlerts(org: string): Promise<Map<string, StoredAlert>> {
    try {
      const items = await this.#queryAll({
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': alertPk(org) },
      });
      const out = new Map<string, StoredAlert>();
      for (const item of items) {
        const stored = toStored(item);
        out.set(alertKey(stored.alert), stored);
      }
      return out;
    } catch (error) {
      throw mapError(`load the alerts of ${org}`, error);
    }
  }

  /**
   * The alerts a report always reads, from the `open-alerts` index under the org (not every alert ever
   * seen): those open now, and those whose secret was publicly leaked, whatever their state.
   */
  async listStandingAlerts(org: string): Promise<Alert[]> {
    try {
      // One key range per alert type, read at once; in key order (the types sort as their names).
      const items = await this.#querySegments(
        [...ALERT_TYPES].sort().map((type) => ({
          IndexName: OPEN_ALERTS_INDEX,
          KeyConditionExpression: `${OPEN_ALERTS_KEY} = :org AND begins_with(sk, :type)`,
          ExpressionAttributeValues: { ':org': lc(org), ':type': `${type}#` },
          // Only the alert: every other attribute is work to deserialise for nothing.
          ProjectionExpression: 'alert',
        })),
      );
      this.usage.itemsRead += items.length;
      return items.map((i) => decodeBody<Alert>(i, 'alert'));
    } catch (error) {
      throw mapError(`list the open and leaked alerts of ${org}`, error);
    }
  }

  /**
   * The closed alerts whose last change was from the UTC day before `from` up to the day after
   * `now` (the `<org>#closed#<day>` partitions of the `open-alerts` index), one range read per
   * day, several at once. A span longer than CLOSED_DAYS_MAX reads nothing (the caller reads by
   * key what it lacks). Alerts written before the index held closed alerts are not among them.
   */
  async listClosedAlertsSince(org: string, from: string, now = Date.now()): Promise<Alert[]> {
    const fromMs = Date.parse(from);
    if (!Number.isFinite(fromMs)) throw new StoreError(`listClosedAlertsSince: "${from}" is not an instant`);
    const first = Math.floor((fromMs - MS_PER_DAY) / MS_PER_DAY);
    const last = Math.floor((now + MS_PER_DAY) / MS_PER_DAY);
    if (last - first + 1 > CLOSED_DAYS_MAX) return [];
    const days: string[] = [];
    for (let d = first; d <= last; d++) days.push(new Date(d * MS_PER_DAY).toISOString().slice(0, 10));
    const limit = pLimit(BATCH_GET_CONCURRENCY);
    try {
      const items = (
        await Promise.all(
          days.map((day) =>
            limit(() =>
              this.#queryAll({
                IndexName: OPEN_ALERTS_INDEX,
                KeyConditionExpression: `${OPEN_ALERTS_KEY} = :partition`,
                ExpressionAttributeValues: { ':partition': closedAlertsPartition(org, day) },
                ProjectionExpression: 'alert',
              }),
            ),
          ),
        )
      ).flat();
      this.usage.itemsRead += items.length;
      return items.map((i) => decodeBody<Alert>(i, 'alert'));
    } catch (error) {
      throw mapError(`list the alerts of ${org} closed since ${from}`, error);
    }
  }

  async getAlert(org: string, key: string): Promise<StoredAlert | undefined> {
    try {
      const res = await this.#doc.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { pk: alertPk(org), sk: key },
          ConsistentRead: true,
        }),
      );
      if (!res.Item) return undefined;
      return toStored(res.Item);
    } catch (error) {
      throw mapError(`read alert ${key}`, error);
    }
  }

  /**
   * Writes an alert's new state and its transitions in one transaction.
   * Throws ConcurrentUpdateError when someone else wrote the alert since `expectedVersion` was
   * read, and DuplicateDeliveryError when `delivery` was recorded before.
   */
  async writeAlert(
    org: string,
    alert: Alert,
    expectedVersion: number | null,
    transitions: Transition[],
    delivery?: DeliveryRecord,
    options: {
      snap?: SnapView | null;
      /** The webhook's changes of this alert a snapshot has yet to check (see core/provisional.ts). */
      provisional?: ProvisionalChange;
    } = {},
  ): Promise<void> {
    const items: NonNullable<TransactWriteCommandInput['TransactItems']> = [];
    if (delivery) {
      items.push({
        Put: {
          TableName: this.tableName,
          Item: deliveryItem(delivery),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      });
    }
    // An update, not a put: a webhook write must keep the snapshot view (`snap`) it does not own.
    items.push({
      Update: {
        TableName: this.tableName,
        Key: { pk: alertPk(org), sk: alertKey(alert) },
        UpdateExpression:
          `SET alert = :alert, digest = :digest, version = :next, updatedAtMs = :updated, ${OPEN_ALERTS_KEY} = :index` +
          (options.snap ? ', snap = :snap' : '') +
          (options.provisional ? ', provisional = :next' : ''),
        ConditionExpression: expectedVersion === null ? 'attribute_not_exists(pk)' : 'version = :v',
        ExpressionAttributeValues: {
          ...bodyValues(alert),
          ':next': (expectedVersion ?? 0) + 1,
          ':updated': Date.parse(alert.updatedAt),
          ':index': alertIndexKey(org, alert, transitions),
          ...(options.snap ? { ':snap': options.snap } : {}),
          ...(expectedVersion === null ? {} : { ':v': expectedVersion }),
        },
      },
    });
    for (const t of transitions) items.push(this.#transitionPut(org, t));
    if (options.provisional) {
      items.push({ Put: { TableName: this.tableName, Item: provisionalItem(options.provisional) } });
    }
    try {
      const res = await this.#doc.send(
        new TransactWriteCommand({ TransactItems: items, ReturnConsumedCapacity: 'TOTAL' }),
      );
      this.#count(items.length, res.ConsumedCapacity);
    } catch (error) {
      if (delivery && isConditionFailure(error, 0)) {
        throw new DuplicateDeliveryError(`delivery ${delivery.id} was recorded before`, { cause: error });
      }
      // A condition failed (written first by someone else), or another transaction holds the item
      // right now (a snapshot's many-alert write): either way, read again and retry.
      if (isConditionFailure(error) || isCancelledFor(error, 'TransactionConflict')) {
        throw new ConcurrentUpdateError(`alert ${alertKey(alert)} changed while it was being written`, {
          cause: error,
        });
      }
      throw mapError(`write alert ${alertKey(alert)}`, error);
    }
  }

  /** The stored state of the given alerts (by `alertKey`), read in batches of 100. */
  async getAlerts(org: string, keys: readonly string[]): Promise<Map<string, StoredAlert>> {
    const out = new Map<string, StoredAlert>();
    // What a StoredAlert holds, not the keys and index attributes.
    await this.#getInBatches(org, keys, 'alert, version, snap, provisional', (item) => {
      const stored = toStored(item);
      out.set(alertKey(stored.alert), stored);
    });
    return out;
  }

  /** The stored alerts of the given keys (by `alertKey`), without what only writers need. */
  async getAlertBodies(org: string, keys: readonly string[]): Promise<Map<string, Alert>> {
    const out = new Map<string, Alert>();
    await this.#getInBatches(org, keys, 'alert', (item) => {
      const alert = decodeBody<Alert>(item, 'alert');
      out.set(alertKey(alert), alert);
    });
    return out;
  }

  /** Reads the alerts of `keys` in BatchGetItem calls of 100, BATCH_GET_CONCURRENCY at once. */
  async #getInBatches(
    org: string,
    keys: readonly string[],
    projection: string | undefined,
    onItem: (item: Record<string, unknown>) => void,
  ): Promise<void> {
    const unique = [...new Set(keys)];
    const batches: string[][] = [];
    for (let i = 0; i < unique.length; i += 100) batches.push(unique.slice(i, i + 100));
    const limit = pLimit(BATCH_GET_CONCURRENCY);
    try {
      await Promise.all(batches.map((batch) => limit(() => this.#getBatch(org, batch, projection, onItem))));
    } catch (error) {
      throw mapError(`read alerts of ${org}`, error);
    }
  }

  /** One BatchGetItem of at most 100 alerts, retrying unprocessed keys with backoff. */
  async #getBatch(
    org: string,
    batch: readonly string[],
    projection: string | undefined,
    onItem: (item: Record<string, unknown>) => void,
  ): Promise<void> {
    let request: Record<
      string,
      { Keys: Record<string, string>[]; ConsistentRead: boolean; ProjectionExpression?: string }
    > = {
      [this.tableName]: {
        Keys: batch.map((sk) => ({ pk: alertPk(org), sk })),
        ConsistentRead: true,
        ...(projection === undefined ? {} : { ProjectionExpression: projection }),
      },
    };
    for (let attempt = 0; Object.keys(request).length > 0; attempt++) {
      if (attempt > 8) throw new StoreError('DynamoDB kept returning unprocessed keys');
      if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      const res = await this.#doc.send(new BatchGetCommand({ RequestItems: request }));
      for (const item of res.Responses?.[this.tableName] ?? []) {
        onItem(item);
        this.usage.itemsRead += 1;
      }
      request = (res.UnprocessedKeys ?? {}) as typeof request;
    }
  }

  /** Every stored alert key of an organisation with what the last snapshot saw, without the alerts. */
  async listAlertViews(org: string): Promise<Map<string, SnapView | null>> {
    try {
      const items = await this.#queryAll({
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': alertPk(org) },
        ProjectionExpression: 'sk, snap',
      });
      this.usage.itemsRead += items.length;
      return new Map(items.map((i) => [i.sk as string, (i.snap as SnapView | undefined) ?? null]));
    } catch (error) {
      throw mapError(`list the alert keys of ${org}`, error);
    }
  }

  /**
   * Every stored alert of an organisation with what the last snapshot saw and a fingerprint of
   * the alert, so that a full run can tell an unchanged listed alert without reading it again.
   */
  async listAlertDigests(org: string): Promise<Map<string, StoredAlertDigest>> {
    const out = new Map<string, StoredAlertDigest>();
    // Alerts last written by a version that stored no fingerprint: their bodies are read by key.
    const unprinted: string[] = [];
    const onPage = (items: Record<string, unknown>[]) => {
      this.usage.itemsRead += items.length;
      for (const i of items) {
        const sk = i.sk as string;
        const snap = (i.snap as SnapView | undefined) ?? null;
        if (typeof i.digest === 'string') out.set(sk, { snap, digest: i.digest });
        else {
          out.set(sk, { snap, digest: null });
          unprinted.push(sk);
        }
      }
    };
    try {
      // Fingerprints only (the bodies are never read), one alert type's key range after another.
      // The three ranges share one partition key, which serves at most 3,000 read units a second:
      // reading them at once gains on DynamoDB only what its splitting of a busy partition allows,
      // a second or two for 100,000 alerts, while a full run's listing goes on and its pages wait
      // for the fingerprints (`takeSnapshot`). With DynamoDB Local on the same two cores, three
      // reads at once took more of them from the listing as it started: in six alternating pairs
      // of steady benchmark runs one range after another was faster each time (medians 12.63 s
      // against 12.81 s).
      for (const type of ALERT_TYPES) {
        await this.#queryAll(
          {
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :type)',
            ExpressionAttributeValues: { ':pk': alertPk(org), ':type': `${type}#` },
            ProjectionExpression: 'sk, snap, digest',
          },
          onPage,
        );
      }
      await this.#getInBatches(org, unprinted, 'sk, alert', (item) => {
        const entry = out.get(item.sk as string);
        // An alert stored as a map by an earlier version keeps no fingerprint: it is read by key.
        if (entry && typeof item.alert === 'string')
          entry.digest = alertDigest(JSON.parse(item.alert) as Alert);
      });
      this.usage.itemsRead += unprinted.length;
      return out;
    } catch (error) {
      throw mapError(`list the alerts of ${org}`, error);
    }
  }

  /**
   * Marks an alert a full reconciliation (snapshot `snapshotId`) no longer found listed: never
   * "fixed", just not reported. Only if its snapshot view is still `snap` (nobody saw it since);
   * false otherwise.
   */
  async markNoLongerReported(org: string, key: string, snap: SnapView, snapshotId: string): Promise<boolean> {
    try {
      const res = await this.#doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: alertPk(org), sk: key },
          UpdateExpression: 'SET snap = :snap',
          // Marked by this snapshot already: the SDK sending the mark again after an answer it
          // lost (a timeout, a 500). Still this snapshot's mark, counted once.
          ConditionExpression:
            'attribute_exists(pk) AND snap.#state = :state AND snap.severity = :severity AND (attribute_not_exists(snap.noLongerReported) OR snap.noLongerReportedBy = :by)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':snap': { ...snap, noLongerReported: true, noLongerReportedBy: snapshotId },
            ':state': snap.state,
            ':severity': snap.severity,
            ':by': snapshotId,
          },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      this.#count(1, res.ConsumedCapacity);
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw mapError(`mark ${key} no longer reported`, error);
    }
  }

  /**
   * Records what a snapshot saw of an alert whose state a webhook had already written, on the
   * version read (two snapshot writers can never both move the aggregates for one alert).
   */
  async putSnapView(
    org: string,
    key: string,
    snap: SnapView,
    expectedVersion: number,
    /**
     * Leave the alert's version as it is: for an alert with provisional webhook changes, which the
     * next snapshot settles only while the version they were written at stands.
     */
    options: { keepVersion?: boolean } = {},
  ): Promise<void> {
    try {
      const res = await this.#doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: alertPk(org), sk: key },
          ...(options.keepVersion
            ? {
                UpdateExpression: 'SET snap = :snap',
                ConditionExpression: 'version = :v',
                ExpressionAttributeValues: { ':snap': snap, ':v': expectedVersion },
              }
            : {
                UpdateExpression: 'SET snap = :snap, version = :next',
                // Or written already: the SDK sending it again after an answer it lost (a timeout, a
                // 500). Without that, the caller would re-read, find the view moved, and lose its move.
                ConditionExpression: 'version = :v OR (version = :next AND snap = :snap)',
                ExpressionAttributeValues: {
                  ':snap': snap,
                  ':v': expectedVersion,
                  ':next': expectedVersion + 1,
                },
              }),
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      this.#count(1, res.ConsumedCapacity);
    } catch (error) {
      if (conditionFailed(error)) {
        throw new ConcurrentUpdateError(`alert ${key} changed while its snapshot view was written`, {
          cause: error,
        });
      }
      throw mapError(`record the snapshot view of ${key}`, error);
    }
  }

  async getCheckpoint(org: string): Promise<SnapshotCheckpoint | null> {
    try {
      const res = await this.#doc.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { pk: `CHECKPOINT#${lc(org)}`, sk: 'CURRENT' },
          ConsistentRead: true,
        }),
      );
      return (res.Item?.checkpoint as SnapshotCheckpoint | undefined) ?? null;
    } catch (error) {
      throw mapError(`read the snapshot checkpoint of ${org}`, error);
    }
  }

  /**
   * Saves a checkpoint. `claim` takes the lease: it fails with ConcurrentUpdateError while
   * another invocation holds an unexpired one. Later saves succeed only for the lease's owner.
   */
  async putCheckpoint(checkpoint: SnapshotCheckpoint, claim: boolean): Promise<void> {
    try {
      const res = await this.#doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: `CHECKPOINT#${lc(checkpoint.org)}`,
            sk: 'CURRENT',
            checkpoint,
            snapshotId: checkpoint.snapshotId,
            leaseUntil: checkpoint.leaseUntil,
            leaseOwner: checkpoint.leaseOwner,
          },
          ...(claim
            ? {
                // Or taken already by this invocation: the SDK sending it again after an answer
                // it lost, which would otherwise lock the snapshot out until its own lease ends.
                ConditionExpression: 'attribute_not_exists(pk) OR leaseUntil < :now OR leaseOwner = :me',
                ExpressionAttributeValues: { ':now': Date.now(), ':me': checkpoint.leaseOwner },
              }
            : {
                ConditionExpression: 'leaseOwner = :me',
                ExpressionAttributeValues: { ':me': checkpoint.leaseOwner },
              }),
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      this.#count(1, res.ConsumedCapacity);
    } catch (error) {
      if (conditionFailed(error)) {
        throw new ConcurrentUpdateError(
          `another snapshot of ${checkpoint.org} holds the lease; wait for it to finish or for its lease to end`,
          { cause: error },
        );
      }
      throw mapError(`save the snapshot checkpoint of ${checkpoint.org}`, error);
    }
  }

  /**
   * Takes the organisation for one snapshot: the one snapshot that moves its alerts' snapshot
   * views and its aggregates until `claim.until`, or until it releases it. An organisation run
   * and an enterprise run covering the same organisation each keep their own checkpoint, so
   * without this both could add their movement to the same aggregates at once and lose one.
   * The same snapshot may take it again (a resumed run).
   *
   * @returns the claim this one replaced (null when there was none, or an earlier version gave
   *   it back): when it is another snapshot's, that one may have moved the organisation since
   *   this one's last claim, or while this one was under way (see `releasedAt`).
   * @throws ConcurrentUpdateError, naming the holder, while another snapshot's claim runs.
   */
  async claimOrganisation(
    org: string,
    claim: OrganisationClaim,
  ): Promise<{ previous: PreviousClaim | null }> {
    const Key = { pk: `OWNER#${lc(org)}`, sk: 'CURRENT' };
    try {
      const res = await this.#doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...Key, ...claim },
          ConditionExpression: 'attribute_not_exists(pk) OR #until < :now OR #owner = :me',
          ExpressionAttributeNames: { '#until': 'until', '#owner': 'owner' },
          ExpressionAttributeValues: { ':now': Date.now(), ':me': claim.owner },
          ReturnValues: 'ALL_OLD',
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      this.#count(1, res.ConsumedCapacity);
      const old = res.Attributes;
      if (typeof old?.owner !== 'string') return { previous: null };
      const releasedAt = typeof old.releasedAt === 'number' ? old.releasedAt : null;
      return { previous: { owner: old.owner, releasedAt } };
    } catch (error) {
      if (!conditionFailed(error)) {
        throw mapError(`claim ${org} for snapshot ${claim.snapshotId}`, error);
      }
      const held = await this.#doc
        .send(new GetCommand({ TableName: this.tableName, Key, ConsistentRead: true }))
        .then((r) => r.Item as Partial<OrganisationClaim> | undefined)
        .catch(() => undefined);
      const holder = held?.label ? `the snapshot of ${held.label} (${held.snapshotId})` : 'another snapshot';
      const until = typeof held?.until === 'number' ? ` until ${new Date(held.until).toISOString()}` : '';
      throw new ConcurrentUpdateError(
        `${org} is being snapshotted by ${holder}${until}: one snapshot at a time moves an organisation's figures. Try again after it, and snapshot ${org} either through its enterprise or on its own, not both.`,
        { cause: error },
      );
    }
  }

  /**
   * Gives the organisation back once its snapshot has finished (only if `owner` still holds it).
   * The claim stays, free and dated, so the next snapshot to take it knows who had it last and
   * until when.
   */
  async releaseOrganisation(org: string, owner: string): Promise<void> {
    try {
      await this.#doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `OWNER#${lc(org)}`, sk: 'CURRENT' },
          UpdateExpression: 'SET #until = :free, releasedAt = :now',
          ConditionExpression: '#owner = :me',
          ExpressionAttributeNames: { '#until': 'until', '#owner': 'owner' },
          ExpressionAttributeValues: { ':free': 0, ':now': Date.now(), ':me': owner },
        }),
      );
    } catch (error) {
      // Taken by another snapshot since: theirs now, left alone.
      if (conditionFailed(error)) return;
      throw mapError(`release ${org}`, error);
    }
  }

  async deleteCheckpoint(org: string, snapshotId: string): Promise<void> {
    try {
      await this.#doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: `CHECKPOINT#${lc(org)}`, sk: 'CURRENT' },
          ConditionExpression: 'snapshotId = :id',
          ExpressionAttributeValues: { ':id': snapshotId },
        }),
      );
    } catch (error) {
      // Another snapshot's checkpoint by now: left alone.
      if (conditionFailed(error)) return;
      throw mapError(`clear the snapshot checkpoint of ${org}`, error);
    }
  }

  /**
   * The open-alert aggregates as of the last finished snapshot, in the order snapshots finished
   * (which is the order in which they moved the alerts' snapshot views): the base an incremental
   * run adds its movement to.
   */
  async getAggregates(org: string): Promise<(Aggregates & { appliedSnapshotId?: string }) | null> {
    try {
      const res = await this.#doc.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { pk: `AGG#${lc(org)}`, sk: 'CURRENT' },
          ConsistentRead: true,
        }),
      );
      const aggregates = res.Item?.aggregates as Aggregates | undefined;
      if (!aggregates) return null;
      const applied = res.Item?.appliedSnapshotId as string | undefined;
      return applied ? { ...aggregates, appliedSnapshotId: applied } : aggregates;
    } catch (error) {
      throw mapError(`read the aggregates of ${org}`, error);
    }
  }

  /**
   * Keeps the figures of a period as a complete issued report of `scope` stated them, for later
   * reports' trends, replacing those of an earlier report of the period: the report issued last
   * is the one that stands. `fingerprint` names what the scope covered (its repositories):
   * figures of a scope that has changed since are not used.
   */
  async putPeriodFigures(
    org: string,
    scope: string,
    figures: PeriodFigures,
    fingerprint: string,
    issuedAt: string,
  ): Promise<void> {
    try {
      const res = await this.#doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: `FIGURES#${lc(org)}#${scope}`,
            sk: figures.periodId,
            figures,
            fingerprint,
            issuedAt,
          },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      this.#count(1, res.ConsumedCapacity);
    } catch (error) {
      throw mapError(`store the figures of ${org}/${scope} for ${figures.periodId}`, error);
    }
  }

  /**
   * Forgets the kept figures of `periods` for `scope`: after the history changed under them,
   * later reports compute those periods again until new figures are kept.
   */
  async deletePeriodFigures(
    org: string,
    scope: string,
    periods: readonly Pick<Period, 'id'>[],
  ): Promise<void> {
    try {
      for (let i = 0; i < periods.length; i += 25) {
        let request: NonNullable<BatchWriteCommandInput['RequestItems']> = {
          [this.tableName]: periods.slice(i, i + 25).map((p) => ({
            DeleteRequest: { Key: { pk: `FIGURES#${lc(org)}#${scope}`, sk: p.id } },
          })),
        };
        for (let attempt = 0; Object.keys(request).length > 0; attempt++) {
          if (attempt > 8) throw new StoreError('DynamoDB kept returning unprocessed deletes');
          if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
          const res = await this.#doc.send(new BatchWriteCommand({ RequestItems: request }));
          request = (res.UnprocessedItems ?? {}) as typeof request;
        }
      }
    } catch (error) {
      throw mapError(`forget the figures of ${org}/${scope}`, error);
    }
  }

  /**
   * The issued figures of `periods` for each scope, those stored with the scope's current
   * fingerprint and the same period bounds only; a period without them is simply absent.
   */
  async getPeriodFigures(
    org: string,
    scopes: readonly { scope: string; fingerprint: string }[],
    periods: readonly Pick<Period, 'id' | 'start' | 'end'>[],
  ): Promise<Map<string, PeriodFigures[]>> {
    const out = new Map<string, PeriodFigures[]>(scopes.map((s) => [s.scope, []]));
    const wanted = new Map(scopes.map((s) => [`FIGURES#${lc(org)}#${s.scope}`, s]));
    const bounds = new Map(periods.map((p) => [p.id, `${p.start}|${p.end}`]));
    const keys = scopes.flatMap((s) =>
      periods.map((p) => ({ pk: `FIGURES#${lc(org)}#${s.scope}`, sk: p.id })),
    );
    try {
      for (let i = 0; i < keys.length; i += 100) {
        let request: Record<string, { Keys: Record<string, string>[] }> = {
          [this.tableName]: { Keys: keys.slice(i, i + 100) },
        };
        for (let attempt = 0; Object.keys(request).length > 0; attempt++) {
          if (attempt > 8) throw new StoreError('DynamoDB kept returning unprocessed keys');
          if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
          const res = await this.#doc.send(new BatchGetCommand({ RequestItems: request }));
          for (const item of res.Responses?.[this.tableName] ?? []) {
            this.usage.itemsRead += 1;
            const scope = wanted.get(item.pk as string);
            const figures = item.figures as PeriodFigures;
            if (!scope || item.fingerprint !== scope.fingerprint) continue;
            if (bounds.get(figures.periodId) !== `${figures.start}|${figures.end}`) continue;
            out.get(scope.scope)?.push(figures);
          }
          request = (res.UnprocessedKeys ?? {}) as typeof request;
        }
      }
      // Date.parse, not periods.ts's instantMs: the webhook's bundle would carry luxon for it.
      for (const list of out.values()) list.sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
      return out;
    } catch (error) {
      throw mapError(`read the issued figures of ${org}`, error);
    }
  }

  /** `snapshotId` records which snapshot's movement is in them, so a resumed run never adds it twice. */
  async putAggregates(org: string, aggregates: Aggregates, snapshotId: string): Promise<void> {
    try {
      const res = await this.#doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: `AGG#${lc(org)}`,
            sk: 'CURRENT',
            aggregates: {
              openBySeverity: aggregates.openBySeverity,
              openByRepository: aggregates.openByRepository,
            },
            appliedSnapshotId: snapshotId,
          },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      this.#count(1, res.ConsumedCapacity);
    } catch (error) {
      throw mapError(`store the aggregates of ${org}`, error);
    }
  }

  /**
   * Writes alerts with their snapshot views and transitions in one transaction (at most 100
   * actions, see `alertWriteActions` and `chunkAlertWrites`): each alert conditional on the
   * version read (or on having no stored state), its transitions packed by day. Throws
   * ConcurrentUpdateError, naming the alerts in its `conflicts`, when someone wrote any of them
   * first or was writing one in a transaction of their own; then none is written.
   */
  async writeAlerts(org: string, entries: readonly AlertWrite[]): Promise<void> {
    const items: NonNullable<TransactWriteCommandInput['TransactItems']> = [];
    for (const entry of entries) {
      const { alert, expectedVersion, transitions, snap } = entry;
      if (expectedVersion === null) {
        items.push({
          Put: {
            TableName: this.tableName,
            Item: newAlertItem(org, entry),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        });
        continue;
      }
      // An update, not a put: it keeps whatever else the item holds.
      items.push({
        Update: {
          TableName: this.tableName,
          Key: { pk: alertPk(org), sk: alertKey(alert) },
          UpdateExpression: `SET alert = :alert, digest = :digest, version = :next, updatedAtMs = :updated, snap = :snap, ${OPEN_ALERTS_KEY} = :index`,
          ConditionExpression: 'version = :v',
          ExpressionAttributeValues: {
            ...bodyValues(alert),
            ':next': expectedVersion + 1,
            ':updated': Date.parse(alert.updatedAt),
            ':snap': snap,
            ':index': alertIndexKey(org, alert, transitions),
            ':v': expectedVersion,
          },
        },
      });
    }
    if (items.length === 0) return;
    for (const Item of transitionPackItems(
      org,
      entries.flatMap((e) => e.transitions),
    )) {
      items.push({ Put: { TableName: this.tableName, Item } });
    }
    if (items.length > TRANSACTION_ACTIONS)
      throw new StoreError(`a transaction holds at most ${TRANSACTION_ACTIONS} actions, not ${items.length}`);
    try {
      const res = await this.#doc.send(
        new TransactWriteCommand({ TransactItems: items, ReturnConsumedCapacity: 'TOTAL' }),
      );
      this.#count(items.length, res.ConsumedCapacity);
    } catch (error) {
      // Written first by someone else, or being written by someone else's transaction right now.
      const lost = (i?: number) =>
        isConditionFailure(error, i) || isCancelledFor(error, 'TransactionConflict', i);
      if (lost()) {
        const conflicts = entries.filter((_, i) => lost(i)).map((e) => alertKey(e.alert));
        throw new ConcurrentUpdateError(
          `${conflicts.length || 'some'} of ${entries.length} alerts of ${org} changed while they were being written`,
          { cause: error, conflicts },
        );
      }
      throw mapError(`write ${entries.length} alerts of ${org}`, error);
    }
  }

  /**
   * Saves the alert keys a paused full run has listed, so that the invocation resuming it can
   * still tell which stored alerts GitHub no longer lists. Expires after a week.
   */
  async saveSeenKeys(scopeKey: string, snapshotId: string, keys: Iterable<string>): Promise<void> {
    const all = [...keys];
    const expiresAt = Math.floor(Date.now() / 1000) + 7 * 24 * 3600;
    const items: Record<string, unknown>[] = [];
    for (let j = 0; j < all.length; j += 400) {
      items.push({
        pk: `SEEN#${lc(scopeKey)}#${snapshotId}`,
        sk: String(j).padStart(9, '0'),
        keys: all.slice(j, j + 400),
        expiresAt,
      });
    }
    try {
      await this.#batchPut(items, 'seen keys');
    } catch (error) {
      throw mapError(`save the listed keys of snapshot ${snapshotId}`, error);
    }
  }

  async loadSeenKeys(scopeKey: string, snapshotId: string): Promise<Set<string>> {
    try {
      const items = await this.#queryAll({
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `SEEN#${lc(scopeKey)}#${snapshotId}` },
      });
      return new Set(items.flatMap((i) => i.keys as string[]));
    } catch (error) {
      throw mapError(`load the listed keys of snapshot ${snapshotId}`, error);
    }
  }

  /** The provisional webhook changes of one alert, or null when it has none. */
  async getProvisional(org: string, key: string): Promise<ProvisionalChange | null> {
    try {
      const res = await this.#doc.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { pk: PROVISIONAL_PK, sk: provisionalSk(org, key) },
          ConsistentRead: true,
        }),
      );
      return res.Item ? (JSON.parse(res.Item.change as string) as ProvisionalChange) : null;
    } catch (error) {
      throw mapError(`read the provisional changes of alert ${key}`, error);
    }
  }

  /** The provisional webhook changes of `org`'s alerts, or of every organisation's (null). */
  async listProvisional(org: string | null): Promise<ProvisionalChange[]> {
    try {
      const items = await this.#queryAll({
        KeyConditionExpression: org === null ? 'pk = :pk' : 'pk = :pk AND begins_with(sk, :org)',
        ExpressionAttributeValues: {
          ':pk': PROVISIONAL_PK,
          ...(org === null ? {} : { ':org': `${lc(org)}#` }),
        },
        ConsistentRead: true,
      });
      this.usage.itemsRead += items.length;
      return items.map((i) => JSON.parse(i.change as string) as ProvisionalChange);
    } catch (error) {
      throw mapError(`list the provisional webhook changes${org === null ? '' : ` of ${org}`}`, error);
    }
  }

  /**
   * Writes a settlement of `p` and forgets `p`, in one transaction: the alert (if it changes), the
   * webhook's transitions it removes and those it adds. False, with nothing written, when the
   * alert or its provisional changes moved since they were read (the next snapshot settles them).
   */
  async settleProvisional(change: ProvisionalChange, wanted: Settlement): Promise<boolean> {
    let p = change;
    let settlement = wanted;
    const rewritten = new Set(settlement.add.map(transitionSk));
    const deletes = settlement.remove.filter((t) => !rewritten.has(transitionSk(t)));
    const excess = 2 + deletes.length + settlement.add.length - TRANSACTION_ACTIONS;
    if (excess > 0) {
      // Too many for one transaction: first delete, a few transactions ahead, pairs of removed
      // transitions that cancel out (open→fixed→open), each with the provisional item rewritten
      // without them, so that the history and the item stay consistent whatever comes after.
      const pairs = cancellingPairs(deletes).slice(0, Math.ceil(excess / 2));
      if (pairs.length * 2 >= excess) {
        for (let i = 0; i < pairs.length; i += 48) {
          const gone = new Set(
            pairs
              .slice(i, i + 48)
              .flat()
              .map(transitionSk),
          );
          const next: ProvisionalChange = {
            ...p,
            transitions: p.transitions.filter((t) => !gone.has(transitionSk(t))),
          };
          const ahead: NonNullable<TransactWriteCommandInput['TransactItems']> = [
            {
              Put: {
                TableName: this.tableName,
                Item: provisionalItem(next),
                ConditionExpression: 'version = :v',
                ExpressionAttributeValues: { ':v': p.version },
              },
            },
            {
              ConditionCheck: {
                TableName: this.tableName,
                Key: { pk: alertPk(p.org), sk: p.key },
                ConditionExpression: 'version = :v',
                ExpressionAttributeValues: { ':v': p.version },
              },
            },
            ...[...gone].map((sk) => ({
              Delete: { TableName: this.tableName, Key: { pk: transitionPk(p.org), sk } },
            })),
          ];
          if (
            !(await this.#provisionalTransaction(ahead, `settle the provisional changes of alert ${p.key}`))
          )
            return false;
          p = next;
          settlement = {
            ...settlement,
            remove: settlement.remove.filter((t) => !gone.has(transitionSk(t))),
          };
        }
      }
    }
    const items: NonNullable<TransactWriteCommandInput['TransactItems']> = [this.#provisionalDelete(p)];
    const { alert } = settlement;
    const removed = new Set(settlement.remove.map(transitionSk));
    // The closed-alerts partition is the day of the alert's last change, kept transitions included.
    const standing = [...p.transitions.filter((t) => !removed.has(transitionSk(t))), ...settlement.add];
    items.push({
      Update: {
        TableName: this.tableName,
        Key: { pk: alertPk(p.org), sk: p.key },
        UpdateExpression: alert
          ? `SET alert = :alert, digest = :digest, version = :next, updatedAtMs = :updated, ${OPEN_ALERTS_KEY} = :index REMOVE provisional`
          : 'REMOVE provisional',
        ConditionExpression: 'version = :v',
        ExpressionAttributeValues: {
          ':v': p.version,
          ...(alert
            ? {
                ...bodyValues(alert),
                ':next': p.version + 1,
                ':updated': Date.parse(alert.updatedAt),
                ':index': alertIndexKey(p.org, alert, standing),
              }
            : {}),
        },
      },
    });
    for (const t of settlement.remove) {
      if (rewritten.has(transitionSk(t))) continue; // rewritten by its put below
      items.push({
        Delete: { TableName: this.tableName, Key: { pk: transitionPk(p.org), sk: transitionSk(t) } },
      });
    }
    for (const t of settlement.add) {
      items.push({
        Put: {
          TableName: this.tableName,
          Item: { pk: transitionPk(p.org), sk: transitionSk(t), transition: encodeBody(t) },
        },
      });
    }
    if (items.length > TRANSACTION_ACTIONS) {
      throw new StoreError(
        `the provisional changes of alert ${p.key} take ${items.length} writes, over DynamoDB's ${TRANSACTION_ACTIONS} in one transaction; they stay as the webhook recorded them`,
      );
    }
    return await this.#provisionalTransaction(items, `settle the provisional changes of alert ${p.key}`);
  }

  /** The delete of `p`'s item, unless a webhook added to it since it was read. */
  #provisionalDelete(p: ProvisionalChange): NonNullable<TransactWriteCommandInput['TransactItems']>[number] {
    return {
      Delete: {
        TableName: this.tableName,
        Key: { pk: PROVISIONAL_PK, sk: provisionalSk(p.org, p.key) },
        ConditionExpression: 'version = :v',
        ExpressionAttributeValues: { ':v': p.version },
      },
    };
  }

  /** Sends a transaction of provisional changes; false when a condition or another writer refused it. */
  async #provisionalTransaction(
    items: NonNullable<TransactWriteCommandInput['TransactItems']>,
    what: string,
  ): Promise<boolean> {
    try {
      const res = await this.#doc.send(
        new TransactWriteCommand({ TransactItems: items, ReturnConsumedCapacity: 'TOTAL' }),
      );
      this.#count(items.length, res.ConsumedCapacity);
      return true;
    } catch (error) {
      if (isConditionFailure(error) || isCancelledFor(error, 'TransactionConflict')) return false;
      throw mapError(what, error);
    }
  }

  /**
   * Forgets `p`, unchecked, unless it changed since it was read (false then): its alert moved on
   * (a later write owns it) or GitHub no longer gives it.
   */
  async dropProvisional(p: ProvisionalChange, alertStored: boolean): Promise<boolean> {
    const items: NonNullable<TransactWriteCommandInput['TransactItems']> = [this.#provisionalDelete(p)];
    if (alertStored) {
      items.push({
        Update: {
          TableName: this.tableName,
          Key: { pk: alertPk(p.org), sk: p.key },
          UpdateExpression: 'REMOVE provisional',
          // An update must not create the item it was meant to clean.
          ConditionExpression: 'attribute_exists(pk)',
        },
      });
    }
    return await this.#provisionalTransaction(items, `forget the provisional changes of alert ${p.key}`);
  }

  /** Records a delivery that changes no alert (ping, ignored actions). False when seen before. */
  async recordDelivery(delivery: DeliveryRecord): Promise<boolean> {
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: deliveryItem(delivery),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw mapError(`record delivery ${delivery.id}`, error);
    }
  }

  /** Transitions with `at` in [from, to), oldest first, each once. */
  async listTransitions(org: string, range?: { from?: string; to?: string }): Promise<Transition[]> {
    const { from, to } = keyRange(range);
    try {
      const items = await this.#querySegments(
        timeSlices(packedFrom(from), to, Date.now(), READ_SEGMENTS).map(([start, end]) => ({
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          // `to` is exclusive: every key at exactly `to` starts with `to#`, which sorts after `to`.
          ExpressionAttributeValues: { ':pk': transitionPk(org), ':from': start, ':to': end },
          ProjectionExpression: 'sk, transition, transitions',
        })),
      );
      return unpack(
        items,
        (i) => decodeBody<Transition>(i, 'transition'),
        (i) => (typeof i.transitions === 'string' ? (JSON.parse(i.transitions) as Transition[]) : null),
        transitionSk,
        { from, to },
      );
    } catch (error) {
      throw mapError(`list the transitions of ${org}`, error);
    }
  }

  async putManifest(manifest: SnapshotManifest): Promise<void> {
    try {
      const res = await this.#doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: `SNAP#${lc(manifest.org)}`,
            sk: `${manifest.takenAt}#${manifest.snapshotId}`,
            manifest,
          },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      this.#count(1, res.ConsumedCapacity);
    } catch (error) {
      throw mapError(`store snapshot manifest ${manifest.snapshotId}`, error);
    }
  }

  /** Manifests of snapshots taken in [from, to), oldest first (all of them without a range). */
  async listManifests(org: string, range?: { from?: string; to?: string }): Promise<SnapshotManifest[]> {
    const { from, to } = keyRange(range);
    try {
      const items = await this.#queryAll({
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': `SNAP#${lc(org)}`, ':from': from, ':to': to },
      });
      this.usage.itemsRead += items.length;
      return items.map((i) => i.manifest as SnapshotManifest);
    } catch (error) {
      throw mapError(`list the snapshot manifests of ${org}`, error);
    }
  }

  /**
   * Stores audit events packed by UTC day. Idempotent: the same events make the same packs, and a
   * reader keeps each event once; writing only events not stored yet keeps the table small.
   */
  async putAuditEvents(org: string, events: readonly AuditEvent[]): Promise<void> {
    try {
      await this.#batchPut(
        [...packsByDay(events).values()].map((list) => ({
          pk: `AUDIT#${lc(org)}`,
          sk: packSk(list[0]?.at as string, list.map(auditSk)),
          events: JSON.stringify(list),
        })),
        'audit events',
      );
    } catch (error) {
      throw mapError(`store audit events of ${org}`, error);
    }
  }

  /** Puts items 25 to a BatchWriteItem, retrying what DynamoDB leaves unprocessed with backoff. */
  async #batchPut(items: Record<string, unknown>[], what: string): Promise<void> {
    for (let i = 0; i < items.length; i += 25) {
      let request: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]> = {
        [this.tableName]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })),
      };
      for (let attempt = 0; Object.keys(request).length > 0; attempt++) {
        if (attempt > 8) throw new StoreError(`DynamoDB kept returning unprocessed ${what}`);
        if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
        const sent = request[this.tableName]?.length ?? 0;
        const res = await this.#doc.send(
          new BatchWriteCommand({ RequestItems: request, ReturnConsumedCapacity: 'TOTAL' }),
        );
        request = (res.UnprocessedItems ?? {}) as typeof request;
        this.#count(sent - (request[this.tableName]?.length ?? 0), res.ConsumedCapacity);
      }
    }
  }

  /** Audit events with `at` in [from, to), oldest first, each once. */
  async listAuditEvents(org: string, range?: { from?: string; to?: string }): Promise<AuditEvent[]> {
    const { from, to } = keyRange(range);
    try {
      const items = await this.#queryAll({
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': `AUDIT#${lc(org)}`, ':from': packedFrom(from), ':to': to },
      });
      return unpack(
        items,
        (i) => i.event as AuditEvent,
        (i) => (typeof i.events === 'string' ? (JSON.parse(i.events) as AuditEvent[]) : null),
        auditSk,
        { from, to },
      );
    } catch (error) {
      throw mapError(`list the audit events of ${org}`, error);
    }
  }

  /** A small key-value record for cursors and watermarks. */
  async getCursor(org: string, name: string): Promise<string | null> {
    try {
      const res = await this.#doc.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { pk: `CURSOR#${lc(org)}`, sk: name },
          ConsistentRead: true,
        }),
      );
      return (res.Item?.value as string | undefined) ?? null;
    } catch (error) {
      throw mapError(`read cursor ${name}`, error);
    }
  }

  async deleteCursor(org: string, name: string): Promise<void> {
    try {
      const res = await this.#doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: `CURSOR#${lc(org)}`, sk: name },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      this.#count(1, res.ConsumedCapacity);
    } catch (error) {
      throw mapError(`delete cursor ${name}`, error);
    }
  }

  async putCursor(org: string, name: string, value: string): Promise<void> {
    try {
      const res = await this.#doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: `CURSOR#${lc(org)}`, sk: name, value },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      this.#count(1, res.ConsumedCapacity);
    } catch (error) {
      throw mapError(`write cursor ${name}`, error);
    }
  }

  /**
   * The head of the scope's hash chain: the record the chain-head item names. Not the last by
   * sort key, which reruns with the same `--now`, or backfills, would make ambiguous.
   */
  async latestReportRecord(org: string, scope: string): Promise<ReportRecord | null> {
    try {
      const head = await this.#doc.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { pk: `REPORTHEAD#${lc(org)}#${scope}`, sk: 'HEAD' },
          ConsistentRead: true,
        }),
      );
      const chainHash = head.Item?.chainHash as string | undefined;
      if (!chainHash) return null;
      const records = await this.#reportRecords(org, scope, true);
      const found = records.find((r) => r.chainHash === chainHash);
      if (!found) throw new StoreError(`the report chain of ${org}/${scope} names a head that is not stored`);
      return found;
    } catch (error) {
      throw mapError(`read the latest report of ${org}/${scope}`, error);
    }
  }

  /**
   * Every report of a scope in chain order (each after the one it links to), whatever their
   * issue times; records that link to nothing in the chain come last, for `checkChain` to name.
   */
  async listReportRecords(org: string, scope: string): Promise<ReportRecord[]> {
    try {
      const records = await this.#reportRecords(org, scope, false);
      const byPrevious = new Map<string | null, ReportRecord[]>();
      for (const r of records) {
        const list = byPrevious.get(r.previousChainHash) ?? [];
        list.push(r);
        byPrevious.set(r.previousChainHash, list);
      }
      const ordered: ReportRecord[] = [];
      const placed = new Set<ReportRecord>();
      let next = byPrevious.get(null)?.[0];
      while (next && !placed.has(next)) {
        ordered.push(next);
        placed.add(next);
        next = byPrevious.get(next.chainHash)?.[0];
      }
      return [...ordered, ...records.filter((r) => !placed.has(r))];
    } catch (error) {
      throw mapError(`list the reports of ${org}/${scope}`, error);
    }
  }

  async #reportRecords(org: string, scope: string, consistent: boolean): Promise<ReportRecord[]> {
    const items = await this.#queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `REPORT#${lc(org)}#${scope}` },
      ...(consistent ? { ConsistentRead: true } : {}),
    });
    return items.map((i) => i.record as ReportRecord);
  }

  /** The report record, and the chain head moved to it if it still names the record's predecessor. */
  #chainItems(record: ReportRecord): NonNullable<TransactWriteCommandInput['TransactItems']> {
    return [
      {
        Put: {
          TableName: this.tableName,
          Item: {
            pk: `REPORT#${lc(record.org)}#${record.scope}`,
            sk: `${record.issuedAt}#${record.reportId}`,
            record,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: {
            pk: `REPORTHEAD#${lc(record.org)}#${record.scope}`,
            sk: 'HEAD',
            chainHash: record.chainHash,
          },
          ...(record.previousChainHash === null
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: 'chainHash = :prev',
                ExpressionAttributeValues: { ':prev': record.previousChainHash },
              }),
        },
      },
    ];
  }

  /**
   * Appends a report to its scope's hash chain; fails if another report was appended since
   * `record.previousChainHash` was read (never two reports claiming the same predecessor).
   */
  async appendReportRecord(record: ReportRecord): Promise<void> {
    try {
      await this.#doc.send(
        new TransactWriteCommand({
          TransactItems: this.#chainItems(record),
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) {
        throw new ConcurrentUpdateError(
          `another report for ${record.org}/${record.scope} was issued at the same time; run the report again`,
          { cause: error },
        );
      }
      throw mapError(`record report ${record.reportId}`, error);
    }
  }

  /**
   * `appendReportRecord` and, in the same transaction, the record of the run that issued it. Says
   * `run-exists` (and writes nothing) when a run with this key already issued a report: a retry,
   * or a duplicate delivery, of the same scheduled invocation.
   */
  async appendReportRecordForRun(
    record: ReportRecord,
    invocationId: string,
  ): Promise<'appended' | 'run-exists'> {
    const run: ReportRunKey = {
      org: record.org,
      scope: record.scope,
      periodId: record.periodId,
      invocationId,
    };
    try {
      await this.#doc.send(
        new TransactWriteCommand({
          TransactItems: [
            ...this.#chainItems(record),
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  pk: reportRunPk(run),
                  sk: 'RUN',
                  record,
                  startedAt: new Date().toISOString(),
                  expiresAt: Math.floor(Date.now() / 1000) + REPORT_RUN_TTL_SECONDS,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
      return 'appended';
    } catch (error) {
      if (isConditionFailure(error, 2)) return 'run-exists';
      if (isConditionFailure(error)) {
        throw new ConcurrentUpdateError(
          `another report for ${record.org}/${record.scope} was issued at the same time; run the report again`,
          { cause: error },
        );
      }
      throw mapError(`record report ${record.reportId}`, error);
    }
  }

  /** The run of `key`, or null when no invocation with this key issued a report yet. */
  async getReportRun(key: ReportRunKey): Promise<ReportRun | null> {
    try {
      const res = await this.#doc.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { pk: reportRunPk(key), sk: 'RUN' },
          ConsistentRead: true,
        }),
      );
      const item = res.Item;
      if (!item) return null;
      return {
        record: item.record as ReportRecord,
        emailedAt: (item.emailedAt as string | undefined) ?? null,
        emailMessageId: (item.emailMessageId as string | undefined) ?? null,
        emailClaimedAt: (item.emailClaimedAt as string | undefined) ?? null,
      };
    } catch (error) {
      throw mapError(`read report run ${key.invocationId} of ${key.org}/${key.scope}`, error);
    }
  }

  /**
   * Takes the run's email on, so that one invocation only sends it: true when `claim` got it;
   * false when the email was sent, or another invocation claimed it after `staleBefore` (a claim
   * older than that is taken to be a crashed invocation's, and taken over).
   */
  async claimReportEmail(
    key: ReportRunKey,
    claim: { token: string; at: string; staleBefore: string },
  ): Promise<boolean> {
    try {
      await this.#doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: reportRunPk(key), sk: 'RUN' },
          UpdateExpression: 'SET emailClaim = :token, emailClaimedAt = :at',
          ConditionExpression:
            'attribute_exists(pk) AND attribute_not_exists(emailedAt) AND (attribute_not_exists(emailClaimedAt) OR emailClaimedAt < :stale)',
          ExpressionAttributeValues: { ':token': claim.token, ':at': claim.at, ':stale': claim.staleBefore },
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw mapError(`claim the email of report run ${key.invocationId}`, error);
    }
  }

  /**
   * Ends a claim: with SES's message id, records the email as sent; with null (sending failed),
   * gives the claim up so that a retry sends it. Only the claim's holder can. False when the claim
   * was no longer `token`'s.
   */
  async settleReportEmail(
    key: ReportRunKey,
    token: string,
    sent: { messageId: string; at: string } | null,
  ): Promise<boolean> {
    try {
      await this.#doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: reportRunPk(key), sk: 'RUN' },
          ...(sent
            ? {
                UpdateExpression: 'SET emailedAt = :at, emailMessageId = :id REMOVE emailClaim',
                ExpressionAttributeValues: { ':token': token, ':at': sent.at, ':id': sent.messageId },
              }
            : {
                UpdateExpression: 'REMOVE emailClaim, emailClaimedAt',
                ExpressionAttributeValues: { ':token': token },
              }),
          ConditionExpression: 'emailClaim = :token',
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw mapError(`record the email of report run ${key.invocationId}`, error);
    }
  }
}
