import { describe, expect, it } from 'vitest';
import type { ChangeSetInfo, StackEvent, StackInfo } from '../../src/ports/stacks.js';
import {
  changedBy,
  firstFailure,
  judgeByChangeSet,
  judgeByEvents,
  seeEvents,
} from '../../src/targets/cloudformation/evaluate.js';
import type { StackTrack } from '../../src/targets/cloudformation/schemas.js';
import type { Observation } from '../../src/targets/strategy.js';
import { sayFact as say } from '../../src/views/facts/index.js';

const STACK = 'AWS::CloudFormation::Stack';
const SVC = 'AWS::ECS::Service';
const T0 = 1_000_000;

const track: StackTrack = {
  region: 'us-east-1',
  stack: 'todo-prod',
  changeSetName: 'capstan-todo-1-2-3-r-1',
  changeSetArn: 'arn:aws:cloudformation:us-east-1:123456789012:changeSet/capstan-todo-1-2-3-r-1/1',
  stackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/todo-prod/1',
  stackUpdatedAt: '2026-01-01T00:00:00.000Z',
  token: 'r-1',
  executedAt: T0,
  seenEvents: [],
};

const stack: StackInfo = {
  stackId: track.stackId,
  name: 'todo-prod',
  status: 'UPDATE_IN_PROGRESS',
  parameters: { Tag: '1.2.3' },
  updatedAt: '2026-01-01T00:00:00.000Z',
};

let seq = 0;
/** An event `ms` after the execution; `token` the operation's ClientRequestToken. */
const ev = (ms: number, logicalId: string, type: string, status: string, token?: string, reason?: string) =>
  ({
    id: `e-${++seq}`,
    at: T0 + ms,
    logicalId,
    resourceType: type,
    status,
    reason,
    clientRequestToken: token,
  }) satisfies StackEvent;

/** Newest first, as DescribeStackEvents answers. */
const newestFirst = (...events: StackEvent[]) => [...events].reverse();

/** The cause of a failed judgement, as people read it. */
const reasonOf = (obs: Observation | undefined) => (obs?.kind === 'failed' ? say(obs.reason) : undefined);

const changeSet = (executionStatus: string, statusReason?: string): ChangeSetInfo => ({
  arn: track.changeSetArn,
  name: track.changeSetName,
  stackId: track.stackId,
  status: 'CREATE_COMPLETE',
  statusReason,
  executionStatus,
  parameters: {},
  changes: [],
});

