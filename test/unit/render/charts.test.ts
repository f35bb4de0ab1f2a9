/**
 * The trend charts (functions/render/charts.ts): vega-lite specs rendered to SVG by vega. What
 * the SVG holds (marks, labels, values), that it stands alone (no script, no external URL), that
 * report.json text is escaped, that the same trend gives the same bytes, and that the rendering
 * is vega's public, asynchronous `toSVG()` and nothing of vega's private state.
 */
import { readFileSync } from 'node:fs';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { SEVERITIES } from '../../../functions/core/model.ts';
import type { TrendPoint } from '../../../functions/core/report-model.ts';
import {
  compactCount,
  periodLabels,
  renderTrendCharts,
  renderVegaLiteSvg,
  type TrendChart,
  type TrendChartId,
  trendChartSpecs,
} from '../../../functions/render/charts.ts';
import { sampleReport } from '../../fixtures/report-sample.ts';

const trend = sampleReport.trend;
const charts = await renderTrendCharts(trend);
const byId = (id: TrendChartId): TrendChart => {
  const chart = charts.find((c) => c.id === id);
  if (!chart) throw new Error(`no chart ${id}`);
  return chart;
};

/** The contents of each vega mark group whose class starts with `cls` (these hold no nested <g>). */
function markGroups(svg: string, cls: string): string[] {
  const out: string[] = [];
  for (const m of svg.matchAll(new RegExp(`<g class="${cls}[^"]*"[^>]*>`, 'g'))) {
    const start = (m.index ?? 0) + m[0].length;
    out.push(svg.slice(start, svg.indexOf('</g>', start)));
  }
  return out;
}

/** The <text> contents of some SVG markup, the lines of a multi-line text joined by a space. */
function texts(markup: string): string[] {
  return [...markup.matchAll(/<text[^>]*>(.*?)<\/text>/g)].map((m) =>
    (m[1] as string)
      .replace(/<tspan[^>]*>/g, ' ')
      .replace(/<\/tspan>/g, '')
      .trim(),
  );
}

/** The x axis labels: the axis label group whose labels are centred under their period. */
function xAxisLabels(svg: string): string[] {
  const group = markGroups(svg, 'mark-text role-axis-label').find((g) => g.includes('text-anchor="middle"'));
  return texts(group ?? '');
}

/** How many `element`s the mark groups of class `cls` hold. */
function countShapes(svg: string, cls: string, element: string): number {
  return markGroups(svg, cls).reduce(
    (n, g) => n + (g.match(new RegExp(`<${element}\\b`, 'g')) ?? []).length,
    0,
  );
}

