import { DescribeTasksCommand, type ECSClient, ListTasksCommand, type Task } from '@aws-sdk/client-ecs';
import type { FairBudget } from '../../lib/fairBudget.js';
import type { ServiceLocation, StoppedTask } from '../../ports/ecs.js';
import { ms } from './ecsServices.js';
import { call } from './errors.js';

/**
 * The service's stopped tasks of one task definition (ListTasks, then DescribeTasks), within the
 * budget shared by every such read: none when the budget has no turn for this service now.
 */
export async function stoppedTasks(
  client: (region: string) => ECSClient,
  budget: FairBudget | undefined,
  loc: ServiceLocation,
  service: string,
  taskDefinitionArn: string,
  options: { readonly urgent?: boolean } | undefined,
): Promise<StoppedTask[]> {
  const key = `${loc.region}/${loc.cluster}/${service}`;
  if (budget && !budget.take(key, options?.urgent)) return [];
  const op = { action: 'ecs:ListTasks', resource: `tasks of ECS service ${service}`, region: loc.region };
  const list = await call(op, () =>
    client(loc.region).send(
      new ListTasksCommand({
        cluster: loc.cluster,
        serviceName: service,
        desiredStatus: 'STOPPED',
        maxResults: 100,
      }),
    ),
  );
  const arns = list.taskArns ?? [];
  if (arns.length === 0) return [];
  const out = await call({ ...op, action: 'ecs:DescribeTasks' }, () =>
    client(loc.region).send(new DescribeTasksCommand({ cluster: loc.cluster, tasks: arns.slice(0, 100) })),
  );
  return (out.tasks ?? []).filter((t) => t.taskDefinitionArn === taskDefinitionArn).map(toStoppedTask);
}

function toStoppedTask(t: Task): StoppedTask {
  return {
    arn: t.taskArn ?? '',
    taskDefinitionArn: t.taskDefinitionArn ?? '',
    stoppedReason: t.stoppedReason,
    stoppedAt: ms(t.stoppedAt),
    containers: (t.containers ?? []).map((c) => ({
      name: c.name ?? '',
      reason: c.reason,
      exitCode: c.exitCode,
    })),
  };
}
