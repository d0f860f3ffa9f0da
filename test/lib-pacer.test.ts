import { describe, expect, it } from 'vitest';
import { Pacer } from '../src/lib/pacer.js';

describe('Pacer', () => {
  it('coalesces a job queued again before it ran, and runs urgent jobs first', async () => {
    const ran: string[] = [];
    const p = new Pacer<string>(20, () => {}, Date.now, 1);
    const job = (name: string) => async () => {
      ran.push(name);
    };
    void p.push('a', job('a1'));
    void p.push('b', job('b1'));
    void p.push('b', job('b2'));
    void p.push('c', job('c-outcome'), true);
    await p.idle();
    expect(ran).toEqual(['a1', 'c-outcome', 'b2']);
  });

  it('keeps to its rate once the burst is spent', async () => {
    const at: number[] = [];
    const p = new Pacer<number>(40, () => {}, Date.now, 2);
    const start = Date.now();
    for (let i = 0; i < 5; i++) void p.push(i, async () => void at.push(Date.now() - start));
    await p.idle();
    expect(at).toHaveLength(5);
    // two at once (the burst), then one per interval
    expect(at[1]!).toBeLessThan(30);
    expect(at[4]! - at[1]!).toBeGreaterThanOrEqual(3 * 40 - 10);
  });
});
