import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  type Change,
  type Parameter,
  type RollbackConfiguration,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { type Clock, systemClock } from '../../src/ports/clock.js';

const cfnStub = () => mockClient(CloudFormationClient);
const STACK = 'AWS::CloudFormation::Stack';
const STACK_ID =
  'arn:aws:cloudformation:us-east-1:123456789012:stack/todobackend-prod/4b9c1f30-0000-11ef-8000-0a1b2c3d4e5f';

export interface ResourceSpec {
  readonly action?: 'Add' | 'Modify' | 'Remove';
  readonly logicalId: string;
  readonly type: string;
  readonly replacement?: 'True' | 'False' | 'Conditional';
}

interface FakeChangeSet {
  arn: string;
  name: string;
  status: string;
  statusReason?: string;
  executionStatus: string;
  parameters: Parameter[];
  changes: Change[];
  describes: number;
}

/**
 * One CloudFormation stack faked at the SDK client's send(): change sets that take a describe or
 * two to compute, the "no changes" FAILED case, paging of Changes, execution that moves the stack
 * through events to UPDATE_COMPLETE, or to UPDATE_ROLLBACK_COMPLETE when a resource is set to fail.
 * Every event of an execution carries the ClientRequestToken given to ExecuteChangeSet; other
 * people's stack updates (updateByOthers), throttling and a deleted stack can be staged.
 */
export class FakeCfn {
  readonly cfn = cfnStub();
  readonly stackName = 'todobackend-prod';
  parameters: Record<string, string> = {
    ApplicationImageTag: '1.2.2',
    DesiredCount: '3',
    Environment: 'prod',
  };
  status = 'UPDATE_COMPLETE';
  /** What DescribeStacks answers as the stack's RollbackConfiguration (kept from its last update). */
  rollbackConfiguration: RollbackConfiguration | undefined;
  lastUpdated: Date;
  readonly changeSets = new Map<string, FakeChangeSet>();
  /** Resource changes the next change set lists. */
  resources: ResourceSpec[] = [
    { logicalId: 'TaskDefinition', type: 'AWS::ECS::TaskDefinition', replacement: 'True' },
    { logicalId: 'Service', type: 'AWS::ECS::Service', replacement: 'False' },
  ];
  /** When set, execution fails on this resource and the stack rolls back. */
  failing: { logicalId: string; type: string; reason: string } | undefined;
  events: StackEvent[] = [];
  private executing: { cs: FakeChangeSet; step: number; token: string | undefined } | undefined;
  private seq = 0;
  pageSize = 100;
  /** DescribeStackEvents answers this many events, newest first, and a NextToken for the rest. */
  eventPageSize = 100;
  /** When set, the next execution goes EXECUTE_FAILED with this reason before touching the stack. */
  executionFails: string | undefined;
  /** Every read (or only DescribeChangeSet) answers Throttling "Rate exceeded". */
  throttle: boolean | 'DescribeChangeSet' = false;
  /** The stack has been deleted: reads answer ValidationError "Stack with id … does not exist". */
  deleted = false;
  /** AWS's clock, for event timestamps: the one Capstan reads in the same test. */
  readonly now = () => this.clock.now();
  /** Set: a started execution goes no further (the stack stays UPDATE_IN_PROGRESS). */
  paused = false;
  /** Set: change sets stay CREATE_IN_PROGRESS, however often they are described. */
  computing = false;
  /** Called on every DescribeStacks before it answers (to script a timeline). */
  beforeDescribe: (() => void) | undefined;
  /** Called on ExecuteChangeSet before it changes anything: a throw changes nothing, a hang stops before AWS. */
  beforeExecute: (() => void | Promise<void>) | undefined;
  /** Called on ExecuteChangeSet after the execution started: a throw is a lost response, a hang a caller that never hears back. */
  afterExecute: (() => void | Promise<void>) | undefined;

