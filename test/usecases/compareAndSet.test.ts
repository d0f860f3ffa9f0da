import { describe, expect, it } from 'vitest';
import { LOST, MAX_ATTEMPTS, retryOnConflict } from '../../src/usecases/compareAndSet.js';

describe('retryOnConflict', () => {
  it('runs the attempt again, on a fresh read, until its write wins', async () => {
    const seen: number[] = [];
    const result = await retryOnConflict(
      async (n) => {
        seen.push(n);
        return n < 2 ? LOST : `won at ${n}`;
      },
      () => 'busy',
    );
    expect(result).toBe('won at 2');
    expect(seen).toEqual([0, 1, 2]);
  });

  it('returns a settled answer at once, without writing again', async () => {
    let attempts = 0;
    const result = await retryOnConflict(
      async () => {
        attempts++;
        return 'refused';
      },
      () => 'busy',
    );
    expect([result, attempts]).toEqual(['refused', 1]);
  });

  it(`gives up after ${MAX_ATTEMPTS} lost writes and lets the caller say so`, async () => {
    let attempts = 0;
    const result = await retryOnConflict(
      async () => {
        attempts++;
        return LOST;
      },
      () => 'too busy',
    );
    expect([result, attempts]).toEqual(['too busy', MAX_ATTEMPTS]);
  });
});
