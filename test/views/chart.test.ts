import { describe, expect, it } from 'vitest';
import { createResvgRenderer } from '../../src/adapters/render/resvg.js';
import { deliveryFigures } from '../../src/usecases/stats/figures.js';
import { CHART, addWeeks, axisOf, weeklyChartAltText, weeklyChartSvg } from '../../src/views/chart.js';
import { chartWeeks } from '../../src/usecases/stats/weeks.js';
import { HISTORY, day } from '../fixtures/delivery.js';
import { decodePng } from '../support/png.js';

const WEEKS = chartWeeks(day(14), 14);
const weeks = deliveryFigures(HISTORY, WEEKS, { isVerified: () => true, weeks: WEEKS }).weeks;

describe('the weekly chart', () => {
  it('labels each gridline with the value it stands at: whole steps of 1, 2 or 5, the top a step at or above the most', () => {
    expect([1, 3, 5, 7, 12, 57, 140].map(axisOf)).toEqual([
      { top: 1, step: 1 },
      { top: 3, step: 1 },
      { top: 5, step: 1 },
      { top: 8, step: 2 },
      { top: 15, step: 5 },
      { top: 60, step: 20 },
      { top: 150, step: 50 },
    ]);
    const svg = weeklyChartSvg('t', [{ start: 0, deploys: 7, failures: 1 }]);
    const labels = [...svg.matchAll(/text-anchor="end" font-size="11">(\d+)</g)].map((m) => m[1]);
    expect(labels).toEqual(['0', '2', '4', '6', '8']);
  });

  it('renders in-process to a PNG that decodes, at the chart size', () => {
    const png = createResvgRenderer().png(weeklyChartSvg('Deploys <and> failures', weeks));
    const image = decodePng(png);
    expect({ width: image.width, height: image.height }).toEqual({
      width: CHART.width,
      height: CHART.height,
    });
    expect(image.rows).toHaveLength(CHART.height);
  });

  it('draws its words: a font is found, so a title changes the picture', () => {
    const r = createResvgRenderer();
    const titled = r.png(weeklyChartSvg('Deploys per week', weeks));
    const untitled = r.png(weeklyChartSvg('', weeks));
    expect(titled.equals(untitled)).toBe(false);
  });

  it('bars and counts in the SVG, outside text escaped', () => {
    const svg = weeklyChartSvg('a <b> & c', weeks);
    expect(svg).toContain('a &lt;b&gt; &amp; c');
    expect(svg.match(/<rect /g)).toHaveLength(1 + 2 * weeks.length + 2);
    expect(weeklyChartAltText('t', weeks)).toBe(
      't. week of 21 Nov: 4 deploys, 2 failures; week of 28 Nov–today: 2 deploys, 1 failure.',
    );
  });

  it('adds up the weeks of several environments', () => {
    expect(addWeeks([weeks, weeks])[0]).toEqual({ start: WEEKS.from, deploys: 8, failures: 4 });
    expect(addWeeks([])).toEqual([]);
  });
});
