import type { Catalog, Environment, Principal } from '../domain/catalog.js';
import { findEnvironment } from '../domain/catalog.js';
import { type Deployment, type PauseDecision, type Tracking, pauseKey } from '../domain/deployment.js';
import type { Fact } from '../domain/facts/index.js';
import { FrozenError, openWindow } from '../domain/freeze.js';
import { matches } from '../domain/policy.js';
import { errorMessage } from '../lib/errors.js';
import { inPlaceLines } from '../targets/strategy.js';
import { membershipFor, requireDeployer } from './access.js';
import { targetAs } from './actAs.js';
import { LOST, retryOnConflict } from './compareAndSet.js';
import type { DeployDeps } from './deps.js';
import { requireUnlocked } from './guards.js';
import { save } from './record.js';

export type PauseAction = PauseDecision['action'];

/** What became of a click on Continue or Roll back: facts for views/release.ts to word. */
export type PauseResult =
  | { readonly kind: 'unknown_request'; readonly id: string }
  | { readonly kind: 'not_configured'; readonly id: string; readonly app: string; readonly env: string }
  | { readonly kind: 'not_waiting'; readonly id: string; readonly action?: PauseAction | undefined }
  | {
      readonly kind: 'not_allowed';
      readonly app: string;
      readonly env: string;
      /** The person who asked, where self-approval is not allowed. */
      readonly requester: boolean;
      readonly approvers: readonly Principal[];
    }
  /** Someone decided this pause first (a racing click, on this replica or another). */
  | { readonly kind: 'decided_already'; readonly id: string; readonly decision: PauseDecision }
  | { readonly kind: 'continuing'; readonly id: string }
  | { readonly kind: 'rolling_back'; readonly id: string };

export type PauseDeps = DeployDeps & { readonly catalog: Catalog };

/** Whether a decision of `action` can be taken on `d` now, and by which target call. */
function offered(d: Deployment, action: PauseAction, can: { proceed: boolean; inPlace: boolean }): boolean {
  if (d.state !== 'rolling_out' || !d.tracking) return false;
  if (action === 'continue') return d.tracking.waiting !== undefined && can.proceed;
  return d.tracking.stage !== undefined && can.inPlace;
}

/**
 * Continue or Roll back a rollout the target holds (an ECS pause hook, a bake; CodeDeploy blue/green
 * waiting to reroute), judged on the clicking user: Continue by the environment's approvers (the
 * requester only where self-approval is allowed) and refused by a lock or a freeze; Roll back by
 * any deployer, whatever the lock or freeze. The decision is recorded with compare-and-set before
 * AWS is called, so racing clicks on any replica make one call; if that call fails the record is
 * taken back and the refusal is the clicker's to read. `shownKey` is the pause the clicked button was
 * shown for (domain/deployment.ts pauseKey): a decision on another pause than that one is refused as
 * not waiting, and a click on a pause already decided hears who decided it, even once the pause is gone.
 */
export async function decideAtPause(
  deps: PauseDeps,
  id: string,
  userId: string,
  action: PauseAction,
  shownKey?: string,
): Promise<PauseResult> {
  const d = await deps.store.get(id);
  if (!d) return { kind: 'unknown_request', id };
  const env = findEnvironment(deps.catalog, d.app, d.env);
  if (!env) return { kind: 'not_configured', id: d.id, app: d.app, env: d.env };
  const target = targetAs(deps, env, userId);
  const can = { proceed: target.proceed !== undefined, inPlace: target.rollBackInPlace !== undefined };
  const key = shownKey ?? pauseKey(d.tracking, action);
  const earlier = d.decisions?.find((x) => x.key === key);
  if (earlier) return { kind: 'decided_already', id: d.id, decision: earlier };
  if (!offered(d, action, can)) return { kind: 'not_waiting', id: d.id, action };
  const refused = await authorize(deps, env, d, userId, action);
  if (refused) return refused;

  const decision: PauseDecision = {
    by: userId,
    at: deps.clock.now(),
    action,
    stage: d.tracking?.pause?.stage,
    key,
  };
  const claimed = await claimDecision(deps, d, decision, can);
  if (!('rev' in claimed)) return claimed;
  const lines = await actOnTarget(deps, claimed, decision, () =>
    action === 'continue'
      ? target.proceed!(env, claimed.tracking!.data)
      : target.rollBackInPlace!(env, claimed.tracking!.data).then((r) => r && inPlaceLines(r)),
  );
  const said: Fact =
    d.tracking?.pause || action === 'rollback'
      ? { kind: 'ecs.hookDecided', by: userId, action, ...(decision.stage ? { stage: decision.stage } : {}) }
      : { kind: 'rollout.letGoOn', by: userId, waiting: d.tracking?.waiting ?? '' };
  deps.notifier.detail(claimed, [said, ...(lines ?? [])]);
  await deps.notifier.show(claimed).catch(() => undefined);
  deps.logger.info('decided at a pause', { id, action, by: userId });
  return action === 'continue' ? { kind: 'continuing', id } : { kind: 'rolling_back', id };
}

