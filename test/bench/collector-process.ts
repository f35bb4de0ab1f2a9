/**
 * One scenario of the snapshot benchmark, in a process of its own: its peak memory is the
 * collector's alone. Receives a `run` message, runs the snapshot use case (or the naive
 * baseline) against the simulated GitHub and DynamoDB Local, and answers with what it measured.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createGitHubClient } from '../../functions/github/client.ts';
import { alertLanes, auditLogLane, type Lane } from '../../functions/github/pages.ts';
import { DynamoStore } from '../../functions/store/dynamo-store.ts';
import { silentLog } from '../../functions/use-cases/log.ts';
import { takeSnapshot, WATERMARK_OVERLAP_MS } from '../../functions/use-cases/take-snapshot.ts';
import { type DynamoMeter, meterDynamo, meterGitHub, sampleMemory, sum } from './meter.ts';
import { runNaive } from './naive.ts';
import type { ListQuery } from './protocol.ts';

export interface RunRequest {
  type: 'run';
  scenario: 'full' | 'incremental' | 'naive';
  dynamoEndpoint: string;
  table: string;
  githubUrl: string;
  token: string;
  org: string;
  /** The instant the snapshot describes (ISO). */
  now: string;
  writeConcurrency?: number;
  /** Naive baseline: repositories walked at once. */
  concurrency: number;
}

export interface LaneFigures {
  lane: string;
  pages: number;
  items: number;
  status: string;
}

export interface RunResult {
  type: 'result';
  wallMs: number;
  cpu: { userS: number; systemS: number };
  memory: { peakRssMb: number; peakHeapUsedMb: number; baselineRssMb: number; maxRssMb: number };
  github: { requests: number; msSum: number; maxMs: number };
  dynamo: DynamoMeter & { totalItemsWritten: number; totalWriteUnits: number };
  /** What the engine itself reported (manifest and `store.usage`); absent for the naive baseline. */
  engine?: {
    requests: number;
    complete: boolean;
    alertsSeen: number;
    alertsWritten: number;
    transitionsWritten: number;
    auditEventsWritten: number;
    noLongerReported: number;
    itemsWritten: number;
    writeUnits: number;
    lanes: LaneFigures[];
  };
  naive?: { repositories: number; requests: number; alertsSeen: number; itemsWritten: number };
  /** The listings the run had to read, for the simulator to count their items. */
  lists: ListQuery[];
  /** Naive baseline: pages walked per list. */
  listPages?: Record<string, number>;
  /** Snapshot: pages of each cursor chain (a full run's partitions and sweeps apart). */
  chainPages?: Record<string, number>;
}

function resetMeter(m: DynamoMeter): void {
  m.calls = {};
  m.itemsWritten = {};
  m.writeUnits = {};
  m.ms = {};
  m.writesWithoutCapacity = 0;
}

/** A lane as the simulator's path and query (the `{org}` placeholder filled in). */
function listOf(lane: Lane, sinceMs?: number): ListQuery {
  const [, template = ''] = lane.route.split(' ');
  const query: Record<string, string> = {};
  let path = template;
  for (const [name, value] of Object.entries(lane.params)) {
    if (path.includes(`{${name}}`)) path = path.replace(`{${name}}`, String(value));
    else query[name] = String(value);
  }
  return { id: lane.id, path, query, ...(sinceMs === undefined ? {} : { sinceMs }) };
}

