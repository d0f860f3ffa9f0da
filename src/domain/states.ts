/** Every state a ledger entry can be in (the store checks what it reads back against this). */
export const DEPLOYMENT_STATES = [
  'awaiting_approval',
  'checking',
  'rolling_out',
  'rolling_back',
  'succeeded',
  'verifying',
  'verified',
  'failed',
  'rolled_back',
  'rollback_failed',
  'superseded',
  'outcome_unknown',
  'rejected',
  'expired',
  'nothing_to_change',
] as const;

export type DeploymentState = (typeof DEPLOYMENT_STATES)[number];
