import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackHeaders } from '../support/signing.js';
import { TOPIC, approvalMessage, notification } from '../support/snsSigning.js';
import { FUZZ, type FuzzWorld, expectStillServing, mutated, mutatedText, startFuzzWorld } from './support.js';
import { codePoint } from '../support/codePoints.js';

let w: FuzzWorld;
beforeAll(async () => {
  w = await startFuzzWorld();
});
afterAll(async () => {
  await w.stop();
});

const COMMAND = {
  token: 'deprecated',
  team_id: 'T0SANDBOX',
  channel_id: 'C0DEV',
  user_id: 'U0ALICE',
  command: '/deploy',
  text: 'status todobackend dev',
  response_url: 'http://127.0.0.1:1/commands/fuzz',
  trigger_id: 'trigger-fuzz',
  api_app_id: 'A0CAPSTAN',
};

const CLICK = {
  type: 'block_actions',
  user: { id: 'U0BOB', username: 'bob', team_id: 'T0SANDBOX' },
  api_app_id: 'A0CAPSTAN',
  container: { type: 'message', message_ts: '1790000000.000100', channel_id: 'C0PROD' },
  trigger_id: 'trigger-click-fuzz',
  team: { id: 'T0SANDBOX', domain: 'sandbox' },
  channel: { id: 'C0PROD', name: 'prod' },
  response_url: 'http://127.0.0.1:1/clicks/fuzz',
  actions: [
    {
      type: 'button',
      action_id: 'capstan_approve',
      block_id: 'b',
      value: 'r-doesnotexist',
      action_ts: '1790000000.000200',
    },
  ],
};

const SUBMISSION = {
  type: 'view_submission',
  team: { id: 'T0SANDBOX', domain: 'sandbox' },
  user: { id: 'U0BOB', username: 'bob', team_id: 'T0SANDBOX' },
  trigger_id: 't-modal-fuzz',
  view: {
    id: 'V1',
    type: 'modal',
    callback_id: 'capstan_reject_modal',
    private_metadata: 'r-doesnotexist',
    state: { values: { reason: { reason: { type: 'plain_text_input', value: 'because' } } } },
    hash: 'h',
  },
};

const EVENT = {
  token: 'deprecated',
  team_id: 'T0SANDBOX',
  api_app_id: 'A0CAPSTAN',
  type: 'event_callback',
  event_id: 'EvFUZZ',
  event_time: 1790000000,
  event: {
    type: 'app_mention',
    user: 'U0ALICE',
    text: '<@UCAPSTAN> status todobackend dev',
    channel: 'C0DEV',
    ts: '1790000000.000300',
    event_ts: '1790000000.000300',
  },
};
const HOME = { ...EVENT, event: { type: 'app_home_opened', user: 'U0ALICE', tab: 'home' } };

/** Slack answers: an acknowledgement, a refusal of a body it cannot read; never an error or a time-out. */
const ACCEPTABLE = [200, 400, 401, 413];

async function postSigned(body: string, contentType: string) {
  const t0 = Date.now();
  const r = await w.h.post('/slack/events', body, { 'content-type': contentType, ...slackHeaders(body) });
  expect(ACCEPTABLE).toContain(r.status);
  // Bolt answers a delivery nobody acknowledged after 3 s: every one is answered well before.
  expect(Date.now() - t0).toBeLessThan(2500);
}

const asForm = (doc: unknown): string => {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return String(doc);
  return new URLSearchParams(
    Object.entries(doc).map(([k, v]): [string, string] => [
      k,
      typeof v === 'string' ? v : (JSON.stringify(v) ?? ''),
    ]),
  ).toString();
};

describe('fuzzing what arrives over HTTP', () => {
  it('slash commands', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(mutated(COMMAND).map(asForm), fc.string({ unit: codePoint, maxLength: 300 })),
        async (body) => {
          await postSigned(body, 'application/x-www-form-urlencoded');
          await expectStillServing(w);
        },
      ),
      FUZZ,
    );
  });

  it('interactions: block actions and view submissions', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(mutatedText(CLICK), mutatedText(SUBMISSION)),
        fc.boolean(),
        async (payload, form) => {
          // Slack sends payload=<json>; a body without it must be refused just as calmly.
          const body = form ? new URLSearchParams({ payload }).toString() : payload;
          await postSigned(body, 'application/x-www-form-urlencoded');
          await expectStillServing(w);
        },
      ),
      FUZZ,
    );
  });

  it('the Events API', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutatedText(EVENT), mutatedText(HOME)), async (body) => {
        await postSigned(body, 'application/json');
        await expectStillServing(w);
      }),
      FUZZ,
    );
  });

  it('SNS deliveries: forged envelopes, and signed ones carrying anything', async () => {
    const signed = fc
      .oneof(mutatedText(approvalMessage()), mutatedText({ detail: { pipeline: 'todobackend-pipeline' } }))
      .map((message) => JSON.stringify(w.signer.sign(notification(message))));
    const forged = mutatedText(notification(approvalMessage()));
    await fc.assert(
      fc.asyncProperty(fc.oneof(signed, forged), fc.boolean(), async (body, headers) => {
        const r = await w.h.post('/sns', body, {
          'content-type': 'text/plain; charset=UTF-8',
          ...(headers ? { 'x-amz-sns-message-type': 'Notification', 'x-amz-sns-topic-arn': TOPIC } : {}),
        });
        // 4xx is final for SNS; a 5xx would have it deliver the same junk again.
        expect([200, 400, 403, 413]).toContain(r.status);
        await expectStillServing(w);
      }),
      FUZZ,
    );
  });
});
