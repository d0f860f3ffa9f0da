import { describe, expect, it } from 'vitest';
import { collapse, collapseLines, repeatInto, shortenIds, threadText } from '../../src/views/thread.js';

const ID = (n: number) => `${String(n).repeat(8)}${'abcdef01'.repeat(3)}`;

describe('thread lines', () => {
  it('task ids are shortened to 8 characters, bare or inside an ARN', () => {
    expect(shortenIds(`(service web) has started 1 tasks: (task ${ID(1)}).`)).toBe(
      '(service web) has started 1 tasks: (task 11111111).',
    );
    expect(shortenIds(`:x: Task \`arn:aws:ecs:us-east-1:123456789012:task/todo-dev/${ID(2)}\` stopped`)).toBe(
      ':x: Task `22222222` stopped',
    );
  });

  it('identical stop reasons of different tasks become one line with ×N', () => {
    const reason = 'stopped: CannotPullContainerError: pull access denied (app: CannotPullContainerError)';
    expect(
      collapseLines([
        `:x: Task \`${ID(1)}\` ${reason}`,
        `:x: Task \`${ID(2)}\` ${reason}`,
        ':information_source: (service web) has reached a steady state.',
        `:x: Task \`${ID(3)}\` ${reason}`,
      ]),
    ).toEqual([
      `:x: Task \`11111111\` ${reason} ×3`,
      ':information_source: (service web) has reached a steady state.',
    ]);
  });

  it('a repeated service event is collapsed; different ones are kept in order', () => {
    const unable =
      ':information_source: (service web) was unable to place a task because no container instance met all of its requirements.';
    expect(
      collapseLines([
        unable,
        `:information_source: (service web) has started 1 tasks: (task ${ID(4)}).`,
        unable,
        `:information_source: (service web) has started 1 tasks: (task ${ID(5)}).`,
        unable,
      ]),
    ).toEqual([
      `${unable} ×3`,
      ':information_source: (service web) has started 1 tasks: (task 44444444). ×2',
    ]);
  });

  it('different reasons stay apart', () => {
    expect(collapseLines([':x: Task `a` stopped: OOM', ':x: Task `b` stopped: exit code 1'])).toHaveLength(2);
  });

  it('image digests are shortened to 12 characters', () => {
    expect(shortenIds(`with \`todobackend@sha256:${'ab'.repeat(32)}\``)).toBe(
      'with `todobackend@sha256:abababababab`',
    );
  });

  it('a later batch that only repeats an earlier message is counted into it; news alone is not', () => {
    const stop = (id: string) => `:x: Task \`${id}\` stopped: OOM`;
    const first = collapse(['Registered `todobackend:43`', stop('a')]);
    const again = repeatInto(first, [stop('b'), stop('c')]);
    expect(again && threadText(again)).toBe('Registered `todobackend:43`\n:x: Task `a` stopped: OOM ×3');
    expect(repeatInto(first, [':rewind: Rolling back'])).toBeUndefined();
    expect(repeatInto(first, [])).toBeUndefined();
  });

  it('a repeat that comes with news is counted into the earlier message, never shown again beside its ×N', () => {
    const stop = (id: string) => `:x: Task \`${id}\` stopped: CannotPullContainerError: not found`;
    const first = collapse([stop('a'), stop('b')]);
    const next = repeatInto(first, [stop('c'), ':rewind: ECS is rolling back by itself']);
    expect(next && threadText(next)).toBe(
      ':x: Task `a` stopped: CannotPullContainerError: not found ×3\n:rewind: ECS is rolling back by itself',
    );
    // A message that would grow too long is left alone: the batch goes into a new one.
    const long = collapse([stop('a'), `:information_source: ${'x'.repeat(2990)}`]);
    expect(repeatInto(long, [stop('d'), ':rewind: news'])).toBeUndefined();
  });
});
