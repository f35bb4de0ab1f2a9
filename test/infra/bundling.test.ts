/**
 * One real synth with bundling (as `cdk synth` does): each Lambda bundle must exist, be ESM with
 * the createRequire banner, load in Node, and the report bundle must carry @sparticuz/chromium as
 * a node module and the templates folder, and that Chromium must start from the bundle and print
 * a PDF. The stack tests skip bundling to stay fast; this is the one place that catches a handler
 * change that breaks the bundle.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
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

describe('the report bundle’s Chromium', () => {
  // @sparticuz/chromium ships a Linux x86_64 Chromium only (the report function is x86_64).
  const runnable = process.platform === 'linux' && process.arch === 'x64';

  it.runIf(runnable)(
    'unpacks from the bundle’s node_modules and prints a one-line PDF, as functions/render/pdf.ts launches it',
    async () => {
      const dir = dirOf('report');
      // A fresh TMPDIR: @sparticuz/chromium reuses whatever is at $TMPDIR/chromium without looking
      // at its version, so only an empty one proves the binary came out of this bundle.
      const tmp = temp.make('alert-ledger-chromium-tmp-');
      const pdfPath = join(tmp, 'check.pdf');
      // puppeteer-core is inlined in index.mjs; the same pinned version, from the project.
      const puppeteerUrl = pathToFileURL(createRequire(import.meta.url).resolve('puppeteer-core')).href;
      // Beside index.mjs, so that the bare import resolves exactly as the bundle's own does.
      const script = join(dir, 'chromium-check.mjs');
      writeFileSync(
        script,
        [
          "import chromium from '@sparticuz/chromium';",
          "import { writeFileSync } from 'node:fs';",
          `const { default: puppeteer } = await import(${JSON.stringify(puppeteerUrl)});`,
          'const executablePath = await chromium.executablePath();',
          "const browser = await puppeteer.launch({ executablePath, args: chromium.args, headless: 'shell', timeout: 60000 });",
          'try {',
          '  const page = await browser.newPage();',
          "  await page.setContent('<!doctype html><html><head><title>bundle check</title></head><body><p>alert-ledger bundle check</p></body></html>', { waitUntil: 'load' });",
          "  const pdf = await page.pdf({ format: 'A4' });",
          `  writeFileSync(${JSON.stringify(pdfPath)}, pdf);`,
          "  console.log(JSON.stringify({ module: import.meta.resolve('@sparticuz/chromium'), executablePath, version: await browser.version() }));",
          '} finally {',
          '  await browser.close();',
          '}',
        ].join('\n'),
      );
      const { stdout } = await promisify(execFile)(process.execPath, [script], {
        env: { PATH: process.env.PATH ?? '', HOME: tmp, TMPDIR: tmp },
        timeout: 120_000,
      });
      const result = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as {
        module: string;
        executablePath: string;
        version: string;
      };
      expect(
        result.module.startsWith(pathToFileURL(join(dir, 'node_modules', '@sparticuz', 'chromium')).href),
      ).toBe(true);
      expect(result.executablePath).toBe(join(tmp, 'chromium'));
      expect(result.version).toMatch(/^HeadlessChrome\/147\./);
      const pdf = readFileSync(pdfPath);
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      const text = execFileSync('pdftotext', [pdfPath, '-'], { encoding: 'utf8' });
      expect(text.trim()).toBe('alert-ledger bundle check');
    },
    180_000,
  );
});
