/**
 * report.json → what the templates show. All choices (order, wording, which rows go where) are
 * made here, in typed code; the templates only lay the result out.
 */
import {
  ALERT_TYPES,
  type AlertState,
  type AlertType,
  type NotableEvent,
  type NotableKind,
  SEVERITIES,
  type Severity,
} from '../core/model.ts';
import type { Counts, ReportJson, ReportTransition } from '../core/report-model.ts';
import {
  ALERT_TYPE_LABELS,
  formatDays,
  formatDayWithWeekday,
  formatNumber,
  formatPct,
  plural,
  SEVERITY_LABELS,
  safeUrl,
} from './format.ts';

export interface ReportViewOptions {
  /** SHA-256 of the previous issued report of this org, shown on the cover (hash chain). */
  previousReportHash?: string | null;
  reportId?: string;
  /**
   * Which repositories the report covers, for its title and cover: "team checkout (3
   * repositories)", "organisation-wide (every repository)". Absent: not said.
   */
  scopeLabel?: string | null;
}

export interface AlertRefView {
  alertType: AlertType;
  typeLabel: string;
  repository: string;
  number: number;
  title: string;
  url: string | null;
  severity: Severity;
  severityLabel: string;
}

export interface TransitionView {
  alert: AlertRefView;
  at: string;
  from: AlertState | null;
  to: AlertState;
  actor: string | null;
  reason: string | null;
  comment: string | null;
  source: string;
  /** A dismissal without a comment: auditors ask about these. */
  missingComment: boolean;
}

export interface NotableEventView {
  kind: NotableKind;
  /** "Push protection bypassed", "Critical alert created", ... */
  label: string;
  at: string;
  alert: AlertRefView;
  actor: string | null;
}

/** What each kind of notable event is called in a table row. */
export const NOTABLE_KIND_LABELS: Readonly<Record<NotableKind, string>> = {
  push_protection_bypass: 'Push protection bypassed',
  critical_created: 'Critical alert created',
  reopened: 'Reopened',
  publicly_leaked: 'Secret publicly leaked',
};

/**
 * The kinds in the order the summary names them, most urgent first, with how a count of each is
 * said ("1 secret publicly leaked", "2 alerts reopened").
 */
const NOTABLE_KIND_COUNTS: readonly { kind: NotableKind; one: string; many: string }[] = [
  { kind: 'publicly_leaked', one: 'secret publicly leaked', many: 'secrets publicly leaked' },
  { kind: 'push_protection_bypass', one: 'push-protection bypass', many: 'push-protection bypasses' },
  { kind: 'critical_created', one: 'critical alert created', many: 'critical alerts created' },
  { kind: 'reopened', one: 'alert reopened', many: 'alerts reopened' },
];

export interface SummaryRowView {
  label: string;
  isTotal: boolean;
  counts: Counts;
  closed: number;
}

export interface KeyFigureView {
  label: string;
  value: string;
  note: string;
  /** Draws attention (e.g. breaches > 0) without relying on colour alone. */
  alert: boolean;
}

export interface ReportView {
  documentTitle: string;
  org: string;
  /** See ReportViewOptions.scopeLabel; null when not given. */
  scopeLabel: string | null;
  schemaVersion: number;
  period: { id: string; start: string; end: string; startDay: string; lastDay: string };
  generatedAt: string;
  complete: boolean;
  incompleteReasons: string[];
  /** Streams GitHub would not list: what the figures cannot include. */
  coverageGaps: { label: string; message: string }[];
  reportId: string | null;
  previousReportHash: string | null;
  slaPolicy: { rows: { label: string; days: number }[]; secretScanningDays: number };
  keyFigures: KeyFigureView[];
  summaryRows: SummaryRowView[];
  /** The executive summary in plain language. */
  paragraphs: string[];
  /** Bypasses, critical alerts created, reopens and public leaks of the period, oldest first. */
  notableEvents: NotableEventView[];
  contents: { anchor: string; title: string; count: number | null; unit: string }[];
  noLongerReported: number;
  trend: ReportJson['trend'];
  slaBreaches: (ReportJson['slaBreaches'][number] & { alert: AlertRefView })[];
  resolutions: TransitionView[];
  dismissalsWithoutComment: number;
  reopened: TransitionView[];
  bypasses: (ReportJson['pushProtectionBypasses'][number] & { url: string | null })[];
  transitions: TransitionView[];
}

