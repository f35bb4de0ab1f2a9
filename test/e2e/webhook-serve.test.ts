import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sign } from '@octokit/webhooks-methods';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookExamples } from '../support/webhook-schemas.ts';

const SECRET = 'serve-test-secret';

/**
 * `alert-ledger webhook serve` as a user runs it: a child process with its own DynamoDB Local,
 * answering real HTTP requests signed like GitHub's.
 */
describe('alert-ledger webhook serve', () => {
  const root = mkdtempSync(join(tmpdir(), 'alert-ledger-serve-'));
  let child: ChildProcess;
  let url = '';
  let output = '';

  beforeAll(async () => {
    child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'functions/cli/run.ts',
        '--data-dir',
        join(root, 'data'),
        'webhook',
        'serve',
        '--port',
        '0',
      ],
      { env: { ...process.env, GITHUB_WEBHOOK_SECRET: SECRET, GITHUB_TOKEN: '' } },
    );
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "Listening on" line; output:\n${output}`)), 90_000);
      const onData = (d: Buffer) => {
        output += d.toString();
        const found = /Listening on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output);
        if (found?.[1]) {
          clearTimeout(timer);
          resolve(found[1]);
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.on('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
    });
  }, 120_000);

  afterAll(async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(root, { recursive: true, force: true });
  });

  const post = async (event: string, body: string, signature?: string, delivery = crypto.randomUUID()) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': event,
        'x-github-delivery': delivery,
        'x-hub-signature-256': signature ?? (await sign(SECRET, body)),
      },
      body,
    });
    return { status: res.status, body: (await res.json()) as { message: string; transitions?: number } };
  };

  it('records a signed Dependabot alert once, refuses a forged one, and logs each delivery', async () => {
    const [created] = webhookExamples('api.github.com', 'dependabot_alert').filter(
      (e) => e.action === 'created',
    );
    const body = JSON.stringify(created);
    const delivery = crypto.randomUUID();
    expect(await post('dependabot_alert', body, undefined, delivery)).toEqual({
      status: 200,
      body: expect.objectContaining({ message: 'recorded', transitions: 1 }),
    });
    expect((await post('dependabot_alert', body, undefined, delivery)).body.message).toBe(
      'duplicate delivery',
    );
    expect((await post('dependabot_alert', body, await sign('wrong', body))).status).toBe(401);
    const get = await fetch(url);
    expect(get.status).toBe(405);
    expect(output).toContain(`POST dependabot_alert ${delivery} → 200`);
    expect(output).not.toContain(SECRET);
  });
});
