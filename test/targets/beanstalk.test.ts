import {
  CreateApplicationVersionCommand,
  DescribeEnvironmentsCommand,
  UpdateEnvironmentCommand,
} from '@aws-sdk/client-elastic-beanstalk';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBeanstalkAdapter } from '../../src/adapters/aws/beanstalk.js';
import { createEcrAdapter } from '../../src/adapters/aws/ecr.js';
import { createS3Adapter } from '../../src/adapters/aws/s3.js';
import type { Environment } from '../../src/domain/catalog.js';
import { CapstanError } from '../../src/domain/errors.js';
import { createBeanstalkStrategy } from '../../src/targets/beanstalk/index.js';
import { tagOfLabel } from '../../src/targets/beanstalk/labels.js';
import { seal } from '../../src/targets/seal.js';
import type { Observation, Started, TargetStrategy } from '../../src/targets/strategy.js';
import { sayError, sayFact as say } from '../../src/views/facts/index.js';
import { ManualClock } from '../fakes/ports.js';
import { REPO_URI } from '../fixtures/ecs.js';
import { APP, ENV_ID, ENV_NAME, FakeBeanstalk, REGION, digestOf } from '../support/fakeBeanstalk.js';

const BUCKET = 'capstan-bundles';

const env: Environment = {
  app: 'todobackend',
  name: 'staging',
  channel: 'C0DEPLOYS',
  target: {
    kind: 'beanstalk',
    region: REGION,
    application: APP,
    environment: ENV_NAME,
    repository: 'todobackend',
    bucket: BUCKET,
    keyPrefix: 'capstan/',
    containerPort: 8000,
  },
  policy: { deployers: [], approvers: [], approvals: 0, allowSelfApproval: false, approvalTtlMs: 3_600_000 },
  rolloutTimeoutMs: 900_000,
  rollback: 'auto',
};

const hex12 = (tag: string) => digestOf(tag).slice('sha256:'.length, 'sha256:'.length + 12);

let fake: FakeBeanstalk;
/** Capstan's and Beanstalk's clock; the fake moves it 15 s a look. */
let clock: ManualClock;
let strategy: TargetStrategy;

beforeEach(() => {
  clock = new ManualClock();
  fake = new FakeBeanstalk(clock);
  strategy = seal(
    createBeanstalkStrategy({
      beanstalk: createBeanstalkAdapter(),
      objects: createS3Adapter(),
      registry: createEcrAdapter(),
      now: () => clock.now(),
    }),
  );
});

afterEach(() => fake.restore());

async function prepare(version: string) {
  const checked = await strategy.check(env, version);
  const prepared = await strategy.prepare(env, {
    requestId: 'dep-1',
    version,
    requestedBy: 'U0ALICE',
    checked,
  });
  return { checked, prepared };
}

async function deploy(version: string): Promise<Started> {
  const { prepared } = await prepare(version);
  return strategy.apply(env, { requestId: 'dep-1', version, plan: prepared.plan, actor: 'U0BOB' });
}

/** Looks until the rollout ends (or `max` looks), as the poll loop would. */
async function follow(started: Started, phase: 'rollout' | 'rollback' = 'rollout', max = 8) {
  const seen: Observation[] = [];
  let data = started.data;
  for (let i = 0; i < max; i++) {
    const obs = await strategy.observe([{ id: 'dep-1', env, phase, data, startedAt: clock.now() }]);
    const o = obs.get('dep-1');
    if (!o) throw new Error('no observation');
    seen.push(o);
    if (o.kind !== 'progress') break;
    data = o.data;
  }
  return seen;
}

const inputs = (calls: readonly { args: readonly [{ input: unknown }] }[]) =>
  calls.map((c) => c.args[0].input);

const last = (seen: Observation[]) => seen[seen.length - 1];

/** An observation's thread lines, as people read them. */
const words = (o: Observation | undefined) => o?.lines.map(say) ?? [];

