import type { Environment } from '../domain/catalog.js';
import type { Deployment } from '../domain/deployment.js';
import { CapstanError, isCapstanError } from '../domain/errors.js';
import { FrozenError, openWindow } from '../domain/freeze.js';
import { errorMessage } from '../lib/errors.js';
import type { ApplyRequest, Started, TargetStrategy } from '../targets/strategy.js';
import { targetAs } from './actAs.js';
import type { DeployDeps } from './deps.js';
import { save, showAndRecord } from './record.js';
import { errorReported } from '../domain/reported.js';
import { why } from './rollout/cause.js';
import { checkAlarmsBefore } from './verify/preflight.js';
import { passPromotion } from './promotion.js';

/**
 * Changes AWS for a prepared (and, where needed, approved) request, exactly as reviewed: what can
 * have changed since the review is checked again right before, and an error from the call that
 * changes AWS is reconciled by reading AWS before anything is reported.
 */
export async function execute(
  deps: DeployDeps,
  env: Environment,
  d: Deployment,
  actor: string,
  options: { readonly recheck?: boolean } = {},
): Promise<void> {
  const target = targetAs(deps, env, actor);
  let cur = d;
  try {
    if (options.recheck && d.imageDigest) {
      // A promotion or a rollback was found by its digest: its tag may name nothing here, or another image.
      const byDigest = d.promotedFrom !== undefined || d.kind === 'rollback';
      const now = await target.check(env, d.toVersion, { digest: byDigest ? d.imageDigest : undefined });
      if (now.digest !== undefined && now.digest !== d.imageDigest) {
        throw new CapstanError('conflict', {
          kind: 'release.tagMoved',
          version: d.toVersion,
          digest: now.digest,
          reviewedDigest: d.imageDigest,
        });
      }
    }
    if (d.kind !== 'rollback') await requireAlarmsStillClear(deps, env, d);
    if (d.kind !== 'rollback') await requireGateStillPassed(deps, env, d);
    // Last, so that nothing slow stands between these checks and the change.
    if (d.kind !== 'rollback') await requireOpen(deps, env, d);
  } catch (e) {
    // It will never run as reviewed: what the review left in AWS (a change set) goes.
    await target
      .discard(env, d)
      .catch((err: unknown) =>
        deps.logger.warn('could not discard a refused change', { id: d.id, error: errorMessage(err) }),
      );
    await refuse(deps, d, e);
    return;
  }
  const request = { requestId: d.id, version: d.toVersion, plan: d.plan, actor };
  cur = await save(deps.store, cur, { state: 'checking', applyingSince: deps.clock.now() }, deps.clock.now());
  const { started, failure } = await applyOrReconcile(deps, target, env, request);
  if (!started) {
    await refuse(deps, cur, failure);
    return;
  }
  await beginTracking(deps, cur, started, 'rollout', failure);
}

/**
 * The alarms are read again right before AWS changes (an approval may come hours after the request,
 * a change set takes a while to compute): one in ALARM now refuses, unless it is one an admin's
 * override already went past. From here on, an alarm that enters ALARM is the deploy's.
 */
async function requireAlarmsStillClear(deps: DeployDeps, env: Environment, d: Deployment): Promise<void> {
  try {
    await checkAlarmsBefore(deps, env, d.requestedBy, undefined);
  } catch (e) {
    const overridden = d.alarmOverride?.alarms ?? [];
    const fact = isCapstanError(e) ? e.fact : undefined;
    if (fact?.kind === 'verify.alarmFiring' && fact.alarms.every((a) => overridden.includes(a.name))) return;
    throw e;
  }
}

/**
 * The promotion gate is judged again right before AWS changes: while a release waited for approval,
 * the source may have been rolled back from its digest, or failed with it. An admin's override at
 * the request stands; the refusal is the gate's own, and no fresh review is offered.
 */
async function requireGateStillPassed(deps: DeployDeps, env: Environment, d: Deployment): Promise<void> {
  if (!env.promotion || d.promotionOverride) return;
  const image = {
    version: d.toVersion,
    digest: d.imageDigest,
    via: d.promotedFrom !== undefined ? 'promote' : 'deploy',
  } as const;
  // Counted once, at the request.
  await passPromotion({ ...deps, onPromotionGate: undefined }, env, image, d.requestedBy, undefined);
}

/**
 * Changes AWS. A refusal changed nothing; any other error may hide a change that took effect (a lost
 * response), so AWS is read before anything is concluded: `started` is set when the change is there.
 */
export async function applyOrReconcile(
  deps: Pick<DeployDeps, 'logger'>,
  target: TargetStrategy,
  env: Environment,
  request: ApplyRequest,
): Promise<{ readonly started?: Started | undefined; readonly failure?: unknown }> {
  try {
    return { started: await target.apply(env, request) };
  } catch (e) {
    if (isCapstanError(e) && e.code === 'conflict') return { failure: e };
    const started = await target.reconcile(env, request).catch((re: unknown) => {
      deps.logger.warn('could not reconcile after a failed change', {
        id: request.requestId,
        error: errorMessage(re),
      });
      return undefined;
    });
    return { started, failure: e };
  }
}

/**
 * A lock taken or a freeze opened while the request waited stops it. The reason is kept in the
 * ledger as plain text; who locked it goes to the thread, where a mention works.
 */
async function requireOpen(deps: DeployDeps, env: Environment, d: Deployment): Promise<void> {
  const lock = await deps.store.getLock(env.app, env.name);
  if (lock) {
    const place = { app: env.app, env: env.name, reason: lock.reason };
    deps.notifier.detail(d, [{ kind: 'rollout.lockedNotExecuted', ...place, owner: lock.owner }]);
    throw new CapstanError('locked', { kind: 'release.locked', ...place });
  }
  const open = d.override ? undefined : openWindow(env.freezes ?? [], deps.clock.now());
  if (open) {
    throw new FrozenError(open, { app: env.app, env: env.name }, 'execute');
  }
}

/** Records that the change started and hands it to the poll loop. */
export async function beginTracking(
  deps: DeployDeps,
  d: Deployment,
  started: Started,
  phase: 'rollout' | 'rollback',
  failure?: unknown,
): Promise<Deployment> {
  const now = deps.clock.now();
  const cur = await save(
    deps.store,
    d,
    {
      state: phase === 'rollout' ? 'rolling_out' : 'rolling_back',
      applyingSince: undefined,
      tracking: { phase, startedAt: now, lastProgressAt: now, data: started.data },
    },
    now,
  );
  const lines = [...started.lines];
  if (failure !== undefined) lines.unshift({ kind: 'rollout.tookEffect', error: errorReported(failure) });
  deps.notifier.detail(cur, lines);
  const shown = await showAndRecord(deps, cur);
  deps.follow(shown);
  return shown;
}

/** Ends a request that did not run; when it was refused because things changed, a fresh one is offered. */
async function refuse(deps: DeployDeps, d: Deployment, e: unknown): Promise<void> {
  const changed = isCapstanError(e) && (e.code === 'conflict' || e.code === 'locked');
  const cur = (await deps.store.get(d.id)) ?? d;
  const now = deps.clock.now();
  await showAndRecord(
    deps,
    await save(
      deps.store,
      cur,
      {
        state: 'failed',
        ...why(errorReported(e)),
        offerFresh: changed || undefined,
        finishedAt: now,
      },
      now,
    ),
  );
}
