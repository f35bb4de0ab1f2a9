/**
 * Cursor (`before`/`after`) and page (`page`) pagination with `Link` headers, as GitHub's list
 * endpoints do it. Cursors are keyset cursors: opaque to clients, stable while data changes.
 */
import { QueryParameterError } from './github-errors.ts';

export type SortValue = number | string;

export interface Keyed<T> {
  item: T;
  key: SortValue;
  /** Makes the order total, so a cursor always names one position. */
  tiebreak: string;
}

export type Direction = 'asc' | 'desc';

export interface PageRequest {
  perPage: number;
  after?: string | undefined;
  before?: string | undefined;
  page?: number | undefined;
}

type Rel = 'next' | 'prev' | 'first' | 'last';

export interface Page<T> {
  items: T[];
  /** Index of the first item in the whole list: with `perPage`, which page of a walk this is. */
  start: number;
  /** Query parameters to set for each link (pagination parameters only). */
  links: Partial<Record<Rel, Record<string, string>>>;
}

const CURSOR_PREFIX = 'cursor:v2:';

export function encodeCursor(key: SortValue, tiebreak: string): string {
  return Buffer.from(`${CURSOR_PREFIX}${JSON.stringify([key, tiebreak])}`).toString('base64url');
}

export function decodeCursor(cursor: string): { key: SortValue; tiebreak: string } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (text.startsWith(CURSOR_PREFIX)) {
    try {
      const parsed: unknown = JSON.parse(text.slice(CURSOR_PREFIX.length));
      if (
        Array.isArray(parsed) &&
        (typeof parsed[0] === 'number' || typeof parsed[0] === 'string') &&
        typeof parsed[1] === 'string'
      ) {
        return { key: parsed[0], tiebreak: parsed[1] };
      }
    } catch {
      // Falls through to the error below: a cursor that is not ours is a client bug.
    }
  }
  throw new QueryParameterError(400, `Invalid cursor: '${cursor}'. Use the cursor from the Link header.`);
}

function compareKeys(
  a: { key: SortValue; tiebreak: string },
  b: { key: SortValue; tiebreak: string },
): number {
  if (a.key < b.key) return -1;
  if (a.key > b.key) return 1;
  return a.tiebreak < b.tiebreak ? -1 : a.tiebreak > b.tiebreak ? 1 : 0;
}

export function sortKeyed<T>(entries: Keyed<T>[], direction: Direction): Keyed<T>[] {
  // Entries already in ascending order (lists by creation come so from the index): a pass to
  // check, instead of a sort. Tiebreaks are unique, so descending is exactly the reverse.
  if (ascending(entries)) return direction === 'asc' ? [...entries] : [...entries].reverse();
  const sign = direction === 'asc' ? 1 : -1;
  return [...entries].sort((a, b) => sign * compareKeys(a, b));
}

function ascending<T>(entries: readonly Keyed<T>[]): boolean {
  for (let i = 1; i < entries.length; i++) {
    if (compareKeys(entries[i - 1] as Keyed<T>, entries[i] as Keyed<T>) > 0) return false;
  }
  return true;
}

function cursorOf<T>(entry: Keyed<T>): string {
  return encodeCursor(entry.key, entry.tiebreak);
}

/**
 * The first index whose entry satisfies `test`, or the length when none does. `test` must be
 * false then true along the sorted list, which a cursor comparison is: a binary search keeps
 * every page of a 100,000-item list cheap.
 */
function firstIndex<T>(sorted: readonly Keyed<T>[], test: (entry: Keyed<T>) => boolean): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const entry = sorted[mid];
    if (entry !== undefined && test(entry)) high = mid;
    else low = mid + 1;
  }
  return low;
}

/** One page of an already sorted list. `page` wins only when no cursor is given. */
export function paginate<T>(sorted: Keyed<T>[], direction: Direction, request: PageRequest): Page<T> {
  const { perPage } = request;
  if (request.after === undefined && request.before === undefined && request.page !== undefined) {
    const lastPage = Math.max(1, Math.ceil(sorted.length / perPage));
    const start = (request.page - 1) * perPage;
    const links: Page<T>['links'] = {};
    if (request.page < lastPage) links.next = { page: String(request.page + 1) };
    if (request.page > 1) links.prev = { page: String(Math.min(request.page - 1, lastPage)) };
    if (sorted.length > perPage) {
      links.first = { page: '1' };
      links.last = { page: String(lastPage) };
    }
    return { items: sorted.slice(start, start + perPage).map((e) => e.item), start, links };
  }

  const sign = direction === 'asc' ? 1 : -1;
  let from = 0;
  let to = sorted.length;
  if (request.after !== undefined) {
    const cursor = decodeCursor(request.after);
    from = firstIndex(sorted, (e) => sign * compareKeys(e, cursor) > 0);
  }
  if (request.before !== undefined) {
    const cursor = decodeCursor(request.before);
    to = Math.max(
      from,
      firstIndex(sorted, (e) => sign * compareKeys(e, cursor) >= 0),
    );
  }
  // `before` alone pages backwards: the last page-full before the cursor.
  const start =
    request.before !== undefined && request.after === undefined ? Math.max(from, to - perPage) : from;
  const end = Math.min(to, start + perPage);
  const slice = sorted.slice(start, end);
  const links: Page<T>['links'] = {};
  const first = slice[0];
  const last = slice[slice.length - 1];
  if (last && end < sorted.length) links.next = { after: cursorOf(last) };
  if (first && start > 0) links.prev = { before: cursorOf(first) };
  return { items: slice.map((e) => e.item), start, links };
}

/**
 * `Link: <...>; rel="next", ...`, keeping the request's other parameters. `linkBase` is the
 * absolute URL (without query) the links point at.
 */
export function linkHeader(
  linkBase: string,
  query: URLSearchParams,
  links: Page<unknown>['links'],
): string | undefined {
  const parts: string[] = [];
  for (const rel of ['prev', 'next', 'first', 'last'] as const) {
    const params = links[rel];
    if (!params) continue;
    const q = new URLSearchParams(query);
    for (const name of ['after', 'before', 'page']) q.delete(name);
    for (const [name, value] of Object.entries(params)) q.set(name, value);
    parts.push(`<${linkBase}?${q.toString()}>; rel="${rel}"`);
  }
  return parts.length > 0 ? parts.join(', ') : undefined;
}
