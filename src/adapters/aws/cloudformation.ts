import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  type DescribeChangeSetCommandOutput,
  type StackEvent as SdkStackEvent,
  paginateDescribeStackEvents,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  type Capability,
  type Stack,
  StackStatus,
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
          throw new CapstanError('not_found', `CloudFormation stack ${stack} does not exist in ${region}.`, {
            cause: e,
          });
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
            }),
          ),
      );
      if (!out.Id) throw new Error(`CreateChangeSet on ${input.stack} returned no id`);
      return { arn: out.Id, stackId: out.StackId ?? input.stack };
    },

    async describeChangeSet(region, arn) {
      const op = { action: 'cloudformation:DescribeChangeSet', resource: `change set ${arn}`, region };
      const pages: DescribeChangeSetCommandOutput[] = [];
      let token: string | undefined;
      do {
        const page = await call(op, () =>
          client(region).send(new DescribeChangeSetCommand({ ChangeSetName: arn, NextToken: token })),
        );
        pages.push(page);
        token = page.NextToken;
      } while (token);
      const first = pages[0]!;
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
      const result: ChangeSetInfo = {
        arn: first.ChangeSetId ?? arn,
        name: first.ChangeSetName ?? '',
        stackId: first.StackId ?? '',
        status: first.Status ?? 'UNKNOWN',
        statusReason: first.StatusReason,
        executionStatus: first.ExecutionStatus ?? 'UNAVAILABLE',
        parameters: Object.fromEntries(
          (first.Parameters ?? []).map((p) => [
            p.ParameterKey ?? '',
            p.ResolvedValue ?? p.ParameterValue ?? '',
          ]),
        ),
        changes,
      };
      return result;
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
