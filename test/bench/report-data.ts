/**
 * Synthetic ledger contents for the report benchmark: N alerts of the three types over 26 weeks
 * of history in about N / 50 repositories, with the transitions the store would hold for them
 * and one snapshot manifest per day (or more, BENCH_REPORT_MANIFESTS_PER_DAY), ending one day
 * after the reported week.
 *
 * The alerts are drawn into fixed shares, so that the reported week holds 20% of N transitions
 * (creations, fixes, dismissals, reopens) and 30% of the alerts are open at its end:
 *
 * | share | what happens to the alert                                        | period transitions |
 * |-------|-------------------------------------------------------------------|--------------------|
 * | 4.9%  | created in the period, still open at its end                     | 1                  |
 * | 2.2%  | created and closed in the period                                 | 2                  |
 * | 9.9%  | created before, closed in the period                             | 1                  |
 * | 0.8%  | created and closed before, reopened in the period                | 1                  |
 * | 23.3% | created before, open at the end and still open now               | 0                  |
 * | 1.0%  | created before, open at the end, closed after it (the tail day)  | 0                  |
 * | 0.3%  | created after the period's end (the tail day)                    | 0                  |
 * | 0.2%  | closed before the period, reopened after its end                 | 0                  |
 * | rest  | created and closed before the period (5% with an earlier reopen) | 0                  |
 *
 * The tail (one day after the period, up to "now") makes alerts that were open at the period's
 * end but are not open now, and the reverse: the windowed read must still get them right.
 *
 * Everything is deterministic in the seed. `expected` holds the figures the report must show,
 * computed here from the generated events without the core's code.
 */
import type {
  Alert,
  AlertState,
  AlertType,
  Severity,
  SnapshotManifest,
  Transition,
  TransitionSource,
} from '../../functions/core/model.ts';
import { formatInstant, lastPeriods, type Period, parsePeriodId } from '../../functions/core/periods.ts';
import type { SnapView } from '../../functions/store/dynamo-store.ts';
import { createPrng, type Prng } from '../../infra/local/github/prng.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

export const HISTORY_WEEKS = 26;
export const TREND_PERIODS = 12;

export interface DatasetOptions {
  alerts: number;
  repositories?: number;
  /** The reported ISO week (default 2026-W46). */
  periodId?: string;
  manifestsPerDay?: number;
  seed?: number;
  org?: string;
}

export interface Entry {
  alert: Alert;
  transitions: Transition[];
  snap: SnapView;
}

export interface ExpectedFigures {
  alerts: number;
  repositories: number;
  transitions: number;
  /** Transitions with `at` in [start, end). */
  periodTransitions: number;
  openAtStart: number;
  openAtEnd: number;
  opened: number;
  fixed: number;
  dismissed: number;
  reopened: number;
  /** Alerts open at "now" (one day after the end): what the open-alerts index holds under the org. */
  openNow: number;
  manifests: number;
  /** Manifests taken from the trend window's start on. */
  manifestsInWindow: number;
  /** Transitions from the trend window's start on (what loadReportInput reads). */
  transitionsInWindow: number;
  /** Alerts closed now with a transition in the window (what loadReportInput keeps of the closed ones it reads by day). */
  changedAlertsInWindow: number;
  /**
   * The issue's read set: the period's transitions, the alerts open at its start and the
   * manifests of the trend window.
   */
  issueReadSet: number;
  byType: Record<AlertType, number>;
}

export interface Dataset {
  org: string;
  period: Period;
  trendPeriods: Period[];
  windowStart: string;
  /** One day after the period's end: the instant the report is generated. */
  now: string;
  entries: Entry[];
  manifests: SnapshotManifest[];
  expected: ExpectedFigures;
}

type Category =
  | 'periodOpen'
  | 'periodClosed'
  | 'closedInPeriod'
  | 'reopenedInPeriod'
  | 'open'
  | 'closedInTail'
  | 'createdInTail'
  | 'reopenedInTail'
  | 'closedBefore';

