import { describe, expect, it } from 'vitest';
import { goodStates } from '../../src/domain/verified.js';

const verifying = { name: 'prod', verify: { alarms: ['a'], bakeMs: 60_000, onAlarm: 'rollback' } };

describe('which endings make a version good to roll back to', () => {
  it('where the environment verifies, only verified: a version kept after its alarm is not good', () => {
    expect(goodStates(verifying)).toEqual(['verified']);
  });

  it('without verify, succeeded too (nothing more is checked there)', () => {
    expect([...goodStates({ name: 'dev' })].sort()).toEqual(['succeeded', 'verified']);
  });
});
