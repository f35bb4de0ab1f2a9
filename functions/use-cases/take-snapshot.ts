import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import pLimit from 'p-limit';
import PQueue from 'p-queue';
import { observeAlert } from '../core/diff.ts';
import { InvalidAlertError } from '../core/errors.ts';
import { groupBy } from '../core/group-by.ts';
import {
  type Alert,
  type AlertType,
  type AuditEvent,
  alertKey,
  emptyOpenCounts,
  type SnapshotManifest,
  type StreamResult,
} from '../core/model.ts';
import { type NormalizeOptions, normalizeAlert } from '../core/normalize.ts';
import { earlierAuditId, normalizeAuditEvent } from '../core/normalize-audit.ts';
import { checkOrganisation } from '../github/alerts.ts';
import { type GitHubClient, REQUEST_CONCURRENCY, reservePace } from '../github/client.ts';
import {
  GitHubAuthError,
  GitHubError,
  GitHubFeatureUnavailableError,
  GitHubPermissionError,
  GitHubRateLimitError,
} from '../github/errors.ts';
import {
  alertLanes,
  auditLogLane,
  fetchPage,
  type Lane,
  PARTITIONED_LISTINGS,
  type Page,
  pageUrl,
  partitionOf,
  partitionsOf,
  type Scope,
} from '../github/pages.ts';
import {
  type Aggregates,
  type AlertWrite,
  alertDigest,
  chunkAlertWrites,
  type DynamoStore,
  type SnapshotCheckpoint,
  type SnapView,
  type StoredAlert,
  type StoredAlertDigest,
} from '../store/dynamo-store.ts';
import { ConcurrentUpdateError } from '../store/errors.ts';
import type { Log } from './log.ts';
import { provisionalKey, settleListed, settleProvisionalChanges } from './settle-provisional.ts';
import { type End, TwoEnds, type TwoEndsOptions } from './two-ends.ts';

export interface SnapshotDeps {
  gh: GitHubClient;
  store: DynamoStore;
  log: Log;
  /** Called after each page, for progress on a terminal. */
  onProgress?: (p: { stream: string; pages: number; items: number }) => void;
  normalize?: NormalizeOptions;
  /** Parallel alert writes per page; well under DynamoDB's and the table's limits. */
  writeConcurrency?: number;
  /** Wall clock, for the time limit (tests replace it). */
  clock?: () => number;
  /** False for GHES before 3.18, which does not know `hide_secret` (the secret is dropped anyway). */
  hideSecret?: boolean;
  /** Pages asked for at once (default LIST_CONCURRENCY); the client bounds what is on the wire. */
  listConcurrency?: number;
  /** A full run splits a listing by state once its last full run listed this many (default PARTITION_ABOVE). */
  partitionAbove?: number;
  /**
   * Requests the GitHub client keeps on the wire at once (default REQUEST_CONCURRENCY): how long
   * a full run takes at best, against which a listing's two ends are measured.
   */
  wireConcurrency?: number;
}

export interface SnapshotRequest {
  org: string;
  /** The instant the snapshot describes. */
  now: Date;
  mode: 'incremental' | 'full';
  snapshotId?: string;
  /** Wall-clock instant (ms) by which the run must have saved its checkpoint and returned. */
  deadline?: number;
}

/**
 * A snapshot through the enterprise-level lists (token auth only): one listing covers every
 * organisation, and each alert is stored under its own organisation.
 */
export interface EnterpriseSnapshotRequest {
  enterprise: string;
  /** Record only these organisations (default: every one the lists return). */
  orgs?: string[];
  /** The instant the snapshot describes. */
  now: Date;
  mode: 'incremental' | 'full';
  snapshotId?: string;
  /** Wall-clock instant (ms) by which the run must have saved its checkpoint and returned. */
  deadline?: number;
}

/** Overlap kept below an incremental watermark, for clock skew between GitHub and us. */
export const WATERMARK_OVERLAP_MS = 60 * 60 * 1000;
/** Time kept in hand before the deadline to save the checkpoint and the manifest. */
const DEADLINE_MARGIN_MS = 20_000;
/** At most this long is spent settling provisional webhook changes before listing. */
const SETTLE_BUDGET_MS = 30_000;
/** How often a running lane saves its cursor: resuming repeats at most this much work. */
const CHECKPOINT_EVERY_MS = 2_000;
const MAX_NAMED_SKIPS = 50;
/**
 * Pages asked for at once, over all lanes. The GitHub client keeps fewer on the wire
 * (REQUEST_CONCURRENCY); asking for more lets the next request wait there, ready to go the moment
 * a place frees, while the client's plugins do their part outside the bound.
 */
export const LIST_CONCURRENCY = 10;
/**
 * Full runs split a listing (PARTITIONED_LISTINGS) once the last full run listed this many of its
 * alerts: by state, each partition listed from both ends (two cursor chains), plus a closing
 * sweep. A single chain of 500 pages took 25 s at 50 ms a page while the others had finished.
 * Splitting costs a partial page per partition (and the sweep's page when a stored alert went
 * unlisted), so small listings stay whole.
 */
export const PARTITION_ABOVE = 5_000;
/**
 * Listed alerts that may wait in memory for the stored fingerprints at the start of a full run
 * (see `writeListed`): about 60 MB of normalised alerts, five seconds of listing at full speed.
 */
const WAITING_ALERTS_MAX = 60_000;
/** Alerts marked "no longer reported" at once at the end of a full run. */
const MARK_CONCURRENCY = 8;
/** After this many invocations a snapshot that still has not finished is closed as incomplete. */
const MAX_INVOCATIONS = 12;

const laneStatesDone = (cp: SnapshotCheckpoint): boolean => Object.values(cp.lanes).every((l) => l.done);
/** Nothing skipped: no page that was not JSON, no item without the fields the model needs. */
const clean = (s: SnapshotCheckpoint['lanes'][string]): boolean => s.skippedPages === 0 && s.skipped === 0;

type LaneState = SnapshotCheckpoint['lanes'][string];

/**
 * Takes one snapshot of an organisation, or resumes the one a previous invocation left.
 *
 * Incremental runs list each stream newest-update-first and stop at the stored watermark, read
 * the stored state of just those alerts, and write only what changed: state and transitions in
 * one conditional transaction. Full runs list everything and mark alerts GitHub no longer lists
 * as "no longer reported" (never fixed). Cursors are checkpointed as pages go, so a run cut off
 * by the Lambda time limit or a rate limit resumes where it stopped; a snapshot is complete only
 * when every stream finished, and the manifest's open-alert aggregates are exact either way.
 *
 * @example
 * const manifest = await takeSnapshot({ gh, store, log }, { org: 'octo', now: new Date(), mode: 'full' });
 */
export async function takeSnapshot(deps: SnapshotDeps, request: SnapshotRequest): Promise<SnapshotManifest> {
  const scope: Scope = { kind: 'org', org: request.org };
  let [manifest] = await runSnapshot(deps, scope, request, [request.org]);
  if (manifest?.complete && manifest.mode !== request.mode) {
    // The run finished a paused snapshot of the other kind first; now take the one asked for
    // (a scheduled full reconciliation must not be lost to a resumed incremental run).
    [manifest] = await runSnapshot(deps, scope, request, [request.org]);
  }
  if (!manifest) throw new Error(`snapshot of ${request.org} produced no manifest`);
  return manifest;
}

/**
 * Takes (or resumes) an enterprise-wide snapshot; returns one manifest per organisation.
 *
 * @example
 * const manifests = await takeEnterpriseSnapshot(deps, { enterprise: 'octo-corp', now: new Date(), mode: 'incremental' });
 */
export async function takeEnterpriseSnapshot(
  deps: SnapshotDeps,
  request: EnterpriseSnapshotRequest,
): Promise<SnapshotManifest[]> {
  return await runSnapshot(
    deps,
    { kind: 'enterprise', enterprise: request.enterprise },
    request,
    request.orgs ?? null,
  );
}

/** GitHub logins are case-insensitive: organisations are keyed in lower case. */
const orgOf = (repository: string): string => (repository.split('/')[0] ?? repository).toLowerCase();

