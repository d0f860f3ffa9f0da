import type { SkipClock } from '../fakes/skipClock.js';
import { World, yamlWith } from './scenario.js';

/** A blue/green (or linear) service: Bob and Carol approve; the rollout timeout is far shorter than ECS's bake. */
export const PROGRESSIVE_ENV = `
      dev:
        channel: C0DEV
        ecs: { region: us-east-1, cluster: todo-dev, service: todobackend-dev, container: app, repository: todobackend }
        policy: { deployers: ["*"], approvers: ["@deploy-approvers"] }
        rolloutTimeout: 1s
`;

export function startProgressive(clock: SkipClock, extra = ''): Promise<World> {
  return World.start(yamlWith(PROGRESSIVE_ENV, extra), clock);
}
