/**
 * Reporting periods (ISO weeks, months, quarters) and instants.
 *
 * A period is computed in a configured IANA time zone (its boundaries are local midnights) but
 * carried as UTC instants, so that everything downstream compares plain instants and never needs
 * the zone again. Ends are exclusive: an event at exactly `end` belongs to the next period.
 */
import { DateTime, IANAZone } from 'luxon';
import { InvalidInstantError, InvalidPeriodError } from './errors.ts';

export type PeriodKind = 'week' | 'month' | 'quarter';

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

const VALID_EXAMPLES = '2026-W47 (ISO week), 2026-11 (month) or 2026-Q4 (quarter)';

const WEEK_ID = /^(\d{4})-W(\d{2})$/;
const MONTH_ID = /^(\d{4})-(\d{2})$/;
const QUARTER_ID = /^(\d{4})-Q(\d)$/;

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
 */
export function parsePeriodId(id: string, timeZone: string = DEFAULT_TIME_ZONE): Period {
  const zone = checkTimeZone(timeZone);
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
 * The period of the same kind just before `p`.
 *
 * @example
 * previousPeriod(parsePeriodId('2026-W01')).id; // '2025-W52'
 * previousPeriod(parsePeriodId('2026-Q1')).id; // '2025-Q4'
 */
export function previousPeriod(p: Period, timeZone: string = DEFAULT_TIME_ZONE): Period {
  // Re-derive from the id so that a period computed in another zone cannot leak its boundaries.
  const zone = checkTimeZone(timeZone);
  const start = DateTime.fromJSDate(new Date(parsePeriodId(p.id, zone).start), { zone });
  return fromStart(p.kind, start.minus(step(p.kind)));
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

function fromStart(kind: PeriodKind, start: DateTime): Period {
  const end = start.plus(step(kind));
  return { id: periodIdOf(kind, start), kind, start: formatDateTime(start), end: formatDateTime(end) };
}

function periodIdOf(kind: PeriodKind, start: DateTime): string {
  switch (kind) {
    case 'week':
      return `${start.weekYear}-W${pad2(start.weekNumber)}`;
    case 'month':
      return `${start.year}-${pad2(start.month)}`;
    case 'quarter':
      return `${start.year}-Q${start.quarter}`;
  }
}

function step(kind: PeriodKind): { weeks: number } | { months: number } {
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
