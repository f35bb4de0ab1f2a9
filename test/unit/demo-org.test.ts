import { describe, expect, it } from 'vitest';
import { alertStateAt } from '../../infra/local/github/alert-state.ts';
import { generateDemoOrg } from '../../infra/local/github/demo-org.ts';
import type { DemoAlert, DemoOrg } from '../../infra/local/github/demo-types.ts';
import { validateAgainstSchema } from '../../infra/local/github/openapi.ts';
import { renderAlertsAt } from '../../infra/local/github/render.ts';

const ENDS_AT = '2026-11-16T00:00:00Z';
const END = new Date(ENDS_AT);
const demo = generateDemoOrg({ endsAt: ENDS_AT });

function all(d: DemoOrg): DemoAlert[] {
  return [...d.alerts.dependabot, ...d.alerts.secret_scanning, ...d.alerts.code_scanning];
}

function stateAtEnd(alert: DemoAlert): string | undefined {
  return alertStateAt(alert, END)?.state;
}

describe('generateDemoOrg determinism', () => {
  it('gives identical output for the same seed', () => {
    const again = generateDemoOrg({ endsAt: ENDS_AT });
    expect(JSON.stringify(again)).toBe(JSON.stringify(demo));
  });

  it('gives a different org for a different seed', () => {
    const other = generateDemoOrg({ endsAt: ENDS_AT, seed: 43 });
    expect(other.seed).toBe(43);
    expect(JSON.stringify(other.alerts)).not.toBe(JSON.stringify(demo.alerts));
    expect(other.orgId).not.toBe(demo.orgId);
  });

  it('derives the window from endsAt and weeks', () => {
    expect(demo.org).toBe('octo-demo');
    expect(demo.endsAt).toBe(ENDS_AT);
    expect(demo.startsAt).toBe('2026-08-24T00:00:00Z');
    expect(demo.historyStartsAt).toBe('2025-08-24T00:00:00Z');
    const short = generateDemoOrg({ endsAt: ENDS_AT, weeks: 4, org: 'acme' });
    expect(short.startsAt).toBe('2026-10-19T00:00:00Z');
    expect(short.auditEvents.every((e) => e.org === 'acme' && e.repo.startsWith('acme/'))).toBe(true);
  });

  it('rejects an endsAt that is not an instant', () => {
    expect(() => generateDemoOrg({ endsAt: 'next monday' })).toThrow(/endsAt/);
  });
});

