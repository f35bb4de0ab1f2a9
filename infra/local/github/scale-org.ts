/**
 * An org the size of a large enterprise org (100,000 alerts over 2,000 repositories by default)
 * for the benchmark and scale tests, in the same shape as the demo org, and `changeAlerts` to
 * make a known number of alerts change at one instant so an incremental snapshot has exactly
 * those to find.
 *
 * Generation is fast (well under a second for 100,000 alerts) and light: advisories, rules,
 * secret types, users, comments and commit SHAs are shared objects; only each alert and its
 * events are its own.
 *
 * @example
 *   const org = generateScaleOrg({ endsAt: '2026-11-16T00:00:00Z' });
 *   const changes = changeAlerts(org, 1000, '2026-11-16T06:00:00Z', 1);
 *   changes.length; // 1000
 */
import { ADVISORIES } from './demo-advisories.ts';
import { type AuditContext, buildAuditEvents } from './demo-audit.ts';
import { COMMENTS, MANIFESTS, SECRET_PATHS, SECRET_TYPES, USER_SEEDS } from './demo-catalog.ts';
import { CODEQL_RULES, SOURCE_DIRS, SOURCE_EXTENSIONS, SOURCE_FILES } from './demo-codeql-rules.ts';
import {
  codeScanningEvents,
  dependabotEvents,
  type LifecycleContext,
  secretScanningEvents,
} from './demo-lifecycle.ts';
import { DAY, isoSeconds, SECOND, toWorkingHours } from './demo-timeline.ts';
import type {
  DemoAlert,
  DemoAlertEvent,
  DemoAlertType,
  DemoCodeQlRule,
  DemoCodeScanningAlert,
  DemoDependabotAlert,
  DemoEventKind,
  DemoOrg,
  DemoPushProtectionBypass,
  DemoRepository,
  DemoSecretScanningAlert,
  DemoUser,
} from './demo-types.ts';
import { createPrng, type Prng } from './prng.ts';

export interface ScaleOrgOptions {
  org?: string;
  /** Total alerts of all three types (default 100,000). */
  alerts?: number;
  /** Default 2,000. */
  repositories?: number;
  seed?: number;
  /** Exclusive end of the history, an ISO instant. */
  endsAt: string;
  weeks?: number;
  /** Build the org audit log too (default true; about 1.4 entries per alert). */
  auditLog?: boolean;
}

/** Share of each alert type: Dependabot dominates real orgs, secrets are the fewest. */
export const SCALE_MIX: Readonly<Record<DemoAlertType, number>> = {
  dependabot: 0.5,
  code_scanning: 0.35,
  secret_scanning: 0.15,
};

/** Alert counts per type for a total, as `generateScaleOrg` splits it (they add up exactly). */
export function scaleCounts(total: number): Record<DemoAlertType, number> {
  const dependabot = Math.round(total * SCALE_MIX.dependabot);
  const secretScanning = Math.round(total * SCALE_MIX.secret_scanning);
  return {
    dependabot,
    secret_scanning: secretScanning,
    code_scanning: total - dependabot - secretScanning,
  };
}

const BACKLOG_DAYS = 365;
const BACKLOG_SHARE = 0.35;
/** Commit SHAs are drawn from a pool: unique ones would cost memory and tell the benchmark nothing. */
const SHA_POOL_SIZE = 512;

/** CodeQL language and Dependabot ecosystem pairs, as the demo's repositories have them. */
const STACKS = [
  ['js', 'npm', 'Node.js service'],
  ['java', 'maven', 'JVM service'],
  ['py', 'pip', 'Python service'],
  ['go', 'go', 'Go service'],
  ['rb', 'rubygems', 'Rails app'],
  ['cs', 'nuget', '.NET service'],
] as const;

const AREAS = [
  'payments',
  'checkout',
  'identity',
  'search',
  'orders',
  'billing',
  'catalog',
  'shipping',
  'reporting',
  'notifications',
  'inventory',
  'analytics',
];

type Severity = 'critical' | 'high' | 'medium' | 'low';

function effectiveSeverity(rule: DemoCodeQlRule): Severity {
  if (rule.securitySeverityLevel) return rule.securitySeverityLevel;
  return rule.severity === 'error' ? 'high' : rule.severity === 'warning' ? 'medium' : 'low';
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`scale org: missing ${what}`);
  return value;
}

interface Draft<A extends DemoAlert> {
  alert: A;
  repo: number;
  ms: number;
}

/** Numbers alerts 1, 2, 3... per repository in order of creation, as GitHub does. */
function numbered<A extends DemoAlert>(drafts: Draft<A>[]): A[] {
  drafts.sort((a, b) => a.repo - b.repo || a.ms - b.ms);
  let repo = -1;
  let n = 0;
  return drafts.map((d) => {
    n = d.repo === repo ? n + 1 : 1;
    repo = d.repo;
    d.alert.number = n;
    return d.alert;
  });
}

