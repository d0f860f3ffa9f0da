import { createBeanstalkAdapter } from '../adapters/aws/beanstalk.js';
import { createCloudFormationAdapter } from '../adapters/aws/cloudformation.js';
import { createCodeDeployAdapter } from '../adapters/aws/codedeploy.js';
import { createCodePipelineAdapter } from '../adapters/aws/codepipeline.js';
import { createEcrAdapter } from '../adapters/aws/ecr.js';
import { createEcsAdapter } from '../adapters/aws/ecs.js';
import { createAwsIdentity } from '../adapters/aws/identity.js';
import { createS3Adapter } from '../adapters/aws/s3.js';
import { createSnsAdapter } from '../adapters/aws/sns.js';

/** Every AWS port Capstan uses, each over its SDK client. */
export function createAwsPorts() {
  return {
    ecs: createEcsAdapter(),
    registry: createEcrAdapter(),
    stacks: createCloudFormationAdapter(),
    objects: createS3Adapter(),
    beanstalk: createBeanstalkAdapter(),
    codedeploy: createCodeDeployAdapter(),
    pipelines: createCodePipelineAdapter(),
    subscriptions: createSnsAdapter(),
    // An environment's roleArn is assumed for the person behind each call; the adapters' clients follow.
    identity: createAwsIdentity(),
  };
}

export type AwsPorts = ReturnType<typeof createAwsPorts>;
