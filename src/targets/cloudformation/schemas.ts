import { z } from 'zod';
import type { ImageDetails } from '../../ports/registry.js';
import type { StackInfo } from '../../ports/stacks.js';

const plan = {
  region: z.string(),
  stack: z.string(),
  changeSetName: z.string(),
  changeSetArn: z.string(),
  stackId: z.string(),
  /** Stack's LastUpdatedTime when the change set was made (ISO): the approval binds to it. */
  stackUpdatedAt: z.string(),
  /**
   * The rollback triggers the change set carries (alarm names) and its monitoring time: CloudFormation
   * watches them during the update and for that long after it deployed its resources.
   */
  monitoring: z
    .object({ minutes: z.number(), alarms: z.array(z.string()).readonly() })
    .readonly()
    .optional(),
  /**
   * Where the image parameter takes a tag: the tag and the digest it named when the change set was
   * made. The stack resolves the tag itself, so apply() checks it still names that digest.
   */
  pinnedTag: z.object({ repository: z.string(), tag: z.string(), digest: z.string() }).readonly().optional(),
};

/** What apply() executes: exactly the change set that was reviewed, on the stack as it was then. */
export const stackPlanSchema = z.object(plan).readonly();
export type StackPlan = z.infer<typeof stackPlanSchema>;

/** What Capstan follows once the change set is executed. */
export const stackTrackSchema = z
  .object({
    ...plan,
    /**
     * The ClientRequestToken passed to ExecuteChangeSet (the request id): every event of that stack
     * operation carries it, so the outcome is judged on Capstan's own operation, never on how the
     * stack looks. Absent in tracks written before Capstan followed tokens.
     */
    token: z.string().optional(),
    executedAt: z.number(),
    /** When CloudFormation's monitoring window began (every resource deployed), once seen. */
    monitoringFrom: z.number().optional(),
    /** Events already shown in the thread (the latest 500). */
    seenEvents: z.array(z.string()).readonly(),
  })
  .readonly();
export type StackTrack = z.infer<typeof stackTrackSchema>;

const stackInfoSchema: z.ZodType<StackInfo> = z
  .object({
    stackId: z.string(),
    name: z.string(),
    status: z.string(),
    statusReason: z.string().optional(),
    parameters: z.record(z.string(), z.string()).readonly(),
    updatedAt: z.string(),
  })
  .readonly();

const imageSchema: z.ZodType<ImageDetails> = z
  .object({
    tag: z.string(),
    digest: z.string(),
    repositoryUri: z.string(),
    pushedAt: z.number().optional(),
    tags: z.array(z.string()).readonly().optional(),
  })
  .readonly();

/** What check() read, handed to prepare(): the stack and the image as they were checked. */
export const stackContextSchema = z.object({ stack: stackInfoSchema, image: imageSchema }).readonly();
export type StackContext = z.infer<typeof stackContextSchema>;