const SHARES: readonly [Category, number][] = [
  ['periodOpen', 0.049],
  ['periodClosed', 0.022],
  ['closedInPeriod', 0.099],
  ['reopenedInPeriod', 0.008],
  ['open', 0.233],
  ['closedInTail', 0.01],
  ['createdInTail', 0.003],
  ['reopenedInTail', 0.002],
];

const TYPE_MIX: readonly (readonly [AlertType, number])[] = [
  ['dependabot', 50],
  ['code_scanning', 35],
  ['secret_scanning', 15],
];

const SEVERITY_MIX: readonly (readonly [Severity, number])[] = [
  ['critical', 8],
  ['high', 32],
  ['medium', 42],
  ['low', 18],
];

const DEPENDABOT_DISMISSALS = ['tolerable_risk', 'no_bandwidth', 'not_used', 'inaccurate', 'fix_started'];
const CODE_SCANNING_DISMISSALS = ["won't fix", 'false positive', 'used in tests'];
const SECRET_RESOLUTIONS_DISMISSED = ['false_positive', 'used_in_tests', 'wont_fix', 'pattern_edited'];
const SECRET_TYPES = [
  ['github_personal_access_token', 'GitHub Personal Access Token'],
  ['aws_access_key_id', 'Amazon AWS Access Key ID'],
  ['slack_api_token', 'Slack API Token'],
  ['stripe_api_key', 'Stripe API Key'],
  ['google_api_key', 'Google API Key'],
  ['azure_storage_account_key', 'Azure Storage Account Access Key'],
  ['npm_access_token', 'npm Access Token'],
  ['password', 'Password'],
  ['http_bearer_authentication_header', 'HTTP Bearer Authentication Header'],
  ['rsa_private_key', 'RSA Private Key'],
] as const;
const COMMENTS = [
  'Not reachable from our code paths',
  'Upgrade scheduled for next sprint',
  'Test fixture only',
  'Rotated and revoked',
  'Accepted risk, see SEC-1234',
];

interface Rule {
  ruleId: string;
  title: string;
  severity: Severity;
}

function rulePools(rng: Prng): { advisories: Rule[]; codeRules: Rule[] } {
  const advisories: Rule[] = [];
  for (let i = 0; i < 400; i++) {
    advisories.push({
      ruleId: `GHSA-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}`,
      title: `Vulnerability ${i + 1} in package-${i % 97}: ${['prototype pollution', 'ReDoS', 'path traversal', 'SSRF', 'deserialization'][i % 5]}`,
      severity: rng.weighted(SEVERITY_MIX),
    });
  }
  const codeRules: Rule[] = [];
  for (let i = 0; i < 80; i++) {
    const lang = ['js', 'py', 'java', 'go', 'rb', 'cs'][i % 6];
    codeRules.push({
      ruleId: `${lang}/rule-${i + 1}`,
      title: `${['SQL injection', 'Cross-site scripting', 'Uncontrolled path', 'Hard-coded credentials', 'Weak cryptography'][i % 5]} (${lang} ${i + 1})`,
      severity: rng.weighted(SEVERITY_MIX),
    });
  }
  return { advisories, codeRules };
}

/** One generated alert before numbering: its fixed fields and its events in time order. */
interface Draft {
  type: AlertType;
  repo: number;
  severity: Severity;
  ruleId: string;
  title: string;
  secretType?: string;
  createdMs: number;
  /** Changes after creation, in time order. */
  events: { ms: number; to: AlertState }[];
  bypassed: boolean;
  leaked: boolean;
}