async function runSnapshot(
  deps: SnapshotDeps,
  scope: Scope,
  request: Omit<SnapshotRequest, 'org'>,
  /** Organisations to record; null: every organisation the lists return. */
  onlyOrgs: string[] | null,
): Promise<SnapshotManifest[]> {
  const { gh, store, log } = deps;
  const clock = deps.clock ?? Date.now;
  // Checkpoints and watermarks belong to what is listed: an organisation or an enterprise.
  const key = scope.kind === 'org' ? scope.org : `enterprise:${scope.enterprise}`;
  const label = scope.kind === 'org' ? scope.org : `enterprise ${scope.enterprise}`;
  const deadline = request.deadline ?? clock() + 14 * 60_000;
  const usageAtStart = { ...store.usage };

  const existing = await store.getCheckpoint(key);
  if (existing && existing.leaseUntil > clock()) {
    throw new ConcurrentUpdateError(
      `snapshot ${existing.snapshotId} of ${label} is running until ${new Date(existing.leaseUntil).toISOString()}; try again after it`,
    );
  }
  const resumed = existing !== null;
  // A run that paused on purpose released its lease; one that still held it was cut off between
  // an alert write and a checkpoint save, so its aggregate movement and the keys it listed are
  // lost: this invocation and every later one of the snapshot recount, and reconcile nothing.
  const dirty = existing !== null && (existing.leaseUntil !== 0 || existing.recount === true);
  const hideSecret = deps.hideSecret ?? true;
  // The organisations this snapshot records: a resumed one keeps those it began with.
  const asked = onlyOrgs ? [...new Set(onlyOrgs.map((o) => o.toLowerCase()))].sort() : null;
  const runOrgs = existing && existing.orgs !== undefined ? existing.orgs : asked;
  const keep = runOrgs ? new Set(runOrgs) : null;
  // An enterprise run's watermarks are the enterprise's: an organisation added to its `orgs` since
  // they were written would get only what changed since then, alerts and audit events. Its first
  // run lists the enterprise whole instead, and reads the audit log back to the start for it alone.
  // Each watermark is written with the organisations it covers (`covers#<listing>`): one named
  // after a run without it, or snapshotted on its own before, is not covered, whatever it has
  // stored. An alert listing's watermark that does not cover it makes the run a full one; the
  // audit log's only has the log read back for it (an audit log GitHub refuses then widens
  // nothing). Watermarks of an earlier version, which say nothing, leave it to whether the
  // organisation has aggregates.
  const listingGroups = alertLanes(scope, { hideSecret }).map((l) => l.group);
  const coverage =
    scope.kind === 'enterprise' ? await readCoverage(store, key, [...listingGroups, 'audit_log']) : null;
  const alertCoverage = coverage && new Map([...coverage].filter(([group]) => group !== 'audit_log'));
  const auditCoverage = coverage && new Map([...coverage].filter(([group]) => group === 'audit_log'));
  const uncovered =
    scope.kind === 'enterprise' && runOrgs && existing === null
      ? await Promise.all(
          runOrgs.map(async (org) => {
            const covered = alertCoverage ? coveredBy(alertCoverage, org) : null;
            const widen = covered === false || (covered === null && !(await store.getAggregates(org)));
            const readBack = widen || (auditCoverage !== null && coveredBy(auditCoverage, org) === false);
            return { org, widen, readBack };
          }),
        )
      : [];
  // Without `orgs`: the organisations the alert watermarks cover that the audit log's does not.
  const auditBehind =
    scope.kind === 'enterprise' && !runOrgs && existing === null && alertCoverage && auditCoverage
      ? [...new Set([...alertCoverage.values()].flatMap((c) => [...(c.covers ?? [])]))].filter(
          (org) => coveredBy(auditCoverage, org) === false,
        )
      : [];
  /** Organisations whose audit log is read back to the start (see `newcomer` below). */
  const newcomers = existing?.newcomers ?? [
    ...uncovered.filter((u) => u.readBack).map((u) => u.org),
    ...auditBehind,
  ];
  const widened = uncovered.filter((u) => u.widen).map((u) => u.org);
  const mode = existing?.mode ?? (widened.length > 0 ? 'full' : request.mode);
  if (!existing && mode !== request.mode) {
    log.info('snapshot widened to a full run: first snapshot of organisations in this enterprise', {
      org: scope.kind === 'org' ? scope.org : `enterprise:${scope.enterprise}`,
      organisations: widened,
    });
  }
  // A full run reads, at once, each listing's and each partition's length at the last full run:
  // whether to split a listing, when a partition's two ends have asked for enough pages, and
  // which chains to serve first.
  const sizeOf = new Map<string, number>();
  if (mode === 'full') {
    const ids = new Set([...listingGroups, ...PARTITIONED_LISTINGS.flatMap(partitionsOf)]);
    await Promise.all(
      [...ids].map(async (id) => {
        const size = Number((await store.getCursor(key, `size#${id}`)) ?? Number.NaN);
        if (Number.isFinite(size) && size >= 0) sizeOf.set(id, size);
      }),
    );
  }
  // A resumed run keeps the lanes it began with; a new full run lists what was long last time
  // from both ends, and splits it by state too only when its two ends (half its pages each)
  // would take longer than half the whole run at best (all pages over the requests on the wire
  // at once), that is when it has more pages than that best run has rounds. Each partition
  // ends on a partial page, a request more; but a chain has one page on the way at a time, and
  // at 50 ms pages its step is about twice the latency (the collector's turn on each page), so
  // a long chain sets the run's length: a code scanning listing of 350 pages from two ends made
  // the 100,000-alert run 17-20 s instead of 14.
  const partition = new Set<string>();
  const byState = new Set<string>();
  const pagesOf = (size: number | undefined) => Math.ceil((size ?? 0) / 100);
  const runRounds =
    listingGroups.reduce((n, group) => n + pagesOf(sizeOf.get(group)), 0) /
    (deps.wireConcurrency ?? REQUEST_CONCURRENCY);
  for (const group of mode === 'full' ? PARTITIONED_LISTINGS : []) {
    const split = existing
      ? existing.lanes[`${group}:moved`] !== undefined
      : (sizeOf.get(group) ?? 0) >= (deps.partitionAbove ?? PARTITION_ABOVE);
    if (!split) continue;
    partition.add(group);
    const states = partitionsOf(group);
    const splitByState = existing
      ? states.some((id) => existing.lanes[id] !== undefined && id !== group)
      : states.length > 1 && pagesOf(sizeOf.get(group)) > runRounds;
    if (splitByState) byState.add(group);
  }
  const lanes: Lane[] = [
    ...alertLanes(scope, {
      hideSecret,
      order: mode === 'full' ? 'created' : 'updated',
      partition,
      byState,
    }),
  ];
  const cp: SnapshotCheckpoint = existing ?? {
    org: key,
    snapshotId: request.snapshotId ?? randomUUID(),
    mode,
    takenAt: request.now.toISOString(),
    startedAt: new Date(clock()).toISOString(),
    leaseUntil: 0,
    leaseOwner: '',
    lanes: {},
    delta: {},
    counters: { alertsWritten: 0, transitionsWritten: 0, auditEventsWritten: 0, invocations: 0 },
    perOrg: {},
    skippedItems: [],
    // The store's clock (the claims' times are the machine's), not `clock`, which tests may move.
    claimsSince: Date.now(),
    ...(newcomers.length > 0 ? { newcomers } : {}),
    ...(scope.kind === 'enterprise' ? { orgs: runOrgs } : {}),
  };
  const ctx = { org: key, snapshotId: cp.snapshotId, mode: cp.mode };
  const perOrg = (org: string) => {
    cp.perOrg[org] ??= { seen: 0, written: 0, transitions: 0, auditEvents: 0 };
    return cp.perOrg[org];
  };
  for (const org of runOrgs ?? []) perOrg(org);
  if (dirty) {
    cp.recount = true;
    if (cp.mode === 'full') cp.seenSaved = false;
  }
  /** Whether another snapshot moved `org` while this one was under way (see `movedByOthers`). */
  const movedByOthers = (org: string): boolean => cp.movedByOthers?.includes(org) ?? false;
  const takenAt = cp.takenAt;
  cp.counters.invocations += 1;
  cp.leaseUntil = deadline;
  cp.leaseOwner = randomUUID();
  let requests = 0;

  // An organisation's snapshot views and aggregates move under one snapshot at a time: this
  // one takes each organisation before it writes there (an organisation run at its start).
  const owner = `${key}/${cp.snapshotId}`;
  const claims = new Map<string, Promise<void>>();
  const claimOrg = (org: string, beforeListing = false): Promise<void> => {
    let claim = claims.get(org);
    if (!claim) {
      claim = store
        .claimOrganisation(org, { owner, label, snapshotId: cp.snapshotId, until: deadline })
        .then(({ previous }) => {
          const before = cp.claimed ?? [];
          const again = before.includes(org);
          if (!again) cp.claimed = [...before, org];
          // Another snapshot took it since this one's last claim, or had it while this one was
          // under way: it gave it back after this snapshot began, or it still holds it unfinished,
          // paused or cut off (its views moved, its aggregates not yet). The movement carried here
          // may be in the aggregates already or miss theirs, and what it wrote may be alerts this
          // run's listing had passed. Recount, and do not reconcile. Not when a new full run takes
          // its organisation before listing anything: it recounts from its own listing, over
          // fingerprints read after this claim.
          const activeUntil = previous?.releasedAt ?? Number.POSITIVE_INFINITY;
          const foreign = again
            ? previous?.owner !== owner
            : previous !== null && previous.owner !== owner && activeUntil >= (cp.claimsSince ?? 0);
          const fresh = beforeListing && !resumed && cp.mode === 'full';
          if (foreign && !fresh && !movedByOthers(org)) {
            cp.movedByOthers = [...(cp.movedByOthers ?? []), org];
          }
        });
      claims.set(org, claim);
    }
    return claim;
  };
  const releaseClaims = () =>
    Promise.all((cp.claimed ?? []).map((org) => store.releaseOrganisation(org, owner)));

  // Each listing's watermark, read once: whether the organisation was listed before, whether this
  // run lists from a watermark, and where each incremental lane stops.
  const watermarks = new Map(
    await Promise.all(
      listingGroups.map(async (group) => [group, await store.getCursor(key, `watermark#${group}`)] as const),
    ),
  );
  /** Whether the alert listings read from a watermark (every run of a scope after its first). */
  const hadWatermark = [...watermarks.values()].some((watermark) => watermark !== null);
  if (!resumed) {
    // Fails fast (bad token, unknown org) before anything is written. A run on an organisation
    // a snapshot has listed before learns the same from its first list requests (a list that
    // cannot find the organisation is checked again below).
    if (scope.kind === 'org' && !hadWatermark) {
      await checkOrganisation(gh, scope.org);
      requests += 1;
    }
    log.info('snapshot started', { ...ctx, takenAt });
  } else {
    log.info('snapshot resumed', { ...ctx, takenAt, invocation: cp.counters.invocations });
  }
  if (scope.kind === 'org') await claimOrg(scope.org, true);
  // A resumed snapshot takes back, before it trusts the keys it saved, every organisation it held:
  // whichever another snapshot moved meanwhile is known before anything is listed.
  if (resumed) await Promise.all((cp.claimed ?? []).map((org) => claimOrg(org)));
  await store.putCheckpoint(cp, true);
  // Webhook changes dated by their arrival are checked against GitHub before anything is listed,
  // so that a listing (and a full run's fingerprints) meets the settled alert.
  // An enterprise run settles the organisations it records: those named, else those its
  // watermarks cover (another organisation's changes are its own snapshot's, with its own token).
  const settleOrgs =
    scope.kind === 'org'
      ? [scope.org]
      : (runOrgs ?? [...new Set([...(alertCoverage?.values() ?? [])].flatMap((c) => [...(c.covers ?? [])]))]);
  const provisional = await settleProvisionalChanges(
    { gh, store, log, hideSecret, clock, ...(deps.normalize ? { normalize: deps.normalize } : {}) },
    settleOrgs,
    ctx,
    takenAt,
    Math.min(deadline - DEADLINE_MARGIN_MS, clock() + SETTLE_BUDGET_MS),
  );
  requests += provisional.requests;
  /** Provisional changes left unsettled: a listing that meets their alert settles them. */
  const unsettled = new Map(provisional.left.map((p) => [provisionalKey(p.org, p.key), p]));
  /** Of those, the ones nobody could check (see SettleResult.unchecked). */
  const unchecked = new Set(provisional.unchecked.map((p) => provisionalKey(p.org, p.key)));

  const auditWatermark = await store.getCursor(key, 'watermark#audit_log');
  const newcomer = new Set(newcomers);
  lanes.push(
    auditLogLane(
      scope,
      auditWatermark && newcomer.size === 0
        ? new Date(Date.parse(auditWatermark) - WATERMARK_OVERLAP_MS).toISOString()
        : null,
    ),
  );
  // A checkpoint left by another version may name lanes this one does not run.
  for (const id of Object.keys(cp.lanes)) if (!lanes.some((l) => l.id === id)) delete cp.lanes[id];
  for (const lane of lanes) {
    cp.lanes[lane.id] ??= {
      next: null,
      done: false,
      pages: 0,
      items: 0,
      skipped: 0,
      skippedPages: 0,
      status: 'running',
    };
  }

  // The two ends of each partition a full run lists from both sides, with the partition's length
  // as the estimate: the ends stop asking once their pages cover it.
  const pairs = new Map<string, TwoEnds>();
  for (const lane of lanes) {
    if (!lane.pair || pairs.has(lane.pair.id)) continue;
    const id = lane.pair.id;
    const resumedEnds: NonNullable<TwoEndsOptions['resumed']> = {};
    for (const l of lanes) {
      const st = cp.lanes[l.id];
      if (l.pair?.id === id && st) resumedEnds[l.pair.end] = { pages: st.pages, edge: st.edge };
    }
    pairs.set(id, new TwoEnds({ estimate: sizeOf.get(id) ?? null, resumed: resumedEnds }));
  }
  /** Both ends of a partition are finished once they crossed, or one reached the end. */
  const finishPair = (id: string) => {
    for (const l of lanes) {
      const st = cp.lanes[l.id];
      if (l.pair?.id !== id || !st) continue;
      st.done = true;
      st.status = 'finished';
      delete st.message;
    }
  };
  for (const [id, pair] of pairs) if (pair.complete) finishPair(id);

  // Full runs collect every listed key; after a resume that set is partial, so no reconciliation.
  // A resumed full run gets back the keys listed before the pause, when they were saved.
  const seen =
    cp.mode !== 'full'
      ? null
      : !resumed
        ? new Set<string>()
        : cp.seenSaved && !dirty
          ? await store.loadSeenKeys(key, cp.snapshotId)
          : null;
  // An uninterrupted full run counts the aggregates from what it lists, and reads every stored
  // alert's fingerprint while the first pages come: a listed alert whose fingerprint matches needs
  // no read, and the keys serve the no-longer-reported check at the end.
  const uninterrupted = seen !== null && !resumed;
  // What this run listed of each alert, by key: a sweep that lists a moved alert again replaces it.
  const listed: Map<string, SnapView> | null = uninterrupted ? new Map() : null;
  // Alerts per partition of each splittable listing: the next full run's estimates (see TwoEnds).
  const sizes: Map<string, number> | null = uninterrupted ? new Map() : null;
  const startDigests = uninterrupted && scope.kind === 'org' ? store.listAlertDigests(scope.org) : null;
  let digestsRead: Map<string, StoredAlertDigest> | null = null;
  let digestsFailed = false;
  const known = () => (digestsRead && scope.kind === 'org' ? { org: scope.org, digests: digestsRead } : null);
  startDigests?.then(
    (d) => {
      digestsRead = d;
    },
    () => {
      digestsFailed = true;
    },
  );
  // Pages listed before the fingerprints arrive wait for them in memory, unwritten, while the
  // listing goes on: reading their alerts by key would have the listing wait for a DynamoDB busy
  // reading the fingerprints. No checkpoint is saved while a page waits, so a saved cursor never
  // passes an unwritten page. Past WAITING_ALERTS_MAX alerts, the listing waits instead.
  let waiting: Alert[][] = [];
  let waitingAlerts = 0;
  let flushing: Promise<void> | null = null;
  /** Whether every page that waited has been written (false while a flush runs, or after it failed). */
  let flushed = true;
  const flushWaiting = (): Promise<void> => {
    if (flushing) return flushing;
    flushed = false;
    flushing = (async () => {
      await startDigests?.catch(() => null);
      const pages = waiting;
      waiting = [];
      waitingAlerts = 0;
      const pageLimit = pLimit(4);
      await Promise.all(
        pages.map((alerts) =>
          pageLimit(() => writePage(store, alerts, cp, limit, listed, known(), claimOrg)),
        ),
      );
      flushed = true;
    })();
    return flushing;
  };
  const writeListed = async (alerts: Alert[]): Promise<void> => {
    if (unsettled.size > 0) await settleListed(store, log, ctx, unsettled, alerts, takenAt);
    if (startDigests && digestsRead === null && !digestsFailed) {
      if (waitingAlerts + alerts.length <= WAITING_ALERTS_MAX) {
        waiting.push(alerts);
        waitingAlerts += alerts.length;
        return;
      }
      await flushWaiting();
    }
    await writePage(store, alerts, cp, limit, listed, known(), claimOrg);
  };
  const auditSince = auditWatermark ? Date.parse(auditWatermark) - WATERMARK_OVERLAP_MS : null;
  // The audit events stored from the overlap on, by id, per organisation, read once when needed.
  const auditIds = new Map<string, Promise<Map<string, AuditEvent>>>();
  const storedAuditIds = (org: string): Promise<Map<string, AuditEvent>> => {
    let ids = auditIds.get(org);
    if (!ids) {
      ids =
        auditSince === null
          ? Promise.resolve(new Map<string, AuditEvent>())
          : store
              .listAuditEvents(org, { from: new Date(auditSince).toISOString() })
              .then((events) => new Map(events.map((e) => [e.id, e])));
      auditIds.set(org, ids);
    }
    return ids;
  };
  let lastSave = clock();
  // The newest audit event stored, across the snapshot's invocations: the lane may finish in one
  // and the snapshot in a later one, which writes the watermark.
  let auditMax = Math.max(auditWatermark ? Date.parse(auditWatermark) : 0, cp.auditMax ?? 0);
  const saveCheckpoint = async (force: boolean) => {
    // Incremental runs carry their aggregate movement in the checkpoint: save it every page.
    // Full runs recount the aggregates at the end, so saving the cursors now and then is enough.
    if (!force && cp.mode === 'full' && clock() - lastSave < CHECKPOINT_EVERY_MS) return;
    // Held pages, or held pages still being written: their lanes' cursors are already past them.
    if (waiting.length > 0 || !flushed) {
      if (!force) return;
      await flushWaiting();
    }
    lastSave = clock();
    await store.putCheckpoint(cp, false);
  };
  const limit = pLimit(deps.writeConcurrency ?? 8);
  // Pages asked for at once, the longest chain first: a cursor chain has one page on the way at a
  // time, so the chains with the most pages left set how long the run takes, and the short ones
  // fill the places they leave.
  const listQueue = new PQueue({ concurrency: deps.listConcurrency ?? LIST_CONCURRENCY });
  const pagesLeft = (lane: Lane, state: LaneState, pair: TwoEnds | undefined): number => {
    if (pair) return pair.remainingPerEnd() ?? 0;
    const size = lane.sweep ? undefined : sizeOf.get(lane.group);
    return size === undefined ? 0 : Math.max(0, Math.ceil(size / 100) - state.pages);
  };
  // A sweep lists what changed since shortly before the run began (the snapshot's instant, or the
  // clock's when that is earlier), the watermark overlap allowing for clock skew.
  const sweepSince = Math.min(Date.parse(takenAt), Date.parse(cp.startedAt)) - WATERMARK_OVERLAP_MS;

  // Set when a lane meets an unexpected error: the other lanes stop at their next page.
  let aborted = false;
  const runLane = async (lane: Lane): Promise<void> => {
    const state = cp.lanes[lane.id] as LaneState;
    const pair = lane.pair ? pairs.get(lane.pair.id) : undefined;
    const end = lane.pair?.end ?? 'oldest';
    try {
      if (!state.done) await listLane(lane, state, pair, end);
    } finally {
      // Whatever stopped this end, the other one finishes the partition alone.
      pair?.stop(end);
    }
  };
  const listLane = async (lane: Lane, state: LaneState, pair: TwoEnds | undefined, end: End) => {
    state.status = 'running';
    const watermark =
      cp.mode === 'incremental' && lane.stream !== 'audit_log' ? (watermarks.get(lane.group) ?? null) : null;
    const since = lane.sweep ? sweepSince : watermark ? Date.parse(watermark) - WATERMARK_OVERLAP_MS : null;
    // Without a watermark every page is wanted: ask for the next while this one is written.
    const prefetch = since === null && lane.stream !== 'audit_log';
    /** A page asked for: its URL, its answer, and (once its headers came) the next page's URL. */
    interface Ask {
      url: string | null;
      pending: Promise<Page | null>;
      next?: string | null;
      /** The next page, asked for as soon as this one's headers came. */
      ahead?: Ask;
    }
    /** The page the loop waits for next (or is about to). */
    let current: Ask | null = null;
    const ask = (url: string | null): Ask => {
      pair?.asked(end);
      const priority = pagesLeft(lane, state, pair);
      const a: Ask = { url, pending: Promise.resolve(null) };
      const onNext = prefetch
        ? (next: string | null) => {
            if (a.next !== undefined) return; // a body fetched again: its headers come twice
            a.next = next;
            if (a === current) askAhead(a);
          }
        : undefined;
      // Its place under the endpoint's pace first (GitHub's limit per endpoint and minute): a
      // page held back by its listing's pace waits here, not in the queue, where it would keep
      // the other listings' pages waiting too.
      a.pending = reservePace(gh, 'GET', pageUrl(gh, lane, url)).then((place) =>
        listQueue
          .add(
            (): Promise<Page | null> => {
              // The other end finished the partition while this request waited its turn: never sent.
              if (pair?.complete) return Promise.resolve(null);
              requests += 1;
              return fetchPage(gh, lane, url, `list ${lane.id} of ${label}`, priority, onNext);
            },
            { priority },
          )
          .finally(() => place?.dropped()),
      );
      a.pending.catch(() => {});
      return a;
    };
    // A cursor chain has one page on the way at a time, and the next page's URL is in the Link
    // header: asking for it when the headers come, not once the body has arrived and the event
    // loop has got round to the page, keeps the long chains' next requests waiting for the wire
    // (where the longest go first) instead of behind other pages' work. One page ahead at most.
    const askAhead = (a: Ask): void => {
      if (a.ahead || !a.next || aborted || state.done || (pair && !pair.mayAsk(end))) return;
      a.ahead = ask(a.next);
    };
    try {
      while (!state.done) {
        if (aborted) return;
        if (clock() > deadline - DEADLINE_MARGIN_MS) {
          state.message = 'stopped at the time limit; the next run resumes here';
          return;
        }
        if (!current) {
          if (pair && !pair.mayAsk(end)) {
            // The pages asked for cover the partition: wait for them, or for the other end to stop.
            if (pair.complete) break;
            await pair.changed();
            continue;
          }
          current = ask(state.next);
        }
        const asked: Ask = current;
        const page = await asked.pending;
        current = null;
        if (page === null || state.done) {
          // The other end finished the partition while this page was on its way: not needed.
          pair?.answered(end, null);
          if (asked.ahead) pair?.answered(end, null);
          break;
        }
        if (asked.ahead && asked.ahead.url === page.next) {
          current = asked.ahead;
        } else {
          // Asked ahead for a page the answer no longer leads to (its body was fetched again and
          // ended elsewhere): dropped.
          if (asked.ahead) pair?.answered(end, null);
          if (prefetch && page.next !== null && (!pair || pair.mayAsk(end))) current = ask(page.next);
        }
        // Its headers may have come already.
        if (current && current.next !== undefined) askAhead(current);
        state.pages += 1;
        let reachedWatermark = false;
        /** Creation time of the page's last alert, in listing order: how far a listed end reached. */
        let edge: string | null = null;
        if (page.items === null) {
          state.skippedPages += 1;
          log.warn('page skipped: invalid body', {
            ...ctx,
            lane: lane.id,
            page: state.pages,
            reason: page.invalid,
          });
        } else if (lane.stream === 'audit_log') {
          const events = collectAuditEvents(page.items, scope, takenAt, state, cp, log, ctx);
          const byOrg = new Map<string, [AuditEvent, string | null][]>();
          for (const [org, e, earlier] of events) {
            // The audit log only grows: what is older than the watermark was stored before, but for
            // an organisation listed for the first time (then the lane reads on to the start).
            if (auditSince !== null && Date.parse(e.at) < auditSince && !newcomer.has(org)) {
              if (newcomer.size === 0) reachedWatermark = true;
              continue;
            }
            if (keep && !keep.has(org)) continue;
            byOrg.set(org, [...(byOrg.get(org) ?? []), [e, earlier]]);
            auditMax = Math.max(auditMax, Date.parse(e.at));
          }
          cp.auditMax = auditMax;
          for (const [org, all] of byOrg) {
            state.items += all.length;
            // The overlap lists again what the last run stored: write only what is new.
            const stored = await storedAuditIds(org);
            // Stored by an earlier version under the id it gave (earlierAuditId), which events of one
            // bulk action shared: the same event only if it says the same.
            const list = all
              .filter(
                ([e, earlier]) =>
                  !stored.has(e.id) && !(earlier !== null && sameEvent(stored.get(earlier), e)),
              )
              .map(([e]) => e);
            for (const e of list) stored.set(e.id, e);
            if (list.length === 0) continue;
            await store.putAuditEvents(org, list);
            perOrg(org).auditEvents += list.length;
            cp.counters.auditEventsWritten += list.length;
          }
        } else {
          const alerts: Alert[] = [];
          /** The partition each of `alerts` belongs to, by the state GitHub gave. */
          const partitions: string[] = [];
          for (const raw of page.items) {
            const alert = normalizeOrSkip(lane.stream as AlertType, raw, deps.normalize, state, cp, log, ctx);
            if (!alert) continue;
            edge = alert.createdAt;
            // An estimated date (GitHub gave no updated_at) is no reason to stop: let the diff decide.
            if (since !== null && !alert.updatedAtEstimated && Date.parse(alert.updatedAt) < since) {
              reachedWatermark = true;
              continue;
            }
            if (keep && !keep.has(orgOf(alert.repository))) continue;
            alerts.push(alert);
            partitions.push(partitionOf(lane.group, (raw as { state?: unknown }).state));
          }
          for (const [i, a] of alerts.entries()) {
            const k = alertKey(a);
            // Listed again where a partition's two ends meet, or by a sweep: one alert, counted once.
            if (seen?.has(k)) continue;
            seen?.add(k);
            state.items += 1;
            perOrg(orgOf(a.repository)).seen += 1;
            const part = partitions[i] as string;
            if (sizes && !lane.sweep) sizes.set(part, (sizes.get(part) ?? 0) + 1);
          }
          await writeListed(alerts);
        }
        state.next = page.next;
        if (page.next === null || reachedWatermark) {
          state.done = true;
          state.status = 'finished';
        }
        if (pair && lane.pair) {
          if (edge !== null) state.edge = edge;
          if (pair.answered(end, { edge, last: page.next === null })) finishPair(lane.pair.id);
        }
        deps.onProgress?.({ stream: lane.id, pages: state.pages, items: state.items });
        await saveCheckpoint(state.done);
      }
    } catch (error) {
      // A request the other end made unnecessary: whatever became of it no longer matters.
      if (pair?.complete && error instanceof GitHubError) return;
      if (error instanceof GitHubFeatureUnavailableError && state.pages === 0) {
        state.done = true;
        state.status = 'unavailable';
        state.message = error.message;
        log.warn('stream unavailable: coverage gap', { ...ctx, lane: lane.id, reason: error.message });
      } else if (error instanceof GitHubRateLimitError) {
        state.status = 'running';
        state.message = error.message;
        log.warn('stream stopped by a rate limit: the next run resumes it', {
          ...ctx,
          lane: lane.id,
          reason: error.message,
        });
      } else if (
        error instanceof GitHubError &&
        !(error instanceof GitHubAuthError || error instanceof GitHubPermissionError)
      ) {
        // 5xx after retries, a 403/404 in the middle of a listing, anything else GitHub said:
        // the lane is incomplete and resumes from its cursor next time. A request GitHub refuses
        // as malformed (400, 422: a parameter or a cursor it does not accept) would be refused
        // again: the lane ends here, the snapshot is recorded incomplete without it, and the next
        // run starts afresh, instead of every run resuming this one to be refused again.
        state.status = 'failed';
        state.message = error.message;
        if (error.status === 400 || error.status === 422) {
          state.done = true;
          log.warn('stream refused: this snapshot is incomplete without it; the next run asks again', {
            ...ctx,
            lane: lane.id,
            reason: error.message,
          });
        } else {
          log.warn('stream failed: the next run resumes it', {
            ...ctx,
            lane: lane.id,
            reason: error.message,
          });
        }
      } else {
        aborted = true;
        throw error;
      }
    } finally {
      // Stopped: a page still on its way asks for none after it.
      current = null;
    }
  };

  const listings = new Map(lanes.filter((l) => !l.sweep).map((l) => [l, runLane(l)] as const));
  /**
   * Whether a split listing, listed to its end, accounted for every alert of its stream that the
   * last snapshots saw (the fingerprints read at the start): then no stored alert moved between
   * partitions behind their cursors, and the sweep could change nothing the reconciliation
   * decides. What was created or changed after the run began (an alert never stored, or one only
   * a webhook wrote, included) is left to the next run, which lists from an hour before this
   * run's instant. False whenever that cannot be known: a resumed run, an enterprise, no
   * fingerprints, a partition refused or failed (its sweep says so too), or an instant more than
   * the hour after the run began.
   */
  const accountedFor = async (sweep: Lane): Promise<boolean> => {
    if (!startDigests || !seen) return false;
    if (Date.parse(takenAt) - WATERMARK_OVERLAP_MS > Date.parse(cp.startedAt)) return false;
    const own = lanes.filter((l) => l.group === sweep.group && !l.sweep);
    if (!own.every((l) => (cp.lanes[l.id] as LaneState).status === 'finished')) return false;
    // The stream's other listings (secret scanning's non-provider types) list some of its alerts.
    const others = [...listings].filter(([l]) => l.stream === sweep.stream && l.group !== sweep.group);
    await Promise.allSettled(others.map(([, run]) => run));
    const digests = await startDigests.catch(() => null);
    if (!digests || aborted) return false;
    const prefix = `${sweep.stream}#`;
    for (const [k, d] of digests) {
      if (k.startsWith(prefix) && d.snap && !d.snap.noLongerReported && !seen.has(k)) return false;
    }
    return true;
  };
  // A sweep runs once its own listing's partitions are done, while the other listings go on:
  // what it lists is then the last word on its listing. Not after any lane's unexpected error,
  // and not when the listing left no stored alert unaccounted for.
  const sweeps = lanes
    .filter((l) => l.sweep)
    .map(async (sweep) => {
      const own = [...listings].filter(([l]) => l.group === sweep.group).map(([, run]) => run);
      const results = await Promise.allSettled(own);
      const done = lanes.every(
        (l) => l.group !== sweep.group || l.sweep || (cp.lanes[l.id] as LaneState).done,
      );
      if (!done || aborted || !results.every((r) => r.status === 'fulfilled')) return;
      if (!(await accountedFor(sweep))) return runLane(sweep);
      const state = cp.lanes[sweep.id] as LaneState;
      state.done = true;
      state.status = 'finished';
      delete state.message;
      log.info('sweep not needed: the listing accounted for every stored alert', { ...ctx, lane: sweep.id });
    });
  const settled: PromiseSettledResult<void>[] = await Promise.allSettled(listings.values());
  settled.push(...(await Promise.allSettled(sweeps)));
  // Every lane has stopped: what is still waiting for its turn would never be used.
  listQueue.clear();
  let failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (!failure && (waiting.length > 0 || flushing)) {
    // Lanes stopped at the time limit while pages still waited for the fingerprints.
    await flushWaiting().catch((error: unknown) => {
      failure = { status: 'rejected', reason: error };
    });
  }
  if (failure) {
    // Something unexpected (a store failure). Every lane has stopped; the lease stays held, so
    // the next run treats the movement as untrusted and recounts. Cursors past pages that were
    // never written are not saved: the next run lists them again from the last saved checkpoint.
    // A failure of the fingerprints' flush is a store failure too.
    await (flushing as Promise<void> | null)?.catch(() => {});
    // GitHub refused the credentials or a permission: every lane stopped between pages with what
    // it wrote recorded, so the lease is released and the run after the fix resumes at once.
    const reasons = [failure.reason, ...settled.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []))];
    const refused = reasons.every((e) => e instanceof GitHubAuthError || e instanceof GitHubPermissionError);
    if (refused) cp.leaseUntil = 0;
    if (waiting.length === 0 && flushed) {
      // The next invocation reconciles against the keys saved with the cursors (as after a pause):
      // the ones listed since the last save go with them, or it would take those alerts for gone.
      // Not saved: it must not trust the keys saved before, and does not reconcile. (Held, the
      // lease tells the next invocation to trust neither.)
      if (seen && refused) {
        cp.seenSaved = await store.saveSeenKeys(key, cp.snapshotId, seen).then(
          () => true,
          () => false,
        );
      }
      await store.putCheckpoint(cp, false).catch(() => {});
    }
    throw failure.reason;
  }
  if (cp.counters.invocations >= MAX_INVOCATIONS && !laneStatesDone(cp)) {
    // A snapshot that keeps failing is closed as incomplete, so later runs start afresh.
    log.error('snapshot abandoned after too many invocations', {
      ...ctx,
      invocations: cp.counters.invocations,
    });
    for (const state of Object.values(cp.lanes)) state.done = true;
  }

  const laneStates = lanes.map((l) => [l, cp.lanes[l.id] as LaneState] as const);
  const alertLaneStates = laneStates.filter(([l]) => l.stream !== 'audit_log');
  if (alertLaneStates.every(([, s]) => s.status === 'unavailable')) {
    await store.deleteCheckpoint(key, cp.snapshotId);
    await releaseClaims();
    // The organisation itself may be gone or renamed: that is what to say, if so.
    if (scope.kind === 'org') await checkOrganisation(gh, scope.org);
    // Nothing could be read: recording an empty but "complete" snapshot would report zero alerts.
    // What GitHub said, for a refusal of another kind (single sign-on enforced, an IP allow list).
    const said = alertLaneStates.map(([, s]) => s.message).find((m) => m !== undefined);
    throw new GitHubPermissionError(
      `GitHub refused every alert list of ${label}: give the token the \`security_events\` scope (classic token) or "Dependabot alerts", "Secret scanning alerts" and "Code scanning alerts: read" (GitHub App or fine-grained token), and check that the features are enabled.${said ? ` The first list answered: ${said}` : ''}`,
      403,
    );
  }
  const allDone = laneStates.every(([, s]) => s.done);
  // A page or an item skipped as invalid is data the snapshot does not have: not complete, and
  // (below) its stream's watermark stays where it was, so the next run reads it again.
  const complete =
    allDone &&
    laneStates.every(([, s]) => (s.status === 'finished' || s.status === 'unavailable') && clean(s));
  // Every listing read to its end (or refused): the streams listed without a skip can be
  // reconciled even when another one skipped something (markUnlisted leaves that one alone).
  const listedToEnd =
    allDone && laneStates.every(([, s]) => s.status === 'finished' || s.status === 'unavailable');
  const streams = streamResults(laneStates);

  // An organisation the audit log's watermark does not cover, and that this run did not read back
  // (it turned up unannounced): its audit events before the watermark are missing until the next
  // run reads them back (it is covered by the alert watermarks by then).
  const auditBehindFor = (org: string): boolean =>
    scope.kind === 'enterprise' &&
    auditCoverage !== null &&
    cp.lanes.audit_log?.status !== 'unavailable' &&
    coveredBy(auditCoverage, org) === false &&
    !newcomer.has(org);
  const manifests: SnapshotManifest[] = [];
  for (const org of Object.keys(cp.perOrg).sort()) {
    const counts = perOrg(org);
    let unlisted: Record<string, number> = {};
    let reconciled = false;
    /** An incremental enterprise run met an organisation no snapshot has counted before. */
    let partial = false;
    let aggregates: Aggregates = { openBySeverity: emptyOpenCounts(), openByRepository: {} };
    if (allDone) {
      await claimOrg(org);
      const early =
        listedToEnd && startDigests && scope.kind === 'org' && org === scope.org
          ? viewsOf(await startDigests)
          : undefined;
      if (seen && listed && early && !movedByOthers(org)) {
        // An uninterrupted, complete full listing: mark what it did not return, and count what it
        // listed over what is stored (an unavailable stream's alerts, or one skipped as invalid,
        // count as last seen, as every other path and the next incremental run count them).
        unlisted = await markUnlisted(store, org, early, seen, alertLaneStates, cp.snapshotId);
        reconciled = true;
        for (const [k, view] of listed) early.set(k, view);
        aggregates = aggregateViews(early);
      } else {
        const untrusted = dirty || movedByOthers(org);
        const base = cp.mode === 'full' || untrusted ? null : await store.getAggregates(org);
        // Listed from the enterprise's watermarks, it has only what changed since: its figures
        // are partial until the next full run (an organisation named in `orgs` widens the run).
        partial =
          cp.mode === 'incremental' &&
          scope.kind === 'enterprise' &&
          ((base === null && !untrusted) ||
            (alertCoverage !== null && coveredBy(alertCoverage, org) === false)) &&
          hadWatermark;
        if (partial) {
          log.warn(
            'organisation first seen in an incremental run: its figures are partial until the next full run',
            {
              ...ctx,
              organisation: org,
            },
          );
        }
        const views = base ? null : await store.listAlertViews(org);
        if (seen && views && listedToEnd && !movedByOthers(org)) {
          unlisted = await markUnlisted(store, org, views, seen, alertLaneStates, cp.snapshotId);
          reconciled = true;
        } else if (views) {
          // Cut off while marking, and resumed without the listed keys: what it marked still counts.
          unlisted = markedBy(views, cp.snapshotId);
        }
        aggregates = base
          ? base.appliedSnapshotId === cp.snapshotId
            ? base // this run's movement is in already: a resume after a failed ending
            : applyDelta(structuredClone(base), cp.delta, org)
          : aggregateViews(views ?? new Map());
      }
      await store.putAggregates(org, aggregates, cp.snapshotId);
    }
    // A provisional webhook change neither the settling nor the listing could check: the alert
    // stands as a webhook dated it by arrival, which GitHub may contradict.
    const notChecked = [...unsettled.keys()].filter(
      (k) => unchecked.has(k) && k.startsWith(provisionalKey(org, '')),
    );
    if (notChecked.length > 0) {
      log.warn('snapshot incomplete: provisional webhook changes left unchecked', {
        ...ctx,
        organisation: org,
        alerts: notChecked.slice(0, MAX_NAMED_SKIPS),
        next: 'the next snapshot asks GitHub again; if GitHub keeps failing on these alerts, check its status page and the token',
      });
    }
    manifests.push({
      org,
      snapshotId: cp.snapshotId,
      takenAt,
      mode: cp.mode,
      complete: complete && !partial && !auditBehindFor(org) && notChecked.length === 0,
      streams,
      alertsSeen: counts.seen,
      alertsWritten: counts.written,
      transitionsWritten: counts.transitions,
      auditEventsWritten: counts.auditEvents,
      ...aggregates,
      resumable: !allDone,
      invocations: cp.counters.invocations,
      requests,
      noLongerReported: Object.values(unlisted).reduce((n, c) => n + c, 0),
      noLongerReportedByRepository: unlisted,
      reconciled,
      skippedItems: cp.skippedItems,
      itemsWritten: store.usage.itemsWritten - usageAtStart.itemsWritten,
      writeUnits: store.usage.writeUnits - usageAtStart.writeUnits,
    });
  }
  if (allDone) {
    // The cursors are items of their own, written at once; all of them before the manifests.
    const cursors: [name: string, value: string][] = [];
    // What an enterprise's watermark written now covers: after a listing from its start, the
    // organisations recorded (or, without `orgs`, those listed and those covered before); after
    // one from the watermark, those it covered that are still recorded, and those read back.
    // Null (nothing written) after a watermark of an earlier version, which said nothing.
    // A listing that skipped something (an invalid alert, a page) keeps its watermark, and the
    // next run lists from there: an organisation it covers for the first time would miss what was
    // skipped, older than the watermark. Only those it covered before stay (their skipped alerts
    // are stored as last seen); when a skip does not say its organisation, the coverage does not
    // grow at all.
    const coversOf = (
      group: string,
      whole: boolean,
      readBack: readonly string[] = [],
      skips: readonly LaneState[] = [],
    ): string[] | null => {
      const before = coverage?.get(group);
      const covered = before?.covers ?? null;
      let orgs: string[];
      if (whole || !before?.watermark) orgs = runOrgs ?? [...Object.keys(cp.perOrg), ...(covered ?? [])];
      // A watermark of an earlier version: the organisations recorded were taken for covered (an
      // organisation it did not cover widened the run); without `orgs`, nothing can be said.
      else if (covered === null) {
        if (!runOrgs) return null;
        orgs = [...runOrgs];
      } else orgs = [...[...covered].filter((o) => !keep || keep.has(o)), ...readBack];
      const skipped = new Set(skips.flatMap((s) => s.skippedOrgs ?? []));
      const wasCovered = (o: string) => (covered ? covered.has(o) : !(cp.newcomers ?? []).includes(o));
      if (skips.some((s) => s.skippedPages > 0) || skipped.has('')) {
        if (covered === null) return null;
        orgs = orgs.filter((o) => covered.has(o));
      } else orgs = orgs.filter((o) => !skipped.has(o) || wasCovered(o));
      return [...new Set(orgs)].sort();
    };
    const withCovers = (group: string, covers: readonly string[] | null) => {
      if (scope.kind === 'enterprise' && covers !== null)
        cursors.push([`covers#${group}`, JSON.stringify(covers)]);
    };
    const laneStatesOf = groupBy(alertLaneStates, ([l]) => l.group);
    // A listing GitHub refused (a feature off, or a request refused as invalid) in a full
    // enterprise run loses its watermark: one written before does not cover what was added
    // since, and would have every later run be a full one until the listing is back. Without it,
    // the listing is read whole when it is.
    const dropped = [...laneStatesOf].flatMap(([group, of]) =>
      scope.kind === 'enterprise' &&
      cp.mode === 'full' &&
      watermarks.get(group) != null &&
      of.some(([, s]) => s.status !== 'finished')
        ? [group]
        : [],
    );
    await Promise.all(
      dropped.flatMap((group) =>
        [`watermark#${group}`, `covers#${group}`].map((n) => store.deleteCursor(key, n)),
      ),
    );
    for (const [group, of] of laneStatesOf) {
      if (of.every(([, s]) => s.status === 'finished' && clean(s))) {
        cursors.push([`watermark#${group}`, takenAt]);
        withCovers(group, coversOf(group, cp.mode === 'full'));
        if (cp.mode === 'full') {
          // How long the listing is, for the next full run to decide whether to split it and which
          // chains to serve first, and how long each partition, for its two ends to know when
          // their pages cover it.
          const size = of.filter(([l]) => !l.sweep).reduce((n, [, s]) => n + s.items, 0);
          cursors.push([`size#${group}`, String(size)]);
          for (const part of sizes ? partitionsOf(group) : []) {
            if (part !== group) cursors.push([`size#${part}`, String(sizes?.get(part) ?? 0)]);
          }
        }
      } else if (cp.mode === 'full' && of.every(([, s]) => s.status === 'finished')) {
        // Read to its end but for what it skipped as invalid: the watermark stays, for the next
        // run to read the skipped again, but what it recorded was listed whole.
        const states = of.map(([, s]) => s);
        withCovers(group, coversOf(group, true, [], states));
      }
    }
    const audit = cp.lanes.audit_log;
    if (audit?.status === 'finished' && clean(audit) && auditMax > 0) {
      cursors.push(['watermark#audit_log', new Date(auditMax).toISOString()]);
      withCovers('audit_log', coversOf('audit_log', auditWatermark === null, cp.newcomers ?? []));
    } else if (
      audit?.status === 'finished' ||
      (runOrgs && auditWatermark !== null && coverage?.get('audit_log')?.covers === null)
    ) {
      // Read but not clean, or (under a watermark of an earlier version, whose judgement is written
      // down) not read: the watermark stays, and the next run reads back again those this one was
      // to read back, which may have lost an event.
      const behind = new Set(cp.newcomers ?? []);
      withCovers(
        'audit_log',
        coversOf('audit_log', auditWatermark === null)?.filter((o) => !behind.has(o)) ?? null,
      );
    }
    await Promise.all(cursors.map(([name, value]) => store.putCursor(key, name, value)));
  }
  for (const manifest of manifests) await store.putManifest(manifest);
  if (allDone) {
    await store.deleteCheckpoint(key, cp.snapshotId);
    await releaseClaims();
  } else {
    if (seen) {
      await store.saveSeenKeys(key, cp.snapshotId, seen);
      cp.seenSaved = true;
    }
    cp.leaseUntil = 0; // free for the next invocation to resume
    await store.putCheckpoint(cp, false);
  }
  log.info(allDone ? 'snapshot finished' : 'snapshot paused', {
    ...ctx,
    complete,
    requests,
    orgs: manifests.length,
    alertsSeen: manifests.reduce((n, m) => n + m.alertsSeen, 0),
    alertsWritten: cp.counters.alertsWritten,
    transitionsWritten: cp.counters.transitionsWritten,
    noLongerReported: manifests.reduce((n, m) => n + (m.noLongerReported ?? 0), 0),
  });
  return manifests;
}

