import { afterEach, describe, expect, it } from 'vitest';
import { EB_BUCKET } from '../../sandbox/aws/beanstalk.js';
import type { Sandbox } from '../../sandbox/main.js';
import { RAW_TIME, stringsOf, withoutSlackDates } from '../views/rawTimes.js';
import { click, ephemeral, fastSandbox, find, statusOf, text, threadWith, why } from './sandbox.js';

let sb: Sandbox | undefined;
afterEach(async () => {
  // Every message of every journey, thread lines, replies and the Home tab included: times only as Slack dates.
  const said = sb
    ? [...sb.slack.messages, ...sb.slack.responses.map((r) => r.body), ...sb.slack.homeViews.values()]
    : [];
  const raw = said.flatMap((m) => stringsOf(m)).filter((x) => RAW_TIME.test(withoutSlackDates(x.text)));
  await sb?.stop();
  sb = undefined;
  expect(raw.map((x) => `${x.at}: ${x.text}`)).toEqual([]);
});

describe('sandbox journeys (real Capstan, simulated Slack and AWS)', () => {
  it('a deploy to dev succeeds, and status shows the new version', async () => {
    sb = await fastSandbox();
    expect(await sb.ui.command('U0ALICE', 'C0DEV', 'todobackend 1.2.3')).toBe(200);
    const done = await find(sb, 'C0DEV', (m) =>
      /deploy of todobackend 1\.2\.3 to dev: succeeded$/.test(m.text),
    );
    expect(text(done)).toContain('`1.2.2` → `1.2.3`');
    await threadWith(sb, done, 'has reached a steady state');
    await sb.ui.command('U0ALICE', 'C0DEV', 'status todobackend');
    const status = await find(sb, 'C0DEV', (m) => m.text.startsWith('Status:'));
    expect(status.text).toContain('todobackend/dev: 1.2.3');
    expect(status.text).toContain('todobackend/prod: 1.2.1');
    expect(sb.aws.count('ecs', 'UpdateService')).toBe(1);
  });

  it('a broken image fails: Capstan reports why the tasks stopped and ends on the last good version', async () => {
    sb = await fastSandbox();
    await sb.ui.command('U0ALICE', 'C0DEV', 'todobackend 1.2.4-broken');
    const failed = await find(sb, 'C0DEV', (m) => /1\.2\.4-broken to dev: rolled back by ECS$/.test(m.text));
    // Whether Capstan saw the FAILED rollout or only its aftermath, it leads with why the tasks stopped.
    expect(text(failed)).toMatch(/CannotPullContainerError: .*not found/);
    await threadWith(sb, failed, 'CannotPullContainerError', 'ECS is rolling back by itself');
    await sb.ui.command('U0ALICE', 'C0DEV', 'status todobackend dev');
    const status = await find(sb, 'C0DEV', (m) => m.text.startsWith('Status of todobackend/dev'));
    expect(status.text).toBe('Status of todobackend/dev: 1.2.2');
    expect(sb.aws.count('ecs', 'UpdateService')).toBe(1);
  });

  it('a release to prod: the change set is shown, the requester cannot approve, a second person does, events stream, status shows it', async () => {
    sb = await fastSandbox();
    await sb.ui.command('U0ALICE', 'C0PROD', 'todobackend 1.2.3 to prod');
    const review = await find(sb, 'C0PROD', (m) => JSON.stringify(m.blocks).includes('capstan_approve'));
    expect(text(review)).toContain('ApplicationImageTag: `1.2.1` → `1.2.3`');
    expect(text(review)).toContain(
      '*ApplicationTaskDefinition* AWS::ECS::TaskDefinition · new revision (expected)',
    );
    await click(sb, review, 'capstan_approve', 'U0ALICE');
    expect((await ephemeral(sb, 'U0ALICE', (m) => m.text.includes('someone else'))).text).toContain(
      'You asked for this change, so someone else has to approve it.',
    );
    expect(sb.aws.count('cloudformation', 'ExecuteChangeSet')).toBe(0);
    await click(sb, review, 'capstan_approve', 'U0BOB');
    const done = await find(sb, 'C0PROD', (m) => m.ts === review.ts && /: succeeded$/.test(m.text));
    expect(JSON.stringify(done.blocks)).not.toContain('capstan_approve');
    await threadWith(
      sb,
      review,
      '`ApplicationService` AWS::ECS::Service *UPDATE_COMPLETE*',
      '`todobackend-prod` AWS::CloudFormation::Stack *UPDATE_COMPLETE*',
    );
    await sb.ui.command('U0ALICE', 'C0PROD', 'status todobackend prod');
    expect((await find(sb, 'C0PROD', (m) => m.text.startsWith('Status of todobackend/prod'))).text).toBe(
      'Status of todobackend/prod: 1.2.3',
    );
  });

  it("the pipeline's manual approval appears in the channel, and Approve lets the pipeline continue", async () => {
    sb = await fastSandbox();
    sb.aws.pipeline.start();
    const approval = await find(sb, 'C0PIPELINE', (m) =>
      JSON.stringify(m.blocks).includes('capstan_pipeline_approve'),
    );
    expect(text(approval)).toContain('Release todobackend to production');
    await click(sb, approval, 'capstan_pipeline_approve', 'U0BOB');
    await find(sb, 'C0PIPELINE', (m) => m.ts === approval.ts && m.text.endsWith(': approved'));
    await sb.slack.waitFor(() => sb!.aws.pipeline.execution?.status === 'Succeeded' || undefined);
    expect(sb.aws.pipeline.execution?.approval?.summary).toBe('Approved by bob (U0BOB) via Capstan');
    await find(sb, 'C0PIPELINE', (m) => m.text.includes('stage *Deploy* SUCCEEDED'));
  });

  it('a restart of Capstan in the middle of a rollout still ends with the right outcome in Slack', async () => {
    sb = await fastSandbox();
    await sb.ui.command('U0ALICE', 'C0DEV', 'todobackend 1.2.3');
    await find(sb, 'C0DEV', (m) => /deploy of todobackend 1\.2\.3 to dev: rolling out/.test(m.text));
    await sb.restartCapstan();
    const done = await find(sb, 'C0DEV', (m) =>
      /deploy of todobackend 1\.2\.3 to dev: succeeded$/.test(m.text),
    );
    expect(sb.slack.channelMessages('C0DEV').filter((m) => m.text.includes('deploy of todobackend'))).toEqual(
      [done],
    );
  });
});

