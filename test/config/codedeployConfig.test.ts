import { describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config/readConfig.js';

const ENV = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', CAPSTAN_CONFIG: 'capstan.yml' };

const withCodeDeploy = (inside: string) => `
apps:
  todobackend:
    environments:
      fleet:
        channel: C0FLEET
        codedeploy:
          region: us-east-1
          application: todobackend
          deploymentGroup: todobackend-prod
${inside}
        policy: { deployers: ["*"] }
`;

function targetOf(inside: string) {
  const r = readConfig(ENV, () => withCodeDeploy(inside));
  if (!r.ok) throw new Error(r.problems.join('\n'));
  return r.config.catalog.apps[0]?.environments[0]?.target;
}

function problemsOf(inside: string): readonly string[] {
  const r = readConfig(ENV, () => withCodeDeploy(inside));
  return r.ok ? [] : r.problems;
}

describe('capstan.yml codedeploy: one block, two kinds of target', () => {
  it('a group with revision: deploys S3 bundles to EC2/on-premises', () => {
    expect(
      targetOf('          revision: { bucket: todo-bundles, key: "todobackend/{version}.zip" }'),
    ).toEqual({
      kind: 'codedeploy-server',
      region: 'us-east-1',
      application: 'todobackend',
      deploymentGroup: 'todobackend-prod',
      revision: { bucket: 'todo-bundles', key: 'todobackend/{version}.zip', bundleType: 'zip' },
    });
  });

  it('a group with ecs: deploys an ECS service blue/green', () => {
    const ecs =
      '{ cluster: todo, service: todobackend, container: app, repository: todobackend, containerPort: 8000 }';
    expect(targetOf(`          ecs: ${ecs}`)).toEqual({
      kind: 'codedeploy-ecs',
      region: 'us-east-1',
      application: 'todobackend',
      deploymentGroup: 'todobackend-prod',
      ecs: {
        cluster: 'todo',
        service: 'todobackend',
        container: 'app',
        repository: 'todobackend',
        containerPort: 8000,
      },
    });
  });

  it('needs exactly one of revision or ecs, and says so', () => {
    const message =
      'apps.todobackend.environments.fleet.codedeploy: needs exactly one of revision (EC2/on-premises) or ecs (blue/green)';
    expect(problemsOf('')).toContain(message);
    expect(
      problemsOf(
        [
          '          revision: { bucket: todo-bundles, key: "todobackend/{version}.zip" }',
          '          ecs: { cluster: c, service: s, container: app, repository: r, containerPort: 80 }',
        ].join('\n'),
      ),
    ).toContain(message);
  });

  it('names a mistake inside revision where it is', () => {
    expect(
      problemsOf('          revision: { bucket: todo-bundles, key: "todobackend/latest.zip" }'),
    ).toContain(
      'apps.todobackend.environments.fleet.codedeploy.revision.key: must contain {version}, e.g. todobackend/{version}.zip',
    );
  });
});
