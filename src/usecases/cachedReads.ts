import type { TaskDefinitionDocument } from '../domain/taskDefinition.js';
import { SingleFlight } from '../lib/singleFlight.js';
import type { Ecs, EcsService } from '../ports/ecs.js';
import type { StackEvent, StackInfo, Stacks } from '../ports/stacks.js';

/**
 * Reads for `status`, shared by everyone asking within a couple of seconds: fifty people typing
 * `/deploy status` at once cost one round of AWS calls. Deploys never read through this.
 */
export function cachedStatusReads(ecs: Ecs, stacks: Stacks, ttlMs = 2000): { ecs: Ecs; stacks: Stacks } {
  const services = new SingleFlight<{
    readonly services: readonly EcsService[];
    readonly missing: readonly string[];
  }>(ttlMs);
  // A task definition revision never changes once registered.
  const taskDefs = new SingleFlight<TaskDefinitionDocument>(3_600_000, 2000);
  const stackInfo = new SingleFlight<StackInfo>(ttlMs);
  const stackEvents = new SingleFlight<readonly StackEvent[]>(ttlMs);
  return {
    ecs: {
      ...ecs,
      describeServices: (loc, names) =>
        services.get(`${loc.region}|${loc.cluster}|${names.join(',')}`, () =>
          ecs.describeServices(loc, names),
        ),
      describeTaskDefinition: (region, td) =>
        taskDefs.get(`${region}|${td}`, () => ecs.describeTaskDefinition(region, td)),
    },
    stacks: {
      ...stacks,
      describeStack: (region, stack) =>
        stackInfo.get(`${region}|${stack}`, () => stacks.describeStack(region, stack)),
      events: (region, stack, limit) =>
        stackEvents.get(`${region}|${stack}|${limit}`, () => stacks.events(region, stack, limit)),
    },
  };
}
