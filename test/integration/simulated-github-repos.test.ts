import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isListedByDefault } from '../../infra/local/github/alert-filters.ts';
import { alertStateAt } from '../../infra/local/github/alert-state.ts';
import { generateDemoOrg } from '../../infra/local/github/demo-org.ts';
import type { DemoAlert, DemoAlertType, DemoOrg } from '../../infra/local/github/demo-types.ts';
import { validateAgainstSchema } from '../../infra/local/github/openapi.ts';
import type { SchemaName } from '../../infra/local/github/openapi-subset.ts';
import { type SimulatedGitHub, startSimulatedGitHub } from '../../infra/local/github/server.ts';

const TOKEN = 'repos-token';
const ENDS_AT = '2026-11-16T00:00:00Z';
const MID_WINDOW = new Date('2026-10-07T12:00:00Z');

type Item = Record<string, unknown>;

let demo: DemoOrg;
let gh: SimulatedGitHub;

beforeAll(async () => {
  demo = generateDemoOrg({ endsAt: ENDS_AT });
  gh = await startSimulatedGitHub({ demo, token: TOKEN });
});

afterAll(async () => {
  await gh.close();
});

afterEach(() => {
  gh.setNow(new Date(ENDS_AT));
});

function get(server: SimulatedGitHub, path: string): Promise<Response> {
  const url = path.startsWith('http') ? path : `${server.url}${path}`;
  return fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
}

function links(response: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const match of (response.headers.get('link') ?? '').matchAll(/<([^>]+)>;\s*rel="([a-z]+)"/g)) {
    const [, url, rel] = match;
    if (url && rel) out[rel] = url;
  }
  return out;
}

/** Follows rel="next" from `path` to the end, as a collector does. */
async function walk(path: string): Promise<{ items: Item[]; pages: number; urls: string[] }> {
  const items: Item[] = [];
  const urls: string[] = [];
  let next: string | undefined = path;
  let pages = 0;
  while (next) {
    urls.push(next);
    const response = await get(gh, next);
    expect(response.status).toBe(200);
    items.push(...((await response.json()) as Item[]));
    pages += 1;
    next = links(response).next;
    expect(pages).toBeLessThan(100);
  }
  return { items, pages, urls };
}

const PATHS: Record<DemoAlertType, string> = {
  dependabot: 'dependabot/alerts',
  secret_scanning: 'secret-scanning/alerts',
  code_scanning: 'code-scanning/alerts',
};

const ITEM_SCHEMAS: Record<DemoAlertType, SchemaName> = {
  dependabot: 'dependabot-alert',
  secret_scanning: 'secret-scanning-alert',
  code_scanning: 'code-scanning-alert-items',
};

/** The alert numbers of one repository that exist at `at`, sorted. */
function expectedNumbers(alerts: readonly DemoAlert[], repository: string, at = new Date(ENDS_AT)): number[] {
  return alerts
    .filter((a) => a.repository === repository && alertStateAt(a, at) !== null)
    .map((a) => a.number)
    .sort((x, y) => x - y);
}

const numbers = (items: Item[]): number[] => items.map((i) => Number(i.number)).sort((x, y) => x - y);

