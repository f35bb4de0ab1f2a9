import { InvalidAlertError } from '../core/errors.ts';
import { type Alert, alertKey } from '../core/model.ts';
import { type NormalizeOptions, normalizeAlert } from '../core/normalize.ts';
import { type ProvisionalChange, type SettlementKind, settleProvisional } from '../core/provisional.ts';
import { fetchAlert } from '../github/alerts.ts';
import type { GitHubClient } from '../github/client.ts';
import { GitHubError, GitHubRateLimitError, GitHubUnavailableError } from '../github/errors.ts';
import type { DynamoStore } from '../store/dynamo-store.ts';
import { StoreError } from '../store/errors.ts';
import type { Log } from './log.ts';

export interface SettleDeps {
  gh: GitHubClient;
  store: DynamoStore;
  log: Log;
  hideSecret: boolean;
  normalize?: NormalizeOptions;
  /** Wall clock (ms), for `stopAt`. */
  clock: () => number;
}

/** What a snapshot did with the provisional webhook changes it found. */
export interface SettleResult {
  /** GitHub requests made (one per alert asked about). */
  requests: number;
  settled: Record<SettlementKind, number>;
  /** Forgotten unchecked: the alert changed since (a later write owns it), or GitHub no longer has it. */
  dropped: number;
  /**
   * Left for the listing, or the next snapshot: GitHub did not answer, the time ran out, or the
   * alert was written meanwhile. A listing that meets one of these alerts settles it with what it
   * lists (`settleListed`).
   */
  left: ProvisionalChange[];
  /**
   * Those of `left` nobody checked for want of an answer (GitHub failing or limiting, the time
   * spent, the store refusing the write): unless the listing meets their alert, the snapshot does
   * not know GitHub's state of it, and is not complete.
   */
  unchecked: ProvisionalChange[];
}

/** Alerts asked about at once. */
const SETTLE_CONCURRENCY = 4;
/**
 * How long a change GitHub answers 403/404 for is kept, asked about again by each snapshot: a
 * repository or permission may come back. After that it is forgotten as the webhook recorded it.
 */
const KEEP_UNANSWERED_MS = 7 * 86_400_000;

/**
 * Settles the provisional webhook changes of `orgs` before a snapshot lists anything
 * (core/provisional.ts): reads each alert from GitHub, once, unretried, and keeps, re-dates or
 * retracts what the webhook recorded. A failure never fails the snapshot: GitHub's 5xx or rate
 * limit stops the settling (until `stopAt` at the latest), and what is left stays as the webhook
 * recorded it until the listing meets the alert or the next snapshot asks again.
 *
 * @example
 * const r = await settleProvisionalChanges(deps, ['octo'], ctx, '2026-11-16T00:00:00.000Z', Date.now() + 30_000);
 */
