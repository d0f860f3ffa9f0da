import { describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config/readConfig.js';
import { TEST_YAML } from '../fixtures/config.js';

const ENV = { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'secret', CAPSTAN_CONFIG: 'capstan.yml' };
const QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/capstan-events';
const read = (extra: string) =>
  readConfig(ENV, () => `${TEST_YAML.replace('__DB__', 'unused.db')}\n${extra}`);

describe('events in capstan.yml', () => {
  it('are off unless a queue is given', () => {
    const r = read('');
    expect(r.ok && r.config.events).toBeUndefined();
  });

  it('take the queue EventBridge sends to', () => {
    const r = read(`events:\n  sqsQueueUrl: ${QUEUE}\n`);
    expect(r.ok && r.config.events).toEqual({ sqsQueueUrl: QUEUE });
  });

  it.each([
    ['a queue that is not a URL', 'events:\n  sqsQueueUrl: capstan-events\n', /events\.sqsQueueUrl/],
    ['an unknown key', `events:\n  sqsQueueUrl: ${QUEUE}\n  queue: x\n`, /events: unknown key "queue"/],
    [
      'the queue SNS messages arrive on',
      `events:\n  sqsQueueUrl: ${QUEUE}\nsns:\n  sqsQueueUrl: ${QUEUE}\n`,
      /events\.sqsQueueUrl: use a queue of its own/,
    ],
  ])('refuse %s', (_what, yaml, problem) => {
    const r = read(yaml);
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.problems).toEqual(expect.arrayContaining([expect.stringMatching(problem)]));
  });
});
