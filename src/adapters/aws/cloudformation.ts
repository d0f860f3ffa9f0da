import {
  ChangeSetStatus,
  CloudFormationClient,
  CreateChangeSetCommand,
  type CreateChangeSetCommandInput,
  DeleteChangeSetCommand,
  type DescribeChangeSetCommandOutput,
  paginateDescribeChangeSet,
  ExecuteChangeSetCommand,
  type Capability,
  waitUntilChangeSetCreateComplete,
} from '@aws-sdk/client-cloudformation';
import type {
  ChangeSetInfo,
  ChangeSetWait,
  CreateChangeSetInput,
  ResourceChange,
  Stacks,
} from '../../ports/stacks.js';
import { perRegion } from './clients.js';
import { describeStack, stackEvents } from './cloudformationStacks.js';
import { call } from './errors.js';

type Client = (region: string) => CloudFormationClient;

export function createCloudFormationAdapter(
  client: Client = perRegion((region, credentials) => new CloudFormationClient({ region, credentials })),
): Stacks {
  const describeChangeSet = (region: string, arn: string) => describeChangeSetOf(client, region, arn);

  return {
    describeStack: (region, stack) => describeStack(client, region, stack),
    events: (region, stack, limit, since) => stackEvents(client, region, stack, limit, since),

    async createChangeSet(input) {
      const out = await call(
        {
          action: 'cloudformation:CreateChangeSet',
          resource: `CloudFormation stack ${input.stack}`,
          region: input.region,
        },
        () => client(input.region).send(new CreateChangeSetCommand(changeSetRequest(input))),
      );
      if (!out.Id) throw new Error(`CreateChangeSet on ${input.stack} returned no id`);
      return { arn: out.Id, stackId: out.StackId ?? input.stack };
    },

    describeChangeSet,

    waitForChangeSet: (region, arn, wait) => waitForChangeSet(client, region, arn, wait),

    async executeChangeSet(region, arn, clientToken) {
      await call({ action: 'cloudformation:ExecuteChangeSet', resource: `change set ${arn}`, region }, () =>
        client(region).send(
          new ExecuteChangeSetCommand({ ChangeSetName: arn, ClientRequestToken: clientToken }),
        ),
      );
    },

    async deleteChangeSet(region, arn) {
      await call({ action: 'cloudformation:DeleteChangeSet', resource: `change set ${arn}`, region }, () =>
        client(region).send(new DeleteChangeSetCommand({ ChangeSetName: arn })),
      );
    },
  };
}

/** A change set with all its changes (every page). */
async function describeChangeSetOf(client: Client, region: string, arn: string): Promise<ChangeSetInfo> {
  const op = { action: 'cloudformation:DescribeChangeSet', resource: `change set ${arn}`, region };
  const pages = await call(op, async () => {
    const all: DescribeChangeSetCommandOutput[] = [];
    for await (const page of paginateDescribeChangeSet({ client: client(region) }, { ChangeSetName: arn }))
      all.push(page);
    return all;
  });
  return changeSetInfo(arn, pages);
}

/** Waits while CloudFormation computes the change set, then reads it as it is. */
async function waitForChangeSet(
  client: Client,
  region: string,
  arn: string,
  { pollMs, timeoutMs, signal }: ChangeSetWait,
): Promise<ChangeSetInfo> {
  // The first look is Capstan's own, so that a denied or missing change set is said at once: the
  // SDK's waiter retries on every error but ValidationError.
  const first = await describeChangeSetOf(client, region, arn);
  if (!COMPUTING.has(first.status) || signal?.aborted) return first;
  // The waiter's delays and limit are in seconds; each is kept where the waiter accepts it.
  const delay = Math.max(pollMs, 1) / 1000;
  await waitUntilChangeSetCreateComplete(
    {
      client: client(region),
      minDelay: delay,
      maxDelay: delay,
      maxWaitTime: Math.max(timeoutMs / 1000, 2 * delay),
      abortSignal: signal,
    },
    { ChangeSetName: arn },
    // Computed, FAILED, out of time or aborted: the change set as it is now says which.
  ).catch(() => undefined);
  return describeChangeSetOf(client, region, arn);
}

/** The change set Capstan asks for: the previous template with one parameter changed. */
function changeSetRequest(input: CreateChangeSetInput): CreateChangeSetCommandInput {
  return {
    StackName: input.stack,
    ChangeSetName: input.name,
    // The name is unique per request: the SDK's retry of a lost answer is the same request.
    ClientToken: input.name,
    ChangeSetType: 'UPDATE',
    UsePreviousTemplate: true,
    Parameters: [
      { ParameterKey: input.parameter.key, ParameterValue: input.parameter.value },
      ...input.keep.map((k) => ({ ParameterKey: k, UsePreviousValue: true })),
    ],
    Capabilities: input.capabilities as Capability[],
    ...(input.roleArn ? { RoleARN: input.roleArn } : {}),
    Description: input.description.slice(0, 1024),
    ...(input.rollbackTriggers && {
      RollbackConfiguration: {
        RollbackTriggers: input.rollbackTriggers.alarms.map((a) => ({
          Arn: a.arn,
          Type: a.composite ? 'AWS::CloudWatch::CompositeAlarm' : 'AWS::CloudWatch::Alarm',
        })),
        MonitoringTimeInMinutes: input.rollbackTriggers.monitoringMinutes,
      },
    }),
  };
}

/** Transient states while CloudFormation computes a change set. */
const COMPUTING = new Set<string>([ChangeSetStatus.CREATE_PENDING, ChangeSetStatus.CREATE_IN_PROGRESS]);

function changeSetInfo(arn: string, pages: readonly DescribeChangeSetCommandOutput[]): ChangeSetInfo {
  const first = pages[0];
  const changes: ResourceChange[] = pages.flatMap((p) =>
    (p.Changes ?? []).flatMap((c) => {
      const r = c.ResourceChange;
      if (!r) return [];
      return [
        {
          action: r.Action ?? '',
          logicalId: r.LogicalResourceId ?? '',
          physicalId: r.PhysicalResourceId,
          resourceType: r.ResourceType ?? '',
          replacement: r.Replacement,
          scope: r.Scope ?? [],
        },
      ];
    }),
  );
  return {
    arn: first?.ChangeSetId ?? arn,
    name: first?.ChangeSetName ?? '',
    stackId: first?.StackId ?? '',
    status: first?.Status ?? 'UNKNOWN',
    statusReason: first?.StatusReason,
    executionStatus: first?.ExecutionStatus ?? 'UNAVAILABLE',
    parameters: Object.fromEntries(
      (first?.Parameters ?? []).map((p) => [p.ParameterKey ?? '', p.ResolvedValue ?? p.ParameterValue ?? '']),
    ),
    changes,
  };
}
