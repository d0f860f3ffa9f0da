import { describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config/readConfig.js';

const ENV = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', CAPSTAN_CONFIG: 'capstan.yml' };

const withVerify = (verify: string) => `
apps:
  todobackend:
    environments:
      prod:
        channel: C0PROD
        beanstalk: { region: us-east-1, application: todobackend, environment: todobackend-prod, repository: todobackend, bucket: capstan-bundles }
        policy: { deployers: ["*"] }
${verify}
`;

function read(verify: string) {
  return readConfig(ENV, () => withVerify(verify));
}

function verifyOf(verify: string) {
  const r = read(verify);
  if (!r.ok) throw new Error(r.problems.join('\n'));
  return r.config.catalog.apps[0]?.environments[0]?.verify;
}

const problemsOf = (verify: string) => {
  const r = read(verify);
  return r.ok ? [] : r.problems.join('\n');
};

describe('capstan.yml verify: alarms and a bake after every rollout, on any target', () => {
  it('reads alarm names and prefixes, the bake, and rollback as the default on an alarm', () => {
    expect(
      verifyOf('        verify: { alarms: [todobackend-prod-5xx, "todobackend-prod-*"], bake: 10m }'),
    ).toEqual({
      alarms: ['todobackend-prod-5xx', 'todobackend-prod-*'],
      bakeMs: 600_000,
      onAlarm: 'rollback',
    });
    expect(verifyOf('        verify: { alarms: [a], bake: 90s, onAlarm: ask }')).toMatchObject({
      onAlarm: 'ask',
    });
  });

  it('with rollback: manual and no onAlarm, an alarm asks; an explicit onAlarm: rollback still rolls back', () => {
    const manual = (verify: string) => verifyOf(`        rollback: manual\n${verify}`);
    expect(manual('        verify: { alarms: [a], bake: 10m }')?.onAlarm).toBe('ask');
    expect(manual('        verify: { alarms: [a], bake: 10m, onAlarm: rollback }')?.onAlarm).toBe('rollback');
    expect(verifyOf('        rollback: auto\n        verify: { alarms: [a], bake: 10m }')?.onAlarm).toBe(
      'rollback',
    );
  });

  it('an environment without verify ends at success, as before', () => {
    expect(verifyOf('')).toBeUndefined();
  });

  it('refuses a * anywhere but at the end, no alarms, a bake that is no duration, and an unknown onAlarm', () => {
    expect(problemsOf('        verify: { alarms: ["todo-*-5xx"], bake: 10m }')).toContain(
      '* only at the end',
    );
    expect(problemsOf('        verify: { alarms: ["*"], bake: 10m }')).toContain('* only at the end');
    expect(problemsOf('        verify: { alarms: [], bake: 10m }')).toContain('list the alarms to watch');
    expect(problemsOf('        verify: { alarms: [a], bake: soon }')).toContain(
      'must be a duration such as 10m',
    );
    expect(problemsOf('        verify: { alarms: [a], bake: 10m, onAlarm: panic }')).toContain('onAlarm');
    expect(problemsOf('        verify: { alarms: [a] }')).toContain('bake');
  });
});
