import { textFact } from '../fakes/ports.js';
import { WebClient } from '@slack/web-api';
import { afterEach, describe, expect, it } from 'vitest';
import { createSlackChat } from '../../src/adapters/slack/chat.js';
import type { Deployment } from '../../src/domain/deployment.js';
import { createLogger, silentLogger } from '../../src/lib/logger.js';
import { systemClock } from '../../src/ports/clock.js';
import type { ShownMessage } from '../../src/ports/notifier.js';
import { SlackStandIn, type StoredMessage } from '../../sandbox/slackApi.js';
import { SlackProgress } from '../../src/slack/progress.js';
import { GROUPS, TEST_YAML, USERS } from '../fixtures/config.js';
import { deployment, ended } from '../fixtures/deployments.js';
import { FakeEcs } from '../support/fakeEcs.js';
import { type Harness, responseTo, startHarness } from '../support/harness.js';

/**
 * Slack failing loses nothing: failed edits and posts are retried with the latest state, a message
 * that cannot be edited is posted anew (and the ledger follows it), and when Slack takes nothing the
 * ledger, `status` and `history` still tell the truth and the log names the deployment.
 */

const isOutcome = (args: Record<string, unknown>) => /: succeeded$/.test(String(args.text));

describe('through Capstan (signed commands, the Slack stand-in, ECS faked at send())', () => {
  let h: Harness;
  let aws: FakeEcs;
  const logLines: string[] = [];

  async function start(): Promise<void> {
    aws = new FakeEcs();
    logLines.length = 0;
    h = await startHarness({
      yaml: TEST_YAML,
      slack: { users: USERS, groups: GROUPS },
      logger: createLogger('debug', (line) => logLines.push(line)),
    });
  }
  afterEach(async () => {
    await h.stop();
    aws.restore();
  });

  async function reply(command: string): Promise<string> {
    const r = await h.command(command);
    expect(r.status).toBe(200);
    return JSON.stringify(await responseTo(h.slack, r.responseUrl));
  }

  const parents = (version: string) =>
    h.slack.channelMessages('C0DEV').filter((m) => m.text.includes(` ${version} to dev`));

  function parent(version: string, until: RegExp): Promise<StoredMessage> {
    return h.slack.waitFor(() => parents(version).find((m) => until.test(m.text)));
  }

  /** Asks for the history until it says what is expected (it is recorded just after Slack answers). */
  async function historyUntil(ok: (text: string) => boolean): Promise<string> {
    let text = '';
    for (let i = 0; i < 50 && !ok(text); i++) text = await reply('history todobackend dev');
    return text;
  }

  const permalinkOf = (m: StoredMessage) => `${h.slack.url}/archives/C0DEV/p${m.ts.replace('.', '')}`;

  it('chat.update failing with HTTP 500 twice is retried: the message ends right, and is not posted twice', async () => {
    await start();
    h.slack.failNext('chat.update', { status: 500 }, 2, isOutcome);
    await reply('todobackend 1.2.3');
    const msg = await parent('1.2.3', /: succeeded$/);
    expect(h.slack.callsOf('chat.update:500').map((c) => String(c.args.text))).toEqual([msg.text, msg.text]);
    expect(parents('1.2.3')).toEqual([msg]);
    const history = await reply('history todobackend dev');
    expect(history).toContain(permalinkOf(msg));
  });

  it('message_not_found on the outcome edit: the outcome is posted anew, and the ledger points at it', async () => {
    await start();
    h.slack.failNext('chat.update', 'message_not_found', 1, isOutcome);
    await reply('todobackend 1.2.3');
    const first = await h.slack.waitFor(() => parents('1.2.3')[0]);
    const fresh = await h.slack.waitFor(() =>
      parents('1.2.3').find((m) => m.ts !== first.ts && /: succeeded$/.test(m.text)),
    );
    expect(fresh.threadTs).toBeUndefined();
    expect(h.slack.callsOf('chat.update:error')).toHaveLength(1);
    // The ledger (what history reads) links the new message, and no longer the old one.
    const history = await historyUntil((text) => text.includes(permalinkOf(fresh)));
    expect(history).not.toContain(permalinkOf(first));
    expect(history).toContain('*succeeded*');
    expect(logLines.some((l) => l.includes('posting it anew') && l.includes('message_not_found'))).toBe(true);
  });

  it('a parent message deleted mid-rollout: it is posted anew, and every later edit goes to the new one', async () => {
    await start();
    aws.behaviour.set('1.2.3', 'stuck');
    await reply('todobackend 1.2.3');
    const first = await parent('1.2.3', /rolling out/i);
    h.slack.messages.splice(h.slack.messages.indexOf(first), 1);
    // The rollout holds until Capstan's next edit finds the message gone and posts it anew (Slack
    // edits are coalesced: were the rollout let finish at once, that edit could be the outcome).
    const posts = () => h.slack.callsOf('chat.postMessage').filter((c) => c.args.thread_ts === undefined);
    const reposted = await h.slack.waitFor(() => posts()[1]);
    expect(String(reposted.args.text)).not.toMatch(/: succeeded$/);
    aws.behaviour.set('1.2.3', 'success');
    const done = await parent('1.2.3', /: succeeded$/);
    expect(parents('1.2.3')).toEqual([done]);
    // Posted anew before the outcome, then edited to it: the ledger pointed at it in time.
    expect(posts()).toHaveLength(2);
    expect(done.edits).toBeGreaterThan(0);
    // The outcome is said under the message as it stands after its last edit: the new one.
    const said = await h.slack.waitFor(() =>
      h.slack.thread('C0DEV', done.ts).find((m) => m.text.includes('succeeded')),
    );
    expect(said.text).toContain('<@U0ALICE>');
    expect(h.slack.thread('C0DEV', first.ts).some((m) => m.text.includes('<@U0ALICE>'))).toBe(false);
  });

  it('an archived channel takes nothing: the ledger, status and history still tell the outcome, and the log names the deployment', async () => {
    await start();
    aws.behaviour.set('1.2.3', 'stuck');
    await reply('todobackend 1.2.3');
    await parent('1.2.3', /rolling out/i);
    h.slack.archived.add('C0DEV');
    aws.behaviour.set('1.2.3', 'success');
    const line = await h.slack.waitFor(() =>
      logLines.find((l) => l.includes('Slack did not take the outcome of a deployment')),
    );
    const logged = JSON.parse(line) as Record<string, unknown>;
    expect(logged).toMatchObject({ level: 'error', app: 'todobackend', env: 'dev', state: 'succeeded' });
    expect(String(logged.id)).toMatch(/\S/);
    expect(String(logged.error)).toContain('is_archived');
    expect(parents('1.2.3').some((m) => /: succeeded$/.test(m.text))).toBe(false);

    const history = await reply('history todobackend dev');
    expect(history).toContain('`1.2.2` → `1.2.3`: *succeeded*');
    const status = await reply('status todobackend dev');
    expect(status).toContain('`1.2.3`');
    expect(status).not.toMatch(/rolling out/i);
  });
});

