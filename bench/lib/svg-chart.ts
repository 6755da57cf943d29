/**
 * Bar charts as SVG text, written by hand: no chart library renders SVG on Node 20 without a DOM or canvas and few
 * dependencies (vega-lite 6 needs Node 22; vega 6 brings some 30 packages for three bar charts). Each chart is a
 * `<g data-chart=…>` panel, each series a `<g data-series=…>`, so a test (and a reader of the file) finds them by name.
 */

export interface BarChart {
  /** `data-chart` of the panel. */
  id: string;
  title: string;
  /** What the value axis measures, e.g. `MiB/s`. */
  unit: string;
  /** Groups along the category axis, e.g. sizes or commands. */
  categories: string[];
  /** Each series has one value per category (NaN: none). */
  series: Array<{ name: string; values: number[] }>;
  /** grouped: side by side; stacked: one bar per category, horizontal, the series end to end. */
  layout: 'grouped' | 'stacked';
  /** A reference line across the value axis (e.g. `node -e 0`). */
  marker?: { label: string; value: number };
  /** Shown instead of the bars when the run measured nothing for this chart. */
  empty?: string;
}

const WIDTH = 960;
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#b07aa1', '#76b7b2', '#edc948', '#9c755f'];
const FONT = 'font-family="sans-serif" font-size="12"';

