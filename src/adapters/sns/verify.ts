import { createVerify } from 'node:crypto';
import { z } from 'zod';
import { type CertFetcher, isCertUrlForTopic } from './certificates.js';

export {
  type CertFetcher,
  httpsCertFetcher,
  isCertUrlForTopic,
  isSnsCertUrl,
  snsCertHost,
} from './certificates.js';

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

export type Verification = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export interface VerifierOptions {
  readonly fetchCert: CertFetcher;
  /** Extra certificate URLs to accept (the sandbox's own); production passes none. */
  readonly trustCertUrl?: ((url: string) => boolean) | undefined;
}

export function createSnsVerifier(opts: VerifierOptions) {
  return async function verify(m: SnsEnvelope): Promise<Verification> {
    const trusted =
      isCertUrlForTopic(m.SigningCertURL, m.TopicArn) || (opts.trustCertUrl?.(m.SigningCertURL) ?? false);
    if (!trusted)
      return {
        ok: false,
        reason: `certificate URL is not SNS's in the topic's region: ${m.SigningCertURL}`,
      };
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
