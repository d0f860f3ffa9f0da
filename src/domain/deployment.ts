import type { Fact } from './facts/index.js';
import { DEPLOYMENT_STATES, type DeploymentState } from './states.js';
import type { PlatformAlarms } from './facts/verify.js';
import type { Verification } from './verify.js';

/**
 * One entry of the ledger: a deploy, a rollback or a release, from request to outcome.
 * A failed deploy that Capstan rolls back stays one entry (its `rollback` part), so the
 * thread, the parent message and the history all tell one story.
 */
export type DeploymentKind = 'deploy' | 'rollback' | 'release';

export { DEPLOYMENT_STATES, type DeploymentState };

const TERMINAL: ReadonlySet<DeploymentState> = new Set([
  'succeeded',
  'verified',
  'failed',
  'rolled_back',
  'rollback_failed',
  'superseded',
  'outcome_unknown',
  'rejected',
  'expired',
  'nothing_to_change',
]);

export function isTerminal(state: DeploymentState): boolean {
  return TERMINAL.has(state);
}

export interface Progress {
  readonly done: number;
  readonly total: number;
}

/** Where a progressive rollout is: the target's own stage name, traffic shifted, a bake's end. */
export interface RolloutStage {
  readonly stage: string;
  readonly productionPercent?: number | undefined;
  readonly testPercent?: number | undefined;
  /** A bake: when the target ends it (ms). */
  readonly until?: number | undefined;
}

/** A pause the target holds until people decide, or until it decides itself at `expiresAt`. */
export interface RolloutPause {
  readonly stage: string;
  /** What the target does at `expiresAt` (ECS: CONTINUE or ROLLBACK). */
  readonly timeoutAction?: string | undefined;
  readonly expiresAt?: number | undefined;
}

/** A decision taken in Slack at a pause: who, when, which. */
export interface PauseDecision {
  readonly by: string;
  readonly at: number;
  readonly action: 'continue' | 'rollback';
  readonly stage?: string | undefined;
  /** Which pause it decided (the same pause is the same key on every replica): a second click finds it. */
  readonly key?: string | undefined;
}

/**
 * Which pause a decision is about: the same pause shown again is the same key on every replica.
 * The buttons carry the key of the pause they were shown for, so a click that comes after another
 * click's decision (which clears the pause) still finds that decision.
 */
export function pauseKey(t: Tracking | undefined, action: PauseDecision['action']): string {
  if (t?.pause) return JSON.stringify(['pause', t.pause.stage, t.pause.expiresAt ?? null, t.waiting ?? null]);
  if (t?.waiting !== undefined) return JSON.stringify(['waiting', t.waiting]);
  return action === 'rollback' ? 'rollback' : 'none';
}

/** What the poll loop follows: the change Capstan started, as its strategy identifies it. */
export interface Tracking {
  readonly phase: 'rollout' | 'rollback';
  /** Set when the target rolls back by itself and Capstan follows that ("ECS", "CodeDeploy"…). */
  readonly rolledBackBy?: string | undefined;
  readonly startedAt: number;
  /** Last time anything moved; the rollout timeout counts from here. */
  readonly lastProgressAt: number;
  readonly progress?: Progress | undefined;
  /** Set while the rollout waits for people to let it go on (blue/green traffic reroute). */
  readonly waiting?: string | undefined;
  /** While waiting: when the target stops waiting by itself at the latest (ms), where that is known. */
  readonly waitingUntil?: number | undefined;
  /** Where a progressive rollout is (ECS's lifecycle stage), for the parent message. */
  readonly stage?: RolloutStage | undefined;
  /** A pause the target holds for people to decide (an ECS pause hook): Continue or Roll back. */
  readonly pause?: RolloutPause | undefined;
  /** The strategy's own (deployment id, change set, version label…). */
  readonly data: unknown;
}
export interface Approval {
  readonly userId: string;
  readonly at: number;
  /** The approval rules (by index) this person could meet when they approved. */
  readonly rules?: readonly number[] | undefined;
}

