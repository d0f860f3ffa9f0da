import { createVerify } from 'node:crypto';
import { z } from 'zod';

/** The JSON body SNS posts (and wraps SQS deliveries in). Unknown extra fields are tolerated. */
export const envelopeSchema = z.looseObject({
  Type: z.enum(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']),
  MessageId: z.string().min(1),
  TopicArn: z.string().min(1),
  Message: z.string(),
  Timestamp: z.string().min(1),
  SignatureVersion: z.string(),
  Signature: z.string().min(1),
  SigningCertURL: z.string().min(1),
  Subject: z.string().nullish(),
  Token: z.string().optional(),
  SubscribeURL: z.string().optional(),
  UnsubscribeURL: z.string().optional(),
});

export type SnsEnvelope = z.infer<typeof envelopeSchema>;

const NOTIFICATION_KEYS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const;
const CONFIRMATION_KEYS = [
  'Message',
  'MessageId',
  'SubscribeURL',
  'Timestamp',
  'Token',
  'TopicArn',
  'Type',
] as const;

/**
 * `name\nvalue\n` for each signed key, in SNS's order. Subject is signed only when present.
 * UnsubscribeConfirmation uses the same keys as SubscriptionConfirmation (Token included),
 * which is where aws-js-sns-message-validator 0.3.5 goes wrong.
 */
export function stringToSign(m: SnsEnvelope): string {
  const keys = m.Type === 'Notification' ? NOTIFICATION_KEYS : CONFIRMATION_KEYS;
  let out = '';
  for (const k of keys) {
    const v = m[k];
    if (v === undefined || v === null) {
      if (k === 'Subject') continue;
      throw new Error(`missing ${k}`);
    }
    out += `${k}\n${v}\n`;
  }
  return out;
}

const SNS_HOST = /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

/** https, a real SNS host (lookalikes such as sns.us-east-1.amazonaws.com.evil.example fail), a .pem path. */
export function isSnsCertUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  return (
    url.protocol === 'https:' &&
    SNS_HOST.test(url.hostname) &&
    url.port === '' &&
    url.pathname.endsWith('.pem') &&
    !url.username &&
    !url.password
  );
}

export type CertFetcher = (url: string) => Promise<string>;

/** Fetches signing certificates over HTTPS only, from SNS hosts only, and caches them. */
export function httpsCertFetcher(fetchFn: typeof fetch = fetch, timeoutMs = 5000): CertFetcher {
  const cache = new Map<string, Promise<string>>();
  return (url) => {
    if (!isSnsCertUrl(url)) return Promise.reject(new Error(`not an SNS certificate URL: ${url}`));
    let hit = cache.get(url);
    if (!hit) {
      hit = (async () => {
        const r = await fetchFn(url, { redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
        if (!r.ok) throw new Error(`certificate fetch answered ${r.status}`);
        const pem = await r.text();
        if (pem.length > 64 * 1024 || !pem.includes('-----BEGIN CERTIFICATE-----'))
          throw new Error('not a PEM certificate');
        return pem;
      })();
      hit.catch(() => cache.delete(url));
      cache.set(url, hit);
    }
    return hit;
  };
}

export type Verification = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export interface VerifierOptions {
  readonly fetchCert: CertFetcher;
  /** Extra certificate URLs to accept (the sandbox's own); production passes none. */
  readonly trustCertUrl?: ((url: string) => boolean) | undefined;
}

export function createSnsVerifier(opts: VerifierOptions) {
  return async function verify(m: SnsEnvelope): Promise<Verification> {
    const trusted = isSnsCertUrl(m.SigningCertURL) || (opts.trustCertUrl?.(m.SigningCertURL) ?? false);
    if (!trusted) return { ok: false, reason: `certificate URL is not an SNS one: ${m.SigningCertURL}` };
    const algorithm =
      m.SignatureVersion === '1' ? 'RSA-SHA1' : m.SignatureVersion === '2' ? 'RSA-SHA256' : undefined;
    if (!algorithm) return { ok: false, reason: `unsupported SignatureVersion ${m.SignatureVersion}` };
    let text: string;
    try {
      text = stringToSign(m);
    } catch (e) {
      return { ok: false, reason: e instanceof Error ? e.message : 'cannot build the string to sign' };
    }
    let pem: string;
    try {
      pem = await opts.fetchCert(m.SigningCertURL);
    } catch (e) {
      return {
        ok: false,
        reason: `cannot fetch the signing certificate: ${e instanceof Error ? e.message : String(e)}`,
      };
    }
    try {
      const ok = createVerify(algorithm).update(text, 'utf8').verify(pem, m.Signature, 'base64');
      return ok ? { ok: true } : { ok: false, reason: 'signature does not match' };
    } catch (e) {
      return { ok: false, reason: `signature check failed: ${e instanceof Error ? e.message : String(e)}` };
    }
  };
}

export type SnsVerifier = ReturnType<typeof createSnsVerifier>;