export function generateDataset(options: DatasetOptions): Dataset {
  const n = options.alerts;
  const org = options.org ?? 'octo-report';
  const repoCount = options.repositories ?? Math.max(1, Math.round(n / 50));
  const manifestsPerDay = options.manifestsPerDay ?? 1;
  const rng = createPrng(options.seed ?? 11);
  const period = parsePeriodId(options.periodId ?? '2026-W46');
  const trendPeriods = lastPeriods(period, TREND_PERIODS);
  const startMs = Date.parse(period.start);
  const endMs = Date.parse(period.end);
  const historyMs = endMs - HISTORY_WEEKS * WEEK;
  const nowMs = endMs + DAY;
  const windowStartMs = Date.parse(trendPeriods[0]?.start ?? period.start);
  const { advisories, codeRules } = rulePools(rng);
  const users = Array.from({ length: 40 }, (_, i) => `dev-${String(i + 1).padStart(2, '0')}`);

  // Categories in fixed numbers, shuffled over the alerts.
  const categories: Category[] = [];
  for (const [category, share] of SHARES) {
    for (let i = Math.round(share * n); i > 0; i--) categories.push(category);
  }
  while (categories.length < n) categories.push('closedBefore');
  categories.length = n;
  for (let i = categories.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [categories[i], categories[j]] = [categories[j] as Category, categories[i] as Category];
  }

  const between = (from: number, to: number): number => Math.floor(from + rng.next() * (to - from));
  const closeState = (type: AlertType): AlertState =>
    rng.chance(type === 'dependabot' ? 0.6 : type === 'code_scanning' ? 0.7 : 0.5) ? 'fixed' : 'dismissed';
  /** A closing some time after `fromMs`: an exponential delay (mean 30 days), kept before `beforeMs`. */
  const closingAfter = (fromMs: number, beforeMs: number): number => {
    const delay = Math.max(10 * MINUTE, rng.exponential(30 * DAY));
    return fromMs + delay < beforeMs ? fromMs + delay : between(fromMs + MINUTE, beforeMs);
  };

  const drafts: Draft[] = [];
  for (const category of categories) {
    const type = rng.weighted(TYPE_MIX);
    const repo = Math.min(repoCount - 1, Math.floor(repoCount * rng.next() ** 1.3));
    let rule: Rule;
    let secretType: string | undefined;
    if (type === 'dependabot') rule = rng.pick(advisories);
    else if (type === 'code_scanning') rule = rng.pick(codeRules);
    else {
      const [id, title] = rng.pick(SECRET_TYPES);
      rule = { ruleId: id, title, severity: 'critical' };
      secretType = id;
    }
    const events: Draft['events'] = [];
    let createdMs: number;
    const close = (ms: number) => events.push({ ms, to: closeState(type) });
    const reopen = (ms: number) => events.push({ ms, to: 'open' });
    switch (category) {
      case 'periodOpen':
        createdMs = between(startMs, endMs - MINUTE);
        break;
      case 'periodClosed':
        createdMs = between(startMs, endMs - HOUR);
        close(between(createdMs + 5 * MINUTE, Math.min(createdMs + 3 * DAY, endMs - MINUTE)));
        break;
      case 'closedInPeriod':
        createdMs = between(historyMs, startMs - HOUR);
        if (rng.chance(0.1)) {
          const first = closingAfter(createdMs, startMs - 20 * MINUTE);
          close(first);
          reopen(between(first + 5 * MINUTE, startMs - 10 * MINUTE));
        }
        close(between(startMs, endMs - MINUTE));
        break;
      case 'reopenedInPeriod':
        createdMs = between(historyMs, startMs - 2 * DAY);
        close(closingAfter(createdMs, startMs - HOUR));
        reopen(between(startMs, endMs - MINUTE));
        break;
      case 'open':
      case 'closedInTail':
        createdMs = between(historyMs, startMs - MINUTE);
        if (category === 'closedInTail') close(between(endMs, nowMs - MINUTE));
        break;
      case 'createdInTail':
        createdMs = between(endMs, nowMs - MINUTE);
        break;
      case 'reopenedInTail':
        createdMs = between(historyMs, startMs - 2 * DAY);
        close(closingAfter(createdMs, startMs - HOUR));
        reopen(between(endMs, nowMs - MINUTE));
        break;
      case 'closedBefore': {
        createdMs = between(historyMs, startMs - 2 * HOUR);
        const first = closingAfter(createdMs, startMs - HOUR);
        close(first);
        if (rng.chance(0.05) && first < startMs - 3 * HOUR) {
          const reopened = between(first + 5 * MINUTE, startMs - 2 * HOUR);
          reopen(reopened);
          close(between(reopened + 5 * MINUTE, startMs - HOUR));
        }
        break;
      }
    }
    drafts.push({
      type,
      repo,
      severity: rule.severity,
      ruleId: rule.ruleId,
      title: rule.title,
      ...(secretType === undefined ? {} : { secretType }),
      // Whole seconds, as GitHub gives them.
      createdMs: Math.floor(createdMs / 1000) * 1000,
      events: events.map((e) => ({ ms: Math.floor(e.ms / 1000) * 1000, to: e.to })),
      bypassed: type === 'secret_scanning' && rng.chance(0.05),
      leaked: type === 'secret_scanning' && rng.chance(0.02),
    });
  }

  // GitHub numbers each repository's alerts of one type in order of creation.
  drafts.sort((a, b) => a.type.localeCompare(b.type) || a.repo - b.repo || a.createdMs - b.createdMs);
  const repoName = (i: number) => `${org}/service-${String(i + 1).padStart(5, '0')}`;
  const entries: Entry[] = [];
  let lastKey = '';
  let number = 0;
  for (const d of drafts) {
    const key = `${d.type}|${d.repo}`;
    number = key === lastKey ? number + 1 : 1;
    lastKey = key;
    entries.push(toEntry(d, repoName(d.repo), number, rng, users));
  }

  const manifests = buildManifests(org, entries, historyMs, nowMs, manifestsPerDay);
  const expected = expectedFigures(entries, manifests, {
    startMs,
    endMs,
    nowMs,
    windowStartMs,
    repositories: repoCount,
  });
  return {
    org,
    period,
    trendPeriods,
    windowStart: formatInstant(windowStartMs),
    now: formatInstant(nowMs),
    entries,
    manifests,
    expected,
  };
}

