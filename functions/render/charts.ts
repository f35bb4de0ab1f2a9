/**
 * The trend charts of the report, drawn by vega-lite and vega as inline SVG in Node.
 *
 * Three charts over `report.trend` (the last periods, oldest first): open alerts at each period's
 * end stacked by severity, alerts opened and closed per period, and the mean time to remediate.
 * The specs below only say what to draw; vega-lite compiles them and vega lays them out and writes
 * the SVG, so no chart geometry is computed here.
 *
 * The PDF page runs with JavaScript off and every request blocked, so the SVG must stand alone:
 * vega's SVG string renderer writes plain elements with presentation attributes (no script, no
 * <image>, no web font; the font is the page's own family list). Text is laid out with vega's
 * width estimate (0.8 em per character, more than the text of the fonts in use takes), never with
 * a canvas, so an installed `canvas` package cannot change the output and labels are not cut.
 *
 * Grayscale print: series differ in lightness (severities as the report's badges: near black,
 * mid grey, light grey, white), bars are outlined, legends carry symbols in stacking order, and
 * the values are printed on the charts: totals, opened and closed counts, MTTR, and each severity's
 * count where its segment is tall enough (the table under the charts has every figure).
 *
 * Escaping: every string that comes from report.json (period ids, via their short labels and
 * the accessible description) reaches the SVG either through vega, which escapes text and
 * attribute values, or through `escapeXml` below. Nothing from report.json is ever put into a
 * vega expression: expressions here are constants and data go in as data values only.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { SEVERITIES, type Severity } from '../core/model.ts';
import type { TrendPoint } from '../core/report-model.ts';
import { formatDays, formatNumber, periodLabels, periodNoun } from './format.ts';

export { periodLabels };

export type TrendChartId = 'open-by-severity' | 'opened-closed' | 'mttr';

export interface TrendChart {
  id: TrendChartId;
  /** The visible title, also the SVG's accessible name. */
  title: string;
  /** One self-contained <svg role="img"> element. */
  svg: string;
}

/** A chart before rendering: the vega-lite spec and the accessible text around it. */
export interface TrendChartSpec {
  id: TrendChartId;
  title: string;
  /** Every value of the chart in words, for the SVG's <desc>. */
  description: string;
  spec: TopLevelSpec;
}

// Text widths from vega's estimate only (see above). textMetrics is exported by vega at run time
// but missing from its type definitions.
(vega as unknown as { textMetrics: { canvas(use: boolean): void } }).textMetrics.canvas(false);

/** The page's font list (report.css); Chromium resolves it as it does for the HTML text. */
const FONT = "'Open Sans', 'Helvetica Neue', Arial, 'DejaVu Sans', sans-serif";
const INK = '#1a202c';
const MUTED = '#4a5568';
const ACCENT = '#2b4c7e';
const ACCENT_DARK = '#1a2f4f';
const GRID = '#e2e8f0';

/**
 * The plot is 12 slots of 51 CSS px, one per period (about 660 px with the axis, the width of the
 * A4 text column; report.css scales the SVG to the column). Fewer periods keep the same slot size,
 * centred, rather than fattening the bars; more share the width.
 */
const SLOTS = 12;
const PLOT_WIDTH = SLOTS * 51;
/** Smallest stacked segment, in px, that gets its count printed inside. */
const MIN_LABELLED_SEGMENT_PX = 8;

const SEVERITY_LABEL: Record<Severity, string> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
};
/** The severity badges' colours (report.css): lightness steps of about 20, 50, 85 and 100 L*. */
const SEVERITY_FILL: Record<Severity, string> = {
  critical: '#63171b',
  high: '#c05621',
  medium: '#fbd38d',
  low: '#ffffff',
};
const SEVERITY_TEXT: Record<Severity, string> = {
  critical: '#ffffff',
  high: '#ffffff',
  medium: INK,
  low: INK,
};

const OPENED = 'Opened';
const CLOSED = 'Closed';

