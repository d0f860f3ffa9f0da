import { randomUUID } from 'node:crypto';
import { AwsError } from './errors.js';
import { ACCOUNT, REGION } from './ecs.js';

type Status = 'InProgress' | 'Succeeded' | 'Failed';

interface Execution {
  id: string;
  stage: number;
  status: Status;
  token?: string | undefined;
  approval?: { status: Status; summary?: string; by?: string } | undefined;
}

const STAGES = [
  { name: 'Source', action: 'Source', category: 'Source' },
  { name: 'Build', action: 'Build', category: 'Build' },
  { name: 'Approval', action: 'Approve', category: 'Approval' },
  { name: 'Deploy', action: 'Deploy', category: 'Deploy' },
] as const;

/**
 * A CodePipeline with a manual approval: it stops at the approval, publishes it to the topic,
 * and continues or stops when PutApprovalResult arrives. Stage changes are published the way
 * EventBridge delivers them through SNS.
 */
export class SimPipeline {
  readonly name = 'todobackend-pipeline';
  execution: Execution | undefined;
  readonly history: Execution[] = [];

  constructor(private readonly publish: (message: unknown, subject?: string) => Promise<unknown>) {}

  start(): string {
    const ex: Execution = { id: randomUUID(), stage: 0, status: 'InProgress' };
    if (this.execution?.status === 'InProgress') this.execution.status = 'Failed';
    this.execution = ex;
    this.history.push(ex);
    return ex.id;
  }

  private event(detailType: string, detail: Record<string, unknown>): void {
    void this.publish({
      version: '0',
      id: randomUUID(),
      'detail-type': detailType,
      source: 'aws.codepipeline',
      account: ACCOUNT,
      time: new Date().toISOString(),
      region: REGION,
      resources: [`arn:aws:codepipeline:${REGION}:${ACCOUNT}:${this.name}`],
      detail: { pipeline: this.name, 'execution-id': this.execution?.id, ...detail },
    });
  }

  tick(): void {
    const ex = this.execution;
    if (!ex || ex.status !== 'InProgress') return;
    const stage = STAGES[ex.stage]!;
    if (stage.category === 'Approval') {
      if (!ex.token) {
        ex.token = randomUUID();
        ex.approval = { status: 'InProgress' };
        const expires = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 16) + 'Z';
        void this.publish(
          {
            region: REGION,
            consoleLink: `https://console.aws.amazon.com/codesuite/codepipeline/pipelines/${this.name}/view?region=${REGION}`,
            approval: {
              pipelineName: this.name,
              stageName: stage.name,
              actionName: stage.action,
              token: ex.token,
              expires,
              externalEntityLink: `https://console.aws.amazon.com/cloudformation/home?region=${REGION}#/stacks`,
              approvalReviewLink: `https://console.aws.amazon.com/codesuite/codepipeline/pipelines/${this.name}/view?region=${REGION}#/${stage.name}/${stage.action}/approve/${ex.token}`,
              customData: 'Release todobackend to production: review the change set and the smoke tests.',
            },
          },
          `APPROVAL NEEDED: AWS CodePipeline ${this.name} for action ${stage.action}`,
        );
      }
      return;
    }
    this.event('CodePipeline Stage Execution State Change', { stage: stage.name, state: 'SUCCEEDED' });
    ex.stage += 1;
    if (ex.stage >= STAGES.length) {
      ex.status = 'Succeeded';
      this.event('CodePipeline Pipeline Execution State Change', { state: 'SUCCEEDED' });
    }
  }

  PutApprovalResult(input: {
    pipelineName: string;
    stageName: string;
    actionName: string;
    token: string;
    result: { status: 'Approved' | 'Rejected'; summary: string };
  }) {
    if (input.pipelineName !== this.name)
      throw new AwsError(
        'PipelineNotFoundException',
        `Account '${ACCOUNT}' does not have a pipeline with name '${input.pipelineName}'`,
      );
    const ex = this.execution;
    if (!ex || ex.token !== input.token || ex.approval?.status !== 'InProgress') {
      throw new AwsError(
        'InvalidApprovalTokenException',
        'The approval request already received a response or has expired.',
      );
    }
    if (input.result.summary.length > 512)
      throw new AwsError('ValidationException', 'summary must be at most 512 characters');
    if (input.result.status === 'Approved') {
      ex.approval = { status: 'Succeeded', summary: input.result.summary };
      this.event('CodePipeline Stage Execution State Change', { stage: 'Approval', state: 'SUCCEEDED' });
      ex.stage += 1;
    } else {
      ex.approval = { status: 'Failed', summary: input.result.summary };
      ex.status = 'Failed';
      this.event('CodePipeline Stage Execution State Change', { stage: 'Approval', state: 'FAILED' });
      this.event('CodePipeline Pipeline Execution State Change', { state: 'FAILED' });
    }
    return { approvedAt: Date.now() / 1000 };
  }

  GetPipelineState(input: { name: string }) {
    if (input.name !== this.name)
      throw new AwsError(
        'PipelineNotFoundException',
        `Account '${ACCOUNT}' does not have a pipeline with name '${input.name}'`,
      );
    const ex = this.execution;
    return {
      pipelineName: this.name,
      stageStates: STAGES.map((s, i) => ({
        stageName: s.name,
        actionStates: [
          {
            actionName: s.action,
            latestExecution:
              ex && i <= ex.stage
                ? s.category === 'Approval'
                  ? {
                      status: ex.approval?.status ?? 'InProgress',
                      token: ex.token,
                      summary: ex.approval?.summary,
                    }
                  : { status: i < ex.stage ? 'Succeeded' : ex.status }
                : undefined,
          },
        ],
      })),
    };
  }

  StartPipelineExecution(input: { name: string }) {
    if (input.name !== this.name)
      throw new AwsError(
        'PipelineNotFoundException',
        `Account '${ACCOUNT}' does not have a pipeline with name '${input.name}'`,
      );
    return { pipelineExecutionId: this.start() };
  }
}
