import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type AlertLedgerConfig, ConfigError, loadConfig, parseConfig } from '../../infra/config.ts';
import { CDK_JSON_CONTEXT, TempDirs } from './helpers.ts';

const minimal = {
  orgs: ['octo-demo'],
  report: { from: 'alert-ledger@example.com', to: ['audit@example.com'] },
};

/** The problems ConfigError lists for `raw`; fails the test when it does not throw ConfigError. */
function problemsOf(raw: unknown): readonly string[] {
  try {
    parseConfig(raw, 'test');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

const temp = new TempDirs();
afterAll(() => temp.removeAll());

describe('parseConfig', () => {
  it('fills every default from a minimal configuration', () => {
    const expected: AlertLedgerConfig = {
      stackName: 'AlertLedger',
      orgs: ['octo-demo'],
      githubApiUrl: 'https://api.github.com',
      timeZone: 'UTC',
      report: { from: 'alert-ledger@example.com', to: ['audit@example.com'] },
      schedules: {
        enabled: true,
        snapshotIncremental: 'rate(1 hour)',
        snapshotFull: 'cron(0 23 ? * SUN *)',
        report: 'cron(0 7 ? * MON *)',
        retryAttempts: 3,
        maxEventAgeMinutes: 60,
      },
      snapshotRuns: { maxConcurrency: 5, maxInvocations: 12 },
      webhook: { reservedConcurrency: 10 },
      table: { deletionProtection: true },
      reportsBucket: { retentionDays: null, linkSigner: false },
      logRetentionDays: 30,
    };
    expect(parseConfig(minimal)).toEqual(expected);
  });

  it('checks the reports bucket retention against its object lock', () => {
    const locked = parseConfig({
      ...minimal,
      reportsBucket: { retentionDays: 2555, objectLock: { mode: 'COMPLIANCE', days: 2555 } },
    });
    expect(locked.reportsBucket).toEqual({
      retentionDays: 2555,
      objectLock: { mode: 'COMPLIANCE', days: 2555 },
      linkSigner: false,
    });
    expect(
      problemsOf({
        ...minimal,
        reportsBucket: { retentionDays: 30, objectLock: { mode: 'COMPLIANCE', days: 365 } },
      }),
    ).toEqual([
      'reportsBucket.retentionDays: must be at least objectLock.days (365): locked files cannot expire earlier',
    ]);
    expect(
      problemsOf({ ...minimal, reportsBucket: { objectLock: { mode: 'LEGAL', days: 1 } } }),
    ).toHaveLength(1);
  });

  it('accepts the example configuration in cdk.json', () => {
    const config = parseConfig(CDK_JSON_CONTEXT.alertLedger, 'cdk.json');
    expect(config.orgs).toEqual(['octo-demo']);
    expect(config.timeZone).toBe('UTC');
    expect(config.webhook.reservedConcurrency).toBe(10);
  });

  it('keeps explicit values and strips a trailing slash from the API URL', () => {
    const config = parseConfig({
      ...minimal,
      enterprise: 'octo-corp',
      githubApiUrl: 'https://ghes.example.com/api/v3/',
      timeZone: 'Europe/Berlin',
      report: { ...minimal.report, senderIdentity: 'example.com' },
      webhook: { reservedConcurrency: null },
      table: { deletionProtection: false },
      logRetentionDays: 365,
    });
    expect(config.githubApiUrl).toBe('https://ghes.example.com/api/v3');
    expect(config.timeZone).toBe('Europe/Berlin');
    expect(config.enterprise).toBe('octo-corp');
    expect(config.report.senderIdentity).toBe('example.com');
    expect(config.webhook.reservedConcurrency).toBeNull();
    expect(config.table.deletionProtection).toBe(false);
    expect(config.logRetentionDays).toBe(365);
  });

  it('names every bad field in one error', () => {
    const raw = {
      timeZone: 'Mars/Olympus_Mons',
      report: { from: 'not-an-email', to: [] },
      webhook: { reservedConcurrency: 0 },
      logRetentionDays: 31,
      colour: 'blue',
    };
    const problems = problemsOf(raw);
    expect(problems).toEqual(
      expect.arrayContaining([
        'orgs: is required',
        expect.stringMatching(/^timeZone: must be an IANA time zone name/),
        'report.from: must be an email address',
        'report.to: must list at least one recipient',
        expect.stringMatching(/^webhook\.reservedConcurrency: /),
        expect.stringMatching(/^logRetentionDays: must be one of 1, 3, 5/),
        'colour: unknown field',
      ]),
    );
    expect(problems).toHaveLength(7);
    expect(() => parseConfig(raw, 'cdk.json')).toThrow(/Invalid alert-ledger configuration \(cdk\.json\)/);
  });

  it('takes an SLA policy and teams, passed to the Lambdas as SLA_POLICY and TEAMS, and names bad ones', () => {
    const config = parseConfig({
      ...minimal,
      slaPolicy: { critical: 7, secretScanning: 2 },
      teams: { checkout: ['octo-demo/payments', 'octo-demo/web'] },
    });
    expect(config.slaPolicy).toEqual({ critical: 7, secretScanning: 2 });
    expect(config.teams).toEqual({ checkout: ['octo-demo/payments', 'octo-demo/web'] });
    expect(
      problemsOf({ ...minimal, slaPolicy: { critical: 0, urgent: 1 }, teams: { ops: ['api'] } }),
    ).toEqual([
      'slaPolicy.critical: at least 1 day',
      'slaPolicy.urgent: unknown field',
      'teams.ops[0]: a repository as org/repo',
    ]);
  });

  it('takes the alarm email and the snapshot fan-out limits, and names bad ones', () => {
    const config = parseConfig({
      ...minimal,
      alarmEmail: 'ops@example.com',
      snapshotRuns: { maxConcurrency: 2, maxInvocations: 4 },
    });
    expect(config.alarmEmail).toBe('ops@example.com');
    expect(config.snapshotRuns).toEqual({ maxConcurrency: 2, maxInvocations: 4 });
    expect(parseConfig(minimal).alarmEmail).toBeUndefined();
    expect(
      problemsOf({
        ...minimal,
        alarmEmail: 'ops',
        snapshotRuns: { maxConcurrency: 0, maxInvocations: 1.5, parallel: true },
      }),
    ).toEqual([
      'snapshotRuns.maxConcurrency: Too small: expected number to be >=1',
      'snapshotRuns.maxInvocations: Invalid input: expected int, received number',
      'snapshotRuns.parallel: unknown field',
      'alarmEmail: must be an email address',
    ]);
  });

  it('takes a GitHub App instead of a token, but not with an enterprise', () => {
    const config = parseConfig({ ...minimal, githubApp: { appId: 123456, installationId: 7890123 } });
    expect(config.githubApp).toEqual({ appId: 123456, installationId: 7890123 });
    // Without an installation id: the App's installation on each organisation.
    expect(parseConfig({ ...minimal, githubApp: { appId: 123456 } }).githubApp).toEqual({ appId: 123456 });
    expect(problemsOf({ ...minimal, githubApp: { appId: '12', installationId: 0 } })).toEqual([
      'githubApp.appId: Invalid input: expected number, received string',
      'githubApp.installationId: Too small: expected number to be >0',
    ]);
    expect(
      problemsOf({ ...minimal, enterprise: 'octo-corp', githubApp: { appId: 1, installationId: 2 } }),
    ).toEqual([
      'githubApp: GitHub does not let Apps read the enterprise-level lists: use a token with enterprise, or drop enterprise',
    ]);
  });

  it('points at the bad element of a list', () => {
    expect(
      problemsOf({ ...minimal, report: { from: 'a@example.com', to: ['b@example.com', 'nope'] } }),
    ).toEqual(['report.to[1]: must be an email address']);
    expect(problemsOf({ ...minimal, orgs: ['good-org', '-bad-'] })).toEqual([
      'orgs[1]: must be a GitHub organisation login',
    ]);
  });

  it('rejects an empty or duplicated org list', () => {
    expect(problemsOf({ ...minimal, orgs: [] })).toEqual(['orgs: must list at least one organisation']);
    expect(problemsOf({ ...minimal, orgs: ['Octo', 'octo'] })).toEqual([
      'orgs: must not list an organisation twice',
    ]);
  });

  it('accepts IANA names only as time zones', () => {
    expect(parseConfig({ ...minimal, timeZone: 'America/New_York' }).timeZone).toBe('America/New_York');
    for (const bad of ['+01:00', 'CEST-ish', '', 'Europe/Nowhere']) {
      expect(problemsOf({ ...minimal, timeZone: bad })).toEqual([
        expect.stringMatching(/^timeZone: must be an IANA time zone name/),
      ]);
    }
  });

  it('requires an https GitHub API URL', () => {
    expect(problemsOf({ ...minimal, githubApiUrl: 'http://api.github.com' })).toEqual([
      'githubApiUrl: must be an https URL',
    ]);
  });

  it('checks schedule expressions; the report must be a cron', () => {
    expect(
      problemsOf({ ...minimal, schedules: { snapshotIncremental: 'every hour', report: 'rate(7 days)' } }),
    ).toEqual([
      expect.stringMatching(/^schedules\.snapshotIncremental: must be an EventBridge Scheduler expression/),
      expect.stringMatching(/^schedules\.report: must be a cron\(\) expression/),
    ]);
    expect(
      parseConfig({ ...minimal, schedules: { snapshotIncremental: 'rate(15 minutes)' } }).schedules,
    ).toMatchObject({ snapshotIncremental: 'rate(15 minutes)', report: 'cron(0 7 ? * MON *)' });
  });

  it('requires the SES identity to cover the sender', () => {
    expect(problemsOf({ ...minimal, report: { ...minimal.report, senderIdentity: 'other.org' } })).toEqual([
      'report.senderIdentity: must be the domain of report.from (example.com) or report.from itself',
    ]);
    expect(problemsOf({ ...minimal, report: { ...minimal.report, senderIdentity: 'not a domain' } })).toEqual(
      ['report.senderIdentity: must be a domain or an email address'],
    );
    // A malformed sender is reported once, not again as a mismatch.
    expect(
      problemsOf({ ...minimal, report: { ...minimal.report, from: 'nope', senderIdentity: 'example.com' } }),
    ).toEqual(['report.from: must be an email address']);
    const config = parseConfig({
      ...minimal,
      report: { ...minimal.report, senderIdentity: 'alert-ledger@example.com' },
    });
    expect(config.report.senderIdentity).toBe('alert-ledger@example.com');
  });
});

describe('loadConfig', () => {
  it('reads context.alertLedger as an object or a JSON string', () => {
    expect(loadConfig(temp.app({ alertLedger: minimal }).node).orgs).toEqual(['octo-demo']);
    const fromString = loadConfig(
      temp.app({ alertLedger: JSON.stringify({ ...minimal, orgs: ['other-org'] }) }).node,
    );
    expect(fromString.orgs).toEqual(['other-org']);
  });

  it('prefers the file given by context configFile', () => {
    const dir = temp.make();
    const file = join(dir, 'prod.json');
    writeFileSync(file, JSON.stringify({ ...minimal, orgs: ['prod-org'], timeZone: 'Europe/Paris' }));
    const config = loadConfig(temp.app({ alertLedger: minimal, configFile: file }).node);
    expect(config.orgs).toEqual(['prod-org']);
    expect(config.timeZone).toBe('Europe/Paris');
  });

  it('names the file when it is missing, not JSON or invalid', () => {
    const dir = temp.make();
    const missing = join(dir, 'missing.json');
    expect(() => loadConfig(temp.app({ configFile: missing }).node)).toThrow(
      new RegExp(`file ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[\\s\\S]*cannot read the file`),
    );
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ "orgs": [');
    expect(() => loadConfig(temp.app({ configFile: broken }).node)).toThrow(/not valid JSON/);
    const invalid = join(dir, 'invalid.json');
    writeFileSync(invalid, JSON.stringify({ orgs: ['octo-demo'] }));
    expect(() => loadConfig(temp.app({ configFile: invalid }).node)).toThrow(/report: is required/);
  });

  it('says how to configure when nothing is given', () => {
    expect(() => loadConfig(temp.app({}).node)).toThrow(ConfigError);
    expect(() => loadConfig(temp.app({}).node)).toThrow(
      /set context\.alertLedger in cdk\.json or pass -c configFile=PATH/,
    );
  });
});
