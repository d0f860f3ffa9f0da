import { CreateChangeSetCommand, ExecuteChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCloudFormationAdapter } from '../../src/adapters/aws/cloudformation.js';
import { createEcrAdapter } from '../../src/adapters/aws/ecr.js';
import type { Environment, StackTarget } from '../../src/domain/catalog.js';
import type { Registry } from '../../src/ports/registry.js';
import { CapstanError } from '../../src/domain/errors.js';
import { createStackStrategy } from '../../src/targets/cloudformation/index.js';
import { seal } from '../../src/targets/seal.js';
import type { TargetStrategy } from '../../src/targets/strategy.js';
import { sayError } from '../../src/views/facts/index.js';
import { ManualClock } from '../fakes/ports.js';
import { PROD } from '../fixtures/deployments.js';
import { FakeCfn } from '../support/fakeCfn.js';
import { FakeEcs, digestOf } from '../support/fakeEcs.js';

/** A stack whose image parameter takes a tag, fed from its own repository in another account. */
const env: Environment = {
  ...PROD,
  target: { ...(PROD.target as StackTarget), imageParameterFormat: 'tag', repository: 'todobackend-prod' },
};
const VERIFIED = digestOf('1.2.3');

/** A refusal as people read it. */
function said(e: unknown): string {
  if (!(e instanceof CapstanError)) throw new Error(`expected a CapstanError, got ${String(e)}`);
  return sayError(e);
}

let cfn: FakeCfn;
let ecs: FakeEcs;
let strategy: TargetStrategy;
let clock: ManualClock;

/** prod's repository: tag → the image it names. */
function prodRepository(tags: Record<string, string>) {
  const pushedAt = new Date(clock.now());
  ecs.repositories.set('todobackend-prod', {
    registryId: '210987654321',
    tags: new Map(Object.entries(tags).map(([tag, image]) => [tag, { digest: digestOf(image), pushedAt }])),
  });
}

const stackStrategy = (registry: Registry) =>
  seal(
    createStackStrategy({
      stacks: createCloudFormationAdapter(),
      registry,
      now: () => clock.now(),
      changeSetPollMs: 1,
      changeSetTimeoutMs: 60_000,
    }),
  );

beforeEach(() => {
  clock = new ManualClock();
  cfn = new FakeCfn(clock);
  ecs = new FakeEcs();
  strategy = stackStrategy(createEcrAdapter());
});
afterEach(() => {
  cfn.restore();
  ecs.restore();
});

const parameterSet = () =>
  cfn.cfn
    .commandCalls(CreateChangeSetCommand)
    .at(-1)
    ?.args[0].input.Parameters?.find((p) => p.ParameterKey === 'ApplicationImageTag')?.ParameterValue;

async function promote(version = '1.2.3') {
  const checked = await strategy.check(env, version, { digest: VERIFIED });
  const prepared = await strategy.prepare(env, {
    requestId: 'r-1',
    version,
    requestedBy: 'U0ALICE',
    checked,
  });
  return { checked, prepared };
}

describe('CloudFormation, a promoted digest into a stack that takes a tag', () => {
  it('gives the stack a tag that names the verified digest in its repository, the source’s tag first', async () => {
    prodRepository({ '1.2.3': '1.2.3', 'release-7': '1.2.3' });
    await promote();
    expect(parameterSet()).toBe('1.2.3');
  });

  it('uses another tag of the same image when the source’s tag names another image there', async () => {
    prodRepository({ 'release-7': '1.2.3', '1.2.3': '1.2.4-broken' });
    const { checked } = await promote();
    expect(checked.digest).toBe(VERIFIED);
    expect(parameterSet()).toBe('release-7');
  });

  it('refuses a digest the repository does not hold, saying to replicate or push it', async () => {
    prodRepository({ '1.2.3': '1.2.4-broken' });
    const e = await strategy.check(env, '1.2.3', { digest: VERIFIED }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(said(e)).toContain('ECR repository *todobackend-prod* (us-east-1) holds no image');
    expect(cfn.cfn.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
  });

  it('refuses an image no tag names there, saying to tag it: the stack could not be made to run it', async () => {
    const ecr = createEcrAdapter();
    // ECR answers an untagged image with no tags.
    const registry = {
      ...ecr,
      findDigest: async () => ({ tag: '1.2.3', digest: VERIFIED, repositoryUri: 'r', tags: [] }),
    };
    strategy = stackStrategy(registry);
    const e = await strategy.check(env, '1.2.3', { digest: VERIFIED }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(said(e)).toContain('takes a tag in `ApplicationImageTag`, and no tag names sha256:');
  });

  it('re-checks the tag right before executing: moved since the review, nothing is executed', async () => {
    prodRepository({ 'release-7': '1.2.3' });
    const { prepared } = await promote();
    prodRepository({ 'release-7': '1.2.4-broken' });
    const e = await strategy
      .apply(env, { requestId: 'r-1', version: '1.2.3', plan: prepared.plan, actor: 'U0BOB' })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(said(e)).toContain('release-7');
    expect(cfn.cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);

    prodRepository({ 'release-7': '1.2.3' });
    await strategy.apply(env, { requestId: 'r-1', version: '1.2.3', plan: prepared.plan, actor: 'U0BOB' });
    expect(cfn.cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(1);
  });
});
