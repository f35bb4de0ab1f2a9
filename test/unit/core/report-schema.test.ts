import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ALERT_STATES,
  ALERT_TYPES,
  type Alert,
  type AlertState,
  type AuditEvent,
  emptyOpenCounts,
  SEVERITIES,
  type SnapshotManifest,
  TRANSITION_SOURCES,
  type Transition,
} from '../../../functions/core/model.ts';
import { lastPeriods, parsePeriodId } from '../../../functions/core/periods.ts';
import { computeReport, type ReportInput } from '../../../functions/core/report.ts';
import { DEFAULT_SLA_POLICY, type ReportJson } from '../../../functions/core/report-model.ts';

const schema = JSON.parse(
  readFileSync(new URL('../../../docs/report.schema.json', import.meta.url), 'utf8'),
) as {
  required: string[];
};

const ajv = new Ajv2020({ allErrors: true, strict: true });
// ajv-formats is CommonJS: under NodeNext its default export is the module, the plugin is .default.
ajvFormats.default(ajv);
const validate = ajv.compile(schema);

function errorsOf(report: unknown): string[] {
  return validate(report) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

const W47 = parsePeriodId('2026-W47');

const secret: Alert = {
  alertType: 'secret_scanning',
  repository: 'acme/api',
  number: 3,
  state: 'fixed',
  severity: 'critical',
  title: 'GitHub Personal Access Token',
  ruleId: 'github_personal_access_token',
  htmlUrl: 'https://github.com/acme/api/security/secret-scanning/3',
  createdAt: '2026-11-16T09:00:00Z',
  updatedAt: '2026-11-17T09:00:00Z',
  closedAt: '2026-11-17T09:00:00Z',
  closedBy: 'sec-lead',
  reason: 'revoked',
  comment: null,
  secretType: 'github_personal_access_token',
  pushProtectionBypassed: true,
  pushProtectionBypassedBy: 'dev1',
  pushProtectionBypassedAt: '2026-11-16T09:00:00Z',
};

const overdue: Alert = {
  alertType: 'dependabot',
  repository: 'acme/web',
  number: 12,
  state: 'open',
  severity: 'high',
  title: 'Prototype pollution in lodash',
  ruleId: 'GHSA-jf85-cpcp-j695',
  htmlUrl: 'https://github.com/acme/web/security/dependabot/12',
  createdAt: '2026-09-01T00:00:00Z',
  updatedAt: '2026-09-01T00:00:00Z',
  closedAt: null,
  closedBy: null,
  reason: null,
  comment: null,
};

const fullManifest: SnapshotManifest = {
  org: 'acme',
  snapshotId: 'snap-1',
  takenAt: '2026-11-23T06:00:00Z',
  mode: 'full',
  complete: true,
  streams: [],
  alertsSeen: 2,
  alertsWritten: 2,
  transitionsWritten: 3,
  auditEventsWritten: 1,
  openBySeverity: emptyOpenCounts(),
  openByRepository: {},
};

const bypassEvent: AuditEvent = {
  id: 'a1',
  action: 'secret_scanning_push_protection.bypass',
  actor: 'dev1',
  at: '2026-11-16T09:00:01Z',
  repository: 'acme/api',
  alertNumber: 3,
  reason: 'will_fix_later',
  secretType: 'github_personal_access_token',
};

function sampleInput(overrides: Partial<ReportInput> = {}): ReportInput {
  return {
    org: 'acme',
    period: W47,
    generatedAt: '2026-11-23T06:05:00Z',
    alerts: [secret, overdue],
    transitions: [
      {
        alertType: 'secret_scanning',
        repository: 'acme/api',
        number: 3,
        from: null,
        to: 'open',
        at: '2026-11-16T09:00:00Z',
        actor: null,
        reason: null,
        comment: null,
        source: 'snapshot',
      },
      {
        alertType: 'secret_scanning',
        repository: 'acme/api',
        number: 3,
        from: 'open',
        to: 'fixed',
        at: '2026-11-17T09:00:00Z',
        actor: 'sec-lead',
        reason: 'revoked',
        comment: 'rotated',
        source: 'webhook',
      },
    ],
    auditEvents: [bypassEvent],
    manifests: [fullManifest],
    slaPolicy: DEFAULT_SLA_POLICY,
    trendPeriods: lastPeriods(W47, 4),
    ...overrides,
  };
}

/** A valid report with every list filled, to break in the tests below. */
function sampleReport(): ReportJson {
  return computeReport(sampleInput());
}

describe('docs/report.schema.json', () => {
  it('accepts a report with transitions, breaches, bypasses and a trend', () => {
    const report = sampleReport();
    // Guard: the sample really exercises every part of the schema.
    expect(report.transitions.length).toBe(2);
    expect(report.slaBreaches.length).toBe(1);
    expect(report.pushProtectionBypasses.length).toBe(1);
    expect(report.trend.length).toBe(4);
    expect(errorsOf(report)).toEqual([]);
  });

  it('accepts an incomplete report with no data', () => {
    const report = computeReport(
      sampleInput({ alerts: [], transitions: [], auditEvents: [], manifests: [] }),
    );
    expect(report.complete).toBe(false);
    expect(errorsOf(report)).toEqual([]);
  });

  it('accepts a report computed in another time zone (a month in Europe/Berlin)', () => {
    const november = parsePeriodId('2026-11', 'Europe/Berlin');
    const report = computeReport(
      sampleInput({ period: november, trendPeriods: lastPeriods(november, 3, 'Europe/Berlin') }),
    );
    expect(report.period.start).toBe('2026-10-31T23:00:00Z');
    expect(errorsOf(report)).toEqual([]);
  });

  it('requires every top-level field the report has', () => {
    expect([...schema.required].sort()).toEqual(Object.keys(sampleReport()).sort());
  });

  it('allows extensions at the top level', () => {
    expect(errorsOf({ ...sampleReport(), byRepository: { 'acme/api': 1 } })).toEqual([]);
  });

  it.each<[string, (r: Record<string, unknown> & ReportJson) => unknown, string]>([
    [
      'a missing summary',
      (r) => {
        const { summary: _omitted, ...rest } = r;
        return rest;
      },
      " must have required property 'summary'",
    ],
    [
      'another schema version',
      (r) => ({ ...r, schemaVersion: 2 }),
      '/schemaVersion must be equal to constant',
    ],
    [
      'a date that is not a date-time',
      (r) => ({ ...r, generatedAt: '2026-11-23' }),
      '/generatedAt must match format "date-time"',
    ],
    [
      'a period id that is no period',
      (r) => ({ ...r, period: { ...r.period, id: '2026-W54' } }),
      '/period/id must match pattern',
    ],
    [
      'an unknown alert type',
      (r) => ({ ...r, transitions: [{ ...r.transitions[0], alertType: 'npm_audit' }] }),
      '/transitions/0/alertType must be equal to one of the allowed values',
    ],
    [
      'an unknown state',
      (r) => ({ ...r, transitions: [{ ...r.transitions[0], to: 'closed' }] }),
      '/transitions/0/to must be equal to one of the allowed values',
    ],
    [
      'an unknown source',
      (r) => ({ ...r, transitions: [{ ...r.transitions[0], source: 'email' }] }),
      '/transitions/0/source must be equal to one of the allowed values',
    ],
    [
      'an unknown severity',
      (r) => ({ ...r, slaBreaches: [{ ...r.slaBreaches[0], severity: 'moderate' }] }),
      '/slaBreaches/0/severity must be equal to one of the allowed values',
    ],
    [
      'a negative count',
      (r) => ({ ...r, summary: { ...r.summary, total: { ...r.summary.total, opened: -1 } } }),
      '/summary/total/opened must be >= 0',
    ],
    [
      'a fractional count',
      (r) => ({ ...r, summary: { ...r.summary, dependabot: { ...r.summary.dependabot, fixed: 1.5 } } }),
      '/summary/dependabot/fixed must be integer',
    ],
    [
      'counts without mttrDays',
      (r) => {
        const { mttrDays: _omitted, ...total } = r.summary.total;
        return { ...r, summary: { ...r.summary, total } };
      },
      "/summary/total must have required property 'mttrDays'",
    ],
    [
      'a repository that is not owner/repo',
      (r) => ({ ...r, pushProtectionBypasses: [{ ...r.pushProtectionBypasses[0], repository: 'api' }] }),
      '/pushProtectionBypasses/0/repository must match pattern',
    ],
    [
      'a bypass time that is not a date-time',
      (r) => ({ ...r, pushProtectionBypasses: [{ ...r.pushProtectionBypasses[0], at: 'yesterday' }] }),
      '/pushProtectionBypasses/0/at must match format "date-time"',
    ],
    ['complete as a string', (r) => ({ ...r, complete: 'yes' }), '/complete must be boolean'],
  ])('rejects %s', (_name, breakIt, message) => {
    const errors = errorsOf(breakIt(sampleReport() as Record<string, unknown> & ReportJson));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.some((e) => e.startsWith(message))).toBe(true);
  });
});

