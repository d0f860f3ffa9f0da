import { z } from 'zod';

/** What verification (the alarms watched for a bake after a rollout) reports; src/views/facts/verify.ts words it. */

/** An alarm went off during the bake: its name and CloudWatch's reason come first. */
export const verifyAlarmed = z.object({
  kind: z.literal('verify.alarmed'),
  alarm: z.string(),
  reason: z.string().optional(),
  /** It was back to OK when Capstan looked: its history showed it went to ALARM in between. */
  flapped: z.boolean(),
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
});

/** The bake ended with no alarm (or an approver completed it early). */
export const verifyPassed = z.object({
  kind: z.literal('verify.passed'),
  completedBy: z.string().optional(),
});

/** Someone kept the version after an alarm went off, and why. */
export const verifyKept = z.object({
  kind: z.literal('verify.kept'),
  by: z.string(),
  alarm: z.string(),
  reason: z.string(),
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

export const VerifyFact = z.discriminatedUnion('kind', [
  verifyAlarmed,
  verifyRollbackAsked,
  verifyBaking,
  verifyPassed,
  verifyKept,
  verifyExtended,
  verifyAlarmFiring,
  verifyNoSuchAlarm,
  verifyAlarmOverridden,
]);
export type VerifyFact = z.infer<typeof VerifyFact>;
