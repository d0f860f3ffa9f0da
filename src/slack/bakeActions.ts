import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { Catalog } from '../domain/catalog.js';
import { newId } from '../lib/ids.js';
import type { Logger } from '../lib/logger.js';
import type { DeployDeps } from '../usecases/deps.js';
import { type BakeChoice, chooseForBake } from '../usecases/verify/decide.js';
import { notice } from '../views/help.js';
import { BAKE_ACTION, bakeChoiceText, keepModal } from '../views/verifyReplies.js';
import { toRespond } from './app.js';
import { failureMessage } from './respond.js';

/**
 * The buttons of a bake (Complete now, Roll back, Extend 10 min; Roll back and Keep after an alarm)
 * and the Keep modal. Acknowledged first; authorized on the clicking user (body.user.id, signed by
 * Slack), never on the button's value, which only names the request.
 */
export function registerBakeActions(
  app: App,
  deps: { readonly deploy: DeployDeps; readonly catalog: Catalog; readonly logger: Logger },
): void {
  const uc = { ...deps.deploy, catalog: deps.catalog };
  const choose = (choice: Exclude<BakeChoice, 'keep'>) =>
    app.action<BlockAction<ButtonAction>>(BAKE_ACTION[choice], async ({ ack, body, action, respond }) => {
      await ack();
      const ref = newId('req');
      const log = deps.logger.child({ ref, user: body.user.id, action: action.action_id });
      let message;
      try {
        message = notice(bakeChoiceText(await chooseForBake(uc, action.value ?? '', body.user.id, choice)));
      } catch (e) {
        message = failureMessage(e, log, ref);
      }
      await respond({ response_type: 'ephemeral', replace_original: false, ...toRespond(message) }).catch(
        (e: unknown) => log.warn('could not answer a click', { error: String(e) }),
      );
    });
  choose('complete');
  choose('rollback');
  choose('extend');

  // Keep asks why first; who may keep is checked when the reason is submitted.
  app.action<BlockAction<ButtonAction>>(BAKE_ACTION.keep, async ({ ack, body, action, client }) => {
    await ack();
    const d = await deps.deploy.store.get(action.value ?? '');
    if (!d) return;
    await client.views
      .open({ trigger_id: body.trigger_id, view: keepModal(d) })
      .catch((e: unknown) => deps.logger.warn('could not open the keep modal', { error: String(e) }));
  });
  app.view(BAKE_ACTION.keepModal, async ({ ack, body, view, client }) => {
    const reason = view.state.values[BAKE_ACTION.keepBlock]?.[BAKE_ACTION.keepBlock]?.value?.trim() ?? '';
    if (reason === '') {
      await ack({
        response_action: 'errors',
        errors: { [BAKE_ACTION.keepBlock]: 'Say why the version stays although its alarm went off.' },
      });
      return;
    }
    await ack();
    const id = view.private_metadata;
    const ref = newId('req');
    let text: string;
    try {
      text = bakeChoiceText(await chooseForBake(uc, id, body.user.id, 'keep', reason));
    } catch (e) {
      text = failureMessage(e, deps.logger.child({ ref }), ref).text;
    }
    const d = await deps.deploy.store.get(id);
    if (d)
      await client.chat
        .postEphemeral({ channel: d.channel, user: body.user.id, text })
        .catch((e: unknown) => deps.logger.warn('could not answer a keep', { error: String(e) }));
  });
}