describe('every computed report matches the schema', () => {
  const base = Date.parse('2026-10-01T00:00:00Z');
  const DAY = 86_400_000;
  const iso = (ms: number) => new Date(ms).toISOString();

  const alertArb = fc
    .record({
      alertType: fc.constantFrom(...ALERT_TYPES),
      repo: fc.constantFrom('acme/api', 'acme/web'),
      severity: fc.constantFrom(...SEVERITIES),
      createdDay: fc.integer({ min: 0, max: 60 }),
      changes: fc.array(
        fc.record({
          afterH: fc.integer({ min: 0, max: 200 }),
          to: fc.constantFrom(...ALERT_STATES),
          source: fc.constantFrom(...TRANSITION_SOURCES),
        }),
        { maxLength: 4 },
      ),
      bypassed: fc.boolean(),
    })
    .map(({ alertType, repo, severity, createdDay, changes, bypassed }) => ({
      alertType,
      repo,
      severity,
      createdMs: base + createdDay * DAY,
      changes,
      bypassed,
    }));

  it('for random alerts and histories', () => {
    fc.assert(
      fc.property(fc.array(alertArb, { maxLength: 10 }), fc.boolean(), (specs, withManifest) => {
        const alerts: Alert[] = [];
        const transitions: Transition[] = [];
        specs.forEach((s, i) => {
          const key = { alertType: s.alertType, repository: s.repo, number: i + 1 };
          transitions.push({
            ...key,
            from: null,
            to: 'open',
            at: iso(s.createdMs),
            actor: null,
            reason: null,
            comment: null,
            source: 'snapshot',
          });
          let state: AlertState = 'open';
          let at = s.createdMs;
          for (const c of s.changes) {
            at += c.afterH * 3_600_000;
            transitions.push({
              ...key,
              from: state,
              to: c.to,
              at: iso(at),
              actor: 'mona',
              reason: null,
              comment: null,
              source: c.source,
            });
            state = c.to;
          }
          alerts.push({
            ...key,
            state,
            severity: s.severity,
            title: 't',
            ruleId: 'r',
            htmlUrl: `https://github.com/${s.repo}`,
            createdAt: iso(s.createdMs),
            updatedAt: iso(at),
            closedAt: state === 'open' ? null : iso(at),
            closedBy: null,
            reason: null,
            comment: null,
            ...(s.alertType === 'secret_scanning' && s.bypassed
              ? {
                  pushProtectionBypassed: true,
                  pushProtectionBypassedAt: iso(s.createdMs),
                  secretType: 'slack_api_token',
                }
              : {}),
          });
        });
        const report = computeReport(
          sampleInput({
            alerts,
            transitions,
            auditEvents: [],
            manifests: withManifest ? [fullManifest] : [],
          }),
        );
        expect(errorsOf(report)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});