const CONFIG = {
  font: FONT,
  background: 'white',
  padding: 2,
  // The SVG as a whole is role="img" with a full text description; per-mark ARIA would only
  // repeat it (and bloat the file).
  aria: false,
  view: { stroke: null },
  axis: {
    labelFontSize: 9,
    labelColor: INK,
    titleFontSize: 9,
    titleFontWeight: 'normal',
    titleColor: MUTED,
    domainColor: MUTED,
    tickColor: MUTED,
    gridColor: GRID,
    gridWidth: 0.6,
  },
  axisX: { labelAngle: 0, ticks: false, title: null, grid: false, labelPadding: 4, labelLineHeight: 10 },
  axisY: { tickCount: 4, domain: false, ticks: false, titlePadding: 6, format: ',d' },
  legend: {
    orient: 'top',
    direction: 'horizontal',
    title: null,
    labelFontSize: 9,
    labelColor: INK,
    symbolType: 'square',
    symbolSize: 100,
    symbolStrokeColor: MUTED,
    symbolStrokeWidth: 0.6,
    columnPadding: 10,
    // Room for the value printed above the tallest bar.
    offset: 16,
  },
  title: {
    anchor: 'start',
    fontSize: 11,
    fontWeight: 'bold',
    color: ACCENT_DARK,
    subtitleFontSize: 8.5,
    subtitleColor: MUTED,
    subtitlePadding: 2,
    offset: 6,
  },
  text: { fontSize: 8.5, color: INK },
} as const;

/** Multi-line axis labels: period labels may hold a "\n". A constant expression. */
const X_LABEL_EXPR = "split(datum.value, '\\n')";

const finite = (n: number): number => (Number.isFinite(n) ? n : 0);

/**
 * A count short enough for a label beside or inside a narrow bar: 1,234 → "1.2k", 56,789 →
 * "57k", 1,234,567 → "1.2M"; below 1,000 as formatNumber. The table under the charts has them all
 * in full.
 */
export function compactCount(n: number): string {
  const abs = Math.abs(n);
  if (!Number.isFinite(n) || abs < 1000) return formatNumber(n);
  const [value, unit] = abs < 1e6 ? [n / 1e3, 'k'] : [n / 1e6, 'M'];
  return `${Math.abs(value) < 9.95 ? value.toFixed(1) : Math.round(value)}${unit}`;
}

/**
 * The x channel of every chart: one slot per period, in report order. Bars get a band scale whose
 * outer padding is half the inner one plus the unused slots, lines a point scale padded by half a
 * slot plus the unused slots, so that bar centres and line points fall at the same places (the
 * middles of the slots) and fewer than 12 periods sit in the middle at the usual size.
 */
function periodX(count: number, kind: 'band' | 'point' = 'band') {
  const unused = Math.max(0, SLOTS - count) / 2;
  const paddingInner = 0.28;
  return {
    field: 'period',
    type: 'ordinal' as const,
    sort: null,
    scale:
      kind === 'band'
        ? { paddingInner, paddingOuter: paddingInner / 2 + unused }
        : { type: 'point' as const, padding: 0.5 + unused },
    axis: { labelExpr: X_LABEL_EXPR },
  };
}