function toEntry(d: Draft, repository: string, number: number, rng: Prng, users: readonly string[]): Entry {
  const base = { alertType: d.type, repository, number };
  const createdAt = formatInstant(d.createdMs);
  const pathPart =
    d.type === 'dependabot' ? 'dependabot' : d.type === 'code_scanning' ? 'code-scanning' : 'secret-scanning';
  const transitions: Transition[] = [
    {
      ...base,
      from: null,
      to: 'open',
      at: createdAt,
      actor: null,
      reason: null,
      comment: null,
      source: rng.chance(0.6) ? 'snapshot' : 'webhook',
    },
  ];
  let state: AlertState = 'open';
  let closing: { at: string; actor: string | null; reason: string | null; comment: string | null } | null =
    null;
  for (const e of d.events) {
    const at = formatInstant(e.ms);
    const source: TransitionSource = rng.chance(0.5) ? 'webhook' : rng.chance(0.8) ? 'snapshot' : 'audit_log';
    if (e.to === 'open') {
      transitions.push({
        ...base,
        from: state,
        to: 'open',
        at,
        actor: source === 'snapshot' ? null : rng.pick(users),
        reason: null,
        comment: null,
        source,
      });
      closing = null;
    } else {
      const reason = closingReason(d.type, e.to, rng);
      const actor = reason === 'auto_dismissed' ? null : rng.pick(users);
      const comment = e.to === 'dismissed' && rng.chance(0.3) ? rng.pick(COMMENTS) : null;
      transitions.push({ ...base, from: state, to: e.to, at, actor, reason, comment, source });
      closing = { at, actor, reason, comment };
    }
    state = e.to;
  }
  const lastMs = d.events.at(-1)?.ms ?? d.createdMs;
  const alert: Alert = {
    ...base,
    state,
    severity: d.severity,
    title: d.title,
    ruleId: d.ruleId,
    htmlUrl: `https://github.com/${repository}/security/${pathPart}/${number}`,
    createdAt,
    updatedAt: formatInstant(lastMs),
    closedAt: closing?.at ?? null,
    closedBy: closing?.actor ?? null,
    reason: closing?.reason ?? null,
    comment: closing?.comment ?? null,
  };
  if (d.type === 'secret_scanning') {
    alert.secretType = d.secretType ?? d.ruleId;
    alert.pushProtectionBypassed = d.bypassed;
    alert.pushProtectionBypassedBy = d.bypassed ? rng.pick(users) : null;
    alert.pushProtectionBypassedAt = d.bypassed ? createdAt : null;
    alert.publiclyLeaked = d.leaked;
    alert.publiclyLeakedAt = d.leaked ? formatInstant(d.createdMs + 2 * HOUR) : null;
  }
  return { alert, transitions, snap: { state, severity: d.severity } };
}

