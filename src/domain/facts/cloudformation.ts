import { z } from 'zod';

/** What the CloudFormation strategy reports (src/views/facts/cloudformation.ts words them). */

/** A stack event of one resource. */
export const cfnResourceEvent = z.object({
  kind: z.literal('cloudformation.resourceEvent'),
  logicalId: z.string(),
  resourceType: z.string(),
  status: z.string(),
  reason: z.string().optional(),
});

export const CloudFormationFact = z.discriminatedUnion('kind', [cfnResourceEvent]);
export type CloudFormationFact = z.infer<typeof CloudFormationFact>;
