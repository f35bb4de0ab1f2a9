/**
 * The naive baseline of the snapshot benchmark: what a collector without org-level lists would
 * do. It lists the org's repositories, then each repository's three alert lists (every page;
 * one repository's lists one after the other, several repositories at once), and rewrites every
 * alert it sees as one put of its current state: no stored state read, no diff, no transitions.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import pLimit from 'p-limit';
import { type AlertType, alertKey } from '../../functions/core/model.ts';
import { normalizeAlert } from '../../functions/core/normalize.ts';
import type { GitHubClient } from '../../functions/github/client.ts';
import { encodeBody } from '../../functions/store/dynamo-store.ts';

export interface NaiveResult {
  repositories: number;
  requests: number;
  alertsSeen: number;
  alertsByType: Record<AlertType, number>;
  itemsWritten: number;
  /** Each repository list walked, with its page count (for the minimum). */
  lists: { path: string; pages: number; items: number }[];
}

const NEXT_LINK = /<([^<>]+)>;\s*rel="next"/;

const REPO_LISTS: { type: AlertType; path: string; params: Record<string, string | number | boolean> }[] = [
  { type: 'dependabot', path: 'dependabot/alerts', params: {} },
  { type: 'secret_scanning', path: 'secret-scanning/alerts', params: { hide_secret: true } },
  { type: 'code_scanning', path: 'code-scanning/alerts', params: {} },
];

/** Every page of one list, handed to `onPage` as it arrives (nothing is held). */
async function walk(
  gh: GitHubClient,
  route: string,
  params: Record<string, string | number | boolean>,
  onPage: (items: Record<string, unknown>[]) => Promise<void>,
): Promise<{ pages: number; items: number }> {
  let next: string | null = null;
  let pages = 0;
  let items = 0;
  do {
    const res: { data: unknown; headers: Record<string, unknown> } = next
      ? await gh.request(`GET ${next}`)
      : await gh.request(route, params);
    if (!Array.isArray(res.data)) throw new Error(`${route}: the body is not a list`);
    pages += 1;
    items += res.data.length;
    await onPage(res.data as Record<string, unknown>[]);
    const link = typeof res.headers.link === 'string' ? res.headers.link : '';
    next = NEXT_LINK.exec(link)?.[1] ?? null;
  } while (next);
  return { pages, items };
}

async function batchPut(
  doc: DynamoDBDocumentClient,
  table: string,
  items: Record<string, unknown>[],
): Promise<void> {
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  await Promise.all(
    chunks.map(async (chunk) => {
      let request: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]> = {
        [table]: chunk.map((Item) => ({ PutRequest: { Item } })),
      };
      for (let attempt = 0; Object.keys(request).length > 0; attempt++) {
        if (attempt > 8) throw new Error('DynamoDB kept returning unprocessed items');
        if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
        const res = await doc.send(new BatchWriteCommand({ RequestItems: request }));
        request = (res.UnprocessedItems ?? {}) as typeof request;
      }
    }),
  );
}

export async function runNaive(deps: {
  gh: GitHubClient;
  client: DynamoDBClient;
  table: string;
  org: string;
  /** Repositories walked at once: the real collector's lane count, for a fair comparison. */
  concurrency: number;
}): Promise<NaiveResult> {
  const { gh, org, table } = deps;
  const doc = DynamoDBDocumentClient.from(deps.client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  const result: NaiveResult = {
    repositories: 0,
    requests: 0,
    alertsSeen: 0,
    alertsByType: { dependabot: 0, secret_scanning: 0, code_scanning: 0 },
    itemsWritten: 0,
    lists: [],
  };
  const repos: string[] = [];
  const listed = await walk(gh, 'GET /orgs/{org}/repos', { org, per_page: 100 }, async (items) => {
    for (const r of items) repos.push(String(r.name));
  });
  result.requests += listed.pages;
  result.repositories = repos.length;
  result.lists.push({ path: `/orgs/${org}/repos`, pages: listed.pages, items: listed.items });

  const limit = pLimit(deps.concurrency);
  await Promise.all(
    repos.map((repo) =>
      limit(async () => {
        for (const list of REPO_LISTS) {
          const walked = await walk(
            gh,
            `GET /repos/{owner}/{repo}/${list.path}`,
            { owner: org, repo, per_page: 100, ...list.params },
            async (items) => {
              const puts = items.map((raw) => {
                // Repository-level items do not name their repository: the collector adds it.
                const alert = normalizeAlert(list.type, {
                  ...raw,
                  repository: { full_name: `${org}/${repo}` },
                });
                return {
                  pk: `ALERT#${org}`,
                  sk: alertKey(alert),
                  alert: encodeBody(alert),
                  version: 1,
                  updatedAtMs: Date.parse(alert.updatedAt),
                };
              });
              await batchPut(doc, table, puts);
              result.alertsSeen += puts.length;
              result.alertsByType[list.type] += puts.length;
              result.itemsWritten += puts.length;
            },
          );
          result.requests += walked.pages;
          result.lists.push({
            path: `/repos/${org}/${repo}/${list.path}`,
            pages: walked.pages,
            items: walked.items,
          });
        }
      }),
    ),
  );
  return result;
}
