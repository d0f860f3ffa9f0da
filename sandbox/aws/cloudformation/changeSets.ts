import { AwsError } from '../errors.js';
import type { ChangeSet, Resource } from './model.js';

/** Change sets of the one stack: how their parameters are read, how they are created, what they list. */

type Parameters = Record<string, string>;
type ParameterInput = { ParameterKey: string; ParameterValue?: string; UsePreviousValue?: string }[];

/** The parameters a change set would apply, from the stack's and those given. */
export function changeSetParameters(current: Parameters, given: ParameterInput | undefined): Parameters {
  const parameters = { ...current };
  for (const p of given ?? []) {
    if (!(p.ParameterKey in current))
      throw new AwsError('ValidationError', `Parameters: [${p.ParameterKey}] do not exist in the template`);
    if (p.UsePreviousValue !== 'true' && p.ParameterValue !== undefined)
      parameters[p.ParameterKey] = p.ParameterValue;
  }
  // A parameter left out falls back to its template default: that is what UsePreviousValue prevents.
  for (const k of Object.keys(current))
    if (!(given ?? []).some((p) => p.ParameterKey === k))
      parameters[k] = k === 'ApplicationDesiredCount' ? '1' : '';
  return parameters;
}

/** One tick of a change set being created: in progress, then complete, or failed when it changes nothing. */
export function stepChangeSet(cs: ChangeSet, current: Parameters): void {
  if (cs.status !== 'CREATE_PENDING' && cs.status !== 'CREATE_IN_PROGRESS') return;
  cs.ticks += 1;
  if (cs.ticks === 1) {
    cs.status = 'CREATE_IN_PROGRESS';
    return;
  }
  const same = Object.entries(cs.parameters).every(([k, v]) => current[k] === v);
  if (same) {
    cs.status = 'FAILED';
    cs.statusReason =
      "The submitted information didn't contain changes. Submit different information to create a change set.";
  } else {
    cs.status = 'CREATE_COMPLETE';
    cs.executionStatus = 'AVAILABLE';
  }
}

/** Each resource that references a changed parameter, as DescribeChangeSet lists it. */
function changesOf(cs: ChangeSet, current: Parameters, resources: readonly Resource[]) {
  const changed = Object.keys(cs.parameters).filter((k) => cs.parameters[k] !== current[k]);
  if (cs.status !== 'CREATE_COMPLETE' || changed.length === 0) return [];
  return resources.map((r) => ({
    Type: 'Resource',
    ResourceChange: {
      Action: 'Modify',
      LogicalResourceId: r.logicalId,
      PhysicalResourceId: `${r.logicalId}-sandbox`,
      ResourceType: r.type,
      Replacement: r.replacement,
      Scope: ['Properties'],
      Details: [
        {
          Target: {
            Attribute: 'Properties',
            Name: r.type.endsWith('TaskDefinition') ? 'ContainerDefinitions' : 'TaskDefinition',
            RequiresRecreation: r.replacement === 'True' ? 'Always' : 'Never',
          },
          Evaluation: 'Static',
          ChangeSource: 'ParameterReference',
          CausingEntity: changed[0],
        },
      ],
    },
  }));
}

export function describeChangeSet(
  cs: ChangeSet,
  stack: {
    readonly stackId: string;
    readonly stackName: string;
    readonly parameters: Parameters;
    readonly resources: readonly Resource[];
  },
) {
  return {
    ChangeSetName: cs.name,
    ChangeSetId: cs.arn,
    StackId: stack.stackId,
    StackName: stack.stackName,
    Parameters: Object.entries(cs.parameters).map(([ParameterKey, ParameterValue]) => ({
      ParameterKey,
      ParameterValue,
    })),
    CreationTime: cs.createdAt,
    ExecutionStatus: cs.executionStatus,
    Status: cs.status,
    StatusReason: cs.statusReason,
    Capabilities: ['CAPABILITY_IAM'],
    Changes: changesOf(cs, stack.parameters, stack.resources),
  };
}
