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
import type {
  Counts,
  CoverageGap,
  ReportJson,
  ReportTransition,
  SummaryScope,
} from '../core/report-model.ts';
import {
  ALERT_TYPE_LABELS,
  DASH,
  formatDays,
  formatDayWithWeekday,
  formatNumber,
  formatPct,
  formatPercent,
  formatReason,
  periodLabels,
  periodNoun,
  plural,
  SEVERITY_LABELS,
  safeUrl,
  shortPeriodLabel,
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
  /**
   * The team a team-scoped report is about (scope `team-<name>`); null or absent for the
   * organisation-wide report. Absent: read from a scope label of the form report-scopes.ts gives
   * team reports, "team NAME (N repositories)".
   */
  team?: string | null;
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

/** A figure against the previous period: "↑ 250%", "↓ 2.4%", "no change", "new" (was 0). */
export interface ChangeView {
  kind: 'up' | 'down' | 'same' | 'new' | 'none';
  /** Empty without a previous period; "—" when one side has no value (an MTTR of nothing). */
  text: string;
}

/** The figures of a summary row that are compared with the previous period. */
export type ComparedFigure =
  | 'openAtEnd'
  | 'opened'
  | 'reopened'
  | 'fixed'
  | 'dismissed'
  | 'closed'
  | 'mttrDays';

export interface SummaryRowView {
  label: string;
  isTotal: boolean;
  counts: Counts;
  closed: number;
  change: Record<ComparedFigure, ChangeView>;
}

export interface KeyFigureView {
  label: string;
  value: string;
  note: string;
  /** Against the previous period, e.g. "↓ 2.4% vs W45"; null when not compared. */
  change: string | null;
  /** Draws attention (e.g. breaches > 0) without relying on colour alone. */
  alert: boolean;
}

export interface FigureGroupView {
  title: string;
  figures: KeyFigureView[];
}

export interface SeverityRowView {
  label: string;
  severity: Severity;
  slaDays: number;
  counts: Counts;
  closed: number;
}

export interface TopRepositoryView {
  rank: number;
  repository: string;
  open: number;
  bySeverity: Record<Severity, number>;
  /** Share of every open alert: "44%". */
  share: string;
}

export interface TopRuleView {
  rank: number;
  typeLabel: string;
  ruleId: string;
  title: string;
  open: number;
}

export interface TeamRowView {
  team: string;
  repositories: string;
  repositoryCount: number;
  counts: Counts;
  closed: number;
}

/** "Where the open alerts are": the open alerts at the period's end, cut several ways. */
export interface OpenAlertsView {
  total: number;
  bySeverity: SeverityRowView[];
  topRepositories: TopRepositoryView[];
  /** What the top repositories leave out ("2 more repositories hold 3 open alerts"); null if nothing. */
  otherRepositories: string | null;
  topRules: TopRuleView[];
  /** Empty when no team is configured. */
  byTeam: TeamRowView[];
  age: {
    /** "Mean 96.4 days, median 71.0, oldest 402.5." or why there is none. */
    summary: string;
    buckets: { label: string; count: number; share: string }[];
  };
  dismissals: {
    typeLabels: string[];
    rows: { reason: string; byType: number[]; total: number }[];
    total: number;
    /** Reopen events and alerts opened and closed within the period, in words. */
    note: string;
  };
}

export interface SummaryTextView {
  /** Why the figures may miss changes; null when complete. */
  incomplete: string | null;
  /** What moved in the period, against the previous one. */
  activity: string;
  /** One sentence each: notable events, deadlines, SLA compliance, bypasses, comments. */
  attention: string[];
  /** Coverage gaps and alerts no longer reported; null when none. */
  caveats: string | null;
}

export interface ReportView {
  documentTitle: string;
  org: string;
  /** See ReportViewOptions.scopeLabel; null when not given. */
  scopeLabel: string | null;
  /** The team of a team-scoped report; null for the organisation-wide one. */
  team: string | null;
  schemaVersion: number;
  period: { id: string; start: string; end: string; startDay: string; lastDay: string };
  /** The previous period the figures are compared with; null for the first report. */
  comparedWith: { id: string; label: string; startDay: string; lastDay: string } | null;
  generatedAt: string;
  complete: boolean;
  incompleteReasons: string[];
  /** Streams GitHub would not list: what the figures cannot include, and what that means. */
  coverageGaps: { label: string; message: string; effect: string }[];
  reportId: string | null;
  previousReportHash: string | null;
  slaPolicy: { rows: { label: string; days: number }[]; secretScanningDays: number };
  /** The cover's figures (and the email's). */
  keyFigures: KeyFigureView[];
  /** The executive summary's figures: the period against the previous one, then what needs attention. */
  summaryFigureGroups: FigureGroupView[];
  summaryRows: SummaryRowView[];
  /** The executive summary in plain language, in parts (the PDF lists what needs attention). */
  summary: SummaryTextView;
  /** The same, as paragraphs (the email). */
  paragraphs: string[];
  /** Bypasses, critical alerts created, reopens and public leaks of the period, oldest first. */
  notableEvents: NotableEventView[];
  contents: { anchor: string; title: string; count: number | null; unit: string }[];
  noLongerReported: number;
  trend: ReportJson['trend'];
  /** The trend table's header: "Week" and one short label per period ("W46"), lines apart. */
  trendTable: {
    /**
     * The earlier periods shown as the reports issued for them stated them, in words
     * ("2026-W35 to 2026-W45"), or null when this report computed every point itself.
     */
    asIssued: string | null;
    noun: string;
    first: string | null;
    last: string | null;
    columns: { periodId: string; lines: string[] }[];
  };
  slaBreaches: (ReportJson['slaBreaches'][number] & { alert: AlertRefView })[];
  openAlerts: OpenAlertsView;
  resolutions: TransitionView[];
  /** `resolutions` as the PDF tables them: one table, or one per day in a long period. */
  resolutionGroups: RowGroupView[];
  /**
   * True when the long sections print as a ledger (one entry per change) instead of tables:
   * more than LEDGER_ABOVE_ROWS rows in them together.
   */
  ledger: boolean;
  dismissalsWithoutComment: number;
  reopened: TransitionView[];
  bypasses: (ReportJson['pushProtectionBypasses'][number] & { url: string | null })[];
  transitions: TransitionView[];
  /** `transitions` as the appendix tables them: one table, or one per day in a long period. */
  transitionGroups: RowGroupView[];
}

/** Rows of a long table under an optional heading ("Tue 10 Nov 2026, 1,432 changes"). */
export interface RowGroupView {
  heading: string | null;
  rows: TransitionView[];
}

/** Up to this many rows, a long table is one table; beyond it, one table per day (and part). */
export const LONG_TABLE_GROUP_ROWS = 1000;

/**
 * Up to this many rows in the long sections together (dismissals and resolutions, reopened
 * alerts, the appendix), they print as tables; beyond it, as a ledger of one entry per change. Chromium's
 * print costs about 150 kB and 1.5 ms per table row (its cells and inline boxes), 45 kB and 0.5 ms
 * per ledger entry (one paragraph and one link): the ledger keeps a 10,000-change period within
 * 1.5 GB and 15 s. report.csv holds the same rows in columns whatever the form.
 */
export const LEDGER_ABOVE_ROWS = 2000;

/** The scope label report-scopes.ts gives a team's report: "team checkout (3 repositories)". */
const TEAM_SCOPE_LABEL = /^team (.+) \(\d[\d,]* repositor(?:y|ies)\)$/;

/** The team a report is about: given, or read from its scope label; null for the organisation. */
export function reportTeam(options: ReportViewOptions): string | null {
  if (options.team !== undefined) return options.team;
  const match = options.scopeLabel ? TEAM_SCOPE_LABEL.exec(options.scopeLabel) : null;
  return match?.[1] ?? null;
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
  const team = reportTeam(options);
  const previous = report.previousPeriod;
  const vs = previous ? shortPeriodLabel(previous.id) : null;
  const summaryRows = [
    ...ALERT_TYPES.map((t) => summaryRow(report, t, ALERT_TYPE_LABELS[t], false)),
    summaryRow(report, 'total', 'All alerts', true),
  ];
  const totalRow = summaryRows.at(-1) as SummaryRowView;
  const trendIds = report.trend.map((p) => p.periodId);
  const trendLabels = periodLabels(trendIds);
  const openAlerts = openAlertsView(report);
  const coverageGaps = report.coverageGaps.map((g) => coverageGapView(g, report));
  const summary = summaryText(report, team, dismissalsWithoutComment, resolutions, vs);

  const scopeLabel = options.scopeLabel ?? null;
  return {
    documentTitle: `${report.org}${scopeLabel ? ` ${scopeLabel}` : ''} security alert report ${report.period.id}`,
    org: report.org,
    scopeLabel,
    team,
    schemaVersion: report.schemaVersion,
    period: {
      ...report.period,
      startDay: formatDayWithWeekday(report.period.start),
      lastDay: formatDayWithWeekday(lastDayOf(report.period.end)),
    },
    comparedWith: previous
      ? {
          id: previous.id,
          label: vs ?? previous.id,
          startDay: formatDayWithWeekday(previous.start),
          lastDay: formatDayWithWeekday(lastDayOf(previous.end)),
        }
      : null,
    generatedAt: report.generatedAt,
    complete: report.complete,
    incompleteReasons: report.incompleteReasons,
    coverageGaps,
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
        change: null,
        alert: false,
      },
      {
        label: 'Opened',
        value: formatNumber(total.opened),
        note: `${formatNumber(total.reopened)} reopened`,
        change: null,
        alert: false,
      },
      {
        label: 'Closed',
        value: formatNumber(closed),
        note: `${formatNumber(total.fixed)} fixed, ${formatNumber(total.dismissed)} dismissed`,
        change: null,
        alert: false,
      },
      {
        label: 'Past SLA',
        value: formatNumber(report.slaBreaches.length),
        note:
          report.slaBreaches.length > 0 ? `oldest ${plural(maxOverdue(report), 'day')} over` : 'none overdue',
        change: null,
        alert: report.slaBreaches.length > 0,
      },
      {
        label: 'Push-protection bypasses',
        value: formatNumber(report.pushProtectionBypasses.length),
        note: `${formatNumber(report.pushProtectionBypasses.filter((b) => !b.resolved).length)} unresolved`,
        change: null,
        alert: report.pushProtectionBypasses.length > 0,
      },
    ],
    summaryFigureGroups: summaryFigureGroups(report, totalRow, vs),
    summaryRows,
    summary,
    paragraphs: [summary.incomplete, summary.activity, summary.attention.join(' '), summary.caveats].filter(
      (p): p is string => p !== null,
    ),
    notableEvents,
    contents: [
      { anchor: 'summary', title: 'Executive summary', count: null },
      { anchor: 'notable-events', title: 'Notable events', count: notableEvents.length },
      {
        anchor: 'trend',
        title: 'Trend',
        count: report.trend.length,
        // "12 weeks", "1 month"
        unit: `${periodNoun(trendIds)}${report.trend.length === 1 ? '' : 's'}`,
      },
      { anchor: 'sla-breaches', title: 'Remediation deadline breaches', count: slaBreaches.length },
      { anchor: 'open-alerts', title: 'Where the open alerts are', count: total.openAtEnd, unit: 'open' },
      { anchor: 'coverage-gaps', title: 'Coverage gaps', count: coverageGaps.length },
      { anchor: 'resolutions', title: 'Dismissals and resolutions', count: resolutions.length },
      { anchor: 'reopened', title: 'Reopened alerts', count: reopened.length },
      { anchor: 'push-protection-bypasses', title: 'Push-protection bypasses', count: bypasses.length },
      { anchor: 'appendix', title: 'Appendix: every recorded transition', count: transitions.length },
    ].map((c) => ({ unit: '', ...c })),
    noLongerReported: report.noLongerReported,
    trend: report.trend,
    trendTable: {
      asIssued: asIssuedText(report.trend),
      noun: capitalise(periodNoun(trendIds)),
      first: trendIds[0] ?? null,
      last: trendIds.at(-1) ?? null,
      columns: trendIds.map((periodId, i) => ({ periodId, lines: (trendLabels[i] ?? periodId).split('\n') })),
    },
    slaBreaches,
    openAlerts,
    resolutions,
    resolutionGroups: groupRows(resolutions, 'closure', 'closures'),
    ledger: resolutions.length + reopened.length + transitions.length > LEDGER_ABOVE_ROWS,
    dismissalsWithoutComment,
    reopened,
    bypasses,
    transitions,
    transitionGroups: groupRows(transitions, 'change', 'changes'),
  };
}

