import { type SnsVerifier, envelopeSchema } from '../adapters/sns/verify.js';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { Clock } from '../ports/clock.js';
import type { Subscriptions } from '../ports/pipelines.js';
import type { Store } from '../ports/store.js';
import { type RelayDeps, relayNotification } from '../usecases/relay.js';
import { judgeMessageAge } from './messageAge.js';

export interface InboundDeps {
  readonly verify: SnsVerifier;
  /** Topic ARNs Capstan accepts anything from. */
  readonly topics: readonly string[];
  readonly store: Store;
  readonly subscriptions: Subscriptions;
  readonly relay: RelayDeps;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Older signed messages are refused even if never seen; DEFAULT_SNS_MAX_MESSAGE_AGE_MS by default. */
  readonly maxMessageAgeMs?: number | undefined;
}

/** What to answer SNS: a 4xx is final (SNS does not retry it), a 5xx asks for a retry. */
export interface InboundResult {
  readonly status: number;
  readonly reason: string;
}

/** What the caller reads when a message is forged or its topic is not one Capstan listens to. */
export const NOT_ACCEPTED = 'message not accepted';

const refuse = (
  deps: InboundDeps,
  status: number,
  reason: string,
  fields: Record<string, unknown> = {},
): InboundResult => {
  deps.logger.warn('SNS message refused', { status, reason, ...fields });
  return { status, reason };
};

/** A forged message and a topic Capstan does not listen to get the same answer; only the log says which. */
const notAccepted = (deps: InboundDeps, why: string, fields: Record<string, unknown>): InboundResult => {
  deps.logger.warn('SNS message refused', { status: 403, reason: why, ...fields });
  return { status: 403, reason: NOT_ACCEPTED };
};

/** Verify, then parse, then dispatch: nothing acts on a message before its signature checks out. */
export async function receiveEnvelope(
  deps: InboundDeps,
  raw: unknown,
  headers?: { type?: string | undefined; topic?: string | undefined },
): Promise<InboundResult> {
  const parsed = envelopeSchema.safeParse(raw);
  if (!parsed.success) return refuse(deps, 400, 'not an SNS message');
  const m = parsed.data;
  if (headers) {
    if (headers.type !== m.Type)
      return refuse(deps, 400, 'x-amz-sns-message-type does not match the body', {
        header: headers.type,
        body: m.Type,
      });
    if (headers.topic !== m.TopicArn)
      return refuse(deps, 400, 'x-amz-sns-topic-arn does not match the body', {
        header: headers.topic,
        body: m.TopicArn,
      });
  }
  // The signature is checked before the allowlist and both refusals read the same, so Capstan's
  // answer does not say which topics it listens to, and a forged message costs the same whatever its topic.
  const verified = await deps.verify(m);
  if (!verified.ok)
    return notAccepted(deps, `signature: ${verified.reason}`, { topic: m.TopicArn, messageId: m.MessageId });
  if (!deps.topics.includes(m.TopicArn))
    return notAccepted(deps, 'topic is not on the allowlist', { topic: m.TopicArn, messageId: m.MessageId });
  const age = judgeMessageAge(m.Timestamp, deps.clock.now(), deps.maxMessageAgeMs);
  if (!age.ok)
    return refuse(deps, 400, age.reason, {
      topic: m.TopicArn,
      messageId: m.MessageId,
      timestamp: m.Timestamp,
      ...(age.ageSeconds === undefined ? {} : { ageSeconds: age.ageSeconds }),
    });

  if (m.Type === 'SubscriptionConfirmation') {
    try {
      const arn = await deps.subscriptions.confirm(m.TopicArn, m.Token ?? '');
      deps.logger.info('SNS subscription confirmed', { topic: m.TopicArn, subscription: arn });
      return { status: 200, reason: 'subscription confirmed' };
    } catch (e) {
      deps.logger.error('could not confirm the SNS subscription', {
        topic: m.TopicArn,
        error: errorMessage(e),
      });
      return { status: 500, reason: 'confirmation failed' };
    }
  }
  if (m.Type === 'UnsubscribeConfirmation') {
    deps.logger.warn('SNS says Capstan was unsubscribed', { topic: m.TopicArn });
    return { status: 200, reason: 'unsubscribe noted' };
  }
  return handleOnce(deps, `sns:${m.MessageId}`, m.Message);
}

/** A raw SQS message from a queue configured as trusted: no SNS envelope, no signature. */
export async function receiveRaw(deps: InboundDeps, messageId: string, body: string): Promise<InboundResult> {
  return handleOnce(deps, `sqs:${messageId}`, body);
}

/** SNS retries reuse the MessageId: it is remembered across restarts, and forgotten again if handling failed. */
async function handleOnce(deps: InboundDeps, key: string, message: string): Promise<InboundResult> {
  if (!(await deps.store.firstSighting(key, deps.clock.now()))) {
    deps.logger.info('duplicate SNS delivery ignored', { key });
    return { status: 200, reason: 'duplicate' };
  }
  try {
    const outcome = await relayNotification(deps.relay, message);
    return { status: 200, reason: outcome };
  } catch (e) {
    await deps.store.forgetSighting(key);
    deps.logger.error('could not handle an SNS notification', { key, error: errorMessage(e) });
    return { status: 500, reason: 'handling failed' };
  }
}
