import type { Deployment, DeploymentState, Lock } from '../domain/deployment.js';
import type { PipelineApproval } from '../domain/pipelineApproval.js';

export interface GoodVersion {
  readonly version: string;
  readonly digest?: string | undefined;
  readonly at: number;
}

/** What goodVersions() reports for one succeeded deployment; shared so every store agrees. */
export function goodVersionOf(d: Deployment): GoodVersion {
  return { version: d.toVersion, digest: d.imageDigest, at: d.finishedAt ?? d.updatedAt };
}

/** A named lease held by one replica until `expiresAt`; `fence` grows with every new holder. */
export interface Lease {
  readonly name: string;
  readonly owner: string;
  readonly fence: number;
  readonly expiresAt: number;
}

export interface Store {
  /**
   * Records a new deployment. Fails with CapstanError('conflict') when the environment already
   * has one in flight: the guard is atomic, so two racing deploys cannot both win.
   */
  create(d: Deployment): Promise<void>;
  get(id: string): Promise<Deployment | undefined>;
  /**
   * Compare-and-set on `rev`: undefined when someone else wrote first; otherwise the record as
   * stored (rev + 1). A finished deployment stays finished: moving it back in flight is refused
   * (undefined), so the one-in-flight guard only has to be taken at create().
   */
  update(d: Deployment): Promise<Deployment | undefined>;
  /** Oldest first. */
  inFlight(): Promise<readonly Deployment[]>;
  inFlightFor(app: string, env: string): Promise<Deployment | undefined>;
  /** Newest first; every environment of the app when `env` is undefined. */
  history(app: string, env: string | undefined, limit: number): Promise<readonly Deployment[]>;
  /**
   * Versions whose deployment ended in one of `states` in that environment, most recent first, each
   * once. Which endings count as good is the domain's (goodStates in domain/verified.ts).
   */
  goodVersions(
    app: string,
    env: string,
    limit: number,
    states: readonly DeploymentState[],
  ): Promise<readonly GoodVersion[]>;
  getLock(app: string, env: string): Promise<Lock | undefined>;
  /** false when already locked. */
  putLock(lock: Lock): Promise<boolean>;
  deleteLock(app: string, env: string): Promise<void>;
  locks(): Promise<readonly Lock[]>;
  /** true the first time a key is seen (SNS MessageId de-duplication), false after. */
  firstSighting(key: string, at: number): Promise<boolean>;
  /** Undoes firstSighting when handling failed, so a retry is handled. */
  forgetSighting(key: string): Promise<void>;
  createPipelineApproval(a: PipelineApproval): Promise<void>;
  getPipelineApproval(id: string): Promise<PipelineApproval | undefined>;
  /** Compare-and-set on `rev`, like update(). */
  updatePipelineApproval(a: PipelineApproval): Promise<PipelineApproval | undefined>;
  /** Those still 'open' or 'deciding'. */
  openPipelineApprovals(
    pipeline: string,
    stage?: string,
    action?: string,
  ): Promise<readonly PipelineApproval[]>;
  /**
   * Names of the pipelines that may have open approvals (a superset: ask openPipelineApprovals),
   * so routes given as a pattern can find theirs.
   */
  pipelinesWithOpenApprovals(): Promise<readonly string[]>;
  /**
   * Takes the lease `name` for `ttlMs` from `now` when it is free, expired, or already ours;
   * undefined while someone else holds it. Holding it on (ours and still valid) keeps the fence;
   * any new tenure gets a higher one, so work stamped with an older fence can be refused.
   */
  acquireLease(
    name: string,
    owner: string,
    ttlMs: number,
    now: number,
  ): Promise<{ fence: number } | undefined>;
  /** Extends a lease we still hold (same owner and fence, not expired); false when it was lost. */
  renewLease(name: string, owner: string, fence: number, ttlMs: number, now: number): Promise<boolean>;
  /** Gives the lease up at once if we hold it; the fence is kept, so the next holder's is higher. */
  releaseLease(name: string, owner: string): Promise<void>;
  /** Leases held at `now`, by name. */
  leases(now: number): Promise<readonly Lease[]>;
  /**
   * true for the first claimer of `key`, false for everyone after (the same owner included):
   * replicas use it so that each Slack post reporting an event happens once.
   */
  claimOnce(key: string, owner: string, now: number): Promise<boolean>;
  close(): void;
}
