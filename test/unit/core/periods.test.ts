import { describe, expect, it } from 'vitest';
import { InvalidInstantError, InvalidPeriodError } from '../../../functions/core/errors.ts';
import {
  formatInstant,
  instantMs,
  lastCompleteWeek,
  lastPeriods,
  parseInstant,
  parsePeriodId,
  parseRange,
  previousPeriod,
} from '../../../functions/core/periods.ts';

const HOUR = 3_600_000;

function hours(p: { start: string; end: string }): number {
  return (Date.parse(p.end) - Date.parse(p.start)) / HOUR;
}

describe('parsePeriodId', () => {
  it.each([
    // id, zone, start, end
    ['2026-W47', 'UTC', '2026-11-16T00:00:00Z', '2026-11-23T00:00:00Z'],
    ['2026-W47', 'Europe/Berlin', '2026-11-15T23:00:00Z', '2026-11-22T23:00:00Z'],
    // 2026 starts on a Thursday, so ISO week 1 starts in December 2025 and 2026 has a week 53.
    ['2026-W01', 'UTC', '2025-12-29T00:00:00Z', '2026-01-05T00:00:00Z'],
    ['2025-W01', 'UTC', '2024-12-30T00:00:00Z', '2025-01-06T00:00:00Z'],
    ['2026-W53', 'UTC', '2026-12-28T00:00:00Z', '2027-01-04T00:00:00Z'],
    ['2020-W53', 'UTC', '2020-12-28T00:00:00Z', '2021-01-04T00:00:00Z'],
    ['2026-11', 'UTC', '2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z'],
    ['2026-02', 'UTC', '2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z'],
    ['2028-02', 'UTC', '2028-02-01T00:00:00Z', '2028-03-01T00:00:00Z'],
    ['2026-11', 'Europe/Berlin', '2026-10-31T23:00:00Z', '2026-11-30T23:00:00Z'],
    ['2026-10', 'Europe/Berlin', '2026-09-30T22:00:00Z', '2026-10-31T23:00:00Z'],
    ['2026-Q4', 'UTC', '2026-10-01T00:00:00Z', '2027-01-01T00:00:00Z'],
    ['2026-Q1', 'America/New_York', '2026-01-01T05:00:00Z', '2026-04-01T04:00:00Z'],
    ['2026-Q2', 'Asia/Kolkata', '2026-03-31T18:30:00Z', '2026-06-30T18:30:00Z'],
  ])('%s in %s is [%s, %s)', (id, zone, start, end) => {
    const p = parsePeriodId(id, zone);
    expect(p).toEqual({ id, kind: p.kind, start, end });
  });

  it('names the kind of each id', () => {
    expect(parsePeriodId('2026-W47').kind).toBe('week');
    expect(parsePeriodId('2026-11').kind).toBe('month');
    expect(parsePeriodId('2026-Q4').kind).toBe('quarter');
    expect(parsePeriodId('2026-11-01..2026-11-15').kind).toBe('custom');
  });

  it('defaults to UTC', () => {
    expect(parsePeriodId('2026-W47')).toEqual(parsePeriodId('2026-W47', 'UTC'));
  });

  it('gives the week holding the autumn DST change in Berlin 169 hours', () => {
    // The last Sunday of October 2026 is the 25th: clocks go back from 03:00 CEST to 02:00 CET.
    const p = parsePeriodId('2026-W43', 'Europe/Berlin');
    expect(p.start).toBe('2026-10-18T22:00:00Z');
    expect(p.end).toBe('2026-10-25T23:00:00Z');
    expect(hours(p)).toBe(169);
  });

  it('gives the week holding the spring DST change in Berlin 167 hours', () => {
    // The last Sunday of March 2026 is the 29th.
    const p = parsePeriodId('2026-W13', 'Europe/Berlin');
    expect(p.start).toBe('2026-03-22T23:00:00Z');
    expect(p.end).toBe('2026-03-29T22:00:00Z');
    expect(hours(p)).toBe(167);
  });

  it('gives UTC weeks 168 hours', () => {
    expect(hours(parsePeriodId('2026-W43'))).toBe(168);
  });

  it.each([
    ['2025-W53', /week-year 2025 has weeks W01 to W52/],
    ['2026-W54', /week-year 2026 has weeks W01 to W53/],
    ['2026-W00', /W01 to W53/],
    ['2026-13', /month must be 01 to 12/],
    ['2026-00', /month must be 01 to 12/],
    ['2026-Q5', /quarter must be Q1 to Q4/],
    ['2026-Q0', /quarter must be Q1 to Q4/],
    ['0999-W01', /year must be 1970 to 9999/],
    [
      'last-week',
      /expected 2026-W47 \(ISO week\), 2026-11 \(month\), 2026-Q4 \(quarter\) or 2026-11-01\.\.2026-11-15 \(date range\)/,
    ],
    ['2026-11-01', /expected 2026-W47/],
    ['2026-w47', /expected 2026-W47/],
    ['26-W47', /expected 2026-W47/],
    ['2026-W7', /expected 2026-W47/],
    ['', /invalid period ""/],
  ])('rejects %j', (id, message) => {
    expect(() => parsePeriodId(id)).toThrow(InvalidPeriodError);
    expect(() => parsePeriodId(id)).toThrow(message);
  });

  it('names a bad time zone', () => {
    expect(() => parsePeriodId('2026-W47', 'Mars/Olympus_Mons')).toThrow(InvalidPeriodError);
    expect(() => parsePeriodId('2026-W47', 'Mars/Olympus_Mons')).toThrow(
      /unknown time zone "Mars\/Olympus_Mons": expected an IANA zone name like UTC, Europe\/Berlin/,
    );
  });
});