describe('trend charts: what they show', () => {
  it('renders the three charts with titles and an accessible name', () => {
    expect(charts.map((c) => c.id)).toEqual(['open-by-severity', 'opened-closed', 'mttr']);
    for (const chart of charts) {
      expect(chart.svg).toMatch(
        /^<svg role="img" aria-label="[^"]+" xmlns="http:\/\/www\.w3\.org\/2000\/svg"/,
      );
      expect(chart.svg).toContain(`aria-label="${chart.title}"`);
      expect(chart.svg).toContain(`<title>${chart.title}</title><desc>`);
      // The title is drawn too, not only announced.
      expect(texts(chart.svg)).toContain(chart.title);
      expect(chart.svg).toMatch(/viewBox="0 0 \d+ \d+"/);
    }
    expect(byId('open-by-severity').title).toBe('Open alerts at the end of each week, by severity');
    expect(byId('opened-closed').title).toBe('Alerts opened and closed each week');
    expect(byId('mttr').title).toBe('Mean time to remediate, in days, each week');
  });

  it('labels the 12 periods short, in order, on every chart', () => {
    const expected = trend.map((p) => p.periodId.replace(/^\d{4}-/, ''));
    expect(expected[0]).toBe('W35');
    for (const chart of charts) expect(xAxisLabels(chart.svg)).toEqual(expected);
  });

  it('open alerts: one bar segment per period and severity, the totals printed', () => {
    const svg = byId('open-by-severity').svg;
    expect(countShapes(svg, 'mark-rect role-mark', 'path')).toBe(trend.length * SEVERITIES.length);
    const shown = texts(svg);
    for (const p of trend) expect(shown).toContain(String(p.openAtEnd));
    // The legend names the four severities, in stacking order.
    const legend = svg.slice(svg.indexOf('role-legend'));
    const order = ['Critical', 'High', 'Medium', 'Low'].map((s) => legend.indexOf(`>${s}</text>`));
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // Segment counts where they fit: the sample's high, medium and low counts of the last week.
    const last = trend.at(-1) as TrendPoint;
    for (const s of ['high', 'medium', 'low'] as const) {
      expect(shown).toContain(String(last.bySeverity[s].openAtEnd));
    }
    expect(byId('open-by-severity').svg).toContain(
      '2026-W46: 41 open (critical 4, high 12, medium 16, low 9)',
    );
  });

  it('opened vs closed: two bars per period, each with its count', () => {
    const svg = byId('opened-closed').svg;
    expect(countShapes(svg, 'mark-rect role-mark', 'path')).toBe(trend.length * 2);
    const values = texts(markGroups(svg, 'mark-text role-mark layer_1_marks').join(''));
    expect(values).toEqual(trend.flatMap((p) => [String(p.opened), String(p.closed)]));
    expect(texts(svg)).toEqual(expect.arrayContaining(['Opened', 'Closed']));
  });

  it('MTTR: one point and one printed value per period, one line', () => {
    const svg = byId('mttr').svg;
    expect(countShapes(svg, 'mark-symbol role-mark', 'path')).toBe(trend.length);
    expect(countShapes(svg, 'mark-line role-mark', 'path')).toBe(1);
    const shown = texts(svg);
    for (const p of trend) expect(shown).toContain((p.mttrDays as number).toFixed(1));
    expect(svg).toContain('2026-W35: 24.1 days;');
    expect(svg).toContain('2026-W46: 21.7 days</desc>');
  });

  it('MTTR: a period without a value is a gap marked n/a, not a zero', async () => {
    const gappy = trend.map((p, i) => (i === 3 || i === 4 ? { ...p, mttrDays: null } : p));
    const svg = (await renderTrendCharts(gappy)).find((c) => c.id === 'mttr')?.svg ?? '';
    expect(countShapes(svg, 'mark-symbol role-mark', 'path')).toBe(trend.length - 2);
    // The line is broken in two: its path has two "M" (move-to) commands.
    const line = /<g class="mark-line role-mark[^"]*"[^>]*><path[^>]*\sd="([^"]+)"/.exec(svg)?.[1] ?? '';
    expect(line.match(/M/g)).toHaveLength(2);
    expect(texts(svg).filter((t) => t === 'n/a')).toHaveLength(2);
    expect(svg).toContain('2026-W38: n/a; 2026-W39: n/a;');
  });

  it('renders one period, all-zero counts and a trend without any MTTR', async () => {
    const zero = { openAtEnd: 0, opened: 0, closed: 0 };
    const empty: TrendPoint = {
      periodId: '2026-W01',
      openAtEnd: 0,
      opened: 0,
      closed: 0,
      mttrDays: null,
      bySeverity: { critical: zero, high: zero, medium: zero, low: zero },
    };
    const one = await renderTrendCharts([empty]);
    expect(one).toHaveLength(3);
    for (const chart of one) expect(xAxisLabels(chart.svg)).toEqual(['W01']);
    expect(await renderTrendCharts([])).toEqual([]);
  });
});

describe('trend charts: period labels', () => {
  it('shortens weeks, months, quarters and date ranges', () => {
    expect(periodLabels(['2026-W45', '2026-W46'])).toEqual(['W45', 'W46']);
    expect(periodLabels(['2026-11', '2026-12', '2027-01'])).toEqual(['Nov\n2026', 'Dec', 'Jan\n2027']);
    expect(periodLabels(['2026-Q3', '2026-Q4'])).toEqual(['Q3\n2026', 'Q4\n2026']);
    expect(periodLabels(['2026-10-17..2026-10-31', '2026-11-01..2026-11-15'])).toEqual([
      '17–31 Oct',
      '1–15 Nov',
    ]);
    expect(periodLabels(['2026-10-25..2026-11-07', '2026-11-08..2026-11-08'])).toEqual([
      '25 Oct–\n7 Nov',
      '8 Nov',
    ]);
    expect(periodLabels(['whatever'])).toEqual(['whatever']);
  });

  it('shortens counts printed beside narrow bars, not those below 1,000', () => {
    expect([0, 7, 999, 1000, 1234, 9949, 9950, 56_789, 1_234_567].map(compactCount)).toEqual([
      '0',
      '7',
      '999',
      '1.0k',
      '1.2k',
      '9.9k',
      '10k',
      '57k',
      '1.2M',
    ]);
  });

  it('falls back to the full ids when short labels would repeat', () => {
    const ids = ['2025-01-01..2025-12-31', '2026-01-01..2026-12-31'];
    expect(periodLabels(ids)).toEqual(['2025-01-01–\n2025-12-31', '2026-01-01–\n2026-12-31']);
  });

  it('draws a multi-line label as lines', async () => {
    const quarters = trend.slice(0, 4).map((p, i) => ({ ...p, periodId: `2026-Q${i + 1}` }));
    const svg = (await renderTrendCharts(quarters))[0]?.svg ?? '';
    expect(xAxisLabels(svg)).toEqual(['Q1 2026', 'Q2 2026', 'Q3 2026', 'Q4 2026']);
    expect(svg).toContain('Open alerts at the end of each quarter, by severity');
  });
});

