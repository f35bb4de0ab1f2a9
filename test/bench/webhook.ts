/**
 * The webhook benchmark (issue 4): `npm run bench:webhook` (about a minute).
 *
 * 1. Latency: DynamoDB Local in memory, one table; BENCH_WEBHOOK_DELIVERIES (default 1,000)
 *    distinct signed `dependabot_alert` deliveries in a row through `receiveWebhook`, after
 *    BENCH_WEBHOOK_WARMUP (default 25) uncounted ones. Per delivery: the use case's total time,
 *    the time spent in DynamoDB calls (a middleware timing each `send` of the client, SDK
 *    marshalling included), and the difference: the handler's own time beyond the store's round
 *    trips. Target: p99 of that difference under 25 ms. A middleware at the innermost step also
 *    times the bare HTTP exchanges, for a stricter reading of the same figure.
 * 2. The Lambda handler: BENCH_WEBHOOK_HANDLER_DELIVERIES (default 200) more deliveries as
 *    Function URL events (base64 body, mixed-case headers) through functions/webhook/handler.ts,
 *    with its own runtime and Powertools logger (its stdout is captured, not printed).
 * 3. Bundle: functions/webhook/handler.ts built as the CDK builds it (target under 1 MB), its
 *    biggest packages, the same size from a real CDK synth of the construct; then
 *    BENCH_WEBHOOK_COLD_RUNS (default 15) fresh `node` processes import it, with and without
 *    `--enable-source-maps` (the Lambda sets it), beside an empty module as the baseline.
 *
 * Prints a table and writes test/bench/results/webhook.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { DynamoStore } from '../../functions/store/dynamo-store.ts';
import { silentLog } from '../../functions/use-cases/log.ts';
import { receiveWebhook } from '../../functions/use-cases/receive-webhook.ts';
import { startDynamoStandIn } from '../../infra/local/dynamodb.ts';
import { intEnv } from './env.ts';
import {
  bundleWebhook,
  type ColdRun,
  cdkBundleBytes,
  measureColdImports,
  writeEmptyModule,
} from './webhook-bundle.ts';
import { type BenchDelivery, buildDeliveries, DELIVERIES_PER_ALERT } from './webhook-deliveries.ts';

const roundUp = (n: number) => Math.ceil(n / DELIVERIES_PER_ALERT) * DELIVERIES_PER_ALERT;
const DELIVERIES = roundUp(intEnv('BENCH_WEBHOOK_DELIVERIES', 1_000));
const WARMUP = roundUp(intEnv('BENCH_WEBHOOK_WARMUP', 25));
const HANDLER_DELIVERIES = roundUp(intEnv('BENCH_WEBHOOK_HANDLER_DELIVERIES', 200));
const COLD_RUNS = intEnv('BENCH_WEBHOOK_COLD_RUNS', 15);
/** Not a credential: a fixed HMAC key for signing the benchmark's own payloads. */
const SECRET = 'webhook-bench-signing-key';

const TARGETS = { beyondStoreP99Ms: 25, bundleBytes: 1024 * 1024 };

interface Summary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentiles. */
function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? 0;
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    p50: round(at(0.5)),
    p90: round(at(0.9)),
    p99: round(at(0.99)),
    max: round(sorted.at(-1) ?? 0),
    mean: round(values.reduce((a, b) => a + b, 0) / Math.max(1, values.length)),
  };
}

/** Times every DynamoDB call: the whole `send` (outermost), and the bare HTTP exchange (innermost). */
function timeDynamo(client: DynamoDBClient) {
  const t = { sendMs: 0, wireMs: 0, calls: 0, byOp: {} as Record<string, number> };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const started = performance.now();
      try {
        return await next(args);
      } finally {
        t.sendMs += performance.now() - started;
        t.calls += 1;
        const op = String(context.commandName ?? 'unknown').replace(/Command$/, '');
        t.byOp[op] = (t.byOp[op] ?? 0) + 1;
      }
    },
    { step: 'initialize', priority: 'high', name: 'benchWebhookSendTimer' },
  );
  // Innermost: from the request going out to the last byte of the answer. The body is read here
  // (the SDK accepts bytes as well as a stream) so that its transfer counts as the exchange's.
  client.middlewareStack.add(
    (next) => async (args) => {
      const started = performance.now();
      try {
        const result = await next(args);
        const response = result.response as { body?: unknown };
        if (response.body instanceof Readable) {
          const chunks: Buffer[] = [];
          for await (const chunk of response.body) chunks.push(chunk as Buffer);
          response.body = Buffer.concat(chunks);
        }
        return result;
      } finally {
        t.wireMs += performance.now() - started;
      }
    },
    { step: 'deserialize', priority: 'low', name: 'benchWebhookWireTimer' },
  );
  return t;
}