function normalizeOrSkip(
  alertType: AlertType,
  raw: unknown,
  options: NormalizeOptions | undefined,
  state: LaneState,
  cp: SnapshotCheckpoint,
  log: Log,
  ctx: Record<string, unknown>,
): Alert | null {
  try {
    return normalizeAlert(alertType, raw, options);
  } catch (error) {
    if (!(error instanceof InvalidAlertError)) throw error;
    state.skipped += 1;
    const number = (raw as { number?: unknown } | null)?.number;
    const repository = (raw as { repository?: { full_name?: unknown } } | null)?.repository?.full_name;
    const org = typeof repository === 'string' && repository.includes('/') ? orgOf(repository) : '';
    if (!state.skippedOrgs?.includes(org)) state.skippedOrgs = [...(state.skippedOrgs ?? []), org];
    if (cp.skippedItems.length < MAX_NAMED_SKIPS) {
      cp.skippedItems.push({
        stream: alertType,
        number: typeof number === 'number' ? number : null,
        reason: error.message,
      });
    }
    log.warn('alert skipped: invalid', { ...ctx, stream: alertType, reason: error.message });
    return null;
  }
}

/** Audit events up to the snapshot's instant, each with the organisation it belongs to. */
/** Each listing's watermark, and the organisations it covers (null: an earlier version wrote it). */
type Coverage = Map<string, { watermark: string | null; covers: ReadonlySet<string> | null }>;