/** Open alerts at each period's end, stacked by severity, critical at the bottom. */
function openBySeverity(
  points: readonly TrendPoint[],
  labels: readonly string[],
  noun: string,
): TrendChartSpec {
  const title = `Open alerts at the end of each ${noun}, by severity`;
  const segments = points.flatMap((p, i) =>
    SEVERITIES.map((severity, rank) => {
      const n = finite(p.bySeverity[severity].openAtEnd);
      return {
        period: labels[i],
        severity: SEVERITY_LABEL[severity],
        rank,
        n,
        text: compactCount(n),
        ink: SEVERITY_TEXT[severity],
      };
    }),
  );
  const totals = points.map((p, i) => ({
    period: labels[i],
    n: finite(p.openAtEnd),
    text: formatNumber(p.openAtEnd),
  }));
  const y = { field: 'n', type: 'quantitative' as const, title: 'open alerts' };
  const spec: TopLevelSpec = {
    width: PLOT_WIDTH,
    height: 130,
    autosize: { type: 'pad' },
    config: CONFIG,
    title: { text: title, subtitle: 'Stacked by severity; the total above each bar.' },
    layer: [
      {
        data: { values: segments },
        mark: { type: 'bar', stroke: MUTED, strokeWidth: 0.5 },
        encoding: {
          x: periodX(points.length),
          y: { ...y, stack: 'zero' },
          color: {
            field: 'severity',
            type: 'nominal',
            scale: {
              domain: SEVERITIES.map((s) => SEVERITY_LABEL[s]),
              range: SEVERITIES.map((s) => SEVERITY_FILL[s]),
            },
          },
          order: { field: 'rank', type: 'quantitative', sort: 'ascending' },
        },
      },
      {
        // The count inside its segment, where the segment is tall enough to hold it.
        data: { values: segments },
        transform: [
          {
            stack: 'n',
            groupby: ['period'],
            sort: [{ field: 'rank', order: 'ascending' }],
            as: ['y0', 'y1'],
          },
          { calculate: '(datum.y0 + datum.y1) / 2', as: 'mid' },
          { filter: { field: 'n', gt: 0 } },
        ],
        mark: { type: 'text', baseline: 'middle', fontSize: 7.5 },
        encoding: {
          x: periodX(points.length),
          y: { field: 'mid', type: 'quantitative' },
          text: {
            condition: {
              test: `scale('y', datum.y0) - scale('y', datum.y1) >= ${MIN_LABELLED_SEGMENT_PX}`,
              field: 'text',
            },
            value: '',
          },
          color: { field: 'ink', type: 'nominal', scale: null },
        },
      },
      {
        data: { values: totals },
        mark: { type: 'text', baseline: 'bottom', dy: -3, fontWeight: 'bold', fontSize: 9 },
        encoding: { x: periodX(points.length), y, text: { field: 'text' } },
      },
    ],
  };
  const description = points
    .map(
      (p) =>
        `${p.periodId}: ${formatNumber(p.openAtEnd)} open (${SEVERITIES.map((s) => `${s} ${formatNumber(p.bySeverity[s].openAtEnd)}`).join(', ')})`,
    )
    .join('; ');
  return { id: 'open-by-severity', title, description, spec };
}

/** Alerts opened and closed in each period, side by side. */
function openedClosed(
  points: readonly TrendPoint[],
  labels: readonly string[],
  noun: string,
): TrendChartSpec {
  const title = `Alerts opened and closed each ${noun}`;
  const bars = points.flatMap((p, i) => [
    { period: labels[i], series: OPENED, n: finite(p.opened), text: compactCount(p.opened) },
    { period: labels[i], series: CLOSED, n: finite(p.closed), text: compactCount(p.closed) },
  ]);
  const longest = Math.max(0, ...bars.map((b) => b.text.length));
  const xOffset = { field: 'series', type: 'nominal' as const, sort: null, scale: { paddingInner: 0.06 } };
  const y = { field: 'n', type: 'quantitative' as const, title: 'alerts' };
  const spec: TopLevelSpec = {
    width: PLOT_WIDTH,
    height: 110,
    autosize: { type: 'pad' },
    config: CONFIG,
    title: { text: title, subtitle: 'Closed: fixed or dismissed.' },
    data: { values: bars },
    layer: [
      {
        mark: { type: 'bar', stroke: ACCENT_DARK, strokeWidth: 0.5 },
        encoding: {
          x: periodX(points.length),
          xOffset,
          y,
          color: {
            field: 'series',
            type: 'nominal',
            scale: { domain: [OPENED, CLOSED], range: [ACCENT, '#c9d6e8'] },
          },
        },
      },
      {
        // Two labels share a period's slot: a smaller size once they reach four characters ("1.2k").
        mark: { type: 'text', baseline: 'bottom', dy: -2, fontSize: longest >= 4 ? 7.5 : 8.5 },
        encoding: { x: periodX(points.length), xOffset, y, text: { field: 'text' } },
      },
    ],
  };
  const description = points
    .map((p) => `${p.periodId}: ${formatNumber(p.opened)} opened, ${formatNumber(p.closed)} closed`)
    .join('; ');
  return { id: 'opened-closed', title, description, spec };
}

