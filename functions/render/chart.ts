/**
 * Small inline-SVG bar charts for the trend section. Inline SVG needs no script and no network,
 * so it survives the locked-down Chromium (JavaScript off, every request blocked).
 *
 * Fills are chosen by lightness as well as hue, and every bar carries its value, so the charts
 * read the same on a grayscale printer.
 */

export interface BarSeries {
  name: string;
  values: readonly number[];
  fill: string;
  stroke: string;
}

export interface BarChartInput {
  /** Accessible name of the chart. */
  title: string;
  categories: readonly string[];
  series: readonly BarSeries[];
  width?: number;
  height?: number;
}

const FONT = "'Open Sans', 'Helvetica Neue', Arial, 'DejaVu Sans', sans-serif";

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The axis maximum for four gridlines: 4 × a round step (1, 1.5, 2, 2.5, 3, 4, 5, 7.5 × 10^n) that is a
 * whole number, because the charts count alerts and "7.5 alerts" on an axis reads oddly.
 */
export function niceCeil(max: number): number {
  if (max <= 0) return 4;
  const raw = max / 4;
  for (let exp = 0; ; exp++) {
    for (const m of [1, 1.5, 2, 2.5, 3, 4, 5, 7.5]) {
      const step = m * 10 ** exp;
      if (Number.isInteger(step) && step >= raw) return step * 4;
    }
  }
}

const fmt = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(1));

export function barChartSvg(input: BarChartInput): string {
  const width = input.width ?? 340;
  const height = input.height ?? 170;
  const pad = { top: 14, right: 6, bottom: input.series.length > 1 ? 34 : 22, left: 26 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const n = input.categories.length;
  const allValues = input.series.flatMap((s) => s.values);
  const axisMax = niceCeil(Math.max(0, ...allValues));
  const y = (v: number): number => pad.top + plotH - (Math.max(0, v) / axisMax) * plotH;

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="${escapeXml(input.title)}" font-family="${escapeXml(FONT)}">`,
    `<title>${escapeXml(input.title)}</title>`,
  );

  // Four gridlines with labels: enough to read the scale, few enough to stay quiet.
  for (let i = 0; i <= 4; i++) {
    const v = (axisMax / 4) * i;
    const gy = y(v);
    parts.push(
      `<line x1="${pad.left}" x2="${width - pad.right}" y1="${gy.toFixed(1)}" y2="${gy.toFixed(1)}" stroke="${i === 0 ? '#4a5568' : '#e2e8f0'}" stroke-width="${i === 0 ? 0.8 : 0.6}"/>`,
      `<text x="${pad.left - 4}" y="${(gy + 2.5).toFixed(1)}" font-size="7" text-anchor="end" fill="#4a5568">${fmt(v)}</text>`,
    );
  }

  if (n > 0) {
    const band = plotW / n;
    const groupW = band * 0.72;
    const barW = groupW / Math.max(1, input.series.length);
    input.categories.forEach((category, ci) => {
      const gx = pad.left + band * ci + (band - groupW) / 2;
      input.series.forEach((s, si) => {
        const v = s.values[ci] ?? 0;
        const x = gx + barW * si;
        const top = y(v);
        const h = pad.top + plotH - top;
        parts.push(
          `<rect x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${(barW - 0.8).toFixed(1)}" height="${h.toFixed(1)}" fill="${s.fill}" stroke="${s.stroke}" stroke-width="0.6"/>`,
          `<text x="${(x + (barW - 0.8) / 2).toFixed(1)}" y="${(top - 2).toFixed(1)}" font-size="${input.series.length > 1 ? 5.5 : 6.5}" text-anchor="middle" fill="#1a202c">${fmt(v)}</text>`,
        );
      });
      parts.push(
        `<text x="${(pad.left + band * ci + band / 2).toFixed(1)}" y="${pad.top + plotH + 9}" font-size="6.5" text-anchor="middle" fill="#4a5568">${escapeXml(shortLabel(category))}</text>`,
      );
    });
  }

  if (input.series.length > 1) {
    let lx = pad.left;
    const ly = height - 8;
    for (const s of input.series) {
      parts.push(
        `<rect x="${lx}" y="${ly - 6}" width="8" height="7" fill="${s.fill}" stroke="${s.stroke}" stroke-width="0.6"/>`,
        `<text x="${lx + 11}" y="${ly}" font-size="7" fill="#1a202c">${escapeXml(s.name)}</text>`,
      );
      lx += 16 + s.name.length * 4.2;
    }
  }

  parts.push('</svg>');
  return parts.join('');
}

/** "2026-W46" → "W46", "2026-11" stays; the full id is in the table below the chart. */
function shortLabel(periodId: string): string {
  const week = /^\d{4}-(W\d{2})$/.exec(periodId);
  return week?.[1] ?? periodId;
}