describe('shape of the demo org', () => {
  it('has about 25 repositories, a dozen people and a few hundred alerts', () => {
    expect(demo.repositories).toHaveLength(25);
    expect(new Set(demo.repositories.map((r) => r.name)).size).toBe(25);
    expect(demo.repositories.map((r) => r.name)).toContain('payments-api');
    expect(demo.users).toHaveLength(12);
    expect(demo.alerts.dependabot.length).toBeGreaterThanOrEqual(190);
    expect(demo.alerts.dependabot.length).toBeLessThanOrEqual(215);
    expect(demo.alerts.secret_scanning.length).toBeGreaterThanOrEqual(55);
    expect(demo.alerts.secret_scanning.length).toBeLessThanOrEqual(66);
    expect(demo.alerts.code_scanning.length).toBeGreaterThanOrEqual(110);
    expect(demo.alerts.code_scanning.length).toBeLessThanOrEqual(130);
  });

  it('numbers alerts 1..n per repository and type, in order of creation', () => {
    for (const list of Object.values(demo.alerts) as DemoAlert[][]) {
      const byRepo = new Map<string, DemoAlert[]>();
      for (const alert of list)
        byRepo.set(alert.repository, [...(byRepo.get(alert.repository) ?? []), alert]);
      for (const alerts of byRepo.values()) {
        const sorted = [...alerts].sort((a, b) => a.number - b.number);
        expect(sorted.map((a) => a.number)).toEqual(sorted.map((_, i) => i + 1));
        const created = sorted.map((a) => a.createdAt);
        expect(created).toEqual([...created].sort());
      }
    }
  });

  it('shows every GitHub state of every alert type at the end', () => {
    expect(new Set(demo.alerts.dependabot.map(stateAtEnd))).toEqual(
      new Set(['open', 'fixed', 'dismissed', 'auto_dismissed']),
    );
    expect(new Set(demo.alerts.code_scanning.map(stateAtEnd))).toEqual(
      new Set(['open', 'fixed', 'dismissed']),
    );
    expect(new Set(demo.alerts.secret_scanning.map(stateAtEnd))).toEqual(new Set(['open', 'resolved']));
  });

  it('uses GitHub’s dismissal reasons and resolutions only', () => {
    const reasons = (list: DemoAlert[], kind: string) =>
      new Set(list.flatMap((a) => a.events.filter((e) => e.kind === kind).map((e) => e.reason)));
    const dependabot = reasons(demo.alerts.dependabot, 'dismissed');
    expect(
      [...dependabot].every((r) =>
        ['fix_started', 'inaccurate', 'no_bandwidth', 'not_used', 'tolerable_risk'].includes(r ?? ''),
      ),
    ).toBe(true);
    expect(dependabot.size).toBeGreaterThanOrEqual(4);
    expect(reasons(demo.alerts.code_scanning, 'dismissed')).toEqual(
      new Set(['false positive', "won't fix", 'used in tests']),
    );
    const secret = reasons(demo.alerts.secret_scanning, 'resolved');
    expect(
      [...secret].every((r) => ['false_positive', 'wont_fix', 'revoked', 'used_in_tests'].includes(r ?? '')),
    ).toBe(true);
    expect(secret.has('revoked')).toBe(true);
  });

  it('contains reopens, auto-dismissals, bypasses, leaks and dismissals with and without comment', () => {
    for (const list of Object.values(demo.alerts) as DemoAlert[][]) {
      expect(list.some((a) => a.events.some((e) => e.kind === 'reopened'))).toBe(true);
    }
    expect(demo.alerts.dependabot.some((a) => a.events.some((e) => e.kind === 'auto_dismissed'))).toBe(true);
    const bypassed = demo.alerts.secret_scanning.filter((a) => a.bypass !== null);
    expect(bypassed.length).toBeGreaterThan(3);
    expect(bypassed.every((a) => a.bypass?.at === a.createdAt)).toBe(true);
    expect(new Set(bypassed.map((a) => a.bypass?.reason)).has('will_fix_later')).toBe(true);
    expect(demo.alerts.secret_scanning.some((a) => a.publiclyLeaked)).toBe(true);
    expect(demo.alerts.secret_scanning.some((a) => !a.secretType.providerPattern)).toBe(true);
    const closings = all(demo).flatMap((a) =>
      a.events.filter((e) => e.kind === 'dismissed' || e.kind === 'resolved'),
    );
    expect(closings.some((e) => e.comment === null)).toBe(true);
    expect(closings.filter((e) => e.comment !== null).length).toBeGreaterThan(closings.length / 2);
    expect(closings.every((e) => (e.comment ?? '').length <= 280)).toBe(true);
  });

  it('has CodeQL rules without security severity, for the rule.severity fallback', () => {
    const noLevel = demo.alerts.code_scanning.filter((a) => a.rule.securitySeverityLevel === null);
    expect(noLevel.length).toBeGreaterThan(0);
    expect(new Set(noLevel.map((a) => a.rule.severity)).size).toBeGreaterThanOrEqual(2);
  });

  it('has old alerts still open at the end (SLA breaches) and new ones from the window', () => {
    const start = Date.parse(demo.startsAt);
    const oldOpen = all(demo).filter((a) => Date.parse(a.createdAt) < start && stateAtEnd(a) === 'open');
    expect(oldOpen.length).toBeGreaterThan(10);
    expect(all(demo).filter((a) => Date.parse(a.createdAt) >= start).length).toBeGreaterThan(100);
  });

  it('uses obviously fake secret values only', () => {
    expect(demo.alerts.secret_scanning.every((a) => /^demo-secret-value-\d+$/.test(a.secret))).toBe(true);
  });
});

describe('timestamps', () => {
  it('keeps every event inside the history, in strictly increasing order, before endsAt', () => {
    const from = Date.parse(demo.historyStartsAt);
    const to = Date.parse(demo.endsAt);
    for (const alert of all(demo)) {
      expect(alert.events[0]?.kind).toBe('created');
      expect(alert.events[0]?.at).toBe(alert.createdAt);
      const times = alert.events.map((e) => Date.parse(e.at));
      for (const [i, t] of times.entries()) {
        expect(t).toBeGreaterThanOrEqual(from);
        expect(t).toBeLessThan(to);
        if (i > 0) expect(t).toBeGreaterThan(times[i - 1] ?? Number.POSITIVE_INFINITY);
      }
      expect(alert.events.every((e) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(e.at))).toBe(true);
    }
  });

  it('replays states: nothing exists before creation, the last event decides the state', () => {
    const alert = demo.alerts.dependabot.find((a) => a.events.length >= 3);
    expect(alert).toBeDefined();
    if (!alert) return;
    const created = Date.parse(alert.createdAt);
    expect(alertStateAt(alert, new Date(created - 1000))).toBeNull();
    expect(alertStateAt(alert, new Date(created))?.state).toBe('open');
    const last = alert.events[alert.events.length - 1];
    expect(alertStateAt(alert, END)?.updatedAt).toBe(last?.at);
  });
});

