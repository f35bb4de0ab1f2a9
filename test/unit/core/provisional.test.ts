import { describe, expect, it } from 'vitest';
import type { Alert, Transition } from '../../../functions/core/model.ts';
import {
  PROVISIONAL_SLACK_MS,
  type ProvisionalChange,
  settleProvisional,
} from '../../../functions/core/provisional.ts';
import { makeAlert } from '../../support/alerts.ts';

const code = (overrides: Partial<Alert>): Alert =>
  makeAlert({
    alertType: 'code_scanning',
    repository: 'octo/app',
    number: 3,
    createdAt: '2026-10-01T00:00:00.000Z',
    updatedAt: '2026-10-01T00:00:00.000Z',
    ...overrides,
  });

const step = (
  from: Transition['from'],
  to: Transition['to'],
  at: string,
  actor: string | null = null,
): Transition => ({
  alertType: 'code_scanning',
  repository: 'octo/app',
  number: 3,
  from,
  to,
  at,
  source: 'webhook',
  actor,
  reason: null,
  comment: null,
});

const ARRIVED = '2026-11-13T13:30:00.000Z';
const OBSERVED = '2026-11-13T14:00:00.000Z';
/** Stored open since 2026-11-01; a `fixed` delivery dated by its arrival closed it. */
const previous = code({ updatedAt: '2026-11-01T09:00:00.000Z' });
const closedByWebhook = code({
  state: 'fixed',
  updatedAt: ARRIVED,
  closedAt: ARRIVED,
  updatedAtEstimated: true,
});
const fix = step('open', 'fixed', ARRIVED, 'octocat');
const change: ProvisionalChange = {
  org: 'octo',
  key: 'code_scanning#octo/app#3',
  version: 4,
  firstAt: ARRIVED,
  transitions: [fix],
  previous,
  deliveries: ['d-1'],
};
const minutesBefore = (at: string, minutes: number) =>
  new Date(Date.parse(at) - minutes * 60_000).toISOString();

