import type { Deployment, Lock } from '../domain/deployment.js';
import type { PipelineApproval } from '../domain/pipelineApproval.js';

export interface GoodVersion {
  readonly version: string;
  readonly digest?: string | undefined;
  readonly at: number;
}

export interface GoodVersion {
  readonly version: string;
  readonly digest?: string | undefined;
  readonly at: number;
}

export interface Store {
  /**
   * Records a new deployment. Fails with CapstanError('conflict') when the environment already
   * has one in flight: the guard is a single atomic write, so two racing deploys cannot both win.
   */
  create(d: Deployment): Promise<void>;
  get(id: string): Promise<Deployment | undefined>;
  /** Compare-and-set on `rev`: undefined when someone else wrote first; otherwise the record as stored (rev + 1). */
  update(d: Deployment): Promise<Deployment | undefined>;
  inFlight(): Promise<readonly Deployment[]>;
  inFlightFor(app: string, env: string): Promise<Deployment | undefined>;
  /** Newest first. */
  history(app: string, env: string | undefined, limit: number): Promise<readonly Deployment[]>;
  /** Versions that ended well in that environment, most recent first, each once. */
  goodVersions(app: string, env: string, limit: number): Promise<readonly GoodVersion[]>;
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
  openPipelineApprovals(
    pipeline: string,
    stage?: string,
    action?: string,
  ): Promise<readonly PipelineApproval[]>;
  close(): void;
}
