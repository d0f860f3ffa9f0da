import { beforeAll, describe, expect, it } from 'vitest';
import { createSnsVerifier, isSnsCertUrl, stringToSign } from '../../src/adapters/sns/verify.js';
import { CERT_URL, TOPIC, type TestSigner, notification, testSigner } from '../support/snsSigning.js';

let signer: TestSigner;
beforeAll(async () => {
  signer = await testSigner();
});
const verifier = () => createSnsVerifier({ fetchCert: (u) => signer.fetchCert(u) });

const confirmation = (type: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation') => ({
  Type: type,
  MessageId: '165545c9-2a5c-472c-8df2-7ff2be2b3b1b',
  Token:
    '2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594eeac82c01f235d0e717736',
  TopicArn: TOPIC,
  Message: `You have chosen to subscribe to the topic ${TOPIC}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
  SubscribeURL: `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=2336412f37`,
  Timestamp: '2026-11-21T22:08:09.812Z',
});

describe('SNS signature verification', () => {
  it.each(['1', '2'] as const)('accepts a Notification signed with SignatureVersion %s', async (v) => {
    expect(await verifier()(signer.sign(notification({ hello: 'world' }), v))).toEqual({ ok: true });
  });

  it('accepts a Notification without a Subject (the key is then not signed)', async () => {
    const { Subject: _s, ...bare } = notification('plain text');
    const m = signer.sign(bare);
    expect(stringToSign(m)).not.toContain('Subject');
    expect(await verifier()(m)).toEqual({ ok: true });
  });

  it.each(['SubscriptionConfirmation', 'UnsubscribeConfirmation'] as const)(
    'accepts a %s, signed over the key list with Token and SubscribeURL',
    async (type) => {
      const m = signer.sign(confirmation(type), '2');
      expect(stringToSign(m)).toContain('Token\n');
      expect(stringToSign(m)).toContain('SubscribeURL\n');
      expect(await verifier()(m)).toEqual({ ok: true });
    },
  );

  it('refuses an altered Message', async () => {
    const m = signer.sign(notification({ approve: false }));
    expect(await verifier()({ ...m, Message: JSON.stringify({ approve: true }) })).toEqual({
      ok: false,
      reason: 'signature does not match',
    });
  });

  it('refuses an altered Subject, and a Subject added after signing', async () => {
    const m = signer.sign(notification('x'));
    expect((await verifier()({ ...m, Subject: 'something else' })).ok).toBe(false);
    const { Subject: _s, ...bare } = notification('x');
    expect((await verifier()({ ...signer.sign(bare), Subject: 'added' })).ok).toBe(false);
  });

  it('refuses an UnsubscribeConfirmation verified with the Notification key list', async () => {
    // Signed the way aws-js-sns-message-validator 0.3.5 checks it (no Token): must not pass here.
    const c = confirmation('UnsubscribeConfirmation');
    const asNotification = signer.sign({ ...c, Type: 'Notification' });
    expect(
      (
        await verifier()({
          ...asNotification,
          Type: 'UnsubscribeConfirmation',
          Token: c.Token,
          SubscribeURL: c.SubscribeURL,
        })
      ).ok,
    ).toBe(false);
  });

  it('refuses an unknown SignatureVersion', async () => {
    const m = signer.sign(notification('x'));
    expect(await verifier()({ ...m, SignatureVersion: '3' })).toEqual({
      ok: false,
      reason: 'unsupported SignatureVersion 3',
    });
  });

  it.each([
    ['http://sns.us-east-1.amazonaws.com/cert.pem'],
    ['https://sns.us-east-1.amazonaws.com.evil.example/cert.pem'],
    ['https://evil.example/sns.us-east-1.amazonaws.com/cert.pem'],
    ['https://sns.us-east-1.amazonaws.com/cert.txt'],
    ['https://sns.us-east-1.amazonaws.com:8443/cert.pem'],
    ['https://user@sns.us-east-1.amazonaws.com/cert.pem'],
  ])('refuses the certificate URL %s without fetching it', async (url) => {
    signer.fetched.length = 0;
    const m = signer.sign({ ...notification('x'), SigningCertURL: url });
    const r = await verifier()(m);
    expect(r.ok).toBe(false);
    expect(signer.fetched).toEqual([]);
  });

  it.each([
    ['https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem', true],
    ['https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc.pem', true],
    ['https://sns.us-gov-west-1.amazonaws.com/x.pem', true],
    ['https://sns.amazonaws.com/x.pem', false],
    ['https://snsXus-east-1.amazonaws.com/x.pem', false],
  ])('isSnsCertUrl(%s) is %s', (url, expected) => {
    expect(isSnsCertUrl(url)).toBe(expected);
  });

  it('the production fetcher refuses a non-SNS URL before any network call', async () => {
    const { httpsCertFetcher } = await import('../../src/adapters/sns/verify.js');
    let called = false;
    const fetcher = httpsCertFetcher(async () => {
      called = true;
      return new Response('');
    });
    await expect(fetcher('http://sns.us-east-1.amazonaws.com/x.pem')).rejects.toThrow(
      /not an SNS certificate URL/,
    );
    expect(called).toBe(false);
    expect(CERT_URL.startsWith('https://sns.')).toBe(true);
  });
});