interface LatencyResult {
  deliveries: number;
  totalMs: Summary;
  storeMs: Summary;
  beyondStoreMs: Summary;
  wireMs: Summary;
  beyondWireMs: Summary;
  dynamoCalls: Record<string, number>;
  transitionsWritten: number;
  outcomes: Record<string, number>;
  wallSeconds: number;
}

async function runLatency(store: DynamoStore, client: DynamoDBClient): Promise<LatencyResult> {
  const timer = timeDynamo(client);
  const deps = { store, secrets: [SECRET], log: silentLog };
  const send = async (d: BenchDelivery) => {
    const res = await receiveWebhook(deps, { method: 'POST', headers: d.headers, body: d.body });
    if (res.status !== 200 || res.body.message !== d.expect.message) {
      throw new Error(
        `delivery ${d.headers['x-github-delivery']}: expected 200 ${d.expect.message}, got ${res.status} ${res.body.message}`,
      );
    }
    return res;
  };

  const orgs = ['bench-org-a', 'bench-org-b', 'bench-org-c', 'bench-org-d'];
  for (const d of await buildDeliveries({
    count: WARMUP,
    secret: SECRET,
    orgs: ['bench-warmup'],
    prefix: 'warm',
  })) {
    await send(d);
  }
  const list = await buildDeliveries({ count: DELIVERIES, secret: SECRET, orgs, prefix: 'main' });
  for (const key of Object.keys(timer.byOp)) delete timer.byOp[key];

  const total: number[] = [];
  const storeTimes: number[] = [];
  const wire: number[] = [];
  const outcomes: Record<string, number> = {};
  let transitions = 0;
  const started = performance.now();
  for (const d of list) {
    timer.sendMs = 0;
    timer.wireMs = 0;
    const t0 = performance.now();
    const res = await send(d);
    total.push(performance.now() - t0);
    storeTimes.push(timer.sendMs);
    wire.push(timer.wireMs);
    transitions += res.body.transitions ?? 0;
    outcomes[res.body.message] = (outcomes[res.body.message] ?? 0) + 1;
  }
  const wallSeconds = (performance.now() - started) / 1000;

  // What the table holds must match what was answered.
  let stored = 0;
  for (const org of orgs) stored += (await store.listTransitions(org)).length;
  if (stored !== transitions)
    throw new Error(`answered ${transitions} transitions, the table holds ${stored}`);

  return {
    deliveries: list.length,
    totalMs: summarize(total),
    storeMs: summarize(storeTimes),
    beyondStoreMs: summarize(total.map((t, i) => t - (storeTimes[i] ?? 0))),
    wireMs: summarize(wire),
    beyondWireMs: summarize(total.map((t, i) => t - (wire[i] ?? 0))),
    dynamoCalls: { ...timer.byOp },
    transitionsWritten: transitions,
    outcomes,
    wallSeconds: Math.round(wallSeconds * 10) / 10,
  };
}

interface HandlerResult {
  deliveries: number;
  totalMs: Summary;
  logBytes: number;
}

/** The Lambda handler as a Function URL invokes it; total time only (its client is its own). */
async function runHandler(endpoint: string, table: string): Promise<HandlerResult> {
  Object.assign(process.env, {
    TABLE_NAME: table,
    DYNAMODB_ENDPOINT: endpoint,
    AWS_REGION: 'us-east-1',
    GITHUB_WEBHOOK_SECRET: SECRET,
  });
  const { handler } = await import('../../functions/webhook/handler.ts');
  const asEvent = (d: BenchDelivery): LambdaFunctionURLEvent =>
    ({
      headers: Object.fromEntries(
        Object.entries(d.headers).map(([k, v]) => [k.replace(/(^|-)([a-z])/g, (m) => m.toUpperCase()), v]),
      ),
      body: d.body.toString('base64'),
      isBase64Encoded: true,
      requestContext: { http: { method: 'POST' }, timeEpoch: Date.now() },
    }) as unknown as LambdaFunctionURLEvent;
  const orgs = ['bench-handler-a', 'bench-handler-b'];
  const warm = await buildDeliveries({
    count: WARMUP,
    secret: SECRET,
    orgs,
    prefix: 'hwarm',
    firstNumber: 100_000,
  });
  const list = await buildDeliveries({ count: HANDLER_DELIVERIES, secret: SECRET, orgs, prefix: 'handler' });

  // Powertools writes JSON lines per delivery (info to stdout, warn to stderr): keep the cost of
  // formatting them, count their bytes, do not print them.
  const streams = [process.stdout, process.stderr] as const;
  const writes = streams.map((s) => s.write);
  let logBytes = 0;
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      logBytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
      const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      done?.();
      return true;
    }) as typeof stream.write;
  }
  const times: number[] = [];
  try {
    for (const d of warm) await handler(asEvent(d));
    logBytes = 0;
    for (const d of list) {
      const t0 = performance.now();
      const res = await handler(asEvent(d));
      times.push(performance.now() - t0);
      const body = JSON.parse(res.body) as { message?: string };
      if (res.statusCode !== 200 || body.message !== d.expect.message) {
        throw new Error(`handler: expected 200 ${d.expect.message}, got ${res.statusCode} ${res.body}`);
      }
    }
  } finally {
    streams.forEach((stream, i) => {
      stream.write = writes[i] as typeof stream.write;
    });
  }
  return { deliveries: list.length, totalMs: summarize(times), logBytes };
}

