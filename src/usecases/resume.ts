import type { Environment } from '../domain/catalog.js';
import type { Deployment } from '../domain/deployment.js';
import { targetAs } from './actAs.js';
import type { DeployDeps } from './deps.js';
import { finish } from './record.js';
import { beginTracking, execute } from './execute.js';

/**
 * Picks up one deployment another process (or this one before a restart) left in flight: a rollout
 * is followed again, and work caught between two steps is settled by asking AWS what happened.
 * Returns whether it goes on (true) or was settled (false).
 */
export async function resumeOne(deps: DeployDeps, env: Environment, d: Deployment): Promise<boolean> {
  const target = targetAs(deps, env, d.requestedBy);
  if (
    d.state === 'rolling_back' &&
    d.tracking?.phase === 'rollout' &&
    d.applyingSince !== undefined &&
    d.rollbackPlan !== undefined &&
    d.rollbackVersion !== undefined
  ) {
    // Stopped inside the call that starts Capstan's own rollback: follow it if it took effect, never start a second.
    const started = await target.reconcile(env, {
      requestId: `${d.id}-rollback`,
      version: d.rollbackVersion,
      plan: d.rollbackPlan,
      actor: d.requestedBy,
    });
    if (started) {
      await beginTracking(
        deps,
        d,
        { ...started, lines: [{ kind: 'rollout.resumed', phase: 'rollback' }, ...started.lines] },
        'rollback',
      );
      return true;
    }
  }
  if (d.tracking) {
    deps.follow(d);
    return true;
  }
  if (d.state === 'checking' && d.applyingSince !== undefined) {
    // Stopped while changing AWS: the change may or may not have taken effect.
    const request = { requestId: d.id, version: d.toVersion, plan: d.plan, actor: d.requestedBy };
    const started = await target.reconcile(env, request);
    if (started) {
      await beginTracking(
        deps,
        d,
        { ...started, lines: [{ kind: 'rollout.resumed', phase: 'rollout' }, ...started.lines] },
        'rollout',
      );
      return true;
    }
    await finish(deps, d, 'failed', { kind: 'rollout.restartedBefore', where: target.describe(env) });
    return false;
  }
  if (d.state === 'checking' && d.plan !== undefined) {
    // Approved (or needing no approval) but not started: the approval still stands.
    const approver = d.approvals.at(-1)?.userId ?? d.requestedBy;
    deps.background(execute(deps, env, d, approver, { recheck: true }));
    return true;
  }
  if (d.state === 'checking') {
    await target.discard(env, d).catch(() => undefined);
    await finish(deps, d, 'failed', { kind: 'rollout.restartedBefore' });
    return false;
  }
  // Waiting for approval: nothing runs until someone decides (or it expires).
  return true;
}
