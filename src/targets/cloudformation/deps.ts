import type { Alarms } from '../../ports/alarms.js';
import type { Registry } from '../../ports/registry.js';
import type { Stacks } from '../../ports/stacks.js';
import type { EnvironmentOf } from '../strategy.js';

export interface StackStrategyDeps {
  readonly stacks: Stacks;
  readonly registry: Registry;
  readonly now: () => number;
  /** How often a change set being computed is looked at, and for how long at most. */
  readonly changeSetPollMs: number;
  readonly changeSetTimeoutMs: number;
  /** Capstan is stopping: a wait for a change set ends at once. */
  readonly signal?: AbortSignal | undefined;
  /** CloudWatch: an environment's `verify` alarms become the change set's rollback triggers. */
  readonly alarms?: Alarms | undefined;
}

/** An environment deployed through a CloudFormation stack. */
export type StackEnvironment = EnvironmentOf<'cloudformation'>;
