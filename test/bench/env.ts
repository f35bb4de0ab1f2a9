/** Benchmark settings read from the environment, checked at the edge. */

/**
 * A whole number of at least `min` (1 unless given) from `name` (underscores allowed: `100_000`), or
 * `fallback` when unset.
 *
 * @example
 * intEnv('BENCH_REPORT_RUNS', 3); // 3, or what BENCH_REPORT_RUNS says
 */
export function intEnv(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < min)
    throw new Error(`${name} must be a whole number of at least ${min}, got "${raw}"`);
  return n;
}