describe('the notifier over the real Web API client, against the stand-in', () => {
  let slack: SlackStandIn;
  afterEach(async () => {
    await slack.stop();
  });

  async function notifier(
    opts: {
      attempts?: number;
      logLines?: string[];
      lapsedAt?: (id: string) => number | undefined;
      onWait?: () => void;
    } = {},
  ) {
    slack = new SlackStandIn({ users: USERS, groups: GROUPS });
    await slack.start();
    const waits: number[] = [];
    const client = new WebClient('xoxb-test-token', { slackApiUrl: slack.apiUrl });
    const progress = new SlackProgress({
      chat: createSlackChat(client),
      clock: systemClock,
      logger: opts.logLines ? createLogger('debug', (l) => opts.logLines!.push(l)) : silentLogger,
      postIntervalMs: 1,
      updateIntervalMs: 1,
      retryDelayMs: 1000,
      attempts: opts.attempts,
      // Waits are recorded, not waited: the test takes no wall-clock time for them.
      sleep: async (ms) => {
        waits.push(ms);
        opts.onWait?.();
      },
      lapsedAt: opts.lapsedAt,
    });
    const parentTs = slack.addMessage({ channel: 'C0DEV', text: 'parent', blocks: [], user: 'UCAPSTAN' }).ts;
    return { progress, waits, parentTs };
  }

  const at = (ts: string) => slack.messages.find((m) => m.ts === ts)!;

  it('waits out a 429 for its Retry-After, then sends the edit', async () => {
    const { progress, waits, parentTs } = await notifier();
    slack.failNext('chat.update', { status: 429, retryAfter: 7 });
    const d = ended('succeeded', { messageTs: parentTs });
    await progress.show(d);
    await progress.flush();
    expect(waits).toEqual([7000]);
    expect(slack.callsOf('chat.update:429')).toHaveLength(1);
    expect(at(parentTs).text).toMatch(/: succeeded$/);
  });

  it('backs off (doubling) between attempts, sends the latest state, and flush() waits for the outcome', async () => {
    const { progress, waits, parentTs } = await notifier();
    slack.failNext('chat.update', { status: 500 }, 3);
    void progress.show(deployment({ messageTs: parentTs }));
    void progress.show(ended('failed', { messageTs: parentTs, reason: 'tasks keep stopping' }));
    await progress.flush();
    expect(waits).toEqual([1000, 2000, 4000]);
    expect(slack.callsOf('chat.update:500')).toHaveLength(3);
    // The rolling-out state was replaced by the outcome while Slack failed: only the outcome was sent after.
    expect(slack.callsOf('chat.update')).toHaveLength(1);
    expect(at(parentTs).text).toMatch(/: failed$/);
  });

  it('a stalled replica whose lease lapsed drops the progress edit it had queued, but shows what it records later and an ending', async () => {
    let lapsedAt: number | undefined;
    // The edit waits out a 500; meanwhile the replica stalls past its lease (another owner shows the rollout now).
    const seen = deployment({ id: 'd-stall', updatedAt: 1_000 });
    const { progress, parentTs } = await notifier({
      lapsedAt: () => lapsedAt,
      onWait: () => (lapsedAt = 2_000),
    });
    slack.failNext('chat.update', { status: 500 });
    await progress.show({ ...seen, messageTs: parentTs });
    await progress.flush();
    expect(slack.callsOf('chat.update:500')).toHaveLength(1);
    expect(slack.callsOf('chat.update')).toHaveLength(0);
    expect(at(parentTs).text).toBe('parent');
    // "Outcome unknown" is not the last word (a later truth replaces it): recorded before the lapse, it is not shown late.
    await progress.show(ended('outcome_unknown', { id: 'd-stall', messageTs: parentTs, updatedAt: 1_500 }));
    await progress.flush();
    expect(at(parentTs).text).toBe('parent');
    // What it records after the lapse (a click handled here) is shown.
    await progress.show({ ...seen, messageTs: parentTs, updatedAt: 2_500 });
    await progress.flush();
    expect(slack.callsOf('chat.update')).toHaveLength(1);
    // An ending is the ledger's: it is shown whoever's lease it was.
    await progress.show(ended('succeeded', { id: 'd-stall', messageTs: parentTs, updatedAt: 1_800 }));
    await progress.flush();
    expect(at(parentTs).text).toMatch(/: succeeded$/);
  });

  it('gives up after its attempts, and logs the deployment and its outcome', async () => {
    const logLines: string[] = [];
    const { progress, waits, parentTs } = await notifier({ attempts: 3, logLines });
    slack.failNext('chat.update', { status: 500 }, 100);
    await progress.show(ended('succeeded', { id: 'd-down', messageTs: parentTs }));
    await progress.flush();
    expect(slack.callsOf('chat.update:500')).toHaveLength(3);
    expect(waits).toHaveLength(2);
    const line = logLines.find((l) => l.includes('Slack did not take the outcome'));
    expect(JSON.parse(line!)).toMatchObject({ level: 'error', id: 'd-down', state: 'succeeded' });
  });

  it('retries a failed thread post once, with the lines queued meanwhile, and never posts them twice', async () => {
    const { progress, parentTs } = await notifier();
    slack.failNext('chat.postMessage', { status: 500 });
    const d = deployment({ messageTs: parentTs });
    progress.detail(d, [textFact('first line')]);
    progress.detail(d, [textFact('second line')]);
    await progress.flush();
    progress.detail(d, [textFact('third line')]);
    await progress.flush();
    const thread = slack.thread('C0DEV', parentTs).map((m) => m.text);
    expect(slack.callsOf('chat.postMessage:500')).toHaveLength(1);
    expect(thread.join('\n').match(/first line/g)).toHaveLength(1);
    expect(thread.join('\n').match(/second line/g)).toHaveLength(1);
    expect(thread.join('\n')).toMatch(/first line[\s\S]*second line[\s\S]*third line/);
  });

  it('a message that cannot be edited is posted anew, its new place is told, and later edits and lines go there', async () => {
    const { progress, parentTs } = await notifier();
    slack.failNext('chat.update', 'message_not_found');
    const placed: ShownMessage[] = [];
    const d: Deployment = deployment({ messageTs: parentTs });
    await progress.show(d, async (m) => void placed.push(m));
    await progress.flush();
    const fresh = slack.channelMessages('C0DEV').find((m) => m.ts !== parentTs)!;
    expect(placed).toEqual([
      { messageTs: fresh.ts, permalink: `${slack.url}/archives/C0DEV/p${fresh.ts.replace('.', '')}` },
    ]);
    // The caller still holds the old timestamp: the notifier knows where the message went.
    expect(await progress.show(ended('succeeded', { messageTs: parentTs }))).toMatchObject({
      messageTs: fresh.ts,
    });
    progress.detail(d, [textFact('a line')]);
    await progress.flush();
    expect(at(fresh.ts).text).toMatch(/: succeeded$/);
    expect(at(parentTs).text).toBe('parent');
    expect(slack.thread('C0DEV', fresh.ts).map((m) => m.text)).toEqual([expect.stringContaining('a line')]);
    expect(slack.channelMessages('C0DEV')).toHaveLength(2);
  });
});
