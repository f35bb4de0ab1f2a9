/**
 * The REST routes of the simulated GitHub: org alert lists, the org audit log, the org itself
 * and `/rate_limit`. Pure apart from the clock and renderer passed in the context.
 */
import {
  filterCodeScanning,
  filterDependabot,
  filterSecretScanning,
  type SortedAlerts,
} from './alert-filters.ts';
import { filterAuditLog } from './audit-query.ts';
import type { DemoOrg } from './demo-types.ts';
import { DOCS, githubError, QueryParameterError, type RouteResult } from './github-errors.ts';
import type { JsonObject } from './openapi-deref.ts';
import { type Keyed, linkHeader, paginate } from './pagination.ts';
import { readOptional, readPage, readPerPage } from './query-params.ts';
import type { RateLimitSnapshot } from './rate-limiter.ts';
import type { RenderedAlerts } from './render.ts';
import { legacyNodeId } from './render-templates.ts';

/** The features a token can lack permission for (`forbid` option of the server). */
export type Feature = 'dependabot' | 'secret_scanning' | 'code_scanning' | 'audit_log';

export interface RouteContext {
  demo: DemoOrg;
  /** The simulated server's own URL, for `Link` headers and `url` fields. */
  baseUrl: string;
  now: Date;
  /** The alerts as GitHub shows them at `now` (computed on first use). */
  alerts(): RenderedAlerts;
  forbid: ReadonlySet<Feature>;
  rateLimit: RateLimitSnapshot;
}

type OrgScoped = 'dependabot/alerts' | 'secret-scanning/alerts' | 'code-scanning/alerts' | 'audit-log' | '';

/** `/orgs/{login}/...` as clients write it, `/organizations/{id}/...` as GitHub's links do. */
const ORG_ROUTE =
  /^\/(?:orgs\/([^/]+)|organizations\/(\d+))(?:\/(dependabot\/alerts|secret-scanning\/alerts|code-scanning\/alerts|audit-log))?\/?$/;

function findsOrg(demo: DemoOrg, login: string | undefined, id: string | undefined): boolean {
  if (login !== undefined) return decodeURIComponent(login).toLowerCase() === demo.org.toLowerCase();
  return id !== undefined && Number(id) === demo.orgId;
}

function listResponse<T>(
  ctx: RouteContext,
  url: URL,
  path: string,
  sorted: { entries: Keyed<T>[]; direction: 'asc' | 'desc' },
  allowPage: boolean,
  present: (items: T[]) => unknown[] = (items) => items,
): RouteResult {
  const page = paginate(sorted.entries, sorted.direction, {
    perPage: readPerPage(url.searchParams),
    after: readOptional(url.searchParams, 'after'),
    before: readOptional(url.searchParams, 'before'),
    page: allowPage ? readPage(url.searchParams) : undefined,
  });
  const link = linkHeader(
    `${ctx.baseUrl}/organizations/${ctx.demo.orgId}/${path}`,
    url.searchParams,
    page.links,
  );
  return { status: 200, body: present(page.items), headers: link ? { link } : {} };
}

function withoutSecret(alert: JsonObject): JsonObject {
  const { secret: _secret, ...rest } = alert;
  return rest;
}

function orgBody(ctx: RouteContext): JsonObject {
  const { demo, baseUrl } = ctx;
  const api = `${baseUrl}/orgs/${demo.org}`;
  return {
    login: demo.org,
    id: demo.orgId,
    node_id: legacyNodeId('Organization', demo.orgId),
    url: api,
    repos_url: `${api}/repos`,
    events_url: `${api}/events`,
    hooks_url: `${api}/hooks`,
    issues_url: `${api}/issues`,
    members_url: `${api}/members{/member}`,
    public_members_url: `${api}/public_members{/member}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${demo.orgId}?v=4`,
    description: 'Demo organisation of alert-ledger (simulated)',
    name: 'Octo Demo',
    html_url: `https://github.com/${demo.org}`,
    public_repos: demo.repositories.filter((r) => !r.private).length,
    total_private_repos: demo.repositories.filter((r) => r.private).length,
    created_at: demo.historyStartsAt,
    type: 'Organization',
  };
}

function rateLimitBody(snapshot: RateLimitSnapshot): JsonObject {
  const core = { ...snapshot, resource: 'core' };
  return {
    resources: {
      core,
      search: { limit: 30, remaining: 30, used: 0, reset: snapshot.reset, resource: 'search' },
      graphql: { limit: 5000, remaining: 5000, used: 0, reset: snapshot.reset, resource: 'graphql' },
    },
    rate: core,
  };
}

const FEATURE_OF: Record<Exclude<OrgScoped, ''>, Feature> = {
  'dependabot/alerts': 'dependabot',
  'secret-scanning/alerts': 'secret_scanning',
  'code-scanning/alerts': 'code_scanning',
  'audit-log': 'audit_log',
};

function orgScoped(ctx: RouteContext, url: URL, sub: OrgScoped): RouteResult {
  if (sub === '') return { status: 200, body: orgBody(ctx) };
  const feature = FEATURE_OF[sub];
  // GitHub's answer when the token's app or fine-grained grant lacks the permission.
  if (ctx.forbid.has(feature))
    return githubError(403, 'Resource not accessible by integration', DOCS[feature]);
  const q = url.searchParams;
  try {
    switch (sub) {
      case 'dependabot/alerts':
        return listResponse(ctx, url, sub, filterDependabot(ctx.alerts().dependabot, q), false);
      case 'code-scanning/alerts':
        return listResponse(ctx, url, sub, filterCodeScanning(ctx.alerts().code_scanning, q), true);
      case 'secret-scanning/alerts': {
        const sorted: SortedAlerts = filterSecretScanning(ctx.alerts().secret_scanning, q);
        const hide = q.get('hide_secret') === 'true';
        return listResponse(ctx, url, sub, sorted, true, (items) =>
          hide ? items.map(withoutSecret) : items,
        );
      }
      case 'audit-log':
        return listResponse(ctx, url, sub, filterAuditLog(ctx.demo.auditEvents, q, ctx.now), false);
    }
  } catch (error) {
    if (error instanceof QueryParameterError) return githubError(error.status, error.message, DOCS[feature]);
    throw error;
  }
}

/** Answers one authenticated GET. */
export function route(ctx: RouteContext, method: string, url: URL): RouteResult {
  if (method !== 'GET' && method !== 'HEAD') return githubError(404, 'Not Found');
  if (url.pathname === '/rate_limit') return { status: 200, body: rateLimitBody(ctx.rateLimit) };
  const match = ORG_ROUTE.exec(url.pathname);
  if (!match) return githubError(404, 'Not Found');
  const [, login, id, sub = ''] = match;
  if (!findsOrg(ctx.demo, login, id)) return githubError(404, 'Not Found', DOCS.org);
  return orgScoped(ctx, url, sub as OrgScoped);
}
