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
