import { describe, expect, it } from 'vitest';
import type { CommonFact } from '../../../src/domain/facts/common.js';
import { CommonFact as CommonFactSchema } from '../../../src/domain/facts/common.js';
import { sayFact } from '../../../src/views/facts/index.js';

const where = { resource: 'ECS service <web> & *co*', region: 'us-east-1' };
const place = { app: 'todobackend', env: 'prod' };
const T0 = Date.UTC(2026, 11, 7, 9, 30);

/** Every kind of common fact, worded; outside text (`<`, `&`, `*`) is escaped once. */
const cases: readonly [CommonFact, string][] = [
  [
    { kind: 'store.tableNotActive', table: 'capstan<x>', seconds: 60 },
    'DynamoDB table capstan&lt;x&gt; was not ACTIVE after 60 s; try again, or create it beforehand (deploy/capstan.yaml does).',
  ],
  [
    { kind: 'store.alreadyRecorded', what: 'deployment', id: 'dep-1' },
    'Deployment dep-1 is already recorded elsewhere.',
  ],
  [
    { kind: 'store.alreadyRecorded', what: 'pipelineApproval', id: 'pa-1' },
    'Pipeline approval pa-1 is already recorded.',
  ],
  [
    { kind: 'record.unreadable', id: 'dep-1', what: 'its tracking', problem: 'label: expected <string>' },
    'Capstan cannot read what it recorded for dep-1 (its tracking): label: expected &lt;string&gt;',
  ],
  [
    {
      kind: 'aws.callFailed',
      what: 'stopped tasks',
      error: {
        kind: 'aws.accessDenied',
        resource: 'ECS cluster c',
        region: 'eu-west-1',
        action: 'ecs:ListTasks',
      },
    },
    ":warning: Could not read stopped tasks: AWS denied ecs:ListTasks on ECS cluster c (eu-west-1): allow ecs:ListTasks in Capstan's IAM policy.",
  ],
  [
    { kind: 'aws.callFailed', action: 'ecs:ListTasks', what: 'stopped tasks of <web>', error: 'a & b' },
    ':warning: Could not read stopped tasks of &lt;web&gt; (ecs:ListTasks): a &amp; b',
  ],
  [
    { kind: 'aws.noCredentials', ...where },
    'No AWS credentials to read ECS service &lt;web&gt; &amp; *co* (us-east-1): give Capstan a role or set AWS_PROFILE.',
  ],
  [
    { kind: 'aws.expired', ...where, what: 'session', code: 'ExpiredToken' },
    'The AWS credentials Capstan used for ECS service &lt;web&gt; &amp; *co* (us-east-1) have expired (ExpiredToken): renew the session or the role Capstan runs with; no IAM permission is missing.',
  ],
  [
    { kind: 'aws.expired', ...where, what: 'request', code: 'RequestExpired' },
    'AWS refused a request to ECS service &lt;web&gt; &amp; *co* (us-east-1) as expired (RequestExpired): the clock of the machine Capstan runs on is probably off.',
  ],
  [
    { kind: 'aws.unknownKey', ...where, code: 'InvalidClientTokenId' },
    'AWS does not recognize the credentials Capstan used for ECS service &lt;web&gt; &amp; *co* (us-east-1) (InvalidClientTokenId): the access key is wrong or was deleted.',
  ],
  [
    {
      kind: 'aws.accessDenied',
      resource: 'ECS service web',
      region: 'us-east-1',
      action: 'ecs:UpdateService',
    },
    "AWS denied ecs:UpdateService on ECS service web (us-east-1): allow ecs:UpdateService in Capstan's IAM policy.",
  ],
  [
    {
      kind: 'aws.throttled',
      resource: 'ECS service web',
      region: 'us-east-1',
      action: 'ecs:DescribeServices',
    },
    'AWS is throttling ecs:DescribeServices on ECS service web (us-east-1); try again in a minute.',
  ],
  [
    {
      kind: 'aws.notFound',
      resource: 'ECS service web',
      region: 'us-east-1',
      message: 'Service <web> not found',
    },
    'ECS service web was not found in us-east-1 (Service &lt;web&gt; not found).',
  ],
  [
    { kind: 'aws.notFound', resource: 'ECS service web', region: 'us-east-1' },
    'ECS service web was not found in us-east-1.',
  ],
  [
    {
      kind: 'aws.failed',
      resource: 'ECS service web',
      region: 'us-east-1',
      action: 'ecs:UpdateService',
      message: 'x < y',
    },
    'ecs:UpdateService on ECS service web (us-east-1) failed: x &lt; y',
  ],
  [
    {
      kind: 'aws.assumeRoleDenied',
      roleArn: 'arn:aws:iam::1:role/deploy',
      user: 'U0ALICE',
      message: 'not <authorized>',
    },
    "Capstan could not assume arn:aws:iam::1:role/deploy for U0ALICE: the role's trust policy must allow Capstan sts:AssumeRole and sts:SetSourceIdentity (not &lt;authorized&gt;).",
  ],
  [{ kind: 'env.notConfigured', app: 'todo<x>', env: 'prod' }, 'todo&lt;x&gt;/prod is not configured.'],
  [
    { kind: 'env.notConfigured', app: 'todo', env: 'prd', closest: 'prod<x>' },
    'todo/prd is not configured. Did you mean prod&lt;x&gt;?',
  ],
  [
    {
      kind: 'access.notDeployer',
      ...place,
      deployers: [
        { kind: 'user', id: 'U0BOB' },
        { kind: 'handle', handle: 'ops' },
      ],
    },
    'You may not deploy todobackend to prod. Deployers there: <@U0BOB>, @ops.',
  ],
  [
    {
      kind: 'request.inFlight',
      ...place,
      other: { id: 'dep-1', kind: 'release', version: '1.2.3', by: 'U0BOB' },
    },
    'todobackend/prod already has a release of `1.2.3` in flight (by <@U0BOB>, `dep-1`). Wait for it to finish.',
  ],
  [{ kind: 'request.inFlight', ...place }, 'todobackend/prod already has a deploy in flight.'],
  [
    {
      kind: 'lock.locked',
      ...place,
      owner: 'U0BOB',
      reason: 'db <migration> & *co*',
      at: T0,
      refused: 'change',
    },
    `:lock: *todobackend/prod* is locked by <@U0BOB> since <!date^${T0 / 1000}^{date_short_pretty} {time}|2026-12-07 09:30 UTC>: db &lt;migration&gt; &amp; *co*. Nothing changes there until <@U0BOB> or an admin runs \`/deploy unlock todobackend prod\`.`,
  ],
  [
    { kind: 'lock.locked', ...place, owner: 'U0BOB', at: T0, refused: 'lock' },
    `:lock: *todobackend/prod* is locked by <@U0BOB> since <!date^${T0 / 1000}^{date_short_pretty} {time}|2026-12-07 09:30 UTC>. It is locked already.`,
  ],
  [
    { kind: 'freeze.frozen', ...place, freeze: 'Xmas & <NY>', when: 'request' },
    'todobackend/prod is frozen (Xmas &amp; &lt;NY&gt;). Deploys and releases wait until it ends; rollbacks are still allowed. An admin can add --override "reason" to the command.',
  ],
  [
    { kind: 'freeze.frozen', ...place, freeze: 'Xmas', when: 'execute' },
    'todobackend/prod is frozen (Xmas); nothing was changed. Request it again after the freeze, or an admin can override with --override "reason".',
  ],
  [{ kind: 'lock.taken', ...place }, 'todobackend/prod is already locked.'],
  [{ kind: 'lock.notLocked', ...place }, 'todobackend/prod is not locked.'],
  [
    { kind: 'lock.notOwner', ...place, owner: 'U0BOB' },
    'Only <@U0BOB> (who locked it) or a Capstan admin can unlock todobackend/prod.',
  ],
  [
    { kind: 'freeze.overrideForbidden', freeze: 'Xmas <2026>', admins: [{ kind: 'group', id: 'S0OPS' }] },
    'Only an admin can override the freeze (Xmas &lt;2026&gt;). Admins: <!subteam^S0OPS>.',
  ],
  [{ kind: 'approval.ownRequest' }, 'You asked for this change, so someone else has to approve it.'],
  [
    { kind: 'approval.notApprover', approvers: [{ kind: 'handle', handle: 'sre' }, { kind: 'anyone' }] },
    'You are not an approver here. Approvers: @sre, anyone.',
  ],
  [{ kind: 'approval.already' }, 'You already approved this; it needs another approver.'],
  [
    {
      kind: 'approval.wouldNotCount',
      needed: [
        { count: 1, from: [{ kind: 'handle', handle: 'owners' }] },
        { count: 2, from: [{ kind: 'user', id: 'U0BOB' }] },
      ],
    },
    'Your approval would not count: the rules you can meet already have their approvals. Still needed: 1 from @owners, 2 from <@U0BOB>.',
  ],
  [
    { kind: 'rollback.noGoodVersion', ...place },
    'Capstan has no earlier good version of todobackend in prod. Name one: `/deploy rollback todobackend prod to &lt;version&gt;`.',
  ],
  [{ kind: 'rollback.alreadyRuns', ...place, version: '1.0.0' }, 'todobackend/prod already runs `1.0.0`.'],
  [
    {
      kind: 'release.tagMoved',
      version: '1.2.3',
      digest: `sha256:${'b'.repeat(64)}`,
      reviewedDigest: `sha256:${'a'.repeat(64)}`,
    },
    'Tag `1.2.3` now points to sha256:bbbbbbbbbbbb, not the reviewed sha256:aaaaaaaaaaaa, so nothing was changed. Prepare a fresh review to see what it would change now.',
  ],
  [
    { kind: 'release.locked', ...place, reason: 'a <b> & c' },
    'todobackend/prod is locked (“a &lt;b&gt; &amp; c”); nothing was changed. Request it again once it is unlocked.',
  ],
  [
    { kind: 'release.nothingToChange', ...place, version: '1.2.3' },
    'Nothing to change: todobackend/prod already runs `1.2.3`.',
  ],
  [{ kind: 'release.expired' }, 'Nobody approved it in time; request it again.'],
  [{ kind: 'pipeline.approvalGone' }, 'This approval was already decided or has expired.'],
];

describe('common facts, worded', () => {
  it.each(cases)('%j', (fact, words) => {
    expect(sayFact(fact)).toBe(words);
    // Plain JSON with a schema: what the ledger keeps is read back as it was.
    expect(CommonFactSchema.parse(JSON.parse(JSON.stringify(fact)))).toEqual(fact);
  });

  it('covers every kind', () => {
    const kinds = new Set(cases.map(([f]) => f.kind));
    expect([...kinds].sort()).toEqual(CommonFactSchema.options.map((o) => o.shape.kind.value).sort());
  });
});
