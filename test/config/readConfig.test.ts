import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config/readConfig.js';

const ENV = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', CAPSTAN_CONFIG: 'capstan.yml' };
const example = readFileSync(new URL('../../capstan.example.yml', import.meta.url), 'utf8');

describe('readConfig', () => {
  it('accepts the shipped example: dev on ECS without approval, prod through a change set with one approval', () => {
    const r = readConfig(ENV, () => example);
    if (!r.ok) throw new Error(r.problems.join('\n'));
    const app = r.config.catalog.apps[0]!;
    expect(app.name).toBe('todobackend');
    expect(app.environments.map((e) => e.name)).toEqual(['dev', 'prod']);
    const [dev, prod] = app.environments;
    expect(dev?.target.kind).toBe('ecs');
    expect(dev?.policy.approvals).toBe(0);
    expect(prod?.target).toMatchObject({
      kind: 'cloudformation',
      stack: 'todobackend-prod',
      imageParameter: 'ApplicationImageTag',
    });
    expect(prod?.policy).toMatchObject({
      approvals: 1,
      approvers: [{ kind: 'handle', handle: 'deploy-approvers' }],
    });
    expect(dev?.rolloutTimeoutMs).toBe(600_000);
    expect(r.config.env.PORT).toBe(3000);
  });

  it('lists every problem by path, environment variables included', () => {
    const yaml = `
apps:
  todobackend:
    environments:
      prod:
        channel: general
        cloudformation:
          region: us-east-1
          imageParameter: ApplicationImageTag
          repository: todobackend
        policy:
          deployers: [bob]
          approvals: 2
        rolloutTimeout: soon
        colour: blue
`;
    const r = readConfig({ CAPSTAN_CONFIG: 'x.yml' }, () => yaml);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual(
      expect.arrayContaining([
        'SLACK_BOT_TOKEN: required',
        'SLACK_SIGNING_SECRET: required in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)',
        'apps.todobackend.environments.prod.cloudformation.stack: required',
        'apps.todobackend.environments.prod.channel: use the channel ID (C…), shown at the bottom of the channel details',
        'apps.todobackend.environments.prod.rolloutTimeout: must be a duration such as 90s, 10m, 24h or 7d',
        'apps.todobackend.environments.prod: unknown key "colour"',
      ]),
    );
    expect(
      r.problems.some((p) => p.startsWith('apps.todobackend.environments.prod.policy.deployers.0:')),
    ).toBe(true);
    expect(r.problems.length).toBeGreaterThanOrEqual(7);
  });

  it('needs exactly one target per environment and approvers when approvals are required', () => {
    const yaml = `
apps:
  a:
    environments:
      e:
        channel: C1234
        policy: { deployers: ["*"], approvals: 1 }
`;
    const r = readConfig(ENV, () => yaml);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toContain(
      'apps.a.environments.e: needs exactly one target: ecs, cloudformation, beanstalk, codedeploy',
    );
    expect(r.problems).toContain('apps.a.environments.e.policy.approvers: required when approvals > 0');
  });

  it('refuses app names that collide with subcommands', () => {
    const r = readConfig(ENV, () => 'apps:\n  status:\n    environments: {}\n');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.join('\n')).toMatch(/apps\.status.*subcommand/);
  });

  it('says which file it could not read', () => {
    const r = readConfig({ ...ENV, CAPSTAN_CONFIG: '/nope/capstan.yml' });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.problems[0]).toMatch(/^\/nope\/capstan\.yml: cannot read the configuration file \(ENOENT\)/);
  });

  it('reports YAML syntax errors instead of throwing', () => {
    const r = readConfig(ENV, () => 'apps: [unclosed');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]).toMatch(/^capstan\.yml: /);
  });

  it('Socket Mode needs no signing secret', () => {
    const r = readConfig(
      { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1', CAPSTAN_CONFIG: 'c' },
      () => example,
    );
    expect(r.ok).toBe(true);
  });
});
