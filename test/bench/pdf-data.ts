/**
 * report.json variants of any size for the PDF benchmark and the render tests: the sample report
 * (test/fixtures/report-sample.ts) with `n` generated transitions spread over its period, in many
 * repositories, and summary counts that add up to them. Deterministic: the same n gives the same
 * report.
 */
import { ALERT_TYPES, type AlertState } from '../../functions/core/model.ts';
import type { Counts, ReportJson, ReportTransition } from '../../functions/core/report-model.ts';
import { sampleReport } from '../fixtures/report-sample.ts';

/** The repository of transition `i` of `n`: about 50 transitions per repository. */
export function repositoryOf(i: number, n: number): string {
  const repositories = Math.max(10, Math.ceil(n / 50));
  return `octo-demo/service-${String(i % repositories).padStart(4, '0')}`;
}

/** Alert numbers are unique per transition: `#${10_000 + i}`. */
export function numberOf(i: number): number {
  return 10_000 + i;
}

const MOVES: readonly { from: AlertState | null; to: AlertState }[] = [
  { from: null, to: 'open' },
  { from: 'open', to: 'fixed' },
  { from: null, to: 'open' },
  { from: 'open', to: 'dismissed' },
  { from: 'open', to: 'fixed' },
  { from: 'dismissed', to: 'open' },
];

const REASONS = ['tolerable_risk', 'no_bandwidth', 'inaccurate', 'not_used', 'false_positive'];

/** The sample report with `n` transitions instead of its 19. */
export function reportWithTransitions(n: number): ReportJson {
  const start = Date.parse(sampleReport.period.start);
  const span = Date.parse(sampleReport.period.end) - start;
  const base = sampleReport.transitions;
  const transitions: ReportTransition[] = Array.from({ length: n }, (_, i) => {
    const model = base[i % base.length] as ReportTransition;
    const move = MOVES[i % MOVES.length] as (typeof MOVES)[number];
    const alertType = ALERT_TYPES[i % ALERT_TYPES.length] ?? 'dependabot';
    const repository = repositoryOf(i, n);
    const number = numberOf(i);
    const dismissed = move.to === 'dismissed';
    const path = alertType === 'dependabot' ? 'dependabot' : alertType.replace('_', '-');
    return {
      ...model,
      alertType,
      repository,
      number,
      from: move.from,
      to: move.to,
      // Spread over the period, strictly increasing: transition n - 1 is the last one.
      at: new Date(start + Math.floor(((i + 0.5) / n) * span)).toISOString(),
      actor: move.from === null ? null : (['mona', 'hubot', 'octocat', 'jdoe'][i % 4] ?? null),
      reason: dismissed ? (REASONS[i % REASONS.length] ?? null) : null,
      // Every third dismissal without a comment, as the sample has some.
      comment:
        dismissed && Math.floor(i / MOVES.length) % 3 !== 0
          ? `Reviewed in triage ${i}: ${model.title.slice(0, 60)}`
          : null,
      htmlUrl: `https://github.com/${repository}/security/${path}/${number}`,
    };
  });

  const counts = (type: (typeof ALERT_TYPES)[number] | 'total'): Counts => {
    const mine = transitions.filter((t) => type === 'total' || t.alertType === type);
    const opened = mine.filter((t) => t.from === null).length;
    const fixed = mine.filter((t) => t.to === 'fixed').length;
    const dismissed = mine.filter((t) => t.to === 'dismissed').length;
    const reopened = mine.filter((t) => t.to === 'open' && t.from !== null).length;
    const before = sampleReport.summary[type];
    const openAtStart = before.openAtStart + fixed + dismissed;
    return {
      openAtStart,
      openAtEnd: openAtStart + opened + reopened - fixed - dismissed,
      opened,
      fixed,
      dismissed,
      reopened,
      mttrDays: before.mttrDays,
      netResolveRate: opened === 0 ? null : Math.round(((fixed + dismissed) / opened) * 10_000) / 10_000,
    };
  };
  return {
    ...sampleReport,
    summary: {
      total: counts('total'),
      dependabot: counts('dependabot'),
      secret_scanning: counts('secret_scanning'),
      code_scanning: counts('code_scanning'),
    },
    transitions,
  };
}
