import { z } from 'zod';
import type { VerifyPolicy } from '../domain/verify.js';
import { parseDuration } from './duration.js';

/** CloudWatch's own limit on an alarm name. */
const ALARM_NAME_MAX = 255;

const alarmPattern = z
  .string()
  .trim()
  .min(1, 'name an alarm, or a name prefix ending in *')
  .max(ALARM_NAME_MAX)
  .refine(
    (p) => !p.slice(0, -1).includes('*') && p !== '*',
    'must be an alarm name, or a name prefix ending in * (such as todobackend-prod-*); * only at the end',
  );

/**
 * `verify:` of an environment: which alarms to watch, for how long after the rollout succeeds, and
 * what an alarm does (roll back at once, or ask the people). Without `onAlarm`, it follows the
 * environment's `rollback` (verifyPolicy below).
 */
export const verifySchema = z
  .strictObject({
    alarms: z.array(alarmPattern).min(1, 'list the alarms to watch (names, or prefixes ending in *)'),
    bake: z.union([z.string(), z.number()]).transform((v, ctx) => {
      const ms = parseDuration(v);
      if (ms === undefined || ms <= 0 || ms > 24 * 3_600_000) {
        ctx.addIssue({
          code: 'custom',
          message: 'must be a duration such as 10m, longer than 0 and at most 24h',
        });
        return z.NEVER;
      }
      return ms;
    }),
    onAlarm: z.enum(['rollback', 'ask']).optional(),
  })
  .transform((v) => ({ alarms: [...new Set(v.alarms)], bakeMs: v.bake, onAlarm: v.onAlarm }));

/**
 * What an alarm does when `onAlarm` is not written: roll back, unless the environment's automatic
 * rollback is off (`rollback: manual`), where people are asked instead. Written, it stands.
 */
export function verifyPolicy(v: z.infer<typeof verifySchema>, rollback: 'auto' | 'manual'): VerifyPolicy {
  return { ...v, onAlarm: v.onAlarm ?? (rollback === 'manual' ? 'ask' : 'rollback') };
}
