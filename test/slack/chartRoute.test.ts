import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResvgRenderer } from '../../src/adapters/render/resvg.js';
import { silentLogger } from '../../src/lib/logger.js';
import { chartRoute, chartSvg } from '../../src/slack/chartRoute.js';
import {
  type ChartSpec,
  MAX_CHART_FILE,
  MAX_WEEKS,
  chartFile,
  chartKey,
  readChartFile,
} from '../../src/slack/chartUrl.js';
import { decodePng } from '../support/png.js';

const DAY = 86_400_000;
const key = chartKey('signing-secret');
const spec: ChartSpec = {
  app: 'todobackend',
  from: 20_400 * DAY,
  weeks: [
    { deploys: 1, failures: 0 },
    { deploys: 3, failures: 0 },
    { deploys: 5, failures: 1 },
    { deploys: 7, failures: 0 },
  ],
};

const resvg = createResvgRenderer();
let renders = 0;
let server: Server;
let base: string;

beforeAll(async () => {
  const route = chartRoute({
    key,
    renderer: { png: (svg) => ((renders += 1), resvg.png(svg)) },
    logger: silentLogger,
    cacheSize: 2,
  });
  server = createServer(route.handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const get = async (path: string, method = 'GET') => {
  const r = await fetch(`${base}${path}`, { method });
  return { status: r.status, type: r.headers.get('content-type'), body: Buffer.from(await r.arrayBuffer()) };
};

/** The same file with one character of `part` (0 payload, 1 signature) changed. */
function tampered(file: string, part: 0 | 1): string {
  const parts = file.split('.');
  const s = parts[part]!;
  parts[part] = `${s.slice(0, 5)}${s[5] === 'A' ? 'B' : 'A'}${s.slice(6)}`;
  return parts.join('.');
}

describe('chart URLs', () => {
  it('say the same figures with the same URL, and other figures or another key with another', () => {
    expect(chartFile(key, spec)).toBe(chartFile(key, { ...spec, weeks: [...spec.weeks] }));
    expect(chartFile(key, spec)).not.toBe(chartFile(key, { ...spec, from: spec.from + 7 * DAY }));
    expect(chartFile(chartKey('another-secret'), spec)).not.toBe(chartFile(key, spec));
    expect(chartFile(key, spec)).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}\.png$/);
  });

  it('read back what they were made from, and nothing without the right signature', () => {
    const file = chartFile(key, spec);
    expect(readChartFile(key, file)).toEqual({ ok: true, spec });
    expect(readChartFile(chartKey('another-secret'), file)).toEqual({ ok: false, reason: 'unsigned' });
    expect(readChartFile(key, tampered(file, 0))).toEqual({ ok: false, reason: 'unsigned' });
    expect(readChartFile(key, tampered(file, 1))).toEqual({ ok: false, reason: 'unsigned' });
    expect(readChartFile(key, file.replace('.png', '.svg'))).toEqual({ ok: false, reason: 'unsigned' });
  });

  it('stay far below Slack’s 3,000 characters for the largest chart a URL may carry', () => {
    const year: ChartSpec = {
      app: 'a'.repeat(63),
      from: spec.from,
      weeks: Array.from({ length: MAX_WEEKS }, () => ({ deploys: 99_999, failures: 99_999 })),
    };
    const file = chartFile(key, year);
    expect(file.length).toBeLessThanOrEqual(MAX_CHART_FILE);
    expect(readChartFile(key, file)).toEqual({ ok: true, spec: year });
    // One week more than a URL may carry is refused even when signed.
    const tooMany = { ...year, app: 'a', weeks: [...year.weeks, { deploys: 1, failures: 0 }] };
    expect(readChartFile(key, chartFile(key, tooMany)).ok).toBe(false);
  });
});

describe('GET /charts/<payload>.<signature>.png', () => {
  it('answers a signed URL with the PNG of the chart it carries, 720×360, and caches it for good', async () => {
    const r = await fetch(`${base}/charts/${chartFile(key, spec)}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('image/png');
    expect(r.headers.get('cache-control')).toContain('immutable');
    const png = Buffer.from(await r.arrayBuffer());
    expect(decodePng(png)).toMatchObject({ width: 720, height: 360 });
    expect(png.equals(resvg.png(chartSvg(spec)))).toBe(true);
    expect(chartSvg(spec)).toContain('Deploys and failures per week: todobackend, last 4 weeks to today');
  });

  it('renders each URL once while it stays among the last few served', async () => {
    const a = chartFile(key, { ...spec, app: 'cache-a' });
    const b = chartFile(key, { ...spec, app: 'cache-b' });
    const c = chartFile(key, { ...spec, app: 'cache-c' });
    const before = renders;
    for (const f of [a, a, b, a, b]) expect((await get(`/charts/${f}`)).status).toBe(200);
    expect(renders - before).toBe(2);
    // A third pushes out the least recently used (a): a is drawn again, b is not.
    await get(`/charts/${c}`);
    await get(`/charts/${b}`);
    await get(`/charts/${a}`);
    expect(renders - before).toBe(4);
  });

  it('answers HEAD with the headers alone', async () => {
    const r = await get(`/charts/${chartFile(key, spec)}`, 'HEAD');
    expect(r).toMatchObject({ status: 200, type: 'image/png' });
    expect(r.body.length).toBe(0);
  });

  it.each([
    ['a payload changed', () => tampered(chartFile(key, spec), 0)],
    ['a signature changed', () => tampered(chartFile(key, spec), 1)],
    ['another key’s signature', () => chartFile(chartKey('not-ours'), spec)],
    ['no signature', () => chartFile(key, spec).split('.')[0]! + '.png'],
    ['not a chart name', () => '..%2f..%2fetc%2fpasswd'],
  ])('answers %s with a bare 404, drawing nothing', async (_, file) => {
    const before = renders;
    const r = await get(`/charts/${file()}`);
    expect(r.status).toBe(404);
    expect(r.body.length).toBe(0);
    expect(renders).toBe(before);
  });

  it('refuses a URL longer than any chart’s with 414, before reading it', async () => {
    const r = await get(`/charts/${'A'.repeat(MAX_CHART_FILE + 1)}.png`);
    expect(r.status).toBe(414);
    expect(r.body.length).toBe(0);
  });
});
