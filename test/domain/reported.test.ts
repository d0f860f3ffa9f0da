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

  it("keeps a target's fact as it is; an ending never nests in another, nor does its log line", () => {
    const stopped = { kind: 'ecs.taskStopped', id: 't-1', reason: 'exit 1' } as const;
    expect(reported(stopped)).toEqual(stopped);
    // An ending kept from before gives what it ended on.
    expect(reported({ kind: 'rollout.noGoodVersion', cause: stopped })).toEqual(stopped);
    // One with nothing to nest gives its kind, never its fields as JSON.
    expect(reported({ kind: 'rollout.superseded', by: 'x', late: true })).toBe('rollout.superseded');
  });
});
