import {
  DeleteMessageCommand,
  type DeleteMessageCommandInput,
  ReceiveMessageCommand,
  type ReceiveMessageCommandInput,
  type ReceiveMessageCommandOutput,
  SQSClient,
} from '@aws-sdk/client-sqs';

// The SQS SDK calls of sqs.ts, apart so that module loads them only when a queue is first read.

export const newSqsClient = (region: string): SQSClient => new SQSClient({ region });

export const receiveMessages = (
  client: SQSClient,
  input: ReceiveMessageCommandInput,
  abortSignal: AbortSignal | undefined,
): Promise<ReceiveMessageCommandOutput> => client.send(new ReceiveMessageCommand(input), { abortSignal });

export const deleteMessage = (client: SQSClient, input: DeleteMessageCommandInput): Promise<unknown> =>
  client.send(new DeleteMessageCommand(input));