function closingReason(type: AlertType, to: AlertState, rng: Prng): string | null {
  if (type === 'secret_scanning') return to === 'fixed' ? 'revoked' : rng.pick(SECRET_RESOLUTIONS_DISMISSED);
  if (to === 'fixed') return null;
  if (type === 'dependabot') return rng.chance(0.15) ? 'auto_dismissed' : rng.pick(DEPENDABOT_DISMISSALS);
  return rng.pick(CODE_SCANNING_DISMISSALS);
}

/**
 * Snapshot manifests every 24 / perDay hours (at 06:00 UTC with one a day), the Monday one a full
 * reconciliation, each with the exact open-alert aggregates at its instant (a sweep over every
 * alert's openings and closings), as take-snapshot writes them.
 */
function buildManifests(
  org: string,
  entries: readonly Entry[],
  historyMs: number,
  nowMs: number,
  perDay: number,
): SnapshotManifest[] {
  const moves: { ms: number; delta: number; alert: Alert }[] = [];
  for (const { alert, transitions } of entries) {
    for (const t of transitions) {
      const wasOpen = t.from === 'open';
      const isOpen = t.to === 'open';
      if (wasOpen !== isOpen) moves.push({ ms: Date.parse(t.at), delta: isOpen ? 1 : -1, alert });
    }
  }
  moves.sort((a, b) => a.ms - b.ms);
  const bySeverity: SnapshotManifest['openBySeverity'] = {
    dependabot: { critical: 0, high: 0, medium: 0, low: 0 },
    secret_scanning: { critical: 0, high: 0, medium: 0, low: 0 },
    code_scanning: { critical: 0, high: 0, medium: 0, low: 0 },
  };
  const byRepository = new Map<string, number>();
  const step = DAY / perDay;
  const manifests: SnapshotManifest[] = [];
  let next = 0;
  let moved = 0;
  for (let ms = historyMs + 6 * HOUR; ms < nowMs; ms += step) {
    let changed = 0;
    while (next < moves.length && (moves[next]?.ms ?? Number.POSITIVE_INFINITY) < ms) {
      const m = moves[next] as (typeof moves)[number];
      bySeverity[m.alert.alertType][m.alert.severity] += m.delta;
      const open = (byRepository.get(m.alert.repository) ?? 0) + m.delta;
      if (open === 0) byRepository.delete(m.alert.repository);
      else byRepository.set(m.alert.repository, open);
      next++;
      changed++;
    }
    moved += changed;
    const takenAt = formatInstant(ms);
    const full = new Date(ms).getUTCDay() === 1 && new Date(ms).getUTCHours() === 6;
    const open = Object.values(bySeverity).reduce(
      (sum, s) => sum + s.critical + s.high + s.medium + s.low,
      0,
    );
    const seen = full ? open + Math.round(moved / 2) : changed;
    const lane = (stream: SnapshotManifest['streams'][number]['stream'], laneId: string, share: number) => {
      const items = Math.round(seen * share);
      return {
        stream,
        lane: laneId,
        status: 'finished' as const,
        items,
        pages: Math.max(1, Math.ceil(items / 100)),
        skipped: 0,
        skippedPages: 0,
      };
    };
    manifests.push({
      org,
      snapshotId: `${takenAt.replace(/[-:]/g, '')}-${full ? 'full' : 'incr'}`,
      takenAt,
      mode: full ? 'full' : 'incremental',
      complete: true,
      streams: [
        lane('dependabot', 'dependabot', 0.5),
        lane('secret_scanning', 'secret_scanning', 0.13),
        lane('secret_scanning', 'secret_scanning_generic', 0.02),
        lane('code_scanning', 'code_scanning', 0.35),
        lane('audit_log', 'audit_log', 0),
      ],
      alertsSeen: seen,
      alertsWritten: changed,
      transitionsWritten: changed,
      auditEventsWritten: 0,
      openBySeverity: structuredClone(bySeverity),
      openByRepository: Object.fromEntries([...byRepository].sort(([a], [b]) => (a < b ? -1 : 1))),
      resumable: false,
      invocations: 1,
      requests: Math.max(5, Math.ceil(seen / 100) + 5),
      noLongerReported: 0,
      reconciled: full,
      skippedItems: [],
      itemsWritten: changed * 2 + 3,
      writeUnits: changed * 4 + 3,
    });
  }
  return manifests;
}

