import {
  type AnyMiddlewareArgs,
  type App,
  type Middleware,
  type ReceiverEvent,
  onlyActions,
  onlyCommands,
  onlyEvents,
  onlyViewActions,
} from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import type { Environment } from '../../src/domain/catalog.js';
import { createLogger } from '../../src/lib/logger.js';
import { GuardedApp } from '../../src/slack/guardedApp.js';
import { type DispatchDeps, statusReply } from '../../src/slack/dispatch.js';
import { createSlackApp } from '../../src/slack/app.js';
import { routeListenersByKind } from '../../src/slack/listenerRouting.js';
import type { Store } from '../../src/ports/store.js';
import type { Reading, TargetStrategy } from '../../src/targets/strategy.js';
import { DEV as env } from '../fixtures/deployments.js';

const idle = { init() {}, start: async () => undefined, stop: async () => undefined };

/** A Slack Web API that answers ok to everything and records the methods called, in order. */
const recordingFetch = (called: string[]) =>
  (async (url: string | URL) => {
    called.push(String(url).replace(/.*\//, ''));
    const body = { ok: true, user_id: 'U0CAPSTAN', bot_id: 'B0CAPSTAN', ts: '2.0', channel: 'C0DEV' };
    return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
  }) as typeof globalThis.fetch;

/** Lets the event loop go round `n` times. */
const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

function delivery(body: Record<string, unknown>): ReceiverEvent {
  return { body, ack: async () => undefined };
}

/** The Bolt app of Capstan over a recording Slack API, once its start-up calls are done and forgotten. */
async function startedApp(dispatch: DispatchDeps, called: string[]) {
  const app = createSlackApp({
    botToken: 'xoxb-test',
    signingSecret: 'secret',
    apiUrl: 'http://slack.invalid/api/',
    fetch: recordingFetch(called),
    port: 0,
    logger: createLogger('error', () => undefined),
    isReady: () => true,
    dispatch,
  });
  await turns(20);
  called.length = 0; // auth.test, at start
  return app;
}

/** A command delivered whose acknowledgement goes out only when the test calls `acknowledge`. */
async function heldCommand(app: ReturnType<typeof createSlackApp>) {
  let acknowledge: (() => void) | undefined;
  const held = app.processEvent({
    body: {
      command: '/deploy',
      text: 'help',
      user_id: 'U1',
      channel_id: 'C0DEV',
      team_id: 'T1',
      trigger_id: 't1',
    },
    ack: () => new Promise<void>((r) => (acknowledge = r)),
  });
  while (acknowledge === undefined) await turns(1);
  return { held, acknowledge };
}

describe('what runs for each Slack delivery before and after its acknowledgement', () => {
  it('each kind of delivery reaches the listeners of its kind, and only those', async () => {
    const ran: string[] = [];
    const app = new GuardedApp(
      { token: 'xoxb-test', botId: 'B0CAPSTAN', botUserId: 'U0CAPSTAN', receiver: idle },
      { logger: createLogger('error', () => undefined) },
    );
    app.command('/deploy', async ({ ack }) => {
      await ack();
      ran.push('command');
    });
    for (const id of ['approve', 'reject', 'continue'])
      app.action(id, async ({ ack }) => {
        await ack();
        ran.push(`action ${id}`);
      });
    app.view('why', async ({ ack }) => {
      await ack();
      ran.push('view');
    });
    app.event('app_mention', async () => {
      ran.push('mention');
    });

    await app.processEvent(
      delivery({ command: '/deploy', text: 'status', user_id: 'U1', channel_id: 'C1', team_id: 'T1' }),
    );
    await app.processEvent(
      delivery({
        type: 'block_actions',
        team: { id: 'T1' },
        user: { id: 'U1' },
        actions: [{ action_id: 'reject', type: 'button', value: 'r-1', block_id: 'b', action_ts: '1' }],
      }),
    );
    await app.processEvent(
      delivery({
        type: 'view_submission',
        team: { id: 'T1' },
        user: { id: 'U1' },
        view: { callback_id: 'why', private_metadata: 'r-1', state: { values: {} } },
      }),
    );
    await app.processEvent(
      delivery({
        type: 'event_callback',
        team_id: 'T1',
        event_id: 'Ev1',
        event: { type: 'app_mention', text: 'status', user: 'U1', channel: 'C1', ts: '1.0' },
      }),
    );
    expect(ran).toEqual(['command', 'action reject', 'view', 'mention']);
  });

  it('Bolt is handed, per delivery, the listeners whose type filter can let it through and those it cannot judge', async () => {
    const custom: Middleware<AnyMiddlewareArgs> = async ({ next }) => next();
    const listeners = [
      [onlyCommands, 'the command'],
      [onlyActions, 'a button'],
      [onlyActions, 'another button'],
      [onlyViewActions, 'a modal'],
      [onlyEvents, 'a mention'],
      [custom, 'a listener of its own'],
    ];
    let global: Middleware<AnyMiddlewareArgs> | undefined;
    const bolt = { listeners, use: (m: Middleware<AnyMiddlewareArgs>) => (global = m) };
    routeListenersByKind(bolt as unknown as App);
    const handed = async (args: Record<string, unknown>) => {
      let seen: unknown[][] = [];
      // Bolt reads its listeners from inside the last global middleware's next().
      await global!({ ...args, next: async () => void (seen = bolt.listeners) } as never);
      return seen.map((l) => l[1]);
    };

    expect(await handed({ command: {}, body: {} })).toEqual(['the command', 'a listener of its own']);
    expect(await handed({ action: {}, body: {} })).toEqual([
      'a button',
      'another button',
      'a listener of its own',
    ]);
    expect(await handed({ view: {}, body: {} })).toEqual(['a modal', 'a listener of its own']);
    expect(await handed({ event: {}, body: {} })).toEqual(['a mention', 'a listener of its own']);
    // Outside a delivery (registering more), Bolt sees all of them, and what it adds counts.
    expect(bolt.listeners).toHaveLength(6);
    bolt.listeners.push([onlyCommands, 'a second command']);
    expect(await handed({ command: {}, body: {} })).toEqual([
      'the command',
      'a listener of its own',
      'a second command',
    ]);
  });

  it('a burst of the same status is read and worded once; a command asked after that reading began is read again', async () => {
    let ledgerReads = 0;
    let awsReads = 0;
    const reading: Reading = { version: '1.2.3', state: 'ACTIVE', facts: [], inProgress: false, events: [] };
    const strategy = {
      describe: () => 'ECS service s in cluster c (us-east-1)',
      read: async (envs: readonly Environment[]) => {
        awsReads++;
        return new Map(envs.map((e) => [e, reading]));
      },
    } as unknown as TargetStrategy;
    const store = {
      locks: async () => {
        ledgerReads++;
        return [];
      },
      inFlight: async () => [],
    } as unknown as Store;
    const catalog = { apps: [{ name: 'todobackend', environments: [env] }], admins: [], pipelines: [] };
    const deps: DispatchDeps = {
      catalog,
      status: { catalog, targets: { for: () => strategy }, store },
      handlers: {},
    };

    // The burst was asked, and acknowledged, before its work began.
    const askedAt = performance.now();
    const burst = await Promise.all(
      Array.from({ length: 40 }, () => statusReply(deps, 'todobackend', undefined, askedAt)),
    );
    expect(new Set(burst).size).toBe(1);
    expect(burst[0]!.text).toContain('1.2.3');
    expect([ledgerReads, awsReads]).toEqual([1, 1]);

    // Asked after that reading began: read again; another scope is its own.
    const later = await statusReply(deps, 'todobackend');
    expect(later).not.toBe(burst[0]);
    const other = await statusReply(deps, 'todobackend', 'dev', askedAt);
    expect(other).not.toBe(burst[0]);
    expect([ledgerReads, awsReads]).toEqual([3, 3]);
    // A command asked before the latest reading began shares it, even once it is done.
    expect(await statusReply(deps, 'todobackend', undefined, askedAt)).toBe(later);
    expect(ledgerReads).toBe(3);
  });

  it("the Bolt app's calls to Slack wait until the deliveries that arrived meanwhile are acknowledged", async () => {
    const called: string[] = [];
    const reading: Reading = { version: '1.2.3', state: 'ACTIVE', facts: [], inProgress: false, events: [] };
    const strategy = {
      describe: () => 'ECS service s in cluster c (us-east-1)',
      read: async (envs: readonly Environment[]) => new Map(envs.map((e) => [e, reading])),
    } as unknown as TargetStrategy;
    // The ledger answers the status read when the test says so.
    let answerLocks = () => {};
    let locksAsked = false;
    const store = {
      locks: () =>
        new Promise<never[]>((r) => {
          locksAsked = true;
          answerLocks = () => r([]);
        }),
      inFlight: async () => [],
    } as unknown as Store;
    const catalog = { apps: [{ name: 'todobackend', environments: [env] }], admins: [], pipelines: [] };
    const app = await startedApp(
      { catalog, status: { catalog, targets: { for: () => strategy }, store }, handlers: {} },
      called,
    );

    // A mention asking for the status, past its acknowledgement and reading the ledger …
    const mention = app.processEvent({
      body: {
        type: 'event_callback',
        team_id: 'T1',
        event_id: 'Ev1',
        event: {
          type: 'app_mention',
          text: '<@U0CAPSTAN> status todobackend',
          user: 'U1',
          channel: 'C0DEV',
          ts: '1.0',
        },
      },
      ack: async () => undefined,
    });
    while (!locksAsked) await turns(1);
    // … when a command arrives whose acknowledgement has not gone out yet.
    const { held, acknowledge } = await heldCommand(app);
    answerLocks();
    await turns(50);
    expect(called).toEqual([]);
    acknowledge();
    await Promise.all([held, mention]);
    expect(called).toEqual(['chat.postMessage']);
  });
  it('a modal opens at once, even while another delivery waits for its acknowledgement (its trigger_id lasts 3 s)', async () => {
    const called: string[] = [];
    const catalog = { apps: [], admins: [], pipelines: [] };
    const app = await startedApp(
      {
        catalog,
        status: { catalog, targets: { for: () => undefined }, store: {} },
        handlers: {},
      } as unknown as DispatchDeps,
      called,
    );
    const { held, acknowledge } = await heldCommand(app);
    const opened = app.client.views.open({
      trigger_id: 't2',
      view: { type: 'modal', title: { type: 'plain_text', text: 'Why?' }, blocks: [] },
    });
    const posted = app.client.chat.postMessage({ channel: 'C0DEV', text: 'after the acks' });
    // Well before AckFirst's longest hold (1 s): the modal went, the post waits for the acknowledgement.
    for (let i = 0; i < 500 && called.length === 0; i++) await turns(1);
    expect(called).toEqual(['views.open']);
    await opened;
    acknowledge();
    await Promise.all([held, posted]);
    expect(called).toEqual(['views.open', 'chat.postMessage']);
  });
});
