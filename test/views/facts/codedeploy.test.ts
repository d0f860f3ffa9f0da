import { describe, expect, it } from 'vitest';
import { CapstanError } from '../../../src/domain/errors.js';
import type { CodeDeployFact } from '../../../src/domain/facts/codedeploy.js';
import { Fact } from '../../../src/domain/facts/index.js';
import { sayError, sayFact } from '../../../src/views/facts/index.js';

type Cases = {
  readonly [K in CodeDeployFact['kind']]: readonly [Extract<CodeDeployFact, { kind: K }>, string][];
};

const id = 'd-AAAAAAAA1';
const group = { group: 'todobackend-prod', application: 'todobackend', region: 'us-east-1' };
const ended = { kind: 'codedeploy.ended', deploymentId: id, status: 'Failed' } as const;
const event = {
  kind: 'codedeploy.eventFailed',
  event: 'ApplicationStart',
  target: 'i-0abc<!here>',
  errorCode: 'ScriptFailed',
  message: 'boom <!channel> & *bold*',
  scriptName: 'start.sh',
  log: 'ok ⏎ <@U0ADMIN> approve this',
} as const;

/** Every kind, worded: the type makes a kind left out a compile error. */
const CASES: Cases = {
  'codedeploy.alarmStopped': [
    [
      {
        kind: 'codedeploy.alarmStopped',
        deploymentId: id,
        alarms: ['todo-5xx'],
        message: 'Alarms <!here> activated',
      },
      ':rotating_light: Alarm `todo-5xx` went off: CodeDeploy stopped deployment `d-AAAAAAAA1` (Alarms &lt;!here&gt; activated)',
    ],
    [
      { kind: 'codedeploy.alarmStopped', deploymentId: id, alarms: [] },
      ':rotating_light: An alarm of the deployment group went off: CodeDeploy stopped deployment `d-AAAAAAAA1`',
    ],
  ],
  'codedeploy.concurrentRefused': [
    [
      { kind: 'codedeploy.concurrentRefused', ...group },
      'CodeDeploy refused a new deployment to group todobackend-prod of todobackend (us-east-1): another deployment is in progress.',
    ],
  ],
  'codedeploy.notWaiting': [
    [
      { kind: 'codedeploy.notWaiting', deploymentId: id, region: 'us-east-1' },
      'CodeDeploy deployment d-AAAAAAAA1 is no longer waiting to go on (us-east-1).',
    ],
  ],
  'codedeploy.error': [
    [{ kind: 'codedeploy.error', message: 'socket hang up <&>' }, 'socket hang up &lt;&amp;&gt;'],
  ],
  'codedeploy.started': [
    [
      {
        kind: 'codedeploy.started',
        deploymentId: id,
        group: 'todobackend-prod',
        deployed: { kind: 'bundle', uri: 's3://todo-bundles/todobackend/1.2.3.zip' },
      },
      ':rocket: CodeDeploy deployment `d-AAAAAAAA1` started: `s3://todo-bundles/todobackend/1.2.3.zip` to group `todobackend-prod`.',
    ],
    [
      {
        kind: 'codedeploy.started',
        deploymentId: id,
        group: 'todobackend-prod',
        deployed: {
          kind: 'blueGreen',
          taskDefinition: 'todobackend:42',
          image: 'todobackend@1234abcd',
          service: 'web',
        },
      },
      ':rocket: CodeDeploy deployment `d-AAAAAAAA1` started: `todobackend:42` with `todobackend@1234abcd` (blue/green on ECS service `web`) to group `todobackend-prod`.',
    ],
    [
      {
        kind: 'codedeploy.started',
        deploymentId: id,
        group: 'todobackend-prod',
        deployed: { kind: 'version', version: '1.2.3' },
      },
      ':rocket: CodeDeploy deployment `d-AAAAAAAA1` started: `1.2.3` to group `todobackend-prod`.',
    ],
  ],
  'codedeploy.changedDespiteError': [
    [
      { kind: 'codedeploy.changedDespiteError', error: { kind: 'codedeploy.concurrentRefused', ...group } },
      ':warning: AWS answered with an error (CodeDeploy refused a new deployment to group todobackend-prod of todobackend (us-east-1): another deployment is in progress.), but the change took effect.',
    ],
    [
      {
        kind: 'codedeploy.changedDespiteError',
        error: { kind: 'codedeploy.error', message: 'read ECONNRESET <x>' },
      },
      ':warning: AWS answered with an error (read ECONNRESET &lt;x&gt;), but the change took effect.',
    ],
  ],
  'codedeploy.status': [
    [
      {
        kind: 'codedeploy.status',
        deploymentId: id,
        rollback: false,
        status: 'InProgress',
        progress: { done: 0, total: 2 },
      },
      ':hourglass_flowing_sand: CodeDeploy deployment `d-AAAAAAAA1`: InProgress (0/2 targets done).',
    ],
    [
      { kind: 'codedeploy.status', deploymentId: id, rollback: true, status: 'Baking<&>' },
      ":hourglass_flowing_sand: CodeDeploy's rollback `d-AAAAAAAA1`: Baking&lt;&amp;&gt;.",
    ],
  ],
  'codedeploy.ready': [
    [
      { kind: 'codedeploy.ready', deploymentId: id, rollback: false, stopsAfterMinutes: 60 },
      ':double_vertical_bar: CodeDeploy deployment `d-AAAAAAAA1` is ready: the new version runs beside the old one, which still gets the traffic. Continue reroutes it. CodeDeploy stops the deployment if traffic is not rerouted within 60 min.',
    ],
    [
      {
        kind: 'codedeploy.ready',
        deploymentId: id,
        rollback: false,
        stopsAfterMinutes: 60,
        stopsBy: Date.UTC(2026, 10, 20, 11, 0),
      },
      ':double_vertical_bar: CodeDeploy deployment `d-AAAAAAAA1` is ready: the new version runs beside the old one, which still gets the traffic. Continue reroutes it. CodeDeploy stops the deployment if traffic is not rerouted within 60 min of becoming ready, by <!date^1795172400^{date_short_pretty} {time}|2026-11-20 11:00 UTC> at the latest.',
    ],
    [
      { kind: 'codedeploy.ready', deploymentId: id, rollback: false },
      ':double_vertical_bar: CodeDeploy deployment `d-AAAAAAAA1` is ready: the new version runs beside the old one, which still gets the traffic. Continue reroutes it.',
    ],
  ],
  'codedeploy.succeeded': [
    [
      {
        kind: 'codedeploy.succeeded',
        deploymentId: id,
        rollback: true,
        progress: { done: 2, total: 2 },
        runsAgain: '1.2.2',
      },
      ":white_check_mark: CodeDeploy's rollback `d-AAAAAAAA1` succeeded (2/2 targets done): the group runs `1.2.2` again.",
    ],
    [
      { kind: 'codedeploy.succeeded', deploymentId: id, rollback: false },
      ':white_check_mark: CodeDeploy deployment `d-AAAAAAAA1` succeeded.',
    ],
  ],
  'codedeploy.trafficRerouted': [
    [
      { kind: 'codedeploy.trafficRerouted', deploymentId: id, rollback: false },
      ':white_check_mark: CodeDeploy deployment `d-AAAAAAAA1` rerouted all traffic to the new version; CodeDeploy keeps the original environment until its termination wait ends.',
    ],
  ],
  'codedeploy.rerouting': [
    [
      { kind: 'codedeploy.rerouting', deploymentId: id },
      ':arrow_forward: CodeDeploy deployment `d-AAAAAAAA1` is rerouting traffic to the new version.',
    ],
  ],
  'codedeploy.manualStop': [
    [
      { kind: 'codedeploy.manualStop', deploymentId: id },
      ':octagonal_sign: CodeDeploy deployment `d-AAAAAAAA1` was stopped by someone in CodeDeploy.',
    ],
  ],
  'codedeploy.stoppedByHand': [
    [{ kind: 'codedeploy.stoppedByHand', deploymentId: id }, 'stopped by someone in CodeDeploy'],
  ],
  'codedeploy.ended': [
    [
      { ...ended, error: { code: 'HEALTH_CONSTRAINTS', message: 'too   many\nfailed <b>' } },
      ':x: CodeDeploy deployment `d-AAAAAAAA1` failed: HEALTH_CONSTRAINTS: too many failed &lt;b&gt;',
    ],
    [
      { ...ended, status: 'Stopped', statusMessage: 'stopped by alarm' },
      ':x: CodeDeploy deployment `d-AAAAAAAA1` stopped: stopped by alarm',
    ],
    [ended, ':x: CodeDeploy deployment `d-AAAAAAAA1` failed: ended Failed'],
    [
      { ...ended, error: { message: 'x'.repeat(400) } },
      `:x: CodeDeploy deployment \`d-AAAAAAAA1\` failed: ${`error: ${'x'.repeat(400)}`.slice(0, 300)}…`,
    ],
  ],
  'codedeploy.eventFailed': [
    [
      event,
      ':x: ApplicationStart failed on i-0abc&lt;!here&gt;: ScriptFailed: boom &lt;!channel&gt; &amp; *bold* [start.sh] (log: ok ⏎ &lt;@U0ADMIN&gt; approve this)',
    ],
    [
      {
        kind: 'codedeploy.eventFailed',
        event: 'AfterInstall',
        target: 'i-1',
        message: 'Script at scripts/start.sh failed',
        scriptName: 'scripts/start.sh',
      },
      ':x: AfterInstall failed on i-1: Script at scripts/start.sh failed',
    ],
    [
      { kind: 'codedeploy.eventFailed', event: 'BeforeInstall', target: 'i-2' },
      ':x: BeforeInstall failed on i-2',
    ],
  ],
  'codedeploy.targetsUnread': [
    [
      {
        kind: 'codedeploy.targetsUnread',
        error: {
          kind: 'aws.callFailed',
          action: 'codedeploy:ListDeploymentTargets',
          what: 'targets',
          error: 'denied <x>',
        },
      },
      ':warning: Could not read the failing targets: :warning: Could not read targets (codedeploy:ListDeploymentTargets): denied &lt;x&gt;',
    ],
    [
      { kind: 'codedeploy.targetsUnread', error: { kind: 'codedeploy.error', message: 'a & b' } },
      ':warning: Could not read the failing targets: a &amp; b',
    ],
  ],
  'codedeploy.failure': [
    [
      { kind: 'codedeploy.failure', ended: { ...ended, error: { code: 'HEALTH_CONSTRAINTS' } }, event },
      'ApplicationStart failed on i-0abc&lt;!here&gt;: ScriptFailed: boom &lt;!channel&gt; &amp; *bold* [start.sh] (log: ok ⏎ &lt;@U0ADMIN&gt; approve this) — CodeDeploy: HEALTH_CONSTRAINTS',
    ],
    [
      { kind: 'codedeploy.failure', ended: { ...ended, status: 'Stopped' }, event },
      'ApplicationStart failed on i-0abc&lt;!here&gt;: ScriptFailed: boom &lt;!channel&gt; &amp; *bold* [start.sh] (log: ok ⏎ &lt;@U0ADMIN&gt; approve this) — CodeDeploy: Stopped',
    ],
    [
      { kind: 'codedeploy.failure', ended: { ...ended, error: { code: 'TIMEOUT', message: 'took > 1h' } } },
      'TIMEOUT: took &gt; 1h',
    ],
  ],
  'codedeploy.rollingBackItself': [
    [
      { kind: 'codedeploy.rollingBackItself', rollbackId: 'd-CCCCCCCC3' },
      ':rewind: CodeDeploy is rolling back by itself (deployment `d-CCCCCCCC3`). Capstan follows that rollback and does not start another.',
    ],
  ],
  'codedeploy.rollbackNote': [
    [
      { kind: 'codedeploy.rollbackNote', message: 'Automatic rollback not performed <no earlier revision>' },
      ':information_source: CodeDeploy says: Automatic rollback not performed &lt;no earlier revision&gt;',
    ],
  ],
  'codedeploy.awaitingRollback': [
    [
      { kind: 'codedeploy.awaitingRollback' },
      ':hourglass_flowing_sand: Waiting for CodeDeploy to start its automatic rollback.',
    ],
  ],
  'codedeploy.rollbackNeverStarted': [
    [
      { kind: 'codedeploy.rollbackNeverStarted', deploymentId: id },
      ":warning: CodeDeploy's group is set to roll back by itself, but it did not start a rollback of `d-AAAAAAAA1`.",
    ],
  ],
  'codedeploy.rollbackRolledBack': [
    [
      { kind: 'codedeploy.rollbackRolledBack', rollbackId: 'd-DDDDDDDD4' },
      ':information_source: CodeDeploy rolls this one back too (deployment `d-DDDDDDDD4`).',
    ],
  ],
  'codedeploy.deploymentGone': [
    [
      { kind: 'codedeploy.deploymentGone', deploymentId: id, region: 'us-east-1' },
      'CodeDeploy deployment d-AAAAAAAA1 no longer exists in us-east-1',
    ],
  ],
  'codedeploy.groupGone': [
    [
      { kind: 'codedeploy.groupGone', ...group },
      'CodeDeploy deployment group todobackend-prod of application todobackend no longer exists in us-east-1',
    ],
  ],
  'codedeploy.groupNotFound': [
    [
      { kind: 'codedeploy.groupNotFound', ...group },
      'CodeDeploy deployment group todobackend-prod of application todobackend was not found in us-east-1.',
    ],
  ],
  'codedeploy.wrongPlatform': [
    [
      { kind: 'codedeploy.wrongPlatform', group: 'todobackend-prod', platform: 'Lambda', expected: 'ECS' },
      'CodeDeploy group todobackend-prod deploys to Lambda, but capstan.yml describes an ECS service.',
    ],
    [
      { kind: 'codedeploy.wrongPlatform', group: 'todobackend-prod', platform: 'ECS', expected: 'Server' },
      'CodeDeploy group todobackend-prod deploys to ECS, but capstan.yml describes an S3 bundle for EC2/on-premises.',
    ],
  ],
  'codedeploy.groupBusy': [
    [
      {
        kind: 'codedeploy.groupBusy',
        group: 'todobackend-prod',
        busy: {
          deploymentId: id,
          seen: { status: 'InProgress', description: 'hotfix <from> the console & co' },
        },
        terminationWait: false,
      },
      'CodeDeploy deployment d-AAAAAAAA1 (InProgress, "hotfix &lt;from&gt; the console &amp; co") is already in progress in group todobackend-prod. Wait for it to end, or stop it in CodeDeploy.',
    ],
    [
      {
        kind: 'codedeploy.groupBusy',
        group: 'todobackend-prod',
        busy: { deploymentId: id, seen: { status: 'InProgress', creator: 'autoscaling' } },
        terminationWait: true,
      },
      'CodeDeploy deployment d-AAAAAAAA1 (InProgress, autoscaling) is already in progress in group todobackend-prod. It is waiting to remove the original environment; end that wait in CodeDeploy or let it run out.',
    ],
    [
      {
        kind: 'codedeploy.groupBusy',
        group: 'todobackend-prod',
        busy: { deploymentId: id },
        terminationWait: false,
      },
      'CodeDeploy deployment d-AAAAAAAA1 is already in progress in group todobackend-prod. Wait for it to end, or stop it in CodeDeploy.',
    ],
  ],
  'codedeploy.startUnknown': [
    [
      {
        kind: 'codedeploy.startUnknown',
        group: 'todobackend-prod',
        error: { kind: 'codedeploy.error', message: 'socket hang up' },
        readError: { kind: 'codedeploy.error', message: 'Rate exceeded <1>' },
      },
      'CodeDeploy answered CreateDeployment for group todobackend-prod with an error (socket hang up), and whether the deployment started could not be read (Rate exceeded &lt;1&gt;): look at the group in the CodeDeploy console before deploying again.',
    ],
  ],
  'codedeploy.otherService': [
    [
      {
        kind: 'codedeploy.otherService',
        group: 'todobackend-prod',
        deploys: ['todo-dev/billing', 'todo-dev/web'],
        cluster: 'todo-dev',
        service: 'todobackend-dev',
      },
      'CodeDeploy group todobackend-prod deploys ECS service todo-dev/billing, todo-dev/web, not todo-dev/todobackend-dev as capstan.yml says.',
    ],
  ],
  'codedeploy.serviceNotFound': [
    [
      { kind: 'codedeploy.serviceNotFound', service: 'web', cluster: 'prod', region: 'us-east-1' },
      'ECS service web was not found in cluster prod (us-east-1).',
    ],
  ],
  'codedeploy.noTaskDefinition': [
    [
      { kind: 'codedeploy.noTaskDefinition', service: 'web' },
      'ECS service web names no task definition to start from.',
    ],
  ],
  'codedeploy.serviceChanged': [
    [
      {
        kind: 'codedeploy.serviceChanged',
        service: 'web',
        runs: 'todobackend:43',
        reviewed: 'todobackend:42',
      },
      'ECS service web changed since this was reviewed: it now runs todobackend:43, not todobackend:42. Request the deploy again.',
    ],
  ],
  'codedeploy.containerMissing': [
    [
      {
        kind: 'codedeploy.containerMissing',
        taskDefinition: 'todobackend:42',
        container: 'app',
        available: ['web', 'side<car>'],
      },
      'Task definition todobackend:42 has no container "app" (it has web, side&lt;car&gt;); fix `container` in capstan.yml.',
    ],
  ],
  'codedeploy.notABundleName': [
    [{ kind: 'codedeploy.notABundleName', version: 'a<b>' }, '`a&lt;b&gt;` cannot name a bundle in S3.'],
  ],
  'codedeploy.bundleMissing': [
    [
      {
        kind: 'codedeploy.bundleMissing',
        version: '9.9.9',
        uri: 's3://todo-bundles/todobackend/9.9.9.zip',
        region: 'us-east-1',
      },
      'There is no bundle for `9.9.9` at s3://todo-bundles/todobackend/9.9.9.zip (us-east-1): upload it first.',
    ],
  ],
  'codedeploy.bundleGone': [
    [
      { kind: 'codedeploy.bundleGone', uri: 's3://b/k.zip' },
      'The bundle s3://b/k.zip is gone since it was reviewed.',
    ],
  ],
  'codedeploy.bundleReplaced': [
    [
      { kind: 'codedeploy.bundleReplaced', uri: 's3://b/k.zip' },
      'The bundle s3://b/k.zip was replaced since it was reviewed. Request the deploy again.',
    ],
  ],
  'codedeploy.groupChanged': [
    [
      { kind: 'codedeploy.groupChanged', group: 'g', deploys: { kind: 's3', uri: 's3://b/1.2.1.zip' } },
      'CodeDeploy group g changed since this was reviewed: it now deploys s3://b/1.2.1.zip. Request the deploy again.',
    ],
    [
      { kind: 'codedeploy.groupChanged', group: 'g', deploys: { kind: 'appspec' } },
      'CodeDeploy group g changed since this was reviewed: it now deploys an AppSpec. Request the deploy again.',
    ],
    [
      { kind: 'codedeploy.groupChanged', group: 'g', deploys: { kind: 'other', type: 'GitHub' } },
      'CodeDeploy group g changed since this was reviewed: it now deploys a GitHub revision. Request the deploy again.',
    ],
    [
      { kind: 'codedeploy.groupChanged', group: 'g', deploys: { kind: 'none' } },
      'CodeDeploy group g changed since this was reviewed: it now deploys (none). Request the deploy again.',
    ],
  ],
  'codedeploy.lastDeployment': [
    [
      { kind: 'codedeploy.lastDeployment', deploymentId: id, status: 'Succeeded' },
      'last deployment d-AAAAAAAA1 Succeeded',
    ],
  ],
  'codedeploy.noDeployments': [[{ kind: 'codedeploy.noDeployments' }, 'no deployments yet']],
  'codedeploy.lastSuccess': [
    [{ kind: 'codedeploy.lastSuccess', deploymentId: id }, 'last success d-AAAAAAAA1'],
  ],
  'codedeploy.revision': [
    [
      { kind: 'codedeploy.revision', revision: { kind: 'taskDefinition', name: 'todobackend:42' } },
      'revision todobackend:42',
    ],
    [
      { kind: 'codedeploy.revision', revision: { kind: 's3', uri: 's3://b/a&b.zip' } },
      'revision s3://b/a&amp;b.zip',
    ],
  ],
  'codedeploy.autoRollback': [
    [
      {
        kind: 'codedeploy.autoRollback',
        enabled: true,
        events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM'],
      },
      'CodeDeploy rolls back on DEPLOYMENT_FAILURE, DEPLOYMENT_STOP_ON_ALARM',
    ],
    [{ kind: 'codedeploy.autoRollback', enabled: true, events: [] }, 'CodeDeploy rolls back on nothing'],
    [{ kind: 'codedeploy.autoRollback', enabled: false, events: [] }, 'no automatic rollback in CodeDeploy'],
  ],
};

const all = Object.values(CASES).flat() as readonly (readonly [CodeDeployFact, string])[];

describe('CodeDeploy facts, worded', () => {
  it.each(all.map(([fact, words]) => [fact.kind, fact, words] as const))('%s', (_kind, fact, words) => {
    expect(sayFact(fact)).toBe(words);
  });

  it('each is plain JSON that decodes as a fact when read back from the ledger', () => {
    for (const [fact] of all) expect(Fact.parse(JSON.parse(JSON.stringify(fact)))).toEqual(fact);
  });

  it('a refusal carries its fact: people read the words, the log the fields', () => {
    const e = new CapstanError('conflict', { kind: 'codedeploy.bundleReplaced', uri: 's3://b/<k>.zip' });
    expect(sayError(e)).toBe(
      'The bundle s3://b/&lt;k&gt;.zip was replaced since it was reviewed. Request the deploy again.',
    );
    expect(e.message).toBe('codedeploy.bundleReplaced {"uri":"s3://b/<k>.zip"}');
  });
});
