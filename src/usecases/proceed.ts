import { type PauseDeps, type PauseResult, decideAtPause } from './pause.js';

/** What became of a click on Continue (or Roll back): facts for views/release.ts to word. */
export type ProceedResult = PauseResult;

/**
 * Lets a rollout that waits for people go on (CodeDeploy blue/green traffic reroute, an ECS pause
 * hook), through the one gate every pause decision takes (usecases/pause.ts): approval rules on the
 * clicking user, the lock and the freeze at the click, exactly once across replicas, recorded.
 */
export function proceedRollout(
  deps: PauseDeps,
  id: string,
  userId: string,
  shownKey?: string,
): Promise<ProceedResult> {
  return decideAtPause(deps, id, userId, 'continue', shownKey);
}
