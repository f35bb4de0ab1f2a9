import { describe, expect, it } from 'vitest';
import { observeAlert } from '../../../functions/core/diff.ts';
import { InvalidWebhookPayloadError, UnknownAlertError } from '../../../functions/core/errors.ts';
import type { Alert } from '../../../functions/core/model.ts';
import { notableChanges, notableEventsIn } from '../../../functions/core/notable.ts';
import {
  type AlertDelivery,
  type AlertWebhookEvent,
  alertFromDelivery,
  DOCUMENTED_ACTIONS,
  parseAlertDelivery,
} from '../../../functions/core/webhook.ts';
import { makeAlert } from '../../support/alerts.ts';
import { documentedAlertWebhooks } from '../../support/webhook-schemas.ts';

const ARRIVED = '2026-11-20T10:00:00.000Z';
const repository = { full_name: 'octo/app', html_url: 'https://github.com/octo/app' };

function delivery(
  event: AlertWebhookEvent,
  alert: Record<string, unknown>,
  action = 'created',
): AlertDelivery {
  return parseAlertDelivery(event, { action, alert, repository, sender: { login: 'mona' } });
}

const codeAlert = (extra: Record<string, unknown>) => ({
  number: 7,
  created_at: '2026-11-01T00:00:00Z',
  html_url: 'https://github.com/octo/app/security/code-scanning/7',
  dismissed_by: null,
  dismissed_at: null,
  dismissed_reason: null,
  rule: { id: 'js/sql-injection', severity: 'error', description: 'SQL injection' },
  tool: { name: 'CodeQL' },
  ...extra,
});

const storedCode = (extra: Partial<Alert> = {}): Alert =>
  makeAlert({
    alertType: 'code_scanning',
    repository: 'octo/app',
    number: 7,
    severity: 'critical',
    title: 'SQL injection',
    ruleId: 'js/sql-injection',
    htmlUrl: 'https://github.com/octo/app/security/code-scanning/7',
    createdAt: '2026-11-01T00:00:00.000Z',
    updatedAt: '2026-11-05T00:00:00.000Z',
    ...extra,
  });

describe('the actions GitHub documents', () => {
  it('are exactly the table alert-ledger interprets, in every description it supports', () => {
    const documented: Record<string, Set<string>> = {};
    for (const file of [
      'api.github.com.json',
      'ghec.json',
      'ghes-3.17.json',
      'ghes-3.18.json',
      'ghes-3.19.json',
    ]) {
      for (const { event, action } of documentedAlertWebhooks(file)) {
        documented[event] ??= new Set();
        documented[event].add(action);
      }
    }
    const ours = Object.fromEntries(
      Object.entries(DOCUMENTED_ACTIONS).map(([event, actions]) => [event, Object.keys(actions).sort()]),
    );
    const theirs = Object.fromEntries(
      Object.entries(documented).map(([event, set]) => [event, [...set].sort()]),
    );
    expect(ours).toEqual(theirs);
  });
});

describe('parseAlertDelivery', () => {
  it.each([
    [{ alert: { number: 1 } }, 'dependabot_alert payload lacks alert or repository'],
    [{ repository }, 'dependabot_alert payload lacks alert or repository'],
    [{ alert: [], repository }, 'dependabot_alert payload lacks alert or repository'],
    [
      { alert: { number: 1 }, repository: { full_name: 'no-slash' } },
      'repository.full_name is not owner/name',
    ],
    [{ alert: { number: 0 }, repository }, 'alert.number must be a positive whole number'],
    [{ alert: { number: '3' }, repository }, 'alert.number must be a positive whole number'],
  ])('rejects %j: %s', (payload, message) => {
    expect(() => parseAlertDelivery('dependabot_alert', payload)).toThrow(InvalidWebhookPayloadError);
    expect(() => parseAlertDelivery('dependabot_alert', payload)).toThrow(message);
  });

  it('reads the key, the org and the sender', () => {
    const d = parseAlertDelivery('secret_scanning_alert_location', {
      action: 'created',
      alert: { number: 4 },
      repository,
      sender: { login: 'mona' },
    });
    expect([d.alertType, d.org, d.repository, d.number, d.action, d.actor]).toEqual([
      'secret_scanning',
      'octo',
      'octo/app',
      4,
      'created',
      'mona',
    ]);
  });
});

