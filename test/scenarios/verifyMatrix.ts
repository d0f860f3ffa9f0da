import { CreateChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { CreateDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { UpdateEnvironmentCommand } from '@aws-sdk/client-elastic-beanstalk';
import type { SkipClock } from '../fakes/skipClock.js';
import { FakeBeanstalk } from '../support/fakeBeanstalk.js';
import { FakeCfn } from '../support/fakeCfn.js';
import { FakeCodeDeploy } from '../support/fakeCodeDeploy.js';
import { FakeEcs } from '../support/fakeEcs.js';
import { FakeServiceDeployments } from '../support/fakeServiceDeployments.js';

/*
 * The targets the verification scenarios run against (verifyMatrix*.test.ts): the same scenario on
 * each, so that a bake behaves the same whatever rolled the version out. Each target is faked at the
 * SDK clients' send() on the test's SkipClock; `changes()` counts the calls that would change AWS.
 */

export const FIVE_XX = 'todobackend-5xx';
export const LATENCY = 'todobackend-latency';

/** Who may do what: Alice and Carol deploy (and roll back), Bob approves (Complete now, Keep). */
const POLICY = 'policy: { deployers: [U0ALICE, U0CAROL], approvers: [U0BOB], approvals: 0 }';

export interface TargetFakes {
  /** How many calls that change AWS (start a rollout) the target received so far. */
  changes(): number;
  restore(): void;
}

export interface MatrixTarget {
  readonly name: string;
  readonly env: string;
  readonly channel: string;
  /** A version that exists for the target, deployed first (and verified when a rollback needs a target). */
  readonly good: string;
  /** The version whose bake the alarm trips. */
  readonly bad: string;
  /** The environment's lines of capstan.yml (indented under `environments`), ending with `verify`. */
  readonly yaml: string;
  fake(clock: SkipClock): TargetFakes;
}

const verify = (onAlarm: string) =>
  `        verify: { alarms: [${FIVE_XX}, "todobackend-l*"], bake: 1m, onAlarm: ${onAlarm} }\n`;

const ecsYaml = `
      dev:
        channel: C0DEV
        ecs: { region: us-east-1, cluster: todo-dev, service: todobackend-dev, container: app, repository: todobackend }
        ${POLICY}
        rolloutTimeout: 5m
`;

const undo =
  (...fakes: { restore(): void }[]) =>
  () => {
    for (const f of fakes) f.restore();
  };

const ECS_ROLLING: MatrixTarget = {
  name: 'ECS rolling',
  env: 'dev',
  channel: 'C0DEV',
  good: '1.2.3',
  bad: '1.2.4-broken',
  yaml: ecsYaml,
  fake(clock) {
    const ecs = new FakeEcs('todobackend-dev', { clock });
    return { changes: () => ecs.ecs.commandCalls(UpdateServiceCommand).length, restore: undo(ecs) };
  },
};

const ECS_PROGRESSIVE: MatrixTarget = {
  ...ECS_ROLLING,
  name: 'ECS progressive',
  fake(clock) {
    const ecs = new FakeEcs('todobackend-dev', { clock });
    new FakeServiceDeployments(ecs, [
      { stage: 'SCALE_UP' },
      { stage: 'PRODUCTION_TRAFFIC_SHIFT', prod: 100 },
      { stage: 'CLEAN_UP', prod: 100 },
    ]);
    return { changes: () => ecs.ecs.commandCalls(UpdateServiceCommand).length, restore: undo(ecs) };
  },
};

const CLOUDFORMATION: MatrixTarget = {
  name: 'CloudFormation',
  env: 'prod',
  channel: 'C0PROD',
  good: '1.2.3',
  bad: '1.2.4-broken',
  yaml: `
      prod:
        channel: C0PROD
        cloudformation: { region: us-east-1, stack: todobackend-prod, imageParameter: ApplicationImageTag, repository: todobackend, capabilities: [CAPABILITY_IAM] }
        ${POLICY}
        rolloutTimeout: 5m
`,
  fake(clock) {
    const ecs = new FakeEcs('todobackend-dev', { clock }); // its ECR answers for the image tags
    const cfn = new FakeCfn(clock);
    return { changes: () => cfn.cfn.commandCalls(CreateChangeSetCommand).length, restore: undo(cfn, ecs) };
  },
};

const BEANSTALK: MatrixTarget = {
  name: 'Elastic Beanstalk',
  env: 'staging',
  channel: 'C0STAGING',
  good: '1.2.3',
  bad: '1.2.4',
  yaml: `
      staging:
        channel: C0STAGING
        beanstalk: { region: us-east-1, application: todobackend, environment: todobackend-staging, repository: todobackend, bucket: capstan-bundles }
        ${POLICY}
        rolloutTimeout: 5m
`,
  fake(clock) {
    const eb = new FakeBeanstalk(clock);
    eb.onUpdate = () => {
      eb.then(
        () => eb.event('Deploying new version to instance(s).'),
        () => {
          eb.event('Environment update completed successfully.');
          eb.set({ Status: 'Ready', Health: 'Green', HealthStatus: 'Ok' });
        },
      );
    };
    return { changes: () => eb.eb.commandCalls(UpdateEnvironmentCommand).length, restore: undo(eb) };
  },
};

const CODEDEPLOY_SERVER: MatrixTarget = {
  name: 'CodeDeploy on EC2',
  env: 'fleet',
  channel: 'C0FLEET',
  good: '1.2.3',
  bad: '1.2.4-broken',
  yaml: `
      fleet:
        channel: C0FLEET
        codedeploy:
          region: us-east-1
          application: todobackend
          deploymentGroup: todobackend-prod
          revision: { bucket: todo-bundles, key: "todobackend/{version}.zip", bundleType: zip }
        ${POLICY}
        rolloutTimeout: 5m
`,
  fake(clock) {
    const cd = new FakeCodeDeploy('Server', clock);
    return { changes: () => cd.cd.commandCalls(CreateDeploymentCommand).length, restore: undo(cd) };
  },
};

const CODEDEPLOY_ECS: MatrixTarget = {
  name: 'CodeDeploy blue/green on ECS',
  env: 'bluegreen',
  channel: 'C0BLUEGREEN',
  good: '1.2.3',
  bad: '1.2.4-broken',
  yaml: `
      bluegreen:
        channel: C0BLUEGREEN
        codedeploy:
          region: us-east-1
          application: todobackend
          deploymentGroup: todobackend-prod
          ecs: { cluster: todo-dev, service: todobackend-dev, container: app, repository: todobackend, containerPort: 8000 }
        ${POLICY}
        rolloutTimeout: 5m
`,
  fake(clock) {
    const ecs = new FakeEcs('todobackend-dev', { clock });
    const cd = new FakeCodeDeploy('ECS', clock);
    return { changes: () => cd.cd.commandCalls(CreateDeploymentCommand).length, restore: undo(cd, ecs) };
  },
};

export const TARGETS: readonly MatrixTarget[] = [
  ECS_ROLLING,
  ECS_PROGRESSIVE,
  CLOUDFORMATION,
  BEANSTALK,
  CODEDEPLOY_SERVER,
  CODEDEPLOY_ECS,
];

/**
 * The targets whose verification only these scenarios cover: ECS rolling has each of them in
 * verify.test.ts and verifyButtons.test.ts already (it stays in the replica and events suites).
 */
export const OTHER_TARGETS: readonly MatrixTarget[] = TARGETS.filter((t) => t !== ECS_ROLLING);

/** The environment's capstan.yml lines with its `verify` block. */
export const withVerify = (t: MatrixTarget, onAlarm: 'rollback' | 'ask') => t.yaml + verify(onAlarm);
