import { type Catalog, type Environment, type Principal, findEnvironment } from '../../domain/catalog.js';
import type { Deployment } from '../../domain/deployment.js';
import { EXTEND_MS, type Verification, alarmsRead } from '../../domain/verify.js';
import { isAllowed } from '../access.js';
import type { DeployDeps } from '../deps.js';
import { changeBake } from './claim.js';

/** The buttons of a bake: Complete now, Roll back, Extend 10 min; after an alarm that asks, Roll back and Keep. */
export type BakeChoice = 'complete' | 'rollback' | 'extend' | 'keep';

/** What became of a click on a bake's button: facts for views/verifyReplies.ts to word. */
export type BakeChoiceResult =
  | { readonly kind: 'unknown_request'; readonly id: string }
  | { readonly kind: 'not_baking'; readonly id: string }
  /** Complete now before a look has read the alarms (`unreadable`: they cannot be read now). */
  | { readonly kind: 'alarms_unread'; readonly id: string; readonly unreadable: boolean }
  | {
      readonly kind: 'not_allowed';
      readonly choice: BakeChoice;
      readonly app: string;
      readonly env: string;
      readonly who: readonly Principal[];
      /** The person who asked, where self-approval is not allowed. */
      readonly requester: boolean;
    }
  | { readonly kind: 'decided'; readonly choice: Exclude<BakeChoice, 'extend'>; readonly id: string }
  | { readonly kind: 'extended'; readonly id: string; readonly until: number };

/** Who may choose: approvers complete a bake and keep a version an alarm went off for; deployers roll back and extend. */
function whoMay(env: Environment, choice: BakeChoice): readonly Principal[] {
  const approvers = env.policy.approvers.length > 0 ? env.policy.approvers : env.policy.deployers;
  return choice === 'complete' || choice === 'keep' ? approvers : env.policy.deployers;
}

/** Whether the button is on the message as it stands: Complete and Extend before an alarm, Keep after. */
function offered(d: Deployment, choice: BakeChoice): boolean {
  const v = d.verification;
  if (d.state !== 'verifying' || !v || v.decision) return false;
  if (choice === 'keep') return v.tripped !== undefined;
  if (choice === 'rollback') return true;
  return v.tripped === undefined;
}

/**
 * A click on a bake's button. Authorized on the clicking user; decided once with compare-and-set
 * (of racing clicks, and a click racing the end of the bake or an alarm, one wins, the others are
 * told it is decided). The owner of the rollout carries the decision out at its next look; Extend
 * moves the end at once.
 */
export async function chooseForBake(
  deps: DeployDeps & { readonly catalog: Catalog },
  id: string,
  userId: string,
  choice: BakeChoice,
  reason?: string,
): Promise<BakeChoiceResult> {
  const d = await deps.store.get(id);
  if (!d) return { kind: 'unknown_request', id };
  const env = findEnvironment(deps.catalog, d.app, d.env);
  if (!env || !offered(d, choice)) return { kind: 'not_baking', id };
  const who = whoMay(env, choice);
  const selfOk = choice !== 'complete' || env.policy.allowSelfApproval || userId !== d.requestedBy;
  if (!selfOk || !(await isAllowed(deps.directory, userId, who)))
    return { kind: 'not_allowed', choice, app: env.app, env: env.name, who, requester: !selfOk };
  // Nobody completes a bake whose alarms nobody has read: it could end verified while one fires.
  const v = d.verification!;
  if (choice === 'complete' && !alarmsRead(v))
    return { kind: 'alarms_unread', id, unreadable: v.unreadableSince !== undefined };
  const now = deps.clock.now();
  let unread: Verification | undefined;
  const cur = await changeBake(deps.store, id, now, (v, latest) => {
    unread = undefined; // judged again on each compare-and-set attempt
    if (!offered(latest, choice)) return undefined;
    if (choice === 'complete' && !alarmsRead(v)) {
      unread = v; // the alarms became unreadable since the check above
      return undefined;
    }
    if (choice === 'extend')
      return {
        ...v,
        endsAt: Math.max(v.endsAt, now) + EXTEND_MS,
        extended: [...(v.extended ?? []), { by: userId, at: now }],
      };
    const kind = choice === 'rollback' ? 'rollback' : choice;
    return { ...v, decision: { kind, at: now, by: userId, ...(reason !== undefined && { reason }) } };
  });
  if (!cur?.verification)
    return unread
      ? { kind: 'alarms_unread', id, unreadable: unread.unreadableSince !== undefined }
      : { kind: 'not_baking', id };
  deps.follow(cur);
  if (choice === 'extend') {
    const until = cur.verification.endsAt;
    deps.notifier.detail(cur, [{ kind: 'verify.extended', by: userId, until }]);
    await deps.notifier.show(cur);
    return { kind: 'extended', id, until };
  }
  // The buttons go at once; what the decision does is shown when the owner carries it out.
  await deps.notifier.show(cur);
  return { kind: 'decided', choice, id };
}