export function buildReportView(report: ReportJson, options: ReportViewOptions = {}): ReportView {
  const transitions = [...report.transitions].sort(compareTransitions).map(toTransitionView);
  const resolutions = transitions.filter((t) => t.to === 'fixed' || t.to === 'dismissed');
  const reopened = transitions.filter((t) => t.to === 'open' && t.from !== null && t.from !== 'open');
  const dismissalsWithoutComment = resolutions.filter((t) => t.missingComment).length;
  const slaBreaches = [...report.slaBreaches]
    .sort((a, b) => b.daysOverdue - a.daysOverdue || severityRank(a.severity) - severityRank(b.severity))
    .map((b) => ({ ...b, alert: alertRef(b) }));
  const bypasses = [...report.pushProtectionBypasses]
    .sort((a, b) => a.at.localeCompare(b.at))
    .map((b) => ({ ...b, url: safeUrl(b.htmlUrl) }));
  const notableEvents = [...report.notableEvents].sort(compareNotable).map(toNotableView);
  const total = report.summary.total;
  const closed = total.fixed + total.dismissed;
  // The period's last day: end is exclusive, so the day before it is the last one covered.
  const lastDay = new Date(new Date(report.period.end).getTime() - 1).toISOString();

  const scopeLabel = options.scopeLabel ?? null;
  return {
    documentTitle: `${report.org}${scopeLabel ? ` ${scopeLabel}` : ''} security alert report ${report.period.id}`,
    org: report.org,
    scopeLabel,
    schemaVersion: report.schemaVersion,
    period: {
      ...report.period,
      startDay: formatDayWithWeekday(report.period.start),
      lastDay: formatDayWithWeekday(lastDay),
    },
    generatedAt: report.generatedAt,
    complete: report.complete,
    incompleteReasons: report.incompleteReasons,
    coverageGaps: report.coverageGaps.map((g) => ({
      label: ALERT_TYPE_LABELS[g.stream as keyof typeof ALERT_TYPE_LABELS] ?? 'Audit log',
      message: g.message,
    })),
    reportId: options.reportId ?? null,
    previousReportHash: options.previousReportHash ?? null,
    slaPolicy: {
      rows: SEVERITIES.map((s) => ({ label: SEVERITY_LABELS[s], days: report.slaPolicy.days[s] })),
      secretScanningDays: report.slaPolicy.secretScanningDays,
    },
    keyFigures: [
      {
        label: 'Open at period end',
        value: formatNumber(total.openAtEnd),
        note: `${formatNumber(total.openAtStart)} at start`,
        alert: false,
      },
      {
        label: 'Opened',
        value: formatNumber(total.opened),
        note: `${formatNumber(total.reopened)} reopened`,
        alert: false,
      },
      {
        label: 'Closed',
        value: formatNumber(closed),
        note: `${formatNumber(total.fixed)} fixed, ${formatNumber(total.dismissed)} dismissed`,
        alert: false,
      },
      {
        label: 'Past SLA',
        value: formatNumber(report.slaBreaches.length),
        note:
          report.slaBreaches.length > 0 ? `oldest ${plural(maxOverdue(report), 'day')} over` : 'none overdue',
        alert: report.slaBreaches.length > 0,
      },
      {
        label: 'Push-protection bypasses',
        value: formatNumber(report.pushProtectionBypasses.length),
        note: `${formatNumber(report.pushProtectionBypasses.filter((b) => !b.resolved).length)} unresolved`,
        alert: report.pushProtectionBypasses.length > 0,
      },
    ],
    summaryRows: [
      ...ALERT_TYPES.map((t) => summaryRow(ALERT_TYPE_LABELS[t], report.summary[t], false)),
      summaryRow('All alerts', total, true),
    ],
    paragraphs: summaryParagraphs(report, dismissalsWithoutComment, resolutions),
    notableEvents,
    contents: [
      { anchor: 'summary', title: 'Executive summary', count: null },
      { anchor: 'notable-events', title: 'Notable events', count: notableEvents.length },
      { anchor: 'trend', title: 'Trend', count: report.trend.length, unit: 'periods' },
      { anchor: 'sla-breaches', title: 'Remediation deadline breaches', count: slaBreaches.length },
      { anchor: 'resolutions', title: 'Dismissals and resolutions', count: resolutions.length },
      { anchor: 'reopened', title: 'Reopened alerts', count: reopened.length },
      { anchor: 'push-protection-bypasses', title: 'Push-protection bypasses', count: bypasses.length },
      { anchor: 'appendix', title: 'Appendix: every recorded transition', count: transitions.length },
    ].map((c) => ({ unit: '', ...c })),
    noLongerReported: report.noLongerReported,
    trend: report.trend,
    slaBreaches,
    resolutions,
    dismissalsWithoutComment,
    reopened,
    bypasses,
    transitions,
  };
}

