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

/** One org's alerts at one instant, grouped by repository (lower-cased name). */
type RepoIndex = { [T in keyof AlertIndex]: Map<string, AlertIndex[T]> };

function groupByRepository<A extends { alert: { repository: string } }>(
  entries: readonly A[],
): Map<string, A[]> {
  const out = new Map<string, A[]>();
  for (const entry of entries) {
    const key = entry.alert.repository.toLowerCase();
    let list = out.get(key);
    if (!list) {
      list = [];
      out.set(key, list);
    }
    list.push(entry);
  }
  return out;
}

export class AlertLists {
  private readonly indexes = new Map<DemoOrg, { at: number; revision: number; index: AlertIndex }>();
  private readonly repoIndexes = new Map<DemoOrg, { index: AlertIndex; byRepo: RepoIndex }>();
  private readonly alertLists = new LruCache<SortedList<IndexedAlert>>(24);
  /** Per-repository lists are small and many: their own cache, so they never evict an org list. */
  private readonly repoLists = new LruCache<SortedList<IndexedAlert>>(64);
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

  /** Every alert of one org at `now`, grouped by repository (built once per instant and revision). */
  private byRepository(demo: DemoOrg, now: Date): RepoIndex {
    const index = this.index(demo, now);
    const cached = this.repoIndexes.get(demo);
    if (cached && cached.index === index) return cached.byRepo;
    const byRepo: RepoIndex = {
      dependabot: groupByRepository(index.dependabot),
      secret_scanning: groupByRepository(index.secret_scanning),
      code_scanning: groupByRepository(index.code_scanning),
    };
    this.repoIndexes.set(demo, { index, byRepo });
    return byRepo;
  }

  /**
   * The alerts of one repository of one type that match `query`, sorted as it asks: what the
   * repository-level list endpoints serve. Filters and sort orders are the org lists' own.
   */
  repositoryAlerts(
    demo: DemoOrg,
    repository: string,
    type: DemoAlertType,
    now: Date,
    query: URLSearchParams,
  ): SortedList<IndexedAlert> {
    if (type === 'dependabot') rejectPageParameter(query);
    const repo = repository.toLowerCase();
    const key = `${demo.org}@${demo.revision ?? 0}/${repo}|${type}|${now.getTime()}|${listKey(query)}`;
    return this.repoLists.get(key, () => {
      const byRepo = this.byRepository(demo, now);
      switch (type) {
        case 'dependabot':
          return filterDependabot(byRepo.dependabot.get(repo) ?? [], query);
        case 'secret_scanning':
          return filterSecretScanning(byRepo.secret_scanning.get(repo) ?? [], query);
        case 'code_scanning':
          return filterCodeScanning(byRepo.code_scanning.get(repo) ?? [], query);
      }
    });
  }

  /** The alerts of each repository of one org at `now` (for repository fields such as `pushed_at`). */
  repositoryIndex(demo: DemoOrg, now: Date): RepoIndex {
    return this.byRepository(demo, now);
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
    this.repoIndexes.clear();
    this.alertLists.clear();
    this.repoLists.clear();
    this.auditLists.clear();
  }
}
