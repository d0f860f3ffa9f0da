import { describe, expect, it } from 'vitest';
import type { CodeDeployDeployment } from '../../src/ports/codedeploy.js';
import {
  ROLLBACK_GRACE_MS,
  concluded,
  followSelfRollback,
  gone,
  judgeActive,
  lookAt,
  promisesRollback,
  rollbackMessage,
  waitForRollback,
} from '../../src/targets/codedeploy-shared/evaluate.js';
import { failedEventLine, failure, knownFailure } from '../../src/targets/codedeploy-shared/failure.js';

const overview = { pending: 0, inProgress: 0, succeeded: 0, failed: 0, skipped: 0, ready: 0 };

function deployment(over: Partial<CodeDeployDeployment> = {}): CodeDeployDeployment {
  return {
    id: 'd-AAAAAAAA1',
    application: 'todobackend',
    group: 'todobackend-prod',
    status: 'InProgress',
    overview,
    terminationWaitStarted: false,
    statusMessages: [],
    ...over,
  };
}

const group = { region: 'us-east-1', application: 'todobackend', deploymentGroup: 'todobackend-prod' };

describe('judging one look at a CodeDeploy deployment (pure)', () => {
  it('only a new stage or targets moving forward is progress; failed targets are not', () => {
    const first = lookAt(deployment({ overview: { ...overview, pending: 2 } }), { deploymentId: 'd-1' });
    expect(first).toMatchObject({ moved: true, statusChanged: true, whose: 'CodeDeploy deployment' });
    const failing = lookAt(deployment({ overview: { ...overview, pending: 1, failed: 1 } }), first.track);
    expect(failing).toMatchObject({ moved: false, statusChanged: false });
    const onward = lookAt(deployment({ overview: { ...overview, succeeded: 1, failed: 1 } }), failing.track);
    expect(onward.moved).toBe(true);
    expect(onward.track.best).toBe(2);
  });

  it('a success of the rollback Capstan follows says which version runs again', () => {
    const d = deployment({ status: 'Succeeded', overview: { ...overview, succeeded: 2 } });
    const look = lookAt(d, { deploymentId: d.id, rollbackOf: 'd-BBBBBBBB2' });
    expect(judgeActive(d, look, '1.2.2')).toEqual({
      kind: 'succeeded',
      data: look.track,
      lines: [
        ":white_check_mark: CodeDeploy's rollback `d-AAAAAAAA1` succeeded (2/2 targets done): the group runs `1.2.2` again.",
      ],
    });
  });

  it('a deployment ready to reroute traffic waits for people, naming CodeDeploy’s own deadline', () => {
    const d = deployment({
      status: 'Ready',
      readyOption: { actionOnTimeout: 'STOP_DEPLOYMENT', waitMinutes: 30 },
    });
    const obs = judgeActive(d, lookAt(d, { deploymentId: d.id, seen: 'InProgress' }), undefined);
    expect(obs).toMatchObject({ kind: 'progress', waiting: 'waiting to reroute traffic' });
    expect(obs.lines[0]).toContain('within 30 min.');
  });

  it('traffic rerouted while the original waits to be removed is a success', () => {
    const d = deployment({ terminationWaitStarted: true });
    expect(judgeActive(d, lookAt(d, { deploymentId: d.id }), undefined).kind).toBe('succeeded');
  });

  it('a missing deployment names what is gone: the deployment, or its whole group', () => {
    expect(gone(group, { deploymentId: 'd-1' }, true)).toMatchObject({
      kind: 'missing',
      what: 'CodeDeploy deployment d-1 no longer exists in us-east-1',
    });
    expect(gone(group, { deploymentId: 'd-1' }, false)).toMatchObject({
      what: 'CodeDeploy deployment group todobackend-prod of application todobackend no longer exists in us-east-1',
    });
  });
});

