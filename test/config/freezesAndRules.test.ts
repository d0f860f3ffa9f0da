import { describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config/readConfig.js';

const ENV = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', CAPSTAN_CONFIG: 'capstan.yml' };

/** One app with a dev ECS environment and a prod stack; `top`, `dev`, `prod` and `tail` are spliced in. */
function yaml(parts: { top?: string; dev?: string; prod?: string; policy?: string; tail?: string } = {}) {
  return `
${parts.top ?? ''}
apps:
  todobackend:
    environments:
      dev:
        channel: C0DEV
        ecs: { region: us-east-1, cluster: c, service: s, container: app, repository: todobackend }
        policy: { deployers: ["*"] }
${parts.dev ?? ''}
      prod:
        channel: C0PROD
        cloudformation:
          region: us-east-1
          stack: todobackend-prod
          imageParameter: ApplicationImage
          repository: todobackend
${parts.prod ?? ''}
        policy:
          deployers: ["*"]
${parts.policy ?? '          approvers: ["@sre"]\n          approvals: 1'}
${parts.tail ?? ''}
`;
}

function problems(text: string): string[] {
  const r = readConfig(ENV, () => text);
  if (r.ok) throw new Error('expected the configuration to be refused');
  return r.problems;
}

function catalog(text: string) {
  const r = readConfig(ENV, () => text);
  if (!r.ok) throw new Error(r.problems.join('\n'));
  return r.config.catalog;
}

describe('freezes', () => {
  it('every environment gets the top-level freezes, then its own; the time zone defaults to UTC', () => {
    const c = catalog(
      yaml({
        top: 'freezes:\n  - { name: weekend, cron: "0 18 * * 5", duration: 62h, timezone: Europe/Paris }',
        prod: '        freezes:\n          - { name: Christmas, cron: "0 0 24 12 *", duration: 3d }',
      }),
    );
    const [dev, prod] = c.apps[0]!.environments;
    expect(dev?.freezes).toEqual([
      { name: 'weekend', cron: '0 18 * * 5', durationMs: 62 * 3_600_000, timezone: 'Europe/Paris' },
    ]);
    expect(prod?.freezes).toEqual([
      { name: 'weekend', cron: '0 18 * * 5', durationMs: 62 * 3_600_000, timezone: 'Europe/Paris' },
      { name: 'Christmas', cron: '0 0 24 12 *', durationMs: 3 * 86_400_000, timezone: 'UTC' },
    ]);
  });

  it('says what is wrong with each window, by path', () => {
    const p = problems(
      yaml({
        top: [
          'freezes:',
          '  - { name: a, cron: "0 0 18 * * 5", duration: 62h }',
          '  - { name: b, cron: "H 18 * * 5", duration: 62h }',
          '  - { name: c, cron: "0 25 * * 5", duration: 62h }',
          '  - { name: d, cron: "0 18 * * 5", duration: soon, timezone: Mars/Olympus }',
          '  - { name: "", cron: "0 18 * * 5", duration: 0s }',
          '  - { cron: "0 18 * * 5", duration: 40d, until: monday }',
        ].join('\n'),
      }),
    );
    expect(p).toEqual(
      expect.arrayContaining([
        'freezes.0.cron: must have 5 fields (minute hour day-of-month month day-of-week), not 6',
        'freezes.1.cron: must not use H (a random time)',
        expect.stringMatching(/^freezes\.2\.cron: is not a cron expression: .*25/),
        'freezes.3.duration: must be a duration such as 90s, 10m, 24h or 7d',
        'freezes.3.timezone: must be an IANA time zone such as UTC, Europe/Paris or America/New_York',
        'freezes.4.name: name the freeze (it is shown to people)',
        'freezes.4.duration: must be longer than 0 and at most 31d',
        'freezes.5.name: required',
        'freezes.5.duration: must be longer than 0 and at most 31d',
        'freezes.5: unknown key "until"',
      ]),
    );
  });

  it('checks an environment’s own windows too', () => {
    expect(
      problems(
        yaml({ dev: '        freezes:\n          - { name: x, cron: "every friday", duration: 2h }' }),
      ),
    ).toContain(
      'apps.todobackend.environments.dev.freezes.0.cron: must have 5 fields (minute hour day-of-month month day-of-week), not 2',
    );
  });
});

describe('approval rules', () => {
  it('a list of rules: every rule to be met, who may approve is everyone they name, the total is their sum', () => {
    const c = catalog(
      yaml({
        policy: [
          '          approvals:',
          '            - { from: ["@sre"], count: 1 }',
          '            - { from: ["@todobackend-owners", U0LEAD], count: 2 }',
        ].join('\n'),
      }),
    );
    const prod = c.apps[0]!.environments[1]!;
    expect(prod.policy.rules).toEqual([
      { from: [{ kind: 'handle', handle: 'sre' }], count: 1 },
      {
        from: [
          { kind: 'handle', handle: 'todobackend-owners' },
          { kind: 'user', id: 'U0LEAD' },
        ],
        count: 2,
      },
    ]);
    expect(prod.policy.approvals).toBe(3);
    expect(prod.policy.approvers).toEqual([
      { kind: 'handle', handle: 'sre' },
      { kind: 'handle', handle: 'todobackend-owners' },
      { kind: 'user', id: 'U0LEAD' },
    ]);
  });

  it('a number stays one rule over approvers, with no rules listed', () => {
    const prod = catalog(yaml()).apps[0]!.environments[1]!;
    expect(prod.policy).toMatchObject({ approvals: 1, approvers: [{ kind: 'handle', handle: 'sre' }] });
    expect(prod.policy.rules).toBeUndefined();
  });

  it.each([
    [
      '          approvals: many',
      'must be a number of approvals, or a list of rules such as [{ from: ["@sre"], count: 1 }]',
      'approvals',
    ],
    ['          approvals: []', 'list at least one rule', 'approvals'],
    [
      '          approvals: [{ from: [], count: 1 }]',
      'list who may approve under this rule',
      'approvals.0.from',
    ],
    [
      '          approvals: [{ from: ["@sre"], count: 0 }]',
      'Too small: expected number to be >=1',
      'approvals.0.count',
    ],
    ['          approvals: [{ from: ["@sre"], cnt: 2 }]', 'unknown key "cnt"', 'approvals.0'],
    [
      '          approvers: ["@sre"]\n          approvals: [{ from: ["@sre"] }]',
      'leave out when approvals lists rules: each rule says who may approve (from)',
      'approvers',
    ],
  ])('refuses %j', (policy, message, path) => {
    expect(problems(yaml({ policy }))).toContain(
      `apps.todobackend.environments.prod.policy.${path}: ${message}`,
    );
  });

  it('pipelines take the same approval rules as environments', () => {
    const route = (policy: string) =>
      ['pipelines:', '  - name: todobackend-*', '    channel: C0PIPE', `    policy: ${policy}`].join('\n');
    const rules = route(
      '{ approvals: [{ from: ["@sre"], count: 2 }, { from: [U0ALICE] }], allowSelfApproval: true }',
    );
    expect(catalog(yaml({ tail: rules })).pipelines[0]).toMatchObject({
      pipeline: 'todobackend-*',
      policy: {
        approvals: 3,
        allowSelfApproval: true,
        rules: [
          { from: [{ kind: 'handle', handle: 'sre' }], count: 2 },
          { from: [{ kind: 'user', id: 'U0ALICE' }], count: 1 },
        ],
      },
    });
    expect(
      problems(yaml({ tail: route('{ approvers: ["@sre"], approvals: [{ from: ["@sre"] }] }') })),
    ).toContain(
      'pipelines.0.policy.approvers: leave out when approvals lists rules: each rule says who may approve (from)',
    );
    expect(problems(yaml({ tail: route('{ approvals: 2 }') }))).toContain(
      'pipelines.0.policy.approvers: required when approvals > 0',
    );
  });
});

describe('imageParameterFormat', () => {
  it('is the tag unless the stack says otherwise', () => {
    expect(catalog(yaml()).apps[0]!.environments[1]!.target).toMatchObject({ imageParameterFormat: 'tag' });
    const uri = catalog(yaml({ prod: '          imageParameterFormat: uri' }));
    expect(uri.apps[0]!.environments[1]!.target).toMatchObject({ imageParameterFormat: 'uri' });
  });

  it('accepts only tag, digest or uri', () => {
    expect(problems(yaml({ prod: '          imageParameterFormat: sha' }))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^apps\.todobackend\.environments\.prod\.cloudformation\.imageParameterFormat: .*"tag"\|"digest"\|"uri"/,
        ),
      ]),
    );
  });
});
