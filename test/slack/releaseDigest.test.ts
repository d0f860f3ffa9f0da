import {
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  ExecuteChangeSetCommand,
} from '@aws-sdk/client-cloudformation';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoredMessage } from '../../sandbox/slackApi.js';
import { GROUPS, TEST_YAML, USERS } from '../fixtures/config.js';
import { REPO_URI } from '../fixtures/ecs.js';
import { FakeCfn } from '../support/fakeCfn.js';
import { FakeEcs, digestOf } from '../support/fakeEcs.js';
import { type Harness, responseTo, startHarness } from '../support/harness.js';

let h: Harness;
let cfn: FakeCfn;
let ecs: FakeEcs;

async function start(yaml = TEST_YAML) {
  cfn = new FakeCfn();
  ecs = new FakeEcs();
  h = await startHarness({ yaml, slack: { users: USERS, groups: GROUPS } });
}
afterEach(async () => {
  await h.stop();
  cfn.restore();
  ecs.restore();
});

const body = (m: StoredMessage) => `${m.text} ${JSON.stringify(m.blocks)}`;
const cfnCalls = (c: unknown) => cfn.cfn.commandCalls(c as never);
const waiting = (m: StoredMessage) => JSON.stringify(m.blocks).includes('capstan_approve');
const message = (until: (m: StoredMessage) => boolean) =>
  h.slack.waitFor(() => h.slack.channelMessages('C0PROD').find(until), 10_000);

async function reply(command: string, user = 'U0ALICE'): Promise<string> {
  const r = await h.command(command, { user, channel: 'C0PROD' });
  expect(r.status).toBe(200);
  return JSON.stringify(await responseTo(h.slack, r.responseUrl));
}

async function release(version: string): Promise<{ id: string; review: StoredMessage }> {
  const answer = await reply(`todobackend ${version} to prod`);
  const id = /request `(r-[a-z0-9]+)`/.exec(answer)?.[1];
  expect(id).toBeDefined();
  const review = await message((m) => waiting(m) && body(m).includes(id!));
  return { id: id!, review };
}

async function click(action: string, id: string, user: string, m: StoredMessage): Promise<string> {
  const r = await h.click({ actionId: action, value: id, user, message: m });
  expect(r.status).toBe(200);
  return JSON.stringify(await responseTo(h.slack, r.responseUrl));
}

const imageValue = () =>
  (
    cfnCalls(CreateChangeSetCommand).at(-1)!.args[0].input as {
      Parameters: { ParameterKey: string; ParameterValue?: string }[];
    }
  ).Parameters.find((p) => p.ParameterKey === 'ApplicationImageTag')?.ParameterValue;

describe('an approval binds to the image digest', () => {
  it('a tag re-pushed between review and approval: nothing runs, the message says what changed and offers a fresh review', async () => {
    await start();
    const { id, review } = await release('1.2.3');
    ecs.tags.set('1.2.3', { digest: `sha256:${'f'.repeat(64)}`, pushedAt: new Date() });
    expect(await click('capstan_approve', id, 'U0BOB', review)).toContain('Approved.');
    const failed = await message((m) => m.ts === review.ts && /: failed$/.test(m.text));
    expect(body(failed)).toContain(
      `Tag \`1.2.3\` now points to sha256:ffffffffffff, not the reviewed ${digestOf('1.2.3').slice(0, 19)}, so nothing was changed.`,
    );
    expect(JSON.stringify(failed.blocks)).toContain('capstan_refresh');
    expect(JSON.stringify(failed.blocks)).not.toContain('capstan_approve');
    expect(cfnCalls(ExecuteChangeSetCommand)).toHaveLength(0);
    // The change set that will never run is removed.
    await h.slack.waitFor(() => cfnCalls(DeleteChangeSetCommand).length === 1 || undefined);

    expect(await click('capstan_refresh', id, 'U0BOB', failed)).toContain('Preparing a fresh review');
    const fresh = await message((m) => m.ts !== review.ts && waiting(m));
    expect(body(fresh)).toContain('sha256:ffffffffffff');
  });
});

describe('imageParameterFormat', () => {
  const withFormat = (format: string) =>
    TEST_YAML.replace(
      'imageParameter: ApplicationImageTag',
      `imageParameter: ApplicationImageTag\n          imageParameterFormat: ${format}`,
    );

  it('digest: the change set passes the digest the approval binds to, and later reads show it shortened', async () => {
    await start(withFormat('digest'));
    const first = await release('1.2.3');
    expect(imageValue()).toBe(digestOf('1.2.3'));
    expect(body(first.review)).toContain(`ApplicationImageTag: \`1.2.2\` → \`${digestOf('1.2.3')}\``);
    await click('capstan_approve', first.id, 'U0BOB', first.review);
    await message((m) => m.ts === first.review.ts && /: succeeded$/.test(m.text));
    expect(cfn.parameters.ApplicationImageTag).toBe(digestOf('1.2.3'));

    const short = digestOf('1.2.3').slice(0, 19);
    expect(await reply('status todobackend prod')).toContain(`\`${short}\``);
    const second = await release('1.2.1');
    expect(body(second.review)).toContain(`\`${short}\` → \`1.2.1\``);
    expect(body(second.review)).toContain(
      `ApplicationImageTag: \`${digestOf('1.2.3')}\` → \`${digestOf('1.2.1')}\``,
    );
  });

  it('uri: the change set passes the repository URI pinned by digest', async () => {
    await start(withFormat('uri'));
    const { review } = await release('1.2.3');
    expect(imageValue()).toBe(`${REPO_URI}@${digestOf('1.2.3')}`);
    expect(body(review)).toContain(`→ \`${REPO_URI}@${digestOf('1.2.3')}\``);
  });

  it('tag stays the default', async () => {
    await start();
    await release('1.2.3');
    expect(imageValue()).toBe('1.2.3');
  });
});
