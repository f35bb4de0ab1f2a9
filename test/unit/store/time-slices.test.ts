import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { timeSlices } from '../../../functions/store/dynamo-store.ts';

const iso = (ms: number) => new Date(ms).toISOString();
const DAY = 86_400_000;
const T0 = Date.parse('2026-11-09T00:00:00.000Z');

/** What DynamoDB's `sk BETWEEN a AND b` holds: byte order, both ends included. */
const between = (key: string, [a, b]: [string, string]) => key >= a && key <= b;

describe('timeSlices: a transition read split into key ranges', () => {
  it('splits a week up to now into equal ranges, the last one open', () => {
    expect(timeSlices(iso(T0), '9999', T0 + 8 * DAY, 4)).toEqual([
      ['2026-11-09T00:00:00.000Z', '2026-11-11T00:00:00.000Z'],
      ['2026-11-11T00:00:00.000Z', '2026-11-13T00:00:00.000Z'],
      ['2026-11-13T00:00:00.000Z', '2026-11-15T00:00:00.000Z'],
      ['2026-11-15T00:00:00.000Z', '9999'],
    ]);
  });

  it('keeps a short, an unbounded or a reversed range whole', () => {
    expect(timeSlices(iso(T0), iso(T0 + 3_600_000), T0, 4)).toEqual([[iso(T0), iso(T0 + 3_600_000)]]);
    expect(timeSlices('0000', '9999', T0, 4)).toEqual([['0000', '9999']]);
    expect(timeSlices(iso(T0), iso(T0 - DAY), T0, 4)).toEqual([[iso(T0), iso(T0 - DAY)]]);
    // `now` before `from`: nothing to split up to.
    expect(timeSlices(iso(T0), '9999', T0 - DAY, 4)).toEqual([[iso(T0), '9999']]);
  });

  it('puts every key of [from, to) in exactly one range, and no other key in any', () => {
    const instant = fc.integer({ min: T0 - 30 * DAY, max: T0 + 30 * DAY });
    fc.assert(
      fc.property(
        instant,
        fc.option(instant, { nil: undefined }),
        instant,
        fc.integer({ min: 1, max: 8 }),
        fc.array(instant, { maxLength: 40 }),
        (fromMs, toMs, now, n, keyTimes) => {
          const from = iso(fromMs);
          const to = toMs === undefined ? '9999' : iso(toMs);
          const slices = timeSlices(from, to, now, n);
          expect(slices.length).toBeLessThanOrEqual(n);
          expect(slices[0]?.[0]).toBe(from);
          expect(slices.at(-1)?.[1]).toBe(to);
          // Keys at the bounds themselves are the likeliest to go wrong: add them.
          const times = [...keyTimes, fromMs, ...(toMs === undefined ? [] : [toMs])];
          for (const s of slices) if (s[0] !== from) times.push(Date.parse(s[0]));
          for (const ms of times) {
            const key = `${iso(ms)}#dependabot#octo/app#1#open#snapshot`;
            const wanted = key >= from && (to === '9999' || ms < Date.parse(to)) ? 1 : 0;
            expect(slices.filter((s) => between(key, s)).length).toBe(wanted);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
