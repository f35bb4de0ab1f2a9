/**
 * One real synth with bundling (as `cdk synth` does): each Lambda bundle must exist, be ESM with
 * the createRequire banner, load in Node, and the report bundle must carry @sparticuz/chromium as
 * a node module and the templates folder. The stack tests skip bundling to stay fast; this is the
 * one place that catches a handler change that breaks the bundle.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../infra/config.ts';
import { ESM_REQUIRE_BANNER } from '../../infra/constructs/ledger-function.ts';
import { AlertLedgerStack, PROJECT_ROOT } from '../../infra/stack.ts';
import { CDK_JSON_CONTEXT, TempDirs } from './helpers.ts';

const temp = new TempDirs();
afterAll(() => temp.removeAll());

type FunctionName = 'snapshot' | 'report' | 'webhook';
const assetDirs = new Map<FunctionName, string>();

beforeAll(() => {
  const app = temp.app(CDK_JSON_CONTEXT, { bundle: true });
  const stack = new AlertLedgerStack(app, 'Bundled', { config: parseConfig(CDK_JSON_CONTEXT.alertLedger) });
  const resources = Template.fromStack(stack).toJSON().Resources as Record<
    string,
    { Properties: { Code: { S3Key: string } } }
  >;
  for (const name of ['snapshot', 'report', 'webhook'] as const) {
    const id = stack.getLogicalId(stack.functions[name].node.defaultChild as CfnElement);
    const key = resources[id]?.Properties.Code.S3Key;
    if (key === undefined) throw new Error(`no code for ${name}`);
    assetDirs.set(name, join(app.outdir, `asset.${key.replace(/\.zip$/, '')}`));
  }
}, 120_000);

const dirOf = (name: FunctionName): string => {
  const dir = assetDirs.get(name);
  if (dir === undefined) throw new Error(`no asset for ${name}`);
  return dir;
};

describe('Lambda bundles', () => {
  it.each(['snapshot', 'report', 'webhook'] as const)('%s is an ESM bundle with a source map', (name) => {
    const dir = dirOf(name);
    const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
    expect(code.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
    expect(code).toContain('//# sourceMappingURL=index.mjs.map');
    expect(existsSync(join(dir, 'index.mjs.map'))).toBe(true);
  });

  it.each(['snapshot', 'report', 'webhook'] as const)('%s loads in Node and exports handler', (name) => {
    const url = pathToFileURL(join(dirOf(name), 'index.mjs')).href;
    const out = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(url)}); console.log(typeof m.handler);`,
      ],
      {
        encoding: 'utf8',
        // What Lambda would give the function; no AWS call is made while loading.
        env: {
          PATH: process.env.PATH ?? '',
          AWS_REGION: 'eu-west-1',
          TABLE_NAME: 'table',
          BUCKET_NAME: 'bucket',
          ORGS: 'octo-demo',
          GITHUB_API_URL: 'https://api.github.com',
          GITHUB_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:token',
          WEBHOOK_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:webhook',
          REPORT_FROM: 'alert-ledger@example.com',
          REPORT_TO: 'audit@example.com',
          TIME_ZONE: 'UTC',
        },
      },
    );
    expect(out.trim()).toBe('function');
  });

  it('bundles the AWS SDK and every other dependency into snapshot and webhook (no node_modules)', () => {
    for (const name of ['snapshot', 'webhook'] as const) {
      expect(readdirSync(dirOf(name)).sort()).toEqual(['index.mjs', 'index.mjs.map']);
    }
  });

  it('ships @sparticuz/chromium as a node module and the templates beside the report bundle', () => {
    const dir = dirOf('report');
    const chromium = join(dir, 'node_modules', '@sparticuz', 'chromium');
    const pkg = JSON.parse(readFileSync(join(chromium, 'package.json'), 'utf8')) as { version: string };
    const expected = JSON.parse(
      readFileSync(join(PROJECT_ROOT, 'node_modules', '@sparticuz', 'chromium', 'package.json'), 'utf8'),
    ) as { version: string };
    expect(pkg.version).toBe(expected.version);
    expect(readdirSync(join(chromium, 'bin')).some((f) => f.endsWith('.br') || f.endsWith('.tar'))).toBe(
      true,
    );
    // Imported at run time from node_modules, not inlined by esbuild.
    expect(readFileSync(join(dir, 'index.mjs'), 'utf8')).toMatch(/["']@sparticuz\/chromium["']/);
    expect(readdirSync(join(dir, 'templates')).sort()).toEqual(
      readdirSync(join(PROJECT_ROOT, 'templates')).sort(),
    );
  });
});
