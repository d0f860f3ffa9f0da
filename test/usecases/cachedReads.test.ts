import { describe, expect, it } from 'vitest';
import { SingleFlight } from '../../src/lib/singleFlight.js';

describe('SingleFlight', () => {
  it('shares one load among callers asking at once, and reuses it within the TTL', async () => {
    let now = 0;
    let loads = 0;
    const sf = new SingleFlight<number>(2000, 10, () => now);
    const load = async () => ++loads;
    const answers = await Promise.all(Array.from({ length: 50 }, () => sf.get('k', load)));
    expect(new Set(answers)).toEqual(new Set([1]));
    now = 1999;
    expect(await sf.get('k', load)).toBe(1);
    now = 2000;
    expect(await sf.get('k', load)).toBe(2);
  });

  it('forgets a failed load so the next caller tries again', async () => {
    const sf = new SingleFlight<string>(60_000);
    await expect(sf.get('k', () => Promise.reject(new Error('throttled')))).rejects.toThrow('throttled');
    expect(await sf.get('k', async () => 'ok')).toBe('ok');
  });
});
