import { describe, expect, it } from 'vitest';
import { historyMessage } from '../../src/views/history.js';
import { MIN, T0, deployment, ended, release } from '../fixtures/deployments.js';
import { golden } from './blockKit.js';

const NOW = T0 + 60 * MIN;

describe('history', () => {
  it('the last deploys: who, when, from → to, outcome, duration, thread', async () => {
    const entries = [
      deployment({ id: 'd-golden3', toVersion: '1.2.5', fromVersion: '1.2.4', createdAt: T0 + 30 * MIN }),
      ended('rolled_back', {
        id: 'd-golden2',
        fromVersion: '1.2.3',
        toVersion: '1.2.4-broken',
        rollbackVersion: '1.2.3',
        reason: 'ECS deployment circuit breaker: task failed to start.',
        createdAt: T0 + 10 * MIN,
        finishedAt: T0 + 14 * MIN,
      }),
      ended('succeeded', {
        alarmOverride: { by: 'U0ADMIN', reason: 'known <flaky> alarm', alarms: ['todo-5xx', 'todo-p99'] },
      }),
      release({ state: 'rejected', rejectedBy: 'U0BOB', reason: 'not <today>', finishedAt: T0 + MIN }),
    ];
    const m = historyMessage('todobackend', undefined, entries, NOW);
    await golden('history/app', m);
    const text = JSON.stringify(m);
    expect(text).toContain('|thread>');
    expect(text).toContain('_not &lt;today&gt;_');
    expect(text).toContain(
      ':warning: alarms overridden by <@U0ADMIN> (`todo-5xx`, `todo-p99` in ALARM): known &lt;flaky&gt; alarm',
    );
  });

  it('nothing yet', async () => {
    await golden('history/empty', historyMessage('todobackend', 'dev', [], NOW));
  });

  it('ten entries with long reasons stay inside the limits', async () => {
    const many = Array.from({ length: 10 }, (_, i) =>
      ended('failed', { id: `d-many${i}`, reason: `CannotPullContainerError: ${'x'.repeat(900)}` }),
    );
    await golden('history/many', historyMessage('todobackend', 'dev', many, NOW));
  });
});
