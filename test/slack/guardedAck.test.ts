import type { ReceiverEvent } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/lib/logger.js';
import { GuardedApp, isSeenBefore } from '../../src/slack/guardedApp.js';

const idle = { init() {}, start: async () => undefined, stop: async () => undefined };

/** A GuardedApp with one /deploy listener that acknowledges, then works; every step goes to `log`. */
function app(log: string[], claimed = new Set<string>()) {
  const a = new GuardedApp(
    { token: 'xoxb-test', botId: 'B0CAPSTAN', botUserId: 'U0CAPSTAN', receiver: idle },
    {
      logger: createLogger('error', () => undefined),
      claim: async (key) => {
        log.push('claim');
        if (claimed.has(key)) return false;
        claimed.add(key);
        return true;
      },
    },
  );
  a.command('/deploy', async ({ command, ack }) => {
    if (command.text === 'help') return ack({ text: 'the help' });
    await ack();
    log.push(`work ${command.trigger_id}`);
  });
  a.error(async (e) => {
    if (isSeenBefore(e)) throw e;
  });
  return a;
}

function delivery(log: string[], n: number, text = 'status'): ReceiverEvent & { answers: unknown[] } {
  const answers: unknown[] = [];
  return {
    body: {
      command: '/deploy',
      text,
      user_id: 'U0ALICE',
      channel_id: 'C0DEV',
      team_id: 'T1',
      trigger_id: `t${n}`,
    },
    ack: async (response?: unknown) => {
      answers.push(response);
      log.push(`ack t${n}`);
    },
    answers,
  };
}

describe('GuardedApp: acknowledgements before claims and work', () => {
  it('acknowledges every delivery of a burst before any is claimed or worked on', async () => {
    const log: string[] = [];
    const a = app(log);
    await Promise.all([1, 2, 3, 4, 5].map((n) => a.processEvent(delivery(log, n))));
    const lastAck = Math.max(...log.flatMap((l, i) => (l.startsWith('ack') ? [i] : [])));
    const firstOther = log.findIndex((l) => !l.startsWith('ack'));
    expect(lastAck).toBe(4);
    expect(firstOther).toBe(5);
    expect(log.filter((l) => l.startsWith('work')).sort()).toEqual([
      'work t1',
      'work t2',
      'work t3',
      'work t4',
      'work t5',
    ]);
  });

  it('acts once on a delivery repeated to this replica or another sharing the ledger', async () => {
    const log: string[] = [];
    const ledger = new Set<string>();
    await app(log, ledger).processEvent(delivery(log, 1));
    await app(log, ledger).processEvent(delivery(log, 1)); // another replica
    const here = app(log, ledger);
    await here.processEvent(delivery(log, 2));
    await here.processEvent(delivery(log, 2)); // the same replica
    expect(log.filter((l) => l.startsWith('ack'))).toHaveLength(4);
    expect(log.filter((l) => l.startsWith('work'))).toEqual(['work t1', 'work t2']);
  });

  it('answers in the acknowledgement once: a repeated help gets a plain acknowledgement', async () => {
    const log: string[] = [];
    const ledger = new Set<string>();
    const first = delivery(log, 7, 'help');
    const again = delivery(log, 7, 'help');
    await app(log, ledger).processEvent(first);
    await app(log, ledger).processEvent(again);
    expect(first.answers).toEqual([{ text: 'the help' }]);
    expect(again.answers).toEqual([undefined]);
  });
});