/** Deterministic in `seed`: the same options always give the same org, event for event. */
export function generateScaleOrg(options: ScaleOrgOptions): DemoOrg {
  const {
    org = 'octo-scale',
    alerts: total = 100_000,
    repositories: repoCount = 2_000,
    seed = 7,
    weeks = 12,
    endsAt,
    auditLog = true,
  } = options;
  const endsAtMs = Date.parse(endsAt);
  if (Number.isNaN(endsAtMs)) throw new Error(`endsAt is not an ISO instant: ${endsAt}`);
  if (!Number.isInteger(total) || total < 0) throw new Error(`alerts must be a whole number, got ${total}`);
  if (!Number.isInteger(repoCount) || repoCount < 1)
    throw new Error(`repositories must be a positive integer, got ${repoCount}`);
  const startsAtMs = endsAtMs - weeks * 7 * DAY;
  const historyStartsAtMs = startsAtMs - BACKLOG_DAYS * DAY;
  const rng = createPrng(seed);

  const users: DemoUser[] = USER_SEEDS.map(([login]) => ({
    login,
    id: rng.int(1_000_000, 190_000_000),
    type: 'User',
  }));
  const userWeights = USER_SEEDS.map(([login, weight]) => [login, weight] as const);
  const repositories: DemoRepository[] = [];
  for (let i = 0; i < repoCount; i++) {
    const [language, ecosystem, kind] = required(STACKS[i % STACKS.length], 'stack');
    const area = required(AREAS[Math.floor(i / STACKS.length) % AREAS.length], 'area');
    repositories.push({
      name: `${area}-${String(i + 1).padStart(4, '0')}`,
      id: 400_000_000 + i * 17 + rng.int(0, 16),
      description: kind,
      private: i % 9 !== 0,
      language,
      ecosystem,
    });
  }
  const shas = Array.from({ length: SHA_POOL_SIZE }, () => rng.hex(40));
  const ctx: LifecycleContext = { rng, endsAtMs, pickUser: () => rng.weighted(userWeights) };
  // Skewed towards the first repositories: a few monorepos carry many alerts, most carry a few.
  const pickRepo = (): number => Math.min(repoCount - 1, Math.floor(repoCount * rng.next() ** 1.3));
  const creationTime = (people: boolean): number => {
    const backlog = rng.chance(BACKLOG_SHARE);
    const from = backlog ? historyStartsAtMs : startsAtMs;
    const to = backlog ? startsAtMs : endsAtMs;
    const ms = from + rng.next() * (to - from);
    const adjusted = people ? toWorkingHours(ms, rng) : ms;
    return adjusted < endsAtMs ? adjusted : ms;
  };
  const counts = scaleCounts(total);
  const orgId = rng.int(10_000_000, 190_000_000);

  const dependabotDrafts: Draft<DemoDependabotAlert>[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < counts.dependabot; i++) {
    const r = pickRepo();
    const repo = required(repositories[r], 'repository');
    const advisory = rng.pick(ADVISORIES[repo.ecosystem] ?? []);
    const manifest = rng.pick(MANIFESTS[repo.ecosystem] ?? ['package-lock.json']);
    // One alert per repository, advisory and manifest: busy repositories get more manifests.
    let manifestPath = manifest;
    for (let module = 1; seen.has(`${r}|${advisory.ghsaId}|${manifestPath}`); module++) {
      manifestPath = `modules/m${module}/${manifest}`;
    }
    seen.add(`${r}|${advisory.ghsaId}|${manifestPath}`);
    const ms = creationTime(false);
    dependabotDrafts.push({
      repo: r,
      ms,
      alert: {
        alertType: 'dependabot',
        repository: repo.name,
        number: 0,
        createdAt: isoSeconds(ms),
        events: dependabotEvents(ctx, ms, advisory.severity),
        advisory,
        manifestPath,
        scope: manifest.includes('dev') || manifest.startsWith('tools/') ? 'development' : 'runtime',
        relationship: rng.chance(0.4) ? 'direct' : 'transitive',
      },
    });
  }
  seen.clear();

  const messages = new Map<DemoCodeQlRule, string>();
  const codeDrafts: Draft<DemoCodeScanningAlert>[] = [];
  for (let i = 0; i < counts.code_scanning; i++) {
    const r = pickRepo();
    const repo = required(repositories[r], 'repository');
    const rule = rng.pick(CODEQL_RULES[repo.language] ?? []);
    let message = messages.get(rule);
    if (message === undefined) {
      message = `${rule.description}.`;
      messages.set(rule, message);
    }
    const dir = rng.pick(SOURCE_DIRS[repo.language] ?? ['src']);
    const path = `${dir}/${rng.pick(SOURCE_FILES)}.${SOURCE_EXTENSIONS[repo.language] ?? 'txt'}`;
    const startLine = rng.int(5, 480);
    const startColumn = rng.int(1, 40);
    const ms = creationTime(true);
    codeDrafts.push({
      repo: r,
      ms,
      alert: {
        alertType: 'code_scanning',
        repository: repo.name,
        number: 0,
        createdAt: isoSeconds(ms),
        events: codeScanningEvents(ctx, ms, effectiveSeverity(rule)),
        rule,
        path,
        startLine,
        endLine: startLine + rng.int(0, 3),
        startColumn,
        endColumn: startColumn + rng.int(8, 60),
        commitSha: rng.pick(shas),
        message,
      },
    });
  }

  const secretDrafts: Draft<DemoSecretScanningAlert>[] = [];
  for (let i = 0; i < counts.secret_scanning; i++) {
    const r = pickRepo();
    const repo = required(repositories[r], 'repository');
    const secretType = rng.weighted(SECRET_TYPES);
    const ms = creationTime(true);
    const pusher = ctx.pickUser();
    const bypass: DemoPushProtectionBypass | null =
      secretType.providerPattern && rng.chance(0.3)
        ? {
            actor: pusher,
            at: isoSeconds(ms),
            reason: rng.weighted([
              ['will_fix_later', 55],
              ['false_positive', 25],
              ['used_in_tests', 20],
            ] as const),
          }
        : null;
    secretDrafts.push({
      repo: r,
      ms,
      alert: {
        alertType: 'secret_scanning',
        repository: repo.name,
        number: 0,
        createdAt: isoSeconds(ms),
        events: secretScanningEvents(ctx, ms, { pusher, bypass, patternResolutions: false }),
        secretType,
        // Obviously fake, never the shape of a real credential.
        secret: `scale-secret-value-${i + 1}`,
        bypass,
        publiclyLeaked: secretType.providerPattern && rng.chance(0.1),
        path: rng.pick(SECRET_PATHS),
        line: rng.int(1, 120),
        commitSha: rng.pick(shas),
        blobSha: rng.pick(shas),
      },
    });
  }

  const dependabot = numbered(dependabotDrafts);
  const codeScanning = numbered(codeDrafts);
  const secretScanning = numbered(secretDrafts);
  const auditEvents = auditLog
    ? buildAuditEvents({ org, orgId, rng, users }, { dependabot, secret_scanning: secretScanning })
    : [];

  return {
    org,
    orgId,
    seed,
    startsAt: isoSeconds(startsAtMs),
    endsAt: isoSeconds(endsAtMs),
    historyStartsAt: isoSeconds(historyStartsAtMs),
    repositories,
    users,
    alerts: { dependabot, secret_scanning: secretScanning, code_scanning: codeScanning },
    auditEvents,
  };
}

