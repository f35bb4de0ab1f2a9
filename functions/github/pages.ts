import type { AlertType, StreamName } from '../core/model.ts';
import { mapGitHubError, NON_PROVIDER_SECRET_TYPES } from './alerts.ts';
import { fetchAt, type GitHubClient, receivedBytes } from './client.ts';
import { GitHubUnavailableError } from './errors.ts';

/**
 * One paginated listing ("lane"). Secret scanning has two: provider patterns, and the
 * non-provider types GitHub returns only when asked by name.
 */
export interface Lane {
  id: string;
  stream: StreamName;
  route: string;
  params: Record<string, string | number | boolean>;
  /**
   * The listing this lane is part of: its incremental lane's id, which names its watermark. A full
   * run splits the longest listings into partitions by state, plus a sweep of what moved.
   */
  group: string;
  /**
   * A full run's closing sweep of one listing: newest updates first, back to shortly before the
   * run started. It runs after the group's partitions when they left a stored alert unlisted, and
   * lists every alert that changed state during the run and so may have moved between partitions
   * behind their cursors.
   */
  sweep?: boolean;
  /**
   * A full run lists a long partition from both ends at once, oldest and newest created first, two
   * cursor chains side by side that stop where they cross. `id` names the partition (its oldest
   * end's lane id), which the two ends share.
   */
  pair?: { id: string; end: 'oldest' | 'newest' };
}

/**
 * The listings a full run may split once they are long: each partition becomes its own pair of
 * cursor chains (both ends, see `Lane.pair`), and a closing sweep lists what moved.
 */
export const PARTITIONED_LISTINGS: readonly string[] = ['dependabot', 'code_scanning', 'secret_scanning'];
/**
 * How full runs split a listing by `state` (a state change always moves `updated_at`, so the
 * closing sweep, when a stored alert went unlisted, finds every alert that moved). Together the
 * values are every state the lists document. Secret scanning is not split by state: both ends
 * of one chain are enough for it. Dependabot in three: with open and closed only, the closed
 * partition's chains were the run's longest (145 pages on the 100,000-alert benchmark against
 * 106) and the run took 17-18 s instead of 14, for one request less.
 */
const FULL_PARTITIONS: Partial<Record<AlertType, { id: string; state: string }[]>> = {
  dependabot: [
    { id: 'open', state: 'open' },
    { id: 'fixed', state: 'fixed' },
    { id: 'dismissed', state: 'dismissed,auto_dismissed' },
  ],
  // `closed` is every state but open (dismissed, fixed, and `closed` itself, which the list's
  // schema allows): three single states would miss an alert in a fourth.
  code_scanning: [
    { id: 'open', state: 'open' },
    { id: 'closed', state: 'closed' },
  ],
};

/** The partitions a full run splits a listing into: their lane ids (each partition's oldest end). */
export function partitionsOf(group: string): string[] {
  const partitions = FULL_PARTITIONS[group as AlertType];
  return partitions ? partitions.map((p) => `${group}:${p.id}`) : [group];
}

/**
 * The partition of a split listing that lists an alert in `state` (as GitHub gives it): what a
 * full run counts to size each partition for the next one. The listing's own id when it has no
 * state partitions, or none lists that state.
 *
 * @example
 * partitionOf('dependabot', 'auto_dismissed'); // 'dependabot:dismissed'
 * partitionOf('code_scanning', 'fixed'); // 'code_scanning:closed'
 * partitionOf('secret_scanning', 'open'); // 'secret_scanning'
 */
export function partitionOf(group: string, state: unknown): string {
  return (
    PARTITION_OF_STATE.get(group)?.get(String(state)) ??
    (group === 'code_scanning' ? CODE_SCANNING_CLOSED : group)
  );
}

// Code scanning's `closed` lists every state but open.
const CODE_SCANNING_CLOSED = 'code_scanning:closed';
/** Per listing, each state's partition id: `partitionOf` runs once per listed alert. */
const PARTITION_OF_STATE = new Map(
  Object.entries(FULL_PARTITIONS).map(([group, partitions]) => [
    group,
    new Map(
      partitions.flatMap((p) => p.state.split(',').map((state) => [state, `${group}:${p.id}`] as const)),
    ),
  ]),
);

/** Where alert-ledger reads from: one organisation, or a whole enterprise (token auth only). */
export type Scope = { kind: 'org'; org: string } | { kind: 'enterprise'; enterprise: string };

const ALERT_PATHS: Record<AlertType, string> = {
  dependabot: 'dependabot/alerts',
  secret_scanning: 'secret-scanning/alerts',
  code_scanning: 'code-scanning/alerts',
};

