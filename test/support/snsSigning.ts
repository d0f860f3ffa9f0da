import { createSign } from 'node:crypto';
import { generate } from 'selfsigned';
import type { SnsEnvelope } from '../../src/adapters/sns/verify.js';

export const TOPIC = 'arn:aws:sns:us-east-1:123456789012:capstan-approvals';
export const CERT_URL =
  'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem';
/** A genuine-looking SNS certificate URL, but of another region than TOPIC's. */
export const OTHER_REGION_CERT_URL =
  'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem';

export interface TestSigner {
  readonly cert: string;
  readonly key: string;
  sign(
    m: Omit<SnsEnvelope, 'Signature' | 'SignatureVersion' | 'SigningCertURL'> & { SigningCertURL?: string },
    version?: '1' | '2',
  ): SnsEnvelope;
  /** The injectable certificate fetcher: serves the test certificate at its `certUrls` only. */
  fetchCert(url: string): Promise<string>;
  fetched: string[];
}

/**
 * The keys SNS signs, in its (byte-sorted) order, as AWS documents them in the SNS Developer Guide
 * ("Verifying the signatures of Amazon SNS messages"): written here, never taken from Capstan, so
 * that a mistake in Capstan's own list cannot sign and verify alike.
 */
const CONFIRMATION = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
const SIGNED_KEYS: Readonly<Record<string, readonly string[]>> = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: CONFIRMATION,
  UnsubscribeConfirmation: CONFIRMATION,
};

/** What SNS signs: `name\nvalue\n` for each key; a Notification's Subject only when it has one. */
export function documentedStringToSign(m: Readonly<Record<string, unknown>>): string {
  const keys = typeof m.Type === 'string' ? SIGNED_KEYS[m.Type] : undefined;
  if (!keys) throw new Error(`SNS signs no message of Type ${JSON.stringify(m.Type)}`);
  return keys
    .filter((k) => !(k === 'Subject' && (m.Subject === undefined || m.Subject === null)))
    .map((k) => {
      const value = m[k];
      if (typeof value !== 'string') throw new Error(`SNS signs ${k} as text, not ${JSON.stringify(value)}`);
      return `${k}\n${value}\n`;
    })
    .join('');
}

/**
 * An RSA key and its self-signed certificate, made once per test process (making one costs a
 * fifth of a second of CPU): every signer of the process signs with it, as every message of one
 * SNS region is signed with one key.
 */
let keyPair: ReturnType<typeof generate> | undefined;

/**
 * A locally generated key and self-signed certificate that sign messages exactly as SNS does.
 * The certificate is served at `certUrls` (CERT_URL unless told), so a test can show that a URL
 * is refused for what it is, not because nothing answers there.
 */
export async function testSigner(certUrls: readonly string[] = [CERT_URL]): Promise<TestSigner> {
  keyPair ??= generate([{ name: 'commonName', value: 'sns.amazonaws.com' }], {
    keySize: 2048,
    algorithm: 'sha256',
  });
  const pems = await keyPair;
  const fetched: string[] = [];
  return {
    cert: pems.cert,
    key: pems.private,
    fetched,
    sign(m, version = '1') {
      const full = {
        SignatureVersion: version,
        SigningCertURL: CERT_URL,
        ...m,
        Signature: '',
      } as SnsEnvelope;
      const signer = createSign(version === '1' ? 'RSA-SHA1' : 'RSA-SHA256');
      signer.update(documentedStringToSign(full), 'utf8');
      return { ...full, Signature: signer.sign(pems.private, 'base64') };
    },
    async fetchCert(url) {
      fetched.push(url);
      if (!certUrls.includes(url)) throw new Error(`unexpected certificate URL ${url}`);
      return pems.cert;
    },
  };
}

let seq = 0;
export function notification(message: unknown, extra: Partial<SnsEnvelope> = {}) {
  seq += 1;
  return {
    Type: 'Notification' as const,
    MessageId: `0f3c5d2e-${String(seq).padStart(4, '0')}-4c51-9a77-${Date.now().toString(16).padStart(12, '0')}`,
    TopicArn: TOPIC,
    Subject: 'APPROVAL NEEDED: AWS CodePipeline todobackend-pipeline for action Approve',
    Message: typeof message === 'string' ? message : JSON.stringify(message),
    Timestamp: new Date().toISOString(),
    UnsubscribeURL: `https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${TOPIC}:abc`,
    ...extra,
  };
}

export function approvalMessage(over: Record<string, unknown> = {}) {
  return {
    region: 'us-east-1',
    consoleLink:
      'https://console.aws.amazon.com/codesuite/codepipeline/pipelines/todobackend-pipeline/view?region=us-east-1',
    approval: {
      pipelineName: 'todobackend-pipeline',
      stageName: 'Approval',
      actionName: 'Approve',
      token: '1a2b3c4d-573f-4ea7-a67e-0123456789ab',
      expires: new Date(Date.now() + 6 * 86_400_000).toISOString().slice(0, 16) + 'Z',
      externalEntityLink:
        'https://console.aws.amazon.com/cloudformation/home?region=us-east-1#/stacks/changesets/changes',
      approvalReviewLink:
        'https://console.aws.amazon.com/codepipeline/home?region=us-east-1#/view/todobackend-pipeline/Approval/Approve/approve/1a2b3c4d-573f-4ea7-a67e-0123456789ab',
      customData: 'Release 1.2.3 to production: review the change set.',
      ...over,
    },
  };
}
