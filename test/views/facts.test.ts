import { describe, expect, it } from 'vitest';
import { CapstanError } from '../../src/domain/errors.js';
import { Fact, factForLog } from '../../src/domain/facts/index.js';
import { sayError, sayFact } from '../../src/views/facts/index.js';

describe('facts, worded only in the views', () => {
  it('escapes what came from outside exactly once', () => {
    const said = sayFact({ kind: 'aws.callFailed', what: 'stopped tasks of <web>', error: 'a & b' });
    expect(said).toBe(':warning: Could not read stopped tasks of &lt;web&gt;: a &amp; b');
  });

  it('decodes a fact read back from the ledger, and refuses one that is not a fact', () => {
    const kept: unknown = JSON.parse(
      JSON.stringify({
        kind: 'ecs.taskStopped',
        id: 'abc',
        reason: 'Essential container exited',
        containers: [{ name: 'app', exitCode: 1 }],
      }),
    );
    expect(Fact.parse(kept)).toEqual(kept);
    expect(Fact.safeParse({ kind: 'ecs.taskStopped', reason: 'no id' }).success).toBe(false);
    expect(Fact.safeParse({ kind: 'nothing.known' }).success).toBe(false);
  });

  it('a refusal carries its fact; the log gets the fields, people get the words', () => {
    const e = new CapstanError('not_found', { kind: 'ecs.taskStopped', id: 't1', reason: 'x' });
    expect(e.message).toBe('ecs.taskStopped {"id":"t1","reason":"x"}');
    expect(factForLog(e.fact)).toBe(e.message);
    expect(sayError(e)).toBe(':x: Task `t1` stopped: x');
  });
});
