import { describe, expect, it } from 'vitest';
import type { VerifyFact } from '../../src/domain/facts/verify.js';
import { VerifyFact as VerifyFactSchema } from '../../src/domain/facts/verify.js';
import type { Verification } from '../../src/domain/verify.js';
import { announcement } from '../../src/views/announce.js';
import { deploymentMessage } from '../../src/views/deploy.js';
import { sayFact } from '../../src/views/facts/index.js';
import { bakeChoiceText, keepModal } from '../../src/views/verifyReplies.js';
import { CapstanError } from '../../src/domain/errors.js';
import { silentLogger } from '../../src/lib/logger.js';
import { failureMessage } from '../../src/slack/respond.js';
import { MIN, T0, deployment, ended } from '../fixtures/deployments.js';
import { golden } from './blockKit.js';

const NOW = T0 + 7 * MIN;

const baking: Verification = {
  startedAt: T0 + 5 * MIN,
  endsAt: T0 + 15 * MIN,
  onAlarm: 'rollback',
  lookedAt: T0 + 6 * MIN,
  alarms: [
    { name: 'todobackend-prod-5xx', state: 'OK' },
    { name: 'todobackend-prod-latency<p99>', state: 'INSUFFICIENT_DATA' },
  ],
};

const tripped = {
  alarm: 'todobackend-prod-5xx',
  reason: 'Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0).',
  at: T0 + 6 * MIN,
  flapped: false,
};

const verifying = deployment({ state: 'verifying', verification: baking });

/** An alarm in ALARM since before the deploy began (a rollback, or an admin's override). */
const firingBefore = {
  name: 'todobackend-prod-5xx',
  state: 'ALARM' as const,
  reason: 'Threshold Crossed: errors above 5%.',
  changedAt: T0 - 30 * MIN,
  before: true,
};

/** After an alarm that asked (onAlarm: ask). */
const asked: Verification = {
  ...baking,
  onAlarm: 'ask',
  tripped,
  alarms: [{ name: tripped.alarm, state: 'ALARM' }],
};

/** Someone chose Roll back after the alarm asked; the owner has not carried it out yet. */
const chosen: Verification = {
  ...asked,
  decision: { kind: 'rollback', at: T0 + 8 * MIN, by: 'U0CAROL' },
};