describe('alertFromDelivery', () => {
  it('derives a secret scanning state from the resolution, since webhooks send none', () => {
    const base = {
      number: 3,
      created_at: '2026-11-01T00:00:00Z',
      updated_at: '2026-11-03T00:00:00Z',
      secret_type: 'github_personal_access_token',
      secret_type_display_name: 'GitHub Personal Access Token',
    };
    const rows = [
      [{ resolution: null }, 'open', null],
      [{ resolution: 'revoked', resolved_at: '2026-11-03T00:00:00Z' }, 'fixed', 'revoked'],
      [{ resolution: 'used_in_tests', resolved_at: '2026-11-03T00:00:00Z' }, 'dismissed', 'used_in_tests'],
    ] as const;
    for (const [extra, state, reason] of rows) {
      const a = alertFromDelivery(
        delivery('secret_scanning_alert', { ...base, ...extra }),
        undefined,
        ARRIVED,
      );
      expect([a.state, a.reason, a.htmlUrl]).toEqual([
        state,
        reason,
        'https://github.com/octo/app/security/secret-scanning/3',
      ]);
    }
  });

  it('dates a code scanning reopen, which carries no time, by the delivery’s arrival', () => {
    const stored = storedCode({
      state: 'dismissed',
      closedAt: '2026-11-05T00:00:00.000Z',
      reason: 'won\u2019t fix',
    });
    const next = alertFromDelivery(
      delivery('code_scanning_alert', codeAlert({ state: 'open' }), 'reopened_by_user'),
      stored,
      ARRIVED,
    );
    expect([next.state, next.updatedAt, next.updatedAtEstimated, next.severity]).toEqual([
      'open',
      ARRIVED,
      true,
      'critical', // kept: webhook rules have no security_severity_level
    ]);
    const { transitions } = observeAlert(stored, next, 'webhook');
    expect(transitions.map((t) => [t.from, t.to, t.at])).toEqual([['dismissed', 'open', ARRIVED]]);
  });

  it('dates a closing by its own timestamp, or by the arrival when GitHub sent none', () => {
    const dismissed = alertFromDelivery(
      delivery(
        'code_scanning_alert',
        codeAlert({
          state: 'dismissed',
          dismissed_at: '2026-11-06T08:00:00Z',
          dismissed_by: { login: 'mona' },
          dismissed_reason: 'false positive',
        }),
        'closed_by_user',
      ),
      storedCode(),
      ARRIVED,
    );
    expect([
      dismissed.state,
      dismissed.closedAt,
      dismissed.updatedAt,
      dismissed.closedBy,
      dismissed.reason,
    ]).toEqual([
      'dismissed',
      '2026-11-06T08:00:00.000Z',
      '2026-11-06T08:00:00.000Z',
      'mona',
      'false positive',
    ]);
    const fixed = alertFromDelivery(
      delivery('code_scanning_alert', codeAlert({ state: 'fixed', fixed_at: null }), 'fixed'),
      undefined,
      ARRIVED,
    );
    expect([fixed.state, fixed.closedAt, fixed.severity]).toEqual(['fixed', ARRIVED, 'high']);
  });

  it('keeps the stored time when a timeless payload changes no state', () => {
    const stored = storedCode();
    const next = alertFromDelivery(
      delivery('code_scanning_alert', codeAlert({ state: 'open' }), 'appeared_in_branch'),
      stored,
      ARRIVED,
    );
    expect(next).toEqual(stored);
    expect(observeAlert(stored, next, 'webhook')).toEqual({ write: null, transitions: [], stale: false });
  });

  it('takes a timeless state for a change only from the action that makes it: a late delivery of another changes nothing', () => {
    const fixed = storedCode({ state: 'fixed', closedAt: '2026-11-05T00:00:00.000Z' });
    const open = storedCode();
    const cases = [
      // Sent while the alert was open, delivered after it was fixed (a redelivery).
      ['updated_assignment', fixed, { state: 'open' }, 'fixed'],
      ['appeared_in_branch', fixed, { state: 'open' }, 'fixed'],
      ['created', fixed, { state: 'open' }, 'fixed'],
      // A closing without a time of its own, carried by an action that closes nothing.
      ['updated_assignment', open, { state: 'fixed', fixed_at: null }, 'open'],
      // The actions that are the change still make it.
      ['reopened', fixed, { state: 'open' }, 'open'],
      ['fixed', open, { state: 'fixed', fixed_at: null }, 'fixed'],
      // A closing with its own time is GitHub's record, whatever the action.
      ['updated_assignment', open, { state: 'fixed', fixed_at: '2026-11-06T00:00:00Z' }, 'fixed'],
    ] as const;
    const states = cases.map(([action, stored, payload]) => {
      const next = alertFromDelivery(
        delivery('code_scanning_alert', codeAlert(payload), action),
        stored,
        ARRIVED,
      );
      const obs = observeAlert(stored, next, 'webhook');
      return [action, (obs.write ?? stored).state, obs.transitions.length];
    });
    expect(states).toEqual(cases.map(([action, , , state], i) => [action, state, i < 4 ? 0 : 1]));
  });
  it('completes an old GHES payload (number and resolution only) from the stored alert', () => {
    const stored = makeAlert({
      alertType: 'secret_scanning',
      repository: 'octo/app',
      number: 191,
      severity: 'critical',
      state: 'dismissed',
      title: 'Adafruit IO Key',
      ruleId: 'adafruit_io_key',
      secretType: 'adafruit_io_key',
      htmlUrl: 'https://ghes.example/octo/app/security/secret-scanning/191',
      createdAt: '2026-10-01T00:00:00.000Z',
      updatedAt: '2026-10-02T00:00:00.000Z',
      closedAt: '2026-10-02T00:00:00.000Z',
      closedBy: 'lead',
      reason: 'false_positive',
      pushProtectionBypassed: true,
      pushProtectionBypassedBy: 'dev',
      pushProtectionBypassedAt: '2026-10-01T00:00:00.000Z',
      publiclyLeaked: false,
    });
    const minimal = {
      number: 191,
      secret_type: 'adafruit_io_key',
      resolution: null,
      resolved_by: null,
      resolved_at: null,
    };
    const next = alertFromDelivery(delivery('secret_scanning_alert', minimal, 'reopened'), stored, ARRIVED);
    expect(next).toEqual({
      ...stored,
      state: 'open',
      updatedAt: ARRIVED,
      updatedAtEstimated: true,
      closedAt: null,
      closedBy: null,
      reason: null,
      comment: null,
    });
    expect(() =>
      alertFromDelivery(delivery('secret_scanning_alert', minimal, 'reopened'), undefined, ARRIVED),
    ).toThrow(UnknownAlertError);
  });
});

