import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertStateAt } from '../../infra/local/github/alert-state.ts';
import { generateDemoOrg } from '../../infra/local/github/demo-org.ts';
import type { DemoAlert, DemoOrg } from '../../infra/local/github/demo-types.ts';
import { validateAgainstSchema } from '../../infra/local/github/openapi.ts';
import type { SchemaName } from '../../infra/local/github/openapi-subset.ts';
import { type SimulatedGitHub, startSimulatedGitHub } from '../../infra/local/github/server.ts';

const TOKEN = 'enterprise-token';
const ENDS_AT = '2026-11-16T00:00:00Z';
const END = new Date(ENDS_AT);
const ENTERPRISE = 'octo-corp';

type Item = Record<string, unknown>;

let orgs: DemoOrg[];
let gh: SimulatedGitHub;

beforeAll(async () => {
  orgs = [
    generateDemoOrg({ endsAt: ENDS_AT, org: 'octo-demo', seed: 42 }),
    generateDemoOrg({ endsAt: ENDS_AT, org: 'octo-payments', seed: 43 }),
    generateDemoOrg({ endsAt: ENDS_AT, org: 'octo-platform', seed: 44 }),
  ];
  const [first, ...rest] = orgs;
  gh = await startSimulatedGitHub({
    demo: first as DemoOrg,
    demos: rest,
    enterprise: ENTERPRISE,
    token: TOKEN,
  });
});

afterAll(async () => {
  await gh.close();
});

function get(path: string, server: SimulatedGitHub = gh): Promise<Response> {
  const url = path.startsWith('http') ? path : `${server.url}${path}`;
  return fetch(url, { headers: { authorization: `token ${TOKEN}` } });
}

function nextLink(response: Response): string | undefined {
  return /<([^>]+)>;\s*rel="next"/.exec(response.headers.get('link') ?? '')?.[1];
}

async function walk(path: string): Promise<{ items: Item[]; pages: number; links: string[] }> {
  const items: Item[] = [];
  const links: string[] = [];
  let next: string | undefined = path;
  let pages = 0;
  while (next) {
    const response = await get(next);
    expect(response.status).toBe(200);
    items.push(...((await response.json()) as Item[]));
    pages += 1;
    next = nextLink(response);
    if (next) links.push(next);
    expect(pages).toBeLessThan(100);
  }
  return { items, pages, links };
}

function identity(item: Item): string {
  return `${(item.repository as { full_name: string }).full_name}#${String(item.number)}`;
}

function expectedIds(pick: (org: DemoOrg) => DemoAlert[]): string[] {
  return orgs
    .flatMap((org) =>
      pick(org)
        .filter((a) => alertStateAt(a, END) !== null)
        .map((a) => `${org.org}/${a.repository}#${a.number}`),
    )
    .sort();
}

function allSecretTypes(): string {
  return [...new Set(orgs.flatMap((o) => o.alerts.secret_scanning.map((a) => a.secretType.type)))].join(',');
}

