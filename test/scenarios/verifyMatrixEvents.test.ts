import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EVENTS_QUEUE, FakeSqs, alarmStateChangeEvent } from '../events/fakeSqs.js';
import { FIVE_XX, TARGETS } from './verifyMatrix.js';
import { MatrixSteps } from './verifyMatrixSteps.js';
import { body } from './scenario.js';

/** Capstan polls every 10 minutes here: whatever happens between two of its ticks came from an event. */
const POLL_MS = 600_000;
const EVENTS = `events:\n  sqsQueueUrl: ${EVENTS_QUEUE}\n`;
const slowPolling = (yaml: string) =>
  yaml
    .replace('interval: 20ms', 'interval: 10m')
    .replaceAll('rolloutTimeout: 5m', 'rolloutTimeout: 3h')
    .replace('bake: 1m', 'bake: 2h');

// The event makes the bakes' look run at once, whatever the target: run on ECS and CloudFormation.
const ON = TARGETS.filter((t) => t.name === 'ECS rolling' || t.name === 'CloudFormation');

describe.each(ON)('verification on $name: alarm state changes through the events queue', (t) => {
  const s = new MatrixSteps(t);
  let sqs: FakeSqs;

  beforeEach(() => {
    sqs = new FakeSqs();
  });
  afterEach(() => sqs.restore());

  /**
   * Time passes a poll interval at a time, each skip waiting for the tick it starts to be over (the
   * poll loop sleeps again): `passUntil` waits for two ticks at the same time, which never come here.
   */
  async function passUntil<T>(p: () => T | undefined | false): Promise<T> {
    for (let i = 0; i < 20; i++) {
      const seen = p();
      if (seen !== undefined && seen !== false) return seen;
      const rounds = s.clock.loopRounds(POLL_MS);
      s.clock.skip(POLL_MS);
      await s.w.until(() => s.clock.loopRounds(POLL_MS) > rounds);
      await s.w.until(p, 300).catch(() => undefined);
    }
    throw new Error('never came within 20 polls');
  }

  it('an alarm going off makes the bakes look at once, before the next poll would have', async () => {
    await s.start('ask', EVENTS, slowPolling);
    expect(await s.command(t.good)).toContain(`\`${t.good}\``);
    const m = await passUntil(() => {
      const x = s.find(t.good);
      return x && / verifying$/.test(x.text) && body(x).includes('capstan_bake_') ? x : undefined;
    });
    const at = s.clock.now();
    const ticks = s.clock.loopRounds(POLL_MS);
    const looks = s.cw.cw.commandCalls(DescribeAlarmsCommand).length;
    expect((await s.last()).verification!.endsAt - at).toBeGreaterThan(POLL_MS);

    s.cw.set(FIVE_XX, 'ALARM', 'Threshold Crossed: errors above 5%');
    const id = sqs.send(
      alarmStateChangeEvent({
        id: 'ev-alarm',
        alarmName: FIVE_XX,
        state: 'ALARM',
        previous: 'OK',
        reason: 'Threshold Crossed: errors above 5%',
      }),
    );
    // No time passes: only the event can make Capstan look now.
    const asking = await s.w.until(() => {
      const x = s.current(t.good);
      return body(x).includes('capstan_bake_keep') ? x : undefined;
    });
    expect(s.clock.now() - at).toBeLessThan(POLL_MS);
    expect(s.clock.loopRounds(POLL_MS)).toBe(ticks);
    expect(s.cw.cw.commandCalls(DescribeAlarmsCommand).length).toBeGreaterThan(looks);
    expect(body(asking)).not.toContain('capstan_bake_complete');
    await s.w.threadHas(m, `Alarm \`${FIVE_XX}\` went off: Threshold Crossed: errors above 5%`);
    expect((await s.last()).verification?.tripped).toMatchObject({ alarm: FIVE_XX });
    await s.w.until(() => sqs.deleted.includes(id));
  });
});