/** A `covers#` cursor's organisations, or null when it is missing or not a list of names. */
function parseCovers(value: string | null): ReadonlySet<string> | null {
  if (value === null) return null;
  try {
    const orgs: unknown = JSON.parse(value);
    return Array.isArray(orgs) && orgs.every((o) => typeof o === 'string') ? new Set(orgs) : null;
  } catch {
    return null;
  }
}

async function readCoverage(store: DynamoStore, key: string, groups: readonly string[]): Promise<Coverage> {
  return new Map(
    await Promise.all(
      groups.map(async (group) => {
        const [watermark, covers] = await Promise.all([
          store.getCursor(key, `watermark#${group}`),
          store.getCursor(key, `covers#${group}`),
        ]);
        return [group, { watermark, covers: parseCovers(covers) }] as const;
      }),
    ),
  );
}

/**
 * Whether every watermark of an enterprise covers organisation `org` (a listing without one is
 * listed whole anyway): false when one does not; null when one cannot say (an earlier version
 * wrote it) or there is none at all.
 */
function coveredBy(coverage: Coverage, org: string): boolean | null {
  let known = true;
  let any = false;
  for (const { watermark, covers } of coverage.values()) {
    if (watermark === null) continue;
    any = true;
    if (covers === null) known = false;
    else if (!covers.has(org)) return false;
  }
  return any && known ? true : null;
}

