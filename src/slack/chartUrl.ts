import { createHmac, timingSafeEqual } from 'node:crypto';
import { DAY_MS, type WeekCount } from '../usecases/stats/figures.js';

/**
 * What a chart URL draws: one app's deploys and failures per week, from a UTC day on. The URL
 * carries it whole and signed, so any replica can draw it on request with nothing stored, and the
 * same figures always give the same URL (Slack caches images by URL).
 */
export interface ChartSpec {
  readonly app: string;
  /** The first week's start: a UTC midnight. */
  readonly from: number;
  readonly weeks: readonly Pick<WeekCount, 'deploys' | 'failures'>[];
}

/** The file part of a chart URL (`<payload>.<signature>.png`) is refused past this length. */
export const MAX_CHART_FILE = 512;
/**
 * At most a quarter of weeks, and counts a chart can still draw: what one render costs is bounded by
 * what a URL may carry (the largest, about 100 ms; the Home tab's four weeks, about 50 ms).
 */
export const MAX_WEEKS = 13;
const MAX_COUNT = 99_999;
/** App names as the configuration allows them (config/schema.ts). */
const APP = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const VERSION = 'c1';
/** 128 bits of HMAC-SHA256: unguessable, and short in the URL. */
const SIGNATURE_BYTES = 16;

/**
 * The key chart URLs are signed with, derived from a secret every replica has (the signing secret)
 * under its own label, so a chart URL says nothing about that secret and cannot stand for a Slack
 * request signature.
 */
export function chartKey(secret: string): Buffer {
  return createHmac('sha256', secret).update('capstan/chart-url/v1').digest();
}

const sign = (key: Buffer, payload: string) =>
  createHmac('sha256', key).update(`${VERSION}.${payload}`).digest().subarray(0, SIGNATURE_BYTES);

/** `<payload>.<signature>.png`, all in base64url: what goes after `/charts/`. */
export function chartFile(key: Buffer, spec: ChartSpec): string {
  const weeks = spec.weeks.map((w) => `${w.deploys}.${w.failures}`).join('_');
  const text = `${VERSION}~${spec.app}~${Math.floor(spec.from / DAY_MS)}~${weeks}`;
  const payload = Buffer.from(text, 'utf8').toString('base64url');
  return `${payload}.${sign(key, payload).toString('base64url')}.png`;
}

export type ChartFileReading =
  | { readonly ok: true; readonly spec: ChartSpec }
  | { readonly ok: false; readonly reason: 'too_long' | 'unsigned' };

const count = (s: string | undefined) =>
  s !== undefined && /^\d{1,5}$/.test(s) && Number(s) <= MAX_COUNT ? Number(s) : undefined;

/**
 * Reads a chart file name: its length first, then the signature (before anything else is read),
 * then the payload. Anything that does not verify is `unsigned`, with no more said.
 */
export function readChartFile(key: Buffer, file: string): ChartFileReading {
  if (file.length > MAX_CHART_FILE) return { ok: false, reason: 'too_long' };
  const unsigned = { ok: false, reason: 'unsigned' } as const;
  const m = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.png$/.exec(file);
  if (!m) return unsigned;
  const [, payload, signature] = m as unknown as [string, string, string];
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== SIGNATURE_BYTES || !timingSafeEqual(given, sign(key, payload))) return unsigned;
  const [version, app, day, weeks, ...rest] = Buffer.from(payload, 'base64url').toString('utf8').split('~');
  if (version !== VERSION || rest.length > 0 || !app || !APP.test(app) || !day || !/^\d{1,6}$/.test(day))
    return unsigned;
  const parsed = (weeks ?? '').split('_').map((w) => {
    const [deploys, failures, extra] = w.split('.');
    const d = count(deploys);
    const f = count(failures);
    return d === undefined || f === undefined || extra !== undefined
      ? undefined
      : { deploys: d, failures: f };
  });
  if (parsed.length > MAX_WEEKS || parsed.some((w) => w === undefined)) return unsigned;
  return {
    ok: true,
    spec: { app, from: Number(day) * DAY_MS, weeks: parsed as { deploys: number; failures: number }[] },
  };
}