function summaryRow(label: string, counts: Counts, isTotal: boolean): SummaryRowView {
  return { label, isTotal, counts, closed: counts.fixed + counts.dismissed };
}

/**
 * The summary in words, as paragraphs: what moved, then what needs attention, then caveats.
 * Built here rather than in a template because plurals and comparisons need code.
 */
function summaryParagraphs(
  report: ReportJson,
  dismissalsWithoutComment: number,
  resolutions: TransitionView[],
): string[] {
  const t = report.summary.total;
  const closed = t.fixed + t.dismissed;
  const paragraphs: string[] = [];
  if (!report.complete) {
    paragraphs.push(
      'This report is incomplete: at least one snapshot it depends on did not finish, so some changes may be missing. No alert is reported fixed on the strength of an incomplete snapshot.',
    );
  }

  const activity: string[] = [];
  activity.push(
    `During ${report.period.id}, ${plural(t.opened, 'new alert was', 'new alerts were')} opened and ${plural(closed, 'alert was', 'alerts were')} closed (${formatNumber(t.fixed)} fixed, ${formatNumber(t.dismissed)} dismissed); ${plural(t.reopened, 'closed alert was', 'closed alerts were')} reopened.`,
  );
  const delta = t.openAtEnd - t.openAtStart;
  const movement =
    delta === 0 ? 'unchanged' : delta < 0 ? `down ${formatNumber(-delta)}` : `up ${formatNumber(delta)}`;
  activity.push(
    `Open alerts went from ${formatNumber(t.openAtStart)} to ${formatNumber(t.openAtEnd)} (${movement}).`,
  );
  if (t.netResolveRate !== null) {
    const comparison =
      t.netResolveRate > 1
        ? 'more alerts than were'
        : t.netResolveRate < 1
          ? 'fewer alerts than were'
          : 'as many alerts as were';
    activity.push(
      `The organisation closed ${comparison} opened, a net resolve rate of ${formatPct(t.netResolveRate)}.`,
    );
  }
  activity.push(
    t.mttrDays === null
      ? 'No alert was remediated, so there is no mean time to remediate.'
      : `Mean time to remediate was ${formatDays(t.mttrDays)} days.`,
  );
  paragraphs.push(activity.join(' '));

  const attention: string[] = [notableSentence(report.notableEvents)];
  attention.push(
    report.slaBreaches.length === 0
      ? 'No open alert is past its remediation deadline.'
      : `${plural(report.slaBreaches.length, 'open alert is', 'open alerts are')} past the remediation deadline, the oldest by ${plural(maxOverdue(report), 'day')}.`,
  );
  const bypasses = report.pushProtectionBypasses.length;
  attention.push(
    bypasses === 0
      ? 'Nobody bypassed secret scanning push protection.'
      : `Secret scanning push protection was bypassed ${bypasses === 1 ? 'once' : `${formatNumber(bypasses)} times`}.`,
  );
  const dismissals = resolutions.filter((r) => r.to === 'dismissed').length;
  if (dismissalsWithoutComment > 0) {
    attention.push(
      `${formatNumber(dismissalsWithoutComment)} of ${plural(dismissals, 'dismissal')} ${dismissalsWithoutComment === 1 ? 'carries' : 'carry'} no comment explaining why.`,
    );
  }
  paragraphs.push(attention.join(' '));

  if (report.noLongerReported > 0) {
    paragraphs.push(
      `${plural(report.noLongerReported, 'alert', 'alerts')} stopped being reported by GitHub during the period (repository deleted or archived, or the feature turned off) and ${report.noLongerReported === 1 ? 'is' : 'are'} counted apart from the figures below.`,
    );
  }
  return paragraphs;
}