describe('parseRange (custom periods: first and last day included)', () => {
  it.each([
    // from, to, zone, start, end, hours: hand-computed
    ['2026-11-01', '2026-11-15', 'UTC', '2026-11-01T00:00:00Z', '2026-11-16T00:00:00Z', 15 * 24],
    ['2026-11-15', '2026-11-15', 'UTC', '2026-11-15T00:00:00Z', '2026-11-16T00:00:00Z', 24],
    ['2026-12-31', '2027-01-01', 'UTC', '2026-12-31T00:00:00Z', '2027-01-02T00:00:00Z', 48],
    // 28 Feb, 29 Feb, 1 Mar of a leap year.
    ['2028-02-28', '2028-03-01', 'UTC', '2028-02-28T00:00:00Z', '2028-03-02T00:00:00Z', 72],
    // The longest ranges: 366 days (2026 has 365, so one more day; 2028 is a leap year).
    ['2026-01-01', '2027-01-01', 'UTC', '2026-01-01T00:00:00Z', '2027-01-02T00:00:00Z', 366 * 24],
    ['2028-01-01', '2028-12-31', 'UTC', '2028-01-01T00:00:00Z', '2029-01-01T00:00:00Z', 366 * 24],
    // Berlin, across the end of DST on Sunday 2026-10-25 (03:00 CEST -> 02:00 CET): starts at
    // midnight CEST (UTC+2), ends at midnight CET (UTC+1), 11 days of which one has 25 hours.
    ['2026-10-20', '2026-10-30', 'Europe/Berlin', '2026-10-19T22:00:00Z', '2026-10-30T23:00:00Z', 265],
    ['2026-10-25', '2026-10-25', 'Europe/Berlin', '2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z', 25],
    ['2026-10-26', '2026-11-01', 'Europe/Berlin', '2026-10-25T23:00:00Z', '2026-11-01T23:00:00Z', 168],
    // Berlin, the start of DST on Sunday 2026-03-29: a 23-hour day.
    ['2026-03-29', '2026-03-29', 'Europe/Berlin', '2026-03-28T23:00:00Z', '2026-03-29T22:00:00Z', 23],
    // New York leaves DST on Sunday 2026-11-01: midnight EDT (UTC-4) to midnight EST (UTC-5).
    ['2026-11-01', '2026-11-15', 'America/New_York', '2026-11-01T04:00:00Z', '2026-11-16T05:00:00Z', 361],
  ])('%s..%s in %s is [%s, %s), %i hours', (from, to, zone, start, end, h) => {
    const p = parseRange(from, to, zone);
    expect(p).toEqual({ id: `${from}..${to}`, kind: 'custom', start, end });
    expect(hours(p)).toBe(h);
    // The id round-trips, as report.json's period id must.
    expect(parsePeriodId(p.id, zone)).toEqual(p);
  });

  it('defaults to UTC', () => {
    expect(parseRange('2026-11-01', '2026-11-15')).toEqual(parseRange('2026-11-01', '2026-11-15', 'UTC'));
  });

  it.each([
    // from, to, message
    [
      '2026/11/01',
      '2026-11-15',
      'invalid range start (from) "2026/11/01": expected a calendar date YYYY-MM-DD, like 2026-11-01',
    ],
    [
      '2026-11-01',
      '15.11.2026',
      'invalid range end (to) "15.11.2026": expected a calendar date YYYY-MM-DD, like 2026-11-01',
    ],
    [
      '2026-11-1',
      '2026-11-15',
      'invalid range start (from) "2026-11-1": expected a calendar date YYYY-MM-DD',
    ],
    [
      '2026-11-01T00:00:00Z',
      '2026-11-15',
      'invalid range start (from) "2026-11-01T00:00:00Z": expected a calendar date',
    ],
    ['', '2026-11-15', 'invalid range start (from) "": expected a calendar date YYYY-MM-DD'],
    [
      '2026-02-30',
      '2026-03-15',
      'invalid range start (from) "2026-02-30": 2026-02 has days 01 to 28; give a date that exists',
    ],
    [
      '2028-02-01',
      '2028-02-30',
      'invalid range end (to) "2028-02-30": 2028-02 has days 01 to 29; give a date that exists',
    ],
    ['2026-04-31', '2026-05-15', 'invalid range start (from) "2026-04-31": 2026-04 has days 01 to 30'],
    ['2026-11-00', '2026-11-15', 'invalid range start (from) "2026-11-00": 2026-11 has days 01 to 30'],
    [
      '2026-13-01',
      '2026-11-15',
      'invalid range start (from) "2026-13-01": there is no month 13; the month must be 01 to 12',
    ],
    [
      '2026-11-01',
      '2026-00-15',
      'invalid range end (to) "2026-00-15": there is no month 00; the month must be 01 to 12',
    ],
    ['1969-12-31', '2026-11-15', 'invalid range start (from) "1969-12-31": the year must be 1970 to 9999'],
    [
      '2026-11-15',
      '2026-11-01',
      'invalid range "2026-11-15..2026-11-01": the last day (to) 2026-11-01 is before the first day (from) 2026-11-15; swap them: from 2026-11-01 to 2026-11-15',
    ],
    [
      '2026-01-01',
      '2027-01-02',
      'invalid range "2026-01-01..2027-01-02": 367 days long, at most 366 are allowed; split it into shorter ranges, or use a quarter like 2026-Q4',
    ],
    [
      '2025-01-01',
      '2026-12-31',
      'invalid range "2025-01-01..2026-12-31": 730 days long, at most 366 are allowed',
    ],
  ])('rejects %j..%j', (from, to, message) => {
    expect(() => parseRange(from, to)).toThrow(InvalidPeriodError);
    expect(() => parseRange(from, to)).toThrow(message);
  });

  it('names a bad time zone', () => {
    expect(() => parseRange('2026-11-01', '2026-11-15', 'Europe/Berlln')).toThrow(
      /unknown time zone "Europe\/Berlln"/,
    );
  });

  it.each([
    ['2026-11-15..2026-11-01', /the last day \(to\) 2026-11-01 is before the first day \(from\) 2026-11-15/],
    ['2026-11-01..', /invalid range end \(to\) "": expected a calendar date YYYY-MM-DD/],
    ['..2026-11-15', /invalid range start \(from\) "": expected a calendar date YYYY-MM-DD/],
    ['2026-11-01..2026-11', /invalid range end \(to\) "2026-11": expected a calendar date/],
    ['2026-11-01...2026-11-15', /invalid range end \(to\) ".2026-11-15": expected a calendar date/],
    ['2026-02-29..2026-03-01', /"2026-02-29": 2026-02 has days 01 to 28/],
  ])('parsePeriodId rejects the range id %j with the same messages', (id, message) => {
    expect(() => parsePeriodId(id)).toThrow(InvalidPeriodError);
    expect(() => parsePeriodId(id)).toThrow(message);
  });
});

