/**
 * The seeded demo organisation behind `alert-ledger demo` and the tests.
 *
 * @example
 *   const demo = generateDemoOrg({ endsAt: '2026-11-16T00:00:00Z' });
 *   demo.alerts.dependabot.length; // about 200, the same on every machine for seed 42
 */

import { ADVISORIES } from './demo-advisories.ts';
import { buildAuditEvents } from './demo-audit.ts';
import { MANIFESTS, REPOSITORY_SEEDS, SECRET_PATHS, SECRET_TYPES, USER_SEEDS } from './demo-catalog.ts';
import { CODEQL_RULES, SOURCE_DIRS, SOURCE_EXTENSIONS, SOURCE_FILES } from './demo-codeql-rules.ts';
import {
  codeScanningEvents,
  dependabotEvents,
  type LifecycleContext,
  secretScanningEvents,
} from './demo-lifecycle.ts';
import { DAY, isoSeconds, toWorkingHours } from './demo-timeline.ts';
import type {
  DemoCodeScanningAlert,
  DemoDependabotAlert,
  DemoOrg,
  DemoPushProtectionBypass,
  DemoRepository,
  DemoSecretScanningAlert,
  DemoUser,
} from './demo-types.ts';
import { createPrng, type Prng } from './prng.ts';

export interface DemoOrgOptions {
  org?: string;
  seed?: number;
  weeks?: number;
  /** Exclusive end of the history, an ISO instant; normally a Monday 00:00 UTC. */
  endsAt: string;
  /**
   * Resolve some secret alerts as `pattern_edited` / `pattern_deleted`. GitHub returns these, but
   * its published list schema does not allow them, so they are off by default.
   */
  patternResolutions?: boolean;
}

/** How far before the weekly history the oldest alerts go, so some are long overdue. */
const BACKLOG_DAYS = 365;
/** Share of alerts created before the weekly history starts. */
const BACKLOG_SHARE = 0.35;

type Severity = 'critical' | 'high' | 'medium' | 'low';

function effectiveSeverity(rule: DemoCodeScanningAlert['rule']): Severity {
  if (rule.securitySeverityLevel) return rule.securitySeverityLevel;
  return rule.severity === 'error' ? 'high' : rule.severity === 'warning' ? 'medium' : 'low';
}

/** Numbers alerts 1, 2, 3... per repository in order of creation, as GitHub does. */
function numberPerRepository<T extends { repository: string; createdAt: string; number: number }>(
  alerts: T[],
): T[] {
  alerts.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.repository.localeCompare(b.repository));
  const next = new Map<string, number>();
  for (const alert of alerts) {
    const n = (next.get(alert.repository) ?? 0) + 1;
    next.set(alert.repository, n);
    alert.number = n;
  }
  return alerts.sort((a, b) => a.repository.localeCompare(b.repository) || a.number - b.number);
}

interface Generator {
  rng: Prng;
  ctx: LifecycleContext;
  pickRepo(): DemoRepository;
  creationTime(people: boolean): number;
}

