import { describe, expect, it, vi } from 'vitest';
import { Pacer } from '../src/lib/pacer.js';
import { ManualClock } from './fakes/ports.js';
import { ManualSleep } from './fakes/sleep.js';

/** A sleep the test releases by hand, so retry delays take no wall-clock time and can be inspected. */
function manualSleep() {
  const waits: { ms: number; release: () => void }[] = [];
  const sleep = (ms: number) => new Promise<void>((release) => waits.push({ ms, release }));
  return { waits, sleep };
}

const until = async (cond: () => boolean) => {
  while (!cond()) await new Promise((r) => setImmediate(r));
};

describe('Pacer', () => {
  it("settled(key) waits for that key's latest job through its retries, and for no other key", async () => {
    const { waits, sleep } = manualSleep();
    const ran: string[] = [];
    let failOnce = true;
    const p = new Pacer<string>({
      intervalMs: 1,
      burst: 10,
      onError: () => {},
      retry: { delayMs: () => 1000, sleep },
    });
    void p.push('edit', async () => {
      if (failOnce) {
        failOnce = false;
        throw new Error('429');
      }
      ran.push('edit');
    });
    let settled = false;
    const edit = p.settled('edit').then(() => void (settled = true));
    await until(() => waits.length === 1);
    // The queue drained while the edit waits out its retry: settled(key) still waits.
    await p.push('other', async () => void ran.push('other'));
    await p.settled('other');
    expect(ran).toEqual(['other']);
    expect(settled).toBe(false);
    waits[0]!.release();
    await edit;
    expect(ran).toEqual(['other', 'edit']);
    await expect(p.settled('never-queued')).resolves.toBeUndefined();
  });

  it('settled(key) also resolves when the job is given up', async () => {
    const p = new Pacer<string>({ intervalMs: 1, onError: () => {}, retry: { delayMs: () => undefined } });
    let gaveUp = false;
    void p.push(
      'edit',
      () => Promise.reject(new Error('channel_not_found')),
      false,
      () => (gaveUp = true),
    );
    await p.settled('edit');
    expect(gaveUp).toBe(true);
  });

  it('coalesces a job queued again before it ran, and runs urgent jobs first', async () => {
    const ran: string[] = [];
    const p = new Pacer<string>({ intervalMs: 20, onError: () => {} });
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

  it('keeps to its rate once the burst is spent, waiting for tokens through the sleep and clock it is given', async () => {
    const clock = new ManualClock(0);
    const sleep = new ManualSleep(clock);
    const at: number[] = [];
    const p = new Pacer<number>({
      intervalMs: 40,
      burst: 2,
      now: () => clock.now(),
      sleep: sleep.sleep,
      onError: () => {},
    });
    for (let i = 0; i < 5; i++) void p.push(i, async () => void at.push(clock.now()));
    const idle = p.idle();
    for (let waited = 0; waited < 3; waited++) {
      await sleep.pending();
      expect(sleep.waits.map((w) => w.ms)).toEqual([40]);
      sleep.release();
    }
    await idle;
    // two at once (the burst), then one per interval
    expect(at).toEqual([0, 0, 40, 80, 120]);
  });

  it('runs urgent jobs without waiting when told so, and makes the others wait for what they spent', async () => {
    const clock = new ManualClock(0);
    const sleep = new ManualSleep(clock);
    const at: string[] = [];
    const p = new Pacer<string>({
      intervalMs: 1000,
      burst: 1,
      now: () => clock.now(),
      sleep: sleep.sleep,
      onError: () => {},
      urgentUnpaced: true,
    });
    const job = (name: string) => async () => void at.push(`${name}@${clock.now()}`);
    void p.push('progress-1', job('progress-1'));
    for (const k of ['a', 'b', 'c']) void p.push(`outcome-${k}`, job(`outcome-${k}`), true);
    void p.push('progress-2', job('progress-2'));
    const idle = p.idle();
    // The burst's token went to the first job; the outcomes ran at once after it, spending 3 more.
    await sleep.pending();
    expect(at).toEqual(['progress-1@0', 'outcome-a@0', 'outcome-b@0', 'outcome-c@0']);
    expect(sleep.waits.map((w) => w.ms)).toEqual([4000]);
    sleep.release();
    await idle;
    expect(at.at(-1)).toBe('progress-2@4000');
  });

  it('runs an urgent job pushed while it waits for a token at once, when urgent jobs are unpaced', async () => {
    const clock = new ManualClock(0);
    const sleep = new ManualSleep(clock);
    const at: string[] = [];
    const p = new Pacer<string>({
      intervalMs: 1000,
      burst: 1,
      now: () => clock.now(),
      sleep: sleep.sleep,
      onError: () => {},
      urgentUnpaced: true,
    });
    const job = (name: string) => async () => void at.push(`${name}@${clock.now()}`);
    for (const k of ['a', 'b', 'c']) void p.push(`outcome-${k}`, job(`outcome-${k}`), true);
    void p.push('progress-1', job('progress-1'));
    // Three outcomes spent three tokens: the progress edit waits 3 s for its own.
    await sleep.pending();
    expect(sleep.waits.map((w) => w.ms)).toEqual([3000]);
    // An outcome arriving during that wait does not sit behind it.
    void p.push('outcome-d', job('outcome-d'), true);
    await vi.waitFor(() => expect(at).toContain('outcome-d@0'));
    expect(at).not.toContain('progress-1@0');
    await sleep.pending();
    expect(sleep.waits.map((w) => w.ms)).toEqual([4000]);
    const idle = p.idle();
    sleep.release();
    await idle;
    expect(at.at(-1)).toBe('progress-1@4000');
  });

  it('retries a failed job after the delay it is given, with the latest job pushed meanwhile, and idle() waits for it', async () => {
    const { waits, sleep } = manualSleep();
    const errors: unknown[] = [];
    const ran: string[] = [];
    const p = new Pacer<string>({
      intervalMs: 1,
      burst: 10,
      onError: (e) => errors.push(e),
      retry: { delayMs: (_e, attempt) => (attempt < 3 ? attempt * 100 : undefined), sleep },
    });
    const job =
      (name: string, fails = false) =>
      async () => {
        ran.push(name);
        if (fails) throw new Error(`${name} failed`);
      };
    void p.push('edit', job('v1', true));
    await until(() => waits.length === 1);
    expect(waits[0]!.ms).toBe(100);
    // A newer state while the retry waits: it does not run early; it is what the retry sends.
    void p.push('edit', job('v2'));
    void p.push('other', job('other'));
    let idle = false;
    const done = p.idle().then(() => (idle = true));
    await until(() => ran.includes('other'));
    expect(p.size).toBe(1); // v2, parked until its delay is over
    expect(ran).toEqual(['v1', 'other']);
    expect(idle).toBe(false);
    waits[0]!.release();
    await done;
    expect(ran).toEqual(['v1', 'other', 'v2']);
    expect(errors).toHaveLength(1);
    expect(p.busy).toBe(false);
  });

  it('backs off again when the retry fails too, counting failures in a row', async () => {
    const { waits, sleep } = manualSleep();
    const p = new Pacer<string>({
      intervalMs: 1,
      onError: () => {},
      retry: { delayMs: (_e, attempt) => (attempt < 5 ? 10 * 2 ** attempt : undefined), sleep },
    });
    let failures = 2;
    void p.push('edit', async () => {
      if (failures-- > 0) throw new Error('HTTP 500');
    });
    await until(() => waits.length === 1);
    waits[0]!.release();
    await until(() => waits.length === 2);
    expect(waits.map((w) => w.ms)).toEqual([20, 40]);
    waits[1]!.release();
    await p.idle();
    expect(failures).toBe(-1);
  });

  it('runs a retry whose wait is over at once (idle() does not resolve before it)', async () => {
    let runs = 0;
    const p = new Pacer<string>({
      intervalMs: 1,
      onError: () => {},
      retry: { delayMs: () => 0, sleep: async () => {} },
    });
    void p.push('edit', async () => {
      runs += 1;
      if (runs === 1) throw new Error('HTTP 500');
    });
    await p.idle();
    expect(runs).toBe(2);
    expect(p.busy).toBe(false);
  });

  it('gives a job up when the delay says so, and tells its giver', async () => {
    const gaveUp: unknown[] = [];
    const p = new Pacer<string>({
      intervalMs: 1,
      onError: () => {},
      retry: { delayMs: (_e, attempt) => (attempt < 3 ? 0 : undefined) },
    });
    let runs = 0;
    void p.push(
      'outcome',
      async () => {
        runs += 1;
        throw new Error('Slack is down');
      },
      true,
      (e) => gaveUp.push(e),
    );
    await p.idle();
    expect(runs).toBe(3);
    expect(gaveUp).toHaveLength(1);
    expect(p.size).toBe(0);
  });
});
