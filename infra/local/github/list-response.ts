/** One page of a sorted list as a route answer: items, `Link` header and page position. */
import type { RouteResult } from './github-errors.ts';
import type { JsonObject } from './openapi-deref.ts';
import { type Keyed, linkHeader, paginate } from './pagination.ts';
import { readOptional, readPage, readPerPage } from './query-params.ts';

/** A route's answer, and which page of a list it is (for faults that target a page). */
export interface RouteOutcome extends RouteResult {
  page?: number;
  /**
   * The body already serialised, when the route keeps its items' JSON: the parts, sent one after
   * the other. Joining them would allocate a page's worth of memory per request, and that
   * allocation made this server stop for whole garbage collections under the benchmark's load.
   */
  json?: Buffer[];
}

const OPEN = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']');

/**
 * Answers one page of `sorted`. `allowPage` says whether the endpoint accepts `page` (cursor
 * parameters always win when given); `linkBase` is the absolute URL, without query, the links
 * point at.
 */
export function listResponse<T>(
  url: URL,
  linkBase: string,
  sorted: { entries: Keyed<T>[]; direction: 'asc' | 'desc' },
  allowPage: boolean,
  present: (items: T[]) => unknown[],
  /** Each item's JSON, when the route keeps it: the page is then sent without rendering. */
  encode?: (item: T) => Buffer,
): RouteOutcome {
  const perPage = readPerPage(url.searchParams);
  const page = paginate(sorted.entries, sorted.direction, {
    perPage,
    after: readOptional(url.searchParams, 'after'),
    before: readOptional(url.searchParams, 'before'),
    page: allowPage ? readPage(url.searchParams) : undefined,
  });
  const link = linkHeader(linkBase, url.searchParams, page.links);
  const outcome: RouteOutcome = {
    status: 200,
    body: undefined,
    headers: link ? { link } : {},
    page: Math.floor(page.start / perPage) + 1,
  };
  if (!encode) return { ...outcome, body: present(page.items) };
  // The objects only when something asks for them (a fault damaging an item, a test).
  let body: unknown[] | undefined;
  const parts: Buffer[] = [OPEN];
  for (const [i, item] of page.items.entries()) parts.push(...(i > 0 ? [COMMA] : []), encode(item));
  parts.push(CLOSE);
  return Object.defineProperty({ ...outcome, json: parts }, 'body', {
    enumerable: true,
    get: () => {
      body ??= present(page.items);
      return body;
    },
  });
}

/** An alert without its literal secret (`hide_secret=true`). */
export function withoutSecret(alert: JsonObject): JsonObject {
  const { secret: _secret, ...rest } = alert;
  return rest;
}