describe('lastCompleteWeek', () => {
  it.each([
    ['2026-11-25T10:00:00Z', 'UTC', '2026-W47'],
    // A week that ends exactly at now has ended.
    ['2026-11-23T00:00:00Z', 'UTC', '2026-W47'],
    ['2026-11-22T23:59:59.999Z', 'UTC', '2026-W46'],
    // Monday 00:30 in Berlin, still Sunday in UTC.
    ['2026-11-22T23:30:00Z', 'Europe/Berlin', '2026-W47'],
    ['2026-11-22T23:30:00Z', 'UTC', '2026-W46'],
    ['2026-01-02T00:00:00Z', 'UTC', '2025-W52'],
    ['2027-01-05T12:00:00Z', 'UTC', '2026-W53'],
    ['2026-11-23T09:00:00+09:00', 'UTC', '2026-W47'],
  ])('at %s in %s is %s', (now, zone, id) => {
    const p = lastCompleteWeek(now, zone);
    expect(p.id).toBe(id);
    expect(p).toEqual(parsePeriodId(id, zone));
    expect(Date.parse(p.end)).toBeLessThanOrEqual(Date.parse(now));
  });

  it('takes a Date', () => {
    expect(lastCompleteWeek(new Date('2026-11-25T10:00:00Z')).id).toBe('2026-W47');
  });

  it('rejects a now that is not an instant', () => {
    expect(() => lastCompleteWeek('yesterday')).toThrow(InvalidInstantError);
    expect(() => lastCompleteWeek(new Date('nope'))).toThrow(InvalidInstantError);
  });
});