/** An admin let this request through a freeze: who, why, and which freeze. */
export interface FreezeOverride {
  readonly by: string;
  readonly reason: string;
  readonly freeze: string;
  /** When that freeze was to end. */
  readonly until: number;
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

/** What will change, as reviewed: shown by dry runs and approval requests, and recorded. */
export interface Review {
  readonly parameters?: readonly ParameterChange[] | undefined;
  readonly changes?: readonly PlannedResourceChange[] | undefined;
  /** A difference of documents (a task definition, a bundle), one line a change. */
  readonly diff?: { readonly title: string; readonly lines: readonly string[] } | undefined;
  /** Where to see the whole of it. */
  readonly link?: { readonly label: string; readonly url: string } | undefined;
  /** The target's own alarm rollback, as read when the change was prepared (shown on the message). */
  readonly platformAlarms?: PlatformAlarms | undefined;
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
  /** When the image was pushed to its registry (ECR's imagePushedAt), read at check: change lead time starts here. */
  readonly imagePushedAt?: number | undefined;
  readonly state: DeploymentState;
  /**
   * Why it failed, or is being rolled back, as a fact (views word it). Absent in rows older than
   * facts, and where a target still reported text: then `reason` says it.
   */
  readonly cause?: Fact | undefined;
  /** Text: the reject reason people typed, or (older rows, targets still reporting text) why it failed. */
  readonly reason?: string | undefined;
  readonly channel: string;
  readonly messageTs?: string | undefined;
  readonly permalink?: string | undefined;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly finishedAt?: number | undefined;
  /** What will change, as shown for review. */
  readonly review?: Review | undefined;
  /** What the strategy applies, exactly as reviewed. */
  readonly plan?: unknown;
  /** Set right before Capstan changes AWS: a restart after it asks AWS whether the change took effect. */
  readonly applyingSince?: number | undefined;
  readonly tracking?: Tracking | undefined;
  /** What Capstan's own rollback applies: kept so a restart in the middle of it can ask AWS whether it took effect. */
  readonly rollbackPlan?: unknown;
  /** Set when Capstan redeploys the last good version after a failure. */
  readonly rollbackVersion?: string | undefined;
  readonly approvals: readonly Approval[];
  /** The reviewed change could not run as reviewed (it changed meanwhile): people are offered a fresh one. */
  readonly offerFresh?: boolean | undefined;
  readonly rejectedBy?: string | undefined;
  readonly expiresAt?: number | undefined;
  /** Set when an admin requested it during a freeze. */
  readonly override?: FreezeOverride | undefined;
  /** The bake after a successful rollout: its end, the alarms and what people decided (domain/verify.ts). */
  readonly verification?: Verification | undefined;
  /** Set when an admin deployed although alarms it verifies with were in ALARM. */
  readonly alarmOverride?:
    { readonly by: string; readonly reason: string; readonly alarms: readonly string[] } | undefined;
  /** Decisions taken in Slack at the target's pauses (Continue, Roll back), oldest first. */
  readonly decisions?: readonly PauseDecision[] | undefined;
  /** `/deploy promote`: the environment whose verified digest this deploys. */
  readonly promotedFrom?: string | undefined;
  /** Set when an admin deployed past the promotion gate. */
  readonly promotionOverride?: PromotionOverride | undefined;
}

/** An admin let an image through the promotion gate: who, why, and what the gate said. */
export interface PromotionOverride {
  readonly by: string;
  readonly reason: string;
  readonly from: string;
  readonly refused: 'notVerified' | 'soaking' | 'rolledBack';
}

export const STATE_LABEL: Record<DeploymentState, string> = {
  awaiting_approval: 'awaiting approval',
  checking: 'checking',
  rolling_out: 'rolling out',
  rolling_back: 'rolling back',
  succeeded: 'succeeded',
  verifying: 'verifying',
  verified: 'verified',
  failed: 'failed',
  rolled_back: 'rolled back',
  rollback_failed: 'rollback failed',
  superseded: 'superseded',
  outcome_unknown: 'outcome unknown',
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
