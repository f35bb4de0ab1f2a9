import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoOrg } from '../../infra/local/github/demo-org.ts';
import { type SimulatedGitHub, startSimulatedGitHub } from '../../infra/local/github/server.ts';

const TOKEN = 'cli-test-token';

/**
 * Runs the real CLI in a child process, the way a user does. Asynchronously: the simulated
 * GitHub it talks to lives in this process and must keep answering.
 */
function cli(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stderr: string; stdout: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'functions/cli/run.ts', ...args], {
      env: { ...process.env, GITHUB_TOKEN: '', ...env },
      timeout: 90_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('close', (code) => resolve({ code, stderr: stderr.trim(), stdout: stdout.trim() }));
  });
}

describe('the CLI on bad input: one clear line, a non-zero exit, nothing written', () => {
  const root = mkdtempSync(join(tmpdir(), 'alert-ledger-cli-'));
  let github: SimulatedGitHub;
  let forbidding: SimulatedGitHub;

  beforeAll(async () => {
    const demo = generateDemoOrg({ org: 'octo-demo', seed: 7, weeks: 2, endsAt: '2026-11-16T00:00:00.000Z' });
    const now = () => new Date('2026-11-16T00:00:00Z');
    github = await startSimulatedGitHub({ demo, token: TOKEN, now });
    forbidding = await startSimulatedGitHub({
      demo,
      token: TOKEN,
      now,
      forbid: ['dependabot', 'secret_scanning', 'code_scanning', 'audit_log'],
    });
  });
  afterAll(async () => {
    await github.close();
    await forbidding.close();
    rmSync(root, { recursive: true, force: true });
  });

  it.each([
    [['snapshot', '--org', 'octo-demo', '--colour'], /unknown option '--colour'/],
    [['snapshot'], /required option '--org <org>' not specified/],
    [['verify', 'out', '--scope', 'Team Checkout'], /a scope is "org" or "team-<name>"/],
    [['report', '--org', 'octo-demo', '--period', '2026-W60'], /2026-W60/],
    [['report', '--org', 'octo-demo', '--now', 'yesterday'], /yesterday/],
    [['snapshot', '--org', 'not an org!'], /not a GitHub organisation login/],
  ])('%j exits with 2', async (args, message) => {
    const res = await cli(args);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(message);
  });

  it.each([
    [
      ['--from', '2026-11-01'],
      "error: option '--from <date>' needs '--to <date>': give both, the first and the last day of the range (both included), like --from 2026-11-01 --to 2026-11-15",
    ],
    [['--to', '2026-11-15'], "error: option '--to <date>' needs '--from <date>': give both"],
    [
      ['--from', '2026-11-15', '--to', '2026-11-01'],
      'error: invalid range "2026-11-15..2026-11-01": the last day (to) 2026-11-01 is before the first day (from) 2026-11-15; swap them: from 2026-11-01 to 2026-11-15',
    ],
    [
      ['--from', '2026-02-30', '--to', '2026-03-15'],
      'error: invalid range start (from) "2026-02-30": 2026-02 has days 01 to 28; give a date that exists',
    ],
    [
      ['--from', '2025-01-01', '--to', '2026-12-31'],
      'error: invalid range "2025-01-01..2026-12-31": 730 days long, at most 366 are allowed',
    ],
    [
      ['--period', '2026-W47', '--from', '2026-11-01', '--to', '2026-11-15'],
      "error: option '--period <id>' cannot be used with option '--from <date>'",
    ],
    [
      ['--to', '2026-11-15', '--period', '2026-W47'],
      "error: option '--period <id>' cannot be used with option '--to <date>'",
    ],
  ])('report %j exits with 2 before starting anything', async (range, message) => {
    const dataDir = join(root, `range-${range.join('_')}`);
    const res = await cli(['--data-dir', dataDir, 'report', '--org', 'octo-demo', ...range]);
    expect(res.code).toBe(2);
    expect(res.stderr.split('\n')[0]).toContain(message);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('without GITHUB_TOKEN, snapshot says how to get one and starts nothing', async () => {
    const dataDir = join(root, 'no-token');
    const res = await cli(['--data-dir', dataDir, 'snapshot', '--org', 'octo-demo']);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^error: GITHUB_TOKEN is not set/);
    expect(existsSync(dataDir)).toBe(false);
  });

  it.each([
    ['a bad token (401)', { GITHUB_TOKEN: 'wrong' }, 'octo-demo', /token is invalid or expired/],
    [
      'an unknown organisation (404)',
      { GITHUB_TOKEN: TOKEN },
      'no-such-org',
      /Organisation "no-such-org" was not found/,
    ],
  ])('%s: one line, exit 1, no alert stored', async (_name, env, org, message) => {
    const dataDir = join(root, org + Object.keys(env).join());
    const res = await cli(['--data-dir', dataDir, 'snapshot', '--org', org], {
      ...env,
      GITHUB_API_URL: github.url,
    });
    expect(res.stderr).toMatch(message);
    expect(res.code).toBe(1);
    expect(res.stderr.split('\n').filter((l) => l.startsWith('error:'))).toHaveLength(1);
    expect(res.stdout).not.toContain('Complete');
  });

  it('a token without the alert permissions (403): names the scope and permissions to add', async () => {
    const res = await cli(['--data-dir', join(root, 'forbidden'), 'snapshot', '--org', 'octo-demo'], {
      GITHUB_TOKEN: TOKEN,
      GITHUB_API_URL: forbidding.url,
    });
    expect(res.stderr).toMatch(
      /^error: GitHub refused every alert list of octo-demo: give the token the `security_events` scope/m,
    );
    // And what GitHub said, for a refusal of another kind (single sign-on, an IP allow list).
    expect(res.stderr).toMatch(/The first list answered: \S+ is not available for .* \(403: .+\)/);
    expect(res.code).toBe(1);
    expect(res.stdout).not.toContain('Complete');
  });
});
