import { describe, expect, it } from 'vitest';
import { AckFirst, type After } from '../../src/lib/ackFirst.js';

/** Timers run by hand: `fire()` runs every one due by now. */
function manualTimers() {
  let now = 0;
  const due: { at: number; fn: () => void; cancelled: boolean }[] = [];
  const after: After = (ms, fn) => {
    const t = { at: now + ms, fn, cancelled: false };
    due.push(t);
    return () => (t.cancelled = true);
  };
  const advance = (ms: number) => {
    now += ms;
    for (const t of due.filter((x) => x.at <= now && !x.cancelled)) {
      t.cancelled = true;
      t.fn();
    }
  };
  return { after, now: () => now, advance, live: () => due.filter((t) => !t.cancelled).length };
}

const settled = async (p: Promise<void>) => {
  let done = false;
  void p.then(() => (done = true));
  // Long enough for setImmediate and the promise chain behind it.
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  return done;
};

describe('AckFirst: acknowledgements before work', () => {
  it('lets work go at once when no delivery waits for its acknowledgement', async () => {
    const t = manualTimers();
    const gate = new AckFirst({ after: t.after, now: t.now });
    expect(await settled(gate.turn())).toBe(true);
    expect(t.live()).toBe(0);
  });

  it('holds work until every delivery that arrived is acknowledged', async () => {
    const t = manualTimers();
    const gate = new AckFirst({ after: t.after, now: t.now });
    const a = gate.arrive();
    const b = gate.arrive();
    t.advance(30); // longer ago than quietMs: only the acknowledgements hold the work
    const work = gate.turn();
    expect(await settled(work)).toBe(false);
    a();
    a(); // acknowledging twice counts once
    expect(gate.pending).toBe(1);
    expect(await settled(work)).toBe(false);
    b();
    expect(await settled(work)).toBe(true);
    expect(t.live()).toBe(0);
  });

  it('lets work go after maxWaitMs however many deliveries keep arriving', async () => {
    const t = manualTimers();
    const gate = new AckFirst({ after: t.after, now: t.now, maxWaitMs: 250 });
    gate.arrive();
    const work = gate.turn();
    t.advance(249);
    expect(await settled(work)).toBe(false);
    t.advance(1);
    expect(await settled(work)).toBe(true);
  });

  it('holds work while deliveries keep arriving a few ms apart, and lets it go once they stop for quietMs', async () => {
    const t = manualTimers();
    const gate = new AckFirst({ after: t.after, now: t.now, quietMs: 5 });
    gate.arrive()();
    const work = gate.turn();
    for (let i = 0; i < 10; i++) {
      t.advance(3);
      expect(await settled(work)).toBe(false);
      gate.arrive()(); // the next delivery of the burst, acknowledged at once
    }
    t.advance(4);
    expect(await settled(work)).toBe(false);
    t.advance(1);
    expect(await settled(work)).toBe(true);
    expect(t.live()).toBe(0);
  });

  it('gate(): what goes out after an acknowledgement waits for the acknowledgements of the others', async () => {
    const t = manualTimers();
    const gate = new AckFirst({ after: t.after, now: t.now });
    const sent: string[] = [];
    const post = gate.gate(async (text: string) => {
      sent.push(text);
      return text.length;
    });
    const acked = gate.arrive();
    t.advance(30);
    const answer = post('status');
    expect(await settled(answer.then(() => undefined))).toBe(false);
    expect(sent).toEqual([]);
    acked();
    expect(await answer).toBe(6);
    expect(sent).toEqual(['status']);
  });

  it('by default holds work up to a second for a burst still being acknowledged', async () => {
    const t = manualTimers();
    const gate = new AckFirst({ after: t.after, now: t.now });
    gate.arrive();
    const work = gate.turn();
    t.advance(999);
    expect(await settled(work)).toBe(false);
    t.advance(1);
    expect(await settled(work)).toBe(true);
  });
});
