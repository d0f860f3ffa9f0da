import { describe, expect, it } from 'vitest';
import type { RolloutFact } from '../../../src/domain/facts/rollout.js';
import { RolloutFact as RolloutFactSchema } from '../../../src/domain/facts/rollout.js';
import { sayFact } from '../../../src/views/facts/index.js';

const place = { app: 'todobackend', env: 'prod' };
const stopped = { kind: 'ecs.taskStopped', id: 't-1', reason: 'Essential container <web> exited.' } as const;
const noProgress = { kind: 'rollout.noProgress', seconds: 600, progress: { done: 1, total: 3 } } as const;

/** Every kind of rollout fact, worded; outside text (`<`, `&`, `*`) is escaped once. */
const cases: readonly [RolloutFact, string][] = [
  [{ kind: 'rollout.resumed', phase: 'rollout' }, 'Capstan restarted and picked this rollout up again.'],
  [{ kind: 'rollout.resumed', phase: 'rollback' }, 'Capstan restarted and picked the rollback up again.'],
  [noProgress, 'no progress for 600s (1/3 done)'],
  [{ kind: 'rollout.noProgress', seconds: 60 }, 'no progress for 60s'],
  [
    {
      kind: 'rollout.outcomeUnknown',
      seconds: 61,
      error: {
        kind: 'aws.throttled',
        resource: 'ECS service web',
        region: 'us-east-1',
        action: 'ecs:DescribeServices',
      },
      lastSeen: { state: 'rolling_out', progress: { done: 1, total: 2 } },
    },
    'Outcome unknown: AWS could not be read for 61s (AWS is throttling ecs:DescribeServices on ECS service web (us-east-1); try again in a minute.). Last seen: rolling out 1/2. Capstan keeps checking and will replace this with the real outcome.',
  ],
  [
    {
      kind: 'rollout.outcomeUnknown',
      seconds: 90,
      error: 'socket <hang> up',
      lastSeen: { state: 'rolling_back' },
    },
    'Outcome unknown: AWS could not be read for 90s (socket &lt;hang&gt; up). Last seen: rolling back. Capstan keeps checking and will replace this with the real outcome.',
  ],
  [
    { kind: 'rollout.superseded', by: 'task definition web:<8>', late: false },
    "Superseded by task definition web:&lt;8&gt;: someone else's change replaced this one, so Capstan did not roll back over it.",
  ],
  [{ kind: 'rollout.superseded', by: 'rev 77', late: true }, 'Superseded by rev 77.'],
  [
    { kind: 'rollout.cannotFollow', cause: 'ECS service web in cluster c (us-east-1) is INACTIVE.' },
    'ECS service web in cluster c (us-east-1) is INACTIVE.',
  ],
  [
    { kind: 'rollout.failedLate', ...place, cause: 'boom & *bang*.' },
    'boom &amp; *bang*. Capstan did not roll back this late: `/deploy rollback todobackend prod`.',
  ],
  [
    { kind: 'rollout.failedLate', ...place, cause: stopped, rolledBackBy: 'ECS' },
    ':x: Task `t-1` stopped: Essential container &lt;web&gt; exited. ECS rolled back by itself.',
  ],
  [
    { kind: 'rollout.putBack', cause: 'alarm fired.', by: 'CodeDeploy', runsNow: 'rev <3>' },
    'alarm fired; CodeDeploy put rev &lt;3&gt; back',
  ],
  [{ kind: 'rollout.putBack', cause: 'alarm fired.', by: 'CodeDeploy' }, 'alarm fired'],
  [
    { kind: 'rollout.rollbackFailed', before: noProgress, cause: 'a <b>' },
    'no progress for 600s (1/3 done); the rollback failed too: a &lt;b&gt;',
  ],
  [{ kind: 'rollout.rollbackFailed', cause: 'boom' }, 'the rollback failed too: boom'],
  [
    { kind: 'rollout.rollbackNotStarted', cause: noProgress, error: { kind: 'lock.taken', ...place } },
    'no progress for 600s (1/3 done); starting the rollback failed: todobackend/prod is already locked.',
  ],
  [
    { kind: 'rollout.manualRollback', ...place, cause: 'exit & 1;' },
    'exit &amp; 1. Automatic rollback is off here: `/deploy rollback todobackend prod`.',
  ],
  [
    { kind: 'rollout.manualRollback', ...place, cause: 'a <b>' },
    'a &lt;b&gt;. Automatic rollback is off here: `/deploy rollback todobackend prod`.',
  ],
  [
    { kind: 'rollout.noGoodVersion', cause: noProgress },
    'no progress for 600s (1/3 done). Capstan knows no earlier good version here, so it did not roll back.',
  ],
  [
    { kind: 'rollout.rollingBackTo', version: '1.0.0-<rc>' },
    ':rewind: Rolling back to `1.0.0-&lt;rc&gt;`, the last version that succeeded here.',
  ],
  [
    { kind: 'rollout.rollingBackTo', version: '1.0.0', verified: true },
    ':rewind: Rolling back to `1.0.0`, the last version that was verified here.',
  ],
  [
    { kind: 'rollout.rollingBackTo', version: '1.0.0', unverified: true },
    ':rewind: Rolling back to `1.0.0`, the last version that succeeded here; none was verified here yet.',
  ],
  [
    { kind: 'rollout.tookEffect', error: 'socket <hang> up & *gone*' },
    ':warning: AWS answered with an error (socket &lt;hang&gt; up &amp; *gone*), but the change took effect.',
  ],
  [
    { kind: 'rollout.lockedNotExecuted', ...place, owner: 'U0BOB', reason: 'db <migration>' },
    ':lock: Not executed: <@U0BOB> locked todobackend/prod: db &lt;migration&gt;.',
  ],
  [
    { kind: 'rollout.lockedNotExecuted', ...place, owner: 'U0BOB' },
    ':lock: Not executed: <@U0BOB> locked todobackend/prod.',
  ],
  [
    { kind: 'rollout.freezeOverridden', by: 'U0ADMIN', freeze: 'Xmas & NY', reason: 'hotfix <CVE>' },
    ':warning: <@U0ADMIN> overrode the freeze “Xmas &amp; NY”: hotfix &lt;CVE&gt;',
  ],
  [
    { kind: 'rollout.letGoOn', by: 'U0BOB', waiting: 'waiting to reroute <traffic>' },
    ':arrow_forward: <@U0BOB> let it go on (waiting to reroute &lt;traffic&gt;).',
  ],
  [
    { kind: 'rollout.restartedBefore', where: 'ECS service web in cluster c (us-east-1)' },
    'Capstan restarted before ECS service web in cluster c (us-east-1) was changed; nothing changed. Run the deploy again.',
  ],
  [
    { kind: 'rollout.restartedBefore' },
    'Capstan restarted while preparing this; nothing changed. Run the deploy again.',
  ],
];

describe('rollout facts, worded', () => {
  it.each(cases)('%j', (fact, words) => {
    expect(sayFact(fact)).toBe(words);
    // Plain JSON with a schema: what the ledger keeps is read back as it was, nested facts included.
    expect(RolloutFactSchema.parse(JSON.parse(JSON.stringify(fact)))).toEqual(fact);
  });

  it('covers every kind', () => {
    const kinds = new Set(cases.map(([f]) => f.kind));
    expect([...kinds].sort()).toEqual(RolloutFactSchema.options.map((o) => o.shape.kind.value).sort());
  });

  it('an ending never nests another ending (only what a target or an error reported)', () => {
    const nested = {
      kind: 'rollout.manualRollback',
      ...place,
      cause: { kind: 'rollout.putBack', cause: 'x', by: 'ECS' },
    };
    expect(RolloutFactSchema.safeParse(nested).success).toBe(false);
  });
});
