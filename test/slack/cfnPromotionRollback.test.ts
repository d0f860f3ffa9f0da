import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_YAML, GROUPS, USERS } from '../fixtures/config.js';
import { FakeCfn } from '../support/fakeCfn.js';
import { FakeEcs, digestOf } from '../support/fakeEcs.js';
import { type Harness, responseTo, startHarness } from '../support/harness.js';

/** prod: a stack whose parameter takes a tag, fed from its own repository; no approvals, to keep it short. */
const YAML = TEST_YAML.replace(
  'repository: todobackend\n          capabilities',
  'repository: todobackend-prod\n          capabilities',
).replace('approvers: ["@deploy-approvers"]\n          approvals: 1', 'approvals: 0');

let h: Harness;
let cfn: FakeCfn;
let ecs: FakeEcs;

beforeEach(async () => {
  cfn = new FakeCfn();
  ecs = new FakeEcs();
  const pushedAt = new Date();
  // In prod's repository the promoted image is tagged release-7 only.
  ecs.repositories.set('todobackend-prod', {
    registryId: '210987654321',
    tags: new Map(
      Object.entries({ '1.2.1': '1.2.1', 'release-7': '1.2.3' }).map(([tag, image]) => [
        tag,
        { digest: digestOf(image), pushedAt },
      ]),
    ),
  });
  h = await startHarness({ yaml: YAML, slack: { users: USERS, groups: GROUPS } });
});
afterEach(async () => {
  await h.stop();
  cfn.restore();
  ecs.restore();
});

async function reply(command: string, channel: string): Promise<string> {
  const r = await h.command(command, { user: 'U0ALICE', channel });
  expect(r.status).toBe(200);
  return JSON.stringify(await responseTo(h.slack, r.responseUrl));
}

const succeeded = (channel: string, what: RegExp) =>
  h.slack.waitFor(
    () => h.slack.channelMessages(channel).find((m) => what.test(m.text) && /: succeeded$/.test(m.text)),
    10_000,
  );

describe('CloudFormation: /deploy rollback after a promotion under another tag', () => {
  it('goes back to what ran before the promotion, not to the promoted image that runs as release-7', async () => {
    await reply('todobackend 1.2.3 to dev', 'C0DEV');
    await succeeded('C0DEV', / 1\.2\.3 to dev/);
    await reply('todobackend 1.2.1 to prod', 'C0PROD');
    await succeeded('C0PROD', / 1\.2\.1 to prod/);
    expect(await reply('promote todobackend from dev to prod', 'C0PROD')).toContain('Promoting');
    await succeeded('C0PROD', / 1\.2\.3 to prod/);
    expect(cfn.parameters.ApplicationImageTag).toBe('release-7');

    expect(await reply('rollback todobackend prod', 'C0PROD')).toContain(
      'Rolling back *todobackend* `1.2.1` to *prod*',
    );
    await succeeded('C0PROD', /rollback of todobackend 1\.2\.1 to prod/);
    expect(cfn.parameters.ApplicationImageTag).toBe('1.2.1');
  });
});
