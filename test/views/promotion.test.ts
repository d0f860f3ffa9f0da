import { describe, expect, it } from 'vitest';
import type { PromotionFact } from '../../src/domain/facts/promotion.js';
import { deploymentMessage } from '../../src/views/deploy.js';
import { sayFact } from '../../src/views/facts/index.js';
import { notice } from '../../src/views/help.js';
import { historyMessage } from '../../src/views/history.js';
import { promotionStartedText } from '../../src/views/promotion.js';
import { DIGEST_NEW, DIGEST_OLD, MIN, PROD, T0, ended, release } from '../fixtures/deployments.js';
import { golden } from './blockKit.js';

const image = { app: 'todobackend', env: 'prod', from: 'staging', version: '1.2.3', digest: DIGEST_NEW };
const HOUR = 60 * MIN;

/** Every promotion fact, worded; outside text is escaped once. */
const cases: readonly [PromotionFact, string][] = [
  [
    { kind: 'promotion.notVerified', ...image },
    '`/deploy todobackend 1.2.3 to staging` first, or `/deploy promote todobackend to prod`',
  ],
  [
    { kind: 'promotion.soaking', ...image, verifiedAt: T0, allowedAt: T0 + HOUR },
    `must soak there until <!date^${(T0 + HOUR) / 1000}^`,
  ],
  [{ kind: 'promotion.overrideForbidden', admins: [{ kind: 'user', id: 'U0ADMIN' }] }, 'Admins: <@U0ADMIN>'],
  [{ kind: 'promotion.noSource', app: 'todobackend', env: 'prod' }, 'from &lt;env&gt; to prod'],
  [
    {
      kind: 'promotion.nothingVerified',
      app: 'todobackend',
      env: 'prod',
      from: 'staging',
      last: { version: '1.2.4-<x>', state: 'rolled_back' },
    },
    '`1.2.4-&lt;x&gt;`, ended rolled back',
  ],
  [
    {
      kind: 'promotion.digestMoved',
      app: 'todobackend',
      env: 'prod',
      version: '1.2.3',
      expected: DIGEST_NEW,
      found: DIGEST_OLD,
    },
    'not the verified',
  ],
  [
    { kind: 'promotion.overridden', by: 'U0ADMIN', reason: 'INC <7>', from: 'staging', refused: 'soaking' },
    '<@U0ADMIN> deployed past the promotion gate (still soaking in staging): INC &lt;7&gt;',
  ],
];

describe('promotion', () => {
  it.each(cases)('%j', (fact, words) => {
    expect(sayFact(fact)).toContain(words);
  });

  it('a refusal for an image still soaking', async () => {
    await golden(
      'promotion/soaking',
      notice(sayFact({ kind: 'promotion.soaking', ...image, verifiedAt: T0, allowedAt: T0 + HOUR })),
    );
  });

  it('an override of the gate, on the deploy in the channel and in the history', async () => {
    const d = release({
      state: 'succeeded',
      finishedAt: T0 + 4 * MIN,
      promotedFrom: 'staging',
      promotionOverride: {
        by: 'U0ADMIN',
        reason: 'INC-7 cannot wait',
        from: 'staging',
        refused: 'notVerified',
      },
    });
    await golden('promotion/overridden', deploymentMessage(d, T0 + 5 * MIN));
    expect(JSON.stringify(historyMessage('todobackend', 'prod', [d], T0 + 5 * MIN))).toContain(
      'promotion gate overridden by <@U0ADMIN> (not verified in staging): INC-7 cannot wait',
    );
  });

  it('the reply to /deploy promote', async () => {
    const d = ended('checking', { env: 'prod', promotedFrom: 'staging', state: 'checking' });
    await golden(
      'promotion/started',
      notice(promotionStartedText({ kind: 'started', deployment: d, approval: false }, PROD)),
    );
  });
});