describe('previousPeriod and lastPeriods', () => {
  it.each([
    ['2026-W47', '2026-W46'],
    ['2026-W01', '2025-W52'],
    ['2027-W01', '2026-W53'],
    ['2026-01', '2025-12'],
    ['2026-03', '2026-02'],
    ['2026-Q1', '2025-Q4'],
    ['2026-Q4', '2026-Q3'],
  ])('before %s comes %s', (id, before) => {
    expect(previousPeriod(parsePeriodId(id)).id).toBe(before);
  });

  it.each([
    // range, the same number of days just before: hand-computed
    ['2026-11-01..2026-11-15', '2026-10-17..2026-10-31'], // 15 days
    ['2026-11-15..2026-11-15', '2026-11-14..2026-11-14'], // 1 day
    ['2026-03-01..2026-03-31', '2026-01-29..2026-02-28'], // 31 days: 3 in January + 28
    ['2028-03-01..2028-03-31', '2028-01-30..2028-02-29'], // 31 days: 2 in January + 29
    ['2027-01-01..2027-12-31', '2026-01-01..2026-12-31'], // 365 days
    ['2028-01-01..2028-12-31', '2026-12-31..2027-12-31'], // 366 days, 2027 has 365
    ['2026-01-01..2026-01-10', '2025-12-22..2025-12-31'], // 10 days, across the year
  ])('before the range %s comes %s', (id, before) => {
    const p = previousPeriod(parsePeriodId(id));
    expect(p.id).toBe(before);
    expect(p.kind).toBe('custom');
    expect(p.end).toBe(parsePeriodId(id).start);
    expect(hours(p)).toBe(hours(parsePeriodId(id)));
  });

  it('goes back by local days across a DST change, ending at the next start', () => {
    // The Berlin week 2026-10-26..2026-11-01 (168 hours) is preceded by 2026-10-19..2026-10-25,
    // which holds the end of DST: 169 hours, the boundaries of ISO week 2026-W43.
    const p = previousPeriod(parseRange('2026-10-26', '2026-11-01', 'Europe/Berlin'), 'Europe/Berlin');
    expect(p).toEqual({
      id: '2026-10-19..2026-10-25',
      kind: 'custom',
      start: '2026-10-18T22:00:00Z',
      end: '2026-10-25T23:00:00Z',
    });
    expect(hours(p)).toBe(169);
  });

  it('lists 12 custom ranges of the same length, back to back, ending with p', () => {
    // 15 days each; the first starts 11 * 15 = 165 days before 2026-11-01, on 2026-05-20.
    const ranges = lastPeriods(parseRange('2026-11-01', '2026-11-15'), 12);
    expect(ranges.map((p) => p.id)).toEqual([
      '2026-05-20..2026-06-03',
      '2026-06-04..2026-06-18',
      '2026-06-19..2026-07-03',
      '2026-07-04..2026-07-18',
      '2026-07-19..2026-08-02',
      '2026-08-03..2026-08-17',
      '2026-08-18..2026-09-01',
      '2026-09-02..2026-09-16',
      '2026-09-17..2026-10-01',
      '2026-10-02..2026-10-16',
      '2026-10-17..2026-10-31',
      '2026-11-01..2026-11-15',
    ]);
    expect(ranges[0]?.start).toBe('2026-05-20T00:00:00Z');
    for (const p of ranges) expect(hours(p)).toBe(15 * 24);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]?.start).toBe(ranges[i - 1]?.end);
  });

  it('lists custom ranges in Berlin at local midnights across a DST change', () => {
    const ranges = lastPeriods(parseRange('2026-10-26', '2026-11-01', 'Europe/Berlin'), 3, 'Europe/Berlin');
    expect(ranges.map((p) => [p.id, p.start, p.end, hours(p)])).toEqual([
      ['2026-10-12..2026-10-18', '2026-10-11T22:00:00Z', '2026-10-18T22:00:00Z', 168],
      ['2026-10-19..2026-10-25', '2026-10-18T22:00:00Z', '2026-10-25T23:00:00Z', 169],
      ['2026-10-26..2026-11-01', '2026-10-25T23:00:00Z', '2026-11-01T23:00:00Z', 168],
    ]);
  });

  it('keeps the zone across a DST change', () => {
    const p = previousPeriod(parsePeriodId('2026-W44', 'Europe/Berlin'), 'Europe/Berlin');
    expect(p).toEqual({
      id: '2026-W43',
      kind: 'week',
      start: '2026-10-18T22:00:00Z',
      end: '2026-10-25T23:00:00Z',
    });
  });

  it('lists the periods ending with p, oldest first, back to back', () => {
    expect(lastPeriods(parsePeriodId('2026-02'), 3).map((p) => p.id)).toEqual([
      '2025-12',
      '2026-01',
      '2026-02',
    ]);
    const weeks = lastPeriods(parsePeriodId('2027-W02'), 4);
    expect(weeks.map((p) => p.id)).toEqual(['2026-W52', '2026-W53', '2027-W01', '2027-W02']);
    for (let i = 1; i < weeks.length; i++) expect(weeks[i]?.start).toBe(weeks[i - 1]?.end);
    expect(lastPeriods(parsePeriodId('2026-Q4'), 1)).toEqual([parsePeriodId('2026-Q4')]);
    expect(lastPeriods(parsePeriodId('2026-Q4'), 0)).toEqual([]);
  });

  it('rejects a count that is not a whole number', () => {
    expect(() => lastPeriods(parsePeriodId('2026-Q4'), -1)).toThrow(InvalidPeriodError);
    expect(() => lastPeriods(parsePeriodId('2026-Q4'), 1.5)).toThrow(/invalid number of periods 1.5/);
  });
});

