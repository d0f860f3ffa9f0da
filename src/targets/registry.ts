import type { Environment, Target } from '../domain/catalog.js';
import type { TargetRegistry, TargetStrategy } from './strategy.js';

/** The one place that knows which strategy serves which kind of target. */
export function createTargetRegistry(strategies: {
  readonly [K in Target['kind']]?: TargetStrategy;
}): TargetRegistry {
  return {
    for(env: Environment): TargetStrategy {
      const s = strategies[env.target.kind];
      if (!s) throw new Error(`no strategy for ${env.target.kind} targets`);
      return s;
    },
  };
}