/** Mean time to remediate per period: a line with its points, broken where there is no value. */
function mttr(points: readonly TrendPoint[], labels: readonly string[], noun: string): TrendChartSpec {
  const title = `Mean time to remediate, in days, each ${noun}`;
  const rows = points.map((p, i) => {
    const days = typeof p.mttrDays === 'number' && Number.isFinite(p.mttrDays) ? p.mttrDays : null;
    return { period: labels[i], days, text: formatDays(days) };
  });
  // Without any value the scale would have no extent: show 0 to 10 days, empty but for the n/a marks.
  const scale = rows.some((r) => r.days !== null) ? {} : { domain: [0, 10] };
  const y = { field: 'days', type: 'quantitative' as const, title: 'days', scale, axis: { format: ',.0f' } };
  const spec: TopLevelSpec = {
    width: PLOT_WIDTH,
    height: 90,
    autosize: { type: 'pad' },
    config: CONFIG,
    title: {
      text: title,
      subtitle: 'From creation to fix or dismissal (false positives left out); n/a: nothing remediated.',
    },
    data: { values: rows },
    layer: [
      {
        mark: { type: 'line', color: ACCENT, strokeWidth: 1.6, invalid: 'break-paths-filter-domains' },
        encoding: { x: periodX(points.length, 'point'), y },
      },
      {
        transform: [{ filter: 'isValid(datum.days)' }],
        mark: { type: 'point', filled: true, size: 30, color: ACCENT_DARK, opacity: 1 },
        encoding: { x: periodX(points.length, 'point'), y },
      },
      {
        transform: [{ filter: 'isValid(datum.days)' }],
        mark: { type: 'text', baseline: 'bottom', dy: -5 },
        encoding: { x: periodX(points.length, 'point'), y, text: { field: 'text' } },
      },
      {
        transform: [{ filter: '!isValid(datum.days)' }],
        mark: { type: 'text', baseline: 'bottom', dy: -3, fontStyle: 'italic', color: MUTED },
        encoding: {
          x: periodX(points.length, 'point'),
          y: { datum: 0, type: 'quantitative' },
          text: { value: 'n/a' },
        },
      },
    ],
  };
  const description = points
    .map((p, i) => `${p.periodId}: ${rows[i]?.days === null ? 'n/a' : `${rows[i]?.text} days`}`)
    .join('; ');
  return { id: 'mttr', title, description, spec };
}

/** The three chart specs for `trend` (oldest first), before rendering. */
export function trendChartSpecs(trend: readonly TrendPoint[]): TrendChartSpec[] {
  const ids = trend.map((p) => p.periodId);
  const labels = periodLabels(ids);
  const noun = periodNoun(ids);
  return [openBySeverity(trend, labels, noun), openedClosed(trend, labels, noun), mttr(trend, labels, noun)];
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * vega's own SVG of a compiled vega-lite spec, through vega's public API: the dataflow runs and
 * `view.toSVG()` lays the chart out and writes it with vega's SVG string renderer. Headless
 * (renderer "none"): nothing is drawn to a canvas or a DOM.
 */
export async function renderVegaLiteSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * vega's root <svg> with an accessible name and description: role="img", aria-label, <title>
 * and <desc>. Our text, escaped here.
 */
export function withAccessibleName(svg: string, title: string, description: string): string {
  const end = svg.indexOf('>');
  if (!svg.startsWith('<svg ') || end < 0) throw new Error('vega returned something other than an <svg>');
  const open = svg.slice(0, end).replace(/^<svg /, `<svg role="img" aria-label="${escapeXml(title)}" `);
  return `${open}><title>${escapeXml(title)}</title><desc>${escapeXml(description)}</desc>${svg.slice(end + 1)}`;
}

/**
 * The three trend charts as self-contained SVG, deterministic (same trend, same bytes). Rendered
 * before the report's template runs (Handlebars helpers are synchronous; vega's rendering is not).
 */
export async function renderTrendCharts(trend: readonly TrendPoint[]): Promise<TrendChart[]> {
  if (trend.length === 0) return [];
  return Promise.all(
    trendChartSpecs(trend).map(async ({ id, title, description, spec }) => ({
      id,
      title,
      svg: withAccessibleName(await renderVegaLiteSvg(spec), title, description),
    })),
  );
}
