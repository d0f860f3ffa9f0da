import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackViewMiddlewareArgs } from '@slack/bolt';
import { newId } from '../lib/ids.js';
import type { Logger } from '../lib/logger.js';
import { notice } from '../views/help.js';
import { toRespond } from './app.js';
import { failureMessage } from './respond.js';

type Click = {
  ack: () => Promise<void>;
  body: BlockAction;
  action: ButtonAction;
  respond: (m: object) => Promise<unknown>;
};

/**
 * A button that acts at once: acknowledged first, then `fn` runs for the clicking user (body.user.id,
 * signed by Slack) on the request the button's value names, and its words answer only that user.
 */
export const clickHandler =
  (logger: Logger, fn: (requestId: string, userId: string) => Promise<string>) =>
  async ({ ack, body, action, respond }: Click): Promise<void> => {
    await ack();
    const ref = newId('req');
    const log = logger.child({ ref, user: body.user.id, action: action.action_id });
    let message;
    try {
      message = notice(await fn(action.value ?? '', body.user.id));
    } catch (e) {
      message = failureMessage(e, log, ref);
    }
    await respond({ response_type: 'ephemeral', replace_original: false, ...toRespond(message) }).catch(
      (e: unknown) => log.warn('could not answer a click', { error: String(e) }),
    );
  };

/**
 * The submission of a modal that asks why (reject, keep): an empty reason is refused in the modal;
 * otherwise `fn` runs for the submitting user on the request named by the view's private metadata,
 * and its words answer that user in the request's channel.
 */
export const reasonSubmission =
  (o: {
    readonly logger: Logger;
    readonly block: string;
    readonly action: string;
    /** Said under the field when it is left empty. */
    readonly missing: string;
    /** What the log says when the answer cannot be posted. */
    readonly unanswered: string;
    readonly channelOf: (requestId: string) => Promise<string | undefined>;
    readonly fn: (requestId: string, userId: string, reason: string) => Promise<string>;
  }) =>
  async ({ ack, body, view, client }: SlackViewMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    const reason = view.state.values[o.block]?.[o.action]?.value?.trim() ?? '';
    if (reason === '') {
      await ack({ response_action: 'errors', errors: { [o.block]: o.missing } });
      return;
    }
    await ack();
    const id = view.private_metadata;
    const ref = newId('req');
    let text: string;
    try {
      text = await o.fn(id, body.user.id, reason);
    } catch (e) {
      text = failureMessage(e, o.logger.child({ ref }), ref).text;
    }
    const channel = await o.channelOf(id);
    if (channel)
      await client.chat
        .postEphemeral({ channel, user: body.user.id, text })
        .catch((e: unknown) => o.logger.warn(o.unanswered, { error: String(e) }));
  };
