import { describe, expect, it } from 'vitest';
import { countsChange, percentChange } from '../../../functions/core/change.ts';
import { emptyCounts } from '../../../functions/core/metrics.ts';
import type { Counts } from '../../../functions/core/report-model.ts';

describe('percentChange = round(100 * (current - previous) / previous, 1)', () => {
  it.each([
    // current, previous, change: hand-computed
    [12, 10, 20], // 100 * 2 / 10
    [10, 10, 0],
    [0, 10, -100], // 100 * -10 / 10
    [5, 15, -66.7], // 100 * -10 / 15 = -66.666..
    [20, 15, 33.3], // 100 * 5 / 15 = 33.333..
    [25, 15, 66.7], // 100 * 10 / 15 = 66.666..
    [30, 10, 200],
    [1, 3, -66.7], // 100 * -2 / 3
    [2, 3, -33.3], // 100 * -1 / 3
    [201, 200, 0.5], // 100 * 1 / 200, exactly halfway rounds away from zero
    [199, 200, -0.5],
    [1001, 1000, 0.1],
    [10005, 10000, 0.1], // 0.05 -> 0.1 (half away from zero)
    [9995, 10000, -0.1], // -0.05 -> -0.1
    [10004, 10000, 0], // 0.04 -> 0
    [2.5, 2, 25], // mttrDays: 100 * 0.5 / 2
    [12.34, 10.5, 17.5], // 100 * 1.84 / 10.5 = 17.523..
  ])('%d against %d: %d %', (current, previous, change) => {
    expect(percentChange(current, previous)).toBe(change);
  });

  it.each([
    // current, previous: no base to compare with
    [3, 0],
    [0, 0],
    [null, 0],
    [3, null],
    [null, 4],
    [null, null],
  ])('%s against %s: null', (current, previous) => {
    expect(percentChange(current, previous)).toBeNull();
  });
});

describe('countsChange', () => {
  const counts = (c: Partial<Counts>): Counts => ({ ...emptyCounts(), ...c });

  it('compares each figure a reader follows, from a week to the next', () => {
    // figure      previous  current  change
    // openAtEnd   40        36       100 * -4 / 40 = -10
    // opened      6         9        100 * 3 / 6 = 50
    // fixed       0         4        previous 0: null
    // dismissed   3         3        0
    // reopened    2         0        -100
    // mttrDays    12.5      14.06    100 * 1.56 / 12.5 = 12.48 -> 12.5
    // (openAtStart and netResolveRate are not compared)
    const previous = counts({
      openAtStart: 39,
      openAtEnd: 40,
      opened: 6,
      fixed: 0,
      dismissed: 3,
      reopened: 2,
      mttrDays: 12.5,
      netResolveRate: 0.5,
    });
    const current = counts({
      openAtStart: 40,
      openAtEnd: 36,
      opened: 9,
      fixed: 4,
      dismissed: 3,
      reopened: 0,
      mttrDays: 14.06,
      netResolveRate: 0.7778,
    });
    expect(countsChange(current, previous)).toEqual({
      openAtEnd: -10,
      opened: 50,
      fixed: null,
      dismissed: 0,
      reopened: -100,
      mttrDays: 12.5,
    });
  });

  it('gives null for an MTTR missing on either side', () => {
    expect(countsChange(counts({ mttrDays: 3 }), counts({ mttrDays: null })).mttrDays).toBeNull();
    expect(countsChange(counts({ mttrDays: null }), counts({ mttrDays: 3 })).mttrDays).toBeNull();
  });

  it('gives all null against an empty previous period', () => {
    expect(countsChange(counts({ openAtEnd: 5, opened: 5 }), counts({}))).toEqual({
      openAtEnd: null,
      opened: null,
      fixed: null,
      dismissed: null,
      reopened: null,
      mttrDays: null,
    });
  });
});