/** What people read of an observation's cause: its reason (failed) or what is missing. */
function cause(o: Observation | undefined): string | undefined {
  if (o?.kind === 'failed') return say(o.reason);
  if (o?.kind === 'missing') return say(o.what);
  return undefined;
}

describe('Elastic Beanstalk strategy', () => {
  it('names the environment and groups polls by application', () => {
    expect(strategy.label).toBe('Elastic Beanstalk');
    expect(strategy.describe(env)).toBe(`Elastic Beanstalk environment ${ENV_NAME} of ${APP} (${REGION})`);
    expect(strategy.pollGroup(env)).toBe(`beanstalk|${REGION}|${APP}`);
    // seal() refuses an environment of another kind, once, for every method.
    expect(() => strategy.describe({ ...env, target: { kind: 'ecs' } as never })).toThrow(
      /Elastic Beanstalk strategy was handed todobackend\/staging, a ecs environment/,
    );
  });

  it('checks the tag and says which version runs now', async () => {
    const checked = await strategy.check(env, '1.2.3');
    expect(checked.fromVersion).toBe('1.2.2');
    expect(checked.digest).toBe(digestOf('1.2.3'));
  });

  it('refuses a tag that is not in ECR', async () => {
    await expect(strategy.check(env, '9.9.9')).rejects.toMatchObject({ code: 'image_not_found' });
  });

  it('refuses an environment that is not Ready, saying its status', async () => {
    fake.set({ Status: 'Updating', Health: 'Grey' });
    const err = await strategy.check(env, '1.2.3').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CapstanError);
    expect(err).toMatchObject({
      code: 'invalid_state',
      fact: {
        kind: 'beanstalk.environmentNotReady',
        environment: ENV_NAME,
        status: 'Updating',
        health: 'Grey',
      },
    });
    expect(sayError(err as CapstanError)).toBe(
      `Elastic Beanstalk environment ${ENV_NAME} of ${APP} (${REGION}) is Updating, not Ready (health Grey (Ok)): wait until its current operation ends, then deploy again.`,
    );
  });

  it('refuses a missing environment', async () => {
    fake.env = undefined;
    const err = await strategy.check(env, '1.2.3').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'not_found', fact: { kind: 'beanstalk.environmentNotFound' } });
    expect(sayError(err as CapstanError)).toBe(
      `Elastic Beanstalk environment ${ENV_NAME} of ${APP} (${REGION}) was not found.`,
    );
  });

  it('deploys a new version: bundle pinned by digest, version, update, then success', async () => {
    const { prepared } = await prepare('1.2.3');
    const key = `capstan/${APP}/1.2.3/Dockerrun.aws.json`;
    expect(prepared.unchanged).toBe(false);
    expect(prepared.review.diff?.title).toBe('Application version');
    expect(prepared.review.diff?.lines).toEqual([
      'version label: 1.2.2 → 1.2.3',
      `image: todobackend:1.2.2 (sha256:${hex12('1.2.2')}…) → todobackend@sha256:${hex12('1.2.3')}…`,
      `bundle: s3://${BUCKET}/${key} (new)`,
    ]);
    expect(prepared.review.link?.url).toContain(`environmentId=${ENV_ID}`);

    const started = await strategy.apply(env, {
      requestId: 'dep-1',
      version: '1.2.3',
      plan: prepared.plan,
      actor: 'U0BOB',
    });
    expect(JSON.parse(fake.objects.get(`${BUCKET}/${key}`) ?? '')).toEqual({
      AWSEBDockerrunVersion: '1',
      Image: { Name: `${REPO_URI}@${digestOf('1.2.3')}`, Update: 'true' },
      Ports: [{ ContainerPort: 8000 }],
    });
    expect(inputs(fake.eb.commandCalls(CreateApplicationVersionCommand))).toEqual([
      expect.objectContaining({
        ApplicationName: APP,
        VersionLabel: '1.2.3',
        SourceBundle: { S3Bucket: BUCKET, S3Key: key },
        Process: false,
      }),
    ]);
    expect(fake.versions.get('1.2.3')?.Description).toMatch(/dep-1.*U0BOB/);
    expect(inputs(fake.eb.commandCalls(UpdateEnvironmentCommand))).toEqual([
      expect.objectContaining({ EnvironmentName: ENV_NAME, VersionLabel: '1.2.3' }),
    ]);
    expect(started.lines.map(say)).toEqual([
      `Wrote \`s3://${BUCKET}/${key}\` pinning \`${REPO_URI}@${digestOf('1.2.3')}\` and created application version \`1.2.3\`.`,
      `Elastic Beanstalk is updating environment \`${ENV_NAME}\` to \`1.2.3\` (request \`req-1\`).`,
    ]);
    expect(started.data).toMatchObject({ label: '1.2.3', previousLabel: '1.2.2', requestId: 'req-1' });

    fake.then(
      () => fake.event('Deploying new version to instance(s).'),
      () => undefined,
      () => {
        fake.event('New application version was deployed to running EC2 instances.');
        fake.event('Environment update completed successfully.');
        fake.set({ Status: 'Ready', Health: 'Green', HealthStatus: 'Ok' });
      },
    );
    const seen = await follow(started);
    expect(seen.map((o) => o.kind)).toEqual(['progress', 'progress', 'succeeded']);
    expect(seen[0]).toMatchObject({ moved: true });
    expect(words(seen[0])).toEqual([
      ':information_source: Environment update is starting.',
      ':information_source: Deploying new version to instance(s).',
    ]);
    expect(seen[1]).toMatchObject({ moved: false, lines: [] });
    expect(words(last(seen))).toContain(':information_source: Environment update completed successfully.');
  });

  it('waits for Green health before calling it a success', async () => {
    const started = await deploy('1.2.3');
    fake.then(
      () => fake.set({ Status: 'Ready', Health: 'Yellow', HealthStatus: undefined }), // basic health: no HealthStatus
      () => fake.set({ Health: 'Green', HealthStatus: 'Ok' }),
    );
    const seen = await follow(started);
    expect(seen.map((o) => o.kind)).toEqual(['progress', 'succeeded']);
    expect(seen[0]).toMatchObject({ moved: true });
  });

  it('reuses a version that already pins the same digest', async () => {
    fake.addVersion('1.2.3', `${REPO_URI}@${digestOf('1.2.3')}`);
    const { prepared } = await prepare('1.2.3');
    expect(prepared.plan).toMatchObject({ label: '1.2.3', reuse: true });
    expect(prepared.review.diff?.lines).toContain(
      `bundle: s3://elasticbeanstalk-${REGION}-123456789012/${APP}/1.2.3/Dockerrun.aws.json (reused)`,
    );
    const started = await strategy.apply(env, {
      requestId: 'dep-1',
      version: '1.2.3',
      plan: prepared.plan,
      actor: 'U0BOB',
    });
    expect(started.lines[0] && say(started.lines[0])).toBe(
      `Reusing application version \`1.2.3\` (\`s3://elasticbeanstalk-${REGION}-123456789012/${APP}/1.2.3/Dockerrun.aws.json\`).`,
    );
    expect(fake.s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(fake.eb.commandCalls(CreateApplicationVersionCommand)).toHaveLength(0);
    expect(inputs(fake.eb.commandCalls(UpdateEnvironmentCommand))).toEqual([
      expect.objectContaining({ VersionLabel: '1.2.3' }),
    ]);
  });

  it('labels a tag whose version names another image with the digest', async () => {
    fake.addVersion('1.2.3', `${REPO_URI}:1.2.3`); // by tag, not pinned: cannot be trusted
    const { prepared } = await prepare('1.2.3');
    const label = `1.2.3-${hex12('1.2.3')}`;
    expect(prepared.plan).toMatchObject({ label, reuse: false });
    await strategy.apply(env, { requestId: 'dep-1', version: '1.2.3', plan: prepared.plan, actor: 'U0BOB' });
    expect(inputs(fake.eb.commandCalls(UpdateEnvironmentCommand))).toEqual([
      expect.objectContaining({ VersionLabel: label }),
    ]);
    // ...and that label reads back as the tag.
    fake.set({ Status: 'Ready', Health: 'Green' });
    expect(await strategy.running(env)).toBe('1.2.3');
  });

  it('has nothing to apply when the environment runs that version', async () => {
    const { prepared } = await prepare('1.2.2');
    expect(prepared.unchanged).toBe(true);
  });

  it("fails with Beanstalk's own revert when the environment comes back on the previous label", async () => {
    const started = await deploy('1.2.3');
    fake.then(
      () => {
        fake.event(
          '[Instance: i-0abc] Command failed on instance. Return code: 1 Output: exited with code 1.',
          'ERROR',
        );
        fake.event('Failed to deploy application.', 'ERROR');
        fake.set({ Health: 'Red', HealthStatus: 'Severe' });
      },
      () => {
        fake.event('Update environment operation is complete, but with errors.', 'ERROR');
        fake.set({ Status: 'Ready', VersionLabel: '1.2.2', Health: 'Green', HealthStatus: 'Ok' });
      },
    );
    const seen = await follow(started);
    expect(seen.map((o) => o.kind)).toEqual(['progress', 'failed']);
    expect(words(seen[0])).toContain(':x: Failed to deploy application.');
    expect(last(seen)).toMatchObject({ kind: 'failed', selfRollback: { kind: 'done', runsNow: '1.2.2' } });
    expect(cause(last(seen))).toContain('Command failed on instance');
    expect(words(last(seen))).toContain(
      `:rewind: Elastic Beanstalk put environment \`${ENV_NAME}\` back on \`1.2.2\`.`,
    );
  });

  it('fails without a self-rollback when the environment still runs the new label', async () => {
    const started = await deploy('1.2.3');
    fake.then(() => {
      fake.event('Failed to deploy application.', 'ERROR');
      fake.event('Update environment operation is complete, but with errors.', 'ERROR');
      fake.set({ Status: 'Ready', Health: 'Red', HealthStatus: 'Severe' });
    });
    const o = last(await follow(started));
    expect(o).toMatchObject({
      kind: 'failed',
      reason: { kind: 'beanstalk.updateError', message: 'Failed to deploy application.' },
    });
    expect(o).not.toHaveProperty('selfRollback');
  });

  it('fails on Red health once the update is over, without an error event', async () => {
    const started = await deploy('1.2.3');
    fake.then(() => fake.set({ Status: 'Ready', Health: 'Red', HealthStatus: 'Severe' }));
    const o = last(await follow(started));
    expect(o).toMatchObject({ kind: 'failed' });
    expect(cause(o)).toBe(`Environment ${ENV_NAME} runs 1.2.3 with health Red (Severe).`);
    expect(o).not.toHaveProperty('selfRollback');
  });

  it('never reports a self-rollback while following Capstan’s own rollback', async () => {
    const started = await deploy('1.2.3');
    fake.then(() => {
      fake.event('Failed to deploy application.', 'ERROR');
      fake.set({ Status: 'Ready', VersionLabel: '1.2.2', Health: 'Green', HealthStatus: 'Ok' });
    });
    const o = last(await follow(started, 'rollback'));
    expect(o?.kind).toBe('failed');
    expect(o).not.toHaveProperty('selfRollback');
  });

  it('does not judge a Ready read from before the update took effect', async () => {
    const started = await deploy('1.2.3');
    const stale = { ...fake.env, Status: 'Ready' as const, VersionLabel: '1.2.2', DateUpdated: new Date(0) };
    fake.then(() => (fake.env = stale));
    const [o] = await follow(started, 'rollout', 1);
    expect(o).toMatchObject({ kind: 'progress' });
  });

  it('reports a newer version deployed by someone else as superseding', async () => {
    const started = await deploy('1.2.3');
    fake.then(() => {
      fake.event('Environment update completed successfully.');
      fake.event('Environment update is starting.', 'INFO', 'req-other');
      fake.set({ Status: 'Ready', VersionLabel: '1.2.4', Health: 'Green', HealthStatus: 'Ok' });
    });
    expect(last(await follow(started))).toMatchObject({ kind: 'superseded', by: '1.2.4' });
  });

  it('reports a deleted environment as missing', async () => {
    const started = await deploy('1.2.3');
    fake.then(() => (fake.env = undefined));
    expect(last(await follow(started))).toMatchObject({ kind: 'missing' });
  });

  it('reports a terminated environment as missing', async () => {
    const started = await deploy('1.2.3');
    fake.then(() => fake.set({ Status: 'Terminated' }));
    const o = last(await follow(started));
    expect(o).toMatchObject({
      kind: 'missing',
      what: { kind: 'beanstalk.environmentGone', status: 'Terminated' },
    });
    expect(cause(o)).toBe(`Elastic Beanstalk environment ${ENV_NAME} of ${APP} (${REGION}) is Terminated`);
  });

  it('throws a throttled CapstanError when AWS throttles a look', async () => {
    const started = await deploy('1.2.3');
    fake.eb
      .on(DescribeEnvironmentsCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: {} }));
    const err = await strategy
      .observe([{ id: 'dep-1', env, phase: 'rollout', data: started.data, startedAt: clock.now() }])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CapstanError);
    expect(err).toMatchObject({ code: 'throttled' });
    expect((err as Error).message).toContain('elasticbeanstalk:DescribeEnvironments');
  });

  it('escapes hostile text from events in lines and reasons', async () => {
    const started = await deploy('1.2.3');
    fake.then(() => {
      fake.event('<!channel> see <https://evil.example|the fix> & more', 'WARN');
      fake.event('Failed: <@U0ADMIN> <!here>', 'ERROR');
      fake.set({ Status: 'Ready', Health: 'Red', HealthStatus: 'Severe' });
    });
    const o = last(await follow(started));
    if (o?.kind !== 'failed') throw new Error(`expected failed, got ${o?.kind}`);
    expect(words(o)).toContain(
      ':warning: &lt;!channel&gt; see &lt;https://evil.example|the fix&gt; &amp; more',
    );
    // Facts keep AWS's words as they are; the views escape them, once, where they are shown.
    expect(o.reason).toEqual({ kind: 'beanstalk.updateError', message: 'Failed: <@U0ADMIN> <!here>' });
    expect(say(o.reason)).toBe('Failed: &lt;@U0ADMIN&gt; &lt;!here&gt;');
    expect(words(o).join('\n')).not.toMatch(/<[!@]/);
  });

  it('reconciles an update that took effect, finding its request id', async () => {
    const { prepared } = await prepare('1.2.3');
    const req = { requestId: 'dep-1', version: '1.2.3', plan: prepared.plan, actor: 'U0BOB' };
    expect(await strategy.reconcile(env, req)).toBeUndefined();
    await strategy.apply(env, req);
    const again = await strategy.reconcile(env, req);
    expect(again?.data).toMatchObject({ label: '1.2.3', previousLabel: '1.2.2', requestId: 'req-1' });
  });

  it('reads status once per application, with health and the console link', async () => {
    const readings = await strategy.read([env], true);
    const r = readings.get(env);
    if (!r || r instanceof Error) throw new Error('no reading');
    expect(r).toMatchObject({
      version: '1.2.2',
      state: 'Ready',
      inProgress: false,
    });
    expect(r.facts.map(say)).toEqual(['health Green (Ok)']);
    expect(r.events[0]?.message).toBe('Environment update completed successfully.');
    expect(r.consoleUrl).toContain(`environmentId=${ENV_ID}`);
    expect(fake.eb.commandCalls(DescribeEnvironmentsCommand)).toHaveLength(1);
  });
});