const median = (xs: number[]) => summarize(xs).p50;

const loadAverage = () =>
  Object.fromEntries(os.loadavg().map((n, i) => [['1m', '5m', '15m'][i], Math.round(n * 100) / 100]));

async function main(): Promise<void> {
  const benchStarted = performance.now();
  const loadAtStart = loadAverage();
  const say = (line: string) => process.stdout.write(`${line}\n`);
  say(`Webhook benchmark: ${DELIVERIES} deliveries (after ${WARMUP} warm-up) on DynamoDB Local in memory`);

  const dynamo = await startDynamoStandIn({ dataDir: null });
  let latency: LatencyResult;
  let lambda: HandlerResult;
  try {
    const client = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const store = new DynamoStore(client, 'webhook-bench');
    await store.ensureTable();
    latency = await runLatency(store, client);
    say(`  ${latency.deliveries} deliveries in ${latency.wallSeconds} s`);
    lambda = await runHandler(dynamo.endpoint, store.tableName);
    say(`  ${lambda.deliveries} deliveries through the Lambda handler`);
    client.destroy();
  } finally {
    await dynamo.close();
  }

  const work = mkdtempSync(join(os.tmpdir(), 'alert-ledger-bench-webhook-'));
  let bundle: Awaited<ReturnType<typeof bundleWebhook>>;
  let cdkBytes: number;
  let cold: Map<string, ColdRun[]>;
  try {
    const bundleDir = join(work, 'bundle');
    bundle = await bundleWebhook(bundleDir);
    cdkBytes = await cdkBundleBytes();
    say(`  bundle ${bundle.bytes} bytes (CDK synth: ${cdkBytes}); ${COLD_RUNS} cold imports of each variant`);
    const file = join(bundleDir, 'index.mjs');
    cold = await measureColdImports(
      [
        { name: 'empty', file: writeEmptyModule(join(work, 'empty')), nodeArgs: [], callHandler: false },
        { name: 'bundle', file, nodeArgs: [], callHandler: true },
        { name: 'bundleSourceMaps', file, nodeArgs: ['--enable-source-maps'], callHandler: true },
      ],
      COLD_RUNS,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const coldOf = (name: string) => {
    const runs = cold.get(name) ?? [];
    const imports = summarize(runs.map((r) => r.importMs));
    const calls = runs.map((r) => r.firstCallMs).filter((x): x is number => x !== null);
    return {
      runs: runs.length,
      importMs: { p50: imports.p50, p90: imports.p90, max: imports.max },
      sinceProcessStartMs: median(runs.map((r) => r.sinceStartMs)),
      firstHandlerCallMs: calls.length > 0 ? median(calls) : null,
    };
  };
  const empty = coldOf('empty');
  const plain = coldOf('bundle');
  const maps = coldOf('bundleSourceMaps');

  const checks = [
    {
      what: 'p99 of handler time beyond DynamoDB calls',
      target: `< ${TARGETS.beyondStoreP99Ms} ms`,
      value: latency.beyondStoreMs.p99,
      met: latency.beyondStoreMs.p99 < TARGETS.beyondStoreP99Ms,
    },
    {
      what: "p99 beyond the bare HTTP exchanges (stricter: SDK marshalling counted as the handler's)",
      target: `< ${TARGETS.beyondStoreP99Ms} ms`,
      value: latency.beyondWireMs.p99,
      met: latency.beyondWireMs.p99 < TARGETS.beyondStoreP99Ms,
    },
    {
      what: 'bundle size (index.mjs, without the map)',
      target: `< ${TARGETS.bundleBytes} bytes`,
      value: bundle.bytes,
      met: bundle.bytes < TARGETS.bundleBytes,
    },
  ];

  const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
  const ms = (s: Summary) => [s.p50, s.p90, s.p99, s.max].map((n) => n.toFixed(2).padStart(7)).join(' ');
  say('');
  say(`Per delivery, ms (${latency.deliveries} deliveries)        p50     p90     p99     max`);
  say(`  total (receiveWebhook)                    ${ms(latency.totalMs)}`);
  say(`  DynamoDB calls (send, SDK included)       ${ms(latency.storeMs)}`);
  say(`  beyond DynamoDB calls                     ${ms(latency.beyondStoreMs)}`);
  say(`  bare HTTP exchanges                       ${ms(latency.wireMs)}`);
  say(`  beyond bare HTTP exchanges                ${ms(latency.beyondWireMs)}`);
  say(`  Lambda handler total (${lambda.deliveries})               ${ms(lambda.totalMs)}`);
  say(
    `  (the handler's Powertools logs: ${kb(lambda.logBytes)} for ${lambda.deliveries} deliveries, captured)`,
  );
  say(
    `  calls: ${Object.entries(latency.dynamoCalls)
      .map(([op, n]) => `${op} ${n}`)
      .join(', ')}; ${latency.transitionsWritten} transitions; answers: ${Object.entries(latency.outcomes)
      .map(([m, n]) => `${m} ${n}`)
      .join(', ')}`,
  );
  say('');
  say(
    `Bundle: index.mjs ${kb(bundle.bytes)} (CDK synth ${kb(cdkBytes)}), map ${kb(bundle.mapBytes)}, ${bundle.inputFiles} inputs`,
  );
  say(
    `  biggest: ${bundle.byPackage
      .slice(0, 10)
      .map((p) => `${p.name} ${kb(p.bytes)}`)
      .join(', ')}`,
  );
  const ratio = (a: number) => (empty.importMs.p50 > 0 ? a / empty.importMs.p50 : 0);
  say(
    `Cold import over ${COLD_RUNS} fresh processes, ms    median     p90   (x empty)  start->imported  first call`,
  );
  const coldLine = (label: string, c: typeof plain) =>
    say(
      `  ${label.padEnd(40)} ${c.importMs.p50.toFixed(1).padStart(6)} ${c.importMs.p90.toFixed(1).padStart(7)} ${ratio(c.importMs.p50).toFixed(1).padStart(9)}x ${c.sinceProcessStartMs.toFixed(1).padStart(15)} ${c.firstHandlerCallMs === null ? '          -' : c.firstHandlerCallMs.toFixed(1).padStart(11)}`,
    );
  coldLine('empty module (baseline)', empty);
  coldLine('webhook bundle', plain);
  coldLine('webhook bundle, --enable-source-maps', maps);
  say('');
  for (const c of checks) say(`  ${c.met ? 'PASS' : 'FAIL'}  ${c.what}: ${c.value} (target ${c.target})`);

  const cpus = os.cpus();
  const results = {
    benchmark: 'webhook',
    command: 'npm run bench:webhook',
    generatedAt: new Date().toISOString(),
    machine: {
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
      cpus: cpus.length,
      cpuModel: cpus[0]?.model ?? 'unknown',
      memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
      // The machine is shared: what else ran shows in the load. Objects, not arrays, so that the
      // file stays as Biome formats it.
      loadAverageAtStart: loadAtStart,
      loadAverageAtEnd: loadAverage(),
    },
    config: {
      deliveries: DELIVERIES,
      warmup: WARMUP,
      handlerDeliveries: HANDLER_DELIVERIES,
      coldRuns: COLD_RUNS,
      store: 'DynamoDB Local (in memory), loopback',
      payload:
        '@octokit/webhooks-examples dependabot_alert "created", per alert: created, dismissed, reopened, fixed, late dismissal',
    },
    targets: TARGETS,
    latency,
    handler: lambda,
    bundle: {
      bytes: bundle.bytes,
      cdkSynthBytes: cdkBytes,
      mapBytes: bundle.mapBytes,
      inputFiles: bundle.inputFiles,
      topPackages: bundle.byPackage.slice(0, 15),
    },
    coldImport: {
      emptyModule: empty,
      bundle: plain,
      bundleWithSourceMaps: maps,
      ratioToEmpty: Math.round(ratio(plain.importMs.p50) * 10) / 10,
    },
    checks,
    benchmarkSeconds: Math.round((performance.now() - benchStarted) / 100) / 10,
  };
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'webhook.json'), `${JSON.stringify(results, null, 2)}\n`);
  say(`\nResults written to test/bench/results/webhook.json (${results.benchmarkSeconds} s)`);
}

await main();