describe('settleProvisional', () => {
  it('retracts a change GitHub has not made since well before the delivery arrived', () => {
    const github = code({ updatedAt: '2026-11-01T09:00:00.000Z' });
    expect(settleProvisional(change, closedByWebhook, github, OBSERVED)).toEqual({
      kind: 'rederived',
      alert: previous,
      remove: [fix],
      add: [],
    });
  });

  it('re-dates a late delivery by GitHub’s own time, keeping the webhook as its source and actor', () => {
    const fixedAt = '2026-11-13T11:08:30.000Z';
    const github = code({ state: 'fixed', updatedAt: fixedAt, closedAt: fixedAt });
    const s = settleProvisional(change, closedByWebhook, github, OBSERVED);
    expect(s).toEqual({
      kind: 'rederived',
      alert: github,
      remove: [fix],
      add: [{ ...fix, at: fixedAt }],
    });
  });

  it('puts the change GitHub made instead when it is another one (dismissed, not fixed)', () => {
    const at = '2026-11-05T08:00:00.000Z';
    const github = code({
      state: 'dismissed',
      updatedAt: at,
      closedAt: at,
      closedBy: 'lead',
      reason: 'false positive',
    });
    const s = settleProvisional(change, closedByWebhook, github, OBSERVED);
    expect(s.kind).toBe('rederived');
    expect(s.add).toEqual([
      { ...step('open', 'dismissed', at, 'lead'), source: 'snapshot', reason: 'false positive' },
    ]);
    expect(s.remove).toEqual([fix]);
  });

  it('confirms a change GitHub made within the margin of the delivery, storing GitHub’s own times', () => {
    for (const minutes of [0, 1, PROVISIONAL_SLACK_MS / 60_000 - 1]) {
      const at = minutesBefore(ARRIVED, minutes);
      const github = code({ state: 'fixed', updatedAt: at, closedAt: at });
      // The fix is dated by GitHub's fixed_at, not by the delivery's arrival.
      expect(settleProvisional(change, closedByWebhook, github, OBSERVED)).toEqual({
        kind: 'confirmed',
        alert: github,
        remove: minutes === 0 ? [] : [fix],
        add: minutes === 0 ? [] : [{ ...fix, at }],
      });
    }
  });

  it('retracts a late delivery after a fresh one, and only it, when GitHub is where the fresh one left it', () => {
    // Fixed at 13:29:58 and delivered at once; an old `reopened` redelivered at 14:00.
    const fixedAt = '2026-11-13T13:29:58.000Z';
    const lateReopen = step('fixed', 'open', '2026-11-13T14:00:00.000Z', 'octocat');
    const chain: ProvisionalChange = { ...change, version: 5, transitions: [fix, lateReopen] };
    const reopenedByWebhook = code({ updatedAt: lateReopen.at, updatedAtEstimated: true });
    const github = code({ state: 'fixed', updatedAt: fixedAt, closedAt: fixedAt });
    expect(settleProvisional(chain, reopenedByWebhook, github, '2026-11-13T15:00:00.000Z')).toEqual({
      kind: 'rederived',
      alert: github,
      // The fresh fix stays, dated by GitHub's fixed_at.
      remove: [lateReopen, fix],
      add: [{ ...fix, at: fixedAt }],
    });
  });

  it('keeps a leak’s date the ledger gave it when it stores GitHub’s alert', () => {
    const leakedAt = '2026-11-10T00:00:00.000Z';
    const secret = (o: Partial<Alert>) => code({ alertType: 'secret_scanning', publiclyLeaked: true, ...o });
    const current = secret({
      state: 'fixed',
      updatedAt: ARRIVED,
      closedAt: ARRIVED,
      publiclyLeakedAt: leakedAt,
    });
    const github = secret({
      state: 'fixed',
      updatedAt: minutesBefore(ARRIVED, 1),
      closedAt: minutesBefore(ARRIVED, 1),
    });
    expect(settleProvisional(change, current, github, OBSERVED).alert).toEqual({
      ...github,
      publiclyLeakedAt: leakedAt,
    });
  });

  it('keeps a fix GitHub undid after the delivery, and records GitHub’s reopen after it', () => {
    const reopenedAt = '2026-11-13T13:45:00.000Z';
    const github = code({ updatedAt: reopenedAt });
    const s = settleProvisional(change, closedByWebhook, github, OBSERVED);
    expect(s.kind).toBe('overruled');
    expect(s.remove).toEqual([]);
    expect(s.add).toEqual([{ ...step('fixed', 'open', reopenedAt), source: 'snapshot' }]);
    expect(s.alert).toEqual(github);
  });

  it('cannot tell without GitHub’s updated_at: records GitHub’s state after the webhook’s', () => {
    const github = code({ updatedAt: '2026-11-01T09:00:00.000Z', updatedAtEstimated: true });
    const s = settleProvisional(change, closedByWebhook, github, OBSERVED);
    expect(s.kind).toBe('overruled');
    expect(s.add.map((t) => [t.from, t.to, t.at])).toEqual([['fixed', 'open', OBSERVED]]);
  });

  it('retracts every change of a chain when GitHub is where it was before the first', () => {
    const reopened = step('fixed', 'open', '2026-11-13T13:40:00.000Z', 'octocat');
    const chain: ProvisionalChange = { ...change, version: 5, transitions: [fix, reopened] };
    const reopenedByWebhook = code({ updatedAt: reopened.at, updatedAtEstimated: true });
    const github = code({ updatedAt: '2026-11-01T09:00:00.000Z' });
    expect(settleProvisional(chain, reopenedByWebhook, github, OBSERVED)).toMatchObject({
      kind: 'rederived',
      alert: previous,
      remove: [fix, reopened],
      add: [],
    });
  });

  it('an alert a webhook recorded first keeps its creation (dated by GitHub) when its closing is retracted', () => {
    const created = step(null, 'open', '2026-10-01T00:00:00.000Z');
    const firstSeen: ProvisionalChange = {
      ...change,
      version: 1,
      previous: null,
      transitions: [created, fix],
    };
    const github = code({ updatedAt: '2026-10-01T00:00:00.000Z' });
    const s = settleProvisional(firstSeen, closedByWebhook, github, OBSERVED);
    expect(s).toEqual({ kind: 'rederived', alert: github, remove: [fix], add: [] });
  });

  it('an alert a webhook recorded first, closed since another way, gets GitHub’s change at its own time', () => {
    const created = step(null, 'open', '2026-10-01T00:00:00.000Z');
    const firstSeen: ProvisionalChange = {
      ...change,
      version: 1,
      previous: null,
      transitions: [created, fix],
    };
    const dismissedAt = '2026-10-05T00:00:00.000Z';
    const github = code({
      state: 'dismissed',
      updatedAt: dismissedAt,
      closedAt: dismissedAt,
      closedBy: 'lead',
    });
    const s = settleProvisional(firstSeen, closedByWebhook, github, OBSERVED);
    expect(s.kind).toBe('rederived');
    expect(s.remove).toEqual([fix]);
    expect(s.add.map((t) => [t.from, t.to, t.at, t.source, t.actor])).toEqual([
      ['open', 'dismissed', dismissedAt, 'snapshot', 'lead'],
    ]);
  });

  it('retracts a fix delivered within the margin when GitHub’s updated_at shows it was reopened before it arrived', () => {
    // GitHub: fixed at 13:10, reopened at 13:12; the fix's delivery came at 13:30 (the reopen's first).
    const reopenedAt = '2026-11-13T13:12:00.000Z';
    const github = code({ updatedAt: reopenedAt });
    const s = settleProvisional(change, closedByWebhook, github, OBSERVED);
    expect(s).toEqual({
      kind: 'rederived',
      alert: github,
      remove: [fix],
      add: [],
    });
  });
});