describe('CloudFormation evaluate: the events of Capstan’s own operation', () => {
  it('shows only its own new events, oldest first, and remembers them', () => {
    const events = newestFirst(
      ev(-5_000, 'todo-prod', STACK, 'UPDATE_COMPLETE', 'Console-earlier'),
      ev(10, 'todo-prod', STACK, 'UPDATE_IN_PROGRESS', 'r-1', 'User Initiated'),
      ev(20, 'Service', SVC, 'UPDATE_IN_PROGRESS', 'r-1'),
    );
    const seen = seeEvents(track, { stack, events });
    expect(seen.lines).toEqual([
      {
        kind: 'cloudformation.resourceEvent',
        logicalId: 'todo-prod',
        resourceType: STACK,
        status: 'UPDATE_IN_PROGRESS',
        reason: 'User Initiated',
      },
      {
        kind: 'cloudformation.resourceEvent',
        logicalId: 'Service',
        resourceType: SVC,
        status: 'UPDATE_IN_PROGRESS',
      },
    ]);
    expect(seen.lines.map(say)).toEqual([
      '`todo-prod` AWS::CloudFormation::Stack *UPDATE_IN_PROGRESS*: User Initiated',
      '`Service` AWS::ECS::Service *UPDATE_IN_PROGRESS*',
    ]);
    expect(seen.moved).toBe(true);
    expect(judgeByEvents(track, seen)).toMatchObject({ kind: 'progress', moved: true });

    const again = seeEvents(seen.track, { stack, events });
    expect(again.lines).toEqual([]);
    expect(again.moved).toBe(false);
  });

  it('keeps at most 500 seen events', () => {
    const old: StackTrack = { ...track, seenEvents: Array.from({ length: 500 }, (_, i) => `old-${i}`) };
    const seen = seeEvents(old, { stack, events: [ev(1, 'Service', SVC, 'UPDATE_IN_PROGRESS', 'r-1')] });
    expect(seen.track.seenEvents).toHaveLength(500);
    expect(seen.track.seenEvents.at(-1)).toBe(`e-${seq}`);
    expect(seen.track.seenEvents[0]).toBe('old-1');
  });

  it('a resource that failed is not progress', () => {
    const events = [ev(30, 'Service', SVC, 'UPDATE_FAILED', 'r-1', 'circuit breaker')];
    expect(seeEvents(track, { stack, events }).moved).toBe(false);
  });

  it('a track without a token takes the events since the execution for its own', () => {
    const { token: _token, ...untokened } = track;
    const events = newestFirst(
      ev(-5_000, 'Service', SVC, 'UPDATE_COMPLETE', 'Console-earlier'),
      ev(10, 'todo-prod', STACK, 'UPDATE_COMPLETE'),
    );
    const seen = seeEvents(untokened, { stack, events });
    expect(seen.lines.map(say)).toEqual(['`todo-prod` AWS::CloudFormation::Stack *UPDATE_COMPLETE*']);
    expect(judgeByEvents(untokened, seen)).toMatchObject({ kind: 'succeeded' });
  });

  it('succeeds by its own UPDATE_COMPLETE, though a later update by someone else failed', () => {
    const events = newestFirst(
      ev(10, 'todo-prod', STACK, 'UPDATE_IN_PROGRESS', 'r-1'),
      ev(20, 'todo-prod', STACK, 'UPDATE_COMPLETE', 'r-1'),
      ev(30, 'todo-prod', STACK, 'UPDATE_IN_PROGRESS', 'Console-later'),
      ev(40, 'Service', SVC, 'UPDATE_FAILED', 'Console-later', 'not Capstan’s'),
      ev(50, 'todo-prod', STACK, 'UPDATE_ROLLBACK_COMPLETE', 'Console-later'),
    );
    expect(judgeByEvents(track, seeEvents(track, { stack, events }))).toMatchObject({ kind: 'succeeded' });
  });

  it('a failure names the first failing resource of its own operation, and CloudFormation has rolled back', () => {
    const events = newestFirst(
      ev(-9_000, 'Queue', 'AWS::SQS::Queue', 'UPDATE_FAILED', 'Console-earlier', 'someone else’s'),
      ev(10, 'todo-prod', STACK, 'UPDATE_IN_PROGRESS', 'r-1'),
      ev(20, 'Service', SVC, 'UPDATE_FAILED', 'r-1', 'circuit breaker'),
      ev(21, 'todo-prod', STACK, 'UPDATE_ROLLBACK_IN_PROGRESS', 'r-1', 'The following resource(s) failed'),
      ev(30, 'todo-prod', STACK, 'UPDATE_ROLLBACK_COMPLETE', 'r-1'),
    );
    const judged = judgeByEvents(track, seeEvents(track, { stack, events }));
    expect(judged).toEqual(
      expect.objectContaining({
        kind: 'failed',
        reason: {
          kind: 'cloudformation.operationFailed',
          of: 'stack',
          name: 'todo-prod',
          status: 'UPDATE_ROLLBACK_COMPLETE',
          firstFailure: { logicalId: 'Service', resourceType: SVC, reason: 'circuit breaker' },
          account: 'The following resource(s) failed',
        },
        selfRollback: { kind: 'done' },
      }),
    );
    expect(reasonOf(judged)).toBe(
      'Stack todo-prod ended UPDATE_ROLLBACK_COMPLETE. First failure: Service (AWS::ECS::Service): circuit breaker',
    );
  });

  it('without a failing resource, the stack’s own account is the cause', () => {
    const events = newestFirst(
      ev(10, 'todo-prod', STACK, 'UPDATE_ROLLBACK_IN_PROGRESS', 'r-1', 'Parameter validation failed'),
      ev(20, 'todo-prod', STACK, 'UPDATE_ROLLBACK_COMPLETE', 'r-1'),
    );
    expect(reasonOf(judgeByEvents(track, seeEvents(track, { stack, events })))).toBe(
      'Stack todo-prod ended UPDATE_ROLLBACK_COMPLETE. First failure: Parameter validation failed',
    );
  });

  it('leaves it to the change set when none of its own events shows, or a later operation followed', () => {
    expect(judgeByEvents(track, seeEvents(track, { stack, events: [] }))).toBeUndefined();
    const events = newestFirst(
      ev(10, 'todo-prod', STACK, 'UPDATE_IN_PROGRESS', 'r-1'),
      ev(30, 'todo-prod', STACK, 'UPDATE_IN_PROGRESS', 'Console-later'),
    );
    const seen = seeEvents(track, { stack, events });
    expect(seen.later.map((e) => e.clientRequestToken)).toEqual(['Console-later']);
    expect(judgeByEvents(track, seen)).toBeUndefined();
  });
});