function collectAuditEvents(
  raws: unknown[],
  scope: Scope,
  takenAt: string,
  state: LaneState,
  cp: SnapshotCheckpoint,
  log: Log,
  ctx: Record<string, unknown>,
): [owner: string, event: AuditEvent, earlierId: string | null][] {
  const events: [string, AuditEvent, string | null][] = [];
  const until = Date.parse(takenAt);
  for (const raw of raws) {
    try {
      const rawOrg = (raw as { org?: unknown } | null)?.org;
      const org = scope.kind === 'org' ? scope.org : typeof rawOrg === 'string' ? rawOrg : null;
      const event = normalizeAuditEvent(raw, org ?? '');
      // Keyed as every organisation here is, in lower case: GitHub's logins are not case-sensitive.
      const owner = org !== null ? org.toLowerCase() : event.repository ? orgOf(event.repository) : null;
      if (owner && Date.parse(event.at) <= until) events.push([owner, event, earlierAuditId(raw)]);
    } catch (error) {
      if (!(error instanceof InvalidAlertError)) throw error;
      state.skipped += 1;
      if (cp.skippedItems.length < MAX_NAMED_SKIPS) {
        cp.skippedItems.push({ stream: 'audit_log', number: null, reason: error.message });
      }
      log.warn('audit event skipped: invalid', { ...ctx, reason: error.message });
    }
  }
  return events;
}

