import { afterEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/main.js';
import { click, ephemeral, fastSandbox, find, statusOf, text, threadWith } from './sandbox.js';

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.stop();
  sb = undefined;
});

const paused = (sb: Sandbox) =>
  find(
    sb,
    'C0GREEN',
    (m) =>
      /to green: rolling out.*paused at/.test(m.text) &&
      JSON.stringify(m.blocks).includes('capstan_continue'),
  );

describe('sandbox journeys: ECS blue/green and linear service deployments', () => {
  it('blue/green: stages shown, paused after test traffic, an approver continues, it bakes and succeeds', async () => {
    sb = await fastSandbox();
    sb.aws.serviceDeployments.bakeMs = 500;
    await sb.ui.command('U0ALICE', 'C0GREEN', 'todobackend 1.2.3 to green');
    const waiting = await paused(sb);
    expect(text(waiting)).toContain('If nobody decides, ECS rolls back by itself at <!date^');
    await threadWith(sb, waiting, 'shifting test traffic', 'waits for one of you');
    await click(sb, waiting, 'capstan_continue', 'U0ALICE');
    await ephemeral(sb, 'U0ALICE', (m) => m.text.includes('other than the person who asked'));
    await click(sb, waiting, 'capstan_continue', 'U0BOB');
    const done = await find(sb, 'C0GREEN', (m) => m.ts === waiting.ts && /to green: succeeded$/.test(m.text));
    expect(JSON.stringify(done.blocks)).not.toContain('capstan_continue');
    await threadWith(sb, done, '<@U0BOB> let it go on', 'baking with both revisions up', 'cleaning up');
    expect(sb.aws.count('ecs', 'ContinueServiceDeployment')).toBe(1);
    expect(await statusOf(sb, 'C0GREEN', 'green')).toBe('Status of todobackend/green: 1.2.3');
  });

  it('blue/green: Roll back at the pause goes back through ECS', async () => {
    sb = await fastSandbox();
    await sb.ui.command('U0ALICE', 'C0GREEN', 'todobackend 1.2.3 to green');
    const waiting = await paused(sb);
    await click(sb, waiting, 'capstan_roll_back_in_place', 'U0ALICE');
    const done = await find(
      sb,
      'C0GREEN',
      (m) => m.ts === waiting.ts && /to green: rolled back by ECS$/.test(m.text),
    );
    expect(text(done)).toContain('Rolled back at the pause hook.');
    await threadWith(sb, done, '<@U0ALICE> rolled it back through ECS');
    expect(sb.aws.count('ecs', 'UpdateService')).toBe(1);
    expect(await statusOf(sb, 'C0GREEN', 'green')).toBe('Status of todobackend/green: 1.2.2');
  });

  it('blue/green: a pause nobody decides times out, and ECS rolls back by itself', async () => {
    sb = await fastSandbox();
    await sb.ui.command('U0ALICE', 'C0GREEN', 'todobackend 1.2.3 to green');
    const waiting = await paused(sb);
    sb.aws.serviceDeployments.expirePauses();
    const done = await find(
      sb,
      'C0GREEN',
      (m) => m.ts === waiting.ts && /to green: rolled back by ECS$/.test(m.text),
    );
    expect(JSON.stringify(done.blocks)).not.toContain('capstan_continue');
    await threadWith(sb, done, 'in time: ECS rolled back by itself');
  });

  it('linear: each step of production traffic shown once, then success', async () => {
    sb = await fastSandbox();
    sb.aws.serviceDeployments.bakeMs = 300;
    await sb.ui.command('U0ALICE', 'C0LINEAR', 'todobackend 1.2.3 to linear');
    const done = await find(sb, 'C0LINEAR', (m) => /to linear: succeeded$/.test(m.text));
    const thread = await threadWith(sb, done, '50% of production traffic', 'cleaning up');
    expect(thread.split('shifting production traffic, 50% of production traffic').length - 1).toBe(1);
  });
});
