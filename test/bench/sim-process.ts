/**
 * The simulated GitHub of the benchmark, in a process of its own so that the collector's memory
 * is measured alone. Generates the scale org, serves it with the configured latency per request,
 * and answers commands over IPC: request counts, `changeAlerts` at an instant, list sizes. It
 * enforces GitHub's secondary rate limits (100 at once, 900 a minute per endpoint), each run
 * counted as if it came days after the one before.
 *
 * Environment: BENCH_ALERTS, BENCH_REPOSITORIES, BENCH_LATENCY_MS, BENCH_ENDS_AT.
 */

import { isListedByDefault } from '../../infra/local/github/alert-filters.ts';
import { AlertLists } from '../../infra/local/github/alert-lists.ts';
import { changeAlerts, generateScaleOrg } from '../../infra/local/github/scale-org.ts';
import { startSimulatedGitHub } from '../../infra/local/github/server.ts';
import type { ListQuery, SimRequest, SimResponse, SimStats } from './protocol.ts';

const TOKEN = 'bench-token';

/** The kind of a request path, for request counts that do not list 2,000 repositories one by one. */
function kindOf(path: string): string {
  if (/^\/(orgs\/[^/]+|organizations\/\d+)\/?$/.test(path)) return 'org';
  const org = /^\/(?:orgs\/[^/]+|organizations\/\d+)\/(.+?)\/?$/.exec(path);
  if (org) return `org:${(org[1] ?? '').replace(/\/alerts$/, '')}`;
  const repo = /^\/(?:repos\/[^/]+\/[^/]+|repositories\/\d+)\/(.+?)\/?$/.exec(path);
  if (repo) return `repo:${(repo[1] ?? '').replace(/\/alerts$/, '')}`;
  return 'other';
}

async function main(): Promise<void> {
  const alerts = Number(process.env.BENCH_ALERTS ?? 100_000);
  const repositories = Number(process.env.BENCH_REPOSITORIES ?? 2_000);
  const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? 50);
  const endsAt = process.env.BENCH_ENDS_AT ?? '2026-11-16T00:00:00Z';
  const started = performance.now();
  const demo = generateScaleOrg({ alerts, repositories, endsAt });
  const generateMs = performance.now() - started;
  const gh = await startSimulatedGitHub({ demo, token: TOKEN, latencyMs, rateLimit: 10_000_000 });
  // Its own lists: counting never disturbs the caches of the lists being served.
  const lists = new AlertLists();

  const stats = (): SimStats => {
    const byKind: Record<string, number> = {};
    for (const [path, n] of Object.entries(gh.stats.byPath)) {
      const kind = kindOf(path);
      byKind[kind] = (byKind[kind] ?? 0) + n;
    }
    const cpu = process.cpuUsage();
    return {
      requests: gh.stats.requests,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      byKind,
      secondaryLimited: gh.stats.secondaryLimited,
      peakPerEndpoint: gh.peakPerEndpoint(),
      late: gh.stats.late,
      latestMs: gh.stats.latestMs,
    };
  };

  const TYPES = {
    dependabot: 'dependabot',
    'secret-scanning': 'secret_scanning',
    'code-scanning': 'code_scanning',
  } as const;
  /** How many items a listing returns in all (what its pages must carry), as the server would list them. */
  const total = (list: ListQuery): number => {
    const query = new URLSearchParams(list.query);
    const now = gh.now();
    if (/^\/orgs\/[^/]+\/repos$/.test(list.path)) return demo.repositories.length;
    if (/^\/orgs\/[^/]+\/audit-log$/.test(list.path)) {
      const entries = lists.auditLog([demo], now, query).entries;
      const since = list.sinceMs;
      return since === undefined
        ? entries.length
        : entries.filter((e) => e.item['@timestamp'] >= since).length;
    }
    const org = /^\/orgs\/[^/]+\/(dependabot|secret-scanning|code-scanning)\/alerts$/.exec(list.path);
    const repo = /^\/repos\/[^/]+\/([^/]+)\/(dependabot|secret-scanning|code-scanning)\/alerts$/.exec(
      list.path,
    );
    let entries: { item: { updatedMs: number } }[];
    if (org?.[1]) entries = lists.alerts([demo], TYPES[org[1] as keyof typeof TYPES], now, query).entries;
    else if (repo?.[1] && repo[2])
      entries = lists.repositoryAlerts(
        demo,
        repo[1],
        TYPES[repo[2] as keyof typeof TYPES],
        now,
        query,
      ).entries;
    else throw new Error(`not a list the benchmark knows: ${list.path}`);
    const since = list.sinceMs;
    return since === undefined ? entries.length : entries.filter((e) => e.item.updatedMs >= since).length;
  };

  const ready = (): SimResponse => ({
    type: 'ready',
    url: gh.url,
    token: TOKEN,
    org: demo.org,
    repositories: demo.repositories.length,
    alerts: {
      dependabot: demo.alerts.dependabot.length,
      secret_scanning: demo.alerts.secret_scanning.length,
      code_scanning: demo.alerts.code_scanning.length,
    },
    nonProviderSecrets: demo.alerts.secret_scanning.filter((a) => !isListedByDefault(a.secretType.type))
      .length,
    auditEvents: demo.auditEvents.length,
    generateMs,
    endsAt: demo.endsAt,
  });

  const handle = async (message: SimRequest): Promise<SimResponse> => {
    switch (message.type) {
      case 'stats':
        return { type: 'stats', stats: stats() };
      case 'change': {
        const auditBefore = demo.auditEvents.length;
        const changes = changeAlerts(demo, message.count, message.at, message.seed);
        gh.setNow(new Date(message.now));
        lists.clear();
        const byType: Record<string, number> = {};
        for (const c of changes) byType[c.alertType] = (byType[c.alertType] ?? 0) + 1;
        return {
          type: 'changed',
          changes: changes.length,
          byType,
          auditEventsAdded: demo.auditEvents.length - auditBefore,
        };
      }
      case 'setNow':
        gh.setNow(new Date(message.now));
        lists.clear();
        return { type: 'ok' };
      case 'listTotals': {
        const totals: Record<string, number> = {};
        for (const list of message.lists) totals[list.id] = total(list);
        return { type: 'listTotals', totals };
      }
      case 'forgetRequests':
        gh.forgetRequests();
        return { type: 'ok' };
      case 'close':
        await gh.close();
        return { type: 'ok' };
    }
  };

  process.on('message', (message: SimRequest) => {
    handle(message)
      .then((answer) => {
        process.send?.(answer);
        if (message.type === 'close') process.disconnect();
      })
      .catch((error: unknown) =>
        process.send?.({ type: 'error', message: error instanceof Error ? error.message : String(error) }),
      );
  });
  process.on('disconnect', () => {
    gh.close().finally(() => process.exit(0));
  });
  process.send?.(ready());
}

main().catch((error: unknown) => {
  process.stderr.write(`simulated GitHub failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
