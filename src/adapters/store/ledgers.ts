import type { Store } from '../../ports/store.js';

/** The Store in three parts, each kept by a module of its own in sqlite/ and in dynamodb/. */

/** Deployments and the one-in-flight guard. */
export type DeploymentLedger = Pick<
  Store,
  'create' | 'get' | 'update' | 'inFlight' | 'inFlightFor' | 'history' | 'goodVersions'
>;

/** CodePipeline manual approvals. */
export type PipelineApprovalLedger = Pick<
  Store,
  | 'createPipelineApproval'
  | 'getPipelineApproval'
  | 'updatePipelineApproval'
  | 'openPipelineApprovals'
  | 'pipelinesWithOpenApprovals'
>;

/** What the first writer takes: locks, SNS messages seen, leases, once-only claims. */
export type ClaimLedger = Pick<
  Store,
  | 'getLock'
  | 'putLock'
  | 'deleteLock'
  | 'locks'
  | 'firstSighting'
  | 'forgetSighting'
  | 'acquireLease'
  | 'renewLease'
  | 'releaseLease'
  | 'leases'
  | 'claimOnce'
>;
