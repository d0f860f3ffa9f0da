import { describe, expect, it } from 'vitest';
import { CapstanError } from '../../src/domain/errors.js';
import type { CodeDeployDeployment } from '../../src/ports/codedeploy.js';
import { errorOf } from '../../src/targets/codedeploy-shared/errors.js';
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
import { failedEvent, failure, knownFailure } from '../../src/targets/codedeploy-shared/failure.js';
import { trackSchema } from '../../src/targets/codedeploy-shared/schemas.js';
import { sayFact as say } from '../../src/views/facts/index.js';

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
    expect(first).toMatchObject({ moved: true, statusChanged: true, rollback: false });
    const failing = lookAt(deployment({ overview: { ...overview, pending: 1, failed: 1 } }), first.track);
    expect(failing).toMatchObject({ moved: false, statusChanged: false });
    const onward = lookAt(deployment({ overview: { ...overview, succeeded: 1, failed: 1 } }), failing.track);
    expect(onward.moved).toBe(true);
    expect(onward.track.best).toBe(2);
  });

  it('a success of the rollback Capstan follows says which version runs again', () => {
    const d = deployment({ status: 'Succeeded', overview: { ...overview, succeeded: 2 } });
    const look = lookAt(d, { deploymentId: d.id, rollbackOf: 'd-BBBBBBBB2' });
    const judged = judgeActive(d, look, '1.2.2');
    expect(judged).toMatchObject({ kind: 'succeeded', data: look.track });
    expect(judged.lines.map(say)).toEqual([
      ":white_check_mark: CodeDeploy's rollback `d-AAAAAAAA1` succeeded (2/2 targets done): the group runs `1.2.2` again.",
    ]);
  });

  it('a deployment ready to reroute traffic waits for people, naming CodeDeploy’s own deadline', () => {
    const d = deployment({
      status: 'Ready',
      readyOption: { actionOnTimeout: 'STOP_DEPLOYMENT', waitMinutes: 30 },
    });
    const obs = judgeActive(d, lookAt(d, { deploymentId: d.id, seen: 'InProgress' }), undefined);
    expect(obs).toMatchObject({
      kind: 'progress',
      waiting: 'waiting to reroute traffic',
      lines: [{ kind: 'codedeploy.ready', deploymentId: d.id, rollback: false, stopsAfterMinutes: 30 }],
    });
    expect(say(obs.lines[0]!)).toContain('within 30 min.');
    // Seen ready at `now`: CodeDeploy counts its 30 minutes from then or earlier, so it stops by now + 30 min at the latest.
    const now = Date.UTC(2026, 10, 20, 10, 0);
    const first = lookAt(d, { deploymentId: d.id, seen: 'InProgress' });
    const seen = judgeActive(d, first, undefined, now);
    expect(seen.lines).toEqual([
      {
        kind: 'codedeploy.ready',
        deploymentId: d.id,
        rollback: false,
        stopsAfterMinutes: 30,
        stopsBy: now + 30 * 60_000,
      },
    ]);
    expect(say(seen.lines[0]!)).toContain(
      'within 30 min of becoming ready, by <!date^1795170600^{date_short_pretty} {time}|2026-11-20 10:30 UTC> at the latest.',
    );
    // The parent message keeps the same bound on every later look (and after a restart: it is in the ledger).
    expect(seen).toMatchObject({ waitingUntil: now + 30 * 60_000, data: { readySeenAt: now } });
    const later = judgeActive(d, lookAt(d, seen.data as typeof first.track), undefined, now + 60_000);
    expect(later).toMatchObject({ waitingUntil: now + 30 * 60_000, lines: [] });
    // A deployment first met already Ready (an older ledger): no time is made up.
    const met = judgeActive(d, lookAt(d, first.track), undefined, now + 60_000);
    expect(met).toMatchObject({ waitingUntil: undefined, lines: [] });
    const onItsOwn = { ...d, readyOption: { actionOnTimeout: 'CONTINUE_DEPLOYMENT', waitMinutes: 30 } };
    const goesOn = judgeActive(onItsOwn, lookAt(onItsOwn, { deploymentId: d.id }), undefined);
    expect(goesOn.lines).toEqual([{ kind: 'codedeploy.ready', deploymentId: d.id, rollback: false }]);
  });

  it('traffic rerouted while the original waits to be removed is a success', () => {
    const d = deployment({ terminationWaitStarted: true });
    expect(judgeActive(d, lookAt(d, { deploymentId: d.id }), undefined).kind).toBe('succeeded');
  });

  it('a missing deployment names what is gone: the deployment, or its whole group', () => {
    expect(gone(group, { deploymentId: 'd-1' }, true)).toMatchObject({
      kind: 'missing',
      what: { kind: 'codedeploy.deploymentGone', deploymentId: 'd-1', region: 'us-east-1' },
    });
    expect(gone(group, { deploymentId: 'd-1' }, false)).toMatchObject({
      what: {
        kind: 'codedeploy.groupGone',
        group: 'todobackend-prod',
        application: 'todobackend',
        region: 'us-east-1',
      },
    });
  });
});

