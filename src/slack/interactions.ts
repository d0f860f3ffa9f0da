import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { findEnvironment } from '../domain/catalog.js';
import type { Catalog } from '../domain/catalog.js';
import { newId } from '../lib/ids.js';
import type { Logger } from '../lib/logger.js';
import { type ApprovalDeps, approve, reject } from '../usecases/approval.js';
import { startRelease } from '../usecases/release.js';
import { ACTION } from '../views/release.js';
import { notice } from '../views/help.js';
import { toRespond } from './app.js';
import { approvalReply } from './handlers.js';
import { failureMessage } from './respond.js';

/**
 * Approve, Reject and "Prepare a fresh change set". Each click is acknowledged first and then
 * authorized on the clicking user's id (body.user.id, signed by Slack): never on who ran the
 * command and never on the button's value, which only names the request.
 */
export function registerInteractions(
  app: App,
  deps: { approvals: ApprovalDeps; catalog: Catalog; logger: Logger },
): void {
  const handle =
    (fn: (requestId: string, userId: string) => Promise<string>) =>
    async ({
      ack,
      body,
      action,
      respond,
    }: {
      ack: () => Promise<void>;
      body: BlockAction;
      action: ButtonAction;
      respond: (m: object) => Promise<unknown>;
    }) => {
      await ack();
      const ref = newId('req');
      const log = deps.logger.child({ ref, user: body.user.id, action: action.action_id });
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

  app.action<BlockAction<ButtonAction>>(
    ACTION.approve,
    handle(async (id, user) => approvalReply(await approve(deps.approvals, id, user))),
  );
  app.action<BlockAction<ButtonAction>>(
    ACTION.reject,
    handle(async (id, user) => approvalReply(await reject(deps.approvals, id, user, undefined))),
  );
  app.action<BlockAction<ButtonAction>>(
    ACTION.refresh,
    handle(async (id, user) => {
      const old = await deps.approvals.deploy.store.get(id);
      const env = old && findEnvironment(deps.catalog, old.app, old.env);
      if (!old || !env) return `There is no request \`${id}\`.`;
      const d = await startRelease(deps.approvals.release, env, old.toVersion, user);
      return `Preparing a fresh change set (request \`${d.id}\`).`;
    }),
  );
}
