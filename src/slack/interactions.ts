import type {
  AllMiddlewareArgs,
  App,
  BlockAction,
  ButtonAction,
  SlackActionMiddlewareArgs,
  SlackViewMiddlewareArgs,
} from '@slack/bolt';
import type { Catalog } from '../domain/catalog.js';
import { findEnvironment } from '../domain/catalog.js';
import { newId } from '../lib/ids.js';
import type { Logger } from '../lib/logger.js';
import { type ApprovalDeps, approve, reject, whyNotReject } from '../usecases/approval.js';
import { type RelayDeps, decidePipelineApproval } from '../usecases/relay.js';
import { requestDeploy } from '../usecases/deploy.js';
import { decideAtPause } from '../usecases/pause.js';
import { proceedRollout } from '../usecases/proceed.js';
import { PAUSE_ACTION, readPauseValue } from '../views/pause.js';
import { REJECT_MODAL, rejectModal } from '../views/approvals.js';
import { notice } from '../views/help.js';
import { PIPELINE_ACTION, commentModal, pipelineDecisionText } from '../views/pipeline.js';
import { ACTION, proceedText } from '../views/release.js';
import { toRespond } from './app.js';
import { approvalReply, freshReviewText, noSuchRequestText, refusedText } from '../views/replies.js';
import { failureMessage } from './respond.js';
import { registerBakeActions } from './bakeActions.js';
import { clickHandler, reasonSubmission } from './clicks.js';

type InteractionDeps = { approvals: ApprovalDeps; relay: RelayDeps; catalog: Catalog; logger: Logger };
type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;
type ClickFn = (requestId: string, userId: string) => Promise<string>;

/**
 * Buttons and the comment modal. Each click is acknowledged first and then authorized on the
 * clicking user's id (body.user.id, signed by Slack): never on who ran the command and never on
 * the button's value, which only names the request (and, on a pause, the pause it was shown for).
 */
export function registerInteractions(app: App, deps: InteractionDeps): void {
  registerApprovals(app, deps);
  registerPauses(app, deps);
  registerPipelineApprovals(app, deps);
}

/** Approve, reject (with its reason modal) and refresh on a deploy request. */
function registerApprovals(app: App, deps: InteractionDeps): void {
  const handle = (fn: ClickFn) => clickHandler(deps.logger, fn);
  app.action<BlockAction<ButtonAction>>(
    ACTION.approve,
    handle(async (id, user) => approvalReply(await approve(deps.approvals, id, user))),
  );
  app.action<BlockAction<ButtonAction>>(ACTION.reject, rejectButton(deps));
  app.view(
    REJECT_MODAL.callbackId,
    reasonSubmission({
      logger: deps.logger,
      block: REJECT_MODAL.block,
      action: REJECT_MODAL.action,
      missing: 'Say why, so that the person who asked knows what to change.',
      unanswered: 'could not answer a reject',
      channelOf: async (id) => (await deps.approvals.deploy.store.get(id))?.channel,
      fn: async (id, user, reason) => approvalReply(await reject(deps.approvals, id, user, reason)),
    }),
  );
  app.action<BlockAction<ButtonAction>>(
    ACTION.refresh,
    handle(async (id, user) => {
      const old = await deps.approvals.deploy.store.get(id);
      const env = old && findEnvironment(deps.catalog, old.app, old.env);
      if (!old || !env) return noSuchRequestText(id);
      const r = await requestDeploy(deps.approvals.deploy, env, old.toVersion, user, {
        kind: old.kind === 'rollback' ? 'rollback' : 'deploy',
        // A promotion stays one: the same verified digest, found by it, through the gate again.
        promote:
          old.promotedFrom !== undefined && old.imageDigest !== undefined
            ? { from: old.promotedFrom, digest: old.imageDigest }
            : undefined,
        // A rollback goes back to the digest that ran: its tag may name nothing here, or another image.
        digest: old.kind === 'rollback' ? old.imageDigest : undefined,
      });
      return r.kind === 'started' ? freshReviewText(r.deployment.id) : '';
    }),
  );
}