function makeDependabot(g: Generator, count: number): DemoDependabotAlert[] {
  const seen = new Set<string>();
  const out: DemoDependabotAlert[] = [];
  while (out.length < count) {
    const repo = g.pickRepo();
    const advisory = g.rng.pick(ADVISORIES[repo.ecosystem] ?? []);
    const manifestPath = g.rng.pick(MANIFESTS[repo.ecosystem] ?? ['package-lock.json']);
    // GitHub raises one alert per repository, advisory and manifest.
    const key = `${repo.name}|${advisory.ghsaId}|${advisory.packageName}|${manifestPath}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const createdMs = g.creationTime(false);
    const development = manifestPath.includes('dev') || manifestPath.startsWith('tools/');
    out.push({
      alertType: 'dependabot',
      repository: repo.name,
      number: 0,
      createdAt: isoSeconds(createdMs),
      events: dependabotEvents(g.ctx, createdMs, advisory.severity),
      advisory,
      manifestPath,
      scope: development ? 'development' : 'runtime',
      relationship: g.rng.chance(0.4) ? 'direct' : 'transitive',
    });
  }
  return numberPerRepository(out);
}

function makeCodeScanning(g: Generator, count: number): DemoCodeScanningAlert[] {
  const out: DemoCodeScanningAlert[] = [];
  for (let i = 0; i < count; i++) {
    const repo = g.pickRepo();
    const rule = g.rng.pick(CODEQL_RULES[repo.language] ?? []);
    const dir = g.rng.pick(SOURCE_DIRS[repo.language] ?? ['src']);
    const path = `${dir}/${g.rng.pick(SOURCE_FILES)}.${SOURCE_EXTENSIONS[repo.language] ?? 'txt'}`;
    const startLine = g.rng.int(5, 480);
    const startColumn = g.rng.int(1, 40);
    const createdMs = g.creationTime(true);
    out.push({
      alertType: 'code_scanning',
      repository: repo.name,
      number: 0,
      createdAt: isoSeconds(createdMs),
      events: codeScanningEvents(g.ctx, createdMs, effectiveSeverity(rule)),
      rule,
      path,
      startLine,
      endLine: startLine + g.rng.int(0, 3),
      startColumn,
      endColumn: startColumn + g.rng.int(8, 60),
      commitSha: g.rng.hex(40),
      message: `${rule.description}.`,
    });
  }
  return numberPerRepository(out);
}

function makeSecretScanning(
  g: Generator,
  count: number,
  patternResolutions: boolean,
): DemoSecretScanningAlert[] {
  const out: DemoSecretScanningAlert[] = [];
  for (let i = 0; i < count; i++) {
    const repo = g.pickRepo();
    // The first two alerts are pushes that bypassed protection in the final week, so that the
    // demo's weekly report always has bypasses to show.
    const showcase = i < 2;
    let secretType = g.rng.weighted(SECRET_TYPES);
    while (showcase && !secretType.providerPattern) secretType = g.rng.weighted(SECRET_TYPES);
    const createdMs = showcase
      ? g.ctx.endsAtMs - g.rng.int(1, 6) * DAY - g.rng.int(0, 8) * 3600_000
      : g.creationTime(true);
    const pusher = g.ctx.pickUser();
    const bypass: DemoPushProtectionBypass | null =
      secretType.providerPattern && (showcase || g.rng.chance(0.3))
        ? {
            actor: pusher,
            at: isoSeconds(createdMs),
            reason: g.rng.weighted([
              ['will_fix_later', 55],
              ['false_positive', 25],
              ['used_in_tests', 20],
            ] as const),
          }
        : null;
    out.push({
      alertType: 'secret_scanning',
      repository: repo.name,
      number: 0,
      createdAt: isoSeconds(createdMs),
      events: secretScanningEvents(g.ctx, createdMs, { pusher, bypass, patternResolutions }),
      secretType,
      secret: `demo-secret-value-${i + 1}`,
      bypass,
      publiclyLeaked: secretType.providerPattern && g.rng.chance(0.1),
      path: g.rng.pick(SECRET_PATHS),
      line: g.rng.int(1, 120),
      commitSha: g.rng.hex(40),
      blobSha: g.rng.hex(40),
    });
  }
  return numberPerRepository(out);
}

/** Deterministic in `seed`: the same options always give the same org, event for event. */
export function generateDemoOrg(options: DemoOrgOptions): DemoOrg {
  const { org = 'octo-demo', seed = 42, weeks = 12, endsAt, patternResolutions = false } = options;
  const endsAtMs = Date.parse(endsAt);
  if (Number.isNaN(endsAtMs)) throw new Error(`endsAt is not an ISO instant: ${endsAt}`);
  if (!Number.isInteger(weeks) || weeks < 1)
    throw new Error(`weeks must be a positive integer, got ${weeks}`);
  const startsAtMs = endsAtMs - weeks * 7 * DAY;
  const historyStartsAtMs = startsAtMs - BACKLOG_DAYS * DAY;
  const rng = createPrng(seed);

  const users: DemoUser[] = USER_SEEDS.map(([login]) => ({
    login,
    id: rng.int(1_000_000, 190_000_000),
    type: 'User',
  }));
  const userWeights = USER_SEEDS.map(([login, weight]) => [login, weight] as const);
  const repos: DemoRepository[] = REPOSITORY_SEEDS.map((r) => ({
    name: r.name,
    id: rng.int(300_000_000, 990_000_000),
    description: r.description,
    private: r.name !== 'docs-site' && r.name !== 'design-system',
    language: r.language,
    ecosystem: r.ecosystem,
  }));
  const repoWeights = repos.map((r, i) => [r, REPOSITORY_SEEDS[i]?.weight ?? 1] as const);

  const g: Generator = {
    rng,
    ctx: { rng, endsAtMs, pickUser: () => rng.weighted(userWeights) },
    pickRepo: () => rng.weighted(repoWeights),
    creationTime: (people) => {
      const backlog = rng.chance(BACKLOG_SHARE);
      const from = backlog ? historyStartsAtMs : startsAtMs;
      const to = backlog ? startsAtMs : endsAtMs;
      const ms = from + rng.next() * (to - from);
      const adjusted = people ? toWorkingHours(ms, rng) : ms;
      // Working hours can push past the end; such an alert belongs to the next week instead.
      return adjusted < endsAtMs ? adjusted : ms;
    },
  };

  const orgId = rng.int(10_000_000, 190_000_000);
  const dependabot = makeDependabot(g, rng.int(190, 215));
  const codeScanning = makeCodeScanning(g, rng.int(110, 130));
  const secretScanning = makeSecretScanning(g, rng.int(55, 66), patternResolutions);
  const auditEvents = buildAuditEvents(
    { org, orgId, rng, users },
    { dependabot, secret_scanning: secretScanning },
  );

  return {
    org,
    orgId,
    seed,
    startsAt: isoSeconds(startsAtMs),
    endsAt: isoSeconds(endsAtMs),
    historyStartsAt: isoSeconds(historyStartsAtMs),
    repositories: repos,
    users,
    alerts: { dependabot, secret_scanning: secretScanning, code_scanning: codeScanning },
    auditEvents,
  };
}
