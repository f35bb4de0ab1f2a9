/**
 * Independent meters for the snapshot benchmark: what the collector really sent to DynamoDB
 * (items written and write capacity units, from the responses) and to GitHub (requests and the
 * time they took), and how much memory the process used. They observe the clients from the
 * outside, so the figures do not depend on the engine's own counters.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { GitHubClient } from '../../functions/github/client.ts';

export interface DynamoMeter {
  /** Calls per operation (e.g. `TransactWriteItems`). */
  calls: Record<string, number>;
  /** Items written (put, updated or deleted) per write operation. */
  itemsWritten: Record<string, number>;
  /** Write capacity units DynamoDB reported consumed, per write operation. */
  writeUnits: Record<string, number>;
  /** Summed milliseconds spent waiting on each operation (overlapping calls add up). */
  ms: Record<string, number>;
  /** Write responses without ConsumedCapacity (the figure is then incomplete). */
  writesWithoutCapacity: number;
}

const WRITE_OPS = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

type Capacity = { CapacityUnits?: number } | { CapacityUnits?: number }[] | undefined;

function units(consumed: Capacity): number | null {
  if (consumed === undefined) return null;
  const list = Array.isArray(consumed) ? consumed : [consumed];
  return list.reduce((n, c) => n + (c.CapacityUnits ?? 0), 0);
}

function itemsOf(op: string, input: Record<string, unknown>, output: Record<string, unknown>): number {
  switch (op) {
    case 'TransactWriteItems':
      return (input.TransactItems as unknown[] | undefined)?.length ?? 0;
    case 'BatchWriteItem': {
      const count = (requests: unknown): number =>
        Object.values((requests ?? {}) as Record<string, unknown[]>).reduce((n, list) => n + list.length, 0);
      return count(input.RequestItems) - count(output.UnprocessedItems);
    }
    default:
      return 1;
  }
}

/**
 * Counts every call the client makes. Write calls are sent with `ReturnConsumedCapacity: TOTAL`
 * (when the caller did not ask already) so that their cost is known; nothing else changes.
 */
export function meterDynamo(client: DynamoDBClient): DynamoMeter {
  const meter: DynamoMeter = {
    calls: {},
    itemsWritten: {},
    writeUnits: {},
    ms: {},
    writesWithoutCapacity: 0,
  };
  const add = (rec: Record<string, number>, key: string, n: number) => {
    rec[key] = (rec[key] ?? 0) + n;
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const op = String(context.commandName ?? 'unknown').replace(/Command$/, '');
      const input = args.input as Record<string, unknown>;
      const write = WRITE_OPS.has(op);
      if (write && input.ReturnConsumedCapacity === undefined) input.ReturnConsumedCapacity = 'TOTAL';
      const started = performance.now();
      const result = await next(args);
      add(meter.ms, op, performance.now() - started);
      add(meter.calls, op, 1);
      if (write) {
        const output = result.output as unknown as Record<string, unknown>;
        add(meter.itemsWritten, op, itemsOf(op, input, output));
        const wcu = units(output.ConsumedCapacity as Capacity);
        if (wcu === null) meter.writesWithoutCapacity += 1;
        else add(meter.writeUnits, op, wcu);
      }
      return result;
    },
    { step: 'initialize', name: 'benchDynamoMeter', priority: 'high' },
  );
  return meter;
}

export const sum = (rec: Record<string, number>): number => Object.values(rec).reduce((a, b) => a + b, 0);

export interface GitHubMeter {
  requests: number;
  /** Summed milliseconds from Octokit's request hook to its answer (overlapping requests add up). */
  ms: number;
  /** The slowest request, in milliseconds. */
  maxMs: number;
}

/** Counts the requests an Octokit sends (retries included: the hook wraps the plugins). */
export function meterGitHub(gh: GitHubClient): GitHubMeter {
  const meter: GitHubMeter = { requests: 0, ms: 0, maxMs: 0 };
  gh.hook.wrap('request', async (request, options) => {
    const started = performance.now();
    try {
      return await request(options);
    } finally {
      const ms = performance.now() - started;
      meter.requests += 1;
      meter.ms += ms;
      meter.maxMs = Math.max(meter.maxMs, ms);
    }
  });
  return meter;
}

export interface MemoryPeak {
  rssMb: number;
  heapUsedMb: number;
  /** RSS when sampling started (the process's own baseline: Node, tsx, the SDKs). */
  baselineRssMb: number;
  samples: number;
}

const MB = 1024 * 1024;

/** Samples `process.memoryUsage()` every `everyMs` until stopped; returns the peaks. */
export function sampleMemory(everyMs = 50): { stop(): MemoryPeak } {
  const first = process.memoryUsage();
  const peak: MemoryPeak = {
    rssMb: first.rss / MB,
    heapUsedMb: first.heapUsed / MB,
    baselineRssMb: first.rss / MB,
    samples: 1,
  };
  const take = () => {
    const m = process.memoryUsage();
    peak.rssMb = Math.max(peak.rssMb, m.rss / MB);
    peak.heapUsedMb = Math.max(peak.heapUsedMb, m.heapUsed / MB);
    peak.samples += 1;
  };
  const timer = setInterval(take, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      take();
      return peak;
    },
  };
}
