import { ACCOUNT, REGION, type SimDeployment, type SimService, digestOf } from './model.js';

/** What the sandbox's ECS holds at start. */

/** The task definition every service starts on: todobackend 1.2.2 on Fargate. */
export function firstTaskDefinition(repositoryUri: string): Record<string, unknown> {
  return {
    family: 'todobackend',
    taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/todobackend-task`,
    executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/todobackend-execution`,
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    containerDefinitions: [
      {
        name: 'app',
        image: `${repositoryUri}@${digestOf('1.2.2')}`,
        essential: true,
        portMappings: [{ containerPort: 8000, protocol: 'tcp' }],
        environment: [{ name: 'DJANGO_SETTINGS_MODULE', value: 'todobackend.settings_release' }],
        logConfiguration: {
          logDriver: 'awslogs',
          options: {
            'awslogs-group': '/ecs/todobackend',
            'awslogs-region': REGION,
            'awslogs-stream-prefix': 'app',
          },
        },
      },
    ],
  };
}

/**
 * The services, each steady on `arn`, one at a time: `deploymentId` numbers their deployments in
 * the order the caller sees them (it records each one's first event before the next is made).
 */
export function* initialServices(arn: string, deploymentId: () => string): Generator<SimService> {
  const first: SimDeployment = {
    id: deploymentId(),
    status: 'PRIMARY',
    taskDefinition: arn,
    desiredCount: 2,
    runningCount: 2,
    pendingCount: 0,
    failedTasks: 0,
    rolloutState: 'COMPLETED',
    rolloutStateReason: 'ECS deployment completed.',
    createdAt: new Date(Date.now() - 86_400_000),
    updatedAt: new Date(Date.now() - 86_000_000),
  };
  const service = (name: string, cluster: string) => ({
    name,
    cluster,
    desiredCount: 2,
    taskDefinition: arn,
  });
  yield {
    ...service('todobackend-dev', 'todobackend-dev'),
    controller: 'ECS',
    deployments: [first],
    events: [],
  };
  // The service CodeDeploy's blue/green group deploys (see codedeploy.ts).
  yield {
    ...service('todobackend-bg', 'todobackend-bg'),
    controller: 'CODE_DEPLOY',
    deployments: [{ ...first, id: deploymentId() }],
    events: [],
  };
  // Services ECS deploys itself, stage by stage (see serviceDeployments.ts).
  for (const [name, strategy] of [
    ['todobackend-green', 'BLUE_GREEN'],
    ['todobackend-linear', 'LINEAR'],
  ] as const) {
    yield {
      ...service(name, 'todobackend-dev'),
      controller: 'ECS',
      strategy,
      deployments: [{ ...first, id: deploymentId() }],
      events: [],
    };
  }
}
