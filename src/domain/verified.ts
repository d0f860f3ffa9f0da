import { DEPLOYMENT_STATES, type DeploymentState } from './states.js';

/**
 * Whether a ledger entry counts as verified: promotion and the delivery figures both ask this.
 * An environment with a `verify` configuration must reach `verified`; one without counts a
 * `succeeded` rollout as verified (nothing more is checked there).
 */
export function countsAsVerified(
  d: { readonly state: DeploymentState },
  environment: { readonly name: string; readonly verify?: unknown } | undefined,
): boolean {
  if (d.state === 'verified') return true;
  return d.state === 'succeeded' && environment?.verify === undefined;
}

/**
 * The endings that make a version good to go back to (Capstan's rollback, `/deploy rollback`'s
 * default): where the environment verifies, only `verified`, so a version someone kept after its
 * alarm is never a rollback target; elsewhere `succeeded` too.
 */
export function goodStates(
  environment: { readonly name: string; readonly verify?: unknown } | undefined,
): DeploymentState[] {
  return DEPLOYMENT_STATES.filter((state) => countsAsVerified({ state }, environment));
}
