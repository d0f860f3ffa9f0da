import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/lib/logger.js';
import { type FaultSource, guardProcess } from '../../src/lib/processGuard.js';

function setup(maxFaults = 3) {
  const lines: string[] = [];
  const source = new EventEmitter() as EventEmitter & FaultSource;
  let t = 1_000_000;
  const gaveUp: string[] = [];
  const stop = guardProcess({
    logger: createLogger('debug', (l) => lines.push(l)),
    onUnrecoverable: (why) => gaveUp.push(why),
    maxFaults,
    windowMs: 60_000,
    now: () => t,
    source,
  });
  return { lines, source, gaveUp, stop, advance: (ms: number) => (t += ms) };
}

describe('the process guard', () => {
  it('logs an unhandled rejection and an uncaught exception with context, and keeps serving', () => {
    const g = setup();
    g.source.emit(
      'unhandledRejection',
      new TypeError("Cannot read properties of undefined (reading 'type')"),
    );
    g.source.emit(
      'uncaughtException',
      Object.assign(new Error('boom xoxb-123-secret'), { code: 'E_X' }),
      'uncaughtException',
    );
    expect(g.gaveUp).toEqual([]);
    const [first, second] = g.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(first).toMatchObject({
      level: 'error',
      msg: 'unhandled rejection; Capstan keeps serving',
      name: 'TypeError',
      component: 'process',
    });
    expect(String(first?.stack)).toContain('TypeError');
    expect(second).toMatchObject({
      msg: 'uncaught exception; Capstan keeps serving',
      code: 'E_X',
      origin: 'uncaughtException',
    });
    expect(g.lines.join('\n')).not.toContain('xoxb-123-secret');
  });

  it('a burst of faults is unrecoverable: the caller is told once', () => {
    const g = setup(3);
    for (let i = 0; i < 3; i++) g.source.emit('unhandledRejection', new Error(`e${i}`));
    expect(g.gaveUp).toEqual([]);
    // Faults spread out over time do not add up.
    g.advance(61_000);
    for (let i = 0; i < 3; i++) g.source.emit('unhandledRejection', 'plain reason');
    expect(g.gaveUp).toEqual([]);
    g.source.emit('uncaughtException', new Error('again'));
    g.source.emit('uncaughtException', new Error('and again'));
    expect(g.gaveUp).toEqual(['4 faults within 60 s']);
  });

  it('removes its listeners when asked', () => {
    const g = setup();
    g.stop();
    expect(g.source.listenerCount('unhandledRejection')).toBe(0);
    expect(g.source.listenerCount('uncaughtException')).toBe(0);
  });
});
