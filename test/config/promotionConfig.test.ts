import { describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config/readConfig.js';

const ENV = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', CAPSTAN_CONFIG: 'capstan.yml' };

const yaml = (promotion: string) => `
apps:
  todobackend:
    environments:
      staging:
        channel: C0STAGING
        ecs: { region: us-east-1, cluster: c, service: s, container: app, repository: todobackend }
        policy: { deployers: ["*"] }
      prod:
        channel: C0PROD
        ecs: { region: us-east-1, cluster: c, service: p, container: app, repository: todobackend }
        policy: { deployers: ["*"] }
        promotion: ${promotion}
`;

describe('promotion configuration', () => {
  it('reads from and soak (a duration, none by default)', () => {
    const r = readConfig(ENV, () => yaml('{ from: staging, soak: 1h }'));
    if (!r.ok) throw new Error(r.problems.join('\n'));
    expect(r.config.catalog.apps[0]!.environments[1]!.promotion).toEqual({
      from: 'staging',
      soakMs: 3_600_000,
    });
    const bare = readConfig(ENV, () => yaml('{ from: staging }'));
    expect(bare.ok && bare.config.catalog.apps[0]!.environments[1]!.promotion).toEqual({
      from: 'staging',
      soakMs: 0,
    });
  });

  it.each([
    ['{ from: qa }', 'must name another environment of this app: staging, prod'],
    ['{ from: prod }', 'must name another environment'],
    ['{ from: staging, soak: soon }', 'soak'],
    ['{ from: staging, after: 1h }', 'after'],
  ])('refuses %s, naming the field', (promotion, said) => {
    const r = readConfig(ENV, () => yaml(promotion));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.join('\n')).toContain(said);
  });

  const codedeployServer = `codedeploy:
          region: us-east-1
          application: todobackend
          deploymentGroup: servers
          revision: { bucket: todobackend-bundles, key: "todobackend/{version}.zip" }`;

  it('refuses promotion on an environment that deploys a CodeDeploy revision (no digest), saying what to do', () => {
    const r = readConfig(ENV, () =>
      yaml('{ from: staging }').replace(
        'ecs: { region: us-east-1, cluster: c, service: p, container: app, repository: todobackend }',
        codedeployServer,
      ),
    );
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.problems).toContain(
        'apps.todobackend.environments.prod.promotion: cannot gate a CodeDeploy revision (an S3 bundle has no image digest to compare, so every deploy would be refused): remove promotion from this environment',
      );
  });

  it('refuses promotion from an environment that deploys a CodeDeploy revision', () => {
    const r = readConfig(ENV, () =>
      yaml('{ from: staging }').replace(
        'ecs: { region: us-east-1, cluster: c, service: s, container: app, repository: todobackend }',
        codedeployServer,
      ),
    );
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.problems.join('\n')).toContain(
        'apps.todobackend.environments.prod.promotion.from: staging deploys a CodeDeploy revision (an S3 bundle, no image digest)',
      );
  });

  it('takes a CodeDeploy revision environment without promotion', () => {
    const r = readConfig(ENV, () =>
      yaml('{ from: staging }')
        .replace(
          'ecs: { region: us-east-1, cluster: c, service: p, container: app, repository: todobackend }',
          codedeployServer,
        )
        .replace(/\n\s+promotion: .*\n/, '\n'),
    );
    if (!r.ok) throw new Error(r.problems.join('\n'));
    expect(r.config.catalog.apps[0]!.environments[1]!.target.kind).toBe('codedeploy-server');
  });
});
