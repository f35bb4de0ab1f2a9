/**
 * How figures and instants are written in reports and emails. One place, so the PDF, the HTML
 * and the email never disagree on rounding.
 *
 * Instants are shown in UTC with the zone named: report.json holds UTC instants and an auditor
 * must not have to guess the zone.
 */
import type { AlertState, AlertType, Severity } from '../core/model.ts';

const HUMAN_DATE = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
});
const NUMBER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export const DASH = '—';

function toDate(iso: string): Date | null {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

// Tables use ISO 8601 dates: unambiguous for readers in any country, and they sort.

/** "2026-11-09" */
export function formatDate(iso: string | null | undefined): string {
  const d = iso ? toDate(iso) : null;
  return d ? d.toISOString().slice(0, 10) : DASH;
}

/** "08:14 UTC" */
export function formatTime(iso: string | null | undefined): string {
  const d = iso ? toDate(iso) : null;
  return d ? `${d.toISOString().slice(11, 16)} UTC` : DASH;
}

/** "2026-11-09 08:14 UTC" */
export function formatDateTime(iso: string | null | undefined): string {
  const d = iso ? toDate(iso) : null;
  return d ? `${formatDate(iso)} ${formatTime(iso)}` : DASH;
}

/** "Mon 9 Nov 2026": for the cover and the email, where people read rather than compare. */
export function formatDayWithWeekday(iso: string): string {
  const d = toDate(iso);
  return d ? HUMAN_DATE.format(d).replace(',', '') : DASH;
}

/** "1,234"; null → "—" */
export function formatNumber(n: number | null | undefined): string {
  return typeof n === 'number' && Number.isFinite(n) ? NUMBER.format(n) : DASH;
}

/** A ratio as a percentage: 1.4286 → "143%"; null → "—" */
export function formatPct(rate: number | null | undefined): string {
  return typeof rate === 'number' && Number.isFinite(rate) ? `${Math.round(rate * 100)}%` : DASH;
}

const PERCENT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/** A figure already in percent: 42.9 → "42.9%", 250 → "250%", 1250 → "1,250%"; null → "—" */
export function formatPercent(pct: number | null | undefined): string {
  return typeof pct === 'number' && Number.isFinite(pct) ? `${PERCENT.format(pct)}%` : DASH;
}

/** 21.66 → "21.7"; null → "—" */
export function formatDays(days: number | null | undefined): string {
  return typeof days === 'number' && Number.isFinite(days) ? days.toFixed(1) : DASH;
}

/** "1 alert", "3 alerts" */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatNumber(n)} ${n === 1 ? one : many}`;
}

export const ALERT_TYPE_LABELS: Readonly<Record<AlertType, string>> = {
  dependabot: 'Dependabot',
  secret_scanning: 'Secret scanning',
  code_scanning: 'Code scanning',
};

export const SEVERITY_LABELS: Readonly<Record<Severity, string>> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
};

export const STATE_LABELS: Readonly<Record<AlertState, string>> = {
  open: 'Open',
  fixed: 'Fixed',
  dismissed: 'Dismissed',
};

/** GitHub's reason codes, as a reader would say them; unknown codes are shown as given. */
export function formatReason(reason: string | null | undefined): string {
  if (!reason) return DASH;
  return reason.replace(/_/g, ' ');
}

/**
 * Only http(s) links are emitted: escaping stops markup injection but not a `javascript:` URL,
 * and report.html is opened in ordinary browsers.
 */
export function safeUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
  } catch {
    return null;
  }
}

// Period ids as a reader says them: chart axes, the trend table, "vs W45".

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const WEEK_ID = /^(\d{4})-W(\d{2})$/;
const MONTH_ID = /^(\d{4})-(\d{2})$/;
const QUARTER_ID = /^(\d{4})-Q([1-4])$/;
const RANGE_ID = /^(\d{4})-(\d{2})-(\d{2})\.\.(\d{4})-(\d{2})-(\d{2})$/;

function monthName(mm: string): string | undefined {
  return MONTHS[Number(mm) - 1];
}

/**
 * Short x-axis labels for period ids, in order: "2026-W46" → "W46", "2026-11" → "Nov" (the year
 * under the first label and under each January), "2026-Q4" → "Q4" over "2026",
 * "2026-11-01..2026-11-15" → "1–15 Nov", "2026-10-25..2026-11-07" → "25 Oct–" over "7 Nov".
 * A "\n" separates the lines. Anything else stays as it is, and if two labels come out equal
 * (ranges longer than a year apart, say) the full ids are used instead, ranges on two lines.
 */
export function periodLabels(ids: readonly string[]): string[] {
  const labels = ids.map((id, i) => {
    const week = WEEK_ID.exec(id);
    if (week) return `W${week[2]}`;
    const month = MONTH_ID.exec(id);
    const monthShort = month ? monthName(month[2] as string) : undefined;
    if (month && monthShort) {
      return i === 0 || month[2] === '01' ? `${monthShort}\n${month[1]}` : monthShort;
    }
    const quarter = QUARTER_ID.exec(id);
    if (quarter) return `Q${quarter[2]}\n${quarter[1]}`;
    const range = RANGE_ID.exec(id);
    if (range) {
      const [, y1, m1, d1, y2, m2, d2] = range as unknown as string[];
      const from = monthName(m1 as string);
      const to = monthName(m2 as string);
      if (from && to) {
        const day1 = Number(d1);
        const day2 = Number(d2);
        if (y1 === y2 && m1 === m2) return day1 === day2 ? `${day1} ${from}` : `${day1}–${day2} ${from}`;
        return `${day1} ${from}–\n${day2} ${to}`;
      }
    }
    return id;
  });
  if (new Set(labels).size === labels.length) return labels;
  return ids.map((id) => id.replace('..', '–\n'));
}

/**
 * One period id on one line, as short as it stays clear: "2026-W45" → "W45", "2026-10" →
 * "Oct 2026", "2026-Q3" → "Q3 2026", "2026-10-01..2026-10-15" → "1–15 Oct".
 */
export function shortPeriodLabel(id: string): string {
  return (periodLabels([id])[0] ?? id).replace('–\n', '–').replace(/\n/g, ' ');
}

/** "week", "month", "quarter" when every id is one, otherwise "period". */
export function periodNoun(ids: readonly string[]): string {
  if (ids.length > 0 && ids.every((id) => WEEK_ID.test(id))) return 'week';
  if (ids.length > 0 && ids.every((id) => MONTH_ID.test(id))) return 'month';
  if (ids.length > 0 && ids.every((id) => QUARTER_ID.test(id))) return 'quarter';
  return 'period';
}