/** One change made by `changeAlerts`, in GitHub's state names. */
export interface AlertChange {
  alertType: DemoAlertType;
  /** Repository name inside the org. */
  repository: string;
  number: number;
  from: string;
  to: string;
  /** ISO-8601, whole seconds: the alert's new `updated_at`. */
  at: string;
  actor: string | null;
  reason: string | null;
}

const STATE_AFTER: Record<DemoEventKind, string> = {
  created: 'open',
  reopened: 'open',
  fixed: 'fixed',
  dismissed: 'dismissed',
  auto_dismissed: 'auto_dismissed',
  resolved: 'resolved',
};

function closingEvent(alert: DemoAlert, rng: Prng, actor: string): Omit<DemoAlertEvent, 'at'> {
  const pickComment = (key: string): string | null => {
    const options = COMMENTS[key];
    return options && rng.chance(0.5) ? rng.pick(options) : null;
  };
  switch (alert.alertType) {
    case 'dependabot': {
      if (rng.chance(0.5)) return { kind: 'fixed', actor: null, reason: null, comment: null };
      const reason = rng.pick(['tolerable_risk', 'not_used', 'inaccurate', 'no_bandwidth', 'fix_started']);
      return { kind: 'dismissed', actor, reason, comment: pickComment(reason) };
    }
    case 'code_scanning': {
      if (rng.chance(0.5)) return { kind: 'fixed', actor: null, reason: null, comment: null };
      const reason = rng.pick(['false positive', "won't fix", 'used in tests']);
      return { kind: 'dismissed', actor, reason, comment: pickComment(reason) };
    }
    case 'secret_scanning': {
      const reason = rng.pick(['revoked', 'revoked', 'false_positive', 'wont_fix', 'used_in_tests']);
      return { kind: 'resolved', actor, reason, comment: pickComment(reason) };
    }
  }
}