/** Reject asks why first; who may reject is checked before the modal opens, and again on submission. */
const rejectButton =
  (deps: InteractionDeps) =>
  async ({ ack, body, action, respond, client }: ButtonArgs): Promise<void> => {
    await ack();
    const ref = newId('req');
    const log = deps.logger.child({ ref, user: body.user.id, action: action.action_id });
    let message;
    try {
      const id = action.value ?? '';
      const refusal = await whyNotReject(deps.approvals, id, body.user.id);
      const d = refusal === undefined ? await deps.approvals.deploy.store.get(id) : undefined;
      if (d) {
        await client.views.open({ trigger_id: body.trigger_id, view: rejectModal(d) });
        return;
      }
      message = notice(refusedText(refusal ?? { code: 'unknown_request', id }));
    } catch (e) {
      message = failureMessage(e, log, ref);
    }
    await respond({ response_type: 'ephemeral', replace_original: false, ...toRespond(message) }).catch(
      (e: unknown) => log.warn('could not answer a click', { error: String(e) }),
    );
  };

/** The buttons on a paused rollout: continue, the bake buttons, roll back. */
function registerPauses(app: App, deps: InteractionDeps): void {
  const handle = (fn: ClickFn) => clickHandler(deps.logger, fn);
  app.action<BlockAction<ButtonAction>>(
    ACTION.proceed,
    handle(async (value, user) => {
      const { id, key } = readPauseValue(value);
      return proceedText(
        await proceedRollout({ ...deps.approvals.deploy, catalog: deps.catalog }, id, user, key),
      );
    }),
  );

  registerBakeActions(app, { deploy: deps.approvals.deploy, catalog: deps.catalog, logger: deps.logger });

  app.action<BlockAction<ButtonAction>>(
    PAUSE_ACTION.rollBack,
    handle(async (value, user) => {
      const { id, key } = readPauseValue(value);
      const pause = { ...deps.approvals.deploy, catalog: deps.catalog };
      return proceedText(await decideAtPause(pause, id, user, 'rollback', key));
    }),
  );
}

/** A relayed pipeline's manual approval: approve, reject, or approve with a comment (a modal). */
function registerPipelineApprovals(app: App, deps: InteractionDeps): void {
  const handle = (fn: ClickFn) => clickHandler(deps.logger, fn);
  app.action<BlockAction<ButtonAction>>(
    PIPELINE_ACTION.approve,
    handle(async (id, user) =>
      pipelineDecisionText(await decidePipelineApproval(deps.relay, id, user, 'approve')),
    ),
  );
  app.action<BlockAction<ButtonAction>>(
    PIPELINE_ACTION.reject,
    handle(async (id, user) =>
      pipelineDecisionText(await decidePipelineApproval(deps.relay, id, user, 'reject')),
    ),
  );
  app.action<BlockAction<ButtonAction>>(PIPELINE_ACTION.comment, async ({ ack, body, action, client }) => {
    await ack();
    const a = await deps.relay.store.getPipelineApproval(action.value ?? '');
    if (!a) return;
    await client.views
      .open({ trigger_id: body.trigger_id, view: commentModal(a.id, a.pipeline) })
      .catch((e: unknown) => deps.logger.warn('could not open the comment modal', { error: String(e) }));
  });
  app.view(PIPELINE_ACTION.modal, pipelineCommentSubmission(deps));
}

/** Approves with the modal's comment; the answer goes to the submitting user in the approval's channel. */
const pipelineCommentSubmission =
  (deps: InteractionDeps) =>
  async ({ ack, body, view, client }: SlackViewMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    await ack();
    const id = view.private_metadata;
    const comment = view.state.values.comment?.comment?.value ?? undefined;
    const ref = newId('req');
    let text: string;
    try {
      text = pipelineDecisionText(
        await decidePipelineApproval(deps.relay, id, body.user.id, 'approve', comment),
      );
    } catch (e) {
      text = failureMessage(e, deps.logger.child({ ref }), ref).text;
    }
    const a = await deps.relay.store.getPipelineApproval(id);
    if (a)
      await client.chat
        .postEphemeral({ channel: a.channel, user: body.user.id, text })
        .catch(() => undefined);
  };
