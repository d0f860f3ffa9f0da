import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUZZ, type FuzzWorld, expectStillServing, mutated, startFuzzWorld, weird } from './support.js';

let w: FuzzWorld;
beforeAll(async () => {
  w = await startFuzzWorld({ socketMode: true });
});
afterAll(async () => {
  await w.stop();
});

const ENVELOPES = {
  events_api: {
    envelope_id: 'e-events',
    type: 'events_api',
    accepts_response_payload: false,
    retry_attempt: 0,
    retry_reason: '',
    payload: {
      type: 'event_callback',
      event_id: 'EvSOCKET',
      event: {
        type: 'app_mention',
        user: 'U0ALICE',
        text: '<@UCAPSTAN> status todobackend dev',
        channel: 'C0DEV',
        ts: '1790000000.000400',
      },
    },
  },
  slash_commands: {
    envelope_id: 'e-command',
    type: 'slash_commands',
    accepts_response_payload: true,
    payload: {
      command: '/deploy',
      text: 'status todobackend',
      user_id: 'U0ALICE',
      channel_id: 'C0DEV',
      response_url: 'http://127.0.0.1:1/commands/socket',
      trigger_id: 'trigger-socket',
    },
  },
  interactive: {
    envelope_id: 'e-click',
    type: 'interactive',
    accepts_response_payload: false,
    payload: {
      type: 'block_actions',
      user: { id: 'U0BOB' },
      trigger_id: 'trigger-click-socket',
      response_url: 'http://127.0.0.1:1/clicks/socket',
      actions: [{ type: 'button', action_id: 'capstan_approve', value: 'r-doesnotexist', action_ts: '1.2' }],
    },
  },
  hello: { type: 'hello', num_connections: 1, connection_info: { app_id: 'A0CAPSTAN' } },
};

/** Envelope types Slack sends, and names of the client's own events that a message must not reach. */
const TYPES = [
  'events_api',
  'slash_commands',
  'interactive',
  'hello',
  'ws_message',
  'error',
  'close',
  'slack_event',
];

const envelope = fc.oneof(
  ...Object.values(ENVELOPES).map((e) => mutated(e)),
  fc.record({
    envelope_id: fc.string({ minLength: 1, maxLength: 12 }),
    type: fc.constantFrom(...TYPES),
    payload: weird,
  }),
);

let seq = 0;

describe('fuzzing what arrives over the Socket Mode link', () => {
  it('every envelope type, and what is not an envelope at all', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ weight: 5, arbitrary: envelope }, { weight: 1, arbitrary: fc.string() }),
        async (doc) => {
          seq += 1;
          const m = doc as Record<string, unknown> | null;
          // Each case gets an envelope id of its own unless the case is about the id itself.
          const keepsId =
            typeof m !== 'object' || m === null || typeof m.envelope_id !== 'string' || m.envelope_id === '';
          const text = keepsId
            ? typeof doc === 'string'
              ? doc
              : JSON.stringify(doc)
            : JSON.stringify({ ...m, envelope_id: `${String(m.envelope_id)}-${seq}` });
          const id = keepsId ? undefined : `${String(m.envelope_id)}-${seq}`;
          const control =
            m !== null && typeof m === 'object' && ['hello', 'disconnect'].includes(String(m.type));
          const ack = await w.h.slack.socket.sendRaw(
            text,
            id === undefined || control ? {} : { envelopeId: id, timeoutMs: 2500 },
          );
          // Everything that names an envelope is acknowledged, or Slack sends it again and again.
          if (id !== undefined && !control) expect(ack?.envelopeId).toBe(id);
          await expectStillServing(w);
        },
      ),
      FUZZ,
    );
  });

  // Last, as the client then waits its ping timeout (5 s) before reconnecting; socketMode.test.ts shows it does.
  it('a disconnect message with junk in it drops the link only: nothing escapes and the side listener serves', async () => {
    await w.h.slack.socket.sendRaw(
      JSON.stringify({ type: 'disconnect', reason: { nested: ['junk'] }, x: null }),
    );
    await w.h.slack.waitFor(() => !w.h.slack.socket.connected);
    expect(w.faults).toEqual([]);
    expect((await fetch(`${w.h.base}/healthz`)).status).toBe(200);
  });
});
