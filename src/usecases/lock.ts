import type { Catalog, Environment } from '../domain/catalog.js';
import type { Lock } from '../domain/deployment.js';
import { CapstanError, LockedError } from '../domain/errors.js';
import type { Directory } from '../ports/chat.js';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';
import { isAdmin, requireDeployer } from './access.js';

/** A refusal because of a lock: a view says who locked it and since when (a Slack date). */
export function lockRefusal(lock: Lock, refused: LockedError['refused']): LockedError {
  return new LockedError(lock, refused);
}

export interface LockDeps {
  readonly catalog: Catalog;
  readonly store: Store;
  readonly directory: Directory;
  readonly clock: Clock;
}

export async function lockEnvironment(
  deps: LockDeps,
  env: Environment,
  owner: string,
  reason: string | undefined,
): Promise<Lock> {
  if (!(await isAdmin(deps.directory, deps.catalog, owner)))
    await requireDeployer(deps.directory, env, owner);
  const lock: Lock = { app: env.app, env: env.name, owner, reason, at: deps.clock.now() };
  if (!(await deps.store.putLock(lock))) {
    const existing = await deps.store.getLock(env.app, env.name);
    if (existing) throw lockRefusal(existing, 'lock');
    throw new CapstanError('locked', { kind: 'lock.taken', app: env.app, env: env.name });
  }
  return lock;
}

export async function unlockEnvironment(deps: LockDeps, env: Environment, userId: string): Promise<Lock> {
  const lock = await deps.store.getLock(env.app, env.name);
  if (!lock) throw new CapstanError('invalid_state', { kind: 'lock.notLocked', app: env.app, env: env.name });
  if (lock.owner !== userId && !(await isAdmin(deps.directory, deps.catalog, userId))) {
    throw new CapstanError('forbidden', {
      kind: 'lock.notOwner',
      app: env.app,
      env: env.name,
      owner: lock.owner,
    });
  }
  await deps.store.deleteLock(env.app, env.name);
  return lock;
}
