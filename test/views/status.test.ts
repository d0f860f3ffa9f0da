import { textFact } from '../fakes/ports.js';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { helpMessage } from '../../src/views/help.js';
import type { EnvStatus } from '../../src/usecases/status.js';
import { statusDetail, statusMatrix } from '../../src/views/status.js';
import { DEV, DIGEST_NEW, MIN, PROD, T0, deployment } from '../fixtures/deployments.js';
import { golden } from './blockKit.js';

const dev: EnvStatus = {
  ok: true,
  env: DEV,
  where: 'ECS service todobackend-dev in cluster todo-dev (us-east-1)',
  version: '1.2.3',
  digest: DIGEST_NEW,
  state: 'ACTIVE',
  facts: [textFact('tasks 2/2 running'), textFact('task definition todobackend:42')],
  inProgress: true,
  changedAt: T0 - 60 * MIN,
  events: [
    { at: T0 - 2 * MIN, message: '(service todobackend-dev) has reached a steady state.' },
    { at: T0 - 4 * MIN, message: '(service todobackend-dev) has started 2 tasks: (task 0a1b2c3d).' },
  ],
  consoleUrl:
    'https://console.aws.amazon.com/ecs/v2/clusters/todo-dev/services/todobackend-dev/deployments?region=us-east-1',
  inFlight: deployment(),
  verdict: {
    kind: 'kept',
    at: T0 - 50 * MIN,
    by: 'U0CAROL',
    alarm: 'todo-5xx <p99>',
    reason: 'known <noisy> alarm, ticket OPS-12',
  },
  lock: { app: 'todobackend', env: 'dev', owner: 'U0BOB', reason: 'load test <5pm>', at: T0 - 30 * MIN },
};

const prod: EnvStatus = {
  ok: false,
  env: PROD,
  where: 'CloudFormation stack todobackend-prod (us-east-1)',
  error: 'Access denied: cloudformation:DescribeStacks on todobackend-prod.',
};

describe('status', () => {
  it('recent events come with an environment named, as the README and /deploy help say', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const row = readme.split('\n').find((l) => l.startsWith('| `/deploy status'));
    expect(row).toContain('recent events with `<env>`');
    expect(JSON.stringify(helpMessage([]))).toContain('recent events with `&lt;env&gt;`');
    expect(JSON.stringify(statusDetail(dev))).toContain('Recent events');
    expect(JSON.stringify(statusMatrix([dev, prod]))).not.toContain('steady state');
  });

  it('the matrix of one app', async () => {
    const m = statusMatrix([dev, prod]);
    await golden('status/matrix', m);
    expect(JSON.stringify(m)).toContain('|thread>)');
  });

  it('every app, compactly', async () => {
    await golden(
      'status/all-apps',
      statusMatrix([
        dev,
        prod,
        {
          ...dev,
          env: { ...DEV, app: 'billing', name: 'staging' },
          inFlight: undefined,
          lock: undefined,
          verdict: { kind: 'verified', at: T0 - 90 * MIN },
        },
      ]),
    );
  });

  it('says whether the version running was verified: when, or who kept it after which alarm', () => {
    const verified = { ...dev, verdict: { kind: 'verified' as const, at: T0, completedBy: 'U0BOB' } };
    const when = '<!date^1795168800^{date_short_pretty} {time}|2026-11-20 10:00 UTC>';
    expect(JSON.stringify(statusMatrix([verified, prod]))).toContain(
      `:white_check_mark: verified ${when} (completed early by <@U0BOB>)`,
    );
    const kept = JSON.stringify(statusDetail(dev));
    expect(kept).toContain(
      ':warning: not verified: <@U0CAROL> kept it <!date^1795165800^{date_short_pretty} {time}|2026-11-20 09:10 UTC> after alarm `todo-5xx &lt;p99&gt;` went off: known &lt;noisy&gt; alarm, ticket OPS-12',
    );
    // The matrix has room for who and which alarm, not for why.
    expect(JSON.stringify(statusMatrix([dev, prod]))).not.toContain('OPS-12');
    const bare = { ...dev, verdict: { kind: 'unverified' as const, at: T0 } };
    expect(JSON.stringify(statusDetail(bare))).toContain(
      `:warning: not verified: succeeded ${when} without a bake`,
    );
    // Nothing said where there is no verdict (an environment that does not verify).
    expect(JSON.stringify(statusDetail({ ...dev, verdict: undefined }))).not.toContain('verified');
  });

  it('one environment in detail: console link, rollout in flight with its thread, recent events', async () => {
    const m = statusDetail(dev);
    await golden('status/detail', m);
    const text = JSON.stringify(m);
    expect(text).toContain('|ECS service todobackend-dev in cluster todo-dev (us-east-1)>');
    expect(text).toContain('load test &lt;5pm&gt;');
  });

  it('one environment that could not be read', async () => {
    await golden('status/detail-error', statusDetail(prod));
  });
});
