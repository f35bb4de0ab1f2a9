import { describe, expect, it } from 'vitest';
import { alertStateAt } from '../../infra/local/github/alert-state.ts';
import { ADVISORIES } from '../../infra/local/github/demo-advisories.ts';
import { CODEQL_RULES } from '../../infra/local/github/demo-codeql-rules.ts';
import { generateDemoOrg } from '../../infra/local/github/demo-org.ts';
import type { DemoAlert, DemoOrg } from '../../infra/local/github/demo-types.ts';
import { changeAlerts, generateScaleOrg, scaleCounts } from '../../infra/local/github/scale-org.ts';

const ENDS_AT = '2026-11-16T00:00:00Z';
const END = new Date(ENDS_AT);
const big = generateScaleOrg({ endsAt: ENDS_AT });

function all(d: DemoOrg): DemoAlert[] {
  return [...d.alerts.dependabot, ...d.alerts.secret_scanning, ...d.alerts.code_scanning];
}

function statesAt(d: DemoOrg, at: Date): Map<DemoAlert, string | undefined> {
  return new Map(all(d).map((a) => [a, alertStateAt(a, at)?.state]));
}

describe('generateScaleOrg', () => {
  it('has 100,000 alerts over 2,000 repositories by default, split 50/35/15', () => {
    expect(big.alerts.dependabot).toHaveLength(50_000);
    expect(big.alerts.code_scanning).toHaveLength(35_000);
    expect(big.alerts.secret_scanning).toHaveLength(15_000);
    expect(big.repositories).toHaveLength(2_000);
    expect(new Set(big.repositories.map((r) => r.name)).size).toBe(2_000);
    expect(new Set(big.repositories.map((r) => r.id)).size).toBe(2_000);
    expect(big.org).toBe('octo-scale');
    expect(big.endsAt).toBe(ENDS_AT);
    expect(big.auditEvents.length).toBeGreaterThan(100_000);
    expect(scaleCounts(1001)).toEqual({ dependabot: 501, secret_scanning: 150, code_scanning: 350 });
  });

  it('shows every GitHub state of every type at the end, in plausible shares', () => {
    const count = (list: DemoAlert[]) => {
      const out: Record<string, number> = {};
      for (const a of list) {
        const s = alertStateAt(a, END)?.state ?? 'none';
        out[s] = (out[s] ?? 0) + 1;
      }
      return out;
    };
    const dependabot = count(big.alerts.dependabot);
    expect(Object.keys(dependabot).sort()).toEqual(['auto_dismissed', 'dismissed', 'fixed', 'open']);
    expect(dependabot.open).toBeGreaterThan(15_000);
    expect(dependabot.auto_dismissed).toBeGreaterThan(2_000);
    expect(Object.keys(count(big.alerts.code_scanning)).sort()).toEqual(['dismissed', 'fixed', 'open']);
    const secrets = count(big.alerts.secret_scanning);
    expect(Object.keys(secrets).sort()).toEqual(['open', 'resolved']);
    expect(big.alerts.secret_scanning.some((a) => a.bypass !== null)).toBe(true);
    expect(big.alerts.secret_scanning.some((a) => !a.secretType.providerPattern)).toBe(true);
  });

  it('numbers alerts 1..n per repository and type in order of creation, all before endsAt', () => {
    for (const list of Object.values(big.alerts) as DemoAlert[][]) {
      const byRepo = new Map<string, DemoAlert[]>();
      for (const alert of list) {
        const alerts = byRepo.get(alert.repository) ?? [];
        alerts.push(alert);
        byRepo.set(alert.repository, alerts);
      }
      for (const alerts of byRepo.values()) {
        expect(alerts.map((a) => a.number)).toEqual(alerts.map((_, i) => i + 1));
        const created = alerts.map((a) => a.createdAt);
        expect(created).toEqual([...created].sort());
      }
    }
    const endMs = Date.parse(ENDS_AT);
    expect(all(big).every((a) => a.events.every((e) => Date.parse(e.at) < endMs))).toBe(true);
  });

  it('keeps one Dependabot alert per repository, advisory and manifest, even in busy repositories', () => {
    const keys = big.alerts.dependabot.map((a) => `${a.repository}|${a.advisory.ghsaId}|${a.manifestPath}`);
    expect(new Set(keys).size).toBe(keys.length);
    const perRepo = new Map<string, number>();
    for (const a of big.alerts.dependabot) perRepo.set(a.repository, (perRepo.get(a.repository) ?? 0) + 1);
    expect(Math.max(...perRepo.values())).toBeGreaterThan(50);
  });

  it('shares advisories, rules and messages instead of copying them per alert', () => {
    const advisories = new Set(Object.values(ADVISORIES).flat());
    expect(big.alerts.dependabot.every((a) => advisories.has(a.advisory))).toBe(true);
    const rules = new Set(Object.values(CODEQL_RULES).flat());
    expect(big.alerts.code_scanning.every((a) => rules.has(a.rule))).toBe(true);
    const sameRule = big.alerts.code_scanning.filter((a) => a.rule === big.alerts.code_scanning[0]?.rule);
    expect(sameRule.length).toBeGreaterThan(100);
    expect(new Set(sameRule.map((a) => a.message)).size).toBe(1);
  });

  it('is deterministic in its options and differs with the seed', () => {
    const options = { endsAt: ENDS_AT, alerts: 6_000, repositories: 150, seed: 11 };
    const a = generateScaleOrg(options);
    expect(JSON.stringify(generateScaleOrg(options))).toBe(JSON.stringify(a));
    const b = generateScaleOrg({ ...options, seed: 12 });
    expect(JSON.stringify(b.alerts)).not.toBe(JSON.stringify(a.alerts));
    expect(a.alerts.dependabot.length + a.alerts.code_scanning.length + a.alerts.secret_scanning.length).toBe(
      6_000,
    );
    expect(generateScaleOrg({ ...options, auditLog: false }).auditEvents).toEqual([]);
  });

  it('rejects options that cannot make an org', () => {
    expect(() => generateScaleOrg({ endsAt: 'soon' })).toThrow(/endsAt/);
    expect(() => generateScaleOrg({ endsAt: ENDS_AT, repositories: 0 })).toThrow(/repositories/);
    expect(() => generateScaleOrg({ endsAt: ENDS_AT, alerts: 1.5 })).toThrow(/alerts/);
  });
});

