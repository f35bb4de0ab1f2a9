/**
 * The webhook Lambda's bundle, built the way the CDK builds it, and its cold-start import time.
 *
 * `bundleWebhook` runs esbuild's API with the options `LedgerFunction`
 * (infra/constructs/ledger-function.ts) gives NodejsFunction: ESM, node22, minify, keepNames,
 * source map without sources content, main fields module,main, the AWS SDK bundled (no
 * externals), the createRequire banner (imported from the construct, so it cannot drift). The
 * API adds a metafile, which says what the bytes are. `bundleWithCdk` synthesizes the construct
 * itself, so the two sizes can be compared.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build, type Metafile } from 'esbuild';

const run = promisify(execFile);

export const PROJECT_ROOT = join(import.meta.dirname, '..', '..');
export const WEBHOOK_ENTRY = 'functions/webhook/handler.ts';

export interface BundleFigures {
  /** index.mjs alone, without the source map. */
  bytes: number;
  mapBytes: number;
  /** Bytes in the output per npm package (or per project folder, e.g. `functions/store`). */
  byPackage: { name: string; bytes: number }[];
  inputFiles: number;
}

function packageOf(input: string): string {
  const parts = input.split('/');
  const at = parts.lastIndexOf('node_modules');
  if (at >= 0) {
    const first = parts[at + 1] ?? '?';
    return first.startsWith('@') ? `${first}/${parts[at + 2] ?? '?'}` : first;
  }
  return parts.slice(0, Math.min(2, parts.length - 1)).join('/') || input;
}

/** Builds functions/webhook/handler.ts into `outDir/index.mjs` as the CDK does, with a metafile. */
export async function bundleWebhook(outDir: string): Promise<BundleFigures> {
  return await bundleAsLambda(WEBHOOK_ENTRY, outDir);
}

/**
 * Builds `entry` (relative to the project) into `outDir/index.mjs` with the options the CDK gives
 * every LedgerFunction, so that a benchmark measures the code a Lambda runs (and its memory
 * without a TypeScript loader beside it). `minify: false` keeps names for CPU profiles.
 */
export async function bundleAsLambda(
  entry: string,
  outDir: string,
  options: { minify?: boolean } = {},
): Promise<BundleFigures> {
  // Dynamic import: aws-cdk-lib is heavy and only the banner string is needed from the construct.
  const { ESM_REQUIRE_BANNER } = await import('../../infra/constructs/ledger-function.ts');
  const outfile = join(outDir, 'index.mjs');
  const result = await build({
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    outfile,
    minify: options.minify ?? true,
    keepNames: true,
    sourcemap: true,
    sourcesContent: false,
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    metafile: true,
    logLevel: 'warning',
  });
  const output = Object.entries(result.metafile.outputs).find(([path]) => path.endsWith('index.mjs'))?.[1];
  if (!output) throw new Error('esbuild wrote no index.mjs');
  return {
    bytes: statSync(outfile).size,
    mapBytes: statSync(`${outfile}.map`).size,
    byPackage: byPackage(output.inputs),
    inputFiles: Object.keys(output.inputs).length,
  };
}

function byPackage(inputs: Metafile['outputs'][string]['inputs']): BundleFigures['byPackage'] {
  const sums = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(inputs)) {
    const name = packageOf(path);
    sums.set(name, (sums.get(name) ?? 0) + bytesInOutput);
  }
  return [...sums]
    .map(([name, bytes]) => ({ name, bytes }))
    .filter((p) => p.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes);
}

/**
 * Synthesizes the webhook's LedgerFunction alone (a real NodejsFunction bundling with the local
 * esbuild) and returns the size of the index.mjs it produced.
 */
export async function bundleWithCdk(): Promise<number> {
  const { App, Duration, Stack } = await import('aws-cdk-lib');
  const { RetentionDays } = await import('aws-cdk-lib/aws-logs');
  const { LedgerFunction } = await import('../../infra/constructs/ledger-function.ts');
  const outdir = mkdtempSync(join(tmpdir(), 'alert-ledger-bench-cdk-'));
  try {
    const app = new App({ outdir });
    const stack = new Stack(app, 'WebhookBench');
    new LedgerFunction(stack, 'Webhook', {
      projectRoot: PROJECT_ROOT,
      entry: WEBHOOK_ENTRY,
      description: 'webhook bundle size',
      memorySize: 256,
      timeout: Duration.seconds(10),
      environment: {},
      logRetention: RetentionDays.ONE_WEEK,
    });
    app.synth();
    const asset = readdirSync(outdir).find((d) => d.startsWith('asset.'));
    if (!asset) throw new Error('the CDK synth produced no asset');
    return statSync(join(outdir, asset, 'index.mjs')).size;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** `bundleWithCdk` in a child process (its bundler's output captured); the index.mjs size. */
export async function cdkBundleBytes(): Promise<number> {
  const script = join(import.meta.dirname, 'webhook-cdk-size.ts');
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', script], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
    });
    return (JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as { bytes: number }).bytes;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`the CDK synth of the webhook function failed: ${String(error)}\n${stderr}`);
  }
}

export interface ColdRun {
  /** From the `import()` call to the module being evaluated. */
  importMs: number;
  /** From the process's time origin to the module being evaluated (Node's own start included). */
  sinceStartMs: number;
  /** The first handler call (GET: builds the runtime, makes no request), when asked. */
  firstCallMs: number | null;
}

export interface ColdVariant {
  name: string;
  /** Module to import. */
  file: string;
  nodeArgs: string[];
  callHandler: boolean;
}

/** The probe each fresh process runs: import, then optionally one handler call. */
const PROBE = `
const url = process.argv.at(-2);
const call = process.argv.at(-1) === 'call';
const t0 = performance.now();
const m = await import(url);
const t1 = performance.now();
let firstCallMs = null;
if (call) {
  const res = await m.handler({ headers: {}, body: '', isBase64Encoded: false, requestContext: { http: { method: 'GET' } } });
  firstCallMs = performance.now() - t1;
  if (res.statusCode !== 405) throw new Error('unexpected status ' + res.statusCode + ': ' + res.body);
}
process.stdout.write(JSON.stringify({ importMs: t1 - t0, sinceStartMs: t1, firstCallMs }));
`;

/**
 * Imports each variant's module in `runs` fresh Node processes, the variants interleaved (so a
 * noisy neighbour slows them alike). The environment is minimal and credential-free: what the
 * bundle reads at its first call (TABLE_NAME, a dummy webhook secret); nothing at import.
 */
export async function measureColdImports(
  variants: readonly ColdVariant[],
  runs: number,
): Promise<Map<string, ColdRun[]>> {
  const env = {
    PATH: process.env.PATH ?? '',
    AWS_REGION: 'us-east-1',
    TABLE_NAME: 'bench',
    GITHUB_WEBHOOK_SECRET: 'bench-not-a-secret',
  };
  const out = new Map<string, ColdRun[]>(variants.map((v) => [v.name, []]));
  for (let i = 0; i < runs; i++) {
    for (const v of variants) {
      const { stdout } = await run(
        process.execPath,
        [
          ...v.nodeArgs,
          '--input-type=module',
          '-e',
          PROBE,
          pathToFileURL(v.file).href,
          v.callHandler ? 'call' : 'import-only',
        ],
        { env, cwd: tmpdir(), encoding: 'utf8' },
      );
      out.get(v.name)?.push(JSON.parse(stdout) as ColdRun);
    }
  }
  return out;
}

/** An empty ES module: the baseline a bundle's import time is compared with. */
export function writeEmptyModule(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'empty.mjs');
  writeFileSync(file, 'export {};\n');
  return file;
}