describe('enterprise alert lists', () => {
  const cases: [string, (org: DemoOrg) => DemoAlert[], SchemaName, string][] = [
    ['dependabot/alerts', (o) => o.alerts.dependabot, 'dependabot-alert-with-repository', ''],
    ['code-scanning/alerts', (o) => o.alerts.code_scanning, 'code-scanning-organization-alert-items', ''],
    [
      'secret-scanning/alerts',
      (o) => o.alerts.secret_scanning,
      'organization-secret-scanning-alert',
      'all-types',
    ],
  ];

  for (const [list, pick, schema, variant] of cases) {
    it(`walks every ${list.split('/')[0]} alert of every org exactly once, each valid against ${schema}`, async () => {
      const extra = variant === 'all-types' ? `&secret_type=${allSecretTypes()}` : '';
      const { items, pages, links } = await walk(`/enterprises/${ENTERPRISE}/${list}?per_page=100${extra}`);
      const expected = expectedIds(pick);
      expect(items.map(identity).sort()).toEqual(expected);
      expect(new Set(items.map(identity)).size).toBe(items.length);
      expect(pages).toBe(Math.ceil(expected.length / 100));
      expect(links.every((l) => l.startsWith(`${gh.url}/enterprises/${ENTERPRISE}/${list}?`))).toBe(true);
      const owners = new Set(items.map((i) => (i.repository as { owner: { login: string } }).owner.login));
      expect(owners).toEqual(new Set(orgs.map((o) => o.org)));
      const failures = items.map((i) => validateAgainstSchema(schema, i)).filter((r) => !r.ok);
      expect(failures).toEqual([]);
    });
  }

  it('sorts across orgs: sort=updated&direction=desc is newest first over every page', async () => {
    const { items } = await walk(`/enterprises/${ENTERPRISE}/code-scanning/alerts?per_page=60&sort=updated`);
    const times = items.map((i) => Date.parse(String(i.updated_at)));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(new Set(items.map((i) => (i.repository as { owner: { login: string } }).owner.login)).size).toBe(
      3,
    );
  });

  it('filters as the org lists do, and refuses `page` on Dependabot', async () => {
    const { items } = await walk(`/enterprises/${ENTERPRISE}/dependabot/alerts?per_page=100&state=open`);
    const expected = orgs.reduce(
      (n, o) => n + o.alerts.dependabot.filter((a) => alertStateAt(a, END)?.state === 'open').length,
      0,
    );
    expect(items.length).toBe(expected);
    expect(items.every((i) => i.state === 'open')).toBe(true);
    const paged = await get(`/enterprises/${ENTERPRISE}/dependabot/alerts?page=2`);
    expect(paged.status).toBe(400);
  });

  it('keeps org lists to their own org', async () => {
    const org = orgs[1] as DemoOrg;
    const { items } = await walk(`/orgs/${org.org}/dependabot/alerts?per_page=100`);
    expect(items.map(identity).sort()).toEqual(expectedIds((o) => (o === org ? o.alerts.dependabot : [])));
  });

  it('answers 404 for another enterprise, and when no enterprise is simulated', async () => {
    expect((await get('/enterprises/someone-else/dependabot/alerts')).status).toBe(404);
    const plain = await startSimulatedGitHub({ demo: orgs[0] as DemoOrg, token: TOKEN });
    try {
      expect((await get(`/enterprises/${ENTERPRISE}/dependabot/alerts`, plain)).status).toBe(404);
    } finally {
      await plain.close();
    }
  });
});

describe('enterprise audit log', () => {
  it('lists the web events of every org once, naming the enterprise, valid against audit-log-event', async () => {
    const { items } = await walk(`/enterprises/${ENTERPRISE}/audit-log?per_page=100`);
    const cutoff = END.getTime() - 180 * 24 * 3600 * 1000;
    const expected = orgs.flatMap((o) =>
      o.auditEvents.filter((e) => !e.action.startsWith('git.') && e['@timestamp'] > cutoff),
    );
    expect(items.length).toBe(expected.length);
    expect(new Set(items.map((i) => `${String(i.org)}/${String(i._document_id)}`)).size).toBe(items.length);
    expect(new Set(items.map((i) => i.org))).toEqual(new Set(orgs.map((o) => o.org)));
    expect(items.every((i) => i.business === ENTERPRISE && typeof i.business_id === 'number')).toBe(true);
    const times = items.map((i) => Number(i['@timestamp']));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(items.map((i) => validateAgainstSchema('audit-log-event', i)).filter((r) => !r.ok)).toEqual([]);
  });

  it('filters by phrase across orgs', async () => {
    const phrase = encodeURIComponent('action:secret_scanning_push_protection.bypass');
    const { items } = await walk(`/enterprises/${ENTERPRISE}/audit-log?per_page=100&phrase=${phrase}`);
    const cutoff = END.getTime() - 180 * 24 * 3600 * 1000;
    const expected = orgs.flatMap((o) =>
      o.auditEvents.filter(
        (e) => e.action === 'secret_scanning_push_protection.bypass' && e['@timestamp'] > cutoff,
      ),
    );
    expect(items.length).toBe(expected.length);
    expect(items.length).toBeGreaterThanOrEqual(6);
  });

  it('answers 403 for a forbidden feature on the enterprise too', async () => {
    const limited = await startSimulatedGitHub({
      demos: orgs,
      enterprise: ENTERPRISE,
      token: TOKEN,
      forbid: ['audit_log'],
    });
    try {
      expect((await get(`/enterprises/${ENTERPRISE}/audit-log`, limited)).status).toBe(403);
      expect((await get(`/enterprises/${ENTERPRISE}/secret-scanning/alerts`, limited)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('refuses two orgs with the same login', async () => {
    await expect(
      startSimulatedGitHub({ demos: [orgs[0] as DemoOrg, orgs[0] as DemoOrg], token: TOKEN }),
    ).rejects.toThrow(/own login and id/);
    await expect(startSimulatedGitHub({ token: TOKEN })).rejects.toThrow(/needs `demo` or `demos`/);
  });
});
