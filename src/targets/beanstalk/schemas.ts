import { z } from 'zod';
import type { StrategySchemas } from '../strategy.js';

/** What apply() uploads and deploys, exactly as reviewed. */
export const PlanSchema = z.object({
  label: z.string(),
  bucket: z.string(),
  key: z.string(),
  body: z.string(),
  reuse: z.boolean(),
  image: z.string(),
  previousLabel: z.string().optional(),
  previousTag: z.string().optional(),
});
export type BeanstalkPlan = z.infer<typeof PlanSchema>;

/** What the poll loop keeps between looks (in the ledger: kept small). */
export const TrackSchema = z.object({
  label: z.string(),
  previousLabel: z.string().optional(),
  previousTag: z.string().optional(),
  requestId: z.string().optional(),
  since: z.number(),
  /** Time of the newest event seen, and short hashes of the events at that instant. */
  cursor: z.number().optional(),
  seen: z.array(z.string()).optional(),
  /** status|health|healthStatus|label at the last look. */
  look: z.string().optional(),
  /** The update has visibly begun (so a Ready environment is not a stale read from before it). */
  begun: z.boolean().optional(),
  /** Short hashes of the INFO messages seen: the same words again are not progress. */
  said: z.array(z.string()).optional(),
  /** The first ERROR event of the update, raw (escaped when shown). */
  failure: z.string().optional(),
});
export type BeanstalkTrack = z.infer<typeof TrackSchema>;

/** What check() read, handed to prepare() so it need not read it again. */
export const ContextSchema = z.object({
  envId: z.string(),
  repositoryUri: z.string(),
  digest: z.string(),
  currentLabel: z.string().optional(),
  currentTag: z.string().optional(),
  currentImage: z.string().optional(),
});
export type BeanstalkContext = z.infer<typeof ContextSchema>;

export const beanstalkSchemas: StrategySchemas<BeanstalkPlan, BeanstalkTrack, BeanstalkContext> = {
  plan: PlanSchema,
  data: TrackSchema,
  context: ContextSchema,
};
