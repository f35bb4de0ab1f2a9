/**
 * Repository-level routes of the simulated GitHub: `GET /orgs/{org}/repos` and the three
 * per-repository alert lists (`/repos/{owner}/{repo}/{dependabot,secret-scanning,code-scanning}/alerts`),
 * with the filters, sort orders and pagination of their org-level counterparts. A collector
 * that walks every repository (the naive baseline of the snapshot benchmark) talks to these.
 *
 * Pagination as GitHub documents it: Dependabot by cursor only (`page` is a 400), secret
 * scanning by `page` or cursor, code scanning and the repository list by `page` only. `Link`
 * headers point at `/repositories/{id}/...` and `/organizations/{id}/repos`, as GitHub's do.
 */
import type { IndexedAlert } from './alert-index.ts';
import type { DemoAlertType, DemoOrg, DemoRepository } from './demo-types.ts';
import { githubError } from './github-errors.ts';
import { listResponse, type RouteOutcome, withoutSecret } from './list-response.ts';
import { type Keyed, sortKeyed } from './pagination.ts';
import { readEnum, readPage } from './query-params.ts';
import type { RouteContext } from './routes.ts';

export type RepoListName = 'dependabot/alerts' | 'secret-scanning/alerts' | 'code-scanning/alerts';

/** `/repos/{owner}/{repo}/...` as clients write it, `/repositories/{id}/...` as GitHub's links do. */
export const REPO_ROUTE =
  /^\/(?:repos\/([^/]+)\/([^/]+)|repositories\/(\d+))\/(dependabot\/alerts|secret-scanning\/alerts|code-scanning\/alerts)\/?$/;

/** One alert: `/repos/{owner}/{repo}/<alert list>/{alert_number}` (or `/repositories/{id}/...`). */
export const REPO_ALERT_ROUTE =
  /^\/(?:repos\/([^/]+)\/([^/]+)|repositories\/(\d+))\/(dependabot\/alerts|secret-scanning\/alerts|code-scanning\/alerts)\/(\d+)\/?$/;

const TYPE_OF: Record<RepoListName, DemoAlertType> = {
  'dependabot/alerts': 'dependabot',
  'secret-scanning/alerts': 'secret_scanning',
  'code-scanning/alerts': 'code_scanning',
};

export const REPO_DOCS: Record<RepoListName | 'repos', string> = {
  'dependabot/alerts':
    'https://docs.github.com/rest/dependabot/alerts#list-dependabot-alerts-for-a-repository',
  'secret-scanning/alerts':
    'https://docs.github.com/rest/secret-scanning/secret-scanning#list-secret-scanning-alerts-for-a-repository',
  'code-scanning/alerts':
    'https://docs.github.com/rest/code-scanning/code-scanning#list-code-scanning-alerts-for-a-repository',
  repos: 'https://docs.github.com/rest/repos/repos#list-organization-repositories',
};

/** The org and repository a path names (case-insensitive names, or the repository id). */
export function findRepository(
  orgs: readonly DemoOrg[],
  owner: string | undefined,
  name: string | undefined,
  id: string | undefined,
): { demo: DemoOrg; repo: DemoRepository } | undefined {
  if (id !== undefined) {
    const wanted = Number(id);
    for (const demo of orgs) {
      const repo = demo.repositories.find((r) => r.id === wanted);
      if (repo) return { demo, repo };
    }
    return undefined;
  }
  if (owner === undefined || name === undefined) return undefined;
  const login = decodeURIComponent(owner).toLowerCase();
  const repoName = decodeURIComponent(name).toLowerCase();
  const demo = orgs.find((o) => o.org.toLowerCase() === login);
  const repo = demo?.repositories.find((r) => r.name.toLowerCase() === repoName);
  return demo && repo ? { demo, repo } : undefined;
}

/** The canonical `/repos/{owner}/{repo}/...` form of a `/repositories/{id}/...` path. */
export function canonicalRepoPath(orgs: readonly DemoOrg[], path: string): string | undefined {
  const match = /^\/repositories\/(\d+)(\/.*)?$/.exec(path);
  if (!match) return undefined;
  const found = findRepository(orgs, undefined, undefined, match[1]);
  return found ? `/repos/${found.demo.org}/${found.repo.name}${match[2] ?? ''}` : undefined;
}

/**
 * One page of a repository's alerts of one type. Items are the org list's without `repository`
 * (GitHub's `dependabot-alert`, `secret-scanning-alert` and `code-scanning-alert-items`).
 */
export function repositoryAlertList(
  ctx: RouteContext,
  url: URL,
  demo: DemoOrg,
  repo: DemoRepository,
  name: RepoListName,
): RouteOutcome {
  const type = TYPE_OF[name];
  let listUrl = url;
  if (type === 'code_scanning') {
    // The repository code scanning list pages by `page` only, and still accepts the deprecated
    // `sort=number`, which is creation order within a repository.
    listUrl = new URL(url);
    listUrl.searchParams.delete('after');
    listUrl.searchParams.delete('before');
    if (listUrl.searchParams.get('sort') === 'number') listUrl.searchParams.set('sort', 'created');
  }
  const sorted = ctx.lists.repositoryAlerts(demo, repo.name, type, ctx.now, listUrl.searchParams);
  const hide = url.searchParams.get('hide_secret') === 'true' && ctx.ghes !== '3.17';
  const renderer = ctx.renderer(demo);
  const present = (items: IndexedAlert[]): unknown[] =>
    items.map((entry) => {
      const { repository: _repository, ...rest } = renderer.render(entry);
      return hide ? withoutSecret(rest) : rest;
    });
  // Dependabot: cursor only; secret scanning: either; code scanning: `page` only (default 1).
  if (type === 'code_scanning' && readPage(listUrl.searchParams) === undefined) {
    listUrl.searchParams.set('page', '1');
  }
  return listResponse(
    listUrl,
    `${ctx.baseUrl}/repositories/${repo.id}/${name}`,
    sorted,
    type !== 'dependabot',
    present,
  );
}

