import {
  ChangeSetStatus,
  CloudFormationClient,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  type DescribeChangeSetCommandOutput,
  type StackEvent as SdkStackEvent,
  paginateDescribeChangeSet,
  paginateDescribeStackEvents,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  type Capability,
  type Stack,
  StackStatus,
  waitUntilChangeSetCreateComplete,
} from '@aws-sdk/client-cloudformation';
import { CapstanError } from '../../domain/errors.js';
import type { ChangeSetInfo, ResourceChange, StackEvent, Stacks } from '../../ports/stacks.js';
import { perRegion } from './clients.js';
import { call, toCapstanError } from './errors.js';

const STACK_STATUSES = new Set<string>(Object.values(StackStatus));

export function createCloudFormationAdapter(
  client: (region: string) => CloudFormationClient = perRegion(
    (region, credentials) => new CloudFormationClient({ region, credentials }),
  ),
): Stacks {
  async function describeChangeSet(region: string, arn: string): Promise<ChangeSetInfo> {
    const op = { action: 'cloudformation:DescribeChangeSet', resource: `change set ${arn}`, region };
    const pages = await call(op, async () => {
      const all: DescribeChangeSetCommandOutput[] = [];
      for await (const page of paginateDescribeChangeSet({ client: client(region) }, { ChangeSetName: arn }))
        all.push(page);
      return all;
    });
    return changeSetInfo(arn, pages);
  }

  return {
    async describeStack(region, stack) {
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
      // A stack that does not exist is a ValidationError (above). An answer without the stack, without its
      // status or with a status the SDK does not know cannot be judged by: the look fails, nothing is guessed.
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
      };
    },

    async events(region, stack, limit, since) {
      const raw: StackEvent[] = [];
      const op = {
        action: 'cloudformation:DescribeStackEvents',
        resource: `CloudFormation stack ${stack}`,
        region,
      };
      try {
        for await (const page of paginateDescribeStackEvents(
          { client: client(region) },
          { StackName: stack },
        )) {
          raw.push(...(page.StackEvents ?? []).map(toStackEvent));
          const oldest = raw.at(-1)?.at ?? 0;
          if (raw.length >= limit || since === undefined || oldest < since) break;
        }
      } catch (e) {
        throw toCapstanError(e, op);
      }
      return raw.slice(0, limit);
    },

    async createChangeSet(input) {
      const out = await call(
        {
          action: 'cloudformation:CreateChangeSet',
          resource: `CloudFormation stack ${input.stack}`,
          region: input.region,
        },
        () =>
          client(input.region).send(
            new CreateChangeSetCommand({
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
            }),
          ),
      );
      if (!out.Id) throw new Error(`CreateChangeSet on ${input.stack} returned no id`);
      return { arn: out.Id, stackId: out.StackId ?? input.stack };
    },

    describeChangeSet,

    async waitForChangeSet(region, arn, { pollMs, timeoutMs, signal }) {
      // The first look is Capstan's own, so that a denied or missing change set is said at once: the
      // SDK's waiter retries on every error but ValidationError.
      const first = await describeChangeSet(region, arn);
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
      return describeChangeSet(region, arn);
    },

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