function base(scope: Scope): { prefix: string; params: Record<string, string> } {
  return scope.kind === 'org'
    ? { prefix: '/orgs/{org}', params: { org: scope.org } }
    : { prefix: '/enterprises/{enterprise}', params: { enterprise: scope.enterprise } };
}

/** The audit log actions alert-ledger reads, as one phrase: values of one qualifier are ORed. */
export const AUDIT_ACTIONS = [
  'repository_vulnerability_alert',
  'secret_scanning_alert',
  'secret_scanning_push_protection',
  'code_scanning',
] as const;

/**
 * The lanes of a snapshot, newest update first so an incremental run can stop early.
 *
 * @example
 * alertLanes({ kind: 'org', org: 'octo' }, { hideSecret: true }).map((l) => l.id);
 * // ['dependabot', 'secret_scanning', 'secret_scanning:non_provider', 'code_scanning']
 * // with order 'created', partition ['dependabot'] and byState ['dependabot']: 'dependabot:open',
 * // 'dependabot:open:newest', 'dependabot:fixed', 'dependabot:fixed:newest', 'dependabot:dismissed',
 * // 'dependabot:dismissed:newest', 'dependabot:moved', 'secret_scanning', ...; without byState:
 * // 'dependabot', 'dependabot:newest', 'dependabot:moved', ...
 */
export function alertLanes(
  scope: Scope,
  options: {
    hideSecret: boolean;
    order?: 'updated' | 'created';
    /**
     * With order 'created': the listings to split (of PARTITIONED_LISTINGS), each listed from
     * both ends, with a closing sweep.
     */
    partition?: ReadonlySet<string>;
    /** Of those, the ones also split by state (FULL_PARTITIONS), each partition from both ends. */
    byState?: ReadonlySet<string>;
  },
): Lane[] {
  const { prefix, params } = base(scope);
  // Incremental runs read newest updates first and stop at the watermark. Full runs read by
  // creation, oldest first: an alert updated during the listing would otherwise jump above the
  // cursor and be missed (then wrongly taken for gone); new alerts land at the end, still read.
  // A split listing's newest end starts at the end: what is created after it began lands behind
  // its cursor, and the next run (which lists from this run's instant) lists it.
  const common =
    options.order === 'created'
      ? { ...params, per_page: 100, sort: 'created', direction: 'asc' }
      : { ...params, per_page: 100, sort: 'updated', direction: 'desc' };
  const secretParams = options.hideSecret ? { ...common, hide_secret: true } : common;
  const lanes: Lane[] = [
    {
      id: 'dependabot',
      group: 'dependabot',
      stream: 'dependabot',
      route: `GET ${prefix}/${ALERT_PATHS.dependabot}`,
      params: common,
    },
    {
      id: 'secret_scanning',
      group: 'secret_scanning',
      stream: 'secret_scanning',
      route: `GET ${prefix}/${ALERT_PATHS.secret_scanning}`,
      params: secretParams,
    },
    {
      id: 'secret_scanning:non_provider',
      group: 'secret_scanning:non_provider',
      stream: 'secret_scanning',
      route: `GET ${prefix}/${ALERT_PATHS.secret_scanning}`,
      params: { ...secretParams, secret_type: NON_PROVIDER_SECRET_TYPES.join(',') },
    },
    {
      id: 'code_scanning',
      group: 'code_scanning',
      stream: 'code_scanning',
      route: `GET ${prefix}/${ALERT_PATHS.code_scanning}`,
      params: common,
    },
  ];
  if (options.order !== 'created') return lanes;
  return lanes.flatMap((lane) => {
    if (!options.partition?.has(lane.group)) return [lane];
    const partitions = options.byState?.has(lane.group)
      ? FULL_PARTITIONS[lane.stream as AlertType]
      : undefined;
    const parts: Lane[] = partitions
      ? partitions.map((p) => ({
          ...lane,
          id: `${lane.id}:${p.id}`,
          params: { ...lane.params, state: p.state },
        }))
      : [lane];
    return [
      ...parts.flatMap((part): Lane[] => [
        { ...part, pair: { id: part.id, end: 'oldest' } },
        {
          ...part,
          id: `${part.id}:newest`,
          params: { ...part.params, direction: 'desc' },
          pair: { id: part.id, end: 'newest' },
        },
      ]),
      {
        ...lane,
        id: `${lane.id}:moved`,
        sweep: true,
        params: { ...lane.params, sort: 'updated', direction: 'desc' },
      },
    ];
  });
}

