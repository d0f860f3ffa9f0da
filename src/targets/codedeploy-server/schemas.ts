import { z } from 'zod';
import { verifyPlatformAlarms } from '../../domain/facts/verify.js';

/** What check() read, handed to prepare(). */
export const contextSchema = z.object({
  version: z.string(),
  /** The S3 revision the group deploys now, if it deploys one. */
  current: z.object({ bucket: z.string(), key: z.string(), eTag: z.string().optional() }).optional(),
  /** The group's last deployment succeeded: its target revision is what runs. */
  settled: z.boolean(),
  /** The bundle of the requested version. */
  bundle: z.object({ key: z.string(), eTag: z.string().optional() }),
  /** The group's own alarm rollback (alarmConfiguration), shown with the change. */
  platformAlarms: verifyPlatformAlarms.optional(),
});
export type Context = z.infer<typeof contextSchema>;

/** What apply() deploys, exactly as reviewed (kept in the ledger). */
export const planSchema = z.object({
  version: z.string(),
  bucket: z.string(),
  key: z.string(),
  bundleType: z.string(),
  eTag: z.string().optional(),
  /** The key the group deployed when this was reviewed. */
  baseKey: z.string().optional(),
});
export type Plan = z.infer<typeof planSchema>;