describe('parseInstant', () => {
  it.each([
    ['2026-11-16T00:00:00Z', '2026-11-16T00:00:00.000Z'],
    ['2026-11-16T01:00:00+01:00', '2026-11-16T00:00:00.000Z'],
    ['2026-11-15T19:00:00-0500', '2026-11-16T00:00:00.000Z'],
    ['2026-11-16T00:00:00.123Z', '2026-11-16T00:00:00.123Z'],
    ['2026-11-16T00:00Z', '2026-11-16T00:00:00.000Z'],
  ])('reads %s', (s, iso) => {
    expect(parseInstant(s).toISOString()).toBe(iso);
  });

  it.each([
    'yesterday',
    '2026-13-01T00:00:00Z',
    '2026-02-30T00:00:00Z',
    '2026-11-16',
    '2026-11-16T00:00:00',
    '2026-11-16 00:00:00Z',
    '',
  ])('rejects %j, naming the expected form', (s) => {
    expect(() => parseInstant(s)).toThrow(InvalidInstantError);
    expect(() => parseInstant(s)).toThrow(
      /expected an ISO-8601 date-time with a zone, like 2026-11-16T00:00:00Z/,
    );
  });

  it('compares different spellings of one instant as equal', () => {
    expect(instantMs('2026-11-16T00:00:00Z')).toBe(instantMs('2026-11-16T01:00:00.000+01:00'));
    expect(instantMs(new Date('2026-11-16T00:00:00Z'))).toBe(Date.UTC(2026, 10, 16));
  });

  it('refuses impossible dates in stored timestamps too (no rolling over to the next month)', () => {
    expect(() => instantMs('2026-02-30T00:00:00Z')).toThrow(InvalidInstantError);
    // ISO 8601 allows 24:00 as the end of a day: the next midnight.
    expect(instantMs('2026-11-16T24:00:00Z')).toBe(Date.UTC(2026, 10, 17));
    expect(instantMs('2028-02-29T12:00:00.5Z')).toBe(Date.UTC(2028, 1, 29, 12, 0, 0, 500));
  });

  it('formats instants in UTC, with milliseconds only when there are any', () => {
    expect(formatInstant(new Date('2026-11-16T01:00:00+01:00'))).toBe('2026-11-16T00:00:00Z');
    expect(formatInstant(Date.UTC(2026, 10, 16, 0, 0, 0, 5))).toBe('2026-11-16T00:00:00.005Z');
  });
});