/**
 * A long table's rows (in time order) as tables of at most LONG_TABLE_GROUP_ROWS: one table when
 * they fit, otherwise one per UTC day, a day with more split in parts. Chromium's print memory
 * and time grow faster than the rows of one table; tables of a day each keep both near linear
 * (each table still repeats its header on every page it spans).
 */
function groupRows(rows: readonly TransitionView[], one: string, many: string): RowGroupView[] {
  if (rows.length <= LONG_TABLE_GROUP_ROWS) return [{ heading: null, rows: [...rows] }];
  const days = new Map<string, TransitionView[]>();
  for (const row of rows) {
    const day = row.at.slice(0, 10);
    const list = days.get(day) ?? [];
    list.push(row);
    days.set(day, list);
  }
  const groups: RowGroupView[] = [];
  for (const [day, list] of days) {
    const parts = Math.ceil(list.length / LONG_TABLE_GROUP_ROWS);
    const label = `${formatDayWithWeekday(`${day}T00:00:00Z`)}, ${plural(list.length, one, many)}`;
    for (let part = 0; part < parts; part++) {
      groups.push({
        heading: parts === 1 ? label : `${label} (part ${part + 1} of ${parts})`,
        rows: list.slice(part * LONG_TABLE_GROUP_ROWS, (part + 1) * LONG_TABLE_GROUP_ROWS),
      });
    }
  }
  return groups;
}