describe('sandbox journeys on Elastic Beanstalk and CodeDeploy', () => {
  /** Deploys a good version first, so that Capstan's ledger holds one it could roll back to. */
  async function deployed(s: Sandbox, channel: string, env: string, version: string): Promise<void> {
    await s.ui.command('U0ALICE', channel, `todobackend ${version} to ${env}`);
    const done = `deploy of todobackend ${version} to ${env}: succeeded`;
    await find(s, channel, (m) => m.text === done);
  }

  it('Beanstalk: a deploy to staging uploads a bundle pinning the digest, succeeds, and status shows it', async () => {
    // A shell's S3-only endpoint would beat AWS_ENDPOINT_URL: the sandbox must not let it in.
    process.env.AWS_ENDPOINT_URL_S3 = 'http://127.0.0.1:9';
    sb = await fastSandbox();
    expect(process.env.AWS_ENDPOINT_URL_S3).toBeUndefined();
    expect(await sb.ui.command('U0ALICE', 'C0STAGING', 'todobackend 1.2.3 to staging')).toBe(200);
    const done = await find(sb, 'C0STAGING', (m) =>
      /deploy of todobackend 1\.2\.3 to staging: succeeded$/.test(m.text),
    );
    expect(text(done)).toContain('`1.2.2` → `1.2.3`');
    await threadWith(sb, done, 'Environment update completed successfully.');
    const digest = sb.aws.ecs.images.get('todobackend')?.find((i) => i.tag === '1.2.3')?.digest;
    const bundle = sb.aws.s3.get(EB_BUCKET, 'capstan/todobackend/1.2.3/Dockerrun.aws.json');
    expect(bundle?.body.toString()).toContain(`/todobackend@${digest}`);
    expect(await statusOf(sb, 'C0STAGING', 'staging')).toBe('Status of todobackend/staging: 1.2.3');
    expect(sb.aws.count('elasticbeanstalk', 'UpdateEnvironment')).toBe(1);
  });

  it('Beanstalk: a broken image fails with the instance error first, and Beanstalk, not Capstan, puts 1.2.3 back', async () => {
    sb = await fastSandbox();
    await deployed(sb, 'C0STAGING', 'staging', '1.2.3');
    await sb.ui.command('U0ALICE', 'C0STAGING', 'todobackend 1.2.4-broken to staging');
    const failed = await find(sb, 'C0STAGING', (m) =>
      /deploy of todobackend 1\.2\.4-broken to staging: failed$/.test(m.text),
    );
    expect(why(failed)).toMatch(
      /^\[Instance: i-0abc\] Command failed on instance\. Return code: 1 Output: Docker container quit unexpectedly after launch: todobackend 1\.2\.4-broken exited with code 1\..*; Elastic Beanstalk put 1\.2\.3 back$/,
    );
    await threadWith(
      sb,
      failed,
      'Failed to deploy application.',
      'Elastic Beanstalk put environment `todobackend-staging` back on `1.2.3`.',
    );
    expect(await statusOf(sb, 'C0STAGING', 'staging')).toBe('Status of todobackend/staging: 1.2.3');
    // One update for 1.2.3, one for the broken build, and no rollback of Capstan's own.
    expect(sb.aws.count('elasticbeanstalk', 'UpdateEnvironment')).toBe(2);
  });

  it('CodeDeploy fleet: a deploy goes to the three instances one at a time and succeeds', async () => {
    sb = await fastSandbox();
    await sb.ui.command('U0ALICE', 'C0FLEET', 'todobackend 1.2.3 to fleet');
    const done = await find(sb, 'C0FLEET', (m) =>
      /deploy of todobackend 1\.2\.3 to fleet: succeeded$/.test(m.text),
    );
    expect(text(done)).toContain('`1.2.2` → `1.2.3`');
    await threadWith(
      sb,
      done,
      '`s3://todobackend-artifacts/todobackend/1.2.3.zip`',
      'succeeded (3/3 targets done)',
    );
    expect(await statusOf(sb, 'C0FLEET', 'fleet')).toBe('Status of todobackend/fleet: 1.2.3');
    expect(sb.aws.count('codedeploy', 'CreateDeployment')).toBe(1);
  });

  it('CodeDeploy fleet: a broken build fails at ApplicationStart, and Capstan follows CodeDeploy’s own rollback', async () => {
    sb = await fastSandbox();
    await deployed(sb, 'C0FLEET', 'fleet', '1.2.3');
    await sb.ui.command('U0ALICE', 'C0FLEET', 'todobackend 1.2.4-broken to fleet');
    const done = await find(sb, 'C0FLEET', (m) =>
      /deploy of todobackend 1\.2\.4-broken to fleet: rolled back by CodeDeploy$/.test(m.text),
    );
    expect(why(done)).toMatch(
      /^ApplicationStart failed on i-0f1e2d3c4b5a69001: ScriptFailed: .*exit code 1.* — CodeDeploy: HEALTH_CONSTRAINTS$/,
    );
    const [, failed, rollback] = sb.aws.codedeploy.deployments;
    expect(rollback).toMatchObject({
      creator: 'codeDeployRollback',
      rollbackOf: failed?.id,
      status: 'Succeeded',
    });
    await threadWith(
      sb,
      done,
      `CodeDeploy is rolling back by itself (deployment \`${rollback?.id}\`)`,
      `CodeDeploy's rollback \`${rollback?.id}\` succeeded`,
    );
    expect(await statusOf(sb, 'C0FLEET', 'fleet')).toBe('Status of todobackend/fleet: 1.2.3');
    // 1.2.3, the broken build, CodeDeploy's own rollback, and none of Capstan's.
    expect(sb.aws.count('codedeploy', 'CreateDeployment')).toBe(2);
    expect(sb.aws.codedeploy.deployments).toHaveLength(3);
  });

  it('CodeDeploy blue/green: the deploy waits with a Continue button that only another approver may press', async () => {
    sb = await fastSandbox();
    await sb.ui.command('U0BOB', 'C0BLUEGREEN', 'todobackend 1.2.3 to bluegreen');
    const waiting = await find(
      sb,
      'C0BLUEGREEN',
      (m) =>
        /deploy of todobackend 1\.2\.3 to bluegreen: rolling out.* \(waiting to reroute traffic\)$/.test(
          m.text,
        ) && JSON.stringify(m.blocks).includes('capstan_continue'),
    );
    expect(sb.aws.codedeploy.deployments.at(-1)?.status).toBe('Ready');
    // The approvers are asked, by mention, in the thread.
    const asked = await threadWith(sb, waiting, 'waits for one of you');
    expect(asked).toMatch(
      /:raised_hand: <!subteam\^\w+>: the deploy of \*todobackend\* `1\.2\.3` to \*bluegreen\* waits for one of you \(not <@U0BOB>, who asked for it\) to let it go on \(waiting to reroute traffic\)\. Press \*Continue\*/,
    );
    await click(sb, waiting, 'capstan_continue', 'U0ALICE');
    expect((await ephemeral(sb, 'U0ALICE', (m) => m.text.includes('Only an approver'))).text).toBe(
      'Only an approver of todobackend/bluegreen can let this go on: @deploy-approvers.',
    );
    await click(sb, waiting, 'capstan_continue', 'U0BOB');
    expect((await ephemeral(sb, 'U0BOB', (m) => m.text.includes('Only an approver'))).text).toBe(
      'Only an approver of todobackend/bluegreen other than the person who asked can let this go on: @deploy-approvers.',
    );
    expect(sb.aws.count('codedeploy', 'ContinueDeployment')).toBe(0);
    expect(sb.aws.codedeploy.deployments.at(-1)?.status).toBe('Ready');

    await click(sb, waiting, 'capstan_continue', 'U0CAROL');
    const done = await find(
      sb,
      'C0BLUEGREEN',
      (m) => m.ts === waiting.ts && /to bluegreen: succeeded$/.test(m.text),
    );
    expect(JSON.stringify(done.blocks)).not.toContain('capstan_continue');
    await threadWith(sb, done, '<@U0CAROL> let it go on (waiting to reroute traffic)', 'rerouting traffic');
    expect(sb.aws.count('codedeploy', 'ContinueDeployment')).toBe(1);
    expect(await statusOf(sb, 'C0BLUEGREEN', 'bluegreen')).toBe('Status of todobackend/bluegreen: 1.2.3');
  });
});
