import { describe, expect, it } from 'vitest';
import { observeAlert } from '../../../functions/core/diff.ts';
import { InvalidAlertError } from '../../../functions/core/errors.ts';
import {
  normalizeCodeScanningAlert,
  normalizeDependabotAlert,
  normalizeSecretScanningAlert,
} from '../../../functions/core/normalize.ts';
import { normalizeAuditEvent } from '../../../functions/core/normalize-audit.ts';
import { responseExample } from '../../../infra/local/github/openapi.ts';
import { makeAlert } from '../../support/alerts.ts';

type Raw = Record<string, unknown>;
const examples = (op: Parameters<typeof responseExample>[0]) => responseExample(op) as Raw[];

describe('normalisation of GitHub’s documented example alerts', () => {
  it('maps the Dependabot examples (dismissed, open) field by field, and a fixed one', () => {
    const [dismissed, open] = examples('GET /orgs/{org}/dependabot/alerts');
    const a = normalizeDependabotAlert(dismissed);
    expect(a).toMatchObject({
      alertType: 'dependabot',
      number: 2,
      state: 'dismissed',
      ruleId: 'GHSA-rf4j-j272-fj86',
      reason: (dismissed as Raw).dismissed_reason,
      comment: (dismissed as Raw).dismissed_comment,
      closedAt: new Date((dismissed as Raw).dismissed_at as string).toISOString(),
      closedBy: ((dismissed as Raw).dismissed_by as { login: string }).login,
    });
    expect(a.repository).toBe(((dismissed as Raw).repository as { full_name: string }).full_name);
    expect(normalizeDependabotAlert(open)).toMatchObject({
      number: 1,
      state: 'open',
      closedAt: null,
      reason: null,
    });
    const b = normalizeDependabotAlert({ ...open, state: 'fixed', fixed_at: '2026-11-12T01:02:03Z' });
    expect([b.state, b.closedAt, b.reason, b.closedBy]).toEqual([
      'fixed',
      '2026-11-12T01:02:03.000Z',
      null,
      null,
    ]);
  });

  it('writes every date as Date#toISOString does, the last days of months, fractions and offsets included', () => {
    const [example] = examples('GET /orgs/{org}/dependabot/alerts');
    const dates = [
      '2026-11-12T01:02:03Z',
      '2026-01-01T00:00:00Z',
      '2026-12-28T23:59:59Z',
      '2024-02-29T10:00:00Z',
      '2023-02-29T10:00:00Z', // no such day: Date rolls it into March
      '2026-04-31T00:00:00Z',
      '2026-01-31T12:00:00Z',
      '2026-01-01T24:00:00Z',
      '2026-11-12T01:02:03.5Z',
      '2026-11-12T01:02:03+02:00',
      '0999-05-06T07:08:09Z',
    ];
    const normalised = dates.map((d) => normalizeDependabotAlert({ ...example, created_at: d }).createdAt);
    expect(normalised).toEqual(dates.map((d) => new Date(d).toISOString()));
    expect(normalised.slice(0, 5)).toEqual([
      '2026-11-12T01:02:03.000Z',
      '2026-01-01T00:00:00.000Z',
      '2026-12-28T23:59:59.000Z',
      '2024-02-29T10:00:00.000Z',
      '2023-03-01T10:00:00.000Z',
    ]);
  });

  it('treats Dependabot auto_dismissed as dismissed with reason auto_dismissed', () => {
    const [example] = examples('GET /orgs/{org}/dependabot/alerts');
    const a = normalizeDependabotAlert({
      ...example,
      state: 'auto_dismissed',
      auto_dismissed_at: '2026-11-10T08:00:00Z',
      dismissed_reason: null,
    });
    expect([a.state, a.reason, a.closedAt, a.closedBy]).toEqual([
      'dismissed',
      'auto_dismissed',
      '2026-11-10T08:00:00.000Z',
      null,
    ]);
  });

  it('maps secret resolutions: revoked is fixed, the others dismissed with their reason; never keeps the secret', () => {
    const [example] = examples('GET /orgs/{org}/secret-scanning/alerts');
    const base = {
      ...example,
      secret: 'demo-secret-value',
      state: 'resolved',
      resolved_at: '2026-11-11T00:00:00Z',
    };
    const revoked = normalizeSecretScanningAlert({ ...base, resolution: 'revoked' });
    const inTests = normalizeSecretScanningAlert({ ...base, resolution: 'used_in_tests' });
    expect([revoked.state, revoked.reason]).toEqual(['fixed', 'revoked']);
    expect([inTests.state, inTests.reason]).toEqual(['dismissed', 'used_in_tests']);
    expect(revoked.severity).toBe('critical');
    expect(JSON.stringify(revoked)).not.toContain('demo-secret-value');
    expect(normalizeSecretScanningAlert(base, { secretScanningSeverity: 'high' }).severity).toBe('high');
  });

  it('grades code scanning by security_severity_level, else error high, warning medium, note low', () => {
    const [example] = examples('GET /orgs/{org}/code-scanning/alerts') as (Raw & { rule: Raw })[];
    const withRule = (rule: Raw) =>
      normalizeCodeScanningAlert({ ...example, rule: { ...example?.rule, ...rule } });
    expect(withRule({ security_severity_level: 'critical', severity: 'note' }).severity).toBe('critical');
    expect(withRule({ security_severity_level: null, severity: 'error' }).severity).toBe('high');
    expect(withRule({ security_severity_level: null, severity: 'warning' }).severity).toBe('medium');
    expect(withRule({ security_severity_level: null, severity: 'note' }).severity).toBe('low');
    expect(withRule({ security_severity_level: null, severity: 'none' }).severity).toBe('low');
  });

  it('takes a code scanning alert without a state (the list allows null) as its own dates say', () => {
    const [example] = examples('GET /orgs/{org}/code-scanning/alerts');
    const stateless = (dates: Raw) =>
      normalizeCodeScanningAlert({
        ...example,
        state: null,
        fixed_at: null,
        dismissed_at: null,
        dismissed_by: null,
        dismissed_reason: null,
        ...dates,
      });
    const dismissed = stateless({
      dismissed_at: '2026-11-03T04:05:06Z',
      dismissed_by: { login: 'mona' },
      dismissed_reason: 'false positive',
    });
    const fixed = stateless({ fixed_at: '2026-11-04T00:00:00Z' });
    const open = stateless({});
    expect([dismissed.state, dismissed.closedAt, dismissed.closedBy, dismissed.reason]).toEqual([
      'dismissed',
      '2026-11-03T04:05:06.000Z',
      'mona',
      'false positive',
    ]);
    expect([fixed.state, fixed.closedAt]).toEqual(['fixed', '2026-11-04T00:00:00.000Z']);
    expect([open.state, open.closedAt]).toEqual(['open', null]);
  });

  it('rejects an alert without the fields the model needs, naming them', () => {
    expect(() => normalizeDependabotAlert({ number: 7, state: 'open' })).toThrow(InvalidAlertError);
    expect(() => normalizeDependabotAlert({ number: 7, state: 'open' })).toThrow(
      /dependabot alert #7 lacks fields/,
    );
    expect(() => normalizeCodeScanningAlert(null)).toThrow(/code_scanning alert \(no number\)/);
  });

  it('reads an audit event with epoch-millisecond timestamps and alert details under data', () => {
    const e = normalizeAuditEvent(
      {
        '@timestamp': Date.UTC(2026, 10, 10, 9, 30),
        _document_id: 'doc-1',
        action: 'secret_scanning_push_protection.bypass',
        actor: 'mona',
        repo: 'octo-demo/web',
        data: { alert_number: 4, reason: 'false_positive', secret_type: 'password' },
      },
      'octo-demo',
    );
    expect(e).toEqual({
      id: 'doc-1',
      action: 'secret_scanning_push_protection.bypass',
      actor: 'mona',
      at: '2026-11-10T09:30:00.000Z',
      repository: 'octo-demo/web',
      alertNumber: 4,
      reason: 'false_positive',
      secretType: 'password',
    });
    expect(normalizeAuditEvent({ '@timestamp': 0, action: 'x', repo: 'web' }, 'octo').repository).toBe(
      'octo/web',
    );
  });
});