describe('notable events', () => {
  const secret = (extra: Partial<Alert> = {}) =>
    makeAlert({
      alertType: 'secret_scanning',
      severity: 'critical',
      number: 9,
      title: 'Slack token',
      secretType: 'slack_api_token',
      createdAt: '2026-11-17T09:00:00.000Z',
      updatedAt: '2026-11-17T09:00:00.000Z',
      ...extra,
    });

  it('flags a critical alert created with a bypass, a reopen and a leak, once each', () => {
    const bypassed = secret({
      pushProtectionBypassed: true,
      pushProtectionBypassedBy: 'dev',
      pushProtectionBypassedAt: '2026-11-17T09:00:00.000Z',
    });
    const created = observeAlert(undefined, bypassed, 'webhook');
    expect(
      notableChanges(undefined, bypassed, created.transitions).map((n) => [n.kind, n.at, n.actor]),
    ).toEqual([
      ['critical_created', '2026-11-17T09:00:00.000Z', null],
      ['push_protection_bypass', '2026-11-17T09:00:00.000Z', 'dev'],
    ]);
    const resolved = {
      ...bypassed,
      state: 'fixed' as const,
      closedAt: '2026-11-18T00:00:00.000Z',
      updatedAt: '2026-11-18T00:00:00.000Z',
      reason: 'revoked',
    };
    expect(
      notableChanges(bypassed, resolved, observeAlert(bypassed, resolved, 'webhook').transitions),
    ).toEqual([]);
    const reopened = { ...bypassed, updatedAt: '2026-11-19T00:00:00.000Z', publiclyLeaked: true };
    const obs = observeAlert(resolved, reopened, 'webhook');
    const flagged = notableChanges(resolved, obs.write ?? reopened, obs.transitions);
    expect(flagged.map((n) => [n.kind, n.at])).toEqual([
      ['reopened', '2026-11-19T00:00:00.000Z'],
      ['publicly_leaked', '2026-11-19T00:00:00.000Z'],
    ]);
    expect(obs.write?.publiclyLeakedAt).toBe('2026-11-19T00:00:00.000Z');
  });

  it('lists the events of a period from merged timelines, oldest first', () => {
    const alert = secret({ publiclyLeaked: true, publiclyLeakedAt: '2026-11-18T12:00:00.000Z' });
    const t = (from: Alert['state'] | null, to: Alert['state'], at: string, actor: string | null) => ({
      alertType: alert.alertType,
      repository: alert.repository,
      number: alert.number,
      from,
      to,
      at,
      actor,
      reason: null,
      comment: null,
      source: 'webhook' as const,
    });
    const timeline = [
      t(null, 'open', '2026-11-15T23:59:59.000Z', null), // the week before
      t('open', 'dismissed', '2026-11-16T00:00:00.000Z', 'lead'),
      t('dismissed', 'open', '2026-11-20T00:00:00.000Z', 'mona'),
    ];
    const start = Date.parse('2026-11-16T00:00:00Z');
    const end = Date.parse('2026-11-23T00:00:00Z');
    expect(notableEventsIn([{ alert, timeline }], start, end).map((n) => [n.kind, n.at, n.actor])).toEqual([
      ['publicly_leaked', '2026-11-18T12:00:00.000Z', null],
      ['reopened', '2026-11-20T00:00:00.000Z', 'mona'],
    ]);
  });
});

