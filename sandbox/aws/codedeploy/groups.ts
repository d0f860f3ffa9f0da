import { ACCOUNT, REGION } from '../ecs.js';
import { ARTIFACT_BUCKET, type Group, type Revision } from './model.js';

function listenerArn(name: string, port: number): string {
  return `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:listener/app/todobackend/50dc6c495c0c9188/${name}${port}`;
}

/** The AppSpec an ECS blue/green revision carries, as Capstan would send it. */
export function ecsAppSpec(taskDefinition: string): string {
  return JSON.stringify({
    version: 0.0,
    Resources: [
      {
        TargetService: {
          Type: 'AWS::ECS::Service',
          Properties: {
            TaskDefinition: taskDefinition,
            LoadBalancerInfo: { ContainerName: 'app', ContainerPort: 8000 },
          },
        },
      },
    ],
    Hooks: [{ AfterAllowTestTraffic: 'todobackend-smoke-test' }],
  });
}

/** The in-place EC2 fleet, deployed from S3 bundles one instance at a time, rolled back on failure. */
function fleetGroup(): Group {
  const revision: Revision = {
    revisionType: 'S3',
    s3Location: { bucket: ARTIFACT_BUCKET, key: 'todobackend/1.2.2.zip', bundleType: 'zip' },
  };
  return {
    app: 'todobackend',
    name: 'todobackend-fleet',
    id: '3f0c2b6e-1d4a-4e8b-9c7d-5a1f0e2d3c41',
    platform: 'Server',
    configName: 'CodeDeployDefault.OneAtATime',
    autoRollback: { enabled: true, events: ['DEPLOYMENT_FAILURE'] },
    style: { deploymentType: 'IN_PLACE', deploymentOption: 'WITHOUT_TRAFFIC_CONTROL' },
    waitsForReady: false,
    extra: { ec2TagFilters: [{ Key: 'Name', Value: 'todobackend', Type: 'KEY_AND_VALUE' }] },
    current: revision,
    target: revision,
  };
}

/** The ECS blue/green service, waiting in Ready until ContinueDeployment, without automatic rollback. */
function blueGreenGroup(taskDefinition: string): Group {
  const revision: Revision = {
    revisionType: 'AppSpecContent',
    appSpecContent: { content: ecsAppSpec(taskDefinition) },
  };
  return {
    app: 'todobackend-bg',
    name: 'todobackend-bluegreen',
    id: '8a4e1c2d-7b3f-4a6e-8d9c-0e1f2a3b4c52',
    platform: 'ECS',
    configName: 'CodeDeployDefault.ECSAllAtOnce',
    autoRollback: { enabled: false, events: [] },
    style: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
    waitsForReady: true,
    extra: {
      ecsServices: [{ serviceName: 'todobackend-bg', clusterName: 'todobackend-bg' }],
      blueGreenDeploymentConfiguration: {
        deploymentReadyOption: { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: 60 },
        terminateBlueInstancesOnDeploymentSuccess: {
          action: 'TERMINATE',
          terminationWaitTimeInMinutes: 0,
        },
      },
      loadBalancerInfo: {
        targetGroupPairInfoList: [
          {
            targetGroups: [{ name: 'todobackend-blue' }, { name: 'todobackend-green' }],
            prodTrafficRoute: { listenerArns: [listenerArn('prod', 443)] },
            testTrafficRoute: { listenerArns: [listenerArn('test', 8443)] },
          },
        ],
      },
    },
    current: revision,
    target: revision,
  };
}

/** The sandbox's two deployment groups; the blue/green one starts on `taskDefinition`. */
export function sandboxGroups(taskDefinition: string): Group[] {
  return [fleetGroup(), blueGreenGroup(taskDefinition)];
}