describe('observeAlert', () => {
  it('opens a new alert at its creation time, and closes it at its own closing time when first seen closed', () => {
    const fixed = makeAlert({
      state: 'fixed',
      closedAt: '2026-11-04T00:00:00.000Z',
      updatedAt: '2026-11-04T00:00:00.000Z',
    });
    const obs = observeAlert(undefined, fixed, 'snapshot');
    expect(obs.transitions.map((t) => [t.from, t.to, t.at])).toEqual([
      [null, 'open', '2026-11-02T10:00:00.000Z'],
      ['open', 'fixed', '2026-11-04T00:00:00.000Z'],
    ]);
  });

  it('dates a reopen at updated_at and refuses to go backwards', () => {
    const dismissed = makeAlert({
      state: 'dismissed',
      closedAt: '2026-11-04T00:00:00.000Z',
      updatedAt: '2026-11-04T00:00:00.000Z',
      reason: 'tolerable_risk',
    });
    const reopened = makeAlert({ updatedAt: '2026-11-06T12:00:00.000Z' });
    const obs = observeAlert(dismissed, reopened, 'snapshot');
    expect(obs.transitions.map((t) => [t.from, t.to, t.at])).toEqual([
      ['dismissed', 'open', '2026-11-06T12:00:00.000Z'],
    ]);
    const stale = observeAlert(reopened, dismissed, 'webhook');
    expect(stale).toEqual({ write: null, transitions: [], stale: true });
    expect(observeAlert(reopened, reopened, 'snapshot')).toEqual({
      write: null,
      transitions: [],
      stale: false,
    });
  });

  it('takes a snapshot listing over an estimated date: a reopen without updated_at is dated by the observation', () => {
    const [example] = examples('GET /orgs/{org}/secret-scanning/alerts');
    const reopened = normalizeSecretScanningAlert({
      ...example,
      state: 'open',
      resolution: null,
      resolved_at: null,
      resolved_by: null,
      updated_at: null,
    });
    expect(reopened.updatedAtEstimated).toBe(true);
    const revoked = {
      ...reopened,
      state: 'fixed' as const,
      reason: 'revoked',
      closedAt: '2026-11-03T00:00:00.000Z',
      updatedAt: '2026-11-03T00:00:00.000Z',
      updatedAtEstimated: false,
    };
    const fromSnapshot = observeAlert(revoked, reopened, 'snapshot', '2026-11-16T00:00:00.000Z');
    expect(fromSnapshot.stale).toBe(false);
    expect(fromSnapshot.transitions.map((t) => [t.from, t.to, t.at])).toEqual([
      ['fixed', 'open', '2026-11-16T00:00:00.000Z'],
    ]);
    expect(fromSnapshot.write?.updatedAt).toBe('2026-11-16T00:00:00.000Z');
    // A webhook may be an old redelivery: without a real date it does not move the state.
    expect(observeAlert(revoked, reopened, 'webhook').stale).toBe(true);
  });
});