/** Picks `k` of `items` without repetition, deterministically in `rng`. */
function sample<T>(items: T[], k: number, rng: Prng): T[] {
  const pool = [...items];
  const take = Math.min(k, pool.length);
  for (let i = 0; i < take; i++) {
    const j = rng.int(i, pool.length - 1);
    const a = pool[i] as T;
    pool[i] = pool[j] as T;
    pool[j] = a;
  }
  return pool.slice(0, take);
}

/**
 * Makes `count` alerts change state at the instant `at`: open ones are fixed, dismissed or
 * resolved, closed ones reopened, spread evenly over the three types. Only alerts whose last
 * event is before `at` are chosen, so every changed alert's `updated_at` becomes exactly `at`.
 * Moves `endsAt` past `at`, adds the audit log entries people's actions leave, and bumps
 * `revision` so a running simulated GitHub serves the new state at once.
 *
 * An incremental snapshot taken at or after the previous `endsAt` and before `at` then sees
 * exactly these alerts change. Throws when fewer than `count` alerts can change.
 */
export function changeAlerts(demo: DemoOrg, count: number, at: string | Date, seed = 1): AlertChange[] {
  const atMs = Math.floor((typeof at === 'string' ? Date.parse(at) : at.getTime()) / SECOND) * SECOND;
  if (Number.isNaN(atMs)) throw new Error(`at is not an instant: ${String(at)}`);
  if (!Number.isInteger(count) || count < 0) throw new Error(`count must be a whole number, got ${count}`);
  const atIso = isoSeconds(atMs);
  const rng = createPrng(seed);
  const changeable = (alert: DemoAlert): boolean => {
    const last = alert.events[alert.events.length - 1];
    return last !== undefined && Date.parse(last.at) < atMs;
  };
  const pools: Record<DemoAlertType, DemoAlert[]> = {
    dependabot: demo.alerts.dependabot.filter(changeable),
    code_scanning: demo.alerts.code_scanning.filter(changeable),
    secret_scanning: demo.alerts.secret_scanning.filter(changeable),
  };
  const available = pools.dependabot.length + pools.code_scanning.length + pools.secret_scanning.length;
  if (available < count) {
    throw new Error(`changeAlerts: only ${available} alerts can change before ${atIso}, ${count} asked.`);
  }
  // An even share per type; what a small type cannot take goes to the others.
  const types: DemoAlertType[] = ['dependabot', 'code_scanning', 'secret_scanning'];
  const share: Record<DemoAlertType, number> = { dependabot: 0, code_scanning: 0, secret_scanning: 0 };
  let left = count;
  while (left > 0) {
    const open = types.filter((t) => share[t] < pools[t].length);
    const each = Math.max(1, Math.floor(left / open.length));
    for (const t of open) {
      const add = Math.min(each, pools[t].length - share[t], left);
      share[t] += add;
      left -= add;
      if (left === 0) break;
    }
  }

  const users = demo.users.filter((u) => u.type === 'User').map((u) => u.login);
  const changes: AlertChange[] = [];
  const touched = {
    dependabot: [] as DemoDependabotAlert[],
    secret_scanning: [] as DemoSecretScanningAlert[],
  };
  for (const type of types) {
    for (const alert of sample(pools[type], share[type], rng)) {
      const last = alert.events[alert.events.length - 1] as DemoAlertEvent;
      const from = STATE_AFTER[last.kind];
      const actor = rng.pick(users);
      // People reopen what people closed; GitHub reopens what it fixed or auto-dismissed itself.
      const event: DemoAlertEvent =
        from === 'open'
          ? { ...closingEvent(alert, rng, actor), at: atIso }
          : {
              kind: 'reopened',
              at: atIso,
              actor: last.kind === 'fixed' || last.kind === 'auto_dismissed' ? null : actor,
              reason: null,
              comment: null,
            };
      alert.events.push(event);
      changes.push({
        alertType: type,
        repository: alert.repository,
        number: alert.number,
        from,
        to: STATE_AFTER[event.kind],
        at: atIso,
        actor: event.actor,
        reason: event.reason,
      });
      if (alert.alertType === 'dependabot') touched.dependabot.push(alert);
      if (alert.alertType === 'secret_scanning') touched.secret_scanning.push(alert);
    }
  }

  const audit: AuditContext = { org: demo.org, orgId: demo.orgId, rng, users: demo.users };
  const added = buildAuditEvents(audit, touched, { onlyAt: atIso });
  const lastLogged = demo.auditEvents[demo.auditEvents.length - 1]?.['@timestamp'] ?? 0;
  demo.auditEvents.push(...added);
  if (added.length > 0 && lastLogged > atMs) {
    demo.auditEvents.sort(
      (a, b) => a['@timestamp'] - b['@timestamp'] || a._document_id.localeCompare(b._document_id),
    );
  }
  const end = Math.max(Date.parse(demo.endsAt), atMs + SECOND);
  demo.endsAt = isoSeconds(end);
  demo.revision = (demo.revision ?? 0) + 1;
  return changes;
}
