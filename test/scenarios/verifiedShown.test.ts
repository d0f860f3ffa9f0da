import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SkipClock } from '../fakes/skipClock.js';
import { FakeCloudWatch } from '../support/fakeCloudWatch.js';
import { FakeEcs } from '../support/fakeEcs.js';
import { responseTo } from '../support/harness.js';
import { World, body, yamlWith } from './scenario.js';

let w: World;
let ecs: FakeEcs;
let cw: FakeCloudWatch;
let clock: SkipClock;

const FIVE_XX = 'todobackend-dev-5xx';

const env = `
      dev:
        channel: C0DEV
        ecs: { region: us-east-1, cluster: todo-dev, service: todobackend-dev, container: app, repository: todobackend }
        policy: { deployers: ["*"], approvers: [U0BOB] }
        rolloutTimeout: 1s
        verify: { alarms: [${FIVE_XX}], bake: 1m, onAlarm: ask }
`;

beforeEach(() => {
  clock = new SkipClock();
  ecs = new FakeEcs('todobackend-dev', { clock });
  cw = new FakeCloudWatch(clock);
  cw.set(FIVE_XX, 'OK');
});
afterEach(async () => {
  await w?.stop();
  ecs.restore();
  cw.restore();
});

/** Opens Capstan's Home tab as `user` and returns what Capstan published. */
async function openHome(user: string): Promise<string> {
  const before = w.h.slack.callsOf('views.publish').length;
  const r = await w.h.event({
    type: 'app_home_opened',
    user,
    channel: `D0${user}`,
    tab: 'home',
    event_ts: `${clock.now() / 1000}`,
  });
  expect(r.status).toBe(200);
  await w.h.slack.waitFor(() => w.h.slack.callsOf('views.publish').length > before);
  return JSON.stringify(w.h.slack.homeViews.get(user)?.blocks);
}

const waitingPart = (home: string) => home.slice(0, home.indexOf('Which version runs where'));

describe('whether the version running was verified, in status and on the Home tab', () => {
  it('verified after a clean bake; a bake an alarm stopped waits on the Home tab of those it asks', async () => {
    w = await World.start(yamlWith(env), clock);
    await w.command('todobackend 1.2.3 to dev', 'C0DEV');
    await w.parentLater('C0DEV', '1.2.3', 'dev', /: verified$/, { stepMs: 5_000, timeoutMs: 20_000 });
    const verifiedAt = (await w.last('dev')).finishedAt!;
    const verified = `:white_check_mark: verified <!date^${Math.floor(verifiedAt / 1000)}^`;
    expect(await w.command('status todobackend dev', 'C0DEV')).toContain(verified);
    expect(await w.command('status todobackend', 'C0DEV')).toContain(verified);
    expect(await openHome('U0ALICE')).toContain(verified);

    // onAlarm: ask. The alarm goes off in the bake of the next version: it waits for people.
    await w.command('todobackend 1.2.4-broken to dev', 'C0DEV');
    await w.parent('C0DEV', '1.2.4-broken', 'dev', /: verifying$/);
    cw.set(FIVE_XX, 'ALARM', 'Threshold Crossed: errors above 5%');
    const m = await w.passUntil(() => {
      const x = w.current('C0DEV', '1.2.4-broken', 'dev');
      return body(x).includes('capstan_bake_keep') ? x : undefined;
    });
    const bob = waitingPart(await openHome('U0BOB'));
    expect(bob).toContain('Waiting for you (1)');
    expect(bob).toMatch(
      /":rotating_light: Alarm `todobackend-dev-5xx` went off: Threshold Crossed: errors above 5%\\nDeploy of \*todobackend\* to \*dev\*: `1\.2\.3` → `1\.2\.4-broken` waits for \*Roll back\* or \*Keep\*/,
    );
    expect(bob).toMatch(/\|Open the deploy> and press \*Roll back\* or \*Keep\*/);
    expect(waitingPart(await openHome('U0MALLORY'))).toContain('Nothing is waiting for your approval.');

    const { id } = await w.last('dev');
    const r = await w.h.click({ actionId: 'capstan_bake_rollback', value: id, user: 'U0ALICE', message: m });
    await responseTo(w.h.slack, r.responseUrl);
    await w.parentLater('C0DEV', '1.2.4-broken', 'dev', /: rolled back/, { stepMs: 1_000 });
    // What runs again is 1.2.3, verified by its own bake before.
    const after = await w.command('status todobackend dev', 'C0DEV');
    expect(after).toContain('`1.2.3`');
    expect(after).toContain(verified);
    expect(waitingPart(await openHome('U0BOB'))).toContain('Nothing is waiting for your approval.');
  });
});
