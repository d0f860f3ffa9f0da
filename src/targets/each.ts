import type { Environment } from '../domain/catalog.js';
import type { Observation, Observed } from './strategy.js';

/**
 * Judges each rollout of a look on its own: an error while reading one (a denied GetDeployment, a
 * throttled event read) is that rollout's `unreadable` observation and never decides the others.
 */
export async function observeEach<D = unknown, E extends Environment = Environment>(
  items: readonly Observed<D, E>[],
  one: (item: Observed<D, E>) => Promise<Observation<D>>,
): Promise<Map<string, Observation<D>>> {
  const out = new Map<string, Observation<D>>();
  await Promise.all(
    items.map(async (item) => {
      try {
        out.set(item.id, await one(item));
      } catch (error) {
        out.set(item.id, unreadable(item, error));
      }
    }),
  );
  return out;
}

export function unreadable<D = unknown>(item: Observed<D, Environment>, error: unknown): Observation<D> {
  return { kind: 'unreadable', data: item.data, lines: [], error };
}
