import {
  type CloudFormationClient,
  DescribeStacksCommand,
  type DescribeStacksCommandOutput,
  type Stack,
  type StackEvent as SdkStackEvent,
  StackStatus,
  paginateDescribeStackEvents,
} from '@aws-sdk/client-cloudformation';
import { CapstanError } from '../../domain/errors.js';
import type { StackEvent, StackInfo } from '../../ports/stacks.js';
import { toCapstanError } from './errors.js';

const STACK_STATUSES = new Set<string>(Object.values(StackStatus));

/** A stack as it stands; one that does not exist is a `not_found` error. */
export async function describeStack(
  client: (region: string) => CloudFormationClient,
  region: string,
  stack: string,
): Promise<StackInfo> {
  const op = {
    action: 'cloudformation:DescribeStacks',
    resource: `CloudFormation stack ${stack}`,
    region,
  };
  let out;
  try {
    out = await client(region).send(new DescribeStacksCommand({ StackName: stack }));
  } catch (e) {
    if (e instanceof Error && /does not exist/.test(e.message)) {
      throw new CapstanError(
        'not_found',
        { kind: 'cloudformation.stackNotFound', stack, region },
        { cause: e },
      );
    }
    throw toCapstanError(e, op);
  }
  return stackInfo(out, region, stack);
}

/**
 * A stack that does not exist is a ValidationError (describeStack). An answer without the stack,
 * without its status or with a status the SDK does not know cannot be judged by: the look fails,
 * nothing is guessed.
 */
function stackInfo(out: DescribeStacksCommandOutput | undefined, region: string, stack: string): StackInfo {
  const s: unknown = Array.isArray(out?.Stacks) ? out.Stacks[0] : undefined;
  if (typeof s !== 'object' || s === null)
    throw new Error(`cloudformation:DescribeStacks answered nothing about ${stack} in ${region}`);
  const found = s as Stack;
  if (typeof found.StackStatus !== 'string' || !STACK_STATUSES.has(found.StackStatus))
    throw new Error(
      `cloudformation:DescribeStacks answered status ${JSON.stringify(found.StackStatus)} for ${stack}, which Capstan cannot judge a rollout by`,
    );
  const at = [found.LastUpdatedTime, found.CreationTime].find((d) => d instanceof Date) ?? new Date(0);
  return {
    stackId: found.StackId ?? stack,
    name: found.StackName ?? stack,
    status: found.StackStatus,
    statusReason: found.StackStatusReason,
    parameters: Object.fromEntries(
      (Array.isArray(found.Parameters) ? found.Parameters : []).map((p) => [
        p.ParameterKey ?? '',
        p.ResolvedValue ?? p.ParameterValue ?? '',
      ]),
    ),
    updatedAt: at.toISOString(),
    rollbackTriggers: rollbackTriggersOf(found),
  };
}

/** The stack's RollbackConfiguration, read defensively: the alarms' ARNs and the monitoring time, if any alarm. */
function rollbackTriggersOf(found: Stack): StackInfo['rollbackTriggers'] {
  const c = found.RollbackConfiguration;
  const alarms = (Array.isArray(c?.RollbackTriggers) ? c.RollbackTriggers : [])
    .map((t) => t.Arn)
    .filter((arn): arn is string => typeof arn === 'string' && arn !== '')
    .map((arn) => ({ arn }));
  if (alarms.length === 0) return undefined;
  const minutes = c?.MonitoringTimeInMinutes;
  return { alarms, monitoringMinutes: typeof minutes === 'number' && minutes >= 0 ? minutes : 0 };
}

/** A stack's events, newest first: `limit` at most, and no page further than the first before `since`. */
export async function stackEvents(
  client: (region: string) => CloudFormationClient,
  region: string,
  stack: string,
  limit: number,
  since: number | undefined,
): Promise<StackEvent[]> {
  const raw: StackEvent[] = [];
  const op = {
    action: 'cloudformation:DescribeStackEvents',
    resource: `CloudFormation stack ${stack}`,
    region,
  };
  try {
    for await (const page of paginateDescribeStackEvents({ client: client(region) }, { StackName: stack })) {
      raw.push(...(page.StackEvents ?? []).map(toStackEvent));
      const oldest = raw.at(-1)?.at ?? 0;
      if (raw.length >= limit || since === undefined || oldest < since) break;
    }
  } catch (e) {
    throw toCapstanError(e, op);
  }
  return raw.slice(0, limit);
}

function toStackEvent(e: SdkStackEvent): StackEvent {
  return {
    id: e.EventId ?? '',
    at: e.Timestamp?.getTime() ?? 0,
    logicalId: e.LogicalResourceId ?? '',
    resourceType: e.ResourceType ?? '',
    status: e.ResourceStatus ?? '',
    reason: e.ResourceStatusReason,
    clientRequestToken: e.ClientRequestToken,
  };
}