/** Whether a stored audit event says what `e` says, whatever their ids. */
const sameEvent = (stored: AuditEvent | undefined, e: AuditEvent): boolean =>
  stored !== undefined && isDeepStrictEqual({ ...stored, id: e.id }, e);

const viewOf = (a: Alert): SnapView => ({ state: a.state, severity: a.severity });
/** Whether a stored view is exactly `viewOf(a)`: no flag (no longer reported) beside it. */
const sameView = (snap: SnapView | null, a: Alert): boolean =>
  snap !== null && snap.state === a.state && snap.severity === a.severity && Object.keys(snap).length === 2;

/** Whether a stored view counts in the open-alert aggregates: open, and still reported. */
function countsOpen(view: SnapView | null): view is SnapView {
  return view?.state === 'open' && !view.noLongerReported;
}

/** What an alert adds to the open-alert aggregates, as keys of the delta map. */
function contribution(alertType: AlertType, repository: string, view: SnapView | null): string[] {
  if (!countsOpen(view)) return [];
  return [`sev|${alertType}|${view.severity}`, `repo|${repository}`];
}

/**
 * Writes one page of observed alerts: reads their stored state in one batch, and for each that
 * changed writes state and transitions together, retrying on a concurrent webhook write. The
 * aggregate delta moves from what the previous snapshot saw to what this one sees.
 */