/**
 * Records the decision with compare-and-set, once across replicas: a click that finds the pause it
 * was shown for decided hears who decided it; one on a pause the rollout no longer waits at decides nothing.
 */
function claimDecision(
  deps: PauseDeps,
  d: Deployment,
  decision: PauseDecision,
  can: { proceed: boolean; inPlace: boolean },
): Promise<Deployment | PauseResult> {
  const { id } = d;
  const { action, key } = decision;
  return retryOnConflict<Deployment | PauseResult>(
    async (n) => {
      const cur = n === 0 ? d : await deps.store.get(id);
      if (!cur) return { kind: 'unknown_request', id };
      const first = cur.decisions?.find((x) => x.key === key);
      if (first) return { kind: 'decided_already', id, decision: first };
      if (pauseKey(cur.tracking, action) !== key || !offered(cur, action, can))
        return { kind: 'not_waiting', id, action };
      // The buttons go at once: the pause is shown as decided until the next look says more.
      const tracking: Tracking = {
        ...cur.tracking!,
        waiting: undefined,
        pause: undefined,
        ...(action === 'rollback' ? { stage: undefined } : {}),
      };
      const decisions = [...(cur.decisions ?? []), decision];
      return (await deps.store.update({ ...cur, tracking, decisions, updatedAt: decision.at })) ?? LOST;
    },
    () => ({ kind: 'not_waiting', id, action }),
  );
}

/** The target's call for a recorded decision; if it fails, the record is taken back so a later click can try again. */
async function actOnTarget(
  deps: PauseDeps,
  claimed: Deployment,
  decision: PauseDecision,
  call: () => Promise<readonly Fact[] | undefined>,
): Promise<readonly Fact[] | undefined> {
  try {
    return await call();
  } catch (e) {
    await save(
      deps.store,
      claimed,
      (cur) => ({ decisions: (cur.decisions ?? []).filter((x) => x.key !== decision.key) }),
      deps.clock.now(),
    ).catch((err: unknown) =>
      deps.logger.warn('could not take a decision back', { id: claimed.id, error: errorMessage(err) }),
    );
    throw e;
  }
}

async function authorize(
  deps: PauseDeps,
  env: Environment,
  d: Deployment,
  userId: string,
  action: PauseAction,
): Promise<PauseResult | undefined> {
  if (action === 'rollback') {
    // Going back is never held up by a lock or a freeze.
    await requireDeployer(deps.directory, env, userId);
    return undefined;
  }
  const membership = await membershipFor(deps.directory, userId, env.policy.approvers);
  const selfOk = env.policy.allowSelfApproval || userId !== d.requestedBy;
  if (!selfOk || !matches(env.policy.approvers, userId, membership))
    return {
      kind: 'not_allowed',
      app: env.app,
      env: env.name,
      requester: !selfOk,
      approvers: env.policy.approvers,
    };
  await requireUnlocked(deps.store, env);
  const open = openWindow(env.freezes ?? [], deps.clock.now());
  if (open) throw new FrozenError(open, { app: env.app, env: env.name }, 'execute');
  return undefined;
}

/** `/deploy rollback` while a rollout the target can roll back itself is in flight: ECS's own rollback. */
export async function rollBackInFlight(
  deps: PauseDeps,
  env: Environment,
  userId: string,
): Promise<PauseResult | undefined> {
  const d = await deps.store.inFlightFor(env.app, env.name);
  if (!d || d.state !== 'rolling_out' || !d.tracking?.stage) return undefined;
  if (!targetAs(deps, env, userId).rollBackInPlace) return undefined;
  return decideAtPause(deps, d.id, userId, 'rollback');
}
