import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalMessage, notification } from '../support/snsSigning.js';
import {
  APPROVALS_QUEUE,
  EVENTS_QUEUE,
  FUZZ,
  type FuzzWorld,
  expectStillServing,
  mutatedText,
  startFuzzWorld,
} from './support.js';

let w: FuzzWorld;
beforeAll(async () => {
  w = await startFuzzWorld();
});
afterAll(async () => {
  await w.stop();
});

const ECS_DEPLOYMENT = {
  version: '0',
  id: 'ev-fuzz',
  'detail-type': 'ECS Deployment State Change',
  source: 'aws.ecs',
  account: '123456789012',
  time: '2026-11-20T10:00:00Z',
  region: 'us-east-1',
  resources: ['arn:aws:ecs:us-east-1:123456789012:service/todo-dev/todobackend-dev'],
  detail: {
    eventType: 'INFO',
    eventName: 'SERVICE_DEPLOYMENT_COMPLETED',
    deploymentId: 'ecs-svc/1234567890123456789',
    updatedAt: '2026-11-20T10:00:00Z',
  },
};
const ECS_TASK = {
  ...ECS_DEPLOYMENT,
  'detail-type': 'ECS Task State Change',
  resources: ['arn:aws:ecs:us-east-1:123456789012:task/todo-dev/0123456789abcdef'],
  detail: {
    clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/todo-dev',
    group: 'service:todobackend-dev',
    lastStatus: 'STOPPED',
    stoppedReason: 'Essential container in task exited',
  },
};
const STACK = {
  ...ECS_DEPLOYMENT,
  'detail-type': 'CloudFormation Stack Status Change',
  source: 'aws.cloudformation',
  resources: ['arn:aws:cloudformation:us-east-1:123456789012:stack/todobackend-prod/4b9c1f30'],
  detail: {
    'stack-id': 'arn:aws:cloudformation:us-east-1:123456789012:stack/todobackend-prod/4b9c1f30',
    'status-details': { status: 'UPDATE_COMPLETE' },
  },
};
const CODEDEPLOY = {
  ...ECS_DEPLOYMENT,
  'detail-type': 'CodeDeploy Deployment State-change Notification',
  source: 'aws.codedeploy',
  detail: { application: 'todo', deploymentGroup: 'prod', deploymentId: 'd-ABCDEF123', state: 'SUCCESS' },
};

/** Up to nine messages, then a sentinel: handled in one batch, so once the sentinel is gone, all were handled. */
async function deliver(queue: string, bodies: readonly string[], sentinel: string) {
  const receipts = w.sqs.push(queue, [...bodies, sentinel]);
  await w.h.slack.waitFor(() => w.sqs.deleted.has(receipts.at(-1)!));
  // A message that can never be handled is deleted too: SQS would otherwise hand it back for ever.
  expect(receipts.filter((r) => !w.sqs.deleted.has(r))).toEqual([]);
}

describe('fuzzing what arrives on the queues', () => {
  it('the approvals queue: SNS envelopes signed or forged, and raw messages', async () => {
    const signed = fc
      .oneof(
        mutatedText(approvalMessage()),
        mutatedText({ detail: { pipeline: 'todobackend-pipeline', state: 'FAILED' } }),
      )
      .map((message) => JSON.stringify(w.signer.sign(notification(message))));
    const forged = mutatedText(notification(approvalMessage()));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(signed, forged), { minLength: 1, maxLength: 4 }), async (bodies) => {
        await deliver(APPROVALS_QUEUE, bodies, '{"sentinel":true}');
        await expectStillServing(w);
      }),
      { ...FUZZ, numRuns: 20 },
    );
  });

  it('the AWS events queue: EventBridge events of every target, bare or wrapped in SNS', async () => {
    const event = fc.oneof(
      mutatedText(ECS_DEPLOYMENT),
      mutatedText(ECS_TASK),
      mutatedText(STACK),
      mutatedText(CODEDEPLOY),
    );
    const wrapped = event.map((message) => JSON.stringify({ Type: 'Notification', Message: message }));
    const sentinel = JSON.stringify({
      ...ECS_TASK,
      id: 'ev-sentinel',
      detail: { ...ECS_TASK.detail, group: 'service:nobody' },
    });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(event, wrapped), { minLength: 1, maxLength: 6 }), async (bodies) => {
        await deliver(EVENTS_QUEUE, bodies, sentinel);
        await expectStillServing(w);
      }),
      { ...FUZZ, numRuns: 20 },
    );
  });

  it('what the queue itself answers oddly: messages without a body, a receipt or an id', async () => {
    const before = w.sqs.deleted.size;
    w.sqs.pushRaw(EVENTS_QUEUE, [{}, { Body: 'x' }, { ReceiptHandle: 'rh-no-body' }, null as never]);
    w.sqs.pushRaw(APPROVALS_QUEUE, [{ ReceiptHandle: 'rh-no-id', Body: '{}' }, { MessageId: 7 as never }]);
    await w.h.slack.waitFor(() => w.sqs.deleted.has('rh-no-body') && w.sqs.deleted.has('rh-no-id'));
    expect(w.sqs.deleted.size).toBe(before + 2);
    await expectStillServing(w);
  });
});
