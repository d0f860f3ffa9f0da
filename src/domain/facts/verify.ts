import { z } from 'zod';
import { AwsRefusal } from './common.js';

/** What verification (the alarms watched for a bake after a rollout) reports; src/views/facts/verify.ts words it. */

/** An alarm went off during the bake: its name and CloudWatch's reason come first. */
export const verifyAlarmed = z.object({
  kind: z.literal('verify.alarmed'),
  alarm: z.string(),
  reason: z.string().optional(),
  /** It was back to OK when Capstan looked: its history showed it went to ALARM in between. */
  flapped: z.boolean(),
  /** After it asked people (onAlarm: ask), the person who chose Roll back. */
  rollbackBy: z.string().optional(),
});

export type VerifyAlarmed = z.infer<typeof verifyAlarmed>;

/** Someone rolled it back from the bake's Roll back button. */
export const verifyRollbackAsked = z.object({
  kind: z.literal('verify.rollbackAsked'),
  by: z.string(),
});

/** The bake began: the alarms watched and when it ends. */
export const verifyBaking = z.object({
  kind: z.literal('verify.baking'),
  until: z.number(),
  alarms: z.array(z.string()),
  /** The target watched the alarms itself since then (CloudFormation's monitoring window): counted in the bake. */
  counted: z.object({ by: z.string(), from: z.number() }).optional(),
});

/** The bake ended with no alarm (or an approver completed it early). */
export const verifyPassed = z.object({
  kind: z.literal('verify.passed'),
  completedBy: z.string().optional(),
});

/**
 * The bake ended (its time was up, or an approver completed it) while alarms were still in ALARM as
 * they were before the deploy began: the version succeeded but is not verified.
 */
export const verifyStillInAlarm = z.object({
  kind: z.literal('verify.stillInAlarm'),
  alarms: z.array(z.object({ name: z.string(), reason: z.string().optional() })),
  completedBy: z.string().optional(),
});

/** The alarms of a bake could not be read (said once; the bake cannot end meanwhile). */
export const verifyAlarmsUnreadable = z.object({
  kind: z.literal('verify.alarmsUnreadable'),
  /** AWS's refusal (access denied names the missing permission), or what the error said (outside text). */
  error: z.union([z.string(), AwsRefusal]),
});

/** Someone kept the version after an alarm went off, and why (absent: nobody said). */
export const verifyKept = z.object({
  kind: z.literal('verify.kept'),
  by: z.string(),
  /** The alarm that went off (absent: none was recorded). */
  alarm: z.string().optional(),
  reason: z.string().optional(),
});

/** Someone baked it longer. */
export const verifyExtended = z.object({
  kind: z.literal('verify.extended'),
  by: z.string(),
  until: z.number(),
});

/** An alarm is in ALARM before the deploy: it starts from a signal that is not clean. */
export const verifyAlarmFiring = z.object({
  kind: z.literal('verify.alarmFiring'),
  app: z.string(),
  env: z.string(),
  alarms: z.array(z.object({ name: z.string(), reason: z.string().optional() })),
});

/** Patterns of `verify.alarms` that match no alarm in CloudWatch. */
export const verifyNoSuchAlarm = z.object({
  kind: z.literal('verify.noSuchAlarm'),
  app: z.string(),
  env: z.string(),
  region: z.string(),
  patterns: z.array(z.string()),
});

/** An admin deployed although an alarm was in ALARM. */
export const verifyAlarmOverridden = z.object({
  kind: z.literal('verify.alarmOverridden'),
  by: z.string(),
  alarms: z.array(z.string()),
  reason: z.string(),
});

/**
 * The platform's own alarm rollback, as read from the target: ECS's deploymentConfiguration.alarms,
 * CodeDeploy's alarmConfiguration, CloudFormation's rollback triggers (what Capstan hands it).
 */
export const verifyPlatformAlarms = z.object({
  kind: z.literal('verify.platformAlarms'),
  platform: z.enum(['ECS', 'CodeDeploy', 'CloudFormation']),
  alarms: z.array(z.string()),
  /** It rolls back by itself on an alarm (false: it only fails or stops the rollout). */
  rollback: z.boolean(),
  /** CloudFormation: how long it monitors after the update deployed its resources. */
  monitoringMinutes: z.number().optional(),
  /** CodeDeploy (ignorePollAlarmFailure): it goes on when it cannot read the alarms. */
  ignoresPollFailure: z.boolean().optional(),
  /** Which of them Capstan's own `verify.alarms` also watch; absent where the environment does not verify. */
  alsoVerified: z.array(z.string()).optional(),
});
export type PlatformAlarms = z.infer<typeof verifyPlatformAlarms>;

/** CloudFormation watches the alarms itself for a while after the update (its monitoring window). */
export const verifyPlatformMonitoring = z.object({
  kind: z.literal('verify.platformMonitoring'),
  platform: z.string(),
  alarms: z.array(z.string()),
  /** When it started (all resources deployed) and how long it lasts at most. */
  from: z.number(),
  minutes: z.number(),
});

export const VerifyFact = z.discriminatedUnion('kind', [
  verifyPlatformAlarms,
  verifyPlatformMonitoring,
  verifyAlarmed,
  verifyRollbackAsked,
  verifyBaking,
  verifyPassed,
  verifyStillInAlarm,
  verifyAlarmsUnreadable,
  verifyKept,
  verifyExtended,
  verifyAlarmFiring,
  verifyNoSuchAlarm,
  verifyAlarmOverridden,
]);
export type VerifyFact = z.infer<typeof VerifyFact>;
