import type { Catalog, Environment } from '../domain/catalog.js';
import type { Lock } from '../domain/deployment.js';
import { CapstanError } from '../domain/errors.js';
import { escapeMrkdwn } from '../lib/mrkdwn.js';
import type { Directory } from '../ports/chat.js';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';
import { isAdmin, requireDeployer } from './access.js';

export function describeLock(lock: Lock): string {
  const when = new Date(lock.at).toISOString().replace('T', ' ').slice(0, 16);
  return `locked by <@${lock.owner}> since ${when} UTC${lock.reason ? ` (“${escapeMrkdwn(lock.reason)}”)` : ''}`;
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
    throw new CapstanError(
      'locked',
      `${env.app}/${env.name} is already ${existing ? describeLock(existing) : 'locked'}.`,
    );
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