async function run(req: RunRequest): Promise<RunResult> {
  const client = new DynamoDBClient({
    endpoint: req.dynamoEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const dynamo = meterDynamo(client);
  const gh = createGitHubClient({ token: req.token, baseUrl: req.githubUrl });
  const github = meterGitHub(gh);
  const store = new DynamoStore(client, req.table);
  await store.ensureTable();

  // The listings this run must read, decided the way the engine decides them (before it runs).
  const scope = { kind: 'org', org: req.org } as const;
  const lists: ListQuery[] = [];
  if (req.scenario !== 'naive') {
    for (const lane of alertLanes(scope, { hideSecret: true })) {
      const watermark =
        req.scenario === 'incremental' ? await store.getCursor(req.org, `watermark#${lane.id}`) : null;
      lists.push(listOf(lane, watermark ? Date.parse(watermark) - WATERMARK_OVERLAP_MS : undefined));
    }
    const audit = await store.getCursor(req.org, 'watermark#audit_log');
    // The query asks from a day boundary; the run reads only down to the watermark.
    const auditSince = audit ? Date.parse(audit) - WATERMARK_OVERLAP_MS : undefined;
    lists.push(
      listOf(
        auditLogLane(scope, auditSince === undefined ? null : new Date(auditSince).toISOString()),
        auditSince,
      ),
    );
  }
  resetMeter(dynamo);
  const usageBefore = { ...store.usage };

  const memory = sampleMemory(50);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let engine: RunResult['engine'];
  let naive: RunResult['naive'];
  let listPages: Record<string, number> | undefined;
  let chainPages: Record<string, number> | undefined;
  if (req.scenario === 'naive') {
    const result = await runNaive({
      gh,
      client,
      table: req.table,
      org: req.org,
      concurrency: req.concurrency,
    });
    naive = {
      repositories: result.repositories,
      requests: result.requests,
      alertsSeen: result.alertsSeen,
      itemsWritten: result.itemsWritten,
    };
    listPages = {};
    for (const l of result.lists) {
      listPages[l.path] = l.pages;
      lists.push({ id: l.path, path: l.path, query: {} });
    }
  } else {
    // A progress line every 15 s on stderr, so a long initial load shows it is moving.
    const progress = new Map<string, { pages: number; items: number }>();
    const ticker = setInterval(() => {
      const parts = [...progress].map(([lane, p]) => `${lane} ${p.pages}p/${p.items}`);
      process.stderr.write(
        `    ... ${((performance.now() - started) / 1000).toFixed(0)} s: ${parts.join(', ') || 'starting'}\n`,
      );
    }, 15_000);
    chainPages = {};
    const chains = chainPages;
    const manifest = await takeSnapshot(
      {
        gh,
        store,
        log: silentLog,
        onProgress: (p) => {
          progress.set(p.stream, { pages: p.pages, items: p.items });
          chains[p.stream] = p.pages;
        },
        ...(req.writeConcurrency === undefined ? {} : { writeConcurrency: req.writeConcurrency }),
      },
      { org: req.org, now: new Date(req.now), mode: req.scenario },
    ).finally(() => clearInterval(ticker));
    engine = {
      requests: manifest.requests ?? 0,
      complete: manifest.complete,
      alertsSeen: manifest.alertsSeen,
      alertsWritten: manifest.alertsWritten,
      transitionsWritten: manifest.transitionsWritten,
      auditEventsWritten: manifest.auditEventsWritten,
      noLongerReported: manifest.noLongerReported ?? 0,
      itemsWritten: store.usage.itemsWritten - usageBefore.itemsWritten,
      writeUnits: store.usage.writeUnits - usageBefore.writeUnits,
      lanes: manifest.streams.map((s) => ({
        lane: s.lane ?? s.stream,
        pages: s.pages,
        items: s.items,
        status: s.status,
      })),
    };
  }
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const peak = memory.stop();
  client.destroy();
  return {
    type: 'result',
    wallMs,
    cpu: { userS: cpu.user / 1e6, systemS: cpu.system / 1e6 },
    memory: {
      peakRssMb: peak.rssMb,
      peakHeapUsedMb: peak.heapUsedMb,
      baselineRssMb: peak.baselineRssMb,
      // ru_maxrss is in kilobytes on Linux: the high-water mark of the whole process.
      maxRssMb: process.resourceUsage().maxRSS / 1024,
    },
    github: { requests: github.requests, msSum: github.ms, maxMs: github.maxMs },
    dynamo: {
      ...dynamo,
      totalItemsWritten: sum(dynamo.itemsWritten),
      totalWriteUnits: sum(dynamo.writeUnits),
    },
    ...(engine ? { engine } : {}),
    ...(naive ? { naive } : {}),
    lists,
    ...(listPages ? { listPages } : {}),
    ...(chainPages ? { chainPages } : {}),
  };
}

process.once('message', (message: RunRequest) => {
  run(message)
    .then((result) => process.send?.(result, () => process.exit(0)))
    .catch((error: unknown) => {
      process.send?.(
        { type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) },
        () => process.exit(1),
      );
    });
});
