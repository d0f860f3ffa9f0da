import { afterEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/main.js';
import { click, ephemeral, fastSandbox, find, text, threadWith } from './sandbox.js';

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.stop();
  sb = undefined;
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

  it('a broken image fails: Capstan reports the circuit breaker and ends on the last good version', async () => {
    sb = await fastSandbox();
    await sb.ui.command('U0ALICE', 'C0DEV', 'todobackend 1.2.4-broken');
    const failed = await find(sb, 'C0DEV', (m) => /1\.2\.4-broken to dev: rolled back by ECS$/.test(m.text));
    // Whether Capstan saw the FAILED rollout or only its aftermath, it reports the circuit breaker.
    expect(text(failed)).toMatch(
      /ECS deployment circuit breaker: (rolling back to deploymentId|tasks failed to start)/,
    );
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
      '*ApplicationTaskDefinition* AWS::ECS::TaskDefinition · replacement: True :rotating_light: *REPLACEMENT*',
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
