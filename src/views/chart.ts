import type { WeekCount } from '../usecases/stats/figures.js';

/** The chart's size in pixels (the PNG is rendered at this size). */
export const CHART = { width: 720, height: 360 } as const;

const PAD = { left: 48, right: 16, top: 44, bottom: 52 };
const COLOURS = { deploys: '#2e7d32', failures: '#c62828', axis: '#555555', grid: '#dddddd' } as const;

const xml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** "7 Dec": week starts in UTC (the chart is a picture; no reader's time zone can be applied). */
export function dayLabel(ms: number): string {
  const d = new Date(ms);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  return `${d.getUTCDate()} ${months[d.getUTCMonth()]}`;
}

/** A week's label: its first day; the last week of a chart ends with today, which it holds so far. */
export function weekLabel(weeks: readonly WeekCount[], i: number): string {
  const start = dayLabel(weeks[i]!.start);
  return i === weeks.length - 1 ? `${start}–today` : start;
}

/** Weeks of several environments added up, week by week (they share one window). */
export function addWeeks(all: readonly (readonly WeekCount[])[]): WeekCount[] {
  const first = all[0] ?? [];
  return first.map((w, i) => ({
    start: w.start,
    deploys: all.reduce((n, ws) => n + (ws[i]?.deploys ?? 0), 0),
    failures: all.reduce((n, ws) => n + (ws[i]?.failures ?? 0), 0),
  }));
}

/**
 * The value axis: whole numbers only, a gridline every `step` (1, 2 or 5 times a power of ten, at
 * most about five lines), and its top the first gridline at or above `most`, so every line's label is
 * the value it stands at.
 */
export function axisOf(most: number): { readonly top: number; readonly step: number } {
  const rough = Math.max(1, most / 5);
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  return { top: Math.ceil(most / step) * step, step };
}

/** The chart's title: what it shows and over how many weeks (the same on /deploy stats and the Home tab). */
export function weeklyChartTitle(what: string, weeks: number): string {
  return `Deploys and failures per week: ${what}, last ${weeks === 1 ? 'week' : `${weeks} weeks`} to today`;
}

/** Deploys and failures per week as paired bars, each bar labelled with its count. */
export function weeklyChartSvg(title: string, weeks: readonly WeekCount[]): string {
  const { width, height } = CHART;
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const { top: max, step } = axisOf(Math.max(1, ...weeks.map((w) => w.deploys)));
  const slot = plotW / Math.max(1, weeks.length);
  const bar = Math.min(28, slot / 3);
  const y = (n: number) => PAD.top + plotH - (n / max) * plotH;
  const parts: string[] = [];
  const text = (x: number, ty: number, s: string, extra = '') =>
    `<text x="${x.toFixed(1)}" y="${ty.toFixed(1)}" ${extra}>${xml(s)}</text>`;
  for (let n = 0; n <= max; n += step) {
    const gy = y(n);
    parts.push(
      `<line x1="${PAD.left}" y1="${gy.toFixed(1)}" x2="${width - PAD.right}" y2="${gy.toFixed(1)}" stroke="${COLOURS.grid}"/>`,
    );
    parts.push(text(PAD.left - 6, gy + 4, String(n), 'text-anchor="end" font-size="11"'));
  }
  weeks.forEach((w, i) => {
    const x0 = PAD.left + i * slot + slot / 2 - bar;
    for (const [k, n, x] of [
      ['deploys', w.deploys, x0],
      ['failures', w.failures, x0 + bar],
    ] as const) {
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y(n).toFixed(1)}" width="${(bar - 2).toFixed(1)}" height="${(PAD.top + plotH - y(n)).toFixed(1)}" fill="${COLOURS[k]}"/>`,
      );
      if (n > 0)
        parts.push(text(x + bar / 2 - 1, y(n) - 4, String(n), 'text-anchor="middle" font-size="11"'));
    }
    parts.push(
      text(
        PAD.left + i * slot + slot / 2,
        height - PAD.bottom + 18,
        weekLabel(weeks, i),
        'text-anchor="middle" font-size="11"',
      ),
    );
  });
  const legend = [
    `<rect x="${PAD.left}" y="${height - 20}" width="12" height="12" fill="${COLOURS.deploys}"/>`,
    text(PAD.left + 16, height - 10, 'deploys', 'font-size="12"'),
    `<rect x="${PAD.left + 90}" y="${height - 20}" width="12" height="12" fill="${COLOURS.failures}"/>`,
    text(
      PAD.left + 106,
      height - 10,
      'failures (failed, rolled back, or followed by a rollback)',
      'font-size="12"',
    ),
  ];
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    text(PAD.left, 26, title, 'font-size="16" font-weight="bold"'),
    `<line x1="${PAD.left}" y1="${PAD.top + plotH}" x2="${width - PAD.right}" y2="${PAD.top + plotH}" stroke="${COLOURS.axis}"/>`,
    ...parts,
    ...legend,
    '</svg>',
  ].join('\n');
}

/** The chart said in words: Slack shows it to screen readers, and the figures stay readable without the picture. */
export function weeklyChartAltText(title: string, weeks: readonly WeekCount[]): string {
  const n = (k: number, what: string) => `${k} ${what}${k === 1 ? '' : 's'}`;
  const lines = weeks.map(
    (w, i) => `week of ${weekLabel(weeks, i)}: ${n(w.deploys, 'deploy')}, ${n(w.failures, 'failure')}`,
  );
  return `${title}. ${lines.join('; ')}.`.slice(0, 1000);
}
