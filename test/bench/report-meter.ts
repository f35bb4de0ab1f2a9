/**
 * What a report really read from DynamoDB, observed from outside the store: a middleware on the
 * client counts calls, items returned and read capacity units per operation, and the bytes of
 * the answers (Content-Length); `sampleRss` samples the process's resident memory.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface ReadMeter {
  calls: Record<string, number>;
  /** Items returned, per operation (Query and Scan: `Count`; BatchGetItem: the responses). */
  itemsRead: Record<string, number>;
  /** Read capacity units DynamoDB reported, per operation (reads are asked for them). */
  readUnits: Record<string, number>;
  /** Bytes of the HTTP answers (JSON), per operation. */
  bytes: Record<string, number>;
  /** Summed milliseconds per operation (overlapping calls add up). */
  ms: Record<string, number>;
}

const READ_OPS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem']);

type Capacity = { CapacityUnits?: number } | { CapacityUnits?: number }[] | undefined;

function itemsOf(op: string, output: Record<string, unknown>): number {
  switch (op) {
    case 'Query':
    case 'Scan':
      return (output.Count as number | undefined) ?? (output.Items as unknown[] | undefined)?.length ?? 0;
    case 'BatchGetItem':
      return Object.values((output.Responses ?? {}) as Record<string, unknown[]>).reduce(
        (n, list) => n + list.length,
        0,
      );
    case 'GetItem':
      return output.Item ? 1 : 0;
    default:
      return 0;
  }
}

export function emptyReadMeter(): ReadMeter {
  return { calls: {}, itemsRead: {}, readUnits: {}, bytes: {}, ms: {} };
}

/** Adds the meter's middlewares to `client`; `meter` can be reset by replacing its records. */
export function meterReads(client: DynamoDBClient, meter: ReadMeter = emptyReadMeter()): ReadMeter {
  const add = (rec: Record<string, number>, key: string, n: number) => {
    rec[key] = (rec[key] ?? 0) + n;
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const op = String(context.commandName ?? 'unknown').replace(/Command$/, '');
      const input = args.input as Record<string, unknown>;
      const read = READ_OPS.has(op);
      if (read && input.ReturnConsumedCapacity === undefined) input.ReturnConsumedCapacity = 'TOTAL';
      const started = performance.now();
      const result = await next(args);
      add(meter.ms, op, performance.now() - started);
      add(meter.calls, op, 1);
      if (read) {
        const output = result.output as unknown as Record<string, unknown>;
        add(meter.itemsRead, op, itemsOf(op, output));
        const consumed = output.ConsumedCapacity as Capacity;
        const list = consumed === undefined ? [] : Array.isArray(consumed) ? consumed : [consumed];
        add(
          meter.readUnits,
          op,
          list.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0),
        );
      }
      return result;
    },
    { step: 'initialize', name: 'benchReportReadMeter', priority: 'high' },
  );
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const op = String(context.commandName ?? 'unknown').replace(/Command$/, '');
      const headers = (result.response as { headers?: Record<string, string> }).headers ?? {};
      const length = Number(headers['content-length'] ?? headers['Content-Length'] ?? 0);
      if (Number.isFinite(length)) add(meter.bytes, op, length);
      return result;
    },
    { step: 'deserialize', name: 'benchReportBytes', priority: 'low' },
  );
  return meter;
}

export const total = (rec: Record<string, number>): number => Object.values(rec).reduce((a, b) => a + b, 0);
