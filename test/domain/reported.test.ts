import { describe, expect, it } from 'vitest';
import { CapstanError } from '../../src/domain/errors.js';
import { errorReported, reported } from '../../src/domain/reported.js';

describe('what an ending builds on', () => {
  it("an error says its refusal's fact, never its log line", () => {
    const fact = {
      kind: 'aws.throttled',
      resource: 'ECS service web',
      region: 'us-east-1',
      action: 'ecs:DescribeServices',
    } as const;
    expect(errorReported(new CapstanError('throttled', fact))).toEqual(fact);
  });

  it('any other error says its text, plain', () => {
    expect(errorReported(new Error('socket hang up'))).toBe('socket hang up');
    expect(errorReported('plain')).toBe('plain');
  });

  it("keeps a target's fact or text as it is; an ending cannot nest in another, so it is kept for the log", () => {
    const stopped = { kind: 'ecs.taskStopped', id: 't-1', reason: 'exit 1' } as const;
    expect(reported(stopped)).toEqual(stopped);
    expect(reported({ kind: 'rollout.superseded', by: 'x', late: true })).toBe(
      'rollout.superseded {"by":"x","late":true}',
    );
  });
});
