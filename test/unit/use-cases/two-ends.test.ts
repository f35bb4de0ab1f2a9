import { describe, expect, it } from 'vitest';
import { type End, TwoEnds } from '../../../functions/use-cases/two-ends.ts';
import { createPrng } from '../../../infra/local/github/prng.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const iso = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

interface Item {
  id: number;
  created: number;
}

/**
 * A listing walked from both ends the way the snapshot engine walks it: an end asks for its next
 * page only once the previous one arrived (the cursor comes with it), may hold one page on the way
 * while it writes another, and reports each page once written. Every step is picked at random.
 */
function walk(
  items: Item[],
  options: {
    seed: number;
    perPage: number;
    estimate: number | null;
    /** Newest-first order breaks ties the other way round from oldest-first when false. */
    reversedTies?: boolean;
    /** The oldest end stops (a failure) after this many pages. */
    oldestStopsAfter?: number;
  },
) {
  const rnd = createPrng(options.seed);
  const asc = [...items].sort((a, b) => a.created - b.created || a.id - b.id);
  const desc = [...items].sort((a, b) =>
    options.reversedTies === false
      ? b.created - a.created || a.id - b.id
      : b.created - a.created || b.id - a.id,
  );
  const order: Record<End, Item[]> = { oldest: asc, newest: desc };
  const ends = new TwoEnds({ estimate: options.estimate, perPage: options.perPage });
  const at: Record<End, number> = { oldest: 0, newest: 0 };
  type Sent = { items: Item[]; last: boolean };
  const onTheWay: Record<End, Sent | null> = { oldest: null, newest: null };
  const arrived: Record<End, Sent | null> = { oldest: null, newest: null };
  const stopped: Record<End, boolean> = { oldest: false, newest: false };
  const written: Record<End, number> = { oldest: 0, newest: 0 };
  const listed = new Set<number>();
  let requests = 0;
  for (let step = 0; !ends.complete; step++) {
    if (step > 100_000) throw new Error('the ends never finished');
    const moves: (() => void)[] = [];
    for (const end of ['oldest', 'newest'] as const) {
      if (stopped[end]) continue;
      // The first page is always asked for: nobody knows yet that the listing is empty.
      const more = at[end] === 0 || at[end] < items.length;
      if (onTheWay[end] === null && more && ends.mayAsk(end)) {
        moves.push(() => {
          ends.asked(end);
          requests += 1;
          onTheWay[end] = {
            items: order[end].slice(at[end], at[end] + options.perPage),
            last: at[end] + options.perPage >= items.length,
          };
          at[end] += options.perPage;
        });
      }
      if (onTheWay[end] !== null && arrived[end] === null) {
        moves.push(() => {
          arrived[end] = onTheWay[end];
          onTheWay[end] = null;
        });
      }
      const page = arrived[end];
      if (page !== null) {
        moves.push(() => {
          arrived[end] = null;
          for (const i of page.items) listed.add(i.id);
          written[end] += 1;
          const last = page.items.at(-1);
          ends.answered(end, { edge: last ? iso(last.created) : null, last: page.last });
          if (end === 'oldest' && written.oldest === options.oldestStopsAfter) {
            stopped.oldest = true;
            ends.stop('oldest');
          }
        });
      }
    }
    if (moves.length === 0) throw new Error(`the ends wait for each other at step ${step}`);
    rnd.pick(moves)();
  }
  return { listed, requests };
}

/** `n` items created a second apart, or in groups of `tie` sharing one second. */
function listing(n: number, tie = 1): Item[] {
  return Array.from({ length: n }, (_, i) => ({ id: i, created: Math.floor(i / tie) }));
}