describe('changeAlerts', () => {
  const AT = '2026-11-16T06:00:00Z';

  it('changes exactly N alerts at the instant, spread over the three types', () => {
    const org = generateScaleOrg({ endsAt: ENDS_AT, alerts: 20_000, repositories: 400, seed: 3 });
    const before = statesAt(org, END);
    const auditBefore = org.auditEvents.length;
    const changes = changeAlerts(org, 1_000, AT, 5);
    expect(changes).toHaveLength(1_000);
    const after = statesAt(org, new Date(AT));
    const changed = [...after].filter(([alert, state]) => before.get(alert) !== state).map(([a]) => a);
    expect(changed).toHaveLength(1_000);
    // Every changed alert, and only those, now shows `updated_at` = the instant.
    const updatedAt = all(org).filter((a) => alertStateAt(a, new Date(AT))?.updatedAt === AT);
    expect(new Set(updatedAt)).toEqual(new Set(changed));

    const perType = { dependabot: 0, code_scanning: 0, secret_scanning: 0 };
    for (const c of changes) perType[c.alertType] += 1;
    expect(perType).toEqual({ dependabot: 334, code_scanning: 333, secret_scanning: 333 });
    const transitions = new Set(changes.map((c) => `${c.from}>${c.to}`));
    for (const t of [
      'open>fixed',
      'open>dismissed',
      'open>resolved',
      'dismissed>open',
      'fixed>open',
      'resolved>open',
    ]) {
      expect(transitions.has(t)).toBe(true);
    }
    for (const c of changes) {
      const alert = org.alerts[c.alertType].find(
        (a) => a.repository === c.repository && a.number === c.number,
      );
      expect(alertStateAt(alert as DemoAlert, new Date(AT))?.state).toBe(c.to);
    }

    expect(org.endsAt).toBe('2026-11-16T06:00:01Z');
    expect(org.revision).toBe(1);
    const added = org.auditEvents.slice(auditBefore);
    expect(added.length).toBeGreaterThan(300);
    expect(
      added.every((e) => e['@timestamp'] >= Date.parse(AT) && e['@timestamp'] < Date.parse(AT) + 1000),
    ).toBe(true);
    expect(new Set(added.map((e) => e.action.split('.')[0]))).toEqual(
      new Set(['repository_vulnerability_alert', 'secret_scanning_alert']),
    );
  });

  it('is deterministic in its seed and never picks an alert already changed at that instant', () => {
    const options = { endsAt: ENDS_AT, alerts: 3_000, repositories: 60, seed: 9 };
    const a = changeAlerts(generateScaleOrg(options), 200, AT, 1);
    expect(changeAlerts(generateScaleOrg(options), 200, AT, 1)).toEqual(a);
    const org = generateScaleOrg(options);
    changeAlerts(org, 200, AT, 1);
    const again = changeAlerts(org, 200, AT, 2);
    const first = new Set(a.map((c) => `${c.alertType}/${c.repository}#${c.number}`));
    expect(again.some((c) => first.has(`${c.alertType}/${c.repository}#${c.number}`))).toBe(false);
    expect(org.revision).toBe(2);
  });

  it('works on the demo org too, and refuses more changes than alerts', () => {
    const demo = generateDemoOrg({ endsAt: ENDS_AT });
    const changes = changeAlerts(demo, 30, new Date('2026-11-17T09:00:00Z'));
    expect(changes).toHaveLength(30);
    expect(() => changeAlerts(demo, 10_000, '2026-11-18T00:00:00Z')).toThrow(/can change/);
  });
});
