import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ASK_REMIND_MS } from '../../src/domain/verify.js';
import { SkipClock } from '../fakes/skipClock.js';
import { FakeCloudWatch } from '../support/fakeCloudWatch.js';
import { FakeEcs } from '../support/fakeEcs.js';
import { World, body, yamlWith } from './scenario.js';

let w: World;
let ecs: FakeEcs;
let cw: FakeCloudWatch;
let clock: SkipClock;

const FIVE_XX = 'todobackend-dev-5xx';
const ENV = `
      dev:
        channel: C0DEV
        ecs: { region: us-east-1, cluster: todo-dev, service: todobackend-dev, container: app, repository: todobackend }
        policy: { deployers: [U0ALICE, U0BOB, U0CAROL], approvers: [U0BOB] }
        rolloutTimeout: 1s
        verify: { alarms: ["todobackend-dev-*"], bake: 1m, onAlarm: ask }
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

const reminders = (thread: string) => thread.match(/:hourglass: Still waiting since/g)?.length ?? 0;

describe('onAlarm ask waits for people, and never silently', () => {
  it('reminds the requester and the approvers every 30 min, once each across a restart, and never decides itself', async () => {
    w = await World.start(yamlWith(ENV), clock);
    await w.command('todobackend 1.2.3 to dev', 'C0DEV');
    const m = await w.parent('C0DEV', '1.2.3', 'dev', /: verifying$/);
    await w.passUntil(() => body(w.current('C0DEV', '1.2.3', 'dev')).includes(FIVE_XX));
    cw.set(FIVE_XX, 'ALARM', 'Threshold Crossed: errors above 5%');
    await w.threadHas(m, 'waits for you');
    const asked = (await w.last('dev')).verification!;
    expect(asked.tripped).toBeDefined();
    const askedAt = asked.lookedAt!;
    await w.h.slack.waitFor(
      () =>
        body(w.current('C0DEV', '1.2.3', 'dev')).includes('Capstan does not decide by itself') || undefined,
      10_000,
    );

    // Just short of the interval: nothing more is said.
    await w.passUntil(() => clock.now() >= askedAt + ASK_REMIND_MS - 60_000, { stepMs: 60_000 });
    expect(reminders(w.thread(m))).toBe(0);

    const first = await w.passUntil(
      () => {
        const t = w.thread(m);
        return reminders(t) === 1 ? t : undefined;
      },
      { stepMs: 30_000, timeoutMs: 20_000 },
    );
    expect(first).toMatch(
      /:hourglass: Still waiting since <!date\^\d+\^\{date_short_pretty\} \{time\}\|[^>]+> \(Capstan does not decide by itself\)\. :rotating_light: Alarm `todobackend-dev-5xx` went off: Threshold Crossed: errors above 5%\. <@U0ALICE>, <@U0BOB>: .* waits for you/,
    );
    const remindedAt = (await w.last('dev')).verification!.remindedAt!;
    expect(remindedAt - askedAt).toBeGreaterThanOrEqual(ASK_REMIND_MS);

    await w.restart();
    await w.passUntil(() => clock.now() >= remindedAt + ASK_REMIND_MS + 60_000, { stepMs: 60_000 });
    await w.passUntil(() => reminders(w.thread(m)) >= 2 || undefined, { stepMs: 10_000 });
    expect(reminders(w.thread(m))).toBe(2);

    // Still waiting for people: still verifying, the buttons live, no decision taken by Capstan.
    const d = await w.last('dev');
    expect(d.state).toBe('verifying');
    expect(d.verification!.decision).toBeUndefined();
    const now = await w.h.slack.waitFor(() => {
      const x = w.current('C0DEV', '1.2.3', 'dev');
      return body(x).includes('(reminded <!date^') ? x : undefined;
    }, 10_000);
    expect(body(now)).toContain('capstan_bake_keep');
    expect(body(now)).toContain('capstan_bake_rollback');
    expect(body(now)).toContain('(reminded <!date^');
  });
});