describe('a listing read from both ends', () => {
  it('finishes when the ends cross strictly, not when they reach the same creation time', () => {
    const ends = new TwoEnds({ estimate: null });
    ends.asked('oldest');
    ends.asked('newest');
    expect(ends.answered('oldest', { edge: iso(10), last: false })).toBe(false);
    // The newest end reached the same second: an alert of that second may lie between them.
    expect(ends.answered('newest', { edge: iso(10), last: false })).toBe(false);
    ends.asked('oldest');
    expect(ends.answered('oldest', { edge: iso(11), last: false })).toBe(true);
    expect(ends.complete).toBe(true);
    expect(ends.mayAsk('oldest')).toBe(false);
    expect(ends.mayAsk('newest')).toBe(false);
  });

  it('finishes when either end reaches the end of the listing', () => {
    const ends = new TwoEnds({ estimate: null });
    ends.asked('newest');
    expect(ends.answered('newest', { edge: iso(1), last: true })).toBe(true);
  });

  it('asks no more once the pages asked for cover the estimate, and lets one end finish alone', () => {
    const ends = new TwoEnds({ estimate: 250, perPage: 100 });
    expect(ends.mayAsk('oldest')).toBe(true);
    ends.asked('oldest');
    ends.asked('newest');
    ends.asked('oldest');
    // 300 asked for cover 250 and the two alerts of overlap strict crossing needs.
    expect(ends.mayAsk('newest')).toBe(false);
    expect(ends.mayAsk('oldest')).toBe(false);
    ends.answered('oldest', { edge: iso(100), last: false });
    ends.answered('newest', { edge: iso(151), last: false });
    // The listing grew: the oldest end goes on, one page at a time, once its page is written.
    expect(ends.mayAsk('oldest')).toBe(false);
    ends.answered('oldest', { edge: iso(150), last: false });
    expect(ends.complete).toBe(false);
    expect(ends.mayAsk('oldest')).toBe(true);
    expect(ends.mayAsk('newest')).toBe(false);
  });

  it('tells how many pages each end has left, for the longest chains to be served first', () => {
    expect(new TwoEnds({ estimate: null }).remainingPerEnd()).toBeNull();
    const ends = new TwoEnds({ estimate: 1_000, perPage: 100 });
    // 1,002 alerts to cover (the overlap): 11 pages, 6 for each end rounded up.
    expect(ends.remainingPerEnd()).toBe(6);
    for (let i = 0; i < 4; i++) ends.asked(i % 2 === 0 ? 'oldest' : 'newest');
    expect(ends.remainingPerEnd()).toBe(4);
    for (let i = 0; i < 8; i++) ends.asked('oldest');
    expect(ends.remainingPerEnd()).toBe(0);
  });

  it('hands the finish to the newest end when the oldest stops, and wakes whoever waits', async () => {
    const ends = new TwoEnds({ estimate: 100, perPage: 100 });
    ends.asked('oldest');
    ends.asked('newest');
    ends.answered('newest', { edge: iso(60), last: false });
    expect(ends.mayAsk('newest')).toBe(false);
    const woken = ends.changed();
    ends.stop('oldest');
    await woken;
    expect(ends.mayAsk('newest')).toBe(true);
    expect(ends.mayAsk('oldest')).toBe(false);
  });

  it('resumes from what the ends of an earlier invocation reached', () => {
    const crossed = new TwoEnds({
      estimate: null,
      resumed: { oldest: { pages: 3, edge: iso(50) }, newest: { pages: 2, edge: iso(40) } },
    });
    expect(crossed.complete).toBe(true);
    const apart = new TwoEnds({
      estimate: 500,
      perPage: 100,
      resumed: { oldest: { pages: 3, edge: iso(30) }, newest: { pages: 2, edge: iso(40) } },
    });
    expect(apart.complete).toBe(false);
    // Five pages asked before cover 500 but not the overlap: one more, then only the oldest end,
    // once that page is written and the ends still have not crossed.
    expect(apart.mayAsk('newest')).toBe(true);
    apart.asked('newest');
    expect(apart.mayAsk('oldest')).toBe(false);
    expect(apart.answered('newest', { edge: iso(35), last: false })).toBe(false);
    expect(apart.mayAsk('oldest')).toBe(true);
    expect(apart.mayAsk('newest')).toBe(false);
  });

  it('never misses an alert, whatever the interleaving, ties, estimate or tie order', () => {
    const cases = [
      { n: 250, tie: 1 },
      { n: 200, tie: 1 },
      { n: 199, tie: 1 },
      { n: 1, tie: 1 },
      { n: 0, tie: 1 },
      { n: 300, tie: 7 },
      { n: 240, tie: 60 },
      { n: 230, tie: 230 },
    ];
    let runs = 0;
    for (const { n, tie } of cases) {
      const items = listing(n, tie);
      for (const estimate of [null, n, Math.floor(n / 2), n * 2 + 5]) {
        for (const reversedTies of [true, false]) {
          for (const oldestStopsAfter of [undefined, 1]) {
            for (let seed = 1; seed <= 6; seed++) {
              const { listed } = walk(items, {
                seed,
                perPage: 20,
                estimate,
                reversedTies,
                ...(oldestStopsAfter === undefined ? {} : { oldestStopsAfter }),
              });
              expect(listed.size, JSON.stringify({ n, tie, estimate, reversedTies, seed })).toBe(n);
              runs += 1;
            }
          }
        }
      }
    }
    expect(runs).toBe(cases.length * 4 * 2 * 2 * 6);
  });

  it("with an exact estimate and distinct creation times, asks for the listing's pages and at most one more", () => {
    for (const n of [250, 200, 199, 201, 37, 1000]) {
      for (let seed = 1; seed <= 10; seed++) {
        const { listed, requests } = walk(listing(n), { seed, perPage: 20, estimate: n });
        expect(listed.size).toBe(n);
        const pages = Math.ceil(n / 20);
        expect(requests, `n=${n} seed=${seed}`).toBeLessThanOrEqual(pages + 1);
        // The extra page only where the ends can meet at a page boundary.
        if (n % 20 !== 0 && n % 20 !== 19) expect(requests).toBe(pages);
      }
    }
  });
});
