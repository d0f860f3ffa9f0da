import type { IncomingMessage, ServerResponse } from 'node:http';
import { HTTPModuleFunctions, type ReceiverDispatchErrorHandlerArgs } from '@slack/bolt';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { ImageRenderer } from '../ports/files.js';
import { DAY_MS } from '../usecases/stats/figures.js';
import { weeklyChartSvg } from '../views/chart.js';
import { homeChartTitle } from '../views/homeChart.js';
import { type ChartSpec, MAX_CHART_FILE, readChartFile } from './chartUrl.js';

export const CHARTS_PATH = '/charts';

export interface ChartRouteDeps {
  /** chartKey(secret): what chart URLs are signed with. */
  readonly key: Buffer;
  readonly renderer: ImageRenderer;
  readonly logger: Logger;
  /** Rendered PNGs kept (about 30 kB each). */
  readonly cacheSize?: number | undefined;
}

/** The same figures give the same URL: what it names never changes. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** The chart a spec names, as the Home tab says it (views/homeChart.ts). */
export function chartSvg(spec: ChartSpec): string {
  const weeks = spec.weeks.map((w, i) => ({ ...w, start: spec.from + i * 7 * DAY_MS }));
  return weeklyChartSvg(homeChartTitle(spec.app, 7 * weeks.length), weeks);
}

/** A small least-recently-used map: a Map keeps insertion order, and a hit is moved to the end. */
class Lru<V> {
  private readonly entries = new Map<string, V>();
  constructor(private readonly size: number) {}
  get(k: string): V | undefined {
    const v = this.entries.get(k);
    if (v === undefined) return undefined;
    this.entries.delete(k);
    this.entries.set(k, v);
    return v;
  }
  set(k: string, v: V): void {
    this.entries.delete(k);
    this.entries.set(k, v);
    while (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value!);
  }
}

/**
 * `GET /charts/<payload>.<signature>.png`: the Home tab's chart, drawn from what its signed URL
 * carries (no storage: any replica answers). A URL too long is refused (414) before anything is
 * read; one whose signature does not verify is a bare 404. What a render costs is bounded by what a
 * URL may carry (MAX_WEEKS weeks, one app name), and each URL is rendered once per replica while
 * it stays in the cache.
 */
export function chartRoute(deps: ChartRouteDeps) {
  const cache = new Lru<Buffer>(deps.cacheSize ?? 64);
  const end = (res: ServerResponse, status: number) => {
    res.writeHead(status, { 'content-length': '0', 'cache-control': 'no-store' });
    res.end();
  };
  return {
    path: `${CHARTS_PATH}/:file`,
    method: ['GET', 'HEAD'],
    handler: (req: IncomingMessage, res: ServerResponse) => {
      const url = req.url ?? '';
      if (url.length > CHARTS_PATH.length + 1 + MAX_CHART_FILE) return end(res, 414);
      const path = url.split('?')[0] ?? '';
      const file = path.slice(CHARTS_PATH.length + 1);
      if (!path.startsWith(`${CHARTS_PATH}/`) || file.includes('/')) return end(res, 404);
      let png = cache.get(file);
      if (!png) {
        const reading = readChartFile(deps.key, file);
        if (!reading.ok) return end(res, reading.reason === 'too_long' ? 414 : 404);
        try {
          png = deps.renderer.png(chartSvg(reading.spec));
        } catch (e) {
          deps.logger.warn('could not render a chart', { app: reading.spec.app, error: errorMessage(e) });
          return end(res, 500);
        }
        cache.set(file, png);
      }
      res.writeHead(200, {
        'content-type': 'image/png',
        'content-length': String(png.length),
        'cache-control': IMMUTABLE,
      });
      res.end(req.method === 'HEAD' ? undefined : png);
    },
  };
}

/**
 * Bolt's HTTP receiver decodes a route's parameters before any route runs: a malformed escape
 * (`/charts/%`) throws there, and its default answer is a 500 logged as an error. Such a path names
 * nothing: 404, as for any unknown path. Every other error is Bolt's to answer.
 */
export function notFoundOnMalformedPath(args: ReceiverDispatchErrorHandlerArgs): void {
  if (!(args.error instanceof URIError)) return HTTPModuleFunctions.defaultDispatchErrorHandler(args);
  args.response.writeHead(404);
  args.response.end();
}