/**
 * The notable events in one sentence, most urgent kind first.
 *
 * @example
 * notableSentence(events); // "3 notable events need a look: 1 secret publicly leaked and 2 alerts reopened."
 */
function notableSentence(events: readonly NotableEvent[]): string {
  if (events.length === 0) {
    return 'No notable event: no push-protection bypass, no critical alert created, no alert reopened and no secret publicly leaked.';
  }
  const parts = NOTABLE_KIND_COUNTS.map(({ kind, one, many }) => ({
    n: events.filter((e) => e.kind === kind).length,
    one,
    many,
  }))
    .filter((p) => p.n > 0)
    .map((p) => plural(p.n, p.one, p.many));
  const list = parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
  return `${plural(events.length, 'notable event needs', 'notable events need')} a look: ${list}.`;
}

function maxOverdue(report: ReportJson): number {
  return report.slaBreaches.reduce((m, b) => Math.max(m, b.daysOverdue), 0);
}

function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

function compareTransitions(a: ReportTransition, b: ReportTransition): number {
  return (
    a.at.localeCompare(b.at) ||
    a.alertType.localeCompare(b.alertType) ||
    a.repository.localeCompare(b.repository) ||
    a.number - b.number
  );
}

// report.json lists them oldest first already; sorting again keeps the PDF right whatever wrote
// the file. By instant, not by string: "…58Z" and "…58.000Z" are the same time.
function compareNotable(a: NotableEvent, b: NotableEvent): number {
  return (
    Date.parse(a.at) - Date.parse(b.at) ||
    a.kind.localeCompare(b.kind) ||
    a.repository.localeCompare(b.repository) ||
    a.number - b.number
  );
}

function toNotableView(n: NotableEvent): NotableEventView {
  return { kind: n.kind, label: NOTABLE_KIND_LABELS[n.kind], at: n.at, alert: alertRef(n), actor: n.actor };
}

function alertRef(a: {
  alertType: AlertType;
  repository: string;
  number: number;
  title: string;
  htmlUrl: string;
  severity: Severity;
}): AlertRefView {
  return {
    alertType: a.alertType,
    typeLabel: ALERT_TYPE_LABELS[a.alertType],
    repository: a.repository,
    number: a.number,
    title: a.title,
    url: safeUrl(a.htmlUrl),
    severity: a.severity,
    severityLabel: SEVERITY_LABELS[a.severity],
  };
}

function toTransitionView(t: ReportTransition): TransitionView {
  return {
    alert: alertRef(t),
    at: t.at,
    from: t.from,
    to: t.to,
    actor: t.actor,
    reason: t.reason,
    comment: t.comment,
    source: t.source.replace(/_/g, ' '),
    missingComment: t.to === 'dismissed' && (t.comment === null || t.comment.trim() === ''),
  };
}
