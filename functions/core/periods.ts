/**
 * Reporting periods (ISO weeks, months, quarters, custom date ranges) and instants.
 *
 * A period is computed in a configured IANA time zone (its boundaries are local midnights) but
 * carried as UTC instants, so that everything downstream compares plain instants and never needs
 * the zone again. Ends are exclusive: an event at exactly `end` belongs to the next period.
 */
import { DateTime, IANAZone } from 'luxon';
import { InvalidInstantError, InvalidPeriodError } from './errors.ts';

export type PeriodKind = 'week' | 'month' | 'quarter' | 'custom';

/** The kinds whose ids name one calendar unit (everything but custom ranges). */
type CalendarKind = Exclude<PeriodKind, 'custom'>;

export interface Period {
  id: string;
  kind: PeriodKind;
  /** ISO-8601 UTC (`Z`), inclusive. */
  start: string;
  /** ISO-8601 UTC (`Z`), exclusive. */
  end: string;
}

export const DEFAULT_TIME_ZONE = 'UTC';

export const MS_PER_DAY = 86_400_000;

const VALID_EXAMPLES =
  '2026-W47 (ISO week), 2026-11 (month), 2026-Q4 (quarter) or 2026-11-01..2026-11-15 (date range)';

const WEEK_ID = /^(\d{4})-W(\d{2})$/;
const MONTH_ID = /^(\d{4})-(\d{2})$/;
const QUARTER_ID = /^(\d{4})-Q(\d)$/;
/** A custom range id: first and last day, both included. */
const RANGE_SEPARATOR = '..';
const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The longest custom range, in days: a leap year. */
export const MAX_RANGE_DAYS = 366;

// Only years whose ISO form is four digits: anything else is a typo, not a real reporting period.
const MIN_YEAR = 1970;
const MAX_YEAR = 9999;

/**
 * Parses a period id into its UTC boundaries, computed in `timeZone`.
 *
 * @example
 * parsePeriodId('2026-W47');
 * // { id: '2026-W47', kind: 'week', start: '2026-11-16T00:00:00Z', end: '2026-11-23T00:00:00Z' }
 * parsePeriodId('2026-11', 'Europe/Berlin').start; // '2026-10-31T23:00:00Z'
 * parsePeriodId('2026-11-01..2026-11-15').end; // '2026-11-16T00:00:00Z' (a custom range, see parseRange)
 */
export function parsePeriodId(id: string, timeZone: string = DEFAULT_TIME_ZONE): Period {
  const zone = checkTimeZone(timeZone);
  const separator = typeof id === 'string' ? id.indexOf(RANGE_SEPARATOR) : -1;
  if (separator >= 0) {
    return parseRange(id.slice(0, separator), id.slice(separator + RANGE_SEPARATOR.length), zone);
  }
  const week = WEEK_ID.exec(id);
  if (week) {
    const year = checkYear(id, Number(week[1]));
    const weekNumber = Number(week[2]);
    const weeksInYear = DateTime.fromObject(
      { weekYear: year, weekNumber: 1, weekday: 1 },
      { zone },
    ).weeksInWeekYear;
    if (weekNumber < 1 || weekNumber > weeksInYear) {
      throw new InvalidPeriodError(
        `invalid period "${id}": ISO week-year ${year} has weeks W01 to W${pad2(weeksInYear)}; ` +
          `valid ids look like ${VALID_EXAMPLES}`,
      );
    }
    return fromStart('week', DateTime.fromObject({ weekYear: year, weekNumber, weekday: 1 }, { zone }));
  }
  const month = MONTH_ID.exec(id);
  if (month) {
    const year = checkYear(id, Number(month[1]));
    const monthNumber = Number(month[2]);
    if (monthNumber < 1 || monthNumber > 12) {
      throw new InvalidPeriodError(
        `invalid period "${id}": the month must be 01 to 12; valid ids look like ${VALID_EXAMPLES}`,
      );
    }
    return fromStart('month', DateTime.fromObject({ year, month: monthNumber, day: 1 }, { zone }));
  }
  const quarter = QUARTER_ID.exec(id);
  if (quarter) {
    const year = checkYear(id, Number(quarter[1]));
    const q = Number(quarter[2]);
    if (q < 1 || q > 4) {
      throw new InvalidPeriodError(
        `invalid period "${id}": the quarter must be Q1 to Q4; valid ids look like ${VALID_EXAMPLES}`,
      );
    }
    return fromStart('quarter', DateTime.fromObject({ year, month: (q - 1) * 3 + 1, day: 1 }, { zone }));
  }
  throw new InvalidPeriodError(`invalid period "${id}": expected ${VALID_EXAMPLES}`);
}