  constructor(private readonly clock: Clock = systemClock) {
    this.lastUpdated = new Date(this.now() - 18 * 86_400_000);
    const { cfn } = this;
    cfn.on(DescribeStacksCommand).callsFake(() => {
      this.beforeDescribe?.();
      this.guard();
      this.step();
      return {
        Stacks: [
          {
            StackName: 'todobackend-prod',
            StackId: STACK_ID,
            StackStatus: this.status,
            CreationTime: new Date(this.now() - 340 * 86_400_000),
            LastUpdatedTime: this.lastUpdated,
            RollbackConfiguration: this.rollbackConfiguration,
            Parameters: Object.entries(this.parameters).map(([ParameterKey, ParameterValue]) => ({
              ParameterKey,
              ParameterValue,
            })),
          },
        ],
      };
    });
    cfn.on(DescribeStackEventsCommand).callsFake((input: { NextToken?: string }) => {
      this.guard();
      const start = input.NextToken ? Number(input.NextToken) : 0;
      const newestFirst = [...this.events].reverse();
      const end = start + this.eventPageSize;
      return {
        StackEvents: newestFirst.slice(start, end),
        NextToken: end < newestFirst.length ? String(end) : undefined,
      };
    });
    cfn.on(CreateChangeSetCommand).callsFake((input: { ChangeSetName: string; Parameters: Parameter[] }) => {
      const arn = `arn:aws:cloudformation:us-east-1:123456789012:changeSet/${input.ChangeSetName}/${++this.seq}`;
      this.changeSets.set(arn, {
        arn,
        name: input.ChangeSetName,
        status: 'CREATE_PENDING',
        executionStatus: 'UNAVAILABLE',
        parameters: input.Parameters,
        changes: [],
        describes: 0,
      });
      return { Id: arn, StackId: STACK_ID };
    });
    cfn.on(DescribeChangeSetCommand).callsFake((input: { ChangeSetName: string; NextToken?: string }) => {
      this.guard('DescribeChangeSet');
      const cs = this.changeSets.get(input.ChangeSetName);
      if (!cs)
        throw Object.assign(new Error(`ChangeSet [${input.ChangeSetName}] does not exist`), {
          name: 'ChangeSetNotFoundException',
          $metadata: {},
        });
      if (!input.NextToken) this.compute(cs);
      const start = input.NextToken ? Number(input.NextToken) : 0;
      const page = cs.changes.slice(start, start + this.pageSize);
      const next = start + this.pageSize < cs.changes.length ? String(start + this.pageSize) : undefined;
      return {
        ChangeSetId: cs.arn,
        ChangeSetName: cs.name,
        StackId: STACK_ID,
        StackName: 'todobackend-prod',
        Status: cs.status,
        StatusReason: cs.statusReason,
        ExecutionStatus: cs.executionStatus,
        Parameters: cs.parameters.map((p) => ({
          ParameterKey: p.ParameterKey,
          ParameterValue: p.UsePreviousValue ? this.parameters[p.ParameterKey ?? ''] : p.ParameterValue,
        })),
        Changes: page,
        NextToken: next,
      };
    });
    cfn
      .on(ExecuteChangeSetCommand)
      .callsFake(async (input: { ChangeSetName: string; ClientRequestToken?: string }) => {
        await this.beforeExecute?.();
        const cs = this.changeSets.get(input.ChangeSetName)!;
        if (cs.executionStatus !== 'AVAILABLE')
          throw Object.assign(new Error('ChangeSet is in an invalid state'), {
            name: 'InvalidChangeSetStatusException',
            $metadata: {},
          });
        cs.executionStatus = 'EXECUTE_IN_PROGRESS';
        this.executing = { cs, step: 0, token: input.ClientRequestToken };
        await this.afterExecute?.();
        return {};
      });
    cfn.on(DeleteChangeSetCommand).callsFake((input: { ChangeSetName: string }) => {
      this.changeSets.delete(input.ChangeSetName);
      return {};
    });
  }

  restore(): void {
    this.cfn.restore();
  }

  /** An event of the running execution (its token), for a resource that moves while it is paused. */
  executionEvent(logicalId: string, type: string, status: string): void {
    this.event(logicalId, type, status, undefined, this.executing?.token);
  }

  /** Lets the running execution end, as if Capstan had not looked in the meantime. */
  finishExecution(): void {
    while (this.executing) this.step();
  }

  /**
   * Somebody else's stack update, executed and complete (a console change set: its own token, or
   * none). Like any execution it deletes every change set of the stack, Capstan's included, and its
   * events come first in DescribeStackEvents: enough of them push Capstan's off the first page.
   */
  updateByOthers(
    options: {
      token?: string;
      events?: number;
      failing?: { logicalId: string; type: string; reason: string };
      /** An update that leaves the stack's change sets as they were (only LastUpdatedTime tells). */
      keepChangeSets?: boolean;
    } = {},
  ): void {
    if (this.executing) throw new Error('CloudFormation runs one stack operation at a time');
    const { token, failing } = options;
    const stackEvent = (status: string, reason?: string) =>
      this.event(this.stackName, STACK, status, reason, token);
    this.lastUpdated = new Date(this.now());
    stackEvent('UPDATE_IN_PROGRESS', 'User Initiated');
    for (let i = 0; i < (options.events ?? 2); i++) {
      const r = this.resources[i % this.resources.length]!;
      const status = i % 2 === 0 ? 'UPDATE_IN_PROGRESS' : 'UPDATE_COMPLETE';
      this.event(r.logicalId, r.type, status, undefined, token);
    }
    if (failing) {
      this.event(failing.logicalId, failing.type, 'UPDATE_FAILED', failing.reason, token);
      stackEvent(
        'UPDATE_ROLLBACK_IN_PROGRESS',
        `The following resource(s) failed to update: [${failing.logicalId}].`,
      );
      this.status = 'UPDATE_ROLLBACK_COMPLETE';
    } else {
      this.status = 'UPDATE_COMPLETE';
    }
    stackEvent(this.status);
    if (!options.keepChangeSets) this.changeSets.clear();
  }