/** The state of one generated alert just before `ms` (absent before its creation). */
function stateBefore(entry: Entry, ms: number): AlertState | 'absent' {
  let state: AlertState | 'absent' = 'absent';
  for (const t of entry.transitions) {
    if (Date.parse(t.at) < ms) state = t.to;
  }
  return state;
}

function expectedFigures(
  entries: readonly Entry[],
  manifests: readonly SnapshotManifest[],
  at: { startMs: number; endMs: number; nowMs: number; windowStartMs: number; repositories: number },
): ExpectedFigures {
  const e: ExpectedFigures = {
    alerts: entries.length,
    repositories: new Set(entries.map((x) => x.alert.repository)).size,
    transitions: 0,
    periodTransitions: 0,
    openAtStart: 0,
    openAtEnd: 0,
    opened: 0,
    fixed: 0,
    dismissed: 0,
    reopened: 0,
    openNow: 0,
    manifests: manifests.length,
    manifestsInWindow: manifests.filter((m) => Date.parse(m.takenAt) >= at.windowStartMs).length,
    transitionsInWindow: 0,
    changedAlertsInWindow: 0,
    issueReadSet: 0,
    byType: { dependabot: 0, secret_scanning: 0, code_scanning: 0 },
  };
  for (const entry of entries) {
    const { alert, transitions } = entry;
    e.byType[alert.alertType]++;
    e.transitions += transitions.length;
    let inWindow = 0;
    for (const t of transitions) {
      const ms = Date.parse(t.at);
      if (ms >= at.startMs && ms < at.endMs) e.periodTransitions++;
      if (ms >= at.windowStartMs) inWindow++;
    }
    e.transitionsInWindow += inWindow;
    if (alert.state === 'open') e.openNow++;
    else if (inWindow > 0) e.changedAlertsInWindow++;
    const atStart = stateBefore(entry, at.startMs);
    const atEnd = stateBefore(entry, at.endMs);
    const createdMs = Date.parse(alert.createdAt);
    const created = createdMs >= at.startMs && createdMs < at.endMs;
    if (atStart === 'open') e.openAtStart++;
    if (atEnd === 'open') e.openAtEnd++;
    if (created) e.opened++;
    if ((atStart === 'fixed' || atStart === 'dismissed') && atEnd === 'open') e.reopened++;
    if ((atStart === 'open' || created) && atEnd === 'fixed') e.fixed++;
    if ((atStart === 'open' || created) && atEnd === 'dismissed') e.dismissed++;
  }
  e.issueReadSet = e.periodTransitions + e.openAtStart + e.manifestsInWindow;
  return e;
}

/** Packs entries into transactions of at most `maxActions` (one per alert, one per transition). */
export function packTransactions(entries: readonly Entry[], maxActions = 100): Entry[][] {
  const batches: Entry[][] = [];
  let batch: Entry[] = [];
  let actions = 0;
  for (const entry of entries) {
    const size = 1 + entry.transitions.length;
    if (actions + size > maxActions && batch.length > 0) {
      batches.push(batch);
      batch = [];
      actions = 0;
    }
    batch.push(entry);
    actions += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}