/** The whole file: the panels one under the other, with a caption line on top. */
export function svgDocument(caption: string, charts: BarChart[]): string {
  let y = 36;
  const panels: string[] = [];
  for (const chart of charts) {
    const { svg, height } = panel(chart, y);
    panels.push(svg);
    y += height + 24;
  }
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="${WIDTH}" height="${y}" viewBox="0 0 ${WIDTH} ${y}" ${FONT}>`,
    // The accessible name, first child as screen readers (and the linter) expect.
    `<title>Chainloop TS benchmark: ${xmlText(charts.map((chart) => chart.title).join('; '))}</title>`,
    `<rect width="${WIDTH}" height="${y}" fill="#ffffff"/>`,
    `<text x="16" y="22" font-size="13" fill="#555">${xmlText(caption)}</text>`,
    ...panels,
    `</svg>`,
    '',
  ].join('\n');
}

function panel(chart: BarChart, top: number): { svg: string; height: number } {
  const out: string[] = [`<g data-chart="${xmlText(chart.id)}" transform="translate(0 ${top})">`];
  out.push(`<text x="16" y="16" font-size="15" font-weight="bold">${xmlText(chart.title)}</text>`);
  const values = chart.series.flatMap((s) => s.values).filter(Number.isFinite);
  if (chart.categories.length === 0 || values.length === 0) {
    out.push(`<text x="16" y="44" fill="#777">${xmlText(chart.empty ?? 'not measured in this run')}</text>`, '</g>');
    return { svg: out.join('\n'), height: 60 };
  }
  const legend = legendRow(
    chart.series.map((s) => s.name),
    28,
  );
  out.push(legend.svg);
  const body = chart.layout === 'stacked' ? stacked(chart, 28 + legend.height) : grouped(chart, 28 + legend.height);
  out.push(body.svg, '</g>');
  return { svg: out.join('\n'), height: 28 + legend.height + body.height };
}

function legendRow(names: string[], top: number): { svg: string; height: number } {
  const out: string[] = [];
  let x = 16;
  let y = top;
  for (const [i, name] of names.entries()) {
    const width = 22 + name.length * 7;
    if (x + width > WIDTH - 16) {
      x = 16;
      y += 18;
    }
    out.push(
      `<rect x="${x}" y="${y}" width="12" height="12" fill="${color(i)}"/>`,
      `<text x="${x + 16}" y="${y + 10}">${xmlText(name)}</text>`,
    );
    x += width + 12;
  }
  return { svg: out.join('\n'), height: y - top + 26 };
}

/** Vertical bars, the series side by side in each category; value axis on the left. */
function grouped(chart: BarChart, top: number): { svg: string; height: number } {
  const left = 70;
  const plotHeight = 220;
  const plotWidth = WIDTH - left - 24;
  const max = niceMax(
    Math.max(...chart.series.flatMap((s) => s.values).filter(Number.isFinite), chart.marker?.value ?? 0),
  );
  const y = (value: number) => top + plotHeight - (value / max) * plotHeight;
  const out = [
    ...valueTicks(max, (value) => ({ x1: left, x2: left + plotWidth, y1: y(value), y2: y(value) }), chart.unit, 'left'),
  ];
  const groupWidth = plotWidth / chart.categories.length;
  const barWidth = Math.min(40, (groupWidth * 0.8) / chart.series.length);
  for (const [s, series] of chart.series.entries()) {
    out.push(`<g data-series="${xmlText(series.name)}" fill="${color(s)}">`);
    for (const [c, value] of series.values.entries()) {
      if (!Number.isFinite(value)) continue;
      const x = left + c * groupWidth + (groupWidth - barWidth * chart.series.length) / 2 + s * barWidth;
      out.push(
        `<rect x="${fmt(x)}" y="${fmt(y(value))}" width="${fmt(barWidth - 2)}" height="${fmt(top + plotHeight - y(value))}">` +
          `<title>${xmlText(`${chart.categories[c]}, ${series.name}: ${label(value)} ${chart.unit}`)}</title></rect>`,
      );
    }
    out.push('</g>');
  }
  for (const [c, category] of chart.categories.entries()) {
    out.push(
      `<text x="${fmt(left + (c + 0.5) * groupWidth)}" y="${top + plotHeight + 16}" text-anchor="middle">${xmlText(category)}</text>`,
    );
  }
  if (chart.marker) out.push(markerLine(chart.marker, left, left + plotWidth, y(chart.marker.value), 'horizontal'));
  return { svg: out.join('\n'), height: plotHeight + 24 };
}

/** Horizontal bars, one per category, its series end to end; value axis along the bottom. */
function stacked(chart: BarChart, top: number): { svg: string; height: number } {
  const left = 230;
  const rowHeight = 22;
  const plotWidth = WIDTH - left - 40;
  const plotHeight = chart.categories.length * rowHeight;
  const totals = chart.categories.map((_, c) =>
    chart.series.reduce((sum, s) => sum + (Number.isFinite(s.values[c]) ? s.values[c] : 0), 0),
  );
  const max = niceMax(Math.max(...totals, chart.marker?.value ?? 0));
  const x = (value: number) => left + (value / max) * plotWidth;
  const out = [
    ...valueTicks(
      max,
      (value) => ({ x1: x(value), x2: x(value), y1: top, y2: top + plotHeight }),
      chart.unit,
      'bottom',
    ),
  ];
  const offsets = chart.categories.map(() => 0);
  for (const [s, series] of chart.series.entries()) {
    out.push(`<g data-series="${xmlText(series.name)}" fill="${color(s)}">`);
    for (const [c, value] of series.values.entries()) {
      if (!Number.isFinite(value) || value <= 0) continue;
      out.push(
        `<rect x="${fmt(x(offsets[c]))}" y="${top + c * rowHeight + 3}" width="${fmt(x(value) - left)}" height="${rowHeight - 6}">` +
          `<title>${xmlText(`${chart.categories[c]}, ${series.name}: ${label(value)} ${chart.unit}`)}</title></rect>`,
      );
      offsets[c] += value;
    }
    out.push('</g>');
  }
  for (const [c, category] of chart.categories.entries()) {
    const middle = top + c * rowHeight + rowHeight / 2 + 4;
    out.push(
      `<text x="${left - 8}" y="${middle}" text-anchor="end">${xmlText(category)}</text>`,
      `<text x="${fmt(x(totals[c]) + 4)}" y="${middle}" fill="#555">${label(totals[c])}</text>`,
    );
  }
  if (chart.marker) out.push(markerLine(chart.marker, top, top + plotHeight, x(chart.marker.value), 'vertical'));
  return { svg: out.join('\n'), height: plotHeight + 30 };
}

function valueTicks(
  max: number,
  line: (value: number) => { x1: number; x2: number; y1: number; y2: number },
  unit: string,
  axis: 'left' | 'bottom',
): string[] {
  const out: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const value = (max / 4) * i;
    const { x1, x2, y1, y2 } = line(value);
    out.push(`<line x1="${fmt(x1)}" y1="${fmt(y1)}" x2="${fmt(x2)}" y2="${fmt(y2)}" stroke="#ddd"/>`);
    const text = `${label(value)}${i === 4 ? ` ${unit}` : ''}`;
    out.push(
      axis === 'left'
        ? `<text x="${fmt(x1 - 6)}" y="${fmt(y1 + 4)}" text-anchor="end" fill="#555">${xmlText(text)}</text>`
        : `<text x="${fmt(x1)}" y="${fmt(y2 + 16)}" text-anchor="middle" fill="#555">${xmlText(text)}</text>`,
    );
  }
  return out;
}

function markerLine(
  marker: { label: string; value: number },
  from: number,
  to: number,
  at: number,
  direction: 'horizontal' | 'vertical',
): string {
  const text = `${marker.label}: ${label(marker.value)}`;
  return direction === 'horizontal'
    ? `<g data-marker="${xmlText(marker.label)}"><line x1="${fmt(from)}" y1="${fmt(at)}" x2="${fmt(to)}" y2="${fmt(at)}" stroke="#333" stroke-dasharray="4 3"/>` +
        `<text x="${fmt(to)}" y="${fmt(at - 4)}" text-anchor="end" fill="#333">${xmlText(text)}</text></g>`
    : `<g data-marker="${xmlText(marker.label)}"><line x1="${fmt(at)}" y1="${fmt(from)}" x2="${fmt(at)}" y2="${fmt(to)}" stroke="#333" stroke-dasharray="4 3"/>` +
        `<text x="${fmt(at + 4)}" y="${fmt(from - 2)}" fill="#333">${xmlText(text)}</text></g>`;
}

/** 1, 2 or 5 times a power of ten, at or above `value`: round tick labels. */
function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

function label(value: number): string {
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1).replace(/\.0$/, '');
  return value.toFixed(2).replace(/\.?0+$/, '') || '0';
}

function fmt(value: number): string {
  return value.toFixed(1).replace(/\.0$/, '');
}

function color(i: number): string {
  return PALETTE[i % PALETTE.length];
}

function xmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
