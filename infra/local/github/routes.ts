/**
 * The REST routes of the simulated GitHub: org and enterprise alert lists, org and enterprise
 * audit logs, the org itself, its repositories and their alert lists (`repo-routes.ts`), a
 * GitHub App's installation endpoints, `/meta` and `/rate_limit`.
 * Pure apart from the clock, caches and App passed in the context.
 */
import type { IndexedAlert } from './alert-index.ts';
import type { AlertLists } from './alert-lists.ts';
import type { DemoAlertType, DemoAuditEvent, DemoOrg } from './demo-types.ts';
import { DOCS, githubError, QueryParameterError } from './github-errors.ts';
import { listResponse, type RouteOutcome, withoutSecret } from './list-response.ts';
import { responseExample } from './openapi.ts';
import type { JsonObject } from './openapi-deref.ts';
import type { RateLimitSnapshot } from './rate-limiter.ts';
import type { AlertRenderer } from './render.ts';
import { legacyNodeId } from './render-templates.ts';
import {
  canonicalRepoPath,
  findRepository,
  organizationRepositories,
  REPO_ALERT_DOCS,
  REPO_ALERT_ROUTE,
  REPO_DOCS,
  REPO_ROUTE,
  type RepoListName,
  repositoryAlert,
  repositoryAlertList,
  repositoryNotFound,
} from './repo-routes.ts';
import { JWT_MESSAGES, type SimulatedApp } from './simulated-app.ts';

/** The features a token can lack permission for (`forbid` option of the server). */
export type Feature = 'dependabot' | 'secret_scanning' | 'code_scanning' | 'audit_log';

/** GHES releases the simulator can imitate. */
export type GhesVersion = '3.17' | '3.18' | '3.19';

/** Who is asking, from the `Authorization` header. */
export type Principal =
  | { kind: 'anonymous' }
  /** The token given to the server: a person's token with access to every org and the enterprise. */
  | { kind: 'token' }
  /** A GitHub App's JWT: only the App's own endpoints. */
  | { kind: 'app' }
  | { kind: 'installation'; installationId: number; org: string; token: string };

export interface RouteContext {
  orgs: readonly DemoOrg[];
  /** The enterprise slug owning every org, if any. */
  enterprise: string | undefined;
  /** The API root as clients see it (with `/api/v3` on GHES), for `Link` headers and `url` fields. */
  baseUrl: string;
  now: Date;
  lists: AlertLists;
  renderer(demo: DemoOrg): AlertRenderer;
  forbid: ReadonlySet<Feature>;
  rateLimit: RateLimitSnapshot;
  ghes: GhesVersion | undefined;
  principal: Principal;
  app: SimulatedApp | undefined;
}

export type { RouteOutcome } from './list-response.ts';

type ListName = 'dependabot/alerts' | 'secret-scanning/alerts' | 'code-scanning/alerts' | 'audit-log';

const LIST_NAMES = 'dependabot\\/alerts|secret-scanning\\/alerts|code-scanning\\/alerts|audit-log';

/** `/orgs/{login}/...` as clients write it, `/organizations/{id}/...` as GitHub's links do. */
const ORG_ROUTE = new RegExp(
  `^\\/(?:orgs\\/([^/]+)|organizations\\/(\\d+))(?:\\/(${LIST_NAMES}|installation|repos))?\\/?$`,
);
const ENTERPRISE_ROUTE = new RegExp(`^\\/enterprises\\/([^/]+)\\/(${LIST_NAMES})\\/?$`);
const ACCESS_TOKEN_ROUTE = /^\/app\/installations\/(\d+)\/access_tokens\/?$/;

const FEATURE_OF: Record<ListName, Feature> = {
  'dependabot/alerts': 'dependabot',
  'secret-scanning/alerts': 'secret_scanning',
  'code-scanning/alerts': 'code_scanning',
  'audit-log': 'audit_log',
};

const ALERT_TYPE_OF: Record<Exclude<ListName, 'audit-log'>, DemoAlertType> = {
  'dependabot/alerts': 'dependabot',
  'secret-scanning/alerts': 'secret_scanning',
  'code-scanning/alerts': 'code_scanning',
};

/** The App permission each feature needs, as GitHub names it in installation tokens. */
const PERMISSION_OF: Record<Feature, string> = {
  dependabot: 'vulnerability_alerts',
  secret_scanning: 'secret_scanning_alerts',
  code_scanning: 'security_events',
  audit_log: 'organization_administration',
};

