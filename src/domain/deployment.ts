/**
 * One entry of the ledger: a deploy, a rollback or a release, from request to outcome.
 * A failed deploy that Capstan rolls back stays one entry (its `rollback` part), so the
 * thread, the parent message and the history all tell one story.
 */
export type DeploymentKind = 'deploy' | 'rollback' | 'release';

export type DeploymentState =
  | 'awaiting_approval'
  | 'checking'
  | 'rolling_out'
  | 'executing'
  | 'rolling_back'
  | 'succeeded'
  | 'failed'
  | 'rolled_back'
  | 'rollback_failed'
  | 'rejected'
  | 'expired'
  | 'nothing_to_change';

const TERMINAL: ReadonlySet<DeploymentState> = new Set([
  'succeeded',
  'failed',
  'rolled_back',
  'rollback_failed',
  'rejected',
  'expired',
  'nothing_to_change',
]);

export function isTerminal(state: DeploymentState): boolean {
  return TERMINAL.has(state);
}

/** What the poller follows: one ECS deployment (by id) of one task definition. */
export interface EcsWatch {
  readonly phase: 'rollout' | 'rollback';
  /** True when ECS itself rolled back (circuit breaker or alarm) and Capstan follows that. */
  readonly byEcs: boolean;
  readonly taskDefinitionArn: string;
  /** Unknown only while waiting for ECS's own rollback deployment to appear. */
  readonly ecsDeploymentId?: string | undefined;
  readonly startedAt: number;
  /** Last time running count or state moved; the timeout counts from here. */
  readonly lastProgressAt: number;
  /** Service events newer than this go to the thread. */
  readonly lastEventAt: number;
  readonly seenStoppedTasks: readonly string[];
  readonly running: number;
  readonly desired: number;
  readonly failedTasks: number;
}

export interface Approval {
  readonly userId: string;
  readonly at: number;
}

export interface ParameterChange {
  readonly key: string;
  readonly from?: string | undefined;
  readonly to: string;
}

export interface PlannedResourceChange {
  readonly action: string;
  readonly logicalId: string;
  readonly resourceType: string;
  readonly replacement?: string | undefined;
}

export interface ReleasePlan {
  readonly region: string;
  readonly stack: string;
  readonly changeSetArn?: string | undefined;
  readonly changeSetName: string;
  readonly stackId?: string | undefined;
  /** Stack's LastUpdatedTime (or CreationTime) when the change set was made: the approval binds to it. */
  readonly stackUpdatedAt: string;
  readonly parameters: readonly ParameterChange[];
  readonly changes: readonly PlannedResourceChange[];
  /** When ExecuteChangeSet was called; stack events from then on go to the thread. */
  readonly executedAt?: number | undefined;
  readonly seenEvents?: readonly string[] | undefined;
}

/** What an approval of an ECS deploy binds to. */
export interface EcsPlan {
  readonly diff: readonly string[];
}

export interface Deployment {
  readonly id: string;
  readonly rev: number;
  readonly kind: DeploymentKind;
  readonly app: string;
  readonly env: string;
  readonly requestedBy: string;
  readonly fromVersion?: string | undefined;
  readonly toVersion: string;
  readonly imageDigest?: string | undefined;
  readonly state: DeploymentState;
  /** Why it failed (for people), or the rollback/reject reason. */
  readonly reason?: string | undefined;
  readonly channel: string;
  readonly messageTs?: string | undefined;
  readonly permalink?: string | undefined;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly finishedAt?: number | undefined;
  readonly previousTaskDefinitionArn?: string | undefined;
  /** Registered before UpdateService, so a restart can tell whether the update happened. */
  readonly taskDefinitionArn?: string | undefined;
  readonly watch?: EcsWatch | undefined;
  /** Set when Capstan redeploys the last good version after a failure. */
  readonly rollbackVersion?: string | undefined;
  readonly approvals: readonly Approval[];
  readonly rejectedBy?: string | undefined;
  readonly expiresAt?: number | undefined;
  readonly release?: ReleasePlan | undefined;
  readonly ecsPlan?: EcsPlan | undefined;
}

export const STATE_LABEL: Record<DeploymentState, string> = {
  awaiting_approval: 'awaiting approval',
  checking: 'checking',
  rolling_out: 'rolling out',
  executing: 'executing change set',
  rolling_back: 'rolling back',
  succeeded: 'succeeded',
  failed: 'failed',
  rolled_back: 'rolled back',
  rollback_failed: 'rollback failed',
  rejected: 'rejected',
  expired: 'expired',
  nothing_to_change: 'nothing to change',
};

export interface Lock {
  readonly app: string;
  readonly env: string;
  readonly owner: string;
  readonly reason?: string | undefined;
  readonly at: number;
}
