import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import type { Queue } from '../../ports/pipelines.js';
import { call } from './errors.js';

export function regionOfQueueUrl(url: string): string {
  return /sqs[.-]([a-z0-9-]+)\.amazonaws\.com/.exec(url)?.[1] ?? process.env.AWS_REGION ?? 'us-east-1';
}

/** The SQS SDK, loaded when a queue is first read rather than at start-up. */
const sdk = () => import('./sqsCalls.js');

export function createSqsAdapter(queueUrl: string, given?: SQSClient): Queue {
  const region = regionOfQueueUrl(queueUrl);
  let made: Promise<SQSClient> | undefined;
  const sqs = () => (given ? Promise.resolve(given) : (made ??= sdk().then((m) => m.newSqsClient(region))));
  return {
    async receive(waitSeconds, signal) {
      const out = await call(
        { action: 'sqs:ReceiveMessage', resource: `SQS queue ${queueUrl}`, region },
        async () =>
          (await sdk()).receiveMessages(
            await sqs(),
            { QueueUrl: queueUrl, WaitTimeSeconds: waitSeconds, MaxNumberOfMessages: 10 },
            signal,
          ),
      );
      // Whatever the answer holds, only messages that can be deleted again come out of here.
      const messages: unknown = out?.Messages;
      if (!Array.isArray(messages)) return [];
      return messages.flatMap((m: Message | null | undefined) =>
        typeof m?.ReceiptHandle === 'string' && m.ReceiptHandle !== ''
          ? [
              {
                id: typeof m.MessageId === 'string' ? m.MessageId : '',
                body: typeof m.Body === 'string' ? m.Body : '',
                receipt: m.ReceiptHandle,
              },
            ]
          : [],
      );
    },
    async delete(receipt) {
      await call({ action: 'sqs:DeleteMessage', resource: `SQS queue ${queueUrl}`, region }, async () =>
        (await sdk()).deleteMessage(await sqs(), { QueueUrl: queueUrl, ReceiptHandle: receipt }),
      );
    },
  };
}