describe('observeAlert and webhook estimates', () => {
  it('keeps the date the ledger first saw a leak', () => {
    const listed = makeAlert({
      alertType: 'secret_scanning',
      publiclyLeaked: true,
      updatedAt: '2026-11-10T00:00:00.000Z',
    });
    const stored = { ...listed, publiclyLeaked: false };
    const first = observeAlert(stored, listed, 'snapshot', '2026-11-12T00:00:00.000Z');
    expect(first.write?.publiclyLeakedAt).toBe('2026-11-12T00:00:00.000Z');
    const again = observeAlert(first.write ?? undefined, listed, 'snapshot', '2026-11-13T00:00:00.000Z');
    expect(again).toEqual({ write: null, transitions: [], stale: false });
  });

  it('lets a later listing overrule a webhook change dated by its arrival', () => {
    // A late redelivery of a reopen, dated 10:00 by its arrival; GitHub still lists the alert fixed at 08:00.
    const stored = storedCode({ state: 'open', updatedAt: ARRIVED, updatedAtEstimated: true });
    const listed = storedCode({
      state: 'fixed',
      updatedAt: '2026-11-20T08:00:00.000Z',
      closedAt: '2026-11-20T08:00:00.000Z',
    });
    const obs = observeAlert(stored, listed, 'snapshot', '2026-11-20T11:00:00.000Z');
    expect(obs.write).toEqual(listed);
    expect(obs.transitions.map((t) => [t.from, t.to, t.at])).toEqual([['open', 'fixed', ARRIVED]]);
    // A listing taken before the webhook arrived does not.
    expect(observeAlert(stored, listed, 'snapshot', '2026-11-20T09:00:00.000Z').stale).toBe(true);
  });
});
