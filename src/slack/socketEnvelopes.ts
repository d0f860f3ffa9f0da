import type { SocketModeReceiver } from '@slack/bolt';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';

const ENVELOPES = new Set(['events_api', 'slash_commands', 'interactive']);
const CONTROL = new Set(['hello', 'disconnect']);
/** Envelope ids remembered to drop a delivery Slack sends again on this connection. */
const REMEMBERED = 2000;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

type WsListener = (data: unknown, isBinary: boolean) => unknown;

/**
 * Stands in front of the Socket Mode client's message handler, which trusts what arrives: an
 * `events_api` envelope without an `event` made it throw inside an event emitter, an unhandled
 * rejection that stopped the process. Here a message that is not JSON, not an object, of a type
 * the client does not know, or without the payload its type needs, is logged and dropped, and
 * acknowledged when it has an envelope_id; an envelope id seen before is acknowledged again and
 * dropped. The client's own handler then runs on what is left, and nothing it throws escapes.
 */
export function guardEnvelopes(client: SocketModeReceiver['client'], logger: Logger): void {
  const log = logger.child({ component: 'socket' });
  const pass = passTo(client.listeners('ws_message') as WsListener[], log);
  client.removeAllListeners('ws_message');
  const seen = new Set<string>();
  // The client's own acknowledgement (what Bolt's ack() calls), typed private in the SDK.
  const sender = client as unknown as { send(envelopeId: string): Promise<void> };
  const ack = (envelopeId: string) =>
    sender
      .send(envelopeId)
      .catch((e: unknown) => log.warn('could not acknowledge an envelope', { error: errorMessage(e) }));

  client.on('ws_message', (data: unknown, isBinary: boolean) => {
    const read = readMessage(data, isBinary, log);
    if (read === undefined) return;
    const { text, message } = read;
    const type = typeof message.type === 'string' ? message.type : '';
    if (CONTROL.has(type)) return pass(text, false);
    const envelopeId =
      typeof message.envelope_id === 'string' && message.envelope_id !== '' ? message.envelope_id : undefined;
    const problem = envelopeProblem(type, message);
    if (problem !== undefined || envelopeId === undefined) {
      log.warn('Socket Mode envelope dropped', {
        type: type.slice(0, 40),
        reason: problem ?? 'no envelope_id',
      });
      if (envelopeId !== undefined) void ack(envelopeId);
      return;
    }
    if (!firstTime(seen, envelopeId)) {
      log.info('Socket Mode envelope seen before; acknowledged, not acted on again', {
        type,
        envelopeId,
        retryAttempt: message.retry_attempt,
        retryReason: message.retry_reason,
      });
      void ack(envelopeId);
      return;
    }
    pass(text, false);
  });
}

/** The client's own handlers, run on a message; whatever they throw or reject with is logged, never escapes. */
function passTo(originals: readonly WsListener[], log: Logger): (data: unknown, isBinary: boolean) => void {
  return (data, isBinary) => {
    for (const fn of originals) {
      try {
        void Promise.resolve(fn(data, isBinary)).catch((e: unknown) =>
          log.error('the Socket Mode client failed on a message', { error: errorMessage(e) }),
        );
      } catch (e) {
        log.error('the Socket Mode client failed on a message', { error: errorMessage(e) });
      }
    }
  };
}

/** The message as text and as a JSON object; anything else is logged (by reason, never content) and dropped. */
function readMessage(
  data: unknown,
  isBinary: boolean,
  log: Logger,
): { text: string; message: Record<string, unknown> } | undefined {
  if (isBinary || (typeof data !== 'string' && !(data instanceof ArrayBuffer))) {
    log.warn('Socket Mode message dropped', { reason: 'not text' });
    return undefined;
  }
  const text = typeof data === 'string' ? data : new TextDecoder().decode(data);
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    log.warn('Socket Mode message dropped', { reason: 'not JSON', bytes: text.length });
    return undefined;
  }
  if (!isRecord(message)) {
    log.warn('Socket Mode message dropped', { reason: 'not an object' });
    return undefined;
  }
  return { text, message };
}

/** true the first time an envelope id is seen on this connection; the oldest are forgotten past REMEMBERED. */
function firstTime(seen: Set<string>, envelopeId: string): boolean {
  if (seen.has(envelopeId)) return false;
  seen.add(envelopeId);
  if (seen.size > REMEMBERED) seen.delete(seen.values().next().value!);
  return true;
}

function envelopeProblem(type: string, m: Record<string, unknown>): string | undefined {
  if (!ENVELOPES.has(type)) return 'unknown envelope type';
  if (!isRecord(m.payload)) return 'payload is not an object';
  if (type === 'events_api') {
    const event = m.payload.event;
    if (!isRecord(event) || typeof event.type !== 'string' || event.type === '')
      return 'events_api payload has no event';
  }
  return undefined;
}
