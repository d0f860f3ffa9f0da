import type { Environment } from '../domain/catalog.js';
import { CapstanError } from '../domain/errors.js';
import type { Store } from '../ports/store.js';
import { lockRefusal } from './lock.js';

export async function requireUnlocked(store: Store, env: Environment): Promise<void> {
  const lock = await store.getLock(env.app, env.name);
  if (lock) throw lockRefusal(lock, 'change');
}

export async function requireIdle(store: Store, env: Environment): Promise<void> {
  const d = await store.inFlightFor(env.app, env.name);
  if (d) {
    throw new CapstanError(
      'conflict',
      `${env.app}/${env.name} already has a ${d.kind} of \`${d.toVersion}\` in flight (by <@${d.requestedBy}>, \`${d.id}\`). Wait for it to finish.`,
    );
  }
}