describe('Elastic Beanstalk: what was reviewed is what is deployed, or nothing', () => {
  /** A refusal as people read it: its code and its words. */
  async function refusal(p: Promise<unknown>): Promise<{ code: string; said: string }> {
    const e = await p.then(
      () => undefined,
      (err: unknown) => err,
    );
    if (!(e instanceof CapstanError)) throw new Error(`expected a CapstanError, got ${String(e)}`);
    return { code: e.code, said: sayError(e) };
  }

  it('a tag pushed again since the request is refused, naming both images', async () => {
    const checked = await strategy.check(env, '1.2.3');
    const requested = `sha256:${'a'.repeat(64)}`;
    const preparing = strategy.prepare(env, {
      requestId: 'dep-1',
      version: '1.2.3',
      requestedBy: 'U0ALICE',
      checked: { ...checked, digest: requested },
    });
    expect(await refusal(preparing)).toEqual({
      code: 'conflict',
      said: `Tag \`1.2.3\` now names sha256:${hex12('1.2.3')}, not sha256:${'a'.repeat(12)} as requested: request the deploy again.`,
    });
  });

  it('labels taken by other images are refused, naming both', async () => {
    fake.addVersion('1.2.3', `${REPO_URI}:1.2.3`);
    fake.addVersion(`1.2.3-${hex12('1.2.3')}`, `${REPO_URI}:elsewhere`);
    expect(await refusal(prepare('1.2.3'))).toEqual({
      code: 'conflict',
      said: `Application versions \`1.2.3\` and \`1.2.3-${hex12('1.2.3')}\` of ${APP} already exist with another image; delete one or push a new tag.`,
    });
  });

  it('a version created by someone else since the review is not deployed', async () => {
    const { prepared } = await prepare('1.2.3');
    fake.addVersion('1.2.3', `${REPO_URI}@${digestOf('1.2.3')}`);
    const applying = strategy.apply(env, {
      requestId: 'dep-1',
      version: '1.2.3',
      plan: prepared.plan,
      actor: 'U0BOB',
    });
    expect(await refusal(applying)).toEqual({
      code: 'conflict',
      said: `Application version \`1.2.3\` of ${APP} appeared since the review with another bundle: request the deploy again.`,
    });
    expect(fake.eb.commandCalls(UpdateEnvironmentCommand)).toHaveLength(0);
  });
});

