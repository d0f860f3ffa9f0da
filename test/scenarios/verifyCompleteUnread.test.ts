import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredMessage } from '../../sandbox/slackApi.js';
import { SkipClock } from '../fakes/skipClock.js';
import { FakeCloudWatch } from '../support/fakeCloudWatch.js';
import { FakeEcs } from '../support/fakeEcs.js';
import { responseTo } from '../support/harness.js';
import { type Gate, World, awsError, body, yamlWith } from './scenario.js';

let w: World;
let ecs: FakeEcs;
let cw: FakeCloudWatch;
let clock: SkipClock;

const FIVE_XX = 'todobackend-dev-5xx';
const FIRING = 'Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0).';

const ENV = `
      dev:
        channel: C0DEV
        ecs: { region: us-east-1, cluster: todo-dev, service: todobackend-dev, container: app, repository: todobackend }
        policy: { deployers: ["*"], approvers: [U0BOB] }
        rolloutTimeout: 1s
        verify: { alarms: [${FIVE_XX}], bake: 1m }
`;

beforeEach(async () => {
  clock = new SkipClock();
  ecs = new FakeEcs('todobackend-dev', { clock });
  cw = new FakeCloudWatch(clock);
  cw.set(FIVE_XX, 'OK');
  w = await World.start(yamlWith(ENV), clock);
});
afterEach(async () => {
  await w?.stop();
  ecs.restore();
  cw.restore();
});

/** The rollback's parent message as it is now. */
const now = (m: StoredMessage) => w.h.slack.channelMessages('C0DEV').find((x) => x.ts === m.ts)!;

async function click(id: string, m: StoredMessage): Promise<string> {
  const r = await w.h.click({ actionId: 'capstan_bake_complete', value: id, user: 'U0BOB', message: m });
  expect(r.status).toBe(200);
  return JSON.stringify(await responseTo(w.h.slack, r.responseUrl));
}

/** 1.2.1 and 1.2.3 verified, then the 5xx alarm fires and stays; the bakes' looks are held from then on. */
async function alarmThenRollback(hold: () => Promise<void>): Promise<StoredMessage> {
  for (const v of ['1.2.1', '1.2.3']) {
    await w.command(`todobackend ${v} to dev`, 'C0DEV');
    await w.parentLater('C0DEV', v, 'dev', /: verified$/, { stepMs: 5_000, timeoutMs: 20_000 });
  }
  cw.set(FIVE_XX, 'ALARM', FIRING);
  cw.beforeDescribe = async () => {
    if ((await w.last('dev')).state === 'verifying') await hold();
  };
  await w.command('rollback todobackend dev', 'C0DEV');
  return w.h.slack.waitFor(() =>
    w.h.slack.channelMessages('C0DEV').find((x) => /^rollback of .*: verifying$/.test(x.text)),
  );
}

describe('Complete now is refused until a look has read the alarms', () => {
  it('before the first look: no Complete button, a click refused; once read, Complete ends it not verified', async () => {
    let gate: Gate | undefined;
    const m = await alarmThenRollback(() => (gate ??= w.gate()).wait());
    await w.until(() => gate?.reached);
    const { id } = await w.last('dev');
    expect(body(now(m))).toContain('Reading the alarms');
    expect(body(now(m))).not.toContain('capstan_bake_complete');
    expect(await click(id, m)).toContain('have not been read yet');
    const d = await w.last('dev');
    expect(d.state).toBe('verifying');
    expect(d.verification!.decision).toBeUndefined();

    cw.beforeDescribe = undefined;
    gate!.open();
    const read = await w.until(() => {
      const x = now(m);
      return body(x).includes('capstan_bake_complete') ? x : undefined;
    });
    expect(body(read)).toContain('already in ALARM before this deploy');
    expect(await click(id, read)).toContain('Completing the verification');
    const done = await w.until(() => /: succeeded, not verified$/.test(now(m).text) && now(m));
    expect(body(done)).toContain('Not verified: `todobackend-dev-5xx`');
    expect((await w.last('dev')).cause).toMatchObject({
      kind: 'verify.stillInAlarm',
      completedBy: 'U0BOB',
      alarms: [{ name: FIVE_XX }],
    });
  });

  it('while the alarms cannot be read: no Complete button, a click refused', async () => {
    const m = await alarmThenRollback(() => Promise.reject(awsError('AccessDenied', 'not allowed', 403)));
    const { id } = await w.last('dev');
    const shown = await w.until(() => {
      const x = now(m);
      return body(x).includes('could not be read') ? x : undefined;
    });
    expect(body(shown)).not.toContain('capstan_bake_complete');
    expect(await click(id, m)).toContain('cannot be read now');
    expect((await w.last('dev')).verification!.decision).toBeUndefined();
  });
});