async function writePage(
  store: DynamoStore,
  alerts: Alert[],
  cp: SnapshotCheckpoint,
  limit: ReturnType<typeof pLimit>,
  listed: Map<string, SnapView> | null,
  /** Fingerprints of an organisation's stored alerts, read at the start of a full run. */
  known: { org: string; digests: Map<string, StoredAlertDigest> } | null = null,
  /** Takes an organisation for this snapshot before anything of it is written. */
  claim: (org: string) => Promise<void>,
): Promise<void> {
  for (const [org, all] of groupBy(alerts, (a) => orgOf(a.repository))) {
    // Listed exactly as stored, and seen so by the last snapshot: nothing to read or write.
    const digests = known?.org === org ? known.digests : null;
    const unchanged: Alert[] = [];
    const group: Alert[] = [];
    for (const a of all) {
      const d = digests?.get(alertKey(a));
      // A listing never dates a leak; an alert that does is read and compared whole.
      const same =
        d?.digest != null && !('publiclyLeakedAt' in a) && sameView(d.snap, a) && d.digest === alertDigest(a);
      (same ? unchanged : group).push(a);
    }
    if (group.length > 0) await claim(org);
    const stored = group.length > 0 ? await store.getAlerts(org, group.map(alertKey)) : new Map();
    const counts = cp.perOrg[org] ?? { seen: 0, written: 0, transitions: 0, auditEvents: 0 };
    cp.perOrg[org] = counts;
    const record = (alert: Alert, result: ObservationResult) => {
      // Full runs recount the aggregates, so only incremental runs carry a movement.
      if (cp.mode === 'incremental') {
        for (const k of contribution(alert.alertType, alert.repository, result.previousSnap)) {
          cp.delta[`${org}|${k}`] = (cp.delta[`${org}|${k}`] ?? 0) - 1;
        }
        for (const k of contribution(alert.alertType, alert.repository, viewOf(result.alert))) {
          cp.delta[`${org}|${k}`] = (cp.delta[`${org}|${k}`] ?? 0) + 1;
        }
      }
      listed?.set(alertKey(alert), viewOf(result.alert));
      if (result.written) {
        cp.counters.alertsWritten += 1;
        counts.written += 1;
      }
      cp.counters.transitionsWritten += result.transitions;
      counts.transitions += result.transitions;
    };
    for (const alert of unchanged) {
      const snap = viewOf(alert);
      record(alert, { alert, previousSnap: snap, transitions: 0, written: false });
    }
    // Changed alerts go in shared transactions, their transitions packed: far fewer round trips
    // and items. What a transaction could not write goes one by one, re-read when it is stale.
    const { done, oneByOne } = await writeAlerts(store, org, group, stored, cp.takenAt, limit);
    for (const [alert, result] of done) record(alert, result);
    await Promise.all(
      oneByOne.map((alert) =>
        limit(async () =>
          record(alert, await writeObservation(store, org, stored.get(alertKey(alert)), alert, cp.takenAt)),
        ),
      ),
    );
  }
}

interface ObservationResult {
  alert: Alert;
  previousSnap: SnapView | null;
  transitions: number;
  written: boolean;
}

/**
 * Writes the alerts of a page that changed, many to a transaction (`DynamoStore.writeAlerts`).
 * Returns what it wrote, and the alerts left to the one-by-one path: those another writer wrote
 * meanwhile (a webhook), those a webhook already wrote as listed (only the snapshot view moves),
 * and a second listing of an alert on the same page.
 */
async function writeAlerts(
  store: DynamoStore,
  org: string,
  alerts: readonly Alert[],
  stored: ReadonlyMap<string, StoredAlert>,
  observedAt: string,
  limit: ReturnType<typeof pLimit>,
): Promise<{ done: Map<Alert, ObservationResult>; oneByOne: Alert[] }> {
  const done = new Map<Alert, ObservationResult>();
  const oneByOne: Alert[] = [];
  const pending: { listed: Alert; write: AlertWrite; result: ObservationResult }[] = [];
  const keys = new Set<string>();
  for (const alert of alerts) {
    const key = alertKey(alert);
    const base = stored.get(key);
    // A new alert is dated by its own fields; a listing dates only what GitHub left undated.
    const obs = observeAlert(base?.alert, alert, 'snapshot', base ? observedAt : undefined);
    const previousSnap = base?.snap ?? null;
    if (keys.has(key)) {
      oneByOne.push(alert);
    } else if (obs.write) {
      // What is written (a leaked secret gets its leak date), keyed by what was listed.
      const snap = viewOf(obs.write);
      pending.push({
        listed: alert,
        write: {
          alert: obs.write,
          expectedVersion: base?.version ?? null,
          transitions: obs.transitions,
          snap,
        },
        result: { alert: obs.write, previousSnap, transitions: obs.transitions.length, written: true },
      });
    } else if (base && (base.provisional || !isDeepStrictEqual(previousSnap, viewOf(alert)))) {
      oneByOne.push(alert);
    } else {
      done.set(alert, { alert, previousSnap, transitions: 0, written: false });
    }
    keys.add(key);
  }
  await Promise.all(
    // DynamoDB allows 100 actions per transaction: the alerts plus a pack per day.
    chunkAlertWrites(pending, (e) => e.write).map((c) =>
      limit(async () => {
        let left = c;
        while (left.length > 0) {
          try {
            await store.writeAlerts(
              org,
              left.map((e) => e.write),
            );
            for (const e of left) done.set(e.listed, e.result);
            return;
          } catch (error) {
            if (!(error instanceof ConcurrentUpdateError)) throw error;
            // Written by someone else first: those go one by one; the rest is sent again.
            const conflicts = new Set(error.conflicts);
            const lost = conflicts.size === 0 ? left : left.filter((e) => conflicts.has(alertKey(e.listed)));
            oneByOne.push(...lost.map((e) => e.listed));
            left = left.filter((e) => !lost.includes(e));
          }
        }
      }),
    ),
  );
  return { done, oneByOne };
}

