import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CERT_CACHE_ENTRIES } from '../../src/adapters/sns/certificates.js';
import {
  createSnsVerifier,
  httpsCertFetcher,
  isCertUrlForTopic,
  isSnsCertUrl,
  stringToSign,
} from '../../src/adapters/sns/verify.js';
import {
  CERT_URL,
  OTHER_REGION_CERT_URL,
  TOPIC,
  type TestSigner,
  notification,
  testSigner,
} from '../support/snsSigning.js';

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
    ['https://sns.us-east-1.amazonaws.com/cert.pem?v=2'],
    // genuine SNS hosts, but not of the region of the topic (us-east-1)
    [OTHER_REGION_CERT_URL],
    ['https://sns.us-east-1.amazonaws.com.cn/cert.pem'],
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
    ['https://sns.us-east-1.amazonaws.com/x.pem?Action=anything', false],
    ['https://sns.us-east-1.amazonaws.com/x.pem#frag', false],
  ])('isSnsCertUrl(%s) is %s', (url, expected) => {
    expect(isSnsCertUrl(url)).toBe(expected);
  });

  it.each([
    [CERT_URL, TOPIC, true],
    [OTHER_REGION_CERT_URL, TOPIC, false],
    ['https://sns.us-east-1.amazonaws.com.cn/x.pem', TOPIC, false],
    ['https://sns.cn-north-1.amazonaws.com.cn/x.pem', 'arn:aws-cn:sns:cn-north-1:123456789012:t', true],
    ['https://sns.cn-north-1.amazonaws.com/x.pem', 'arn:aws-cn:sns:cn-north-1:123456789012:t', false],
    [
      'https://sns.us-gov-west-1.amazonaws.com/x.pem',
      'arn:aws-us-gov:sns:us-gov-west-1:123456789012:t',
      true,
    ],
    [CERT_URL, 'arn:aws:sns:us-east-1', false],
    [CERT_URL, 'not-an-arn', false],
  ])('isCertUrlForTopic(%s, %s) is %s', (url, topic, expected) => {
    expect(isCertUrlForTopic(url, topic)).toBe(expected);
  });

  it('refuses a certificate of another region’s SNS host even when it would verify the signature', async () => {
    const everywhere = await testSigner([CERT_URL, OTHER_REGION_CERT_URL]);
    const verify = createSnsVerifier({ fetchCert: (u) => everywhere.fetchCert(u) });
    const elsewhere = everywhere.sign({ ...notification('x'), SigningCertURL: OTHER_REGION_CERT_URL });
    expect((await verify(elsewhere)).ok).toBe(false);
    expect(everywhere.fetched).toEqual([]);
    // the same certificate served at the topic's own region is accepted
    expect(await verify(everywhere.sign(notification('x')))).toEqual({ ok: true });
    expect(await everywhere.fetchCert(OTHER_REGION_CERT_URL)).toBe(everywhere.cert);
  });

  it('still accepts the certificate URL the trust hook names (the sandbox’s own)', async () => {
    const local = 'http://127.0.0.1:4566/sns/cert.pem';
    const sandbox = await testSigner([local]);
    const verify = createSnsVerifier({
      fetchCert: (u) => sandbox.fetchCert(u),
      trustCertUrl: (u) => u === local,
    });
    expect(await verify(sandbox.sign({ ...notification('x'), SigningCertURL: local }))).toEqual({ ok: true });
    expect(
      (
        await createSnsVerifier({ fetchCert: (u) => sandbox.fetchCert(u) })(
          sandbox.sign({ ...notification('x'), SigningCertURL: local }),
        )
      ).ok,
    ).toBe(false);
  });

  it('the production fetcher refuses a non-SNS URL before any network call', async () => {
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

describe('the certificate cache', () => {
  const url = (i: number) => `https://sns.us-east-1.amazonaws.com/SimpleNotificationService-${i}.pem`;
  const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
  function counting(answer: () => Response = () => new Response(PEM)) {
    const calls: string[] = [];
    const fetchFn: typeof fetch = async (input) => {
      calls.push(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      return answer();
    };
    return { calls, fetchFn };
  }

  it('keeps at most maxEntries certificates, evicting the least recently used', async () => {
    const { calls, fetchFn } = counting();
    const fetcher = httpsCertFetcher(fetchFn, { maxEntries: 3 });
    for (const i of [1, 2, 3]) await fetcher(url(i));
    await fetcher(url(1)); // 1 is now the most recently used; 2 the least
    await fetcher(url(4)); // evicts 2
    expect(calls).toEqual([url(1), url(2), url(3), url(4)]);
    for (const i of [1, 3, 4]) await fetcher(url(i));
    expect(calls).toHaveLength(4);
    await fetcher(url(2));
    expect(calls).toEqual([url(1), url(2), url(3), url(4), url(2)]);
  });

  it(`holds ${DEFAULT_CERT_CACHE_ENTRIES} certificates by default`, async () => {
    const { calls, fetchFn } = counting();
    const fetcher = httpsCertFetcher(fetchFn);
    for (let i = 0; i <= DEFAULT_CERT_CACHE_ENTRIES; i += 1) await fetcher(url(i));
    await fetcher(url(DEFAULT_CERT_CACHE_ENTRIES));
    expect(calls).toHaveLength(DEFAULT_CERT_CACHE_ENTRIES + 1);
    await fetcher(url(0));
    expect(calls).toHaveLength(DEFAULT_CERT_CACHE_ENTRIES + 2);
  });

  it('does not cache a failed fetch: the next message fetches again', async () => {
    let fail = true;
    const { calls, fetchFn } = counting(() =>
      fail ? new Response('nope', { status: 503 }) : new Response(PEM),
    );
    const fetcher = httpsCertFetcher(fetchFn);
    await expect(fetcher(url(1))).rejects.toThrow(/answered 503/);
    fail = false;
    expect(await fetcher(url(1))).toBe(PEM);
    expect(await fetcher(url(1))).toBe(PEM);
    expect(calls).toEqual([url(1), url(1)]);
  });

  it('shares one fetch among messages that arrive together', async () => {
    const { calls, fetchFn } = counting();
    const fetcher = httpsCertFetcher(fetchFn);
    expect(await Promise.all([fetcher(url(1)), fetcher(url(1))])).toEqual([PEM, PEM]);
    expect(calls).toHaveLength(1);
  });
});