export const REPO_ALERT_DOCS: Record<RepoListName, string> = {
  'dependabot/alerts': 'https://docs.github.com/rest/dependabot/alerts#get-a-dependabot-alert',
  'secret-scanning/alerts':
    'https://docs.github.com/rest/secret-scanning/secret-scanning#get-a-secret-scanning-alert',
  'code-scanning/alerts':
    'https://docs.github.com/rest/code-scanning/code-scanning#get-a-code-scanning-alert',
};

/**
 * One alert as it stands at the server's instant (GitHub's `dependabot-alert`,
 * `secret-scanning-alert-with-metadata` and `code-scanning-alert`): the repository list's item,
 * which carries what these add only as optional fields. 404 for a number the repository has not
 * reached yet, as GitHub answers.
 */
export function repositoryAlert(
  ctx: RouteContext,
  url: URL,
  demo: DemoOrg,
  repo: DemoRepository,
  name: RepoListName,
  alertNumber: number,
): RouteOutcome {
  const type = TYPE_OF[name];
  const entries = ctx.lists.repositoryIndex(demo, ctx.now)[type].get(repo.name.toLowerCase()) ?? [];
  const entry = entries.find((e) => e.alert.number === alertNumber);
  if (!entry) return githubError(404, 'No alert found for alert number', REPO_ALERT_DOCS[name]);
  const { repository: _repository, ...rest } = ctx.renderer(demo).render(entry);
  const hide = url.searchParams.get('hide_secret') === 'true' && ctx.ghes !== '3.17';
  return { status: 200, body: hide ? withoutSecret(rest) : rest };
}

const REPO_TYPES = ['all', 'public', 'private', 'forks', 'sources', 'member'] as const;
const REPO_SORTS = ['created', 'updated', 'pushed', 'full_name'] as const;

interface RepoTimes {
  createdMs: number;
  pushedMs: number;
}

/** Per org index: when each repository was created and last pushed (its newest alert). */
const repoTimes = new WeakMap<object, Map<string, RepoTimes>>();

function timesOf(ctx: RouteContext, demo: DemoOrg): Map<string, RepoTimes> {
  const byRepo = ctx.lists.repositoryIndex(demo, ctx.now);
  let times = repoTimes.get(byRepo);
  if (!times) {
    times = new Map();
    const start = Date.parse(demo.historyStartsAt);
    const count = demo.repositories.length;
    demo.repositories.forEach((repo, i) => {
      // Created an hour apart, in list order, before the first alert.
      const createdMs = start - (count - i) * 3_600_000;
      let pushedMs = createdMs;
      const key = repo.name.toLowerCase();
      for (const list of [byRepo.dependabot, byRepo.secret_scanning, byRepo.code_scanning]) {
        for (const entry of list.get(key) ?? []) pushedMs = Math.max(pushedMs, entry.createdMs);
      }
      times?.set(repo.name, { createdMs, pushedMs });
    });
    repoTimes.set(byRepo, times);
  }
  return times;
}

/** `GET /orgs/{org}/repos`: filtered by `type`, sorted, paged by `page` (max 100 a page). */
export function organizationRepositories(ctx: RouteContext, url: URL, demo: DemoOrg): RouteOutcome {
  const q = url.searchParams;
  const type = readEnum(q, 'type', REPO_TYPES, 'all');
  const sort = readEnum(q, 'sort', REPO_SORTS, 'created');
  const direction = readEnum(q, 'direction', ['asc', 'desc'] as const, sort === 'full_name' ? 'asc' : 'desc');
  const times = timesOf(ctx, demo);
  // Every demo repository is a source (none is a fork) and the token's owner is a member.
  const matching = demo.repositories.filter((r) =>
    type === 'public' ? !r.private : type === 'private' ? r.private : type !== 'forks',
  );
  const entries: Keyed<DemoRepository>[] = matching.map((repo) => {
    const t = times.get(repo.name) ?? { createdMs: 0, pushedMs: 0 };
    const key =
      sort === 'full_name'
        ? `${demo.org}/${repo.name}`.toLowerCase()
        : sort === 'created'
          ? t.createdMs
          : t.pushedMs;
    return { item: repo, key, tiebreak: repo.name.toLowerCase() };
  });
  const pageUrl = new URL(url);
  // No cursors on this endpoint: `page` only, 1 when absent.
  pageUrl.searchParams.delete('after');
  pageUrl.searchParams.delete('before');
  if (readPage(pageUrl.searchParams) === undefined) pageUrl.searchParams.set('page', '1');
  const renderer = ctx.renderer(demo);
  return listResponse(
    pageUrl,
    `${ctx.baseUrl}/organizations/${demo.orgId}/repos`,
    { entries: sortKeyed(entries, direction), direction },
    true,
    (repos) =>
      repos.map((repo) => {
        const t = times.get(repo.name) ?? { createdMs: 0, pushedMs: 0 };
        return renderer.minimalRepository(repo, {
          createdAt: isoSeconds(t.createdMs),
          pushedAt: isoSeconds(t.pushedMs),
        });
      }),
  );
}

function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** A 404 as GitHub answers for a repository it does not know (or the token cannot see). */
export function repositoryNotFound(name: RepoListName): RouteOutcome {
  return githubError(404, 'Not Found', REPO_DOCS[name]);
}