describe('the parent message while verifying and after', () => {
  it.each([
    ['verifying', verifying],
    [
      'verifying-reading',
      deployment({ state: 'verifying', verification: { ...baking, alarms: [], lookedAt: undefined } }),
    ],
    [
      'asking-after-alarm',
      deployment({
        state: 'verifying',
        verification: {
          ...baking,
          onAlarm: 'ask',
          tripped,
          alarms: [{ name: tripped.alarm, state: 'ALARM' }],
        },
      }),
    ],
    [
      'rolling-back-on-alarm',
      deployment({
        state: 'rolling_back',
        rollbackVersion: '1.2.2',
        cause: { kind: 'verify.alarmed', alarm: tripped.alarm, reason: tripped.reason, flapped: false },
        verification: { ...baking, tripped, decision: { kind: 'alarm', at: tripped.at } },
      }),
    ],
    [
      'verifying-alarms-unreadable',
      deployment({ state: 'verifying', verification: { ...baking, unreadableSince: T0 + 6 * MIN } }),
    ],
    [
      'verifying-alarm-overridden',
      deployment({
        state: 'verifying',
        verification: baking,
        alarmOverride: { by: 'U0ADMIN', reason: 'hotfix <INC-7>', alarms: ['todobackend-prod-5xx'] },
      }),
    ],
    [
      'verified',
      ended('verified', { verification: { ...baking, decision: { kind: 'timeUp', at: T0 + 15 * MIN } } }),
    ],
    [
      'rolling-out-ecs-alarms',
      deployment({
        state: 'rolling_out',
        review: {
          platformAlarms: {
            kind: 'verify.platformAlarms',
            platform: 'ECS',
            alarms: ['todobackend-prod-5xx', 'todobackend-prod-latency<p99>'],
            rollback: true,
            alsoVerified: ['todobackend-prod-5xx'],
          },
        },
      }),
    ],
    [
      'rolling-out-codedeploy-alarms',
      deployment({
        state: 'rolling_out',
        review: {
          platformAlarms: {
            kind: 'verify.platformAlarms',
            platform: 'CodeDeploy',
            alarms: ['todobackend-prod-5xx'],
            rollback: true,
          },
        },
      }),
    ],
    [
      'verifying-after-cloudformation-monitoring',
      deployment({
        state: 'verifying',
        review: {
          platformAlarms: {
            kind: 'verify.platformAlarms',
            platform: 'CloudFormation',
            alarms: ['todobackend-prod-5xx'],
            rollback: true,
            monitoringMinutes: 10,
            alsoVerified: ['todobackend-prod-5xx'],
          },
        },
        verification: {
          ...baking,
          startedAt: T0 - 5 * MIN,
          endsAt: T0 + 5 * MIN,
          counted: { by: 'CloudFormation', from: T0 - 5 * MIN, until: T0 + 5 * MIN },
        },
      }),
    ],
    [
      'verified-after-cloudformation-monitoring',
      ended('verified', {
        verification: {
          ...baking,
          startedAt: T0 - 5 * MIN,
          endsAt: T0 + 5 * MIN,
          counted: { by: 'CloudFormation', from: T0 - 5 * MIN, until: T0 + 5 * MIN },
          decision: { kind: 'timeUp', at: T0 + 5 * MIN },
        },
      }),
    ],
    [
      'verified-completed-early',
      ended('verified', {
        verification: { ...baking, decision: { kind: 'complete', at: T0 + 8 * MIN, by: 'U0BOB' } },
      }),
    ],
    [
      'verifying-already-in-alarm',
      deployment({
        state: 'verifying',
        kind: 'rollback',
        verification: { ...baking, alarms: [firingBefore, ...baking.alarms.slice(1)] },
      }),
    ],
    ['rollback-chosen', deployment({ state: 'verifying', verification: chosen })],
    [
      'kept-succeeded',
      ended('succeeded', {
        cause: { kind: 'verify.kept', by: 'U0BOB', alarm: tripped.alarm, reason: 'known <noise>' },
        verification: {
          ...asked,
          decision: { kind: 'keep', at: T0 + 8 * MIN, by: 'U0BOB', reason: 'known <noise>' },
        },
      }),
    ],
    [
      'rolled-back-on-alarm',
      ended('rolled_back', {
        rollbackVersion: '1.2.2',
        cause: { kind: 'verify.alarmed', alarm: tripped.alarm, reason: tripped.reason, flapped: false },
        verification: { ...baking, tripped, decision: { kind: 'alarm', at: tripped.at } },
      }),
    ],
    [
      'rolled-back-rollback-chosen',
      ended('rolled_back', {
        rollbackVersion: '1.2.2',
        cause: {
          kind: 'verify.alarmed',
          alarm: tripped.alarm,
          reason: tripped.reason,
          flapped: false,
          rollbackBy: 'U0CAROL',
        },
        verification: chosen,
      }),
    ],
    [
      'succeeded-not-verified',
      ended('succeeded', {
        kind: 'rollback',
        cause: {
          kind: 'verify.stillInAlarm',
          alarms: [{ name: firingBefore.name, reason: firingBefore.reason }],
        },
        verification: {
          ...baking,
          alarms: [firingBefore, ...baking.alarms.slice(1)],
          decision: { kind: 'timeUp', at: T0 + 15 * MIN },
        },
      }),
    ],
  ])('%s', async (name, d) => {
    await golden(`verify/${name}`, deploymentMessage(d, NOW));
  });

  it('an alarm already in ALARM before the deploy is shown as such, with its reason, and no alarm question', () => {
    const d = deployment({
      state: 'verifying',
      verification: { ...baking, alarms: [firingBefore] },
    });
    const m = JSON.stringify(deploymentMessage(d, NOW));
    expect(m).toContain(
      ':red_circle: `todobackend-prod-5xx` ALARM, already in ALARM before this deploy: Threshold Crossed: errors above 5%',
    );
    expect(m).not.toContain('went off');
    expect(m).toContain('"capstan_bake_complete"');
  });

  it('the ending of a version kept, or with an alarm still in ALARM, says why to the requester', async () => {
    const kept = ended('succeeded', {
      cause: { kind: 'verify.kept', by: 'U0BOB', alarm: tripped.alarm, reason: 'known noise' },
      verification: asked,
    });
    const said = announcement(kept, { kind: 'outcome' });
    expect(said!.message.text).toMatch(
      /^:warning: <@U0ALICE> your deploy .* succeeded, not verified \(took /,
    );
    expect(said!.message.text).toContain(
      '<@U0BOB> kept this version although `todobackend-prod-5xx` went off',
    );
    const still = ended('succeeded', {
      cause: { kind: 'verify.stillInAlarm', alarms: [{ name: firingBefore.name }] },
      verification: baking,
    });
    await golden('announce/succeeded-not-verified', announcement(still, { kind: 'outcome' })!.message);
  });

  it('the pre-flight refusals name the alarm in ALARM, and the patterns that match nothing', async () => {
    const refused = (fact: VerifyFact) =>
      failureMessage(new CapstanError('invalid_state', fact), silentLogger, 'ref-1');
    await golden(
      'verify/refused-alarm-firing',
      refused({
        kind: 'verify.alarmFiring',
        app: 'todobackend',
        env: 'prod',
        alarms: [
          { name: 'todobackend-prod-5xx', reason: 'Threshold Crossed: errors above 5%.' },
          { name: 'todobackend-prod-latency<p99>' },
        ],
      }),
    );
    await golden(
      'verify/refused-no-such-alarm',
      refused({
        kind: 'verify.noSuchAlarm',
        app: 'todobackend',
        env: 'prod',
        region: 'us-east-1',
        patterns: ['todobackend-prod-5xx', 'todobackend-prod-l*'],
      }),
    );
  });

  it('shows when the bake ends, about how long is left, and each alarm with its state; INSUFFICIENT_DATA is no failure', () => {
    const m = JSON.stringify(deploymentMessage(verifying, NOW));
    expect(m).toContain(`*Verifying* until <!date^${(T0 + 15 * MIN) / 1000}^{time}`);
    expect(m).toContain('(about 8 min left)');
    expect(m).toContain(':large_green_circle: `todobackend-prod-5xx` OK');
    expect(m).toContain('`todobackend-prod-latency&lt;p99&gt;` insufficient data (shown, not a failure)');
    expect(m).toContain('"capstan_bake_complete"');
    expect(m).toContain('"capstan_bake_extend"');
  });

  it('after an alarm that asks, only Roll back and Keep are offered, and once decided no button is left', () => {
    const asking = deployment({ state: 'verifying', verification: { ...baking, onAlarm: 'ask', tripped } });
    const m = JSON.stringify(deploymentMessage(asking, NOW));
    expect(m).toContain('"capstan_bake_rollback"');
    expect(m).toContain('"capstan_bake_keep"');
    expect(m).not.toContain('"capstan_bake_complete"');
    const decided = {
      ...asking,
      verification: { ...asking.verification!, decision: { kind: 'keep' as const, at: NOW, by: 'U0BOB' } },
    };
    expect(JSON.stringify(deploymentMessage(decided, NOW))).not.toContain('capstan_bake_');
  });

  it('the question after an alarm names the alarm and its reason first, then the requester and the approvers', async () => {
    const d = deployment({ state: 'verifying', verification: { ...baking, onAlarm: 'ask', tripped } });
    const said = announcement(d, {
      kind: 'alarm_ask',
      approvers: [{ kind: 'user', id: 'U0BOB' }],
      alarm: { kind: 'verify.alarmed', alarm: tripped.alarm, reason: tripped.reason, flapped: false },
    });
    expect(said!.message.text).toMatch(
      /^:rotating_light: Alarm `todobackend-prod-5xx` went off: Threshold Crossed/,
    );
    expect(said!.message.text).toContain(`<@${d.requestedBy}>, <@U0BOB>`);
    await golden('announce/alarm-ask', said!.message);
  });

  it('a reminder while nobody decides says since when it waits, and again who must choose', async () => {
    const d = deployment({
      state: 'verifying',
      verification: { ...baking, onAlarm: 'ask', tripped, remindedAt: T0 + 40 * MIN },
    });
    const said = announcement(d, {
      kind: 'alarm_ask',
      approvers: [{ kind: 'user', id: 'U0BOB' }],
      alarm: { kind: 'verify.alarmed', alarm: tripped.alarm, reason: tripped.reason, flapped: false },
      remindedAt: T0 + 40 * MIN,
      waitingSince: T0 + 6 * MIN,
    });
    expect(said!.message.text).toMatch(/^:hourglass: Still waiting since <!date\^/);
    expect(said!.message.text).toContain(`<@${d.requestedBy}>, <@U0BOB>`);
    await golden('announce/alarm-ask-reminder', said!.message);
    await golden('verify/asking-reminded', deploymentMessage(d, T0 + 40 * MIN));
  });
});

describe('answering the buttons of a bake', () => {
  it('the Keep modal asks why, naming the version and the alarm', async () => {
    const d = deployment({ state: 'verifying', verification: { ...baking, onAlarm: 'ask', tripped } });
    const view = keepModal(d);
    expect(view.private_metadata).toBe(d.id);
    await golden('verify/keep-modal', view, 'modal');
  });

  it('the outcome of a verified deploy is told to the requester', async () => {
    const said = announcement(ended('verified', { verification: baking }), { kind: 'outcome' });
    expect(said!.message.text).toMatch(
      /^:white_check_mark: <@U0ALICE> your deploy of .* is verified \(took /,
    );
    await golden('announce/verified', said!.message);
  });

  it('says who may decide when the clicker may not, and that a decided bake is decided', () => {
    expect(
      bakeChoiceText({
        kind: 'not_allowed',
        choice: 'complete',
        app: 'todobackend',
        env: 'prod',
        who: [{ kind: 'user', id: 'U0BOB' }],
        requester: true,
      }),
    ).toBe(
      'Only <@U0BOB> other than the person who asked can complete this verification (todobackend/prod).',
    );
    expect(bakeChoiceText({ kind: 'not_baking', id: 'd-1' })).toContain('no longer waiting');
  });

  it('refuses Complete now before the alarms were read, and while they cannot be read', () => {
    expect(bakeChoiceText({ kind: 'alarms_unread', id: 'd-1', unreadable: false })).toBe(
      'The alarms of `d-1` have not been read yet, so its verification cannot be completed: try again after the next look (a few seconds).',
    );
    expect(bakeChoiceText({ kind: 'alarms_unread', id: 'd-1', unreadable: true })).toBe(
      'The alarms of `d-1` cannot be read now (see the thread), so its verification cannot be completed: try again after the next look reads them.',
    );
  });
});

/** Every kind of verification fact, worded; outside text is escaped once. */
const facts: readonly [VerifyFact, string][] = [
  [
    { kind: 'verify.alarmed', alarm: 'a<b>', reason: 'x & y.', flapped: true },
    ':rotating_light: Alarm `a&lt;b&gt;` went off (and was back to OK when Capstan looked): x &amp; y',
  ],
  [{ kind: 'verify.rollbackAsked', by: 'U0BOB' }, '<@U0BOB> asked to roll back during the verification'],
  [
    { kind: 'verify.baking', until: T0, alarms: ['a', 'b*'] },
    `:stethoscope: Succeeded; now verifying until <!date^${T0 / 1000}^{time}|`,
  ],
  [{ kind: 'verify.passed' }, ':white_check_mark: No alarm went off during the bake: verified.'],
  [{ kind: 'verify.passed', completedBy: 'U0BOB' }, '<@U0BOB> completed the verification early'],
  [
    { kind: 'verify.kept', by: 'U0BOB', alarm: 'a', reason: 'known <noise>' },
    ':raised_hand: <@U0BOB> kept this version although `a` went off: known &lt;noise&gt;',
  ],
  [
    { kind: 'verify.kept', by: 'U0BOB' },
    ':raised_hand: <@U0BOB> kept this version although an alarm went off: no reason given',
  ],
  [
    { kind: 'verify.alarmed', alarm: 'a', reason: 'high.', flapped: false, rollbackBy: 'U0CAROL' },
    ':rotating_light: Alarm `a` went off: high. Roll back chosen by <@U0CAROL>',
  ],
  [
    { kind: 'verify.stillInAlarm', alarms: [{ name: 'a', reason: 'high.' }] },
    ':warning: Not verified: `a` (high) is still in ALARM, as it was before this deploy.',
  ],
  [
    { kind: 'verify.stillInAlarm', alarms: [{ name: 'a' }, { name: 'b' }], completedBy: 'U0BOB' },
    ':warning: Not verified: `a`, `b` are still in ALARM, as they were before this deploy. <@U0BOB> completed the verification early.',
  ],
  [
    { kind: 'verify.alarmsUnreadable', error: 'socket hang up' },
    ':warning: Could not read the alarms of this verification (cloudwatch:DescribeAlarms): socket hang up',
  ],
  [{ kind: 'verify.extended', by: 'U0BOB', until: T0 }, '<@U0BOB> extended the bake until'],
  [
    { kind: 'verify.alarmFiring', app: 'todobackend', env: 'prod', alarms: [{ name: 'a', reason: 'high.' }] },
    'Not deployed: `a` is in ALARM (high). Deploy to todobackend/prod once it is OK',
  ],
  [
    {
      kind: 'verify.noSuchAlarm',
      app: 'todobackend',
      env: 'prod',
      region: 'us-east-1',
      patterns: ['nope-*'],
    },
    'match nothing in CloudWatch (us-east-1): `nope-*`',
  ],
  [
    { kind: 'verify.alarmOverridden', by: 'U0ADMIN', alarms: ['a'], reason: 'hotfix' },
    ':warning: <@U0ADMIN> deployed although `a` is in ALARM: hotfix',
  ],
  [
    {
      kind: 'verify.platformAlarms',
      platform: 'ECS',
      alarms: ['a<b>', 'c'],
      rollback: true,
      alsoVerified: ['c'],
    },
    ":shield: ECS rolls back on alarm: `a&lt;b&gt;`, `c`. Capstan's bake also watches `c`.",
  ],
  [
    { kind: 'verify.platformAlarms', platform: 'ECS', alarms: ['a'], rollback: false },
    ':shield: ECS fails the deployment on alarm (no rollback): `a`.',
  ],
  [
    {
      kind: 'verify.platformAlarms',
      platform: 'CodeDeploy',
      alarms: ['a'],
      rollback: true,
      ignoresPollFailure: true,
      alsoVerified: [],
    },
    ":shield: CodeDeploy stops and rolls back on alarm: `a` (it goes on when it cannot read them). Capstan's bake watches none of them (`verify.alarms` names others).",
  ],
  [
    {
      kind: 'verify.platformAlarms',
      platform: 'CodeDeploy',
      alarms: ['a'],
      rollback: false,
      alsoVerified: ['a'],
    },
    ":shield: CodeDeploy stops the deployment on alarm: `a`. Capstan's bake watches them too.",
  ],
  [
    {
      kind: 'verify.platformAlarms',
      platform: 'CloudFormation',
      alarms: ['a'],
      rollback: true,
      monitoringMinutes: 10,
    },
    ':shield: CloudFormation rolls back on alarm during the update and 10 min after it: `a`.',
  ],
  [
    { kind: 'verify.platformMonitoring', platform: 'CloudFormation', alarms: ['a'], from: T0, minutes: 10 },
    `:eyes: CloudFormation watches \`a\` for 10 min from <!date^${T0 / 1000}^{time}|`,
  ],
  [
    { kind: 'verify.baking', until: T0, alarms: ['a'], counted: { by: 'CloudFormation', from: T0 - MIN } },
    `(the bake counts from <!date^${(T0 - MIN) / 1000}^{time}|`,
  ],
];

describe('verification facts', () => {
  it.each(facts)('%j', (fact, words) => {
    expect(VerifyFactSchema.parse(fact)).toEqual(fact);
    expect(sayFact(fact)).toContain(words);
  });

  it('words every kind', () => {
    const kinds = new Set(facts.map(([f]) => f.kind));
    expect([...kinds].sort()).toEqual(VerifyFactSchema.options.map((o) => o.shape.kind.value).sort());
  });
});
