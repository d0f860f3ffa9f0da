/** The AppSpec CodeDeploy needs for an ECS blue/green deployment of one task definition revision. */
export function ecsAppSpec(taskDefinitionArn: string, containerName: string, containerPort: number): string {
  const resources = [
    {
      TargetService: {
        Type: 'AWS::ECS::Service',
        Properties: {
          TaskDefinition: taskDefinitionArn,
          LoadBalancerInfo: { ContainerName: containerName, ContainerPort: containerPort },
        },
      },
    },
  ];
  // Written out so the version reads 0.0, as in CodeDeploy's own examples (JSON.stringify gives 0).
  return `{"version":0.0,"Resources":${JSON.stringify(resources)}}`;
}

export function taskDefinitionInAppSpec(content: string | undefined): string | undefined {
  return content ? /"?TaskDefinition"?\s*:\s*"?([^"\s,}]+)/.exec(content)?.[1] : undefined;
}

/** `family:revision` of a task definition ARN. */
export const revisionName = (arn: string) => arn.split('/').pop() ?? arn;