async function writeObservation(
  store: DynamoStore,
  org: string,
  known: StoredAlert | undefined,
  alert: Alert,
  observedAt: string,
): Promise<ObservationResult> {
  let base = known;
  for (let attempt = 0; attempt < 5; attempt++) {
    const previousSnap = base?.snap ?? null;
    const obs = observeAlert(base?.alert, alert, 'snapshot', observedAt);
    try {
      if (obs.write) {
        const snap = viewOf(obs.write);
        await store.writeAlert(org, obs.write, base?.version ?? null, obs.transitions, undefined, { snap });
        return { alert: obs.write, previousSnap, transitions: obs.transitions.length, written: true };
      }
      // Nothing to write: a webhook wrote this state already, or (delivered while this snapshot
      // ran) a later one. Either way the snapshot's view is what it listed, GitHub's word at the
      // listing: its counts are GitHub's, and the next snapshot counts the later change when it
      // lists it.
      const seen = viewOf(alert);
      if (!base || isDeepStrictEqual(previousSnap, seen))
        return { alert, previousSnap, transitions: 0, written: false };
      // A webhook's change dated by its arrival, which the next snapshot checks against GitHub
      // (core/provisional.ts), keeps the alert's version, so that the change is not taken for moved on.
      await store.putSnapView(
        org,
        alertKey(alert),
        seen,
        base.version,
        base.provisional ? { keepVersion: true } : {},
      );
      return { alert, previousSnap, transitions: 0, written: true };
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError)) throw error;
      base = await store.getAlert(org, alertKey(alert));
    }
  }
  throw new ConcurrentUpdateError(`alert ${alertKey(alert)} kept changing during the snapshot; run it again`);
}

/**
 * One result per listing: a full run's partitions and sweep of a listing are reported as the
 * listing (its group), so a feature that is off is one coverage gap, not four.
 */
function streamResults(laneStates: readonly (readonly [Lane, LaneState])[]): StreamResult[] {
  const groups = new Map<string, { stream: StreamResult['stream']; states: LaneState[] }>();
  for (const [lane, state] of laneStates) {
    const group = groups.get(lane.group) ?? { stream: lane.stream, states: [] };
    group.states.push(state);
    groups.set(lane.group, group);
  }
  return [...groups].map(([group, { stream, states }]) => {
    const statuses = new Set(states.map((s) => s.status));
    // One status when the parts agree; otherwise a part still running, or a listing not to trust
    // as a whole (one failed, or some refused while others listed).
    const [only] = statuses;
    const status: LaneState['status'] =
      statuses.size === 1 && only
        ? only
        : statuses.has('running') && !statuses.has('failed')
          ? 'running'
          : 'failed';
    const message = (states.find((s) => s.message && s.status === status) ?? states.find((s) => s.message))
      ?.message;
    const sum = (f: (s: LaneState) => number) => states.reduce((n, s) => n + f(s), 0);
    return {
      stream,
      lane: group,
      status,
      items: sum((s) => s.items),
      pages: sum((s) => s.pages),
      skipped: sum((s) => s.skipped),
      skippedPages: sum((s) => s.skippedPages),
      ...(message ? { message } : {}),
    };
  });
}

/** The stored view of each alert, by key, from its fingerprint. */
function viewsOf(digests: Map<string, StoredAlertDigest>): Map<string, SnapView | null> {
  const views = new Map<string, SnapView | null>();
  for (const [key, d] of digests) views.set(key, d.snap);
  return views;
}

/** Aggregates of every stored alert as snapshots last saw them (full runs, and the first run). */
function aggregateViews(views: Map<string, SnapView | null>): Aggregates {
  // What `contribution` counts, counted in place rather than as two keys per alert added up
  // afterwards: with `viewsOf`, 40-60 ms less at the end of a full run of 100,000 alerts.
  const openBySeverity = emptyOpenCounts();
  const openByRepository: Record<string, number> = {};
  for (const [key, view] of views) {
    // An alert that counts nowhere: its key need not be taken apart.
    if (!countsOpen(view)) continue;
    // The key is `type#owner/name#number` (alertKey).
    const typeEnd = key.indexOf('#');
    const repoEnd = key.indexOf('#', typeEnd + 1);
    const alertType = key.slice(0, typeEnd) as AlertType;
    const repository = repoEnd < 0 ? key.slice(typeEnd + 1) : key.slice(typeEnd + 1, repoEnd);
    openBySeverity[alertType][view.severity] += 1;
    openByRepository[repository] = (openByRepository[repository] ?? 0) + 1;
  }
  return { openBySeverity, openByRepository };
}

/** Adds a movement to aggregates; with `org`, only that organisation's entries (`org|...`). */
function applyDelta(base: Aggregates, delta: Record<string, number>, org?: string): Aggregates {
  for (const [entry, n] of Object.entries(delta)) {
    if (n === 0) continue;
    let k = entry;
    if (org !== undefined) {
      if (!entry.startsWith(`${org}|`)) continue;
      k = entry.slice(org.length + 1);
    }
    const [kind, a, b] = k.split('|');
    if (kind === 'sev') {
      const bySeverity = base.openBySeverity[a as AlertType];
      bySeverity[b as keyof typeof bySeverity] += n;
    } else if (kind === 'repo' && a) {
      const next = (base.openByRepository[a] ?? 0) + n;
      if (next === 0) delete base.openByRepository[a];
      else base.openByRepository[a] = next;
    }
  }
  return base;
}

/**
 * Marks stored alerts that a complete, uninterrupted full listing did not return as "no longer
 * reported" (repository deleted or archived, feature turned off): never as fixed. Returns the
 * alerts this snapshot found so by repository, the marks an earlier invocation of it made
 * included (it was cut off while marking).
 */
async function markUnlisted(
  store: DynamoStore,
  org: string,
  views: Map<string, SnapView | null>,
  seen: Set<string>,
  alertLanes: readonly (readonly [Lane, LaneState])[],
  snapshotId: string,
): Promise<Record<string, number>> {
  // Only streams listed to the end count: an unavailable stream says nothing about its alerts.
  // A stream with a skipped alert or page is not reconciled: the skipped alert is still listed.
  const whole = ([, s]: readonly [Lane, LaneState]) => s.status === 'finished' && clean(s);
  const listed = new Set(alertLanes.filter(whole).map(([l]) => l.stream));
  const unavailable = new Set(alertLanes.filter((entry) => !whole(entry)).map(([l]) => l.stream));
  const marked: Record<string, number> = {};
  const toMark: [key: string, view: SnapView, repository: string][] = [];
  for (const [key, view] of views) {
    // Nearly every stored alert was listed: that test first, before the key is taken apart.
    if (seen.has(key)) continue;
    const [alertType, repository] = key.split('#') as [AlertType, string];
    // Marked by an earlier invocation of this snapshot, cut off while marking (see markedBy).
    if (view?.noLongerReportedBy === snapshotId) {
      marked[repository] = (marked[repository] ?? 0) + 1;
      continue;
    }
    if (!listed.has(alertType) || unavailable.has(alertType)) continue;
    if (!view || view.noLongerReported) continue;
    toMark.push([key, view, repository]);
  }
  // A deleted repository can leave thousands: the marks go several at once.
  // Every mark is settled before a failure is passed on: none is still on its way.
  const limit = pLimit(MARK_CONCURRENCY);
  const results = await Promise.allSettled(
    toMark.map(([key, view, repository]) =>
      limit(async () => {
        if (!(await store.markNoLongerReported(org, key, view, snapshotId))) return; // seen since: not gone
        views.set(key, { ...view, noLongerReported: true, noLongerReportedBy: snapshotId });
        marked[repository] = (marked[repository] ?? 0) + 1;
      }),
    ),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return marked;
}

/** The stored alerts snapshot `snapshotId` marked no longer reported, by repository. */
function markedBy(views: Map<string, SnapView | null>, snapshotId: string): Record<string, number> {
  const marked: Record<string, number> = {};
  for (const [key, view] of views) {
    if (view?.noLongerReportedBy !== snapshotId) continue;
    const repository = key.split('#')[1] as string;
    marked[repository] = (marked[repository] ?? 0) + 1;
  }
  return marked;
}