/** "2026-W35 to 2026-W45", "2026-W44 and 2026-W45", "2026-W45, 2026-W42 to 2026-W43". */
function asIssuedText(trend: ReportJson['trend']): string | null {
  const runs: string[][] = [];
  let run: string[] = [];
  for (const p of trend) {
    if (p.issuedIn) run.push(p.periodId);
    else if (run.length > 0) {
      runs.push(run);
      run = [];
    }
  }
  if (run.length > 0) runs.push(run);
  if (runs.length === 0) return null;
  const text = runs.map((r) =>
    r.length === 1 ? (r[0] as string) : r.length === 2 ? `${r[0]} and ${r[1]}` : `${r[0]} to ${r.at(-1)}`,
  );
  return text.join(', ');
}

/** The day before an exclusive end: the last day a period covers. */
function lastDayOf(end: string): string {
  return new Date(new Date(end).getTime() - 1).toISOString();
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function summaryRow(
  report: ReportJson,
  scope: SummaryScope,
  label: string,
  isTotal: boolean,
): SummaryRowView {
  const counts = report.summary[scope];
  const before = report.previousPeriod?.summary[scope];
  const pct = report.change?.[scope];
  const closed = counts.fixed + counts.dismissed;
  const compare = (field: Exclude<ComparedFigure, 'closed'>): ChangeView =>
    changeOf(counts[field], before ? before[field] : undefined, pct?.[field]);
  return {
    label,
    isTotal,
    counts,
    closed,
    change: {
      openAtEnd: compare('openAtEnd'),
      opened: compare('opened'),
      reopened: compare('reopened'),
      fixed: compare('fixed'),
      dismissed: compare('dismissed'),
      closed: changeOf(closed, before ? before.fixed + before.dismissed : undefined, undefined),
      mttrDays: compare('mttrDays'),
    },
  };
}

/**
 * A figure against the same figure of the previous period. `pct` is report.json's `change` (1
 * decimal), used when given so the PDF and the JSON agree; otherwise it is worked out the same
 * way. `previous` undefined: there is no previous period.
 */
export function changeOf(
  current: number | null,
  previous: number | null | undefined,
  pct: number | null | undefined,
): ChangeView {
  if (previous === undefined) return { kind: 'none', text: '' };
  if (current === null || previous === null) return { kind: 'none', text: DASH };
  if (current === previous) return { kind: 'same', text: 'no change' };
  if (previous === 0) return { kind: 'new', text: 'new' };
  const percent =
    typeof pct === 'number' && Number.isFinite(pct)
      ? pct
      : Math.round(((current - previous) / Math.abs(previous)) * 1000) / 10;
  return current > previous
    ? { kind: 'up', text: `↑ ${formatPercent(Math.abs(percent))}` }
    : { kind: 'down', text: `↓ ${formatPercent(Math.abs(percent))}` };
}

/** "↑ 250% vs W45", "new in W46 (none in W45)", "no change vs W45"; null without a previous period. */
function changeNote(change: ChangeView, vs: string | null): string | null {
  if (vs === null || change.kind === 'none') return null;
  if (change.kind === 'new') return `new: none in ${vs}`;
  return `${change.text} vs ${vs}`;
}

function summaryFigureGroups(
  report: ReportJson,
  total: SummaryRowView,
  vs: string | null,
): FigureGroupView[] {
  const t = total.counts;
  const sla = report.slaCompliance;
  const judged = sla.closedWithinSla + sla.closedAfterSla + sla.openPastSla;
  const unresolved = report.pushProtectionBypasses.filter((b) => !b.resolved).length;
  return [
    {
      title: vs ? `The period, compared with ${vs}` : 'The period (no earlier period to compare with)',
      figures: [
        {
          label: 'Open at period end',
          value: formatNumber(t.openAtEnd),
          note: `${formatNumber(t.openAtStart)} at start`,
          change: changeNote(total.change.openAtEnd, vs),
          alert: false,
        },
        {
          label: 'Opened',
          value: formatNumber(t.opened),
          note: `${formatNumber(t.reopened)} reopened`,
          change: changeNote(total.change.opened, vs),
          alert: false,
        },
        {
          label: 'Closed',
          value: formatNumber(total.closed),
          note: `${formatNumber(t.fixed)} fixed, ${formatNumber(t.dismissed)} dismissed`,
          change: changeNote(total.change.closed, vs),
          alert: false,
        },
        {
          label: 'Days to remediate',
          value: formatDays(t.mttrDays),
          note: 'mean, creation to closing',
          change: changeNote(total.change.mttrDays, vs),
          alert: false,
        },
      ],
    },
    {
      title: 'Needs attention',
      figures: [
        {
          label: 'SLA compliance',
          value: formatPercent(sla.compliancePct),
          note:
            judged === 0
              ? 'nothing due'
              : `${formatNumber(sla.closedWithinSla)} of ${formatNumber(judged)} in time`,
          change: null,
          alert: sla.compliancePct !== null && sla.compliancePct < 100,
        },
        {
          label: 'Past SLA',
          value: formatNumber(report.slaBreaches.length),
          note:
            report.slaBreaches.length > 0
              ? `oldest ${plural(maxOverdue(report), 'day')} over`
              : 'none overdue',
          change: null,
          alert: report.slaBreaches.length > 0,
        },
        {
          label: 'Push-protection bypasses',
          value: formatNumber(report.pushProtectionBypasses.length),
          note: `${formatNumber(unresolved)} unresolved`,
          change: null,
          alert: report.pushProtectionBypasses.length > 0,
        },
        {
          label: 'Notable events',
          value: formatNumber(report.notableEvents.length),
          note: report.notableEvents.length > 0 ? 'listed after this page' : 'none',
          change: null,
          alert: report.notableEvents.length > 0,
        },
      ],
    },
  ];
}

/**
 * The summary in words, as paragraphs: what moved (against the previous period), then what needs
 * attention, then caveats. Built here rather than in a template because plurals and
 * comparisons need code. A team's report says "the team", the organisation's "the organisation".
 */
function summaryText(
  report: ReportJson,
  team: string | null,
  dismissalsWithoutComment: number,
  resolutions: TransitionView[],
  vs: string | null,
): SummaryTextView {
  const t = report.summary.total;
  const closed = t.fixed + t.dismissed;
  const incomplete = report.complete
    ? null
    : 'This report is incomplete: at least one snapshot it depends on did not finish, so some changes may be missing. No alert is reported fixed on the strength of an incomplete snapshot.';

  const activity: string[] = [];
  const where = team === null ? '' : ` in the repositories of team ${team}`;
  activity.push(
    `During ${report.period.id}${where}, ${plural(t.opened, 'new alert was', 'new alerts were')} opened and ${plural(closed, 'alert was', 'alerts were')} closed (${formatNumber(t.fixed)} fixed, ${formatNumber(t.dismissed)} dismissed); ${plural(t.reopened, 'closed alert was', 'closed alerts were')} reopened.`,
  );
  const delta = t.openAtEnd - t.openAtStart;
  const movement =
    delta === 0 ? 'unchanged' : delta < 0 ? `down ${formatNumber(-delta)}` : `up ${formatNumber(delta)}`;
  activity.push(
    `Open alerts went from ${formatNumber(t.openAtStart)} to ${formatNumber(t.openAtEnd)} (${movement}).`,
  );
  const before = report.previousPeriod?.summary.total;
  if (before && vs) {
    activity.push(
      `Compared with ${vs}, ${comparison(t.opened, before.opened, report.change?.total.opened, 'alerts were opened')} and ${comparison(closed, before.fixed + before.dismissed, undefined, 'were closed')}.`,
    );
  }
  if (t.netResolveRate !== null) {
    const comparisonWord =
      t.netResolveRate > 1
        ? 'more alerts than were'
        : t.netResolveRate < 1
          ? 'fewer alerts than were'
          : 'as many alerts as were';
    activity.push(
      `${team === null ? 'The organisation' : 'The team'} closed ${comparisonWord} opened, a net resolve rate of ${formatPct(t.netResolveRate)}.`,
    );
  }
  if (t.mttrDays === null) {
    activity.push('No alert was remediated, so there is no mean time to remediate.');
  } else {
    const earlier = before?.mttrDays;
    const was = typeof earlier === 'number' && vs ? ` (${formatDays(earlier)} in ${vs})` : '';
    activity.push(
      `Alerts closed in the period had been open ${formatDays(t.mttrDays)} days on average${was}: the mean time to remediate.`,
    );
  }

  const attention: string[] = [notableSentence(report.notableEvents)];
  attention.push(
    report.slaBreaches.length === 0
      ? 'No open alert is past its remediation deadline.'
      : `${plural(report.slaBreaches.length, 'open alert is', 'open alerts are')} past the remediation deadline, the oldest by ${plural(maxOverdue(report), 'day')}.`,
  );
  attention.push(slaSentence(report));
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

  const caveats: string[] = [];
  // The audit log is in no figure: its gap says whose changes are unattributed, not which figures.
  const gaps = report.coverageGaps
    .filter((g) => g.stream !== 'audit_log')
    .map((g) => coverageGapView(g, report));
  if (gaps.length > 0) {
    const labels = (lastKnown: boolean) => [
      ...new Set(gaps.filter((g) => g.lastKnown === lastKnown).map((g) => g.label)),
    ];
    const missing = labels(false);
    const stale = labels(true);
    const one = (l: string[]) => l.length === 1;
    const missingText = (subject: string) =>
      `${subject} ${one(missing) ? 'is' : 'are'} missing from every figure`;
    const staleText = (subject: string) =>
      `${subject} ${one(stale) ? 'counts' : 'count'} as the ledger last knew ${one(stale) ? 'it' : 'them'}, without what changed on GitHub since`;
    const said =
      stale.length === 0
        ? `GitHub would not list ${joinAnd(missing)} when the period ended, so ${missingText(one(missing) ? 'it' : 'they')}`
        : missing.length === 0
          ? `GitHub would not list ${joinAnd(stale)} when the period ended, so ${staleText(one(stale) ? 'it' : 'they')}`
          : `GitHub would not list ${joinAnd([...missing, ...stale])} when the period ended: ${missingText(joinAnd(missing))}, and ${staleText(joinAnd(stale))}`;
    caveats.push(`${said} (see Coverage gaps).`);
  }
  if (report.coverageGaps.some((g) => g.stream === 'audit_log')) {
    caveats.push(
      'GitHub would not list the audit log when the period ended, so who changed an alert and why is known only where a webhook or the alert itself says so (see Coverage gaps).',
    );
  }
  if (report.noLongerReported > 0) {
    caveats.push(
      `${plural(report.noLongerReported, 'alert', 'alerts')} stopped being reported by GitHub during the period (repository deleted or archived, or the feature turned off) and ${report.noLongerReported === 1 ? 'is' : 'are'} counted apart from the figures below.`,
    );
  }
  return { incomplete, activity: activity.join(' '), attention, caveats: caveats.join(' ') || null };
}

/**
 * "more alerts were opened (7 against 2, up 250%)", "as many were closed (5)", "fewer were
 * closed (3 against 5, down 40%)", "more were closed (3 against none)".
 */
function comparison(now: number, before: number, pct: number | null | undefined, what: string): string {
  if (now === before) return `as many ${what} (${formatNumber(now)})`;
  const change = changeOf(now, before, pct);
  const detail =
    change.kind === 'new'
      ? `${formatNumber(now)} against none`
      : `${formatNumber(now)} against ${formatNumber(before)}, ${now > before ? 'up' : 'down'} ${change.text.replace(/^[↑↓] /, '')}`;
  return `${now > before ? 'more' : 'fewer'} ${what} (${detail})`;
}

/** SLA compliance in words: how many alerts due met their deadline. */
function slaSentence(report: ReportJson): string {
  const s = report.slaCompliance;
  const judged = s.closedWithinSla + s.closedAfterSla + s.openPastSla;
  if (judged === 0 || s.compliancePct === null) {
    return 'No alert was closed in the period or is open past its deadline, so there is no SLA compliance figure.';
  }
  return `SLA compliance was ${formatPercent(s.compliancePct)}: of ${plural(judged, 'alert')} closed in the period or open past the deadline, ${formatNumber(s.closedWithinSla)} ${s.closedWithinSla === 1 ? 'was' : 'were'} closed within the deadline the SLA policy sets for ${s.closedWithinSla === 1 ? 'its' : 'their'} severity, ${formatNumber(s.closedAfterSla)} after it, and ${formatNumber(s.openPastSla)} ${s.openPastSla === 1 ? 'is' : 'are'} still open past it.`;
}

function joinAnd(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

const STREAM_LABELS: Readonly<Record<string, string>> = {
  ...ALERT_TYPE_LABELS,
  audit_log: 'Audit log',
};

/**
 * A coverage gap with what it means for the figures, in words. A stream GitHub would not list
 * when the period ended still counts with the alerts the ledger holds of it (earlier snapshots,
 * webhooks), as they were last known: the report says so when its figures have any.
 */
function coverageGapView(
  g: CoverageGap,
  report: ReportJson,
): { label: string; message: string; effect: string; lastKnown: boolean } {
  const nonProvider = g.lane === 'secret_scanning:non_provider';
  const base = STREAM_LABELS[g.stream] ?? g.stream;
  const label = nonProvider ? `${base} (non-provider patterns)` : base;
  const counts = (report.summary as Partial<Record<string, Counts>>)[g.stream];
  // Whether the report counts any alert of the stream. Non-provider secrets are counted with the
  // others: with secret scanning in the figures, whether any of them is cannot be known.
  const lastKnown =
    g.stream !== 'audit_log' &&
    counts !== undefined &&
    [counts.openAtStart, counts.openAtEnd, counts.opened, counts.fixed, counts.dismissed].some((n) => n > 0);
  const effect =
    g.stream === 'audit_log'
      ? 'Who changed an alert and why is known only where a webhook or the alert itself says so; the figures are complete.'
      : nonProvider && !lastKnown
        ? 'Secrets of non-provider patterns (passwords, private keys, connection strings) are in no figure or table of this report.'
        : nonProvider
          ? 'Secrets of non-provider patterns (passwords, private keys, connection strings) count only as the ledger last knew them, if it ever listed them: what changed on GitHub since is in no figure or table of this report.'
          : lastKnown
            ? `${base} alerts count as the ledger last knew them (earlier snapshots, webhooks): what changed on GitHub since is in no figure or table of this report.`
            : `No ${base} alert is in any figure or table of this report.`;
  return { label, message: g.message, effect, lastKnown };
}

function share(n: number, of: number): string {
  return of > 0 ? `${Math.round((n / of) * 100)}%` : DASH;
}

function openAlertsView(report: ReportJson): OpenAlertsView {
  const total = report.summary.total.openAtEnd;
  const topRepositories = report.top.repositories.map((r, i) => ({
    rank: i + 1,
    repository: r.repository,
    open: r.open,
    bySeverity: r.bySeverity,
    share: share(r.open, total),
  }));
  const inTop = topRepositories.reduce((n, r) => n + r.open, 0);
  const otherRepos = report.breakdowns.byRepository.filter(
    (r) => r.counts.openAtEnd > 0 && !report.top.repositories.some((t) => t.repository === r.repository),
  ).length;
  const otherOpen = total - inTop;
  const otherRepositories =
    otherOpen > 0
      ? `${otherRepos > 0 ? `${plural(otherRepos, 'more repository holds', 'more repositories hold')}` : 'Other repositories hold'} the other ${plural(otherOpen, 'open alert')}.`
      : null;

  const age = report.openAge;
  const ageSummary =
    age.count === 0 || age.meanDays === null
      ? 'No alert was open at the end of the period.'
      : `${plural(age.count, 'alert', 'alerts')} open at the end of the period: on average ${formatDays(age.meanDays)} days old, half of them older than ${formatDays(age.medianDays)} days, the oldest ${formatDays(age.oldestDays)} days.`;

  const reasons = new Map<string, number[]>();
  ALERT_TYPES.forEach((type, i) => {
    for (const { reason, count } of report.finer[type].dismissedByReason) {
      const row = reasons.get(reason) ?? ALERT_TYPES.map(() => 0);
      row[i] = (row[i] ?? 0) + count;
      reasons.set(reason, row);
    }
  });
  const dismissalRows = [...reasons.entries()]
    .map(([reason, byType]) => ({
      reason: capitalise(formatReason(reason)),
      byType,
      total: byType.reduce((n, c) => n + c, 0),
    }))
    .sort((a, b) => b.total - a.total || a.reason.localeCompare(b.reason));
  const finer = report.finer.total;

  return {
    total,
    bySeverity: SEVERITIES.map((severity) => {
      const counts = report.breakdowns.bySeverity[severity];
      return {
        severity,
        label: SEVERITY_LABELS[severity],
        slaDays: report.slaPolicy.days[severity],
        counts,
        closed: counts.fixed + counts.dismissed,
      };
    }),
    topRepositories,
    otherRepositories,
    topRules: report.top.rules.map((r, i) => ({
      rank: i + 1,
      typeLabel: ALERT_TYPE_LABELS[r.alertType],
      ruleId: r.ruleId,
      title: r.title,
      open: r.open,
    })),
    byTeam: report.breakdowns.byTeam.map((t) => ({
      team: t.team,
      repositories: t.repositories.join(', '),
      repositoryCount: t.repositories.length,
      counts: t.counts,
      closed: t.counts.fixed + t.counts.dismissed,
    })),
    age: {
      summary: ageSummary,
      buckets: age.buckets.map((b) => ({ label: b.label, count: b.count, share: share(b.count, age.count) })),
    },
    dismissals: {
      typeLabels: ALERT_TYPES.map((t) => ALERT_TYPE_LABELS[t]),
      rows: dismissalRows,
      total: dismissalRows.reduce((n, r) => n + r.total, 0),
      note: `${plural(finer.reopenEvents, 'reopen', 'reopens')} in the period (an alert reopened twice counts twice); ${plural(finer.openedAndClosed, 'alert was', 'alerts were')} opened and closed again within it.`,
    },
  };
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
