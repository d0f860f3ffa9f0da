import { changeSetParameters, describeChangeSet, stepChangeSet } from './cloudformation/changeSets.js';
import type { ChangeSet, Resource, StackEvent } from './cloudformation/model.js';
import { ACCOUNT, REGION } from './ecs.js';
import { AwsError } from './errors.js';

/** A change set being executed: its step, the resource that fails (if one does), its token. */
interface Execution {
  cs: ChangeSet;
  step: number;
  fail?: string | undefined;
  token?: string | undefined;
}

/**
 * One CloudFormation stack whose image parameter feeds a task definition and a service. Change
 * sets list the resources that reference the parameter; executing walks through stack events, and
 * a broken image (or a resource set to fail) ends in UPDATE_ROLLBACK_COMPLETE.
 */
export class SimCloudFormation {
  readonly stackName = 'todobackend-prod';
  readonly stackId = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/todobackend-prod/6f1c0a20-8d1e-11ef-a1b2-0e5d4c3b2a19`;
  parameters: Record<string, string> = {
    ApplicationImageTag: '1.2.1',
    ApplicationDesiredCount: '2',
    Environment: 'prod',
  };
  status = 'UPDATE_COMPLETE';
  lastUpdated = new Date(Date.now() - 3 * 86_400_000);
  readonly resources: Resource[] = [
    { logicalId: 'ApplicationTaskDefinition', type: 'AWS::ECS::TaskDefinition', replacement: 'True' },
    { logicalId: 'ApplicationService', type: 'AWS::ECS::Service', replacement: 'False' },
  ];
  readonly changeSets = new Map<string, ChangeSet>();
  readonly events: StackEvent[] = [];
  /** Set to a logical id to make the next execution fail on it. */
  failingResource: string | undefined;
  private execution: Execution | undefined;
  private seq = 0;

  constructor(private readonly isBroken: (tag: string) => boolean) {}

  private event(logicalId: string, type: string, status: string, reason?: string): void {
    this.seq += 1;
    // Every event of a stack operation carries that operation's token.
    const token = this.execution?.token;
    this.events.push({
      EventId: `${logicalId}-${status}-${this.seq}`,
      StackId: this.stackId,
      StackName: this.stackName,
      LogicalResourceId: logicalId,
      PhysicalResourceId: logicalId === this.stackName ? this.stackId : `${logicalId}-sandbox`,
      ResourceType: type,
      ResourceStatus: status,
      ResourceStatusReason: reason,
      ClientRequestToken: token,
      Timestamp: new Date(),
    });
  }

  private requireStack(name: unknown): void {
    if (name !== this.stackName && name !== this.stackId)
      throw new AwsError('ValidationError', `Stack with id ${String(name)} does not exist`);
  }

  private changeSet(ref: unknown): ChangeSet {
    const cs = this.changeSets.get(String(ref)) ?? [...this.changeSets.values()].find((c) => c.name === ref);
    if (!cs) throw new AwsError('ChangeSetNotFound', `ChangeSet [${String(ref)}] does not exist`, 404);
    return cs;
  }

  tick(): void {
    for (const cs of this.changeSets.values()) stepChangeSet(cs, this.parameters);
    const ex = this.execution;
    if (!ex) return;
    ex.step += 1;
    const [td, svc] = this.resources;
    switch (ex.step) {
      case 1:
        this.status = 'UPDATE_IN_PROGRESS';
        this.lastUpdated = new Date();
        this.event(this.stackName, 'AWS::CloudFormation::Stack', 'UPDATE_IN_PROGRESS', 'User Initiated');
        this.event(
          td!.logicalId,
          td!.type,
          'UPDATE_IN_PROGRESS',
          'Requested update requires the creation of a new physical resource; hence creating one.',
        );
        return;
      case 2:
        this.event(td!.logicalId, td!.type, 'UPDATE_COMPLETE');
        this.event(svc!.logicalId, svc!.type, 'UPDATE_IN_PROGRESS');
        return;
      case 3:
        return this.resourcesUpdated(ex, svc!);
      default:
        this.stackUpdated(ex);
    }
  }

  /** The service updates, or fails on the resource set to fail, and the stack starts rolling back. */
  private resourcesUpdated(ex: Execution, svc: Resource): void {
    if (ex.fail) {
      this.event(
        ex.fail,
        this.resources.find((r) => r.logicalId === ex.fail)?.type ?? 'AWS::ECS::Service',
        'UPDATE_FAILED',
        'Resource handler returned message: "Error occurred during operation \'ECS Deployment Circuit Breaker was triggered\'." (RequestToken: 8a2f, HandlerErrorCode: GeneralServiceException)',
      );
      this.status = 'UPDATE_ROLLBACK_IN_PROGRESS';
      this.event(
        this.stackName,
        'AWS::CloudFormation::Stack',
        'UPDATE_ROLLBACK_IN_PROGRESS',
        `The following resource(s) failed to update: [${ex.fail}].`,
      );
    } else {
      this.event(svc.logicalId, svc.type, 'UPDATE_COMPLETE');
      this.status = 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS';
      this.event(this.stackName, 'AWS::CloudFormation::Stack', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
    }
  }

  /** The stack's update ends: complete with the change set's parameters, or rolled back. */
  private stackUpdated(ex: Execution): void {
    if (ex.fail) {
      this.status = 'UPDATE_ROLLBACK_COMPLETE';
      this.event(this.stackName, 'AWS::CloudFormation::Stack', 'UPDATE_ROLLBACK_COMPLETE');
      ex.cs.executionStatus = 'EXECUTE_FAILED';
    } else {
      this.status = 'UPDATE_COMPLETE';
      this.parameters = { ...this.parameters, ...ex.cs.parameters };
      this.event(this.stackName, 'AWS::CloudFormation::Stack', 'UPDATE_COMPLETE');
      ex.cs.executionStatus = 'EXECUTE_COMPLETE';
    }
    this.execution = undefined;
  }

  DescribeStacks(input: { StackName?: string }) {
    if (input.StackName !== undefined) this.requireStack(input.StackName);
    return {
      Stacks: [
        {
          StackId: this.stackId,
          StackName: this.stackName,
          Description: 'todobackend production',
          Parameters: Object.entries(this.parameters).map(([ParameterKey, ParameterValue]) => ({
            ParameterKey,
            ParameterValue,
          })),
          CreationTime: new Date('2026-01-05T10:00:00Z'),
          LastUpdatedTime: this.lastUpdated,
          StackStatus: this.status,
          Capabilities: ['CAPABILITY_IAM'],
        },
      ],
    };
  }

  DescribeStackEvents(input: { StackName?: string }) {
    this.requireStack(input.StackName);
    return { StackEvents: [...this.events].reverse().slice(0, 100) };
  }

  CreateChangeSet(input: {
    StackName: string;
    ChangeSetName: string;
    UsePreviousTemplate?: string;
    Parameters?: { ParameterKey: string; ParameterValue?: string; UsePreviousValue?: string }[];
  }) {
    this.requireStack(input.StackName);
    if (!/^[a-zA-Z][-a-zA-Z0-9]{0,127}$/.test(input.ChangeSetName))
      throw new AwsError(
        'ValidationError',
        `1 validation error detected: Value '${input.ChangeSetName}' at 'changeSetName' failed to satisfy constraint`,
      );
    if ([...this.changeSets.values()].some((c) => c.name === input.ChangeSetName))
      throw new AwsError('AlreadyExistsException', `ChangeSet ${input.ChangeSetName} already exists`);
    const parameters = changeSetParameters(this.parameters, input.Parameters);
    const arn = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:changeSet/${input.ChangeSetName}/${crypto.randomUUID()}`;
    this.changeSets.set(arn, {
      arn,
      name: input.ChangeSetName,
      status: 'CREATE_PENDING',
      executionStatus: 'UNAVAILABLE',
      parameters,
      ticks: 0,
      createdAt: new Date(),
    });
    return { Id: arn, StackId: this.stackId };
  }

  DescribeChangeSet(input: { ChangeSetName: string; NextToken?: string }) {
    return describeChangeSet(this.changeSet(input.ChangeSetName), this);
  }

  ExecuteChangeSet(input: { ChangeSetName: string; ClientRequestToken?: string }) {
    const cs = this.changeSet(input.ChangeSetName);
    if (cs.executionStatus !== 'AVAILABLE' || this.execution) {
      throw new AwsError(
        'InvalidChangeSetStatus',
        `ChangeSet [${cs.arn}] cannot be executed in its current execution status of [${cs.executionStatus}]`,
      );
    }
    cs.executionStatus = 'EXECUTE_IN_PROGRESS';
    const tag = cs.parameters.ApplicationImageTag ?? '';
    this.execution = {
      cs,
      step: 0,
      fail: this.failingResource ?? (this.isBroken(tag) ? 'ApplicationService' : undefined),
      token: input.ClientRequestToken,
    };
    // Executing a change set makes the stack's other change sets obsolete.
    for (const other of this.changeSets.values())
      if (other !== cs && other.executionStatus === 'AVAILABLE') other.executionStatus = 'OBSOLETE';
    return {};
  }

  DeleteChangeSet(input: { ChangeSetName: string }) {
    const cs = this.changeSet(input.ChangeSetName);
    if (cs.executionStatus === 'EXECUTE_IN_PROGRESS')
      throw new AwsError('InvalidChangeSetStatus', 'Cannot delete a change set that is executing');
    this.changeSets.delete(cs.arn);
    return {};
  }
}
