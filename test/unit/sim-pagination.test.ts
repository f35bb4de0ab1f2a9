import { describe, expect, it } from 'vitest';
import { type Keyed, sortKeyed } from '../../infra/local/github/pagination.ts';

const entry = (key: number, tiebreak: string): Keyed<string> => ({
  item: `${key}/${tiebreak}`,
  key,
  tiebreak,
});
const items = (list: Keyed<string>[]) => list.map((e) => e.item);

describe('the simulated GitHub sorting a list', () => {
  it('serves entries already in ascending order as they are, and reversed for descending', () => {
    const sorted = [entry(1, 'a'), entry(1, 'b'), entry(2, 'a'), entry(5, 'c')];
    expect(items(sortKeyed(sorted, 'asc'))).toEqual(['1/a', '1/b', '2/a', '5/c']);
    expect(items(sortKeyed(sorted, 'desc'))).toEqual(['5/c', '2/a', '1/b', '1/a']);
    // A copy: the input is left as it was.
    expect(items(sorted)).toEqual(['1/a', '1/b', '2/a', '5/c']);
  });

  it('sorts entries out of order by key, then tiebreak, in either direction', () => {
    const mixed = [entry(2, 'a'), entry(1, 'b'), entry(5, 'c'), entry(1, 'a')];
    expect(items(sortKeyed(mixed, 'asc'))).toEqual(['1/a', '1/b', '2/a', '5/c']);
    expect(items(sortKeyed(mixed, 'desc'))).toEqual(['5/c', '2/a', '1/b', '1/a']);
  });
});