describe('judging a failed CodeDeploy deployment (pure)', () => {
  const failed = deployment({
    status: 'Failed',
    error: { code: 'HEALTH_CONSTRAINTS', message: 'too many failed' },
  });

  it('puts the failing lifecycle event first in the reason, escaped', () => {
    const line = failedEventLine({
      id: 'i-1',
      status: 'Failed',
      lifecycleEvents: [
        {
          name: 'ApplicationStart',
          status: 'Failed',
          diagnostics: { errorCode: 'ScriptFailed', message: '<b>' },
        },
      ],
    });
    expect(line).toBe('ApplicationStart failed on i-1: ScriptFailed: &lt;b&gt;');
    const f = failure(failed, [line!]);
    expect(f.reason).toBe(
      'ApplicationStart failed on i-1: ScriptFailed: &lt;b&gt; — CodeDeploy: HEALTH_CONSTRAINTS',
    );
    expect(f.lines[0]).toBe(
      ':x: CodeDeploy deployment `d-AAAAAAAA1` failed: HEALTH_CONSTRAINTS: too many failed',
    );
  });

  it('says when the failing targets could not be read', () => {
    expect(failure(failed, [], 'denied').lines).toContain(
      ':warning: Could not read the failing targets: denied',
    );
  });

  it('follows the rollback CodeDeploy started of a rollout, and only of a rollout', () => {
    const d = { ...failed, rollback: { deploymentId: 'd-CCCCCCCC3' } };
    const f = failure(d, []);
    expect(followSelfRollback('rollout', d, { deploymentId: d.id }, f)).toMatchObject({
      kind: 'failed',
      selfRollback: { kind: 'following', data: { deploymentId: 'd-CCCCCCCC3', rollbackOf: d.id } },
    });
    expect(followSelfRollback('rollback', d, { deploymentId: d.id }, f)).toBeUndefined();
  });

  it('waits for a promised rollback within the grace period, posting the cause once, then stops waiting', () => {
    const f = failure(failed, []);
    const look = lookAt(failed, { deploymentId: failed.id });
    const now = 1_000_000;
    const waiting = waitForRollback({ d: failed, look, failure: f, lines: f.lines, timeoutMs: 900_000 }, now);
    expect(waiting).toMatchObject({ kind: 'progress', data: { failedAt: now, reason: f.reason } });
    expect(waiting?.lines.at(-1)).toBe(
      ':hourglass_flowing_sand: Waiting for CodeDeploy to start its automatic rollback.',
    );

    const again = lookAt(failed, waiting!.data);
    const known = knownFailure(again.track)!;
    const still = waitForRollback(
      { d: failed, look: again, failure: known, lines: [], timeoutMs: 900_000 },
      now + 1,
    );
    expect(still?.lines).toEqual([]);
    expect(
      waitForRollback(
        { d: failed, look: again, failure: known, lines: [], timeoutMs: 900_000 },
        now + ROLLBACK_GRACE_MS,
      ),
    ).toBeUndefined();
    // A short rollout timeout shortens the wait to half of it.
    expect(
      waitForRollback({ d: failed, look: again, failure: known, lines: [], timeoutMs: 10_000 }, now + 5_000),
    ).toBeUndefined();
  });

  it('a rollback is promised only for the events the group names', () => {
    expect(promisesRollback(failed, { enabled: true, events: ['DEPLOYMENT_FAILURE'] })).toBe(true);
    expect(promisesRollback(failed, { enabled: true, events: ['DEPLOYMENT_STOP_ON_ALARM'] })).toBe(false);
    expect(promisesRollback(failed, { enabled: false, events: ['DEPLOYMENT_FAILURE'] })).toBe(false);
    const alarm = deployment({ status: 'Stopped', error: { code: 'ALARM_ACTIVE' } });
    expect(promisesRollback(alarm, { enabled: true, events: ['DEPLOYMENT_STOP_ON_ALARM'] })).toBe(true);
  });

  it('what CodeDeploy says about its rollback is shown once, on the rollout', () => {
    const d = { ...failed, rollback: { message: 'no last successful deployment' } };
    expect(rollbackMessage('rollout', d, { deploymentId: d.id })).toEqual([
      ':information_source: CodeDeploy says: no last successful deployment',
    ]);
    expect(rollbackMessage('rollout', d, { deploymentId: d.id, reason: 'posted' })).toEqual([]);
    expect(rollbackMessage('rollback', d, { deploymentId: d.id })).toEqual([]);
  });

  it('ends superseded when someone else’s deployment came after it, else failed with the reason unescaped', () => {
    const f = { reason: 'a &lt;b&gt; c', lines: ['x'] };
    expect(
      concluded('rollout', failed, { deploymentId: failed.id }, f, f.lines, 'CodeDeploy deployment d-9'),
    ).toEqual({
      kind: 'superseded',
      data: { deploymentId: failed.id },
      lines: ['x'],
      by: 'CodeDeploy deployment d-9',
    });
    expect(concluded('rollout', failed, { deploymentId: failed.id }, f, f.lines, undefined)).toMatchObject({
      kind: 'failed',
      reason: 'a <b> c',
    });
  });
});
