/**
 * What happens to an alert after it is created, drawn from the seeded generator: fixes,
 * dismissals with GitHub's reasons, reopens, push protection bypasses. Rates are rough but
 * plausible; the mix guarantees every case a report must handle shows up.
 */
import { COMMENTS } from './demo-catalog.ts';
import { DAY, HOUR, SECOND, Timeline, toWorkingHours } from './demo-timeline.ts';
import type { DemoAlertEvent, DemoPushProtectionBypass } from './demo-types.ts';
import type { Prng } from './prng.ts';

export interface LifecycleContext {
  rng: Prng;
  endsAtMs: number;
  /** A person who triages alerts (weighted towards the security champions). */
  pickUser(): string;
}

type Severity = 'critical' | 'high' | 'medium' | 'low';

/** Mean days to fix: the worse the alert, the faster teams move. */
const MEAN_DAYS_TO_FIX: Record<Severity, number> = { critical: 9, high: 22, medium: 45, low: 75 };

const DEPENDABOT_REASONS = [
  ['tolerable_risk', 30],
  ['not_used', 25],
  ['inaccurate', 20],
  ['no_bandwidth', 15],
  ['fix_started', 10],
] as const;

const CODE_SCANNING_REASONS = [
  ['false positive', 45],
  ["won't fix", 30],
  ['used in tests', 25],
] as const;

const SECRET_RESOLUTIONS = [
  ['revoked', 45],
  ['false_positive', 10],
  ['wont_fix', 8],
  ['used_in_tests', 7],
  [null, 30],
] as const;

function later(ctx: LifecycleContext, from: number, meanDays: number, people: boolean): number {
  const ms = from + Math.max(HOUR, ctx.rng.exponential(meanDays * DAY));
  return people ? toWorkingHours(ms, ctx.rng) : ms;
}

function comment(ctx: LifecycleContext, reason: string, p: number): string | null {
  const options = COMMENTS[reason];
  return options && ctx.rng.chance(p) ? ctx.rng.pick(options) : null;
}

function dismissBy(ctx: LifecycleContext, t: Timeline, reason: string, meanDays: number): boolean {
  return t.add('dismissed', later(ctx, t.last, meanDays, true), {
    actor: ctx.pickUser(),
    reason,
    comment: comment(ctx, reason, 0.8),
  });
}

export function dependabotEvents(
  ctx: LifecycleContext,
  createdMs: number,
  severity: Severity,
): DemoAlertEvent[] {
  const { rng } = ctx;
  const t = new Timeline(createdMs, ctx.endsAtMs);
  const fixDays = MEAN_DAYS_TO_FIX[severity];
  if (rng.chance(0.08)) {
    // Auto-triage rules act when the alert is raised, not days later.
    t.add('auto_dismissed', createdMs + rng.int(5, 90) * SECOND);
    if (rng.chance(0.25) && t.add('reopened', later(ctx, t.last, 20, false)) && rng.chance(0.5)) {
      t.add('fixed', later(ctx, t.last, fixDays, true));
    }
    return t.events;
  }
  const outcome = rng.weighted([
    ['fix', 45],
    ['dismiss', 25],
    ['open', 30],
  ] as const);
  if (outcome === 'fix' && t.add('fixed', later(ctx, t.last, fixDays, true))) {
    // A fixed alert reopens when the vulnerable version comes back (a revert, a new lockfile).
    if (rng.chance(0.05) && t.add('reopened', later(ctx, t.last, 20, true)) && rng.chance(0.5)) {
      t.add('fixed', later(ctx, t.last, fixDays, true));
    }
  } else if (outcome === 'dismiss' && dismissBy(ctx, t, rng.weighted(DEPENDABOT_REASONS), 12)) {
    if (rng.chance(0.2) && t.add('reopened', later(ctx, t.last, 15, true), { actor: ctx.pickUser() })) {
      const next = rng.weighted([
        ['fix', 50],
        ['dismiss', 20],
        ['open', 30],
      ] as const);
      if (next === 'fix') t.add('fixed', later(ctx, t.last, fixDays, true));
      if (next === 'dismiss') dismissBy(ctx, t, rng.weighted(DEPENDABOT_REASONS), 10);
    }
  }
  return t.events;
}

export function codeScanningEvents(
  ctx: LifecycleContext,
  createdMs: number,
  severity: Severity,
): DemoAlertEvent[] {
  const { rng } = ctx;
  const t = new Timeline(createdMs, ctx.endsAtMs);
  const fixDays = MEAN_DAYS_TO_FIX[severity] * 1.5;
  const outcome = rng.weighted([
    ['fix', 40],
    ['dismiss', 22],
    ['open', 38],
  ] as const);
  if (outcome === 'fix' && t.add('fixed', later(ctx, t.last, fixDays, true))) {
    // CodeQL reopens a fixed alert by itself when the same result shows up again.
    if (rng.chance(0.08) && t.add('reopened', later(ctx, t.last, 20, true)) && rng.chance(0.4)) {
      t.add('fixed', later(ctx, t.last, fixDays, true));
    }
  } else if (outcome === 'dismiss') {
    const reason = rng.weighted(CODE_SCANNING_REASONS);
    const dismissed = t.add('dismissed', later(ctx, t.last, 10, true), {
      actor: ctx.pickUser(),
      reason,
      comment: comment(ctx, reason, 0.75),
    });
    if (
      dismissed &&
      rng.chance(0.18) &&
      t.add('reopened', later(ctx, t.last, 12, true), { actor: ctx.pickUser() })
    ) {
      if (rng.chance(0.5)) t.add('fixed', later(ctx, t.last, fixDays, true));
    }
  }
  return t.events;
}

export interface SecretLifecycleOptions {
  pusher: string;
  bypass: DemoPushProtectionBypass | null;
  /** Resolve some alerts as `pattern_edited` / `pattern_deleted` (not in the REST schema). */
  patternResolutions: boolean;
}

export function secretScanningEvents(
  ctx: LifecycleContext,
  createdMs: number,
  { pusher, bypass, patternResolutions }: SecretLifecycleOptions,
): DemoAlertEvent[] {
  const { rng } = ctx;
  const t = new Timeline(createdMs, ctx.endsAtMs, pusher);
  let resolved = false;
  if (bypass && bypass.reason !== 'will_fix_later') {
    // GitHub creates the alert already closed when the bypass says "false positive" / "used in tests".
    resolved = t.add('resolved', createdMs + rng.int(2, 20) * SECOND, {
      actor: bypass.actor,
      reason: bypass.reason,
    });
  } else {
    const resolution = rng.weighted(SECRET_RESOLUTIONS);
    if (resolution !== null) {
      const pattern = patternResolutions && rng.chance(0.15);
      const reason = pattern ? rng.pick(['pattern_edited', 'pattern_deleted']) : resolution;
      const meanDays = resolution === 'revoked' ? 4 : 10;
      resolved = t.add('resolved', later(ctx, t.last, meanDays, true), {
        actor: pattern ? null : ctx.pickUser(),
        reason,
        comment: pattern ? null : comment(ctx, reason, 0.7),
      });
    }
  }
  if (
    resolved &&
    rng.chance(0.15) &&
    t.add('reopened', later(ctx, t.last, 10, true), { actor: ctx.pickUser() })
  ) {
    if (rng.chance(0.6)) {
      t.add('resolved', later(ctx, t.last, 3, true), {
        actor: ctx.pickUser(),
        reason: 'revoked',
        comment: comment(ctx, 'revoked', 0.7),
      });
    }
  }
  return t.events;
}