describe('audit events', () => {
  it('validate against audit-log-event and are sorted, all before endsAt', () => {
    expect(demo.auditEvents.length).toBeGreaterThan(300);
    for (const event of demo.auditEvents) {
      expect(validateAgainstSchema('audit-log-event', event).errors).toBe('');
      expect(event['@timestamp']).toBe(event.created_at);
      expect(event['@timestamp']).toBeLessThan(END.getTime());
      expect(event._document_id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    }
    const times = demo.auditEvents.map((e) => e['@timestamp']);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(new Set(demo.auditEvents.map((e) => e._document_id)).size).toBe(demo.auditEvents.length);
  });

  it('log every Dependabot dismissal with actor, alert number and reason, in the same second', () => {
    const dismissals = demo.alerts.dependabot.flatMap((a) =>
      a.events.filter((e) => e.kind === 'dismissed').map((e) => ({ alert: a, event: e })),
    );
    expect(dismissals.length).toBeGreaterThan(0);
    for (const { alert, event } of dismissals) {
      const logged = demo.auditEvents.find(
        (e) =>
          e.action === 'repository_vulnerability_alert.dismiss' &&
          e.repo === `${demo.org}/${alert.repository}` &&
          e.data.alert_number === alert.number &&
          Math.floor(e['@timestamp'] / 1000) * 1000 === Date.parse(event.at),
      );
      expect(logged?.actor).toBe(event.actor);
      expect(logged?.data.reason).toBe(event.reason);
    }
  });

  it('log every push protection bypass with its reason and secret type', () => {
    for (const alert of demo.alerts.secret_scanning.filter((a) => a.bypass)) {
      const logged = demo.auditEvents.filter(
        (e) =>
          e.action === 'secret_scanning_push_protection.bypass' &&
          e.repo === `${demo.org}/${alert.repository}` &&
          e.number === alert.number,
      );
      expect(logged).toHaveLength(1);
      expect(logged[0]?.data).toEqual({
        alert_number: alert.number,
        secret_type: alert.secretType.type,
        reason: alert.bypass?.reason,
      });
      expect(logged[0]?.actor).toBe(alert.bypass?.actor);
    }
  });

  it('use real action names, and none for code scanning', () => {
    const actions = new Set(demo.auditEvents.map((e) => e.action));
    for (const action of [
      'repository_vulnerability_alert.create',
      'repository_vulnerability_alert.dismiss',
      'repository_vulnerability_alert.resolve',
      'repository_vulnerability_alert.auto_dismiss',
      'secret_scanning_alert.create',
      'secret_scanning_alert.resolve',
      'secret_scanning_alert.reopen',
      'secret_scanning_push_protection.bypass',
      'git.push',
    ]) {
      expect(actions.has(action)).toBe(true);
    }
    expect([...actions].some((a) => a.startsWith('code_scanning'))).toBe(false);
  });
});

describe('renderAlertsAt', () => {
  it('renders each existing alert once, in its state at that instant, valid against the schema', () => {
    const at = new Date('2026-10-01T00:00:00Z');
    const rendered = renderAlertsAt(demo, at);
    const existing = demo.alerts.code_scanning.filter((a) => Date.parse(a.createdAt) <= at.getTime());
    expect(rendered.code_scanning).toHaveLength(existing.length);
    for (const alert of existing) {
      const json = rendered.code_scanning.find(
        (j) => (j.repository as { name: string }).name === alert.repository && j.number === alert.number,
      );
      const state = alertStateAt(alert, at);
      expect(json?.state).toBe(state?.state);
      expect(json?.updated_at).toBe(state?.updatedAt);
      expect(json?.fixed_at).toBe(state?.state === 'fixed' ? state.closingEvent?.at : null);
      expect(validateAgainstSchema('code-scanning-organization-alert-items', json).errors).toBe('');
    }
  });

  it('fills dismissal and bypass fields from the history', () => {
    const rendered = renderAlertsAt(demo, END, { apiBaseUrl: 'http://127.0.0.1:9999' });
    const dismissed = rendered.dependabot.find((j) => j.state === 'dismissed');
    expect(dismissed?.dismissed_at).toEqual(expect.stringMatching(/Z$/));
    expect(dismissed?.dismissed_by).toEqual(
      expect.objectContaining({ login: expect.stringMatching(/^[a-z]+-[a-z]+$/) }),
    );
    expect(String(dismissed?.url)).toMatch(
      /^http:\/\/127\.0\.0\.1:9999\/repos\/octo-demo\/.+\/dependabot\/alerts\/\d+$/,
    );
    const bypassed = rendered.secret_scanning.find((j) => j.push_protection_bypassed === true);
    expect(bypassed?.push_protection_bypassed_at).toBe(bypassed?.created_at);
    expect(bypassed?.push_protection_bypassed_by).toEqual(expect.objectContaining({ type: 'User' }));
    const autoDismissed = rendered.dependabot.find((j) => j.state === 'auto_dismissed');
    expect(autoDismissed?.auto_dismissed_at).toEqual(expect.any(String));
    expect(autoDismissed?.dismissed_by).toBeNull();
  });

  it('with patternResolutions, produces the resolutions GitHub returns but its schema omits', () => {
    const extended = generateDemoOrg({ endsAt: ENDS_AT, patternResolutions: true });
    const rendered = renderAlertsAt(extended, END).secret_scanning;
    const pattern = rendered.filter(
      (j) => j.resolution === 'pattern_edited' || j.resolution === 'pattern_deleted',
    );
    expect(pattern.length).toBeGreaterThan(0);
    expect(validateAgainstSchema('organization-secret-scanning-alert', pattern[0]).ok).toBe(false);
    expect(pattern[0]?.resolved_by).toBeNull();
  });
});
