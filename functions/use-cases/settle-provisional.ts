import { InvalidAlertError } from '../core/errors.ts';
import { type NormalizeOptions, normalizeAlert } from '../core/normalize.ts';
import { type ProvisionalChange, type SettlementKind, settleProvisional } from '../core/provisional.ts';
import { fetchAlert } from '../github/alerts.ts';
import type { GitHubClient } from '../github/client.ts';
import { GitHubError, GitHubRateLimitError } from '../github/errors.ts';
import type { DynamoStore } from '../store/dynamo-store.ts';
import { StoreError } from '../store/errors.ts';
import type { Log } from './log.ts';

export interface SettleDeps {
  gh: GitHubClient;
  store: DynamoStore;
  log: Log;
  hideSecret: boolean;
  normalize?: NormalizeOptions;
}

/** What a snapshot did with the provisional webhook changes it found. */
export interface SettleResult {
  /** GitHub requests made (one per alert asked about). */
  requests: number;
  settled: Record<SettlementKind, number>;
  /** Forgotten unchecked: the alert changed since (a later write owns it), or GitHub no longer has it. */
  dropped: number;
  /** Left for the next snapshot: GitHub or the store failed. */
  left: number;
}

/** Alerts asked about at once. */
const SETTLE_CONCURRENCY = 4;

/**
 * Settles the provisional webhook changes of `orgs` (null: every organisation's) before a snapshot
 * lists anything (core/provisional.ts): reads each alert from GitHub and keeps, re-dates or
 * retracts what the webhook recorded. A failure leaves the change for the next snapshot and never
 * fails this one: what is stored is what the webhook recorded, as before.
 *
 * @example
 * const r = await settleProvisionalChanges({ gh, store, log, hideSecret: true }, ['octo'], ctx, now);
 */
export async function settleProvisionalChanges(
  deps: SettleDeps,
  orgs: readonly string[] | null,
  ctx: Record<string, unknown>,
  observedAt: string,
): Promise<SettleResult> {
  const { store, log } = deps;
  const result: SettleResult = {
    requests: 0,
    settled: { confirmed: 0, rederived: 0, overruled: 0 },
    dropped: 0,
    left: 0,
  };
  const changes = orgs === null ? await store.listProvisional(null) : await listOf(store, orgs);
  if (changes.length === 0) return result;
  let stopped = false;
  const queue = [...changes];
  const settleOne = async (p: ProvisionalChange): Promise<void> => {
    const where = { ...ctx, alert: p.key, deliveries: p.deliveries };
    const stored = await store.getAlert(p.org, p.key);
    if (!stored || stored.version !== p.version) {
      // A later write (a snapshot's listing, a webhook dated by GitHub) owns the alert now.
      if (await store.dropProvisional(p)) result.dropped += 1;
      return;
    }
    const { alertType, repository, number } = stored.alert;
    result.requests += 1;
    const raw = await fetchAlert(deps.gh, alertType, repository, number, { hideSecret: deps.hideSecret });
    if (raw === null) {
      log.info(
        'provisional webhook change not checked: GitHub no longer gives the alert; kept as recorded',
        where,
      );
      if (await store.dropProvisional(p)) result.dropped += 1;
      return;
    }
    const github = normalizeAlert(
      alertType,
      { ...raw, repository: { full_name: repository } },
      deps.normalize,
    );
    const settlement = settleProvisional(p, stored.alert, github, observedAt);
    if (!(await store.settleProvisional(p, settlement))) {
      result.left += 1;
      return;
    }
    result.settled[settlement.kind] += 1;
    if (settlement.kind !== 'confirmed') {
      log.warn('webhook change corrected from GitHub', {
        ...where,
        settlement: settlement.kind,
        removed: settlement.remove.map((t) => `${t.from ?? 'new'}→${t.to} at ${t.at}`),
        added: settlement.add.map((t) => `${t.from ?? 'new'}→${t.to} at ${t.at}`),
        githubState: github.state,
        githubUpdatedAt: github.updatedAt,
      });
    }
  };
  const worker = async (): Promise<void> => {
    while (!stopped) {
      const p = queue.shift();
      if (!p) return;
      try {
        await settleOne(p);
      } catch (error) {
        result.left += 1;
        if (error instanceof GitHubRateLimitError) stopped = true;
        if (
          !(error instanceof GitHubError || error instanceof StoreError || error instanceof InvalidAlertError)
        )
          throw error;
        log.warn('provisional webhook change left for the next snapshot', {
          ...ctx,
          alert: p.key,
          error: error.message,
        });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(SETTLE_CONCURRENCY, changes.length) }, worker));
  result.left += queue.length;
  log.info('provisional webhook changes settled', {
    ...ctx,
    ...result.settled,
    dropped: result.dropped,
    left: result.left,
  });
  return result;
}

async function listOf(store: DynamoStore, orgs: readonly string[]): Promise<ProvisionalChange[]> {
  return (await Promise.all(orgs.map((org) => store.listProvisional(org)))).flat();
}