/**
 * A custom period from the calendar date `from` to the calendar date `to`, both `YYYY-MM-DD` and
 * both included as whole days: it starts at local midnight of `from` in `timeZone` and ends
 * (exclusive) at local midnight of the day after `to`. Its id is `from..to`, which
 * `parsePeriodId` reads back. At most MAX_RANGE_DAYS (366) days; `from` equal to `to` is one day.
 *
 * @example
 * parseRange('2026-11-01', '2026-11-15');
 * // { id: '2026-11-01..2026-11-15', kind: 'custom', start: '2026-11-01T00:00:00Z', end: '2026-11-16T00:00:00Z' }
 * parseRange('2026-10-20', '2026-10-30', 'Europe/Berlin');
 * // start '2026-10-19T22:00:00Z' (CEST), end '2026-10-30T23:00:00Z' (CET): 265 hours
 * parseRange('2026-11-15', '2026-11-01'); // throws InvalidPeriodError (to is before from)
 */
export function parseRange(from: string, to: string, timeZone: string = DEFAULT_TIME_ZONE): Period {
  const zone = checkTimeZone(timeZone);
  const first = checkCalendarDate(from, 'start (from)');
  const last = checkCalendarDate(to, 'end (to)');
  const id = `${from}${RANGE_SEPARATOR}${to}`;
  const days = daysBetween(first, last) + 1;
  if (days < 1) {
    throw new InvalidPeriodError(
      `invalid range "${id}": the last day (to) ${to} is before the first day (from) ${from}; ` +
        `swap them: from ${to} to ${from}`,
    );
  }
  if (days > MAX_RANGE_DAYS) {
    throw new InvalidPeriodError(
      `invalid range "${id}": ${days} days long, at most ${MAX_RANGE_DAYS} are allowed; ` +
        'split it into shorter ranges, or use a quarter like 2026-Q4',
    );
  }
  return rangePeriod(first, days, zone);
}

/**
 * The last ISO week that ended at or before `now` (the default period of a report).
 *
 * @example
 * lastCompleteWeek('2026-11-25T10:00:00Z').id; // '2026-W47'
 * lastCompleteWeek('2026-11-23T00:00:00Z').id; // '2026-W47' (W47 ends exactly then)
 */
export function lastCompleteWeek(now: Date | string, timeZone: string = DEFAULT_TIME_ZONE): Period {
  const zone = checkTimeZone(timeZone);
  const instant = typeof now === 'string' ? parseInstant(now) : checkDate(now);
  // startOf('week') is the ISO Monday of the week holding `now`; the week before it has ended.
  const currentWeekStart = DateTime.fromJSDate(instant, { zone }).startOf('week');
  return fromStart('week', currentWeekStart.minus({ weeks: 1 }));
}

/**
 * The period of the same kind just before `p`. For a custom range: the same number of calendar
 * days, ending the day before its first day.
 *
 * @example
 * previousPeriod(parsePeriodId('2026-W01')).id; // '2025-W52'
 * previousPeriod(parsePeriodId('2026-Q1')).id; // '2025-Q4'
 * previousPeriod(parsePeriodId('2026-11-01..2026-11-15')).id; // '2026-10-17..2026-10-31'
 */
export function previousPeriod(p: Period, timeZone: string = DEFAULT_TIME_ZONE): Period {
  // Re-derive from the id so that a period computed in another zone cannot leak its boundaries.
  const zone = checkTimeZone(timeZone);
  const current = parsePeriodId(p.id, zone);
  if (current.kind === 'custom') {
    const [from, to] = rangeDates(current.id);
    const days = daysBetween(from, to) + 1;
    return rangePeriod(from.minus({ days }), days, zone);
  }
  const start = DateTime.fromJSDate(new Date(current.start), { zone });
  return fromStart(current.kind, start.minus(step(current.kind)));
}

/**
 * The `count` periods ending with `p`, oldest first (the x axis of a trend chart).
 *
 * @example
 * lastPeriods(parsePeriodId('2026-02'), 3).map((x) => x.id); // ['2025-12', '2026-01', '2026-02']
 */
export function lastPeriods(p: Period, count: number, timeZone: string = DEFAULT_TIME_ZONE): Period[] {
  if (!Number.isInteger(count) || count < 0) {
    throw new InvalidPeriodError(`invalid number of periods ${count}: expected a whole number, 0 or more`);
  }
  const zone = checkTimeZone(timeZone);
  const periods: Period[] = [];
  let current = parsePeriodId(p.id, zone);
  for (let i = 0; i < count; i++) {
    periods.push(current);
    current = previousPeriod(current, zone);
  }
  return periods.reverse();
}