/** The audit log lane: the alert actions, newest first, from `createdSince` (a day boundary). */
export function auditLogLane(scope: Scope, createdSince: string | null): Lane {
  const { prefix, params } = base(scope);
  const phrase = [
    ...AUDIT_ACTIONS.map((a) => `action:${a}`),
    createdSince ? `created:>=${createdSince.slice(0, 10)}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return {
    id: 'audit_log',
    group: 'audit_log',
    stream: 'audit_log',
    route: `GET ${prefix}/audit-log`,
    params: { ...params, phrase, include: 'web', order: 'desc', per_page: 100 },
  };
}

export interface Page {
  /** The page's items, or null when the body was not a JSON array (counted, then skipped). */
  items: unknown[] | null;
  /** The next page's URL as GitHub gave it in the Link header, or null on the last page. */
  next: string | null;
  /** Why `items` is null. */
  invalid?: string;
  /** `x-github-enterprise-version` when the server is GHES. */
  ghesVersion?: string;
}

/** The URL a lane's page is asked at (as `fetchPage` asks): `next` as GitHub linked it, or the lane's first page. */
export function pageUrl(gh: GitHubClient, lane: Lane, next: string | null): string {
  return (next ? gh.request.endpoint(`GET ${next}`) : gh.request.endpoint(lane.route, lane.params)).url;
}

const NEXT_LINK = /<([^<>]+)>;\s*rel="next"/;
/** The `rel="next"` URL of a Link header, or null. */
const nextLink = (link: string): string | null => NEXT_LINK.exec(link)?.[1] ?? null;
/** A body cut off while it was being read is fetched again this many times in all. */
const BODY_ATTEMPTS = 3;

/**
 * Fetches one page of a lane: the first from its route and parameters, later ones from the
 * `next` URL GitHub returned (cursor pagination: Dependabot refuses `page`). Retries, backoff
 * and rate limits are the client's plugins' business; what still fails is mapped to this
 * adapter's errors.
 *
 * The body is read and parsed here with `JSON.parse`: Octokit's own parser (json-with-bigint,
 * for integers beyond 2^53 that alert lists never hold) took half the collector's CPU in the
 * snapshot benchmark. A body cut off mid-read is fetched again (the plugins only retry what
 * fails before the body).
 */
export async function fetchPage(
  gh: GitHubClient,
  lane: Lane,
  next: string | null,
  what: string,
  /** Before other waiting requests when higher (see `fetchAt`): the lanes with most pages left. */
  priority = 0,
  /**
   * Told the next page's URL (null on the last page) as soon as the answer's headers arrive, before
   * its body has, so a cursor chain can ask for the next page at once. The page's own `next` is
   * what counts: a body fetched again could, in principle, end elsewhere.
   */
  onNext?: (next: string | null) => void,
): Promise<Page> {
  const onHeaders = onNext ? (headers: Headers) => onNext(nextLink(headers.get('link') ?? '')) : undefined;
  const fetch = priority === 0 && !onHeaders ? undefined : fetchAt(gh, priority, onHeaders);
  for (let attempt = 1; ; attempt++) {
    let res: Awaited<ReturnType<GitHubClient['request']>>;
    try {
      const raw = { request: { parseSuccessResponseBody: false, ...(fetch ? { fetch } : {}) } };
      res = next
        ? await gh.request(`GET ${next}`, raw)
        : await gh.request(lane.route, { ...lane.params, ...raw });
    } catch (error) {
      throw mapGitHubError(error, what, lane.stream);
    }
    let text: string;
    try {
      const bytes = receivedBytes(res.data);
      text = bytes
        ? Buffer.from(bytes).toString('utf8')
        : res.data
          ? await new Response(res.data as ReadableStream).text()
          : '';
    } catch (error) {
      if (attempt < BODY_ATTEMPTS) continue;
      throw new GitHubUnavailableError(
        `GitHub's answer was cut off ${BODY_ATTEMPTS} times while trying to ${what}; the snapshot resumes from its checkpoint on the next run.`,
        res.status,
        { cause: error },
      );
    }
    const nextUrl = nextLink(typeof res.headers.link === 'string' ? res.headers.link : '');
    const ghes = res.headers['x-github-enterprise-version'];
    let data: unknown;
    let parsed = true;
    try {
      data = JSON.parse(text);
    } catch {
      parsed = false;
    }
    const page: Page = Array.isArray(data)
      ? { items: data, next: nextUrl }
      : {
          items: null,
          next: nextUrl,
          invalid: parsed ? 'body is not a JSON array' : 'body is not valid JSON',
        };
    if (typeof ghes === 'string') page.ghesVersion = ghes;
    return page;
  }
}
