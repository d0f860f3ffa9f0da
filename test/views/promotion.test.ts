import { describe, expect, it } from 'vitest';
import type { PromotionFact } from '../../src/domain/facts/promotion.js';
import { deploymentMessage, dryRunMessage } from '../../src/views/deploy.js';
import { sayFact } from '../../src/views/facts/index.js';
import { notice } from '../../src/views/help.js';
import { historyMessage } from '../../src/views/history.js';
import { promotionStartedText } from '../../src/views/promotion.js';
import { DIGEST_NEW, DIGEST_OLD, MIN, PROD, T0, ended, release } from '../fixtures/deployments.js';
import { golden } from './blockKit.js';

const image = { app: 'todobackend', env: 'prod', from: 'staging', version: '1.2.3', digest: DIGEST_NEW };
const HOUR = 60 * MIN;
/** A refusal of a plain `/deploy 1.2.3 to prod`, with an hour's soak; staging runs 1.2.2 verified. */
const refusal = { ...image, soakMs: HOUR, via: 'deploy', sourceRuns: undefined } as const;
const runs = { version: '1.2.2', digest: DIGEST_OLD };
const soaking = { kind: 'promotion.soaking', ...refusal, verifiedAt: T0, allowedAt: T0 + HOUR } as const;
const rolledBack = {
  kind: 'promotion.rolledBackInSource',
  ...refusal,
  verifiedAt: T0,
  at: T0 + 2 * HOUR,
  how: 'rollback',
} as const;
const digestMoved = {
  kind: 'promotion.digestMoved',
  app: 'todobackend',
  env: 'prod',
  version: '1.2.3',
  expected: DIGEST_NEW,
  found: DIGEST_OLD,
} as const;

/** Every promotion fact, worded; outside text is escaped once. */
const cases: readonly [PromotionFact, string][] = [
  [
    { kind: 'promotion.notVerified', ...refusal, sourceRuns: runs },
    'verified in *staging* at least 1h before, and `1.2.3` (sha256:60303ae22b99) was not verified there. Deploy it there first: `/deploy todobackend 1.2.3 to staging`. Works now: `/deploy promote todobackend to prod`, for what *staging* runs, `1.2.2`',
  ],
  [
    { kind: 'promotion.notVerified', ...refusal, sourceRuns: { ...runs, allowedAt: T0 + HOUR } },
    `\`/deploy promote todobackend to prod\` works after <!date^${(T0 + HOUR) / 1000}^`,
  ],
  [soaking, `must soak there for 1h, until <!date^${(T0 + HOUR) / 1000}^`],
  [soaking, '`/deploy todobackend 1.2.3 to prod` works after <!date^'],
  [{ ...soaking, via: 'promote' }, '`/deploy promote todobackend to prod` works after <!date^'],
  [rolledBack, `but *staging* was rolled back from it <!date^${(T0 + 2 * HOUR) / 1000}^`],
  [{ ...rolledBack, how: 'failure' }, 'but it failed there <!date^'],
  [
    {
      kind: 'promotion.digestMissing',
      version: '1.2.3',
      digest: DIGEST_NEW,
      repository: 'todobackend-prod',
      region: 'us-east-1',
    },
    'ECR repository *todobackend-prod* (us-east-1) holds no image sha256:60303ae22b99, the one verified as `1.2.3`: nothing was changed. Replicate or push that exact image there',
  ],
  [
    {
      kind: 'promotion.untagged',
      version: '1.2.3',
      digest: DIGEST_NEW,
      repository: 'todobackend-prod',
      stack: 'todobackend-prod',
      parameter: 'ImageTag',
    },
    'takes a tag in `ImageTag`, and no tag names sha256:60303ae22b99',
  ],
  [{ kind: 'promotion.overrideForbidden', admins: [{ kind: 'user', id: 'U0ADMIN' }] }, 'Admins: <@U0ADMIN>'],
  [{ kind: 'promotion.noSource', app: 'todobackend', env: 'prod' }, 'from &lt;env&gt; to prod'],
  [
    { kind: 'promotion.noImage', app: 'todobackend', env: 'prod', bundleEnv: 'servers<x>', end: 'from' },
    '*todobackend/servers&lt;x&gt;* deploys a CodeDeploy revision (an S3 bundle), which has no image digest to promote from',
  ],
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
  [digestMoved, 'not the verified'],
  [
    { kind: 'promotion.overridden', by: 'U0ADMIN', reason: 'INC <7>', from: 'staging', refused: 'soaking' },
    '<@U0ADMIN> deployed past the promotion gate (still soaking in staging): INC &lt;7&gt;',
  ],
];

describe('promotion', () => {
  it.each(cases)('%j', (fact, words) => {
    expect(sayFact(fact)).toContain(words);
  });

  it('offers /deploy promote only when what the source runs would pass', () => {
    const said = sayFact({ kind: 'promotion.notVerified', ...refusal });
    expect(said).not.toContain('/deploy promote');
    // The image refused is the one the source runs: nothing else to offer.
    expect(sayFact({ ...soaking, sourceRuns: { version: '1.2.3', digest: DIGEST_NEW } })).not.toContain(
      'Works now',
    );
  });

  const refusals: [string, PromotionFact][] = [
    ['promotion/soaking', soaking],
    ['promotion/notVerified', { kind: 'promotion.notVerified', ...refusal, sourceRuns: runs }],
    ['promotion/rolledBack', rolledBack],
    ['promotion/digestMoved', digestMoved],
    [
      'promotion/nothingVerified',
      {
        kind: 'promotion.nothingVerified',
        app: 'todobackend',
        env: 'prod',
        from: 'staging',
        last: { version: '1.2.4', state: 'failed' },
      },
    ],
  ];
  it.each(refusals)('the refusal %s', async (name, fact) => {
    await golden(name, notice(sayFact(fact)));
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

  it('a dry run says what the promotion gate would answer', async () => {
    const gate = {
      from: 'staging',
      soakMs: HOUR,
      verdict: { ok: false, refused: 'soaking', verifiedAt: T0, allowedAt: T0 + HOUR },
    } as const;
    await golden('promotion/dryRun', dryRunMessage(PROD, '1.2.3', '1.2.2', {}, false, 'typed', gate));
  });
});