// A full date-time with a zone; seconds and fractions optional. Dates alone are refused because
// their zone would be a guess.
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * Parses a full ISO-8601 date-time with `Z` or an offset (the `--now` flag, stored timestamps).
 *
 * @example
 * parseInstant('2026-11-16T01:00:00+01:00').toISOString(); // '2026-11-16T00:00:00.000Z'
 * parseInstant('yesterday'); // throws InvalidInstantError
 */
export function parseInstant(s: string): Date {
  const expected =
    'expected an ISO-8601 date-time with a zone, like 2026-11-16T00:00:00Z or 2026-11-16T01:00:00+01:00';
  if (typeof s !== 'string' || !INSTANT.test(s)) {
    throw new InvalidInstantError(`invalid instant ${JSON.stringify(s)}: ${expected}`);
  }
  const parsed = DateTime.fromISO(s, { setZone: true });
  if (!parsed.isValid) {
    throw new InvalidInstantError(
      `invalid instant "${s}": ${parsed.invalidExplanation ?? 'not a real date or time'}; ${expected}`,
    );
  }
  return parsed.toJSDate();
}

/**
 * Milliseconds since the epoch of a stored timestamp; the one place instants are compared, so that
 * `...00Z` and `...00.000Z` and `+01:00` forms of the same instant compare equal.
 *
 * @example
 * instantMs('2026-11-16T00:00:00Z') === instantMs('2026-11-16T01:00:00.000+01:00'); // true
 */
export function instantMs(s: string | Date): number {
  if (typeof s !== 'string') return checkDate(s).getTime();
  // GitHub's own form is read digit by digit, faster than a cache lookup (a report of 100,000
  // alerts reads more distinct instants than the cache below holds).
  const quick = digitsUtcMs(s);
  if (quick !== undefined) return quick;
  // Reports compare the same few thousand timestamps many times (every trend period): parsing
  // through luxon each time would dominate, so remember recent results (bounded).
  const known = parsedInstants.get(s);
  if (known !== undefined) return known;
  const ms = fastUtcMs(s) ?? parseInstant(s).getTime();
  if (parsedInstants.size >= PARSED_INSTANTS_MAX) parsedInstants.clear();
  parsedInstants.set(s, ms);
  return ms;
}

const PARSED_INSTANTS_MAX = 100_000;
const UTC_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/**
 * The common case (GitHub's own `...Z` form) without luxon. Date.parse alone would roll
 * 2026-02-30 over to March, so the result must print back to the same date and time.
 */
function fastUtcMs(s: string): number | undefined {
  if (!UTC_SECONDS.test(s)) return undefined;
  const ms = Date.parse(s);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 19) === s.slice(0, 19) ? ms : undefined;
}
const parsedInstants = new Map<string, number>();

/**
 * The commonest form, read digit by digit (a report parses a few hundred thousand of them):
 * `YYYY-MM-DDTHH:MM:SS[.f{1,3}]Z`, years 1000 on, every field in range (the day in its month).
 * Anything else (another form, an out-of-range field) goes the longer way, which decides.
 */
