import { describe, expect, it } from 'vitest';
import type { Catalog, Environment } from '../../src/domain/catalog.js';
import { CapstanError } from '../../src/domain/errors.js';
import { deliveryHandlers } from '../../src/slack/deliveryHandlers.js';
import { sayError } from '../../src/views/facts/index.js';
import { DEV, PROD } from '../fixtures/deployments.js';

const STAGING: Environment = { ...DEV, name: 'staging' };
const TO: Environment = { ...PROD, promotion: { from: 'staging', soakMs: 0 } };
const catalog = {
  admins: [],
  apps: [{ name: 'todobackend', environments: [STAGING, TO] }],
} as unknown as Catalog;
/** Nothing past the names is reached: the deploy flow is not under test. */
const { promote } = deliveryHandlers({ catalog } as unknown as Parameters<typeof deliveryHandlers>[0]);
const actor = { userId: 'U0ALICE', channelId: 'C0PROD' } as never;

async function refusal(from: string | undefined, to: string): Promise<CapstanError> {
  const e = await promote!({ kind: 'promote', app: 'todobackend', from, to }, actor).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CapstanError);
  return e as CapstanError;
}

describe('/deploy promote, environments it was given', () => {
  it('a source that is not configured is said to be unknown, with the closest name, not as a missing promotion.from', async () => {
    const e = await refusal('stagin', 'prod');
    expect(e.fact).toMatchObject({ kind: 'env.notConfigured', env: 'stagin', closest: 'staging' });
    expect(sayError(e)).toBe('todobackend/stagin is not configured. Did you mean staging?');
  });

  it('a destination that is not configured, likewise', async () => {
    expect((await refusal(undefined, 'prd')).fact).toMatchObject({
      kind: 'env.notConfigured',
      closest: 'prod',
    });
  });
});
