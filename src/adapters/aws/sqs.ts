import { DeleteMessageCommand, type Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Queue } from '../../ports/pipelines.js';
import { call } from './errors.js';

export function regionOfQueueUrl(url: string): string {
  return /sqs[.-]([a-z0-9-]+)\.amazonaws\.com/.exec(url)?.[1] ?? process.env.AWS_REGION ?? 'us-east-1';
}

export function createSqsAdapter(
  queueUrl: string,
  client = new SQSClient({ region: regionOfQueueUrl(queueUrl) }),
): Queue {
  const region = regionOfQueueUrl(queueUrl);
  return {
    async receive(waitSeconds, signal) {
      const out = await call(
        { action: 'sqs:ReceiveMessage', resource: `SQS queue ${queueUrl}`, region },
        () =>
          client.send(
            new ReceiveMessageCommand({
              QueueUrl: queueUrl,
              WaitTimeSeconds: waitSeconds,
              MaxNumberOfMessages: 10,
            }),
            { abortSignal: signal },
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
      await call({ action: 'sqs:DeleteMessage', resource: `SQS queue ${queueUrl}`, region }, () =>
        client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: receipt })),
      );
    },
  };
}
