/** One page of a sorted list as a route answer: items, `Link` header and page position. */
import type { RouteResult } from './github-errors.ts';
import type { JsonObject } from './openapi-deref.ts';
import { type Keyed, linkHeader, paginate } from './pagination.ts';
import { readOptional, readPage, readPerPage } from './query-params.ts';

/** A route's answer, and which page of a list it is (for faults that target a page). */
export interface RouteOutcome extends RouteResult {
  page?: number;
}

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
): RouteOutcome {
  const perPage = readPerPage(url.searchParams);
  const page = paginate(sorted.entries, sorted.direction, {
    perPage,
    after: readOptional(url.searchParams, 'after'),
    before: readOptional(url.searchParams, 'before'),
    page: allowPage ? readPage(url.searchParams) : undefined,
  });
  const link = linkHeader(linkBase, url.searchParams, page.links);
  return {
    status: 200,
    body: present(page.items),
    headers: link ? { link } : {},
    page: Math.floor(page.start / perPage) + 1,
  };
}

/** An alert without its literal secret (`hide_secret=true`). */
export function withoutSecret(alert: JsonObject): JsonObject {
  const { secret: _secret, ...rest } = alert;
  return rest;
}
