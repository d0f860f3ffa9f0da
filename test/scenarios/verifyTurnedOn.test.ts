import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SkipClock } from '../fakes/skipClock.js';
import { FakeCloudWatch } from '../support/fakeCloudWatch.js';
import { FakeEcs } from '../support/fakeEcs.js';
import { World, body, yamlWith } from './scenario.js';

let w: World;
let ecs: FakeEcs;
let cw: FakeCloudWatch;
let clock: SkipClock;

const FIVE_XX = 'todobackend-dev-5xx';

const env = (verify: string) => `
      dev:
        channel: C0DEV
        ecs: { region: us-east-1, cluster: todo-dev, service: todobackend-dev, container: app, repository: todobackend }
        policy: { deployers: ["*"], approvers: [U0BOB] }
        rolloutTimeout: 1s
${verify}`;
const VERIFY = `        verify: { alarms: [${FIVE_XX}], bake: 1m }\n`;

beforeEach(async () => {
  clock = new SkipClock();
  ecs = new FakeEcs('todobackend-dev', { clock });
  cw = new FakeCloudWatch(clock);
  cw.set(FIVE_XX, 'OK');
  w = await World.start(yamlWith(env('')), clock);
});
afterEach(async () => {
  await w?.stop();
  ecs.restore();
  cw.restore();
});

describe('verify turned on for an environment that ran without it', () => {
  it('the first alarm rolls back to the last version that succeeded, saying none was verified yet', async () => {
    await w.command('todobackend 1.2.3 to dev', 'C0DEV');
    await w.parent('C0DEV', '1.2.3', 'dev', /: succeeded$/);
    await w.reconfigure(yamlWith(env(VERIFY)));

    await w.command('todobackend 1.2.4-broken to dev', 'C0DEV');
    const m = await w.h.slack.waitFor(() =>
      w.h.slack
        .channelMessages('C0DEV')
        .find((x) => x.text.includes(' 1.2.4-broken to dev: verifying') && body(x).includes(FIVE_XX)),
    );
    cw.set(FIVE_XX, 'ALARM', 'Threshold Crossed: errors above 5%');
    const done = await w.parentLater('C0DEV', '1.2.4-broken', 'dev', /: (rolled back.*|failed)$/, {
      stepMs: 1_000,
    });
    expect(done.text).toContain('rolled back to 1.2.3');
    expect((await w.last('dev')).rollbackVersion).toBe('1.2.3');
    expect(await w.threadHas(m, 'Rolling back to')).toContain(
      'Rolling back to `1.2.3`, the last version that succeeded here; none was verified here yet.',
    );
  });

  it('/deploy rollback goes back to the last version that succeeded while none was verified', async () => {
    for (const v of ['1.2.1', '1.2.3']) {
      await w.command(`todobackend ${v} to dev`, 'C0DEV');
      await w.parent('C0DEV', v, 'dev', /: succeeded$/);
    }
    await w.reconfigure(yamlWith(env(VERIFY)));
    expect(await w.command('rollback todobackend dev', 'C0DEV')).toContain('1.2.1');
    await w.parentLater('C0DEV', '1.2.1', 'dev', /^rollback of .*: verified$/, {
      stepMs: 5_000,
      timeoutMs: 20_000,
    });
  });

  it('/deploy rollback from the only verified version goes back to what succeeded before verify was on', async () => {
    await w.command('todobackend 1.2.1 to dev', 'C0DEV');
    await w.parent('C0DEV', '1.2.1', 'dev', /: succeeded$/);
    await w.reconfigure(yamlWith(env(VERIFY)));
    await w.command('todobackend 1.2.3 to dev', 'C0DEV');
    await w.parentLater('C0DEV', '1.2.3', 'dev', /: verified$/, { stepMs: 5_000, timeoutMs: 20_000 });
    expect(await w.command('rollback todobackend dev', 'C0DEV')).toContain('1.2.1');
  });
});
