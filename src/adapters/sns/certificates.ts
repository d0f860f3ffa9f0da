const SNS_HOST = /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;
const TOPIC_REGION = /^arn:[a-z-]+:sns:([a-z]{2}(?:-[a-z]+)+-\d+):/;

/**
 * https, a real SNS host (lookalikes such as sns.us-east-1.amazonaws.com.evil.example fail), a .pem
 * path, nothing else. Real certificate URLs carry no query, so one is refused: every variant would
 * otherwise be a new cache entry.
 */
export function isSnsCertUrl(raw: string): boolean {
  const url = parseUrl(raw);
  return (
    url !== undefined &&
    url.protocol === 'https:' &&
    SNS_HOST.test(url.hostname) &&
    url.port === '' &&
    url.pathname.endsWith('.pem') &&
    url.search === '' &&
    url.hash === '' &&
    !url.username &&
    !url.password
  );
}

/** The host SNS signs a topic's messages from: its own region's endpoint (China regions under .com.cn). */
export function snsCertHost(topicArn: string): string | undefined {
  const region = TOPIC_REGION.exec(topicArn)?.[1];
  if (region === undefined) return undefined;
  return region.startsWith('cn-') ? `sns.${region}.amazonaws.com.cn` : `sns.${region}.amazonaws.com`;
}

/** An SNS certificate URL on the endpoint of the topic's own region, not a valid-looking one elsewhere. */
export function isCertUrlForTopic(raw: string, topicArn: string): boolean {
  const host = snsCertHost(topicArn);
  return host !== undefined && isSnsCertUrl(raw) && parseUrl(raw)?.hostname === host;
}

function parseUrl(raw: string): URL | undefined {
  try {
    return new URL(raw);
  } catch {
    return undefined;
  }
}

export type CertFetcher = (url: string) => Promise<string>;

export const DEFAULT_CERT_CACHE_ENTRIES = 32;

export interface CertFetcherOptions {
  readonly timeoutMs?: number;
  /** Certificates kept; the least recently used goes first. */
  readonly maxEntries?: number;
}

/**
 * Fetches signing certificates over HTTPS only, from SNS hosts only. Certificates are cached in a
 * bounded LRU; a failed fetch is not cached at all (callers asking at the same time share it).
 */
export function httpsCertFetcher(fetchFn: typeof fetch = fetch, opts: CertFetcherOptions = {}): CertFetcher {
  const { timeoutMs = 5000, maxEntries = DEFAULT_CERT_CACHE_ENTRIES } = opts;
  const cache = new Map<string, string>(); // insertion order is recency: the first key is the oldest
  const pending = new Map<string, Promise<string>>();

  const remember = (url: string, pem: string) => {
    cache.delete(url);
    cache.set(url, pem);
    for (const oldest of cache.keys()) {
      if (cache.size <= maxEntries) break;
      cache.delete(oldest);
    }
  };
  const download = async (url: string) => {
    const r = await fetchFn(url, { redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
    if (!r.ok) throw new Error(`certificate fetch answered ${r.status}`);
    const pem = await r.text();
    if (pem.length > 64 * 1024 || !pem.includes('-----BEGIN CERTIFICATE-----'))
      throw new Error('not a PEM certificate');
    return pem;
  };

  return async (url) => {
    if (!isSnsCertUrl(url)) throw new Error(`not an SNS certificate URL: ${url}`);
    const hit = cache.get(url);
    if (hit !== undefined) {
      remember(url, hit);
      return hit;
    }
    let inFlight = pending.get(url);
    if (!inFlight) {
      inFlight = download(url)
        .then((pem) => {
          remember(url, pem);
          return pem;
        })
        .finally(() => pending.delete(url));
      pending.set(url, inFlight);
    }
    return inFlight;
  };
}
