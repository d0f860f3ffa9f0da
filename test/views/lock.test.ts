import { describe, expect, it } from 'vitest';
import { lockedMessage, unlockedMessage } from '../../src/views/lock.js';
import { DEV, T0 } from '../fixtures/deployments.js';
import { golden } from './blockKit.js';

const LOCK = { app: 'todobackend', env: 'dev', owner: 'U0BOB', reason: 'load test <until 5pm>', at: T0 };

describe('lock notices', () => {
  it('locked: who, why, and how to unlock', async () => {
    const m = lockedMessage(DEV, LOCK);
    await golden('lock/locked', m);
    expect(m.text).toContain('load test &lt;until 5pm&gt;');
  });

  it('unlocked: who unlocked, who had locked it and since when', async () => {
    const m = unlockedMessage(DEV, LOCK, 'U0ADMIN');
    await golden('lock/unlocked', m);
    expect(m.text).toContain(`(locked by <@U0BOB> <!date^${T0 / 1000}^`);
  });

  it('a lock without a reason', async () => {
    await golden('lock/locked-no-reason', lockedMessage(DEV, { ...LOCK, reason: undefined }));
  });
});