/** The repository with the most alerts of a type, so that its lists span several pages. */
function busiest(type: DemoAlertType): string {
  const counts = new Map<string, number>();
  for (const a of demo.alerts[type]) counts.set(a.repository, (counts.get(a.repository) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
}

describe('GET /orgs/{org}/repos', () => {
  it('lists every repository once, by page, with page links to /organizations/{id}/repos', async () => {
    const first = await get(gh, `/orgs/${demo.org}/repos?per_page=10`);
    expect(first.status).toBe(200);
    const rel = links(first);
    expect(rel.next).toContain(`/organizations/${demo.orgId}/repos?`);
    expect(rel.next).toContain('page=2');
    expect(rel.last).toContain(`page=${Math.ceil(demo.repositories.length / 10)}`);
    expect(rel.prev).toBeUndefined();
    const { items, pages } = await walk(`/orgs/${demo.org}/repos?per_page=10`);
    expect(pages).toBe(Math.ceil(demo.repositories.length / 10));
    expect(items.map((r) => r.name).sort()).toEqual(demo.repositories.map((r) => r.name).sort());
    expect(new Set(items.map((r) => r.id)).size).toBe(demo.repositories.length);
  });

  it('serves minimal-repository items that validate against GitHub’s schema', async () => {
    const items = (await (await get(gh, `/orgs/${demo.org}/repos?per_page=100`)).json()) as Item[];
    expect(items).toHaveLength(demo.repositories.length);
    expect(items.map((i) => validateAgainstSchema('minimal-repository', i)).filter((r) => !r.ok)).toEqual([]);
    const repo = demo.repositories[0];
    const item = items.find((i) => i.name === repo?.name);
    expect(item?.full_name).toBe(`${demo.org}/${repo?.name}`);
    expect(item?.private).toBe(repo?.private);
    expect(item?.visibility).toBe(repo?.private ? 'private' : 'public');
    expect((item?.owner as Item | undefined)?.login).toBe(demo.org);
    expect(item?.url).toBe(`${gh.url}/repos/${demo.org}/${repo?.name}`);
  });

  it('defaults to 30 a page and caps per_page at 100', async () => {
    const fallback = (await (await get(gh, `/orgs/${demo.org}/repos`)).json()) as Item[];
    expect(fallback).toHaveLength(Math.min(30, demo.repositories.length));
    const capped = (await (await get(gh, `/orgs/${demo.org}/repos?per_page=500`)).json()) as Item[];
    expect(capped).toHaveLength(Math.min(100, demo.repositories.length));
  });

  it('filters by type and sorts as asked (full_name ascending by default, others descending)', async () => {
    const publicRepos = (await (
      await get(gh, `/orgs/${demo.org}/repos?type=public&per_page=100`)
    ).json()) as Item[];
    expect(publicRepos.map((r) => r.name).sort()).toEqual(
      demo.repositories
        .filter((r) => !r.private)
        .map((r) => r.name)
        .sort(),
    );
    const privateRepos = (await (
      await get(gh, `/orgs/${demo.org}/repos?type=private&per_page=100`)
    ).json()) as Item[];
    expect(privateRepos.length + publicRepos.length).toBe(demo.repositories.length);
    const forks = (await (await get(gh, `/orgs/${demo.org}/repos?type=forks`)).json()) as Item[];
    expect(forks).toEqual([]);

    const byName = (await (
      await get(gh, `/orgs/${demo.org}/repos?sort=full_name&per_page=100`)
    ).json()) as Item[];
    const names = byName.map((r) => String(r.full_name).toLowerCase());
    expect(names).toEqual([...names].sort());
    const created = (await (await get(gh, `/orgs/${demo.org}/repos?per_page=100`)).json()) as Item[];
    const times = created.map((r) => Date.parse(String(r.created_at)));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const pushed = (await (
      await get(gh, `/orgs/${demo.org}/repos?sort=pushed&direction=asc&per_page=100`)
    ).json()) as Item[];
    const pushTimes = pushed.map((r) => Date.parse(String(r.pushed_at)));
    expect(pushTimes).toEqual([...pushTimes].sort((a, b) => a - b));
  });

  it('answers 422 for a type or sort GitHub does not know', async () => {
    expect((await get(gh, `/orgs/${demo.org}/repos?type=everything`)).status).toBe(422);
    expect((await get(gh, `/orgs/${demo.org}/repos?sort=stars`)).status).toBe(422);
    expect((await get(gh, '/orgs/no-such-org/repos')).status).toBe(404);
  });
});

describe('GET /repos/{owner}/{repo}/{dependabot,secret-scanning,code-scanning}/alerts', () => {
  it('together list exactly what the org lists list, repository by repository', async () => {
    for (const type of ['dependabot', 'code_scanning', 'secret_scanning'] as const) {
      const generic = demo.alerts.secret_scanning
        .filter((a) => !a.secretType.providerPattern)
        .map((a) => a.secretType.type);
      const extra = type === 'secret_scanning' ? `&secret_type=${[...new Set(generic)].join(',')}` : '';
      const org = await walk(`/orgs/${demo.org}/${PATHS[type]}?per_page=100`);
      const orgGeneric = extra ? await walk(`/orgs/${demo.org}/${PATHS[type]}?per_page=100${extra}`) : null;
      const fromOrg = [...org.items, ...(orgGeneric?.items ?? [])]
        .map((i) => `${(i.repository as { name: string }).name}#${String(i.number)}`)
        .sort();
      const fromRepos: string[] = [];
      for (const repo of demo.repositories) {
        for (const query of extra ? ['', extra] : ['']) {
          const { items } = await walk(`/repos/${demo.org}/${repo.name}/${PATHS[type]}?per_page=100${query}`);
          fromRepos.push(...items.map((i) => `${repo.name}#${String(i.number)}`));
        }
      }
      expect(fromRepos.sort()).toEqual(fromOrg);
    }
  });

  it('serves the repository-level item shapes (no `repository`), valid against GitHub’s schemas', async () => {
    for (const type of ['dependabot', 'code_scanning', 'secret_scanning'] as const) {
      const repo = busiest(type);
      const items = (await (
        await get(gh, `/repos/${demo.org}/${repo}/${PATHS[type]}?per_page=100`)
      ).json()) as Item[];
      expect(items.length).toBeGreaterThan(0);
      expect(items.every((i) => !('repository' in i))).toBe(true);
      expect(items.map((i) => validateAgainstSchema(ITEM_SCHEMAS[type], i)).filter((r) => !r.ok)).toEqual([]);
      expect(items.every((i) => String(i.url).startsWith(`${gh.url}/repos/${demo.org}/${repo}/`))).toBe(true);
    }
  });

  it('serves one alert by number as the list does, valid against GitHub’s single-alert schemas; 404 before it exists', async () => {
    const SINGLE_SCHEMAS: Record<DemoAlertType, SchemaName> = {
      dependabot: 'dependabot-alert',
      secret_scanning: 'secret-scanning-alert-with-metadata',
      code_scanning: 'code-scanning-alert',
    };
    for (const type of ['dependabot', 'code_scanning', 'secret_scanning'] as const) {
      const repo = busiest(type);
      const listed = (await (
        await get(gh, `/repos/${demo.org}/${repo}/${PATHS[type]}?per_page=5&hide_secret=true`)
      ).json()) as Item[];
      expect(listed.length).toBeGreaterThanOrEqual(4);
      for (const item of listed) {
        const res = await get(
          gh,
          `/repos/${demo.org}/${repo}/${PATHS[type]}/${String(item.number)}?hide_secret=true`,
        );
        expect(res.status).toBe(200);
        const one = (await res.json()) as Item;
        expect(one).toEqual(item);
        expect(validateAgainstSchema(SINGLE_SCHEMAS[type], one)).toMatchObject({ ok: true });
      }
      const last = demo.alerts[type]
        .filter((a) => a.repository === repo)
        .sort((a, b) => b.number - a.number)[0];
      if (!last) throw new Error('no alert');
      // Before the alert was created, GitHub does not know its number.
      gh.setNow(new Date(Date.parse(last.createdAt) - 1000));
      const before = await get(gh, `/repos/${demo.org}/${repo}/${PATHS[type]}/${String(last.number)}`);
      expect(before.status).toBe(404);
      gh.setNow(new Date(ENDS_AT));
    }
    const secret = busiest('secret_scanning');
    const shown = (await (
      await get(gh, `/repos/${demo.org}/${secret}/secret-scanning/alerts/1`)
    ).json()) as Item;
    expect(typeof shown.secret).toBe('string');
    const missing = await get(gh, `/repos/${demo.org}/no-such-repo/code-scanning/alerts/1`);
    expect(missing.status).toBe(404);
  });

  it('Dependabot: cursor pages linking to /repositories/{id}/…, `page` refused with a 400', async () => {
    const repoName = busiest('dependabot');
    const repo = demo.repositories.find((r) => r.name === repoName);
    const { items, pages, urls } = await walk(`/repos/${demo.org}/${repoName}/dependabot/alerts?per_page=2`);
    const expected = expectedNumbers(demo.alerts.dependabot, repoName);
    expect(numbers(items)).toEqual(expected);
    expect(pages).toBe(Math.ceil(expected.length / 2));
    expect(urls[1]).toContain(`/repositories/${repo?.id}/dependabot/alerts?`);
    expect(urls[1]).toMatch(/[?&]after=/);
    const refused = await get(gh, `/repos/${demo.org}/${repoName}/dependabot/alerts?page=2`);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as Item).message).toBe(
      'Pagination using the `page` parameter is not supported.',
    );
  });

  it('Dependabot: filters by state and severity, and sorts by update', async () => {
    const repoName = busiest('dependabot');
    const open = (await (
      await get(gh, `/repos/${demo.org}/${repoName}/dependabot/alerts?state=open&per_page=100`)
    ).json()) as Item[];
    expect(open.every((i) => i.state === 'open')).toBe(true);
    const expectedOpen = demo.alerts.dependabot.filter(
      (a) => a.repository === repoName && alertStateAt(a, new Date(ENDS_AT))?.state === 'open',
    );
    expect(open).toHaveLength(expectedOpen.length);
    const critical = (await (
      await get(gh, `/repos/${demo.org}/${repoName}/dependabot/alerts?severity=critical&per_page=100`)
    ).json()) as Item[];
    expect(critical.every((i) => (i.security_advisory as Item).severity === 'critical')).toBe(true);
    const updated = (await (
      await get(
        gh,
        `/repos/${demo.org}/${repoName}/dependabot/alerts?sort=updated&direction=asc&per_page=100`,
      )
    ).json()) as Item[];
    const times = updated.map((i) => Date.parse(String(i.updated_at)));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect((await get(gh, `/repos/${demo.org}/${repoName}/dependabot/alerts?state=gone`)).status).toBe(400);
  });

  it('secret scanning: provider patterns by default, generic ones by name, `hide_secret`, page or cursor', async () => {
    const repoName = busiest('secret_scanning');
    const all = demo.alerts.secret_scanning.filter((a) => a.repository === repoName);
    const byDefault = (await (
      await get(gh, `/repos/${demo.org}/${repoName}/secret-scanning/alerts?per_page=100`)
    ).json()) as Item[];
    expect(numbers(byDefault)).toEqual(
      expectedNumbers(
        all.filter((a) => isListedByDefault(a.secretType.type)),
        repoName,
      ),
    );
    expect(byDefault.every((i) => typeof i.secret === 'string')).toBe(true);
    const hidden = (await (
      await get(gh, `/repos/${demo.org}/${repoName}/secret-scanning/alerts?per_page=100&hide_secret=true`)
    ).json()) as Item[];
    expect(hidden.length).toBe(byDefault.length);
    expect(hidden.every((i) => !('secret' in i))).toBe(true);
    const genericTypes = [
      ...new Set(all.filter((a) => !a.secretType.providerPattern).map((a) => a.secretType.type)),
    ];
    if (genericTypes.length > 0) {
      const generic = (await (
        await get(
          gh,
          `/repos/${demo.org}/${repoName}/secret-scanning/alerts?per_page=100&secret_type=${genericTypes.join(',')}`,
        )
      ).json()) as Item[];
      expect(generic.length).toBeGreaterThan(0);
      expect(generic.every((i) => genericTypes.includes(String(i.secret_type)))).toBe(true);
    }
    const byPage = await walk(`/repos/${demo.org}/${repoName}/secret-scanning/alerts?per_page=1&page=1`);
    expect(numbers(byPage.items)).toEqual(numbers(byDefault));
    expect(byPage.urls[1]).toContain('page=2');
    const byCursor = await walk(`/repos/${demo.org}/${repoName}/secret-scanning/alerts?per_page=1`);
    expect(numbers(byCursor.items)).toEqual(numbers(byDefault));
    expect((await get(gh, `/repos/${demo.org}/${repoName}/secret-scanning/alerts?state=fixed`)).status).toBe(
      422,
    );
  });

  it('code scanning: `page` links (cursors ignored), states, and the deprecated sort=number', async () => {
    const repoName = busiest('code_scanning');
    const expected = expectedNumbers(demo.alerts.code_scanning, repoName);
    const first = await get(gh, `/repos/${demo.org}/${repoName}/code-scanning/alerts?per_page=3`);
    const rel = links(first);
    expect(rel.next).toMatch(/[?&]page=2(&|$)/);
    expect(rel.last).toMatch(new RegExp(`[?&]page=${Math.ceil(expected.length / 3)}(&|$)`));
    const { items } = await walk(`/repos/${demo.org}/${repoName}/code-scanning/alerts?per_page=3`);
    expect(numbers(items)).toEqual(expected);
    const withCursor = (await (
      await get(gh, `/repos/${demo.org}/${repoName}/code-scanning/alerts?per_page=3&after=whatever`)
    ).json()) as Item[];
    expect(withCursor).toHaveLength(Math.min(3, expected.length));
    const closed = (await (
      await get(gh, `/repos/${demo.org}/${repoName}/code-scanning/alerts?state=closed&per_page=100`)
    ).json()) as Item[];
    expect(closed.every((i) => i.state === 'fixed' || i.state === 'dismissed')).toBe(true);
    const byNumber = (await (
      await get(
        gh,
        `/repos/${demo.org}/${repoName}/code-scanning/alerts?sort=number&direction=asc&per_page=100`,
      )
    ).json()) as Item[];
    expect(byNumber.map((i) => Number(i.number))).toEqual(expected.slice(0, 100));
  });

  it('shows each repository as of setNow, like the org lists', async () => {
    gh.setNow(MID_WINDOW);
    const repoName = busiest('dependabot');
    const { items } = await walk(`/repos/${demo.org}/${repoName}/dependabot/alerts?per_page=100`);
    expect(numbers(items)).toEqual(expectedNumbers(demo.alerts.dependabot, repoName, MID_WINDOW));
    expect(items.length).toBeLessThan(expectedNumbers(demo.alerts.dependabot, repoName).length);
  });

  it('matches owner and repository case-insensitively, and answers 404 for what does not exist', async () => {
    const repo = demo.repositories[0]?.name ?? '';
    const upper = await get(gh, `/repos/${demo.org.toUpperCase()}/${repo.toUpperCase()}/dependabot/alerts`);
    expect(upper.status).toBe(200);
    for (const path of [
      `/repos/${demo.org}/no-such-repo/dependabot/alerts`,
      `/repos/no-such-org/${repo}/secret-scanning/alerts`,
      '/repositories/1/code-scanning/alerts',
    ]) {
      const response = await get(gh, path);
      expect(response.status).toBe(404);
      expect(((await response.json()) as Item).message).toBe('Not Found');
    }
  });

  it('answers 403 for a forbidden feature, per feature', async () => {
    const limited = await startSimulatedGitHub({ demo, token: TOKEN, forbid: ['code_scanning'] });
    try {
      const repo = demo.repositories[0]?.name ?? '';
      const refused = await get(limited, `/repos/${demo.org}/${repo}/code-scanning/alerts`);
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as Item).message).toBe('Resource not accessible by integration');
      expect((await get(limited, `/repos/${demo.org}/${repo}/dependabot/alerts`)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('counts repository requests per path, for the benchmark', async () => {
    const repo = demo.repositories[1]?.name ?? '';
    const path = `/repos/${demo.org}/${repo}/dependabot/alerts`;
    const before = gh.stats.byPath[path] ?? 0;
    await get(gh, path);
    expect(gh.stats.byPath[path]).toBe(before + 1);
  });
});