const hostileId = `2026-W46"><script>alert(1)</script><img src=x onerror=alert(2)>&amp;'`;
const hostileCharts = await renderTrendCharts(
  trend.map((p, i) => (i === 0 ? { ...p, periodId: hostileId } : p)),
);

describe('trend charts: safe and self-contained', () => {
  it.each([
    ['sample', charts],
    ['hostile period id', hostileCharts],
  ])('%s: no script, no external reference, no id that could clash', (_name, rendered) => {
    for (const { svg } of rendered) {
      expect(svg).not.toMatch(/<script/i);
      expect(svg).not.toMatch(/<img|<image|<foreignObject|<a\b|<style/i);
      expect(svg).not.toMatch(/href=/i);
      expect(svg).not.toMatch(/url\(/i);
      expect(svg).not.toMatch(/@import|@font-face/i);
      // No event handler attribute in any tag (text content may say "onerror=", escaped).
      expect(svg).not.toMatch(/<[^>]*\son[a-z]+=/i);
      // Three SVGs share one HTML document: an id (clip path, gradient) could point at another's.
      expect(svg).not.toMatch(/\sid="/);
      // The only URLs are XML namespace names.
      expect(svg.match(/https?:\/\/[^"]*/g)).toEqual([
        'http://www.w3.org/2000/svg',
        'http://www.w3.org/1999/xlink',
      ]);
    }
  });

  it('escapes a hostile period id wherever it appears', () => {
    for (const { svg } of hostileCharts) {
      expect(svg).not.toContain('<script>');
      expect(svg).not.toContain('<img');
      expect(svg).toContain('&lt;script&gt;alert(');
      // The accessible description carries the full id, escaped.
      expect(svg).toContain('2026-W46&#34;&#62;&#60;script&#62;alert(1)&#60;/script&#62;');
    }
    // Not a known id: the label is the id itself, drawn as text (vega shortens it with "…").
    expect(xAxisLabels(hostileCharts[0]?.svg ?? '')[0]).toMatch(/^2026-W46"&gt;&lt;script&gt;alert\(/);
  });

  it('is deterministic: the same trend gives the same bytes', async () => {
    const again = await renderTrendCharts(structuredClone(trend));
    expect(again.map((c) => c.svg)).toEqual(charts.map((c) => c.svg));
  });

  it("renders exactly what vega's public toSVG() renders", async () => {
    for (const { spec } of trendChartSpecs(trend)) {
      const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
      const reference = await view.toSVG();
      view.finalize();
      expect(await renderVegaLiteSvg(spec)).toBe(reference);
    }
    // No private vega fields (`view._viewWidth` and the like) and no unexported renderer.
    const source = readFileSync(new URL('../../../functions/render/charts.ts', import.meta.url), 'utf8');
    expect(source).not.toMatch(/\._[a-zA-Z]/);
    expect(source).not.toContain('SVGStringRenderer');
  });

  it('renders the three charts well under a second once warm', async () => {
    await renderTrendCharts(trend);
    const started = performance.now();
    const runs = 5;
    for (let i = 0; i < runs; i++) await renderTrendCharts(trend);
    const ms = (performance.now() - started) / runs;
    console.info(`charts: three trend charts in ${ms.toFixed(0)} ms (mean of ${runs}, warm)`);
    expect(ms).toBeLessThan(1000);
  });
});
