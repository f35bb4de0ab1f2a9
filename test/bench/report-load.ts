/**
 * Loads a generated dataset into its own table, in one of two ways:
 *
 * - `store`: the store's own `writeAlerts` (one transaction of at most 100 actions: alerts with
 *   their snapshot views, and their transitions packed by day), with bounded concurrency;
 * - `batch`: the same items written with BatchWriteItem (25 a call), about twice as fast on
 *   DynamoDB Local. `checkBatchLoader` proves on a small dataset that both ways leave exactly the
 *   same items in the table, so the faster way can load the large sizes.
 *
 * Manifests are written with the store's `putManifest` either way.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import pLimit from 'p-limit';
import { DynamoStore, newAlertItem, transitionPackItems } from '../../functions/store/dynamo-store.ts';
import { type Dataset, packTransactions } from './report-data.ts';

export type Loader = 'store' | 'batch';

export interface LoadResult {
  loader: Loader;
  ms: number;
  /** Transactions (store) or BatchWriteItem calls (batch). */
  calls: number;
  itemsWritten: number;
  manifests: number;
}

/**
 * The items `DynamoStore.writeAlerts` writes for a dataset's entries in the transactions
 * `packTransactions` makes of them: each alert, and each transaction's transitions packed by day.
 */
export function storeItems(data: Dataset): Record<string, unknown>[] {
  const items: Record<string, unknown>[] = [];
  for (const batch of packTransactions(data.entries)) {
    for (const entry of batch) items.push(newAlertItem(data.org, entry));
    items.push(
      ...transitionPackItems(
        data.org,
        batch.flatMap((e) => e.transitions),
      ),
    );
  }
  return items;
}

export async function loadDataset(
  client: DynamoDBClient,
  table: string,
  data: Dataset,
  options: { loader: Loader; concurrency: number; progress?: (done: number, total: number) => void },
): Promise<LoadResult> {
  const store = new DynamoStore(client, table);
  await store.ensureTable();
  const started = performance.now();
  const limit = pLimit(options.concurrency);
  const progress = options.progress ?? (() => {});
  let calls = 0;
  let itemsWritten = 0;
  if (options.loader === 'store') {
    const batches = packTransactions(data.entries);
    let done = 0;
    await Promise.all(
      batches.map((batch) =>
        limit(async () => {
          await store.writeAlerts(
            data.org,
            batch.map((e) => ({ ...e, expectedVersion: null })),
          );
          done += batch.length;
          progress(done, data.entries.length);
        }),
      ),
    );
    calls = batches.length;
    itemsWritten = store.usage.itemsWritten;
  } else {
    const doc = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });
    const items = storeItems(data);
    const chunks: Record<string, unknown>[][] = [];
    for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
    await Promise.all(
      chunks.map((chunk) =>
        limit(async () => {
          let request: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]> = {
            [table]: chunk.map((Item) => ({ PutRequest: { Item } })),
          };
          for (let attempt = 0; (request[table]?.length ?? 0) > 0; attempt++) {
            if (attempt > 8) throw new Error('DynamoDB Local kept returning unprocessed items');
            if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
            const res = await doc.send(new BatchWriteCommand({ RequestItems: request }));
            calls++;
            request = (res.UnprocessedItems ?? {}) as typeof request;
          }
          itemsWritten += chunk.length;
          progress(Math.round((itemsWritten / items.length) * data.entries.length), data.entries.length);
        }),
      ),
    );
  }
  const before = store.usage.itemsWritten;
  await Promise.all(data.manifests.map((m) => limit(() => store.putManifest(m))));
  itemsWritten += store.usage.itemsWritten - before;
  return {
    loader: options.loader,
    ms: performance.now() - started,
    calls,
    itemsWritten,
    manifests: data.manifests.length,
  };
}

/** Every item of a table, as canonical JSON (keys sorted: DynamoDB maps keep no order), sorted. */
async function tableItems(client: DynamoDBClient, table: string): Promise<string[]> {
  const doc = DynamoDBDocumentClient.from(client);
  const out: string[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({ TableName: table, ExclusiveStartKey: startKey, Limit: 1000 }),
    );
    for (const item of page.Items ?? []) out.push(canonicalJson(item));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return out.sort();
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

/**
 * Loads `data` both ways into two tables and compares every item: the batch loader must leave
 * exactly what the store's own transactions leave. Returns the differences (empty when none).
 */
export async function checkBatchLoader(
  client: DynamoDBClient,
  tablePrefix: string,
  data: Dataset,
  concurrency: number,
): Promise<{ items: number; differences: string[] }> {
  await loadDataset(client, `${tablePrefix}-store`, data, { loader: 'store', concurrency });
  await loadDataset(client, `${tablePrefix}-batch`, data, { loader: 'batch', concurrency });
  const [viaStore, viaBatch] = await Promise.all([
    tableItems(client, `${tablePrefix}-store`),
    tableItems(client, `${tablePrefix}-batch`),
  ]);
  const inBatch = new Set(viaBatch);
  const inStore = new Set(viaStore);
  const differences = [
    ...viaStore.filter((i) => !inBatch.has(i)).map((i) => `only written by the store: ${i.slice(0, 160)}`),
    ...viaBatch
      .filter((i) => !inStore.has(i))
      .map((i) => `only written by the batch loader: ${i.slice(0, 160)}`),
  ];
  return { items: viaStore.length, differences };
}
