import {
  CodePipelineClient,
  GetPipelineStateCommand,
  PutApprovalResultCommand,
} from '@aws-sdk/client-codepipeline';
import { CapstanError } from '../../domain/errors.js';
import type { Pipelines } from '../../ports/pipelines.js';
import { perRegion } from './clients.js';
import { call, toCapstanError } from './errors.js';

const DECIDED = new Set(['InvalidApprovalTokenException', 'ApprovalAlreadyCompletedException']);

export function createCodePipelineAdapter(
  client: (region: string) => CodePipelineClient = perRegion(
    (region, credentials) => new CodePipelineClient({ region, credentials }),
  ),
): Pipelines {
  return {
    async putApprovalResult(i) {
      const op = {
        action: 'codepipeline:PutApprovalResult',
        resource: `approval ${i.pipeline}/${i.stage}/${i.action}`,
        region: i.region,
      };
      try {
        await client(i.region).send(
          new PutApprovalResultCommand({
            pipelineName: i.pipeline,
            stageName: i.stage,
            actionName: i.action,
            token: i.token,
            result: { status: i.status, summary: i.summary },
          }),
        );
      } catch (e) {
        if (e instanceof Error && DECIDED.has(e.name)) {
          throw new CapstanError(
            'conflict',
            { kind: 'pipeline.approvalGone' },
            {
              cause: e,
            },
          );
        }
        throw toCapstanError(e, op);
      }
    },

    async approvalState(region, pipeline, stage, action) {
      const out = await call(
        { action: 'codepipeline:GetPipelineState', resource: `pipeline ${pipeline}`, region },
        () => client(region).send(new GetPipelineStateCommand({ name: pipeline })),
      );
      const a = out.stageStates
        ?.find((s) => s.stageName === stage)
        ?.actionStates?.find((x) => x.actionName === action);
      if (!a) return undefined;
      return { status: a.latestExecution?.status, token: a.latestExecution?.token };
    },
  };
}
