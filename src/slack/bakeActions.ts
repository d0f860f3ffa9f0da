import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { Catalog } from '../domain/catalog.js';
import type { Logger } from '../lib/logger.js';
import type { DeployDeps } from '../usecases/deps.js';
import { type BakeChoice, chooseForBake } from '../usecases/verify/decide.js';
import { BAKE_ACTION, KEEP_REASON_MISSING, bakeChoiceText, keepModal } from '../views/verifyReplies.js';
import { clickHandler, reasonSubmission } from './clicks.js';

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
    app.action<BlockAction<ButtonAction>>(
      BAKE_ACTION[choice],
      clickHandler(deps.logger, async (id, user) =>
        bakeChoiceText(await chooseForBake(uc, id, user, choice)),
      ),
    );
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
  app.view(
    BAKE_ACTION.keepModal,
    reasonSubmission({
      logger: deps.logger,
      block: BAKE_ACTION.keepBlock,
      action: BAKE_ACTION.keepBlock,
      missing: KEEP_REASON_MISSING,
      unanswered: 'could not answer a keep',
      channelOf: async (id) => (await deps.deploy.store.get(id))?.channel,
      fn: async (id, user, reason) => bakeChoiceText(await chooseForBake(uc, id, user, 'keep', reason)),
    }),
  );
}