describe('tagOfLabel', () => {
  it('strips a digest suffix only when the version confirms the digest', () => {
    const digest = digestOf('main');
    const label = `main-${digest.slice(7, 19)}`;
    expect(tagOfLabel(label, { digest })).toBe('main');
    expect(tagOfLabel(label, { description: `Capstan: image sha256:${digest.slice(7, 19)}… tag main` })).toBe(
      'main',
    );
    expect(tagOfLabel('main-3f9c2a1b4d5e', {})).toBe('main-3f9c2a1b4d5e');
    expect(tagOfLabel('1.2.3')).toBe('1.2.3');
  });
});

describe('Elastic Beanstalk: each rollout of a look is judged on its own answer', () => {
  it('events that cannot be read for one environment make that rollout unreadable; another environment of the application is still judged', async () => {
    const started = await deploy('1.2.3');
    fake.beforeEvents = (name) => {
      if (name === ENV_NAME)
        throw Object.assign(new Error('Rate exceeded'), {
          name: 'Throttling',
          $metadata: { httpStatusCode: 400 },
        });
    };
    const other: Environment = {
      ...env,
      name: 'qa',
      target: { ...env.target, kind: 'beanstalk', environment: 'todobackend-qa' } as Environment['target'],
    };
    const out = await strategy.observe([
      { id: 'dep-1', env, phase: 'rollout', data: started.data, startedAt: clock.now() },
      { id: 'dep-2', env: other, phase: 'rollout', data: started.data, startedAt: clock.now() },
    ]);
    expect(out.get('dep-1')).toMatchObject({ kind: 'unreadable', error: { code: 'throttled' } });
    const gone = out.get('dep-2');
    if (gone?.kind !== 'missing') throw new Error(`expected missing, got ${gone?.kind}`);
    expect(say(gone.what)).toBe(
      `Elastic Beanstalk environment todobackend-qa of ${APP} (${REGION}) no longer exists`,
    );
  });
});