describe('judging a failed CodeDeploy deployment (pure)', () => {
  const failed = deployment({
    status: 'Failed',
    error: { code: 'HEALTH_CONSTRAINTS', message: 'too many failed' },
  });

  it('puts the failing lifecycle event first in the reason, AWS’s words kept as they are', () => {
    const event = failedEvent({
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
    expect(event).toEqual({
      kind: 'codedeploy.eventFailed',
      event: 'ApplicationStart',
      target: 'i-1',
      errorCode: 'ScriptFailed',
      message: '<b>',
    });
    const f = failure(failed, [event!]);
    expect(f.reason).toEqual({
      kind: 'codedeploy.failure',
      ended: {
        kind: 'codedeploy.ended',
        deploymentId: 'd-AAAAAAAA1',
        status: 'Failed',
        error: { code: 'HEALTH_CONSTRAINTS', message: 'too many failed' },
      },
      event,
    });
    expect(f.lines.map(say)).toEqual([
      ':x: CodeDeploy deployment `d-AAAAAAAA1` failed: HEALTH_CONSTRAINTS: too many failed',
      ':x: ApplicationStart failed on i-1: ScriptFailed: &lt;b&gt;',
    ]);
    expect(say(f.reason)).toBe(
      'ApplicationStart failed on i-1: ScriptFailed: &lt;b&gt; — CodeDeploy: HEALTH_CONSTRAINTS',
    );
  });

  it('says when the failing targets could not be read', () => {
    const denied = { kind: 'codedeploy.error', message: 'denied' } as const;
    expect(failure(failed, [], denied).lines).toContainEqual({
      kind: 'codedeploy.targetsUnread',
      error: denied,
    });
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
    expect(waiting?.lines).toEqual([...f.lines, { kind: 'codedeploy.awaitingRollback' }]);

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

  it('a failure recorded as text by an older Capstan is dropped, so it is read from CodeDeploy again', () => {
    const track = trackSchema.parse({ deploymentId: 'd-1', failedAt: 5, reason: 'ApplicationStart failed' });
    expect(track).toEqual({ deploymentId: 'd-1', failedAt: 5, reason: undefined });
    expect(knownFailure(track)).toBeUndefined();
    const kept = trackSchema.parse({ deploymentId: 'd-1', reason: failure(failed, []).reason });
    expect(knownFailure(kept)).toEqual({ reason: failure(failed, []).reason, lines: [] });
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
      { kind: 'codedeploy.rollbackNote', message: 'no last successful deployment' },
    ]);
    const posted = failure(d, []).reason;
    expect(rollbackMessage('rollout', d, { deploymentId: d.id, reason: posted })).toEqual([]);
    expect(rollbackMessage('rollback', d, { deploymentId: d.id })).toEqual([]);
  });

  it('ends superseded when someone else’s deployment came after it, else failed with its reason', () => {
    const f = failure(failed, []);
    expect(
      concluded('rollout', failed, { deploymentId: failed.id }, f, f.lines, 'CodeDeploy deployment d-9'),
    ).toEqual({
      kind: 'superseded',
      data: { deploymentId: failed.id },
      lines: f.lines,
      by: 'CodeDeploy deployment d-9',
    });
    expect(concluded('rollout', failed, { deploymentId: failed.id }, f, f.lines, undefined)).toEqual({
      kind: 'failed',
      data: { deploymentId: failed.id },
      lines: f.lines,
      reason: f.reason,
    });
    // A rollback by Capstan that CodeDeploy rolls back too says so.
    const rolled = { ...failed, rollback: { deploymentId: 'd-DDDDDDDD4' } };
    expect(concluded('rollback', rolled, { deploymentId: failed.id }, f, [], undefined)).toMatchObject({
      lines: [{ kind: 'codedeploy.rollbackRolledBack', rollbackId: 'd-DDDDDDDD4' }],
    });
  });
});

describe('an error carried inside a CodeDeploy fact', () => {
  it('is its own fact when it has one CodeDeploy facts can carry, else its text as AWS or the refusal wrote it', () => {
    const refused = {
      kind: 'codedeploy.concurrentRefused',
      group: 'g',
      application: 'a',
      region: 'r',
    } as const;
    expect(errorOf(new CapstanError('conflict', refused))).toEqual(refused);
    expect(errorOf(new Error('socket <hang> up'))).toEqual({
      kind: 'codedeploy.error',
      message: 'socket <hang> up',
    });
    const other = new CapstanError(
      'not_found',
      { kind: 'ecs.taskStopped', id: 't', reason: 'r' },
      { cause: new Error('raw') },
    );
    expect(errorOf(other)).toEqual({ kind: 'codedeploy.error', message: 'raw' });
  });
});
