/** Reading list-endpoint query parameters the way GitHub does. */
import { QueryParameterError } from './github-errors.ts';

export const DEFAULT_PER_PAGE = 30;
export const MAX_PER_PAGE = 100;

/** GitHub caps `per_page` at 100 without complaint and falls back to 30 on nonsense. */
export function readPerPage(query: URLSearchParams): number {
  const raw = query.get('per_page');
  if (raw === null || raw === '') return DEFAULT_PER_PAGE;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) return DEFAULT_PER_PAGE;
  return Math.min(n, MAX_PER_PAGE);
}

/** An empty value counts as absent: GitHub documents `after=` as "give me a first cursor". */
export function readOptional(query: URLSearchParams, name: string): string | undefined {
  const raw = query.get(name);
  return raw === null || raw === '' ? undefined : raw;
}

export function readEnum<T extends string>(
  query: URLSearchParams,
  name: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const raw = readOptional(query, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new QueryParameterError(
      422,
      `Invalid value for ${name}: '${raw}'. Allowed: ${allowed.join(', ')}.`,
    );
  }
  return raw as T;
}

/** A comma-separated filter; undefined when absent. Values outside `allowed` are a 400. */
export function readCommaList<T extends string>(
  query: URLSearchParams,
  name: string,
  allowed?: readonly T[],
): T[] | undefined {
  const raw = readOptional(query, name);
  if (raw === undefined) return undefined;
  const values = raw
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
  if (allowed) {
    const bad = values.filter((v) => !(allowed as readonly string[]).includes(v));
    if (bad.length > 0) {
      throw new QueryParameterError(
        400,
        `Invalid ${name}: ${bad.join(', ')}. Allowed: ${allowed.join(', ')}.`,
      );
    }
  }
  return values as T[];
}

export function readBoolean(query: URLSearchParams, name: string): boolean | undefined {
  const raw = readOptional(query, name);
  if (raw === undefined) return undefined;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new QueryParameterError(422, `Invalid value for ${name}: '${raw}'. Use true or false.`);
}

/** A positive page number for the endpoints that still support `page`. */
export function readPage(query: URLSearchParams): number | undefined {
  const raw = readOptional(query, 'page');
  if (raw === undefined) return undefined;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 ? n : 1;
}
