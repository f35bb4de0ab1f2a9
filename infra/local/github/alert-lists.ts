/**
 * The sorted, filtered lists behind the list endpoints, for one org or the orgs of an
 * enterprise, cached so that paging through 100,000 alerts sorts them once, not once a page.
 * Keys carry the instant shown and each org's `revision`, so `setNow` and `changeAlerts` never
 * serve a stale list.
 */
import {
  filterCodeScanning,
  filterDependabot,
  filterSecretScanning,
  rejectPageParameter,
  type SortedList,
} from './alert-filters.ts';
import { type AlertIndex, type IndexedAlert, indexAlertsAt } from './alert-index.ts';
import { filterAuditLog } from './audit-query.ts';
import type { DemoAlertType, DemoAuditEvent, DemoOrg } from './demo-types.ts';
import { LruCache } from './lru-cache.ts';

/** Query parameters that choose a page or the presentation, not the list. */
const NOT_LIST_KEYS = new Set(['per_page', 'after', 'before', 'page', 'hide_secret']);

function listKey(query: URLSearchParams): string {
  return [...query]
    .filter(([name]) => !NOT_LIST_KEYS.has(name))
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
    .sort()
    .join('&');
}

function scopeKey(demos: readonly DemoOrg[]): string {
  return demos.map((d) => `${d.org}@${d.revision ?? 0}`).join(',');
}

export class AlertLists {
  private readonly indexes = new Map<DemoOrg, { at: number; revision: number; index: AlertIndex }>();
  private readonly alertLists = new LruCache<SortedList<IndexedAlert>>(24);
  private readonly auditLists = new LruCache<SortedList<DemoAuditEvent>>(12);

  /** Every alert of one org at `now`, computed once per instant and revision. */
  index(demo: DemoOrg, now: Date): AlertIndex {
    const at = now.getTime();
    const revision = demo.revision ?? 0;
    const cached = this.indexes.get(demo);
    if (cached && cached.at === at && cached.revision === revision) return cached.index;
    const index = indexAlertsAt(demo, now);
    this.indexes.set(demo, { at, revision, index });
    return index;
  }

  /** The alerts of `demos` of one type that match `query`, sorted as it asks. */
  alerts(
    demos: readonly DemoOrg[],
    type: DemoAlertType,
    now: Date,
    query: URLSearchParams,
  ): SortedList<IndexedAlert> {
    // `page` is not part of the cache key, so its refusal cannot live in the cached filter only.
    if (type === 'dependabot') rejectPageParameter(query);
    const key = `${scopeKey(demos)}|${type}|${now.getTime()}|${listKey(query)}`;
    return this.alertLists.get(key, () => {
      const indexes = demos.map((d) => this.index(d, now));
      switch (type) {
        case 'dependabot':
          return filterDependabot(
            indexes.flatMap((i) => i.dependabot),
            query,
          );
        case 'secret_scanning':
          return filterSecretScanning(
            indexes.flatMap((i) => i.secret_scanning),
            query,
          );
        case 'code_scanning':
          return filterCodeScanning(
            indexes.flatMap((i) => i.code_scanning),
            query,
          );
      }
    });
  }

  /** The audit log entries of `demos` visible at `now` that match `query`. */
  auditLog(demos: readonly DemoOrg[], now: Date, query: URLSearchParams): SortedList<DemoAuditEvent> {
    const key = `${scopeKey(demos)}|audit|${now.getTime()}|${listKey(query)}`;
    return this.auditLists.get(key, () =>
      filterAuditLog(
        demos.length === 1 ? (demos[0]?.auditEvents ?? []) : demos.flatMap((d) => d.auditEvents),
        query,
        now,
      ),
    );
  }

  /** Frees every cached list (they would simply miss after a new instant or revision). */
  clear(): void {
    this.indexes.clear();
    this.alertLists.clear();
    this.auditLists.clear();
  }
}