const ENTERPRISE_DOCS =
  'https://docs.github.com/enterprise-cloud@latest/rest/dependabot/alerts#list-dependabot-alerts-for-an-enterprise';

export function findOrg(
  orgs: readonly DemoOrg[],
  login: string | undefined,
  id: string | undefined,
): DemoOrg | undefined {
  if (login !== undefined) {
    const wanted = decodeURIComponent(login).toLowerCase();
    return orgs.find((o) => o.org.toLowerCase() === wanted);
  }
  return id === undefined ? undefined : orgs.find((o) => o.orgId === Number(id));
}

/**
 * The form a client first asks for: `/organizations/{id}/...` (GitHub's `Link` headers) becomes
 * `/orgs/{login}/...`, so a fault on "the Dependabot list" hits every page of it.
 */
export function canonicalPath(orgs: readonly DemoOrg[], path: string): string {
  const repoPath = canonicalRepoPath(orgs, path);
  if (repoPath !== undefined) return repoPath;
  const match = /^\/organizations\/(\d+)(\/.*)?$/.exec(path);
  if (!match) return path;
  const org = findOrg(orgs, undefined, match[1]);
  return org ? `/orgs/${org.org}${match[2] ?? ''}` : path;
}

function orgBody(ctx: RouteContext, demo: DemoOrg): JsonObject {
  const api = `${ctx.baseUrl}/orgs/${demo.org}`;
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
    // `octo-demo` is shown as "Octo Demo".
    name: demo.org
      .split('-')
      .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
      .join(' '),
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

function metaBody(ctx: RouteContext): JsonObject {
  // github.com has no `installed_version`: that is how clients tell GHES apart.
  if (ctx.ghes === undefined) return { verifiable_password_authentication: false };
  return {
    verifiable_password_authentication: true,
    installed_version: `${ctx.ghes}.0`,
    packages: [],
    domains: {},
  };
}

/** The App's permissions: read on every feature the server does not forbid. */
function appPermissions(ctx: RouteContext): Record<string, string> {
  const permissions: Record<string, string> = { metadata: 'read' };
  for (const feature of Object.keys(PERMISSION_OF) as Feature[]) {
    if (!ctx.forbid.has(feature)) permissions[PERMISSION_OF[feature]] = 'read';
  }
  return permissions;
}

function installationBody(ctx: RouteContext, app: SimulatedApp, id: number, demo: DemoOrg): JsonObject {
  const example = responseExample('GET /orgs/{org}/installation') as JsonObject;
  const exampleAccount = (example.account ?? {}) as JsonObject;
  return {
    ...example,
    id,
    account: {
      ...exampleAccount,
      login: demo.org,
      id: demo.orgId,
      node_id: legacyNodeId('Organization', demo.orgId),
      avatar_url: `https://avatars.githubusercontent.com/u/${demo.orgId}?v=4`,
      url: `${ctx.baseUrl}/orgs/${demo.org}`,
      html_url: `https://github.com/${demo.org}`,
      repos_url: `${ctx.baseUrl}/orgs/${demo.org}/repos`,
      events_url: `${ctx.baseUrl}/orgs/${demo.org}/events`,
      type: 'Organization',
    },
    access_tokens_url: `${ctx.baseUrl}/app/installations/${id}/access_tokens`,
    repositories_url: `${ctx.baseUrl}/installation/repositories`,
    html_url: `https://github.com/organizations/${demo.org}/settings/installations/${id}`,
    app_id: app.appId,
    app_slug: 'alert-ledger-simulated',
    client_id: 'Iv1.simulated00000000',
    target_id: demo.orgId,
    target_type: 'Organization',
    permissions: appPermissions(ctx),
    events: [],
    created_at: demo.historyStartsAt,
    updated_at: demo.historyStartsAt,
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    suspended_at: null,
    suspended_by: null,
  };
}

/** The alerts or audit events of one org, or of every org of the enterprise: one page of them. */
function listOf(
  ctx: RouteContext,
  url: URL,
  scope: { demos: readonly DemoOrg[]; enterprise: boolean; linkBase: string },
  name: ListName,
): RouteOutcome {
  const q = url.searchParams;
  const { demos, enterprise, linkBase } = scope;
  if (name === 'audit-log') {
    const sorted = ctx.lists.auditLog(demos, ctx.now, q);
    const business = ctx.enterprise;
    // The enterprise log names the enterprise in every entry; the org log of an org does too.
    const present = (items: DemoAuditEvent[]): unknown[] =>
      business === undefined
        ? items
        : items.map((e) => ({ ...e, business, business_id: enterpriseId(business) }));
    return listResponse(url, linkBase, sorted, enterprise, present);
  }
  const type = ALERT_TYPE_OF[name];
  const sorted = ctx.lists.alerts(demos, type, ctx.now, q);
  // GHES 3.17 predates `hide_secret`: it ignores the parameter and returns the secret.
  const hide = q.get('hide_secret') === 'true' && ctx.ghes !== '3.17';
  const present = (items: IndexedAlert[]): unknown[] =>
    items.map((entry) => {
      const rendered = ctx.renderer(entry.demo).render(entry);
      return hide ? withoutSecret(rendered) : rendered;
    });
  // Dependabot lists and the enterprise secret scanning list paginate by cursor only.
  const allowPage = type === 'code_scanning' || (type === 'secret_scanning' && !enterprise);
  return listResponse(url, linkBase, sorted, allowPage, present, (entry) =>
    ctx.renderer(entry.demo).renderJson(entry, hide),
  );
}

/** A stable made-up id for the enterprise, from its slug. */
export function enterpriseId(slug: string): number {
  let hash = 7;
  for (const ch of slug) hash = (hash * 31 + ch.charCodeAt(0)) % 9_000_000;
  return 1_000_000 + hash;
}

function guarded(docs: string, run: () => RouteOutcome): RouteOutcome {
  try {
    return run();
  } catch (error) {
    if (error instanceof QueryParameterError) return githubError(error.status, error.message, docs);
    throw error;
  }
}

function orgRoute(ctx: RouteContext, url: URL, demo: DemoOrg, sub: string): RouteOutcome {
  const { principal } = ctx;
  if (sub === 'installation') {
    const app = ctx.app;
    if (!app) return githubError(404, 'Not Found');
    if (principal.kind !== 'app') return githubError(401, JWT_MESSAGES.undecodable);
    const id = app.installationFor(demo.org);
    if (id === undefined) return githubError(404, 'Not Found', DOCS.rest);
    return { status: 200, body: installationBody(ctx, app, id, demo) };
  }
  // An installation token reaches the org it is installed on and nothing else.
  if (principal.kind === 'installation' && principal.org !== demo.org.toLowerCase()) {
    return githubError(403, 'Resource not accessible by integration', DOCS.rest);
  }
  if (sub === '') return { status: 200, body: orgBody(ctx, demo) };
  if (sub === 'repos') return guarded(REPO_DOCS.repos, () => organizationRepositories(ctx, url, demo));
  const name = sub as ListName;
  const feature = FEATURE_OF[name];
  // GitHub's answer when the token's app or fine-grained grant lacks the permission.
  if (ctx.forbid.has(feature))
    return githubError(403, 'Resource not accessible by integration', DOCS[feature]);
  return guarded(DOCS[feature], () =>
    listOf(
      ctx,
      url,
      { demos: [demo], enterprise: false, linkBase: `${ctx.baseUrl}/organizations/${demo.orgId}/${name}` },
      name,
    ),
  );
}

/** `/repos/{owner}/{repo}/<alert list>` and `/repositories/{id}/<alert list>`. */
function repoRoute(ctx: RouteContext, url: URL, match: RegExpExecArray): RouteOutcome {
  const [, owner, name, id, list = ''] = match;
  const listName = list as RepoListName;
  const found = findRepository(ctx.orgs, owner, name, id);
  const { principal } = ctx;
  // GitHub answers 404, not 403, for a repository the token cannot see.
  if (!found || (principal.kind === 'installation' && principal.org !== found.demo.org.toLowerCase())) {
    return repositoryNotFound(listName);
  }
  const feature = FEATURE_OF[listName];
  if (ctx.forbid.has(feature))
    return githubError(403, 'Resource not accessible by integration', REPO_DOCS[listName]);
  return guarded(REPO_DOCS[listName], () => repositoryAlertList(ctx, url, found.demo, found.repo, listName));
}

/** `/repos/{owner}/{repo}/<alert list>/{alert_number}`: one alert. */
function repoAlertRoute(ctx: RouteContext, url: URL, match: RegExpExecArray): RouteOutcome {
  const [, owner, name, id, list = '', alertNumber = ''] = match;
  const listName = list as RepoListName;
  const found = findRepository(ctx.orgs, owner, name, id);
  const { principal } = ctx;
  if (!found || (principal.kind === 'installation' && principal.org !== found.demo.org.toLowerCase())) {
    return githubError(404, 'Not Found', REPO_ALERT_DOCS[listName]);
  }
  const feature = FEATURE_OF[listName];
  if (ctx.forbid.has(feature))
    return githubError(403, 'Resource not accessible by integration', REPO_ALERT_DOCS[listName]);
  return repositoryAlert(ctx, url, found.demo, found.repo, listName, Number(alertNumber));
}

function enterpriseRoute(ctx: RouteContext, url: URL, slug: string, name: ListName): RouteOutcome {
  if (
    ctx.enterprise === undefined ||
    decodeURIComponent(slug).toLowerCase() !== ctx.enterprise.toLowerCase()
  ) {
    return githubError(404, 'Not Found', ENTERPRISE_DOCS);
  }
  // GitHub does not let GitHub Apps read enterprise-level alert lists or the enterprise audit log.
  if (ctx.principal.kind === 'installation') {
    return githubError(403, 'Resource not accessible by integration', ENTERPRISE_DOCS);
  }
  const feature = FEATURE_OF[name];
  if (ctx.forbid.has(feature))
    return githubError(403, 'Resource not accessible by integration', ENTERPRISE_DOCS);
  return guarded(ENTERPRISE_DOCS, () =>
    listOf(
      ctx,
      url,
      { demos: ctx.orgs, enterprise: true, linkBase: `${ctx.baseUrl}/enterprises/${ctx.enterprise}/${name}` },
      name,
    ),
  );
}

function createAccessToken(ctx: RouteContext, installationId: number): RouteOutcome {
  const app = ctx.app;
  if (!app) return githubError(404, 'Not Found');
  if (ctx.principal.kind !== 'app') return githubError(401, JWT_MESSAGES.undecodable);
  if (app.orgOf(installationId) === undefined) {
    return githubError(
      404,
      'Not Found',
      'https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app',
    );
  }
  const issued = app.issueToken(installationId);
  return {
    status: 201,
    body: {
      token: issued.token,
      expires_at: issued.expiresAt,
      permissions: appPermissions(ctx),
      repository_selection: 'all',
    },
  };
}

/** Paths anyone may call, without a token. */
export function isPublicPath(path: string): boolean {
  return path === '/meta';
}

/** Paths that take a GitHub App JWT instead of a token. */
export function isAppPath(path: string): boolean {
  return path.startsWith('/app/') || path === '/app' || /^\/orgs\/[^/]+\/installation\/?$/.test(path);
}

/** Answers one authenticated request (`url` without the GHES prefix). */
export function route(ctx: RouteContext, method: string, url: URL): RouteOutcome {
  const path = url.pathname;
  const tokenMatch = ACCESS_TOKEN_ROUTE.exec(path);
  if (tokenMatch) {
    if (method !== 'POST') return githubError(404, 'Not Found');
    return createAccessToken(ctx, Number(tokenMatch[1]));
  }
  if (path === '/installation/token' && method === 'DELETE') {
    // GitHub's way for an installation to end its own token before it expires.
    if (ctx.principal.kind !== 'installation' || !ctx.app) return githubError(401, 'Bad credentials');
    ctx.app.revoke(ctx.principal.token);
    return { status: 204, body: null };
  }
  if (method !== 'GET' && method !== 'HEAD') return githubError(404, 'Not Found');
  if (path === '/meta') return { status: 200, body: metaBody(ctx) };
  if (path === '/rate_limit') return { status: 200, body: rateLimitBody(ctx.rateLimit) };
  const enterpriseMatch = ENTERPRISE_ROUTE.exec(path);
  if (enterpriseMatch) {
    const [, slug = '', name = ''] = enterpriseMatch;
    return enterpriseRoute(ctx, url, slug, name as ListName);
  }
  const repoMatch = REPO_ROUTE.exec(path);
  if (repoMatch) return repoRoute(ctx, url, repoMatch);
  const repoAlertMatch = REPO_ALERT_ROUTE.exec(path);
  if (repoAlertMatch) return repoAlertRoute(ctx, url, repoAlertMatch);
  const match = ORG_ROUTE.exec(path);
  if (!match) return githubError(404, 'Not Found');
  const [, login, id, sub = ''] = match;
  const demo = findOrg(ctx.orgs, login, id);
  if (!demo) return githubError(404, 'Not Found', DOCS.org);
  return orgRoute(ctx, url, demo, sub);
}
