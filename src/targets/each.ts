import type { Observation, Observed } from './strategy.js';

/**
 * Judges each rollout of a look on its own: an error while reading one (a denied GetDeployment, a
 * throttled event read) is that rollout's `unreadable` observation and never decides the others.
 */
export async function observeEach(
  items: readonly Observed[],
  one: (item: Observed) => Promise<Observation>,
): Promise<Map<string, Observation>> {
  const out = new Map<string, Observation>();
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

export function unreadable(item: Observed, error: unknown): Observation {
  return { kind: 'unreadable', data: item.data, lines: [], error };
}
