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
    throw new CapstanError('conflict', {
      kind: 'request.inFlight',
      app: env.app,
      env: env.name,
      other: { id: d.id, kind: d.kind, version: d.toVersion, by: d.requestedBy },
    });
  }
}