  private guard(operation?: string): void {
    if (this.throttle === true || (operation !== undefined && this.throttle === operation))
      throw Object.assign(new Error('Rate exceeded'), {
        name: 'Throttling',
        $metadata: { httpStatusCode: 400 },
      });
    if (this.deleted)
      throw Object.assign(new Error(`Stack with id ${this.stackName} does not exist`), {
        name: 'ValidationError',
        $metadata: { httpStatusCode: 400 },
      });
  }

  private compute(cs: FakeChangeSet): void {
    cs.describes += 1;
    if (cs.status !== 'CREATE_PENDING' && cs.status !== 'CREATE_IN_PROGRESS') return;
    if (cs.describes === 1 || this.computing) {
      cs.status = 'CREATE_IN_PROGRESS';
      return;
    }
    const tag = cs.parameters.find((p) => p.ParameterKey === 'ApplicationImageTag')?.ParameterValue;
    if (tag === this.parameters.ApplicationImageTag) {
      cs.status = 'FAILED';
      cs.statusReason =
        "The submitted information didn't contain changes. Submit different information to create a change set.";
      return;
    }
    cs.status = 'CREATE_COMPLETE';
    cs.executionStatus = 'AVAILABLE';
    cs.changes = this.resources.map((r) => ({
      Type: 'Resource',
      ResourceChange: {
        Action: r.action ?? 'Modify',
        LogicalResourceId: r.logicalId,
        PhysicalResourceId: r.action === 'Add' ? undefined : `${r.logicalId}-phys`,
        ResourceType: r.type,
        Replacement: r.action === 'Modify' || r.action === undefined ? (r.replacement ?? 'False') : undefined,
        Scope: ['Properties'],
      },
    }));
  }

  private event(logicalId: string, type: string, status: string, reason?: string, token?: string): void {
    this.events.push({
      EventId: `e-${++this.seq}`,
      StackId: STACK_ID,
      StackName: 'todobackend-prod',
      LogicalResourceId: logicalId,
      ResourceType: type,
      ResourceStatus: status as StackEvent['ResourceStatus'],
      ResourceStatusReason: reason,
      ClientRequestToken: token,
      Timestamp: new Date(this.now()),
    });
  }

  private step(): void {
    const ex = this.executing;
    if (!ex || (this.paused && ex.step >= 1)) return;
    ex.step += 1;
    const { token } = ex;
    const stackEvent = (status: string, reason?: string) =>
      this.event(this.stackName, STACK, status, reason, token);
    if (ex.step === 1 && this.executionFails) {
      ex.cs.executionStatus = 'EXECUTE_FAILED';
      ex.cs.statusReason = this.executionFails;
      this.executing = undefined;
      return;
    }
    if (ex.step === 1) {
      this.status = 'UPDATE_IN_PROGRESS';
      this.lastUpdated = new Date(this.now());
      stackEvent('UPDATE_IN_PROGRESS', 'User Initiated');
      return;
    }
    if (ex.step === 2) {
      for (const r of this.resources) this.event(r.logicalId, r.type, 'UPDATE_IN_PROGRESS', undefined, token);
      return;
    }
    if (this.failing) {
      const f = this.failing;
      this.event(f.logicalId, f.type, 'UPDATE_FAILED', f.reason, token);
      stackEvent(
        'UPDATE_ROLLBACK_IN_PROGRESS',
        `The following resource(s) failed to update: [${f.logicalId}].`,
      );
      stackEvent('UPDATE_ROLLBACK_COMPLETE');
      this.status = 'UPDATE_ROLLBACK_COMPLETE';
      ex.cs.executionStatus = 'EXECUTE_FAILED';
    } else {
      for (const r of this.resources) this.event(r.logicalId, r.type, 'UPDATE_COMPLETE', undefined, token);
      stackEvent('UPDATE_COMPLETE');
      this.status = 'UPDATE_COMPLETE';
      ex.cs.executionStatus = 'EXECUTE_COMPLETE';
      for (const p of ex.cs.parameters)
        if (p.ParameterKey && p.ParameterValue !== undefined)
          this.parameters[p.ParameterKey] = p.ParameterValue;
    }
    this.executing = undefined;
    // Executing a change set deletes the stack's other change sets.
    for (const [arn, cs] of this.changeSets) if (cs !== ex.cs) this.changeSets.delete(arn);
  }
}
