import { describe, expect, it } from 'vitest';
import { DEFAULT_SLA_POLICY } from '../../functions/core/report-model.ts';
import {
  ConfigError,
  readRuntimeConfig,
  slaPolicyOf,
  teamRepositories,
  teamScopeId,
} from '../../functions/runtime/config.ts';

const base = { TABLE_NAME: 'ledger' };

describe('runtime configuration', () => {
  it('applies the DESIGN.md SLA defaults, and a partial SLA_POLICY over them', () => {
    expect(slaPolicyOf(readRuntimeConfig(base))).toEqual(DEFAULT_SLA_POLICY);
    const configured = slaPolicyOf(
      readRuntimeConfig({ ...base, SLA_POLICY: '{"critical":7,"secretScanning":2}' }),
    );
    expect(configured).toEqual({
      days: { critical: 7, high: 30, medium: 90, low: 180 },
      secretScanningDays: 2,
    });
  });

  it('reads TEAMS as team name to repositories', () => {
    const config = readRuntimeConfig({
      ...base,
      TEAMS: '{"checkout":["octo/payments","octo/web"],"platform":["octo/api"]}',
    });
    expect(config.TEAMS).toEqual({ checkout: ['octo/payments', 'octo/web'], platform: ['octo/api'] });
  });

  it('reads a team as an object with repositories and the recipients of its own report', () => {
    const config = readRuntimeConfig({
      ...base,
      TEAMS: JSON.stringify({
        checkout: { repositories: ['octo/payments', 'octo/web'], recipients: ['lead@octo.example'] },
        platform: ['octo/api'],
        docs: { repositories: ['octo/docs'] },
      }),
    });
    expect(config.TEAMS).toEqual({
      checkout: { repositories: ['octo/payments', 'octo/web'], recipients: ['lead@octo.example'] },
      platform: ['octo/api'],
      docs: { repositories: ['octo/docs'] },
    });
    expect(teamRepositories(config.TEAMS ?? {})).toEqual({
      checkout: ['octo/payments', 'octo/web'],
      platform: ['octo/api'],
      docs: ['octo/docs'],
    });
    expect(teamScopeId('Checkout Web')).toBe('team-checkout-web');
    expect(teamScopeId('ops_2.0')).toBe('team-ops_2.0');
  });

  it('links a PDF too big to attach for REPORT_LINK_EXPIRY_HOURS, 168 (7 days) by default and at most', () => {
    expect(readRuntimeConfig(base).REPORT_LINK_EXPIRY_HOURS).toBe(168);
    expect(readRuntimeConfig({ ...base, REPORT_LINK_EXPIRY_HOURS: '24' }).REPORT_LINK_EXPIRY_HOURS).toBe(24);
  });

  it.each([
    [{ SLA_POLICY: '{critical: 7}' }, 'SLA_POLICY: not JSON; expected for example {"critical":15'],
    [{ SLA_POLICY: '{"critical":0}' }, 'SLA_POLICY.critical: at least 1 day'],
    [{ SLA_POLICY: '{"critical":1.5}' }, 'SLA_POLICY.critical: whole days'],
    [{ SLA_POLICY: '{"urgent":3}' }, 'SLA_POLICY: Unrecognized key: "urgent"'],
    [{ TEAMS: '{"checkout":["payments"]}' }, 'TEAMS.checkout.0: a repository as org/repo'],
    [{ TEAMS: '{"checkout":[]}' }, 'TEAMS.checkout: at least one repository'],
    [{ TEAMS: '["octo/api"]' }, 'TEAMS: Invalid input: expected record, received array'],
    [
      { TEAMS: '{"checkout":{"repositories":["payments"],"recipients":["lead@octo.example"]}}' },
      'TEAMS.checkout.repositories.0: a repository as org/repo',
    ],
    [
      { TEAMS: '{"checkout":{"repositories":["octo/web"],"recipients":["lead"]}}' },
      'TEAMS.checkout.recipients.0: every recipient must be an email address',
    ],
    [
      { TEAMS: '{"checkout":{"repositories":["octo/web"],"recipients":[]}}' },
      'TEAMS.checkout.recipients: at least one recipient (or leave recipients out for figures only)',
    ],
    [
      { TEAMS: '{"checkout":{"repos":["octo/web"]}}' },
      'TEAMS.checkout.repositories: required: the team\'s repositories, ["org/repo", ...]; TEAMS.checkout: Unrecognized key: "repos"',
    ],
    [
      { TEAMS: '{"checkout":"octo/web"}' },
      'TEAMS.checkout: a list of repositories ["org/repo", ...], or {"repositories": [...], "recipients": [...]}',
    ],
    [
      { TEAMS: '{"Check Out":["octo/a"],"check-out":["octo/b"]}' },
      'TEAMS.check-out: gives the same report scope (team-check-out) as team "Check Out": rename one',
    ],
    [{ TEAMS: '{"--":["octo/a"]}' }, 'TEAMS.--: a team name needs a letter or a digit'],
    [{ REPORT_LINK_EXPIRY_HOURS: '169' }, 'REPORT_LINK_EXPIRY_HOURS: at most 168 hours (7 days'],
    [{ REPORT_LINK_EXPIRY_HOURS: '0' }, 'REPORT_LINK_EXPIRY_HOURS: at least 1 hour'],
    [{ REPORT_LINK_EXPIRY_HOURS: '12.5' }, 'REPORT_LINK_EXPIRY_HOURS: whole hours'],
    [{ REPORT_LINK_EXPIRY_HOURS: 'a week' }, 'REPORT_LINK_EXPIRY_HOURS: a number of hours'],
  ])('names the bad field of %j', (env, message) => {
    expect(() => readRuntimeConfig({ ...base, ...env })).toThrow(ConfigError);
    expect(() => readRuntimeConfig({ ...base, ...env })).toThrow(message);
  });
});