export async function settleProvisionalChanges(
  deps: SettleDeps,
  orgs: readonly string[],
  ctx: Record<string, unknown>,
  observedAt: string,
  stopAt: number,
): Promise<SettleResult> {
  const { store, log } = deps;
  const result: SettleResult = {
    requests: 0,
    settled: { confirmed: 0, rederived: 0, overruled: 0 },
    dropped: 0,
    left: [],
    unchecked: [],
  };
  const changes = (await Promise.all(orgs.map((org) => store.listProvisional(org)))).flat();
  if (changes.length === 0) return result;
  let stopped = false;
  const queue = [...changes];
  const settleOne = async (p: ProvisionalChange): Promise<void> => {
    const stored = await store.getAlert(p.org, p.key);
    if (!stored || stored.version !== p.version) {
      // A later write (a snapshot's listing, a webhook dated by GitHub) owns the alert now.
      if (await store.dropProvisional(p, stored !== undefined)) result.dropped += 1;
      return;
    }
    const { alertType, repository, number } = stored.alert;
    result.requests += 1;
    const raw = await fetchAlert(deps.gh, alertType, repository, number, {
      hideSecret: deps.hideSecret,
      // One retry for a passing fault; a change GitHub still does not answer for waits for the
      // listing or the next snapshot (and the settling stops: the other alerts would fail too).
      retries: 1,
    });
    if (raw === null) {
      const expired = Date.parse(observedAt) - Date.parse(p.firstAt) > KEEP_UNANSWERED_MS;
      log.warn(
        expired
          ? 'provisional webhook change forgotten unchecked: GitHub has not given the alert for 7 days (403/404); it stays as the webhook recorded it'
          : 'provisional webhook change not checked: GitHub does not give the alert (403/404); asked again on the next snapshot',
        { ...ctx, alert: p.key, deliveries: p.deliveries },
      );
      if (!expired) result.left.push(p);
      else if (await store.dropProvisional(p, true)) result.dropped += 1;
      return;
    }
    const github = normalizeAlert(
      alertType,
      { ...raw, repository: { full_name: repository } },
      deps.normalize,
    );
    const kind = await settleAgainst(store, log, ctx, p, stored.alert, github, observedAt);
    if (kind === null) result.left.push(p);
    else result.settled[kind] += 1;
  };
  const worker = async (): Promise<void> => {
    while (!stopped && deps.clock() < stopAt) {
      const p = queue.shift();
      if (!p) return;
      try {
        await settleOne(p);
      } catch (error) {
        result.left.push(p);
        result.unchecked.push(p);
        // GitHub is failing or limiting: the others would too; the snapshot's listing goes on.
        if (error instanceof GitHubRateLimitError || error instanceof GitHubUnavailableError) stopped = true;
        if (
          !(error instanceof GitHubError || error instanceof StoreError || error instanceof InvalidAlertError)
        )
          throw error;
        log.warn('provisional webhook change left for the listing or the next snapshot', {
          ...ctx,
          alert: p.key,
          error: error.message,
        });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(SETTLE_CONCURRENCY, changes.length) }, worker));
  result.left.push(...queue);
  result.unchecked.push(...queue);
  log.info('provisional webhook changes settled', {
    ...ctx,
    ...result.settled,
    dropped: result.dropped,
    left: result.left.length,
  });
  return result;
}

/**
 * Settles `p` against `github` (GitHub's alert, as asked for or as a listing gave it) and writes
 * the settlement; null when the alert or its provisional changes moved meanwhile (nothing written).
 */
export async function settleAgainst(
  store: DynamoStore,
  log: Log,
  ctx: Record<string, unknown>,
  p: ProvisionalChange,
  current: Alert,
  github: Alert,
  observedAt: string,
): Promise<SettlementKind | null> {
  const settlement = settleProvisional(p, current, github, observedAt);
  if (!(await store.settleProvisional(p, settlement))) return null;
  if (settlement.kind !== 'confirmed') {
    log.warn('webhook change corrected from GitHub', {
      ...ctx,
      alert: p.key,
      deliveries: p.deliveries,
      settlement: settlement.kind,
      removed: settlement.remove.map((t) => `${t.from ?? 'new'}→${t.to} at ${t.at}`),
      added: settlement.add.map((t) => `${t.from ?? 'new'}→${t.to} at ${t.at}`),
      githubState: github.state,
      githubUpdatedAt: github.updatedAt,
    });
  }
  return settlement.kind;
}

/**
 * Settles, with what a listing gave, the provisional changes the snapshot could not settle
 * before it (`left`, by `provisionalKey`): GitHub's listed alert is the answer the GET would have
 * given. Each is tried once and taken out of `left`.
 */
export async function settleListed(
  store: DynamoStore,
  log: Log,
  ctx: Record<string, unknown>,
  left: Map<string, ProvisionalChange>,
  listed: readonly Alert[],
  observedAt: string,
): Promise<void> {
  for (const github of listed) {
    const key = provisionalKey(github.repository.split('/')[0] ?? '', alertKey(github));
    const p = left.get(key);
    if (!p) continue;
    left.delete(key);
    try {
      const stored = await store.getAlert(p.org, p.key);
      if (stored?.version === p.version)
        await settleAgainst(store, log, ctx, p, stored.alert, github, observedAt);
    } catch (error) {
      // As before the listing: a settlement that cannot be written never fails the snapshot.
      if (!(error instanceof StoreError || error instanceof InvalidAlertError)) throw error;
      log.warn('provisional webhook change left for the next snapshot', {
        ...ctx,
        alert: p.key,
        error: error.message,
      });
    }
  }
}

/** One alert's key across organisations, for `settleListed`. */
export const provisionalKey = (org: string, key: string): string => `${org.toLowerCase()}#${key}`;
