import { ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it, vi } from 'vitest';
import { createSqsAdapter } from '../../src/adapters/aws/sqs.js';

const QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/capstan-events';

/**
 * An SQS client faked at send(), as the SDK's own send behaves with an abort signal: the long poll
 * waits until the signal aborts, then rejects. (aws-sdk-client-mock does not see send's options.)
 */
function longPollingClient() {
  const sent: { command: unknown; abortSignal: AbortSignal | undefined }[] = [];
  const client = {
    send: (command: unknown, options?: { abortSignal?: AbortSignal }) => {
      sent.push({ command, abortSignal: options?.abortSignal });
      return new Promise((_, reject) =>
        options?.abortSignal?.addEventListener('abort', () => reject(new Error('Request aborted')), {
          once: true,
        }),
      );
    },
  } as unknown as SQSClient;
  return { client, sent };
}

describe('the SQS adapter', () => {
  it('hands the abort signal to ReceiveMessage, so stopping ends a 20 s long poll at once', async () => {
    const { client, sent } = longPollingClient();
    const queue = createSqsAdapter(QUEUE, client);
    const abort = new AbortController();
    const received = queue.receive(20, abort.signal);
    // The SDK is loaded on the first read: the call goes out once it is.
    await vi.waitFor(() => expect(sent).toHaveLength(1));
    const [{ command, abortSignal }] = sent as [(typeof sent)[0]];
    expect(command).toBeInstanceOf(ReceiveMessageCommand);
    expect((command as ReceiveMessageCommand).input).toMatchObject({ QueueUrl: QUEUE, WaitTimeSeconds: 20 });
    expect(abortSignal).toBe(abort.signal);
    abort.abort();
    await expect(received).rejects.toThrow();
  });
});
