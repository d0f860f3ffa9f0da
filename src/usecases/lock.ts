import type { Catalog, Environment } from '../domain/catalog.js';
import type { Lock } from '../domain/deployment.js';
import { CapstanError, LockedError } from '../domain/errors.js';
import { escapeMrkdwn } from '../lib/mrkdwn.js';
import type { Directory } from '../ports/chat.js';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';
import { isAdmin, requireDeployer } from './access.js';

/** For the log and the ledger; a view words it for people, with the time as a Slack date. */
export function lockRefusal(lock: Lock, refused: LockedError['refused']): LockedError {
  const why = lock.reason ? ` (“${escapeMrkdwn(lock.reason)}”)` : '';
  const what = refused === 'lock' ? 'it was locked already.' : 'nothing changes there until it is unlocked.';
  return new LockedError(
    lock,
    refused,
    `${lock.app}/${lock.env} is locked by <@${lock.owner}>${why}; ${what}`,
  );
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
    throw new CapstanError('locked', `${env.app}/${env.name} is already locked.`);
  }
  return lock;
}

export async function unlockEnvironment(deps: LockDeps, env: Environment, userId: string): Promise<Lock> {
  const lock = await deps.store.getLock(env.app, env.name);
  if (!lock) throw new CapstanError('invalid_state', `${env.app}/${env.name} is not locked.`);
  if (lock.owner !== userId && !(await isAdmin(deps.directory, deps.catalog, userId))) {
    throw new CapstanError(
      'forbidden',
      `Only <@${lock.owner}> (who locked it) or a Capstan admin can unlock ${env.app}/${env.name}.`,
    );
  }
  await deps.store.deleteLock(env.app, env.name);
  return lock;
}
