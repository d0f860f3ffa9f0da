import { z } from 'zod';
import { DEPLOYMENT_STATES } from '../states.js';
import { BeanstalkFact } from './beanstalk.js';
import { CloudFormationFact } from './cloudformation.js';
import { CodeDeployFact } from './codedeploy.js';
import { CommonFact } from './common.js';
import { EcsFact } from './ecs.js';
import { promotionNotVerified, promotionRolledBack, promotionSoaking } from './promotion.js';
import { verifyAlarmFiring, verifyAlarmed, verifyNoSuchAlarm, verifyRollbackAsked } from './verify.js';

/** What the use cases report about a rollout (src/views/facts/rollout.ts words them). */

/** Capstan restarted and picked the rollout (or its rollback) up again. */
export const rolloutResumed = z.object({
  kind: z.literal('rollout.resumed'),
  phase: z.enum(['rollout', 'rollback']),
});

/** Nothing moved for longer than the environment allows. */
export const rolloutNoProgress = z.object({
  kind: z.literal('rollout.noProgress'),
  seconds: z.number(),
  progress: z.object({ done: z.number(), total: z.number() }).optional(),
});

/**
 * What a rollout's ending builds on: what the target reported, or an error. A fact of any area but
 * the endings below (which never nest in each other); text where a target still reports text, or
 * where an older ledger row kept it (outside text, escaped where it is worded).
 */
export const Reported = z.union([
  z.string(),
  CommonFact,
  EcsFact,
  CloudFormationFact,
  BeanstalkFact,
  CodeDeployFact,
  rolloutNoProgress,
  verifyAlarmed,
  verifyRollbackAsked,
  // Read again right before an approved release changes AWS.
  verifyAlarmFiring,
  verifyNoSuchAlarm,
  // The promotion gate, judged again right before an approved release changes AWS.
  promotionNotVerified,
  promotionSoaking,
  promotionRolledBack,
]);
export type Reported = z.infer<typeof Reported>;
/** A fact an ending can nest: what a target reports as a failure's cause or as what is gone. */
export type NestableFact = Exclude<Reported, string>;

/** AWS could not be read for longer than the rollout may take: its outcome is unknown. */
export const rolloutOutcomeUnknown = z.object({
  kind: z.literal('rollout.outcomeUnknown'),
  seconds: z.number(),
  error: Reported,
  lastSeen: z.object({
    state: z.enum(DEPLOYMENT_STATES),
    progress: z.object({ done: z.number(), total: z.number() }).optional(),
  }),
});

/** Someone else's change replaced Capstan's; `late`: found after the outcome was said to be unknown. */
export const rolloutSuperseded = z.object({
  kind: z.literal('rollout.superseded'),
  by: z.string(),
  late: z.boolean(),
});

/** The target is gone, or what Capstan recorded cannot be read: the rollout cannot be followed. */
export const rolloutCannotFollow = z.object({ kind: z.literal('rollout.cannotFollow'), cause: Reported });

const place = { app: z.string(), env: z.string() };

/** A failure found after the outcome was said to be unknown: too late for Capstan to roll back. */
export const rolloutFailedLate = z.object({
  kind: z.literal('rollout.failedLate'),
  ...place,
  cause: Reported,
  /** The target rolled back by itself ("ECS", "CodeDeploy"…). */
  rolledBackBy: z.string().optional(),
});

/** The target rolled back by itself, and is done: what it put back, when it says. */
export const rolloutPutBack = z.object({
  kind: z.literal('rollout.putBack'),
  cause: Reported,
  by: z.string(),
  runsNow: z.string().optional(),
});

/** Capstan's own rollback failed as well. */
export const rolloutRollbackFailed = z.object({
  kind: z.literal('rollout.rollbackFailed'),
  /** Why it was rolled back. */
  before: Reported.optional(),
  cause: Reported,
});

/** The rollback could not even start. */
export const rolloutRollbackNotStarted = z.object({
  kind: z.literal('rollout.rollbackNotStarted'),
  cause: Reported,
  error: Reported,
});

/** It failed where automatic rollback is off. */
export const rolloutManualRollback = z.object({
  kind: z.literal('rollout.manualRollback'),
  ...place,
  cause: Reported,
});

/** It failed, and the ledger knows no earlier good version to go back to. */
export const rolloutNoGoodVersion = z.object({ kind: z.literal('rollout.noGoodVersion'), cause: Reported });

/** Capstan rolls back to the last version that succeeded here. */
export const rolloutRollingBackTo = z.object({
  kind: z.literal('rollout.rollingBackTo'),
  version: z.string(),
  /** The environment verifies: it goes back to the last verified version, not merely the last that succeeded. */
  verified: z.boolean().optional(),
  /** The environment verifies, but no version was verified there yet: the last that succeeded. */
  unverified: z.boolean().optional(),
});

/** AWS answered the change with an error, yet reading AWS showed the change took effect. */
export const rolloutTookEffect = z.object({ kind: z.literal('rollout.tookEffect'), error: Reported });

/** A lock taken while the request waited stopped it. */
export const rolloutLockedNotExecuted = z.object({
  kind: z.literal('rollout.lockedNotExecuted'),
  ...place,
  owner: z.string(),
  reason: z.string().optional(),
});

/** An admin requested it through a freeze. */
export const rolloutFreezeOverridden = z.object({
  kind: z.literal('rollout.freezeOverridden'),
  by: z.string(),
  freeze: z.string(),
  reason: z.string(),
});

/** Someone let a rollout that waited for people go on. */
export const rolloutLetGoOn = z.object({
  kind: z.literal('rollout.letGoOn'),
  by: z.string(),
  waiting: z.string(),
});

/** Capstan restarted before (`applying`: while) changing AWS, or while preparing: nothing changed. */
export const rolloutRestartedBefore = z.object({
  kind: z.literal('rollout.restartedBefore'),
  /** Where it would have deployed, as the strategy describes it; absent: it was still being prepared. */
  where: z.string().optional(),
});

export const RolloutFact = z.discriminatedUnion('kind', [
  rolloutResumed,
  rolloutNoProgress,
  rolloutOutcomeUnknown,
  rolloutSuperseded,
  rolloutCannotFollow,
  rolloutFailedLate,
  rolloutPutBack,
  rolloutRollbackFailed,
  rolloutRollbackNotStarted,
  rolloutManualRollback,
  rolloutNoGoodVersion,
  rolloutRollingBackTo,
  rolloutTookEffect,
  rolloutLockedNotExecuted,
  rolloutFreezeOverridden,
  rolloutLetGoOn,
  rolloutRestartedBefore,
]);
export type RolloutFact = z.infer<typeof RolloutFact>;