function digitsUtcMs(s: string): number | undefined {
  const n = s.length;
  if (n !== 20 && (n < 22 || n > 24)) return undefined;
  if (
    s.charCodeAt(n - 1) !== 90 || // Z
    s.charCodeAt(4) !== 45 || // -
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(10) !== 84 || // T
    s.charCodeAt(13) !== 58 || // :
    s.charCodeAt(16) !== 58
  ) {
    return undefined;
  }
  const year = digitsAt(s, 0, 4);
  const month = digitsAt(s, 5, 2);
  const day = digitsAt(s, 8, 2);
  const hour = digitsAt(s, 11, 2);
  const minute = digitsAt(s, 14, 2);
  const second = digitsAt(s, 17, 2);
  let ms = 0;
  if (n > 20) {
    if (s.charCodeAt(19) !== 46) return undefined; // .
    const fraction = digitsAt(s, 20, n - 21);
    if (fraction < 0) return undefined;
    ms = fraction * 10 ** (24 - n);
  }
  if (
    year < 1000 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 59
  ) {
    return undefined;
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

/** The number written by `length` ASCII digits from `from`, or -1 if any is not a digit. */
function digitsAt(s: string, from: number, length: number): number {
  let value = 0;
  for (let i = from; i < from + length; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    value = value * 10 + c;
  }
  return value;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Formats an instant as ISO-8601 UTC with `Z`, with milliseconds only when there are any, the
 * form GitHub uses.
 *
 * @example
 * formatInstant(new Date('2026-11-16T00:00:00.000Z')); // '2026-11-16T00:00:00Z'
 * formatInstant(Date.UTC(2026, 10, 16, 0, 0, 0, 5)); // '2026-11-16T00:00:00.005Z'
 */
export function formatInstant(instant: Date | number): string {
  const iso = new Date(instant).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

function fromStart(kind: CalendarKind, start: DateTime): Period {
  const end = start.plus(step(kind));
  return { id: periodIdOf(kind, start), kind, start: formatDateTime(start), end: formatDateTime(end) };
}

function periodIdOf(kind: CalendarKind, start: DateTime): string {
  switch (kind) {
    case 'week':
      return `${start.weekYear}-W${pad2(start.weekNumber)}`;
    case 'month':
      return `${start.year}-${pad2(start.month)}`;
    case 'quarter':
      return `${start.year}-Q${start.quarter}`;
  }
}

function step(kind: CalendarKind): { weeks: number } | { months: number } {
  // Calendar arithmetic in the zone: a week across a DST change is 167 or 169 hours long.
  switch (kind) {
    case 'week':
      return { weeks: 1 };
    case 'month':
      return { months: 1 };
    case 'quarter':
      return { months: 3 };
  }
}

/**
 * `days` calendar days from the date `first` (a UTC-zoned date, see checkCalendarDate), as local
 * midnights in `zone`. Plus days, not 24-hour steps: a day across a DST change is 23 or 25 hours.
 */
function rangePeriod(first: DateTime, days: number, zone: string): Period {
  const last = first.plus({ days: days - 1 });
  const start = DateTime.fromObject({ year: first.year, month: first.month, day: first.day }, { zone });
  const end = start.plus({ days });
  return {
    id: `${first.toISODate()}${RANGE_SEPARATOR}${last.toISODate()}`,
    kind: 'custom',
    start: formatDateTime(start),
    end: formatDateTime(end),
  };
}

/** The first and last days of a custom range id already parsed by parseRange. */
function rangeDates(id: string): [DateTime, DateTime] {
  const [from = '', to = ''] = id.split(RANGE_SEPARATOR);
  return [checkCalendarDate(from, 'start (from)'), checkCalendarDate(to, 'end (to)')];
}

/** Whole calendar days from `a` to `b` (both UTC-zoned dates); negative when b is before a. */
function daysBetween(a: DateTime, b: DateTime): number {
  return Math.round((b.toMillis() - a.toMillis()) / MS_PER_DAY);
}

/**
 * A `YYYY-MM-DD` calendar date as a UTC-zoned DateTime (pure calendar arithmetic, no DST), or an
 * InvalidPeriodError naming which end of the range is wrong and why.
 */
function checkCalendarDate(date: string, which: string): DateTime {
  const match = typeof date === 'string' ? CALENDAR_DATE.exec(date) : null;
  if (!match) {
    throw new InvalidPeriodError(
      `invalid range ${which} ${JSON.stringify(date)}: expected a calendar date YYYY-MM-DD, like 2026-11-01`,
    );
  }
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (year < MIN_YEAR || year > MAX_YEAR) {
    throw new InvalidPeriodError(
      `invalid range ${which} "${date}": the year must be ${MIN_YEAR} to ${MAX_YEAR}`,
    );
  }
  if (month < 1 || month > 12) {
    throw new InvalidPeriodError(
      `invalid range ${which} "${date}": there is no month ${match[2]}; the month must be 01 to 12`,
    );
  }
  const firstOfMonth = DateTime.fromObject({ year, month, day: 1 }, { zone: 'utc' });
  const daysInMonth = firstOfMonth.daysInMonth ?? 31;
  if (day < 1 || day > daysInMonth) {
    throw new InvalidPeriodError(
      `invalid range ${which} "${date}": ${match[1]}-${match[2]} has days 01 to ${daysInMonth}; ` +
        'give a date that exists',
    );
  }
  return firstOfMonth.set({ day });
}

function formatDateTime(dt: DateTime): string {
  return formatInstant(dt.toMillis());
}

function checkTimeZone(timeZone: string): string {
  if (typeof timeZone !== 'string' || !IANAZone.isValidZone(timeZone)) {
    throw new InvalidPeriodError(
      `unknown time zone ${JSON.stringify(timeZone)}: expected an IANA zone name like UTC, Europe/Berlin or America/New_York`,
    );
  }
  return timeZone;
}

function checkYear(id: string, year: number): number {
  if (year < MIN_YEAR || year > MAX_YEAR) {
    throw new InvalidPeriodError(
      `invalid period "${id}": the year must be ${MIN_YEAR} to ${MAX_YEAR}; valid ids look like ${VALID_EXAMPLES}`,
    );
  }
  return year;
}

function checkDate(d: Date): Date {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) {
    throw new InvalidInstantError(`invalid instant: ${String(d)} is not a valid Date`);
  }
  return d;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
