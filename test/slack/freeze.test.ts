import { ExecuteChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StoredMessage } from '../../sandbox/slackApi.js';
import { GROUPS, TEST_YAML, USERS } from '../fixtures/config.js';
import { FakeCfn } from '../support/fakeCfn.js';
import { FakeEcs } from '../support/fakeEcs.js';
import { RAW_TIME, withoutSlackDates } from '../views/rawTimes.js';
import { type Harness, responseTo, startHarness } from '../support/harness.js';

/** Friday 18:00 UTC for 62 hours: 18 December 2026 18:00 until Monday 21 December 08:00. */
const WEEKEND = `freezes:\n  - { name: weekend, cron: "0 18 * * 5", duration: 62h }\n`;
const FROZEN_YAML = WEEKEND + TEST_YAML;
const OPENS = Date.parse('2026-12-18T18:00:00Z');
const ENDS = Date.parse('2026-12-21T08:00:00Z');
const NEXT = Date.parse('2026-12-25T18:00:00Z');
const slackSeconds = (ms: number) => `<!date^${ms / 1000}^`;

let h: Harness | undefined;
let cfn: FakeCfn;
let ecs: FakeEcs;

/**
 * Capstan runs in this process on the system clock; only Date is faked (timers stay real), and it
 * keeps moving, so the wall clock can be set to either side of a freeze's opening.
 */
async function startAt(iso: string, yaml = FROZEN_YAML) {
  vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true, now: Date.parse(iso) });
  cfn = new FakeCfn();
  ecs = new FakeEcs();
  h = await startHarness({ yaml, slack: { users: USERS, groups: GROUPS } });
  return h;
}
afterEach(async () => {
  await h?.stop();
  h = undefined;
  cfn.restore();
  ecs.restore();
  vi.useRealTimers();
});

const body = (m: StoredMessage) => `${m.text} ${JSON.stringify(m.blocks)}`;
const waiting = (m: StoredMessage) => JSON.stringify(m.blocks).includes('capstan_approve');
const message = (channel: string, until: (m: StoredMessage) => boolean) =>
  h!.slack.waitFor(() => h!.slack.channelMessages(channel).find(until), 10_000);
const thread = (channel: string, ts: string, has: string) =>
  h!.slack.waitFor(() => {
    const t = h!.slack
      .thread(channel, ts)
      .map((m) => m.text)
      .join('\n');
    return t.includes(has) ? t : undefined;
  });

async function reply(command: string, user = 'U0ALICE', channel = 'C0DEV'): Promise<string> {
  const r = await h!.command(command, { user, channel });
  expect(r.status).toBe(200);
  return JSON.stringify(await responseTo(h!.slack, r.responseUrl));
}

async function click(action: string, id: string, user: string, m: StoredMessage): Promise<string> {
  const r = await h!.click({ actionId: action, value: id, user, message: m });
  expect(r.status).toBe(200);
  return JSON.stringify(await responseTo(h!.slack, r.responseUrl));
}

const requestId = (answer: string) => /request `((?:dep|r)-[a-z0-9]+)`/.exec(answer)?.[1];

