import { describe, expect, it } from 'vitest';
import { DEFAULT_SLA_POLICY } from '../../functions/core/report-model.ts';
import { ConfigError, readRuntimeConfig, slaPolicyOf } from '../../functions/runtime/config.ts';

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

  it.each([
    [{ SLA_POLICY: '{critical: 7}' }, 'SLA_POLICY: not JSON; expected for example {"critical":15'],
    [{ SLA_POLICY: '{"critical":0}' }, 'SLA_POLICY.critical: at least 1 day'],
    [{ SLA_POLICY: '{"critical":1.5}' }, 'SLA_POLICY.critical: whole days'],
    [{ SLA_POLICY: '{"urgent":3}' }, 'SLA_POLICY: Unrecognized key: "urgent"'],
    [{ TEAMS: '{"checkout":["payments"]}' }, 'TEAMS.checkout.0: a repository as org/repo'],
    [{ TEAMS: '{"checkout":[]}' }, 'TEAMS.checkout: at least one repository'],
    [{ TEAMS: '["octo/api"]' }, 'TEAMS: Invalid input: expected record, received array'],
  ])('names the bad field of %j', (env, message) => {
    expect(() => readRuntimeConfig({ ...base, ...env })).toThrow(ConfigError);
    expect(() => readRuntimeConfig({ ...base, ...env })).toThrow(message);
  });
});