describe('CloudFormation evaluate: the change set Capstan executed', () => {
  const nothing = seeEvents(track, { stack, events: [] });

  it('its ExecutionStatus decides', () => {
    expect(judgeByChangeSet(track, nothing, changeSet('EXECUTE_COMPLETE'))).toMatchObject({
      kind: 'succeeded',
    });
    expect(judgeByChangeSet(track, nothing, changeSet('EXECUTE_IN_PROGRESS'))).toMatchObject({
      kind: 'progress',
      moved: false,
    });
    const failed = judgeByChangeSet(track, nothing, changeSet('EXECUTE_FAILED', 'hook failed'));
    expect(failed).toMatchObject({ kind: 'failed', selfRollback: { kind: 'done' } });
    expect(reasonOf(failed)).toBe(
      'Change set capstan-todo-1-2-3-r-1 ended EXECUTE_FAILED. First failure: hook failed',
    );
  });

  it('deleted under a later update: superseded by the oldest update after Capstan’s', () => {
    const events = newestFirst(
      ev(30, 'todo-prod', STACK, 'UPDATE_COMPLETE', 'Console-first'),
      ev(40, 'todo-prod', STACK, 'UPDATE_COMPLETE', 'Console-second'),
    );
    const seen = seeEvents(track, { stack, events });
    expect(judgeByChangeSet(track, seen, undefined)).toEqual({
      kind: 'superseded',
      data: seen.track,
      lines: [],
      by: 'stack update Console-first',
    });
  });

  it('OBSOLETE with no update in sight is "another stack update"; nothing known yet is progress', () => {
    expect(judgeByChangeSet(track, nothing, changeSet('OBSOLETE'))).toMatchObject({
      kind: 'superseded',
      by: 'another stack update',
    });
    expect(judgeByChangeSet(track, nothing, undefined)).toMatchObject({ kind: 'progress' });
  });
});

describe('CloudFormation evaluate: small judgements', () => {
  it('firstFailure is the oldest failing resource with a reason', () => {
    expect(
      firstFailure([
        ev(30, 'B', SVC, 'UPDATE_FAILED', 'r-1', 'second'),
        ev(20, 'A', SVC, 'UPDATE_FAILED', 'r-1', 'first'),
        ev(10, 'C', SVC, 'UPDATE_FAILED', 'r-1'),
      ]),
    ).toEqual({ logicalId: 'A', resourceType: SVC, reason: 'first' });
    expect(firstFailure([])).toBeUndefined();
  });

  it('changedBy gives the token of the update that set LastUpdatedTime, when its events carry one', () => {
    const events = newestFirst(
      ev(-10, 'todo-prod', STACK, 'UPDATE_COMPLETE', 'Console-before'),
      ev(100, 'todo-prod', STACK, 'UPDATE_IN_PROGRESS', 'Console-UpdateStack-1'),
      ev(110, 'Service', SVC, 'UPDATE_COMPLETE', 'Console-UpdateStack-1'),
      ev(120, 'todo-prod', STACK, 'UPDATE_COMPLETE', 'Console-UpdateStack-1'),
    );
    expect(changedBy(events, 'todo-prod', T0 + 100)).toBe('Console-UpdateStack-1');
    expect(
      changedBy([ev(100, 'todo-prod', STACK, 'UPDATE_IN_PROGRESS')], 'todo-prod', T0 + 100),
    ).toBeUndefined();
    expect(changedBy(events, 'todo-prod', T0 + 500)).toBeUndefined();
  });
});