describe('freeze windows at request time', () => {
  it('refuses a deploy with the window’s name and its end in the reader’s time zone; a rollback still goes', async () => {
    await startAt('2026-12-19T10:00:00Z');
    const answer = await reply('todobackend 1.2.3');
    expect(answer).toContain(`:snowflake: *todobackend/dev* is frozen (weekend) until ${slackSeconds(ENDS)}`);
    expect(answer).toContain('rollbacks are still allowed');
    expect(answer).toContain('--override \\"reason\\"');
    expect(ecs.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    // A release is refused the same way, before any change set is made.
    expect(await reply('todobackend 1.2.3 to prod', 'U0ALICE', 'C0PROD')).toContain(
      '*todobackend/prod* is frozen (weekend)',
    );

    const rollback = await reply('rollback todobackend to 1.2.1');
    expect(rollback).toContain('Rolling back');
    await message('C0DEV', (m) => /rollback of todobackend 1\.2\.1 to dev: succeeded$/.test(m.text));
    expect(ecs.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(1);
  });

  it('an admin overrides with a reason: announced in the thread, recorded in history; nobody else may', async () => {
    await startAt('2026-12-19T10:00:00Z');
    expect(await reply('todobackend 1.2.3 --override "I know best"', 'U0ALICE')).toContain(
      'Only an admin can override the freeze (weekend). Admins: <@U0ADMIN>.',
    );
    const answer = await reply('todobackend 1.2.3 --override "hotfix for INC-42 <!channel>"', 'U0ADMIN');
    expect(answer).toContain('Deploying');
    const id = requestId(answer);
    const done = await message('C0DEV', (m) => m.text.includes('succeeded') && body(m).includes(id!));
    const notice = await thread('C0DEV', done.ts, 'overrode the freeze');
    expect(notice).toContain(
      ':warning: <@U0ADMIN> overrode the freeze “weekend”: hotfix for INC-42 &lt;!channel&gt;',
    );
    expect(withoutSlackDates(notice)).not.toMatch(RAW_TIME);
    // The message itself says until when the freeze was in force, as a Slack date.
    expect(body(done)).toMatch(
      /:warning: <@U0ADMIN> overrode the freeze “weekend” \(in force until <!date\^\d+\^[^|]+\|[^>]+>\): hotfix for INC-42 &lt;!channel&gt;/,
    );
    expect(ecs.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(1);
    expect(await reply('history todobackend dev')).toContain(
      ':warning: freeze “weekend” overridden by <@U0ADMIN>: hotfix for INC-42 &lt;!channel&gt;',
    );
  });

  it('status shows the freeze in force and the next one', async () => {
    await startAt('2026-12-19T10:00:00Z');
    const status = await reply('status todobackend dev');
    expect(status).toContain(`:snowflake: frozen (weekend) until ${slackSeconds(ENDS)}`);
    expect(status).toContain(`next freeze: weekend, ${slackSeconds(NEXT)}`);
    expect(await reply('status')).toContain(':snowflake:');
  });

  it('status before a freeze shows only the next one', async () => {
    await startAt('2026-12-16T10:00:00Z');
    const status = await reply('status todobackend dev');
    expect(status).not.toContain('frozen');
    expect(status).toContain(`next freeze: weekend, ${slackSeconds(OPENS)}`);
  });
});

describe('locks and freezes hold at the last moment', () => {
  it('a freeze that opens while a release waits for approval stops it: nothing runs, the message says why and what next', async () => {
    await startAt('2026-12-18T17:50:00Z');
    const id = requestId(await reply('todobackend 1.2.3 to prod', 'U0ALICE', 'C0PROD'));
    const review = await message('C0PROD', waiting);
    vi.setSystemTime(Date.parse('2026-12-18T18:05:00Z'));
    expect(await click('capstan_approve', id!, 'U0BOB', review)).toContain('Approved.');
    const failed = await message('C0PROD', (m) => m.ts === review.ts && /: failed$/.test(m.text));
    expect(body(failed)).toContain(
      'todobackend/prod is frozen (weekend); nothing was changed. Request it again after the freeze, or an admin can override',
    );
    expect(withoutSlackDates(JSON.stringify(failed))).not.toMatch(RAW_TIME);
    expect(JSON.stringify(failed.blocks)).toContain('capstan_refresh');
    expect(cfn.cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
  });

  it('a release an admin requested through the freeze runs once approved', async () => {
    await startAt('2026-12-19T10:00:00Z');
    const id = requestId(await reply('todobackend 1.2.3 to prod --override "INC-42"', 'U0ADMIN', 'C0PROD'));
    const review = await message('C0PROD', waiting);
    await click('capstan_approve', id!, 'U0BOB', review);
    await message('C0PROD', (m) => m.ts === review.ts && /: succeeded$/.test(m.text));
    expect(cfn.cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(1);
  });

  it('a lock taken while a release waits for approval stops it, and the thread says who locked it', async () => {
    await startAt('2026-12-16T10:00:00Z');
    const id = requestId(await reply('todobackend 1.2.3 to prod', 'U0ALICE', 'C0PROD'));
    const review = await message('C0PROD', waiting);
    expect(await reply('lock todobackend prod db migration', 'U0BOB', 'C0PROD')).toContain('locked');
    expect(await click('capstan_approve', id!, 'U0CAROL', review)).toContain('Approved.');
    const failed = await message('C0PROD', (m) => m.ts === review.ts && /: failed$/.test(m.text));
    expect(body(failed)).toContain(
      'todobackend/prod is locked (“db migration”); nothing was changed. Request it again once it is unlocked.',
    );
    expect(await thread('C0PROD', review.ts, 'Not executed')).toContain(
      ':lock: Not executed: <@U0BOB> locked todobackend/prod',
    );
    expect(withoutSlackDates(await thread('C0PROD', review.ts, 'Not executed'))).not.toMatch(RAW_TIME);
    expect(cfn.cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
  });
});
